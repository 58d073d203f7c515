"""One synthesis of the CDK app per test session (cdk-nag enabled)."""

from __future__ import annotations

import json
from typing import Any

import cfn_render  # noqa: F401  (puts infra/ on sys.path)
import pytest


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory) -> dict[str, Any]:
    """Synthesize with cdk-nag enabled (an unacknowledged finding fails synthesis)."""
    from metapipe_infra.application import STACK_NAME, build_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    app, _ = build_app(outdir=str(outdir))
    app.synth()
    return {
        "template": json.loads((outdir / f"{STACK_NAME}.template.json").read_text()),
        "report": json.loads((outdir / "validation-report.json").read_text()),
        "outdir": outdir,
    }


@pytest.fixture(scope="session")
def template(synthesized) -> dict[str, Any]:
    return synthesized["template"]
