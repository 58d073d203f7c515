"""Least-privilege IAM statements for a state machine role, derived from its definition.

CDK grants nothing for a file-based definition, so this module reads every Task state
(also inside Parallel branches and Map processors), finds its integration in the table
`INTEGRATIONS` and builds one statement per distinct set of actions, with the exact
resources the Task's parameters name:

    statements = derive_role_statements(definition, substitutions, arn=ArnContext(...),
                                        bindings={"Bucket": ("my-bucket",)})

- `substitutions` replace `${Name}` placeholders, as CloudFormation's
  `DefinitionSubstitutions` will; values may be CDK tokens (they are only concatenated).
- A parameter that is only known at run time (`"Bucket.$": "$.detail.bucket.name"`, or a
  JSONata `{% ... %}` expression) must be bound in `bindings` to the values it can take, or
  derivation fails naming the state and field. A few narrowing fields (an S3 `Key`) fall
  back to every value (`*` inside the resource) when unbound.
- An integration the table does not know raises `IamDerivationError`: add a row rather
  than granting a wildcard.
- An S3 object read also gets `s3:ListBucket` on its bucket, so that a missing key fails
  as `S3.NoSuchKeyException` and not as a 403 (`S3_MISSING_KEY_IS_404` says why).
- `logging=True` / `tracing=True` add the CloudWatch Logs delivery and X-Ray statements,
  the only ones with `Resource: "*"`: those APIs do not support resource-level permissions
  (Step Functions docs, "IAM policies for logging to CloudWatch Logs" and "X-Ray").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from workflow.errors import InputError, json_path

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


class IamDerivationError(InputError):
    """The definition names something this module cannot turn into a least-privilege grant."""

    def __init__(self, path: Sequence[str | int], message: str):
        super().__init__("definition", list(path), message)


@dataclass(frozen=True)
class ArnContext:
    """The partition, region and account ARNs are built in (may be CDK tokens)."""

    partition: str = "aws"
    region: str = "us-east-1"
    account: str = "123456789012"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        """An ARN in this context: `arn:<partition>:<service>:<region>:<account>:<resource>`."""
        if not regional:
            return f"arn:{self.partition}:{service}:::{resource}"
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"


@dataclass(frozen=True)
class Statement:
    """One Allow statement: a Sid, its actions and its resources, in stable order."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The statement as it appears in an IAM policy document."""
        return {
            "Sid": self.sid,
            "Effect": "Allow",
            "Action": list(self.actions) if len(self.actions) > 1 else self.actions[0],
            "Resource": list(self.resources) if len(self.resources) > 1 else self.resources[0],
        }


@dataclass(frozen=True)
class TaskParameters:
    """A Task's parameters after substitution, read by field name with bindings applied."""

    path: tuple[str | int, ...]
    values: Mapping[str, Any]
    bindings: Mapping[str, Sequence[str]]
    jsonata: bool
    # No Parameters/Arguments: the state's (InputPath-filtered) input is the request, so
    # every field is only known at run time and any optional field may be present.
    opaque: bool = False

    def has(self, name: str) -> bool:
        """True when the field is (or, for an opaque request, may be) set."""
        return self.opaque or name in self.values or f"{name}.$" in self.values

    def get(self, name: str, *, default: Sequence[str] | None = None) -> tuple[str, ...]:
        """Every value field `name` can take: its static value, else its binding.

        With no static value and no binding, `default` is used if given; otherwise this
        raises `IamDerivationError` naming the field.
        """
        value = self.values.get(name)
        static = isinstance(value, str) and not (
            self.jsonata and value.strip().startswith("{%")
        )
        if static:
            return (value,)
        if name in self.bindings:
            return tuple(self.bindings[name])
        if default is not None:
            return tuple(default)
        field = f"{name}.$" if f"{name}.$" in self.values else name
        where = json_path([*self.path, field])
        if self.opaque:
            raise IamDerivationError(
                self.path,
                f"{name} comes from the state's input ({where} is absent); pass "
                f"bindings={{{name!r}: [...]}} with the values it can take",
            )
        if not self.has(name):
            raise IamDerivationError(self.path, f"{name} is required to derive IAM ({where})")
        raise IamDerivationError(
            self.path,
            f"{name} is only known at run time ({where}); pass bindings={{{name!r}: [...]}} "
            "with the values it can take",
        )


