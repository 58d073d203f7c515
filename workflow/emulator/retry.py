"""Retriers and catchers: which one matches an error, and how long a retry waits.

Rules (AWS docs, concepts-error-handling; AWS-FACTS.md):
* The first retrier (and the first catcher) whose `ErrorEquals` matches is the one used.
* `States.ALL` matches every error name except `States.Runtime` and
  `States.DataLimitExceeded`; the docs call both terminal. One AWS recording (2024-03) shows a
  `States.ALL` catcher catching `DataLimitExceeded`; we follow the documented behaviour.
* `States.TaskFailed` matches every error except `States.Timeout` (and the two terminal ones).
* `States.Timeout` also matches `States.HeartbeatTimeout` (the docs define States.Timeout as
  "ran longer than TimeoutSeconds, or failed to send a heartbeat").
* `States.Runtime` is never retried or caught, even when named (AWS recording 2023-11: a
  Task's catcher never ran for it). `States.DataLimitExceeded` is matched only when named.
* Errors the emulator itself raises (`Emulator.*`) are never retried or caught.
* Retry: `MaxAttempts` default 3 (0 = never), `IntervalSeconds` default 1, `BackoffRate`
  default 2.0, optional `MaxDelaySeconds`, `JitterStrategy` `FULL` (uniform in [0, delay])
  or `NONE`. Each retrier counts its own attempts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from workflow.emulator.errors import DefinitionError
from workflow.emulator.fields import RETRY_NUMBERS, check_number

ALL = "States.ALL"
TASK_FAILED = "States.TaskFailed"
TIMEOUT = "States.Timeout"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
RUNTIME = "States.Runtime"
DATA_LIMIT = "States.DataLimitExceeded"
EMULATOR_PREFIX = "Emulator."
_TERMINAL = frozenset({RUNTIME, DATA_LIMIT})


def error_matches(patterns: tuple[str, ...], error: str | None) -> bool:
    """Whether an `ErrorEquals` list matches the error name `error` (see module rules)."""
    if error is None:
        error = ""
    if error == RUNTIME or error.startswith(EMULATOR_PREFIX):
        return False
    for pattern in patterns:
        if pattern == error:
            return True
        if error in _TERMINAL:
            continue
        if pattern == ALL:
            return True
        if pattern == TASK_FAILED and error not in (TIMEOUT, HEARTBEAT_TIMEOUT):
            return True
        if pattern == TIMEOUT and error == HEARTBEAT_TIMEOUT:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Retrier:
    """One entry of a state's `Retry` list."""

    error_equals: tuple[str, ...]
    interval_seconds: float = 1.0
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter_full: bool = False

    def delay(self, retries_done: int, rng: random.Random) -> float:
        """Seconds to wait before retry number `retries_done + 1` of this retrier."""
        delay = self.interval_seconds * (self.backoff_rate**retries_done)
        if self.max_delay_seconds is not None:
            delay = min(delay, self.max_delay_seconds)
        if self.jitter_full:
            delay = rng.uniform(0.0, delay)
        return delay


@dataclass(frozen=True, slots=True)
class Catcher:
    """One entry of a state's `Catch` list; `result_path` may be MISSING or None (null)."""

    error_equals: tuple[str, ...]
    next: str
    result_path: Any
    # A compiled `Assign` (variables.Assignment), or MISSING: evaluated on the error output.
    assign: Any = None


def _error_equals(entry: Any, where: str) -> tuple[str, ...]:
    if not isinstance(entry, dict):
        raise DefinitionError(where, "must be an object")
    names = entry.get("ErrorEquals")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise DefinitionError(f"{where}.ErrorEquals", "must be a non-empty list of strings")
    if ALL in names and len(names) != 1:
        raise DefinitionError(f"{where}.ErrorEquals", "States.ALL must appear alone")
    return tuple(names)


def _check_all_last(entries: list, field: str, path: str) -> None:
    for index, entry in enumerate(entries[:-1]):
        if ALL in entry.get("ErrorEquals", ()):
            raise DefinitionError(f"{path}.{field}[{index}].ErrorEquals",
                                  f"States.ALL must be in the last {field} entry")


def _number(entry: dict, key: str, default, where: str):
    value = entry.get(key, default)
    if value is None and default is None:
        return None
    integer, low, high = RETRY_NUMBERS[key]
    check_number(value, f"{where}.{key}", integer, low, high)
    return value


def parse_retriers(raw: Any, path: str) -> tuple[Retrier, ...]:
    """Compile a state's `Retry` list, checking field types and the States.ALL rules."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise DefinitionError(f"{path}.Retry", "must be a list")
    retriers = []
    for index, entry in enumerate(raw):
        where = f"{path}.Retry[{index}]"
        names = _error_equals(entry, where)
        jitter = entry.get("JitterStrategy", "NONE")
        if jitter not in ("FULL", "NONE"):
            raise DefinitionError(f"{where}.JitterStrategy", "must be FULL or NONE")
        retriers.append(Retrier(
            error_equals=names,
            interval_seconds=_number(entry, "IntervalSeconds", 1, where),
            max_attempts=_number(entry, "MaxAttempts", 3, where),
            backoff_rate=_number(entry, "BackoffRate", 2.0, where),
            max_delay_seconds=_number(entry, "MaxDelaySeconds", None, where),
            jitter_full=jitter == "FULL",
        ))
    _check_all_last(raw, "Retry", path)
    return tuple(retriers)


def parse_catchers(raw: Any, path: str, missing: Any) -> tuple[Catcher, ...]:
    """Compile a state's `Catch` list (targets are checked by the caller)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise DefinitionError(f"{path}.Catch", "must be a list")
    catchers = []
    for index, entry in enumerate(raw):
        where = f"{path}.Catch[{index}]"
        names = _error_equals(entry, where)
        target = entry.get("Next")
        if not isinstance(target, str):
            raise DefinitionError(f"{where}.Next", "must be a state name")
        result_path = entry.get("ResultPath", missing)
        if result_path is not missing and result_path is not None and not isinstance(
                result_path, str):
            raise DefinitionError(f"{where}.ResultPath", "must be a string or null")
        assign = missing
        if "Assign" in entry:
            from workflow.emulator.variables import compile_assign

            assign = compile_assign(entry["Assign"], f"{where}.Assign")
        catchers.append(Catcher(names, target, result_path, assign))
    _check_all_last(raw, "Catch", path)
    return tuple(catchers)


def find_retrier(retriers: tuple[Retrier, ...], error: str | None) -> int | None:
    """Index of the first retrier matching `error`, or None."""
    for index, retrier in enumerate(retriers):
        if error_matches(retrier.error_equals, error):
            return index
    return None


def find_catcher(catchers: tuple[Catcher, ...], error: str | None) -> Catcher | None:
    """The first catcher matching `error`, or None."""
    for catcher in catchers:
        if error_matches(catcher.error_equals, error):
            return catcher
    return None
