"""The lint context: the raw definition plus every state found in it, with its scope.

The walk never assumes types: a `States` that is a list, a state that is a number or a
branch that is a string are simply recorded as they are, so every rule still runs and
each reports what it can. Parallel branches and Map processors are scopes of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from workflow.lint.diagnostic import ROOT, Loc

JSONPATH = "JSONPath"
JSONATA = "JSONata"
QUERY_LANGUAGES = frozenset({JSONPATH, JSONATA})
STANDARD = "STANDARD"
EXPRESS = "EXPRESS"
STATE_MACHINE_TYPES = frozenset({STANDARD, EXPRESS})


@dataclass(frozen=True, eq=False)
class Scope:
    """A machine, a Parallel branch or a Map processor: a `StartAt` and its `States`."""

    node: Any
    loc: Loc
    kind: str  # "machine", "branch" or "processor"
    owner: StateInfo | None = None
    states: dict[str, StateInfo] = field(default_factory=dict)

    @property
    def start_at(self) -> Any:
        """The raw `StartAt` value (anything, or None when absent)."""
        return self.node.get("StartAt") if isinstance(self.node, dict) else None


@dataclass(frozen=True, eq=False)
class StateInfo:
    """One state as written: its name, raw node, location, scope and query language."""

    name: str
    node: Any
    loc: Loc
    scope: Scope
    query_language: str

    @property
    def type(self) -> Any:
        """The raw `Type` value, or None when the state is not an object or has none."""
        return self.node.get("Type") if isinstance(self.node, dict) else None

    def get(self, key: str, default: Any = None) -> Any:
        """Read a field of the state, tolerating a state that is not an object."""
        return self.node.get(key, default) if isinstance(self.node, dict) else default

    @property
    def is_jsonata(self) -> bool:
        """True when the state evaluates JSONata (its own or the machine's QueryLanguage)."""
        return self.query_language == JSONATA


@dataclass
class LintContext:
    """Everything a rule may read; built once per definition."""

    definition: Any
    source_text: str | None = None
    scopes: list[Scope] = field(default_factory=list)
    states: list[StateInfo] = field(default_factory=list)
    default_language: str = JSONPATH
    state_machine_type: str = STANDARD

    @classmethod
    def build(cls, definition: Any, source_text: str | None = None,
              state_machine_type: str = STANDARD) -> LintContext:
        """Walk the definition once and record every scope and state.

        `state_machine_type` is STANDARD or EXPRESS (any case): some rules depend on it,
        because AWS accepts a definition for one type and rejects it for the other.
        """
        machine_type = str(state_machine_type).upper()
        if machine_type not in STATE_MACHINE_TYPES:
            raise ValueError(f"state machine type must be STANDARD or EXPRESS, "
                             f"not {state_machine_type!r}")
        ctx = cls(definition, source_text, state_machine_type=machine_type)
        if isinstance(definition, dict) and _is_language(definition.get("QueryLanguage")):
            ctx.default_language = definition["QueryLanguage"]
        ctx._walk_scope(definition, ROOT, "machine", None)
        return ctx

    def _walk_scope(self, node: Any, loc: Loc, kind: str, owner: StateInfo | None) -> None:
        scope = Scope(node, loc, kind, owner)
        self.scopes.append(scope)
        states = node.get("States") if isinstance(node, dict) else None
        if not isinstance(states, dict):
            return
        for name, state in states.items():
            language = self.default_language
            if isinstance(state, dict) and _is_language(state.get("QueryLanguage")):
                language = state["QueryLanguage"]
            info = StateInfo(str(name), state, loc.child("States", name), scope, language)
            scope.states[info.name] = info
            self.states.append(info)
            for child, child_loc, child_kind in nested_scopes(info):
                self._walk_scope(child, child_loc, child_kind, info)

    def states_of_type(self, *types: str) -> Iterator[StateInfo]:
        """Yield the states whose `Type` is one of `types`."""
        return (s for s in self.states if s.type in types)


def _is_language(value: Any) -> bool:
    return isinstance(value, str) and value in QUERY_LANGUAGES


def nested_scopes(state: StateInfo) -> Iterator[tuple[Any, Loc, str]]:
    """Yield `(node, loc, kind)` for each branch or processor object inside a state."""
    if state.type == "Parallel":
        branches = state.get("Branches")
        if isinstance(branches, list):
            for i, branch in enumerate(branches):
                if isinstance(branch, dict):
                    yield branch, state.loc.child("Branches", i), "branch"
    elif state.type == "Map":
        for key in ("ItemProcessor", "Iterator"):
            processor = state.get(key)
            if isinstance(processor, dict):
                yield processor, state.loc.child(key), "processor"


def type_name(value: Any) -> str:
    """Name a JSON value's type the way messages say it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