ResourceBuilder = Callable[[TaskParameters, ArnContext], tuple[str, ...]]


@dataclass(frozen=True)
class Grant:
    """Actions on resources of another kind than the integration's own (a bucket, not keys)."""

    actions: tuple[str, ...]
    resources: ResourceBuilder


@dataclass(frozen=True)
class Integration:
    """One row of the table: the actions a Task integration needs and its resources."""

    actions: tuple[str, ...]
    resources: ResourceBuilder
    # Extra actions needed only when a parameter is present (e.g. VersionId).
    when_present: tuple[tuple[str, str], ...] = ()
    # Grants on other resources the call also needs to behave as documented.
    also: tuple[Grant, ...] = ()

    def actions_for(self, params: TaskParameters) -> tuple[str, ...]:
        """The base actions plus those whose enabling parameter is set."""
        extra = tuple(action for field, action in self.when_present if params.has(field))
        return self.actions + extra

    def grants_for(self, params: TaskParameters) -> tuple[Grant, ...]:
        """Every grant this Task needs: its own actions first, then the `also` grants."""
        return (Grant(self.actions_for(params), self.resources), *self.also)


def lambda_functions(params: TaskParameters, ctx: ArnContext) -> tuple[str, ...]:
    """The function ARNs `FunctionName` can name: unqualified ones include versions/aliases."""
    out: list[str] = []
    for name in params.get("FunctionName"):
        out.extend(_function_arns(name, ctx))
    return tuple(out)


def _function_arns(name: str, ctx: ArnContext) -> tuple[str, ...]:
    if name.startswith("arn:"):
        parts = name.split(":")
        if len(parts) == 7:
            return (name, f"{name}:*")
        return (name,)  # qualified: exactly that version or alias
    if ":" in name:  # "function:alias" or "account:function:name" partial forms
        raise IamDerivationError((), f"use a function name or full ARN, not {name!r}")
    arn = ctx.arn("lambda", f"function:{name}")
    return (arn, f"{arn}:*")


def dynamodb_tables(params: TaskParameters, ctx: ArnContext) -> tuple[str, ...]:
    """The table ARNs `TableName` can name (a name or, since DynamoDB allows it, an ARN)."""
    return tuple(
        name if name.startswith("arn:") else ctx.arn("dynamodb", f"table/{name}")
        for name in params.get("TableName")
    )


def s3_objects(params: TaskParameters, ctx: ArnContext) -> tuple[str, ...]:
    """Object ARNs: each bucket with each key (or key glob; every key when unbound)."""
    keys = params.get("Key", default=("*",))
    return tuple(
        ctx.arn("s3", f"{bucket}/{key}", regional=False)
        for bucket in params.get("Bucket")
        for key in keys
    )


def s3_buckets(params: TaskParameters, ctx: ArnContext) -> tuple[str, ...]:
    """Bucket ARNs (`arn:<partition>:s3:::<bucket>`), for bucket-level actions."""
    return tuple(ctx.arn("s3", bucket, regional=False) for bucket in params.get("Bucket"))


# Reading a key that does not exist answers 404 NoSuchKey only to a caller that also has
# s3:ListBucket on the bucket; without it S3 answers 403 AccessDenied (S3 API reference,
# GetObject and HeadObject, "Permissions"). A Step Functions aws-sdk task would then fail
# with S3.S3Exception instead of the S3.NoSuchKeyException that mocks/ (case S3Miss) and
# the emulator show, and Retry/Catch on NoSuchKey would never match.
#
# The grant has no s3:prefix condition on purpose. AWS documents ListBucket "on the bucket"
# and does not say which s3:prefix (if any) the request context carries for the implicit
# existence check of a GetObject; third-party reimplementations (Ceph RGW) put the key
# there, which would let a StringLike on the metadata key globs keep the 404, but that is
# not an AWS statement. A condition that does not match would silently bring back the 403,
# so the role may list key names in its one bucket (never read them: GetObject stays
# limited to the metadata keys).
S3_MISSING_KEY_IS_404 = Grant(("s3:ListBucket",), s3_buckets)


def sns_topics(params: TaskParameters, ctx: ArnContext) -> tuple[str, ...]:
    """The topic ARNs `TopicArn` can name."""
    return params.get("TopicArn")


