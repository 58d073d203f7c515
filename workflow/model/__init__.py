"""The Amazon States Language as frozen dataclasses, with `to_asl()` and `from_asl()`.

`from_asl(json)` parses a whole definition (raising `InputError` with the JSON path of a
malformed value); `machine.to_asl()` emits it with keys in a fixed canonical order, so
`from_asl(m.to_asl()) == m` and, for a file written in canonical order,
`from_asl(d).to_asl() == d` including key order.
"""

from __future__ import annotations

from typing import Any

from workflow.model.choice import (
    OPERATORS,
    And,
    ChoiceRule,
    Compare,
    Condition,
    JsonataCondition,
    Not,
    Or,
)
from workflow.model.codec import ABSENT
from workflow.model.states import (
    STATE_TYPES,
    Branch,
    Catch,
    Choice,
    End,
    Fail,
    ItemBatcher,
    ItemReader,
    Map,
    Next,
    Parallel,
    Pass,
    ProcessorConfig,
    ResultWriter,
    Retry,
    State,
    StateMachine,
    Succeed,
    Task,
    Transition,
    Wait,
)


def from_asl(data: Any, source: str = "<definition>") -> StateMachine:
    """Parse a whole ASL definition (already decoded JSON) into a `StateMachine`."""
    return StateMachine.from_asl(data, source)


__all__ = [
    "ABSENT",
    "OPERATORS",
    "STATE_TYPES",
    "And",
    "Branch",
    "Catch",
    "Choice",
    "ChoiceRule",
    "Compare",
    "Condition",
    "End",
    "Fail",
    "ItemBatcher",
    "ItemReader",
    "JsonataCondition",
    "Map",
    "Next",
    "Not",
    "Or",
    "Parallel",
    "Pass",
    "ProcessorConfig",
    "ResultWriter",
    "Retry",
    "State",
    "StateMachine",
    "Succeed",
    "Task",
    "Transition",
    "Wait",
    "from_asl",
]
