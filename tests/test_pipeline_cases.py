"""Every mock test case in mocks/cases.json, through the selected backend(s).

`pytest` runs them in our emulator; `pytest --backend container` (or `both`) runs them in
Step Functions Local too, and skips with the reason where no Docker engine answers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.testcases import check_case, load_suite

REPO = Path(__file__).resolve().parent.parent
SUITE = load_suite(REPO / "mocks" / "cases.json")


@pytest.fixture(scope="session")
def backends():
    opened: dict = {}
    yield opened
    for backend in opened.values():
        stop = getattr(backend, "stop", None)
        if stop:
            stop()


def _backend(name: str, opened: dict):
    if name not in opened:
        if name == "local":
            from workflow.backends.local import LocalBackend

            opened[name] = LocalBackend(SUITE)
        else:
            from workflow.backends.container import ContainerBackend, docker_engine_status

            ok, reason = docker_engine_status()
            if not ok:
                pytest.skip(reason)
            backend = ContainerBackend(SUITE)
            backend.start()
            opened[name] = backend
    return opened[name]


@pytest.mark.parametrize("case", SUITE.cases, ids=lambda c: c.name)
def test_case_meets_its_expectations(case, backend_name, backends):
    backend = _backend(backend_name, backends)
    execution = backend(case)
    assert check_case(case, execution, clock_exact=backend.clock_exact) == []
