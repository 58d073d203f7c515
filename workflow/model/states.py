"""The ASL state types, their retriers and catchers, branches, and the state machine.

Each class's field table is its list of `asl(...)` fields, in the canonical key order the
generated files use: `Type`, `Comment`, `QueryLanguage`, what the state reads, what it
does, how its result is shaped, error handling, and finally `Next`/`End`. Free-form
payloads (Parameters, Result, ResultSelector, Arguments, Output, Assign, ...) stay plain
JSON values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workflow.model.choice import ChoiceRule
from workflow.model.codec import (
    ABSENT,
    INTEGER,
    JSON,
    NULLABLE_STRING,
    NUMBER,
    OBJECT,
    STRING,
    TRUE,
    AslObject,
    Codec,
    Composite,
    ListOf,
    Nested,
    Where,
    asl,
    describe,
    one_of,
)

QUERY_LANGUAGE = one_of("JSONPath", "JSONata")


# --- Next or End ---------------------------------------------------------------------


@dataclass(frozen=True)
class Next:
    """Continue with the state named `state`."""

    state: str


@dataclass(frozen=True)
class End:
    """The state ends its branch or execution (`"End": true`)."""


Transition = Next | End


class _TransitionField(Composite):
    keys = frozenset({"Next", "End"})

    def read_from(self, obj: dict[str, Any], where: Where) -> Transition:
        if "Next" in obj and "End" in obj:
            raise where.error("a state has either Next or End, not both")
        if "Next" in obj:
            return Next(STRING.read(obj["Next"], where.child("Next")))
        if "End" in obj:
            TRUE.read(obj["End"], where.child("End"))
            return End()
        raise where.error("this state needs Next or \"End\": true")

    def write_into(self, out: dict[str, Any], value: Transition) -> None:
        if isinstance(value, Next):
            out["Next"] = value.state
        else:
            out["End"] = True


TRANSITION = _TransitionField()


# --- Error handling --------------------------------------------------------------------

ERROR_NAMES = ListOf(STRING, non_empty=True)


@dataclass(frozen=True, kw_only=True)
class Retry(AslObject):
    """A retrier: which errors, and the back-off between attempts."""

    WHAT = "retrier"

    comment: str = asl("Comment", STRING)
    error_equals: tuple[str, ...] = asl("ErrorEquals", ERROR_NAMES, required=True)
    interval_seconds: int = asl("IntervalSeconds", INTEGER)
    max_attempts: int = asl("MaxAttempts", INTEGER)
    backoff_rate: float = asl("BackoffRate", NUMBER)
    max_delay_seconds: int = asl("MaxDelaySeconds", INTEGER)
    jitter_strategy: str = asl("JitterStrategy", one_of("FULL", "NONE"))


@dataclass(frozen=True, kw_only=True)
class Catch(AslObject):
    """A catcher: which errors, where the error output goes, and the fallback state."""

    WHAT = "catcher"

    comment: str = asl("Comment", STRING)
    error_equals: tuple[str, ...] = asl("ErrorEquals", ERROR_NAMES, required=True)
    result_path: str | None = asl("ResultPath", NULLABLE_STRING)
    output: Any = asl("Output", JSON)
    assign: dict[str, Any] = asl("Assign", OBJECT)
    next: str = asl("Next", STRING, required=True)


RETRY = ListOf(Nested(Retry))
CATCH = ListOf(Nested(Catch))


# --- Branches (Parallel) and item processors (Map) -------------------------------------


@dataclass(frozen=True, kw_only=True)
class ProcessorConfig(AslObject):
    """How a Map runs its item processor."""

    WHAT = "ProcessorConfig"

    mode: str = asl("Mode", one_of("INLINE", "DISTRIBUTED"))
    execution_type: str = asl("ExecutionType", one_of("STANDARD", "EXPRESS"))


class _StatesField(Codec):
    """`States`: an object of state name -> state, read into a tuple of named states."""

    def read(self, value: Any, where: Where) -> tuple[State, ...]:
        if not isinstance(value, dict):
            raise where.error(f"expected an object of states, got {describe(value)}")
        if not value:
            raise where.error("expected at least one state")
        return tuple(read_state(name, body, where.child(name)) for name, body in value.items())

    def write(self, value: tuple[State, ...]) -> dict[str, Any]:
        return {state.name: state.to_asl() for state in value}


STATES = _StatesField()


@dataclass(frozen=True, kw_only=True)
class Branch(AslObject):
    """A sub-graph: a Parallel branch, a Map `ItemProcessor` or a legacy `Iterator`."""

    WHAT = "branch"

    comment: str = asl("Comment", STRING)
    query_language: str = asl("QueryLanguage", QUERY_LANGUAGE)
    processor_config: ProcessorConfig = asl("ProcessorConfig", Nested(ProcessorConfig))
    start_at: str = asl("StartAt", STRING, required=True)
    states: tuple[State, ...] = asl("States", STATES, required=True)


@dataclass(frozen=True, kw_only=True)
class ItemReader(AslObject):
    """Where a distributed Map reads its items from."""

    WHAT = "ItemReader"

    resource: str = asl("Resource", STRING, required=True)
    reader_config: dict[str, Any] = asl("ReaderConfig", OBJECT)
    parameters: Any = asl("Parameters", JSON)
    arguments: Any = asl("Arguments", JSON)


@dataclass(frozen=True, kw_only=True)
class ItemBatcher(AslObject):
    """How a distributed Map groups items into batches."""

    WHAT = "ItemBatcher"

    max_items_per_batch: int = asl("MaxItemsPerBatch", INTEGER)
    max_items_per_batch_path: str = asl("MaxItemsPerBatchPath", STRING)
    max_input_bytes_per_batch: int = asl("MaxInputBytesPerBatch", INTEGER)
    max_input_bytes_per_batch_path: str = asl("MaxInputBytesPerBatchPath", STRING)
    batch_input: Any = asl("BatchInput", JSON)


@dataclass(frozen=True, kw_only=True)
class ResultWriter(AslObject):
    """Where a distributed Map writes its results."""

    WHAT = "ResultWriter"

    resource: str = asl("Resource", STRING)
    writer_config: dict[str, Any] = asl("WriterConfig", OBJECT)
    parameters: Any = asl("Parameters", JSON)
    arguments: Any = asl("Arguments", JSON)


# --- The states --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class State(AslObject):
    """Base of the state classes: every state has a name (its key in `States`)."""

    name: str = field(kw_only=False)


@dataclass(frozen=True, kw_only=True)
class Pass(State):
    """Passes its input on, optionally replaced by `Result` or `Parameters`."""

    TYPE = "Pass"
    WHAT = "Pass state"

    comment: str = asl("Comment", STRING)
    query_language: str = asl("QueryLanguage", QUERY_LANGUAGE)
    input_path: str | None = asl("InputPath", NULLABLE_STRING)
    parameters: Any = asl("Parameters", JSON)
    result: Any = asl("Result", JSON)
    result_path: str | None = asl("ResultPath", NULLABLE_STRING)
    output_path: str | None = asl("OutputPath", NULLABLE_STRING)
    output: Any = asl("Output", JSON)
    assign: dict[str, Any] = asl("Assign", OBJECT)
    transition: Transition = asl(None, TRANSITION, required=True)


@dataclass(frozen=True, kw_only=True)
class Task(State):
    """Calls a resource (an AWS service integration, a Lambda, an activity)."""

    TYPE = "Task"
    WHAT = "Task state"

    comment: str = asl("Comment", STRING)
    query_language: str = asl("QueryLanguage", QUERY_LANGUAGE)
    resource: str = asl("Resource", STRING, required=True)
    credentials: Any = asl("Credentials", JSON)
    input_path: str | None = asl("InputPath", NULLABLE_STRING)
    parameters: Any = asl("Parameters", JSON)
    arguments: Any = asl("Arguments", JSON)
    result_selector: Any = asl("ResultSelector", JSON)
    result_path: str | None = asl("ResultPath", NULLABLE_STRING)
    output_path: str | None = asl("OutputPath", NULLABLE_STRING)
    output: Any = asl("Output", JSON)
    assign: dict[str, Any] = asl("Assign", OBJECT)
    timeout_seconds: int = asl("TimeoutSeconds", INTEGER)
    timeout_seconds_path: str = asl("TimeoutSecondsPath", STRING)
    heartbeat_seconds: int = asl("HeartbeatSeconds", INTEGER)
    heartbeat_seconds_path: str = asl("HeartbeatSecondsPath", STRING)
    retry: tuple[Retry, ...] = asl("Retry", RETRY)
    catch: tuple[Catch, ...] = asl("Catch", CATCH)
    transition: Transition = asl(None, TRANSITION, required=True)


@dataclass(frozen=True, kw_only=True)
class Choice(State):
    """Chooses the next state by the first rule that holds, else `Default`."""

    TYPE = "Choice"
    WHAT = "Choice state"

    comment: str = asl("Comment", STRING)
    query_language: str = asl("QueryLanguage", QUERY_LANGUAGE)
    input_path: str | None = asl("InputPath", NULLABLE_STRING)
    choices: tuple[ChoiceRule, ...] = asl("Choices", ListOf(Nested(ChoiceRule), non_empty=True),
                                          required=True)
    default: str = asl("Default", STRING)
    output_path: str | None = asl("OutputPath", NULLABLE_STRING)
    output: Any = asl("Output", JSON)
    assign: dict[str, Any] = asl("Assign", OBJECT)


@dataclass(frozen=True, kw_only=True)
class Wait(State):
    """Waits for a number of seconds or until a timestamp."""

    TYPE = "Wait"
    WHAT = "Wait state"

    comment: str = asl("Comment", STRING)
    query_language: str = asl("QueryLanguage", QUERY_LANGUAGE)
    input_path: str | None = asl("InputPath", NULLABLE_STRING)
    seconds: int = asl("Seconds", INTEGER)
    seconds_path: str = asl("SecondsPath", STRING)
    timestamp: str = asl("Timestamp", STRING)
    timestamp_path: str = asl("TimestampPath", STRING)
    output_path: str | None = asl("OutputPath", NULLABLE_STRING)
    output: Any = asl("Output", JSON)
    assign: dict[str, Any] = asl("Assign", OBJECT)
    transition: Transition = asl(None, TRANSITION, required=True)


@dataclass(frozen=True, kw_only=True)
class Succeed(State):
    """Ends the execution (or branch) successfully."""

    TYPE = "Succeed"
    WHAT = "Succeed state"

    comment: str = asl("Comment", STRING)
    query_language: str = asl("QueryLanguage", QUERY_LANGUAGE)
    input_path: str | None = asl("InputPath", NULLABLE_STRING)
    output_path: str | None = asl("OutputPath", NULLABLE_STRING)
    output: Any = asl("Output", JSON)


@dataclass(frozen=True, kw_only=True)
class Fail(State):
    """Ends the execution as failed with an error name and a cause."""

    TYPE = "Fail"
    WHAT = "Fail state"

    comment: str = asl("Comment", STRING)
    query_language: str = asl("QueryLanguage", QUERY_LANGUAGE)
    error: str = asl("Error", STRING)
    error_path: str = asl("ErrorPath", STRING)
    cause: str = asl("Cause", STRING)
    cause_path: str = asl("CausePath", STRING)


@dataclass(frozen=True, kw_only=True)
class Parallel(State):
    """Runs every branch on the same input; the result is the array of branch outputs."""

    TYPE = "Parallel"
    WHAT = "Parallel state"

    comment: str = asl("Comment", STRING)
    query_language: str = asl("QueryLanguage", QUERY_LANGUAGE)
    input_path: str | None = asl("InputPath", NULLABLE_STRING)
    parameters: Any = asl("Parameters", JSON)
    arguments: Any = asl("Arguments", JSON)
    branches: tuple[Branch, ...] = asl("Branches", ListOf(Nested(Branch)), required=True)
    result_selector: Any = asl("ResultSelector", JSON)
    result_path: str | None = asl("ResultPath", NULLABLE_STRING)
    output_path: str | None = asl("OutputPath", NULLABLE_STRING)
    output: Any = asl("Output", JSON)
    assign: dict[str, Any] = asl("Assign", OBJECT)
    retry: tuple[Retry, ...] = asl("Retry", RETRY)
    catch: tuple[Catch, ...] = asl("Catch", CATCH)
    transition: Transition = asl(None, TRANSITION, required=True)


@dataclass(frozen=True, kw_only=True)
class Map(State):
    """Runs its item processor once per item (inline or distributed)."""

    TYPE = "Map"
    WHAT = "Map state"

    comment: str = asl("Comment", STRING)
    query_language: str = asl("QueryLanguage", QUERY_LANGUAGE)
    input_path: str | None = asl("InputPath", NULLABLE_STRING)
    items_path: str = asl("ItemsPath", STRING)
    items: Any = asl("Items", JSON)
    item_reader: ItemReader = asl("ItemReader", Nested(ItemReader))
    item_selector: Any = asl("ItemSelector", JSON)
    parameters: Any = asl("Parameters", JSON)
    item_batcher: ItemBatcher = asl("ItemBatcher", Nested(ItemBatcher))
    item_processor: Branch = asl("ItemProcessor", Nested(Branch))
    iterator: Branch = asl("Iterator", Nested(Branch))
    max_concurrency: int = asl("MaxConcurrency", INTEGER)
    max_concurrency_path: str = asl("MaxConcurrencyPath", STRING)
    tolerated_failure_percentage: float = asl("ToleratedFailurePercentage", NUMBER)
    tolerated_failure_percentage_path: str = asl("ToleratedFailurePercentagePath", STRING)
    tolerated_failure_count: int = asl("ToleratedFailureCount", INTEGER)
    tolerated_failure_count_path: str = asl("ToleratedFailureCountPath", STRING)
    label: str = asl("Label", STRING)
    result_writer: ResultWriter = asl("ResultWriter", Nested(ResultWriter))
    result_selector: Any = asl("ResultSelector", JSON)
    result_path: str | None = asl("ResultPath", NULLABLE_STRING)
    output_path: str | None = asl("OutputPath", NULLABLE_STRING)
    output: Any = asl("Output", JSON)
    assign: dict[str, Any] = asl("Assign", OBJECT)
    retry: tuple[Retry, ...] = asl("Retry", RETRY)
    catch: tuple[Catch, ...] = asl("Catch", CATCH)
    transition: Transition = asl(None, TRANSITION, required=True)


# Type name -> class; the one place a new state type is registered.
STATE_TYPES: dict[str, type[State]] = {
    cls.TYPE: cls for cls in (Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map)
}


def read_state(name: str, body: Any, where: Where) -> State:
    """Read the state `name` from its ASL object, dispatching on `Type`."""
    if not isinstance(body, dict):
        raise where.error(f"expected a state object, got {describe(body)}")
    if "Type" not in body:
        raise where.error("a state needs a Type")
    kind = body["Type"]
    cls = STATE_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise where.child("Type").error(
            f"unknown state type {kind!r} (expected one of {', '.join(STATE_TYPES)})")
    return cls.read_asl(body, where, name=name)


# --- The state machine ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StateMachine(AslObject):
    """A whole definition: the top-level fields and the states in their written order."""

    WHAT = "state machine definition"

    comment: str = asl("Comment", STRING)
    query_language: str = asl("QueryLanguage", QUERY_LANGUAGE)
    version: str = asl("Version", STRING)
    timeout_seconds: int = asl("TimeoutSeconds", INTEGER)
    start_at: str = asl("StartAt", STRING, required=True)
    states: tuple[State, ...] = asl("States", STATES, required=True)

    @classmethod
    def from_asl(cls, data: Any, source: str = "<definition>") -> StateMachine:
        """Parse a whole definition; malformed input raises `InputError` naming its path."""
        return cls.read_asl(data, Where(source))

    def state(self, name: str) -> State:
        """Return the top-level state called `name` (KeyError if there is none)."""
        for state in self.states:
            if state.name == name:
                return state
        raise KeyError(name)


__all__ = [
    "ABSENT",
    "Branch",
    "Catch",
    "Choice",
    "End",
    "Fail",
    "ItemBatcher",
    "ItemReader",
    "Map",
    "Next",
    "Parallel",
    "Pass",
    "ProcessorConfig",
    "Retry",
    "ResultWriter",
    "State",
    "StateMachine",
    "Succeed",
    "Task",
    "Transition",
    "Wait",
]
