"""The context object (`$$`), ARNs and timestamps, built as AWS builds them.

Shapes are taken from AWS-recorded executions: corpus cases
`context_object/test_context_object::TestSnfBase::test_input_path[$$]` (key order
`Execution{Id, Input, StartTime, Name, RoleArn, RedriveCount}`, `StateMachine{Id, Name}`,
`State{Name, EnteredTime}`) and `express/test_express_sync::...::test_query_runtime_memory`
(EXPRESS execution ARNs use `:express:` and carry no `RedriveCount` when started synchronously).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


def format_timestamp(moment: datetime) -> str:
    """Render an instant as AWS renders `$$.State.EnteredTime`: `2026-01-01T00:00:00.000Z`."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def state_machine_arn(region: str, account: str, name: str) -> str:
    """The ARN of a state machine: `arn:aws:states:{region}:{account}:stateMachine:{name}`."""
    return f"arn:aws:states:{region}:{account}:stateMachine:{name}"


def execution_arn(region: str, account: str, name: str, execution: str, machine_type: str) -> str:
    """The ARN of an execution; EXPRESS executions use `express` and a second id part."""
    if machine_type == "EXPRESS":
        return f"arn:aws:states:{region}:{account}:express:{name}:{execution}:{uuid.uuid4()}"
    return f"arn:aws:states:{region}:{account}:execution:{name}:{execution}"


def map_run_arn(region: str, account: str, machine: str, label: str) -> str:
    """The ARN of a Distributed Map run (`...:mapRun:{machine}/{label}:{id}`)."""
    return f"arn:aws:states:{region}:{account}:mapRun:{machine}/{label}:{uuid.uuid4()}"


@dataclass(frozen=True, slots=True)
class ExecutionContext:
    """The parts of `$$` that stay the same for a whole execution."""

    execution: dict[str, Any]
    state_machine: dict[str, Any]

    def for_state(self, name: str, entered: str, retry_count: int | None = None) -> dict:
        """The context object for one state entry (`RetryCount` only where retries exist)."""
        state: dict[str, Any] = {"Name": name, "EnteredTime": entered}
        if retry_count is not None:
            state["RetryCount"] = retry_count
        return {"Execution": self.execution, "StateMachine": self.state_machine, "State": state}


def make_execution_context(
    *,
    execution_id: str,
    execution_name: str,
    execution_input: Any,
    start_time: str,
    role_arn: str,
    machine_id: str,
    machine_name: str,
    redrive_count: int | None = 0,
) -> ExecutionContext:
    """Build the per-execution part of the context object.

    `redrive_count` None leaves `RedriveCount` out, as for an EXPRESS execution started with
    StartSyncExecution (corpus `express/test_express_sync::...::test_query_runtime_memory`).
    """
    execution = {
        "Id": execution_id,
        "Input": execution_input,
        "StartTime": start_time,
        "Name": execution_name,
        "RoleArn": role_arn,
    }
    if redrive_count is not None:
        execution["RedriveCount"] = redrive_count
    return ExecutionContext(execution, {"Id": machine_id, "Name": machine_name})
