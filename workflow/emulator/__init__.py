"""A pure-Python AWS Step Functions interpreter (JSONPath): `run(definition, input, ...)`.

See `engine.run` for the parameters. Task states are answered by task answerers (callables
taking a `Call`) or by a Step Functions Local mock configuration (`workflow.mocks`).
"""

from workflow.emulator.answerers import UNANSWERED
from workflow.emulator.clock import Clock, FakeClock, WallClock
from workflow.emulator.engine import run
from workflow.emulator.errors import (
    DefinitionError,
    ExecutionInputRejected,
    StatesError,
    UnsupportedFeature,
)
from workflow.emulator.execution import Call, Execution

__all__ = [
    "UNANSWERED",
    "Call",
    "Clock",
    "DefinitionError",
    "Execution",
    "ExecutionInputRejected",
    "FakeClock",
    "StatesError",
    "UnsupportedFeature",
    "WallClock",
    "run",
]
