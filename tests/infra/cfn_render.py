"""Helpers for reading a synthesized template: a renderer for intrinsics and lookups.

Named uniquely (not conftest) so test modules in other folders cannot shadow it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
if str(INFRA) not in sys.path:
    sys.path.insert(0, str(INFRA))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def render(value: Any) -> Any:
    """Turn CloudFormation intrinsics into readable strings: `{Ref}`, `{Id.Attr}`, joins.

    `{"Ref": "AWS::Region"}` becomes `{AWS.Region}` and `{"Fn::GetAtt": ["Fn", "Arn"]}`
    becomes `{Fn.Arn}`; joins are concatenated. Values rendered the same way can then be
    compared as plain strings, independently of how CDK chose to express them.
    """
    if isinstance(value, list):
        return [render(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, arg), = value.items()
        if key == "Ref":  # pseudo parameters lose their "::" so ARNs still split on ":"
            return f"{{{arg.replace('::', '.')}}}"
        if key == "Fn::GetAtt":
            return f"{{{arg[0]}.{arg[1]}}}"
        if key == "Fn::Join":
            return arg[0].join(str(render(v)) for v in arg[1])
        if key == "Fn::Split":
            return str(render(arg[1])).split(arg[0])
        if key == "Fn::Select":
            return render(arg[1])[int(arg[0])]
        if key.startswith("Fn::"):
            raise AssertionError(f"renderer does not know {key}")
    return {k: render(v) for k, v in value.items()}


def resources_of(template: dict, kind: str) -> dict[str, dict]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def one(template: dict, kind: str, **props: Any) -> tuple[str, dict]:
    """The single resource of `kind` whose properties include `props`."""
    found = [(k, r) for k, r in resources_of(template, kind).items()
             if all(r["Properties"].get(p) == v for p, v in props.items())]
    assert len(found) == 1, f"expected one {kind} with {props}, found {[k for k, _ in found]}"
    return found[0]
