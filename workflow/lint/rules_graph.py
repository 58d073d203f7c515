"""Graph rules: transition targets, reachability, terminal states, unique names, Default.

Each scope (the machine, a Parallel branch, a Map processor) is its own graph: a `Next`
may only name a state of the same scope. AWS reports both a missing target and an
unreachable state as MISSING_TRANSITION_TARGET at CreateStateMachine (cfn-lint issues
#4073/#4074 and localstack issue #11978 quote the AWS messages), and a scope without any
terminal state as MISSING_END_STATE.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from workflow.lint.context import LintContext, Scope, StateInfo
from workflow.lint.diagnostic import ERROR, WARNING, Diagnostic, Loc
from workflow.lint.rule import rule

UNKNOWN_TARGET = rule("ASL003", "unknown-transition-target", ERROR,
                      "{field} {target!r} is not a state of this scope{where}", """
    What it checks: StartAt, Next, Default, Choices[].Next and Catch[].Next each name a
    state of their own scope. Parallel branches and Map processors are separate scopes:
    a branch cannot jump out to the machine, nor into another branch.
    Why it matters: AWS rejects it (MISSING_TRANSITION_TARGET).
    Example: {"A": {"Type": "Pass", "Next": "B"}} with no state B.
""")
NO_TERMINAL = rule("ASL011", "no-terminal-state", ERROR,
                   "no terminal state (End, Succeed or Fail) can be reached in this scope", """
    What it checks: each scope has a terminal state (End: true, Succeed or Fail) that
    can be reached from its StartAt.
    Why it matters: AWS rejects a scope without terminal state (MISSING_END_STATE); a
    loop that can never reach its end would run until the execution times out.
    Example: A -> B -> A.
""")
UNREACHABLE = rule("ASL012", "unreachable-state", ERROR,
                   "state {name!r} cannot be reached from {start}", """
    What it checks: every state can be reached from its scope's StartAt through Next,
    Default, Choices and Catch.
    Why it matters: AWS rejects the definition ("State X is not reachable",
    MISSING_TRANSITION_TARGET), so this is an error, not a warning.
    Example: StartAt A, A ends, and a second state B that nothing points to.
""")
DUPLICATE_NAME = rule("ASL013", "duplicate-state-name", ERROR,
                      "state name {name!r} is also used at {other}", """
    What it checks: state names are unique in the whole machine, across Parallel
    branches and Map processors.
    Why it matters: the ASL specification requires it and AWS rejects duplicates.
    Example: two Parallel branches that both have a state named "Done".
""")
NO_DEFAULT = rule("ASL014", "choice-without-default", WARNING,
                  "Choice state has no Default; unmatched input fails with States.NoChoiceMatched",
                  """
    What it checks: every Choice state has a Default.
    Why it matters: legal, but when no rule matches, the execution fails with
    States.NoChoiceMatched, which is rarely what was meant.
    Example: {"Type": "Choice", "Choices": [...]} without "Default".
""")


def transitions(state: StateInfo) -> Iterator[tuple[Loc, str, object]]:
    """Yield (location, field name, raw target) for every transition out of a state."""
    if not isinstance(state.node, dict):
        return
    if "Next" in state.node:
        yield state.loc.child("Next"), "Next", state.node["Next"]
    if "Default" in state.node and state.type == "Choice":
        yield state.loc.child("Default"), "Default", state.node["Default"]
    for key in ("Choices", "Catch"):
        items = state.node.get(key)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict) and "Next" in item:
                    yield state.loc.child(key, i, "Next"), "Next", item["Next"]


def is_terminal(state: StateInfo) -> bool:
    """True for Succeed, Fail and states with End: true."""
    return state.type in ("Succeed", "Fail") or state.get("End") is True


def reachable(scope: Scope) -> set[str] | None:
    """Names reachable from StartAt, or None when StartAt names no state."""
    start = scope.start_at
    if not isinstance(start, str) or start not in scope.states:
        return None
    seen, todo = {start}, [start]
    while todo:
        for _, _, target in transitions(scope.states[todo.pop()]):
            if isinstance(target, str) and target in scope.states and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _scope_of(ctx: LintContext, name: str) -> Scope | None:
    return next((s for s in ctx.scopes if name in s.states), None)


@UNKNOWN_TARGET.check
def _unknown_targets(ctx: LintContext) -> Iterable[Diagnostic]:
    for scope in ctx.scopes:
        if not isinstance(scope.node, dict) or not isinstance(scope.node.get("States"), dict):
            continue
        start = scope.start_at
        if isinstance(start, str) and start not in scope.states:
            yield UNKNOWN_TARGET.at(scope.loc.child("StartAt"), field="StartAt", target=start,
                                    where=_where(ctx, start))
    for state in ctx.states:
        for loc, field, target in transitions(state):
            if isinstance(target, str) and target not in state.scope.states:
                yield UNKNOWN_TARGET.at(loc, field=field, target=target,
                                        where=_where(ctx, target))


def _where(ctx: LintContext, name: str) -> str:
    other = _scope_of(ctx, name)
    return f" (it is defined in another scope, at {other.loc.child('States', name)})" \
        if other else ""


@UNREACHABLE.check
def _unreachable(ctx: LintContext) -> Iterable[Diagnostic]:
    for scope in ctx.scopes:
        if not scope.states:
            continue
        seen = reachable(scope) or set()
        start = f"StartAt {scope.start_at!r}" if isinstance(scope.start_at, str) else "StartAt"
        for name, state in scope.states.items():
            if name not in seen:
                yield UNREACHABLE.at(state.loc, name=name, start=start)


@NO_TERMINAL.check
def _no_terminal(ctx: LintContext) -> Iterable[Diagnostic]:
    for scope in ctx.scopes:
        if not isinstance(scope.node, dict) or "States" not in scope.node:
            continue
        seen = reachable(scope)
        names = seen if seen is not None else set(scope.states)
        if not any(is_terminal(scope.states[n]) for n in names):
            yield NO_TERMINAL.at(scope.loc.child("States"))


@DUPLICATE_NAME.check
def _duplicates(ctx: LintContext) -> Iterable[Diagnostic]:
    first: dict[str, StateInfo] = {}
    for state in ctx.states:
        if state.name in first:
            yield DUPLICATE_NAME.at(state.loc, name=state.name, other=first[state.name].loc)
        else:
            first[state.name] = state


@NO_DEFAULT.check
def _no_default(ctx: LintContext) -> Iterable[Diagnostic]:
    for state in ctx.states_of_type("Choice"):
        if "Default" not in state.node:
            yield NO_DEFAULT.at(state.loc)
