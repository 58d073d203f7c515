"""The history events of one Task attempt, per resource family, as data.

Three families exist (AWS API reference, `HistoryEvent`): a bare Lambda function ARN records
`LambdaFunction*` events, an activity ARN (`arn:aws:states:<region>:<account>:activity:<name>`)
records `Activity*` events, and every other resource (optimized and `aws-sdk` integrations)
records `Task*` events that name the resource as `resourceType` / `resource`. A `.sync` (or
`.sync:N`) integration adds `TaskSubmitted` between TaskStarted and the outcome, as the
recorded Glue `startJobRun.sync` history shows. `.waitForTaskToken` gets no TaskSubmitted
here: no AWS recording or doc page we found shows one for it, so we do not invent it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from workflow.emulator.history import error_details, is_legacy_lambda, task_resource_parts

_NOT_TRUNCATED = {"truncated": False}
_ACTIVITY_ARN = re.compile(r"arn:aws[\w-]*:states:[^:]*:[^:]*:activity:.+")
_SYNC_ACTION = re.compile(r".*\.sync(:\d+)?")
# What an activity's ActivityStarted names as its worker: answerers give no worker name.
WORKER_NAME = "metapipe-emulator"


@dataclass(frozen=True, slots=True)
class EventFamily:
    """The event types (and their details keys) one resource family records."""

    prefix: str       # "Task", "LambdaFunction" or "Activity"
    details: str      # the details-key stem: "task", "lambdaFunction", "activity"
    names_resource: bool  # Task* details carry resourceType / resource

    def kind(self, outcome: str) -> str:
        return self.prefix + outcome

    def key(self, outcome: str) -> str:
        return f"{self.details}{outcome}EventDetails"


TASK = EventFamily("Task", "task", True)
LAMBDA = EventFamily("LambdaFunction", "lambdaFunction", False)
ACTIVITY = EventFamily("Activity", "activity", False)


def is_activity(resource: str) -> bool:
    """Whether a Task's Resource is an activity ARN."""
    return _ACTIVITY_ARN.fullmatch(resource) is not None


class TaskEvents:
    """Writes one Task attempt's events on a thread of the history."""

    __slots__ = ("history", "thread", "visible", "family", "kind", "short", "sync")

    def __init__(self, history, thread, visible: bool, resource: str):
        self.history, self.thread, self.visible = history, thread, visible
        if is_legacy_lambda(resource):
            self.family, self.kind, self.short = LAMBDA, "lambda", resource
        elif is_activity(resource):
            self.family, self.kind, self.short = ACTIVITY, "activity", resource
        else:
            self.family = TASK
            self.kind, self.short = task_resource_parts(resource)
        self.sync = self.family is TASK and _SYNC_ACTION.fullmatch(self.short) is not None

    def _add(self, outcome: str, details: dict | None) -> None:
        family = self.family
        if details is not None and family.names_resource:
            details = {"resourceType": self.kind, "resource": self.short, **details}
        self.history.add(self.thread, family.kind(outcome),
                         None if details is None else family.key(outcome), details,
                         visible=self.visible)

    def scheduled(self, input_text: str, region: str, timeout, heartbeat) -> None:
        """`<Family>Scheduled` then `<Family>Started` (and TaskSubmitted for `.sync`)."""
        if self.family is TASK:
            details: dict[str, Any] = {"region": region, "parameters": input_text}
        else:
            details = {"resource": self.short, "input": input_text,
                       "inputDetails": _NOT_TRUNCATED}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None and self.family is not LAMBDA:
            details["heartbeatInSeconds"] = heartbeat
        self._add("Scheduled", details)
        if self.family is LAMBDA:
            self._add("Started", None)
        elif self.family is ACTIVITY:
            self._add("Started", {"workerName": WORKER_NAME})
        else:
            self._add("Started", {})
            if self.sync:
                # The start call's own response is not modelled (an answerer gives the
                # finished job's result only), so TaskSubmitted's output is an empty object.
                self._add("Submitted", {"output": "{}", "outputDetails": _NOT_TRUNCATED})

    def succeeded(self, output_text: str) -> None:
        self._add("Succeeded", {"output": output_text, "outputDetails": _NOT_TRUNCATED})

    def failed(self, error: str | None, cause: str | None) -> None:
        self._add("Failed", error_details(error, cause))

    def timed_out(self, error: str, cause: str) -> None:
        self._add("TimedOut", error_details(error, cause))
