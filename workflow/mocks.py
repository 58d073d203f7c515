"""Step Functions Local's mock configuration file, parsed strictly, as a task answerer.

Format (AWS docs, sfn-local-mock-cfg-file): `StateMachines.<machine>.TestCases.<case>` maps
Task state names to response names; `MockedResponses.<response>` maps invocation numbers
(`"0"`, or an inclusive range `"1-2"`) to exactly one of `Return` (any JSON) or
`Throw {Error, Cause}`. Every problem is an `InputError` naming the file and JSON path.

Numbering (AWS docs, sfn-local-test-sm-exec, and Step Functions Local 2.0.0 as reported in
floci-io/floci#3254 and localstack/localstack#13693): one counter per state per execution;
every invocation takes the next number, retries, loop passes and Map iterations included.
A number with no response fails the execution (`Emulator.MockResponseMissing`, which no
catcher sees): Step Functions Local's exact error for this is not documented.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.emulator.answerers import UNANSWERED
from workflow.emulator.errors import StatesError
from workflow.emulator.execution import Call
from workflow.errors import InputError
from workflow.jsonio import load_json

MOCK_RESPONSE_MISSING = "Emulator.MockResponseMissing"
_TOP_KEYS = frozenset({"StateMachines", "MockedResponses"})
_RANGE = re.compile(r"^(0|[1-9][0-9]*)(?:-(0|[1-9][0-9]*))?$")


@dataclass(frozen=True, slots=True)
class MockResponse:
    """One invocation's answer: a `Return` value, or a `Throw` error and cause."""

    returns: Any = None
    error: str | None = None
    cause: str | None = None

    @property
    def throws(self) -> bool:
        """Whether this response fails the task."""
        return self.error is not None


@dataclass(frozen=True)
class MockConfig:
    """A parsed mock file: test cases per state machine, and responses by invocation."""

    source: str
    test_cases: Mapping[str, Mapping[str, Mapping[str, str]]]
    responses: Mapping[str, tuple[MockResponse, ...]]

    @classmethod
    def load(cls, path: str | Path) -> MockConfig:
        """Read and parse a mock file (`InputError` for any problem, naming the path)."""
        return cls.parse(load_json(path), source=str(path))

    @classmethod
    def parse(cls, obj: Any, source: str = "<mock config>") -> MockConfig:
        """Parse an already-loaded mock configuration object."""
        _object(obj, source, [])
        for key in obj:
            if key not in _TOP_KEYS:
                raise InputError(source, [key], "unknown key (expected StateMachines, "
                                 "MockedResponses)")
        responses = _parse_responses(obj.get("MockedResponses", {}), source)
        test_cases = _parse_machines(obj.get("StateMachines", {}), source, responses)
        return cls(source, test_cases, responses)

    def answerer(self, state_machine_name: str, test_case: str) -> MockAnswerer:
        """A fresh task answerer (its own counters) for one execution of one test case."""
        machine = self.test_cases.get(state_machine_name)
        if machine is None:
            known = ", ".join(sorted(self.test_cases)) or "none"
            raise InputError(self.source, ["StateMachines"],
                             f"no state machine named {state_machine_name!r} (known: {known})")
        case = machine.get(test_case)
        if case is None:
            known = ", ".join(sorted(machine)) or "none"
            raise InputError(self.source, ["StateMachines", state_machine_name, "TestCases"],
                             f"no test case named {test_case!r} (known: {known})")
        return MockAnswerer(case, self.responses)

    def check_states(self, state_machine_name: str, test_case: str, definition: Any) -> None:
        """Refuse a test case that mocks a state the definition has no Task (or Map with an
        ItemReader) of that name for.

        Step Functions Local would silently send such a state's calls to the real service
        (its documented "HybridPath"), so a misspelt state name in a mock file goes unseen;
        we are stricter on purpose and name the entry. Tasks nested in Parallel branches and
        Map processors count (they are mocked by their own names).
        """
        case = self.test_cases.get(state_machine_name, {}).get(test_case, {})
        tasks = set(_task_names(definition))
        for state in case:
            if state not in tasks:
                known = ", ".join(sorted(tasks)) or "none"
                raise InputError(
                    self.source, ["StateMachines", state_machine_name, "TestCases", test_case, state],
                    f"the definition of {state_machine_name} has no Task state (or Map with an "
                    f"ItemReader) named {state!r} (it has: {known})")


class MockAnswerer:
    """Answers the Task states its test case names; passes on every other state."""

    def __init__(self, case: Mapping[str, str], responses: Mapping[str, tuple]):
        self.case = case
        self.responses = responses
        self.invocations: dict[str, int] = {}

    def __call__(self, call: Call) -> Any:
        name = self.case.get(call.state)
        if name is None:
            return UNANSWERED
        number = self.invocations.get(call.state, 0)
        self.invocations[call.state] = number + 1
        answers = self.responses[name]
        if number >= len(answers):
            raise StatesError(MOCK_RESPONSE_MISSING,
                              f"Mocked response {name!r} has no invocation number {number} "
                              f"for state {call.state!r} (it defines 0-{len(answers) - 1}).")
        answer = answers[number]
        if answer.throws:
            raise StatesError(answer.error, answer.cause)
        return answer.returns