def sqs_queues(params: TaskParameters, ctx: ArnContext) -> tuple[str, ...]:
    """Queue ARNs from `QueueUrl` (`https://sqs.<region>.amazonaws.com/<account>/<name>`)."""
    out = []
    for url in params.get("QueueUrl"):
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) != 2:
            raise IamDerivationError(params.path, f"cannot read a queue ARN from {url!r}")
        region = (parts.hostname or "").split(".")[1] if parts.hostname else ctx.region
        out.append(f"arn:{ctx.partition}:sqs:{region}:{segments[0]}:{segments[1]}")
    return tuple(out)


def state_machines(params: TaskParameters, ctx: ArnContext) -> tuple[str, ...]:
    """The state machine ARNs `StateMachineArn` can name."""
    return params.get("StateMachineArn")


def default_event_bus(params: TaskParameters, ctx: ArnContext) -> tuple[str, ...]:
    """PutEvents on the default bus (an `EventBusName` per entry is not supported yet)."""
    entries = params.values.get("Entries")
    if isinstance(entries, list) and any(isinstance(e, dict) and (
            "EventBusName" in e or "EventBusName.$" in e) for e in entries):
        raise IamDerivationError(params.path, "Entries[].EventBusName is not supported yet")
    return (ctx.arn("events", "event-bus/default"),)


_DYNAMODB_ITEM = {"getItem": "GetItem", "putItem": "PutItem", "updateItem": "UpdateItem",
                  "deleteItem": "DeleteItem"}
# Table-level reads only the SDK integration offers (no IndexName: indexes are not granted).
_DYNAMODB_SDK_ONLY = {"query": "Query"}

# Integration name (the Resource after `arn:<partition>:states:::`, without `.sync` /
# `.waitForTaskToken`) -> what to grant. `lambda:function` is a Lambda ARN used directly.
INTEGRATIONS: dict[str, Integration] = {
    "lambda:invoke": Integration(("lambda:InvokeFunction",), lambda_functions),
    "lambda:function": Integration(("lambda:InvokeFunction",), lambda_functions),
    **{f"dynamodb:{op}": Integration((f"dynamodb:{action}",), dynamodb_tables)
       for op, action in _DYNAMODB_ITEM.items()},
    **{f"aws-sdk:dynamodb:{op}": Integration((f"dynamodb:{action}",), dynamodb_tables)
       for op, action in (_DYNAMODB_ITEM | _DYNAMODB_SDK_ONLY).items()},
    **{f"aws-sdk:s3:{op}": Integration(("s3:GetObject",), s3_objects,
                                       when_present=(("VersionId", "s3:GetObjectVersion"),),
                                       also=(S3_MISSING_KEY_IS_404,))
       for op in ("getObject", "headObject")},
    "aws-sdk:s3:putObject": Integration(("s3:PutObject",), s3_objects),
    "aws-sdk:s3:deleteObject": Integration(("s3:DeleteObject",), s3_objects),
    "sns:publish": Integration(("sns:Publish",), sns_topics),
    "sqs:sendMessage": Integration(("sqs:SendMessage",), sqs_queues),
    "events:putEvents": Integration(("events:PutEvents",), default_event_bus),
    "states:startExecution": Integration(("states:StartExecution",), state_machines),
}

# Suffixes that keep the integration's request permissions unchanged. `.sync` is absent on
# purpose: it needs extra polling or EventBridge-rule permissions per service.
_PLAIN_SUFFIXES = (".waitForTaskToken",)

LOG_DELIVERY = Statement(
    "CloudWatchLogsDelivery",
    ("logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
     "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
     "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"),
    ("*",),
)
XRAY = Statement(
    "XRayTracing",
    ("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
     "xray:GetSamplingTargets"),
    ("*",),
)


def integration_name(resource: str, path: Sequence[str | int]) -> str:
    """The table key of a Task `Resource` ARN, or `IamDerivationError` if it has none."""
    parts = resource.split(":")
    if len(parts) >= 7 and parts[0] == "arn" and parts[2] == "lambda" and parts[5] == "function":
        return "lambda:function"
    if len(parts) >= 6 and parts[0] == "arn" and parts[2] == "states" and parts[5]:
        name = ":".join(parts[5:])
        for suffix in _PLAIN_SUFFIXES:
            name = name.removesuffix(suffix)
        if name in INTEGRATIONS:
            return name
        raise IamDerivationError(
            [*path, "Resource"],
            f"no IAM rule for integration {name!r}; add a row to workflow.iam.INTEGRATIONS",
        )
    raise IamDerivationError([*path, "Resource"], f"unrecognised Task resource {resource!r}")


