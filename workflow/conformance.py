"""Check the emulator against executions AWS recorded (the `aws-recorded` corpus).

For every JSONPath case in a `cases.jsonl`, the definition runs in the emulator with the
names the corpus was normalised with; the result is normalised the way LocalStack's snapshot
tool rewrote AWS's answers (README "Normalisation"), and compared on three things: the
status, the output (or error and cause), and the `[type, stateName]` event sequence. Cases
that need JSONata are reported as skipped. `invalid-definitions.jsonl` is checked too: every
rejected definition must be rejected here, and the accepted controls accepted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.emulator.errors import DefinitionError, UnsupportedFeature
from workflow.emulator.execution import Execution
from workflow.errors import InputError

RESULT_TARGET = 0.97
EVENTS_TARGET = 0.90
REGION = "us-east-1"
RUN_NAMES = {
    "state_machine_name": "<ArnPart_0idx>",
    "execution_name": "<ExecArnPart_0idx>",
    "role_arn": "snf_role_arn",
    "account_id": "111111111111",
    "region": REGION,
}

# The snapshot tool's ISO-8601 pattern, copied from the corpus README.
ISO_8601 = re.compile(
    r"(?:[1-9]\d{3}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
    r"|(?:0[13578]|1[02])-31)|(?:[1-9]\d(?:0[48]|[2468][048]|[13579][26])"
    r"|(?:[2468][048]|[13579][26])00)-02-29)T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?"
    r"(?:Z|[+-][01]\d:?([0-5]\d)?)"
)
# Tokens in expected values that stand for a value we cannot reproduce (README, step 4).
# `<name:N>` tokens must stand for the same value wherever the same N appears.
_BOUND_TOKEN = re.compile(r"<(uuid|json-input):(\d+)>")
_FREE_TOKENS = (
    "<ExpressExecArn_Part1_0idx>", "<ExpressExecArn_Part2_0idx>",
    "<SyncExecArn_Part1_0idx>", "<SyncExecArn_Part2_0idx>",
    "<MapRunArnPart0_0idx>", "<MapRunArnPart1_0idx>",
    "<timestamp>", "start-time", "entered-time", "RandomNumberGenerated", "map_run_arn",
    "generated-uuid",
)
_WILDCARD = re.compile(
    "|".join([_BOUND_TOKEN.pattern] + [re.escape(t) for t in _FREE_TOKENS])
)

Runner = Callable[[dict], Execution]


# ---------------------------------------------------------------------------- normalising

def normalise(value: Any, region: str = REGION, key: str | None = None) -> Any:
    """Rewrite an emulator value the way the corpus rewrote AWS's (README steps 2-3)."""
    if isinstance(value, dict):
        return {k: normalise(v, region, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, region) for v in value]
    if key is not None and "timestamp" in key.lower() and not (
        isinstance(value, str) and ISO_8601.search(value)
    ):
        return "timestamp"
    if isinstance(value, str):
        return normalise_text(value, region)
    return value


def normalise_text(text: str, region: str = REGION) -> str:
    """Rewrite one string: partition, region and ISO-8601 date-times."""
    text = text.replace("arn:aws:", "arn:<partition>:")
    if region:
        text = text.replace(region, "<region>")
    return ISO_8601.sub("date", text)


def matches(expected: Any, actual: Any, bindings: dict[str, str] | None = None) -> bool:
    """Compare an expected corpus value with a normalised actual one, honouring wildcards."""
    bindings = {} if bindings is None else bindings
    if isinstance(expected, str) and "sfn_role_arn" in expected:
        # Both spellings stand for the role ARN (README table); we run with `snf_role_arn`.
        expected = expected.replace("sfn_role_arn", "snf_role_arn")
    if isinstance(expected, str) and _WILDCARD.search(expected):
        if _WILDCARD.fullmatch(expected) and not _BOUND_TOKEN.fullmatch(expected):
            return True  # a whole value replaced by a test: any value stands
        if not isinstance(actual, str):
            return _BOUND_TOKEN.fullmatch(expected) is not None and _bind(
                expected, json.dumps(actual), bindings)
        return _match_text(expected, actual, bindings)
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and expected.keys() == actual.keys()
                and all(matches(v, actual[k], bindings) for k, v in expected.items()))
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(expected) == len(actual)
                and all(matches(e, a, bindings) for e, a in zip(expected, actual, strict=True)))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    return expected == actual


def _bind(token: str, value: str, bindings: dict[str, str]) -> bool:
    return bindings.setdefault(token, value) == value


def _match_text(expected: str, actual: str, bindings: dict[str, str]) -> bool:
    pattern, tokens, pos = [], [], 0
    for m in _WILDCARD.finditer(expected):
        pattern.append(re.escape(expected[pos:m.start()]))
        pattern.append("(.*?)")
        tokens.append(m.group(0))
        pos = m.end()
    pattern.append(re.escape(expected[pos:]))
    found = re.fullmatch("".join(pattern), actual, re.DOTALL)
    if not found:
        return False
    return all(
        _bind(token, value, bindings)
        for token, value in zip(tokens, found.groups(), strict=True)
        if _BOUND_TOKEN.fullmatch(token)
    )


