#!/usr/bin/env python3
"""Entry point of the CDK app: `python infra/app.py`, or `npx aws-cdk synth` from infra/."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parent):  # metapipe_infra, and the repository's `workflow` package
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from metapipe_infra.application import build_app  # noqa: E402


def main() -> int:
    app, _ = build_app()
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