def _object(value: Any, source: str, path: list, what: str = "an object") -> dict:
    if not isinstance(value, dict):
        raise InputError(source, path, f"must be {what}")
    return value


def _parse_machines(raw: Any, source: str, responses: Mapping[str, Any]) -> dict:
    _object(raw, source, ["StateMachines"])
    machines: dict[str, dict[str, dict[str, str]]] = {}
    for machine, body in raw.items():
        where = ["StateMachines", machine]
        _object(body, source, where)
        for key in body:
            if key != "TestCases":
                raise InputError(source, [*where, key], "unknown key (expected TestCases)")
        cases = _object(body.get("TestCases"), source, [*where, "TestCases"])
        machines[machine] = {}
        for case, states in cases.items():
            case_path = [*where, "TestCases", case]
            _object(states, source, case_path)
            for state, response in states.items():
                if not isinstance(response, str):
                    raise InputError(source, [*case_path, state], "must be a response name")
                if response not in responses:
                    raise InputError(source, [*case_path, state],
                                     f"names no entry of MockedResponses: {response!r}")
            machines[machine][case] = dict(states)
    return machines


def _parse_responses(raw: Any, source: str) -> dict[str, tuple[MockResponse, ...]]:
    _object(raw, source, ["MockedResponses"])
    parsed: dict[str, tuple[MockResponse, ...]] = {}
    for name, entries in raw.items():
        where = ["MockedResponses", name]
        _object(entries, source, where)
        if not entries:
            raise InputError(source, where, "must define at least invocation \"0\"")
        slots: dict[int, MockResponse] = {}
        for key, entry in entries.items():
            first, last = _range(key, source, [*where, key])
            response = _parse_entry(entry, source, [*where, key])
            for number in range(first, last + 1):
                if number in slots:
                    raise InputError(source, [*where, key],
                                     f"invocation {number} is already defined by another key")
                slots[number] = response
        for number in range(len(slots)):
            if number not in slots:
                raise InputError(source, where, f"invocation numbers have a gap: {number} is "
                                 "not defined (numbers must run 0, 1, 2, ... without gaps)")
        parsed[name] = tuple(slots[n] for n in range(len(slots)))
    return parsed


def _range(key: str, source: str, path: list) -> tuple[int, int]:
    match = _RANGE.match(key)
    if match is None:
        raise InputError(source, path, f"invalid invocation key {key!r} (expected \"N\" or "
                         "\"N-M\" with N <= M)")
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) is not None else first
    if last < first:
        raise InputError(source, path, f"invalid invocation range {key!r}: {last} < {first}")
    if last - first > 100_000:
        raise InputError(source, path, f"invocation range {key!r} is too large")
    return first, last


def _parse_entry(entry: Any, source: str, path: list) -> MockResponse:
    _object(entry, source, path)
    kinds = [k for k in ("Return", "Throw") if k in entry]
    for key in entry:
        if key not in ("Return", "Throw"):
            raise InputError(source, [*path, key], "unknown key (expected Return or Throw)")
    if len(kinds) != 1:
        raise InputError(source, path, "must have exactly one of Return or Throw")
    if kinds[0] == "Return":
        return MockResponse(returns=entry["Return"])
    throw = _object(entry["Throw"], source, [*path, "Throw"])
    for key in throw:
        if key not in ("Error", "Cause"):
            raise InputError(source, [*path, "Throw", key], "unknown key (expected Error, "
                             "Cause)")
    error = throw.get("Error")
    if not isinstance(error, str) or not error:
        raise InputError(source, [*path, "Throw", "Error"], "Throw needs an Error string")
    cause = throw.get("Cause")
    if cause is not None and not isinstance(cause, str):
        raise InputError(source, [*path, "Throw", "Cause"], "must be a string")
    return MockResponse(error=error, cause=cause)


__all__ = ["MOCK_RESPONSE_MISSING", "MockAnswerer", "MockConfig", "MockResponse"]


def _task_names(definition: Any):
    """Names of every state a mock can answer: Task states, and Map states with an
    ItemReader (the emulator answers the read under the Map's own name, as it answers a
    Task), branches and Map processors included."""
    states = definition.get("States") if isinstance(definition, dict) else None
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        if state.get("Type") == "Task" or (state.get("Type") == "Map" and "ItemReader" in state):
            yield name
        for branch in state.get("Branches") or ():
            yield from _task_names(branch)
        for key in ("ItemProcessor", "Iterator"):
            yield from _task_names(state.get(key))