_NAMED_DETAILS = (
    "stateEnteredEventDetails", "stateExitedEventDetails", "mapIterationStartedEventDetails",
    "mapIterationSucceededEventDetails", "mapIterationFailedEventDetails",
    "mapIterationAbortedEventDetails",
)


def event_sequence(events: Iterable[dict]) -> list[list[Any]]:
    """Reduce history events to `[type, stateName]` as the corpus does (README)."""
    out = []
    for event in events:
        name = None
        for key in _NAMED_DETAILS:
            if key in event:
                name = event[key].get("name")
                break
        else:
            if "evaluationFailedEventDetails" in event:
                name = event["evaluationFailedEventDetails"].get("state")
        out.append([event.get("type"), name])
    return out


# ------------------------------------------------------------------------------- judging

@dataclass(frozen=True)
class CaseResult:
    """How one recorded case compares: None for `events_ok` when AWS recorded no events."""

    id: str
    features: tuple[str, ...]
    status_ok: bool
    result_ok: bool
    events_ok: bool | None
    detail: str = ""


def needs_jsonata(case: dict) -> bool:
    """Tell whether a case needs JSONata anywhere (top level or in a single state)."""
    return case.get("query_language") == "JSONata" or "jsonata" in case.get("features", ())


def _run_with_emulator(case: dict) -> Execution:
    from workflow.emulator import run

    return run(case["definition"], case.get("input"),
               state_machine_type=case.get("type", "STANDARD"), **RUN_NAMES,
               start_mode="sync" if case["id"].startswith("express/test_express_sync")
               else "async")


def judge_case(case: dict, runner: Runner | None = None) -> CaseResult:
    """Run one case and compare it with what AWS recorded."""
    runner = runner or _run_with_emulator
    expected = case["expected"]
    features = tuple(case.get("features", ()))
    try:
        execution = runner(case)
    except UnsupportedFeature as exc:
        return CaseResult(case["id"], features, False, False, _no_events(expected),
                          f"unsupported: {exc}")
    except DefinitionError as exc:
        return CaseResult(case["id"], features, False, False, _no_events(expected),
                          f"definition rejected: {exc}")
    except Exception as exc:  # a crash is a finding, not a reason to stop the report
        return CaseResult(case["id"], features, False, False, _no_events(expected),
                          f"crash: {type(exc).__name__}: {exc}")
    return compare_execution(case, execution)


def _no_events(expected: dict) -> bool | None:
    return None if expected.get("events") is None else False


def compare_execution(case: dict, execution: Execution) -> CaseResult:
    """Compare an `Execution` with a case's expected status, result and events."""
    expected = case["expected"]
    notes = []
    status_ok = execution.status == expected["status"]
    if not status_ok:
        notes.append(f"status {execution.status} != {expected['status']}"
                     + (f" ({execution.error}: {execution.cause})" if execution.error else ""))
    bindings: dict[str, str] = {}
    if expected["status"] == "SUCCEEDED":
        actual = normalise(execution.output)
        result_ok = status_ok and matches(expected.get("output"), actual, bindings)
        if status_ok and not result_ok:
            notes.append(f"output {_short(actual)} != {_short(expected.get('output'))}")
    else:
        error = normalise_text(execution.error) if execution.error is not None else None
        cause = normalise_text(execution.cause) if execution.cause is not None else None
        error_ok = matches(expected.get("error"), error, bindings)
        cause_ok = matches(expected.get("cause"), cause, bindings)
        result_ok = status_ok and error_ok and cause_ok
        if status_ok and not error_ok:
            notes.append(f"error {error!r} != {expected.get('error')!r}")
        if status_ok and not cause_ok:
            notes.append(f"cause {_short(cause)} != {_short(expected.get('cause'))}")
    events_ok = None
    if expected.get("events") is not None:
        actual_events = event_sequence(execution.events)
        events_ok = actual_events == expected["events"]
        if not events_ok:
            notes.append(_event_difference(expected["events"], actual_events))
    return CaseResult(case["id"], tuple(case.get("features", ())), status_ok, result_ok,
                      events_ok, "; ".join(notes))