def substitute(value: Any, substitutions: Mapping[str, str], path: Sequence[str | int]) -> Any:
    """Replace `${Name}` in every string of `value`; an unknown name is an error."""
    if isinstance(value, str):
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in substitutions:
                raise IamDerivationError(path, f"no substitution given for ${{{name}}}")
            return substitutions[name]

        return PLACEHOLDER.sub(replace, value)
    if isinstance(value, dict):
        return {k: substitute(v, substitutions, [*path, k]) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, substitutions, [*path, i]) for i, v in enumerate(value)]
    return value


def iter_tasks(definition: dict[str, Any], path: tuple[str | int, ...] = (),
               jsonata: bool = False) -> Iterator[tuple[tuple[str | int, ...], dict, bool]]:
    """Yield `(path, task, is_jsonata)` for every Task state, branches and processors too."""
    jsonata = definition.get("QueryLanguage", "JSONata" if jsonata else "JSONPath") == "JSONata"
    states = definition.get("States")
    if not isinstance(states, dict):
        raise IamDerivationError([*path, "States"], "States must be an object")
    for name, state in states.items():
        here = (*path, "States", name)
        if not isinstance(state, dict):
            continue
        state_jsonata = state.get("QueryLanguage", "JSONata" if jsonata else "JSONPath")
        state_jsonata = state_jsonata == "JSONata"
        kind = state.get("Type")
        if kind == "Task":
            yield here, state, state_jsonata
        elif kind == "Parallel":
            for index, branch in enumerate(state.get("Branches") or []):
                yield from iter_tasks(branch, (*here, "Branches", index), state_jsonata)
        elif kind == "Map":
            for field in ("ItemReader", "ResultWriter"):
                if field in state:
                    raise IamDerivationError([*here, field], f"Map {field} is not supported yet")
            for field in ("ItemProcessor", "Iterator"):
                if isinstance(state.get(field), dict):
                    yield from iter_tasks(state[field], (*here, field), state_jsonata)


def derive_task_statements(definition: dict[str, Any], substitutions: Mapping[str, str], *,
                           arn: ArnContext,
                           bindings: Mapping[str, Sequence[str]] | None = None,
                           ) -> list[Statement]:
    """The statements every Task of `definition` needs, merged by identical action sets."""
    merged: dict[tuple[str, ...], list[str]] = {}
    for path, task, jsonata in iter_tasks(definition):
        resource = substitute(task.get("Resource"), substitutions, [*path, "Resource"])
        if not isinstance(resource, str):
            raise IamDerivationError([*path, "Resource"], "Resource must be a string")
        integration = INTEGRATIONS[integration_name(resource, path)]
        field = "Arguments" if jsonata else "Parameters"
        opaque = field not in task
        values = substitute(task.get(field) or {}, substitutions, [*path, field])
        if integration is INTEGRATIONS["lambda:function"]:
            values, opaque = {"FunctionName": resource}, False
        params = TaskParameters((*path, field), values, bindings or {}, jsonata, opaque)
        for grant in integration.grants_for(params):
            resources = merged.setdefault(grant.actions, [])
            for item in grant.resources(params, arn):
                if item not in resources:
                    resources.append(item)
    return [Statement(_sid(actions), actions, tuple(res)) for actions, res in merged.items()]


def derive_role_statements(definition: dict[str, Any], substitutions: Mapping[str, str], *,
                           arn: ArnContext,
                           bindings: Mapping[str, Sequence[str]] | None = None,
                           logging: bool = True, tracing: bool = True) -> list[Statement]:
    """Every statement the state machine's role needs: Tasks, then logging and tracing."""
    statements = derive_task_statements(definition, substitutions, arn=arn, bindings=bindings)
    if logging:
        statements.append(LOG_DELIVERY)
    if tracing:
        statements.append(XRAY)
    return statements


def policy_document(statements: Sequence[Statement]) -> dict[str, Any]:
    """An IAM policy document holding `statements`."""
    return {"Version": "2012-10-17", "Statement": [s.to_json() for s in statements]}


def _sid(actions: tuple[str, ...]) -> str:
    words = []
    for action in actions:
        service, _, name = action.partition(":")
        words.append(service.capitalize() + name if not words else name)
    return re.sub(r"[^A-Za-z0-9]", "", "".join(words))
