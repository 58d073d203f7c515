"""The mock test cases in `mocks/cases.json`: loading, running, and checking them.

`mocks/cases.json` is the one place expectations live; both backends (our emulator and,
where Docker exists, Step Functions Local) run the same cases and are judged by the same
`check_case`. Every case runs with fixed identities so values are deterministic:
execution name = case name, account 123456789012, region us-east-1, a clock that starts at
2026-01-01T00:00:00Z and only moves when a retry backs off or a Wait waits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workflow.emulator.execution import Execution
from workflow.errors import InputError
from workflow.jsonio import load_json
from workflow.substitutions import DEFAULT_PLACEHOLDERS

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
START_TIME = datetime(2026, 1, 1, tzinfo=UTC)

_CASE_KEYS = frozenset({"name", "stateMachine", "definition", "input", "expect", "description"})
_EXPECT_KEYS = frozenset({"status", "error", "cause", "statesEntered", "output", "calls"})
_TOP_KEYS = frozenset({"cases", "mockConfig", "substitutions", "description"})
_STATUSES = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})


@dataclass(frozen=True)
class Case:
    """One test case: which machine, which input, what must happen."""

    name: str
    state_machine: str
    definition_file: Path
    input_file: Path
    expect: Mapping[str, Any]
    description: str = ""


@dataclass(frozen=True)
class Suite:
    """Everything `mocks/cases.json` names, resolved to paths beside it."""

    source: Path
    mock_config_file: Path
    cases: tuple[Case, ...]
    substitutions: Mapping[str, str] = field(default_factory=dict)

    def case(self, name: str) -> Case:
        for case in self.cases:
            if case.name == name:
                return case
        raise InputError(str(self.source), "$.cases", f"no case named {name!r}")


@dataclass(frozen=True)
class CaseResult:
    """A case, what the backend returned, and every way it differs from the expectation."""

    case: Case
    execution: Execution | None
    mismatches: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.mismatches


def load_suite(cases_path: str | Path, mock_config: str | Path | None = None) -> Suite:
    """Read and check `cases.json` strictly; paths in it are relative to its folder."""
    cases_path = Path(cases_path)
    source = str(cases_path)
    doc = load_json(cases_path)
    if not isinstance(doc, dict):
        raise InputError(source, "$", "expected an object with a 'cases' list")
    for key in doc:
        if key not in _TOP_KEYS:
            raise InputError(source, [key], f"unknown field (allowed: {', '.join(sorted(_TOP_KEYS))})")
    base = cases_path.parent
    subs = doc.get("substitutions", DEFAULT_PLACEHOLDERS)
    if not isinstance(subs, dict) or not all(isinstance(v, str) for v in subs.values()):
        raise InputError(source, ["substitutions"], "expected an object of strings")
    raw_cases = doc.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise InputError(source, ["cases"], "expected a non-empty list of cases")
    cases: list[Case] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_cases):
        case = _parse_case(raw, source, base, i)
        if case.name in seen:
            raise InputError(source, ["cases", i, "name"], f"duplicate case name {case.name!r}")
        seen.add(case.name)
        cases.append(case)
    if mock_config is None:
        mock_config = base / doc.get("mockConfig", "MockConfigFile.json")
    return Suite(source=cases_path, mock_config_file=Path(mock_config), cases=tuple(cases),
                 substitutions=dict(subs))


def _parse_case(raw: Any, source: str, base: Path, i: int) -> Case:
    at = ["cases", i]
    if not isinstance(raw, dict):
        raise InputError(source, at, "expected an object")
    for key in raw:
        if key not in _CASE_KEYS:
            raise InputError(source, [*at, key], f"unknown field (allowed: {', '.join(sorted(_CASE_KEYS))})")
    for key in ("name", "stateMachine", "definition", "input"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise InputError(source, [*at, key], "required, a non-empty string")
    expect = raw.get("expect")
    if not isinstance(expect, dict):
        raise InputError(source, [*at, "expect"], "required, an object")
    for key in expect:
        if key not in _EXPECT_KEYS:
            raise InputError(source, [*at, "expect", key], f"unknown expectation (allowed: {', '.join(sorted(_EXPECT_KEYS))})")
    if expect.get("status") not in _STATUSES:
        raise InputError(source, [*at, "expect", "status"], f"required, one of {', '.join(sorted(_STATUSES))}")
    states = expect.get("statesEntered")
    if states is not None and not (isinstance(states, list) and all(isinstance(s, str) for s in states)):
        raise InputError(source, [*at, "expect", "statesEntered"], "expected a list of state names")
    calls = expect.get("calls")
    if calls is not None:
        if not isinstance(calls, list):
            raise InputError(source, [*at, "expect", "calls"], "expected a list")
        for j, call in enumerate(calls):
            if not isinstance(call, dict) or not isinstance(call.get("state"), str):
                raise InputError(source, [*at, "expect", "calls", j], "expected {\"state\": ..., \"arguments\": ...}")
            extra = set(call) - {"state", "arguments"}
            if extra:
                raise InputError(source, [*at, "expect", "calls", j, sorted(extra)[0]], "unknown field")
    return Case(
        name=raw["name"],
        state_machine=raw["stateMachine"],
        definition_file=base / raw["definition"],
        input_file=base / raw["input"],
        expect=expect,
        description=raw.get("description", ""),
    )


# An ISO-8601 instant as Step Functions writes them (`$$.State.EnteredTime`, event times).
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def subset_mismatches(expected: Any, actual: Any, where: str, *, clock_exact: bool = True) -> list[str]:
    """How `actual` fails to contain `expected`: objects by subset, the rest exactly.

    With `clock_exact=False` (a backend whose clock we do not control, such as Step
    Functions Local, which stamps wall-clock time), an expected ISO-8601 instant matches
    any ISO-8601 instant: the value's presence and form are still checked.
    """
    if not clock_exact and isinstance(expected, str) and _INSTANT.match(expected):
        if isinstance(actual, str) and _INSTANT.match(actual):
            return []
        return [f"{where}: expected a timestamp, got {_short(actual)}"]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {_short(actual)}"]
        out: list[str] = []
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{where}.{key}: missing")
            else:
                out.extend(subset_mismatches(value, actual[key], f"{where}.{key}",
                                             clock_exact=clock_exact))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {_short(expected)}, got {_short(actual)}"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            out.extend(subset_mismatches(e, a, f"{where}[{i}]", clock_exact=clock_exact))
        return out
    # JSON has one number type: 1 == 1.0, but True is not 1.
    if type(expected) is bool or type(actual) is bool:
        same = expected is actual
    else:
        same = expected == actual
    return [] if same else [f"{where}: expected {_short(expected)}, got {_short(actual)}"]


def check_case(case: Case, execution: Execution, *, clock_exact: bool = True) -> list[str]:
    """Every way `execution` differs from what `case` expects (empty when it passes).

    `clock_exact` says whether the backend ran on the suite's fixed clock (see
    `subset_mismatches`); the local backend does, Step Functions Local does not.
    """
    expect = case.expect
    out: list[str] = []
    if execution.status != expect["status"]:
        out.append(f"status: expected {expect['status']}, got {execution.status}")
    for key, actual in (("error", execution.error), ("cause", execution.cause)):
        if key in expect and expect[key] != actual:
            out.append(f"{key}: expected {_short(expect[key])}, got {_short(actual)}")
    if "statesEntered" in expect and list(expect["statesEntered"]) != execution.states_entered:
        out.append(f"statesEntered: expected {expect['statesEntered']}, got {execution.states_entered}")
    if "output" in expect:
        out.extend(subset_mismatches(expect["output"], execution.output, "output",
                                     clock_exact=clock_exact))
    if "calls" in expect:
        made = [c.state for c in execution.calls]
        wanted = [c["state"] for c in expect["calls"]]
        if made != wanted:
            out.append(f"calls: expected {wanted}, got {made}")
        else:
            for i, (want, call) in enumerate(zip(expect["calls"], execution.calls, strict=True)):
                if "arguments" in want:
                    out.extend(subset_mismatches(want["arguments"], call.arguments,
                                                 f"calls[{i}]({call.state}).arguments",
                                                 clock_exact=clock_exact))
    return out


Runner = Callable[[Case], Execution]


def run_suite(suite: Suite, runner: Runner, *, only: set[str] | None = None,
              on_result: Callable[[CaseResult], None] | None = None) -> list[CaseResult]:
    """Run every case (or those named in `only`) through `runner` and check each."""
    results = []
    for case in suite.cases:
        if only and case.name not in only:
            continue
        execution = runner(case)
        clock_exact = getattr(runner, "clock_exact", True)
        result = CaseResult(case, execution, tuple(check_case(case, execution,
                                                              clock_exact=clock_exact)))
        results.append(result)
        if on_result:
            on_result(result)
    return results


def _short(value: Any, limit: int = 160) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."
