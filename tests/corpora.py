"""Where the shared corpora are, for every test that reads them.

`$METAPIPE_CORPORA` if set, else `../shared/corpora` beside the checkout (where CI lays
them). A test whose corpus is absent is skipped with the path in the reason, except when
`METAPIPE_REQUIRE_CORPORA=1` (set by `.ci/run`): then a missing corpus is an error, so the
fidelity and lint-corpus gates can never be skipped silently where they must run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("METAPIPE_CORPORA") or REPO.parent / "shared" / "corpora")
AWS_RECORDED = CORPORA / "aws-recorded"
ASL_LINT = CORPORA / "asl-lint"
REQUIRED = os.environ.get("METAPIPE_REQUIRE_CORPORA") == "1"


class MissingCorpus(RuntimeError):
    """A corpus the run was told to require is not there."""


def available(path: Path) -> bool:
    """Whether `path` exists; with METAPIPE_REQUIRE_CORPORA=1 a missing one raises."""
    if path.exists():
        return True
    if REQUIRED:
        raise MissingCorpus(f"METAPIPE_REQUIRE_CORPORA=1 but {path} is missing "
                            "(set METAPIPE_CORPORA to the folder holding aws-recorded/ and asl-lint/)")
    return False


def require(path: Path) -> Path:
    """`path`, or skip the calling test (fail where corpora are required)."""
    if not available(path):
        pytest.skip(f"corpus not found at {path} (set METAPIPE_CORPORA)")
    return path
