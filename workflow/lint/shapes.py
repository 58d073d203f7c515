"""Find every object of the definition that has a field table, with the table to apply.

`shaped_objects(ctx)` is computed once per context and shared by the structure rules:
the machine, each branch and processor, each state of a known type, each retrier and
catcher, and the Map state's reader, batcher, writer and their configurations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workflow.lint import fields as F
from workflow.lint.context import LintContext, StateInfo
from workflow.lint.diagnostic import Loc


@dataclass(frozen=True)
class ShapedObject:
    """An object of the definition, the `Shape` it must follow and its query language."""

    node: dict[str, Any]
    loc: Loc
    shape: F.Shape
    state: StateInfo | None
    language: str | None  # None where query-language rules do not apply


@dataclass(frozen=True)
class NotAnObject:
    """A value that must be an object and is not (a state that is a number...)."""

    value: Any
    loc: Loc
    what: str


def shaped_objects(ctx: LintContext) -> tuple[list[ShapedObject], list[NotAnObject]]:
    """Return (objects with their shapes, values that should have been objects)."""
    cached = getattr(ctx, "_shaped", None)
    if cached is not None:
        return cached
    found: list[ShapedObject] = []
    wrong: list[NotAnObject] = []
    for scope in ctx.scopes:
        if not isinstance(scope.node, dict):
            wrong.append(NotAnObject(scope.node, scope.loc, "the state machine"))
            continue
        shape = {"machine": F.MACHINE, "branch": F.BRANCH}.get(scope.kind, F.PROCESSOR)
        if scope.kind == "processor" and scope.loc.parts[-1] == "Iterator":
            shape = F.BRANCH
        found.append(ShapedObject(scope.node, scope.loc, shape, scope.owner, None))
    for state in ctx.states:
        if not isinstance(state.node, dict):
            wrong.append(NotAnObject(state.node, state.loc, f"state {state.name!r}"))
            continue
        shape = F.STATE_SHAPES.get(state.type) if isinstance(state.type, str) else None
        if shape is None:
            continue
        found.append(ShapedObject(state.node, state.loc, shape, state, state.query_language))
        _nested(state, found, wrong)
    ctx._shaped = (found, wrong)  # type: ignore[attr-defined]
    return found, wrong


def _nested(state: StateInfo, found: list[ShapedObject], wrong: list[NotAnObject]) -> None:
    language = state.query_language
    if state.type in ("Task", "Parallel", "Map"):
        for key, shape in (("Retry", F.RETRIER), ("Catch", F.CATCHER)):
            items = state.get(key)
            if not isinstance(items, list):
                continue
            for i, item in enumerate(items):
                loc = state.loc.child(key, i)
                if isinstance(item, dict):
                    found.append(ShapedObject(item, loc, shape, state, language))
                else:
                    wrong.append(NotAnObject(item, loc, f"{shape.name.lower()} {key}[{i}]"))
    if state.type == "Parallel" and isinstance(state.get("Branches"), list):
        for i, branch in enumerate(state.get("Branches")):
            if not isinstance(branch, dict):
                wrong.append(NotAnObject(branch, state.loc.child("Branches", i), "a branch"))
    if state.type != "Map":
        return
    for key, shape, subs in F.MAP_OBJECTS:
        node = state.get(key)
        if not isinstance(node, dict) or key == "ItemProcessor":
            if key == "ItemProcessor" and isinstance(node, dict):
                _subs(node, state.loc.child(key), subs, state, language, found)
            continue
        found.append(ShapedObject(node, state.loc.child(key), shape, state, language))
        _subs(node, state.loc.child(key), subs, state, language, found)


def _subs(node: dict, loc: Loc, subs: tuple, state: StateInfo, language: str,
          found: list[ShapedObject]) -> None:
    for sub_key, sub_shape in subs:
        sub = node.get(sub_key)
        if isinstance(sub, dict):
            found.append(ShapedObject(sub, loc.child(sub_key), sub_shape, state, language))