def _short(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "..."


def _event_difference(expected: list, actual: list) -> str:
    for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
        if e != a:
            return f"events differ at #{i + 1}: {a} != {e}"
    return f"events: {len(actual)} events != {len(expected)} recorded"


# ----------------------------------------------------------------------- invalid definitions

@dataclass(frozen=True)
class DefinitionCheck:
    """Whether one invalid-definitions line was judged as AWS judged it."""

    id: str
    should_reject: bool
    rejected: bool
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.should_reject == self.rejected


def _lint_errors(definition: Any, state_machine_type: str = "STANDARD") -> list[Any]:
    try:
        from workflow.lint import lint_definition  # written by another helper; optional here
    except ImportError:
        return []
    if not isinstance(definition, dict):
        return []
    try:
        # The type matters: EXPRESS rejects .sync and .waitForTaskToken (ASL051).
        diagnostics = lint_definition(definition, state_machine_type=state_machine_type)
    except Exception:
        return []
    return [d for d in diagnostics if str(getattr(d, "severity", "")).lower() == "error"]


def check_definition(line: dict, runner: Callable[[Any, str], Any] | None = None
                     ) -> DefinitionCheck:
    """Judge one `invalid-definitions.jsonl` line: rejected by run() or by the linter."""
    expected = line["expected_error"]
    should_reject = expected.get("result", "FAIL") != "OK"
    definition = line["definition"]
    kind = line.get("type", "STANDARD")
    if runner is None:
        from workflow.emulator import run

        def runner(d: Any, k: str) -> Any:
            return run(d, {}, state_machine_type=k, **RUN_NAMES)

    detail = ""
    rejected = False
    try:
        runner(definition, kind)
    except UnsupportedFeature as exc:
        detail = f"unsupported: {exc}"
    except DefinitionError as exc:
        rejected, detail = True, f"run(): {exc}"
    except Exception as exc:
        detail = f"crash: {type(exc).__name__}: {exc}"
    if not rejected:
        errors = _lint_errors(definition, kind)
        if errors:
            rejected, detail = True, f"lint: {getattr(errors[0], 'code', errors[0])}"
    return DefinitionCheck(line["id"], should_reject, rejected, detail)


# --------------------------------------------------------------------------------- report

@dataclass
class Tally:
    """Counts for one group of cases (one feature tag, or all)."""

    cases: int = 0
    status: int = 0
    result: int = 0
    with_events: int = 0
    events: int = 0

    def add(self, r: CaseResult) -> None:
        self.cases += 1
        self.status += r.status_ok
        self.result += r.result_ok
        if r.events_ok is not None:
            self.with_events += 1
            self.events += r.events_ok

    @property
    def result_rate(self) -> float:
        return self.result / self.cases if self.cases else 1.0

    @property
    def events_rate(self) -> float:
        return self.events / self.with_events if self.with_events else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"cases": self.cases, "status": self.status, "result": self.result,
                "with_events": self.with_events, "events": self.events}


@dataclass
class Report:
    """Everything `metapipe conformance` prints."""

    results: list[CaseResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    definitions: list[DefinitionCheck] = field(default_factory=list)

    @property
    def overall(self) -> Tally:
        tally = Tally()
        for r in self.results:
            tally.add(r)
        return tally

    def by_feature(self) -> dict[str, Tally]:
        tallies: dict[str, Tally] = {}
        for r in self.results:
            for tag in r.features:
                tallies.setdefault(tag, Tally()).add(r)
        return dict(sorted(tallies.items()))

    @property
    def meets_targets(self) -> bool:
        overall = self.overall
        return (overall.result_rate >= RESULT_TARGET and overall.events_rate >= EVENTS_TARGET)

    def mismatches(self) -> list[CaseResult]:
        return [r for r in self.results if not r.result_ok or r.events_ok is False]

    def as_dict(self) -> dict[str, Any]:
        overall = self.overall
        return {
            "overall": overall.as_dict() | {
                "result_rate": round(overall.result_rate, 4),
                "events_rate": round(overall.events_rate, 4),
                "targets": {"result": RESULT_TARGET, "events": EVENTS_TARGET},
                "meets_targets": self.meets_targets,
            },
            "skipped_jsonata": len(self.skipped),
            "features": {k: v.as_dict() for k, v in self.by_feature().items()},
            "mismatches": [
                {"id": r.id, "status": r.status_ok, "result": r.result_ok,
                 "events": r.events_ok, "detail": r.detail} for r in self.mismatches()
            ],
            "invalid_definitions": {
                "checked": len(self.definitions),
                "ok": sum(d.ok for d in self.definitions),
                "wrong": [{"id": d.id, "should_reject": d.should_reject, "detail": d.detail}
                          for d in self.definitions if not d.ok],
            },
        }


def load_jsonl(path: Path) -> list[dict]:
    """Read a JSON-lines corpus file; a bad line is an `InputError` naming it."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), "$", f"cannot read: {exc.strerror or exc}") from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise InputError(f"{path}:{number}", "$", f"invalid JSON: {exc}") from None
        if not isinstance(row, dict) or "id" not in row:
            raise InputError(f"{path}:{number}", "$.id", "each line must be an object with an id")
        rows.append(row)
    return rows


def run_corpus(cases: Iterable[dict], definitions: Iterable[dict] = (), *,
               only: str | None = None, runner: Runner | None = None) -> Report:
    """Judge every case (and invalid-definition line) whose id contains `only`."""
    report = Report()
    for case in cases:
        if only and only not in case["id"]:
            continue
        for key in ("definition", "expected"):
            if key not in case:
                raise InputError(case["id"], f"$.{key}", "missing")
        if needs_jsonata(case):
            report.skipped.append(case["id"])
            continue
        report.results.append(judge_case(case, runner))
    for line in definitions:
        if only and only not in line["id"]:
            continue
        report.definitions.append(check_definition(line))
    return report
