"""Shared pytest setup: the `--backend` choice and paths to the repo and shared corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend", choices=("local", "container", "both"), default="local",
        help="where the mock test cases run: our emulator (local, default), Step Functions "
             "Local in Docker (container), or both",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend_name" in metafunc.fixturenames:
        choice = metafunc.config.getoption("--backend")
        names = ["local", "container"] if choice == "both" else [choice]
        metafunc.parametrize("backend_name", names)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    return SHARED


# --- the OpenSearch stand-in: pytest-httpserver on 127.0.0.1 ------------------------------

@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """Bind pytest-httpserver to 127.0.0.1 on a free port (its default host is `localhost`)."""
    return ("127.0.0.1", 0)


@pytest.fixture
def opensearch(httpserver):
    """pytest-httpserver answering as OpenSearch does by default (see `opensearch_stub`).

    After the test it fails on any request no handler matched, on any error inside a handler,
    and on any one-shot reply a test scripted that no request consumed.
    """
    from opensearch_stub import answer_as_opensearch

    answer_as_opensearch(httpserver)
    yield httpserver
    httpserver.check_assertions()
    httpserver.check_handler_errors()
    assert not httpserver.oneshot_handlers, "scripted replies never requested"
