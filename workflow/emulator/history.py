"""History events, shaped as GetExecutionHistory returns them.

Each event is a dict with `timestamp`, `type`, `id`, `previousEventId` and at most one
`...EventDetails` object. `input`/`output` are JSON text, as the API returns them (the
AWS-recorded corpus stores them decoded). `previousEventId` follows the thread an event
belongs to: the main flow, one Map iteration or one Parallel branch (AWS-recorded histories,
e.g. `scenarios/test_base_scenarios::TestBaseScenarios::test_map_state_catch`).
"""

from __future__ import annotations

from typing import Any

_NOT_TRUNCATED = {"truncated": False}


class Thread:
    """A cursor on the history: the id of the last event emitted on one flow of control."""

    __slots__ = ("last",)

    def __init__(self, last: int = 0):
        self.last = last


class History:
    """An append-only list of events with ids numbered from 1.

    `enabled=False` keeps ids counting (causes quote them) but stores nothing: Distributed
    Map child executions do not appear in the parent history (corpus `test_map_state_label`).
    """

    __slots__ = ("events", "clock", "count")

    def __init__(self, clock):
        self.events: list[dict[str, Any]] = []
        self.clock = clock
        self.count = 0

    def add(self, thread: Thread | None, kind: str, details_key: str | None = None,
            details: dict | None = None, *, visible: bool = True) -> int:
        """Append an event of type `kind` after the thread's last event; return its id."""
        if not visible:
            return 0
        self.count += 1
        event_id = self.count
        event: dict[str, Any] = {
            "timestamp": self.clock.now(),
            "type": kind,
            "id": event_id,
            "previousEventId": thread.last if thread is not None else 0,
        }
        if details_key is not None:
            event[details_key] = details if details is not None else {}
        self.events.append(event)
        if thread is not None:
            thread.last = event_id
        return event_id

    # The shapes below are one place each, so the engine never spells a field name.

    def state_entered(self, thread, state_type: str, name: str, input_text: str,
                      visible: bool = True) -> int:
        """`<Type>StateEntered` with `stateEnteredEventDetails{name, input, inputDetails}`."""
        return self.add(thread, _ENTERED[state_type], "stateEnteredEventDetails",
                        {"name": name, "input": input_text, "inputDetails": _NOT_TRUNCATED},
                        visible=visible)

    def state_exited(self, thread, state_type: str, name: str, output_text: str,
                     visible: bool = True, assigned: dict[str, str] | None = None) -> int:
        """`<Type>StateExited` with `stateExitedEventDetails{name, output, outputDetails}`.

        `assigned` (variable name -> value as JSON text) adds `assignedVariables` and
        `assignedVariablesDetails`, as AWS records them for a state with a non-empty Assign
        (corpus `assign/test_assign_base::TestAssignBase::test_base_cases[BASE_PATHS]`).
        """
        details = {"name": name, "output": output_text, "outputDetails": _NOT_TRUNCATED}
        if assigned:
            details["assignedVariables"] = assigned
            details["assignedVariablesDetails"] = _NOT_TRUNCATED
        return self.add(thread, _EXITED[state_type], "stateExitedEventDetails", details,
                        visible=visible)


_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
_ENTERED = {t: f"{t}StateEntered" for t in _TYPES}
_EXITED = {t: f"{t}StateExited" for t in _TYPES}


def error_details(error: str | None, cause: str | None, **extra: Any) -> dict[str, Any]:
    """Details with `error`/`cause` left out when absent (corpus `test_state_fail_empty`)."""
    details = dict(extra)
    if error is not None:
        details["error"] = error
    if cause is not None:
        details["cause"] = cause
    return details


def task_resource_parts(resource: str) -> tuple[str, str]:
    """Split a Task resource into the `resourceType` and `resource` of Task events.

    The split is after the service: `arn:aws:states:::lambda:invoke` -> (`lambda`,
    `invoke`); `...:::states:startExecution.sync:2` -> (`states`, `startExecution.sync:2`);
    for the SDK integrations after `aws-sdk:<service>`: `...:::aws-sdk:s3:getObject` ->
    (`aws-sdk:s3`, `getObject`). The integration pattern suffix stays in `resource`, as the
    recorded Glue history shows (`glue`, `startJobRun.sync`). Other ARNs (activities) keep
    the whole ARN as `resource` and the service as `resourceType`.
    """
    if ":::" in resource:
        service_action = resource.split(":::", 1)[1]
        head, _, rest = service_action.partition(":")
        if head == "aws-sdk":
            service, _, action = rest.partition(":")
            return f"aws-sdk:{service}", action
        return head, rest
    parts = resource.split(":")
    return (parts[5] if len(parts) > 5 else "unknown"), resource


def is_legacy_lambda(resource: str) -> bool:
    """A bare Lambda function ARN as Resource: AWS records `LambdaFunction*` events for it."""
    return ":::" not in resource and ":lambda:" in resource and ":function:" in resource


