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
