"""Retry and Catch rules: where States.ALL may stand and which error names exist.

Ranges and emptiness of retrier fields come from the field tables (ASL006, ASL017);
this module holds what tables cannot say. Source: developer guide "Handling errors in
Step Functions workflows" (concepts-error-handling): States.ALL must appear alone in its
ErrorEquals and in the last retrier or catcher.
"""

from __future__ import annotations

from collections.abc import Iterable

from workflow.lint.context import LintContext
from workflow.lint.diagnostic import ERROR, WARNING, Diagnostic
from workflow.lint.rule import rule

PREDEFINED_ERRORS = frozenset({
    "States.ALL", "States.HeartbeatTimeout", "States.Timeout", "States.TaskFailed",
    "States.Permissions", "States.ResultPathMatchFailure", "States.ParameterPathFailure",
    "States.QueryEvaluationError", "States.BranchFailed", "States.NoChoiceMatched",
    "States.IntrinsicFailure", "States.ExceedToleratedFailureThreshold",
    "States.ItemReaderFailed", "States.ResultWriterFailed", "States.Runtime",
    "States.DataLimitExceeded", "States.HttpInvoke", "States.ExecutionLimitExceeded",
})

STATES_ALL = rule("ASL020", "states-all-position", ERROR, "{problem}", """
    What it checks: "States.ALL" is the only name in its ErrorEquals, and the retrier or
    catcher holding it is the last of its list.
    Why it matters: AWS rejects the definition; a retrier after States.ALL could never
    match (the first matching retrier is the one used).
    Example: "Catch": [{"ErrorEquals": ["States.ALL"], ...}, {"ErrorEquals": ["X"], ...}].
""")
UNKNOWN_STATES_ERROR = rule("ASL021", "unknown-states-error", WARNING,
                            "{name!r} is not a predefined States.* error name", """
    What it checks: error names in the reserved "States." prefix are ones Step Functions
    defines (States.ALL, States.Timeout, States.TaskFailed, States.Runtime, ...).
    Why it matters: a misspelt name such as "States.Timeot" never matches, so the
    retrier or catcher silently does nothing.
    A "States." name that a Fail state of the same definition throws (as its Error) is
    not reported: it is the author's own error, not a typo. AWS deploys such names; the
    sample either-or-parallel-pattern (step-functions-workflows-collection) throws
    "States.RanOutOfTime" from a Parallel branch and catches it on the Parallel state.
    Example: "ErrorEquals": ["States.TimeOut"].
""")


def error_lists(ctx: LintContext):
    """Yield (state, field, index, ErrorEquals list) for every retrier and catcher."""
    for state in ctx.states_of_type("Task", "Parallel", "Map"):
        for key in ("Retry", "Catch"):
            items = state.get(key)
            if not isinstance(items, list):
                continue
            for i, item in enumerate(items):
                if isinstance(item, dict) and isinstance(item.get("ErrorEquals"), list):
                    yield state, key, i, items, item["ErrorEquals"]


@STATES_ALL.check
def _states_all(ctx: LintContext) -> Iterable[Diagnostic]:
    for state, key, i, items, names in error_lists(ctx):
        if "States.ALL" not in names:
            continue
        loc = state.loc.child(key, i, "ErrorEquals")
        if len(names) > 1:
            yield STATES_ALL.at(loc, problem="States.ALL must be alone in its ErrorEquals")
        if i != len(items) - 1:
            yield STATES_ALL.at(loc, problem=f"States.ALL must be in the last {key} entry")


def thrown_by_fail_states(ctx: LintContext) -> frozenset[str]:
    """The constant Error names of every Fail state, in any scope of the definition."""
    return frozenset(state.get("Error") for state in ctx.states_of_type("Fail")
                     if isinstance(state.get("Error"), str))


@UNKNOWN_STATES_ERROR.check
def _unknown_states_errors(ctx: LintContext) -> Iterable[Diagnostic]:
    known = PREDEFINED_ERRORS | thrown_by_fail_states(ctx)
    for state, key, i, _, names in error_lists(ctx):
        for j, name in enumerate(names):
            if isinstance(name, str) and name.startswith("States.") and name not in known:
                yield UNKNOWN_STATES_ERROR.at(state.loc.child(key, i, "ErrorEquals", j),
                                              name=name)
