"""What a run returns: the `Execution`, and the `Call` a task answerer receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    """One attempt of a Task state: what a task answerer (or a mock) is asked to answer.

    `arguments` is the effective input of the task after InputPath and Parameters.
    `attempt` counts from 0 and includes retries; `context` is the context object (`$$`).
    """

    state: str
    resource: str
    arguments: Any
    attempt: int = 0
    context: Any = field(default=None, compare=False, repr=False)


@dataclass
class Execution:
    """The result of one execution, shaped after DescribeExecution + GetExecutionHistory.

    `status` is SUCCEEDED, FAILED, TIMED_OUT or ABORTED. `events` are dicts shaped as
    GetExecutionHistory returns them (`timestamp`, `type`, `id`, `previousEventId`, and
    one `...EventDetails`). `calls` lists every Task attempt in order.
    """

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    execution_arn: str | None = None

    @property
    def states_entered(self) -> list[str]:
        """Names of the states entered, in order (from the history)."""
        return [
            e["stateEnteredEventDetails"]["name"]
            for e in self.events
            if "stateEnteredEventDetails" in e
        ]
