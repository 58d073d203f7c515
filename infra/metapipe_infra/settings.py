"""Deployment settings, read from CDK context (`cdk.json` or `-c key=value`), validated once.

Every setting has a default, so `python infra/app.py` synthesizes with no context at all.
`cdk.json` lists the same defaults so they are visible; a test keeps the two in step.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

# OpenSearch Serverless collection, security policy and access policy names: 3-32
# characters, lowercase letters, digits and hyphens, starting with a letter (API reference,
# CreateCollection / CreateSecurityPolicy / CreateAccessPolicy: length 3-32, [a-z][a-z0-9-]+).
AOSS_NAME = re.compile(r"^[a-z][a-z0-9-]{2,31}$")
# The stack names each policy `<collectionName><suffix>`; every one must fit AOSS_NAME, so
# the collection name is capped by the longest suffix ("-data": 32 - 5 = 27 characters).
POLICY_NAME_SUFFIXES = {"encryption": "-enc", "network": "-net", "data": "-data"}
COLLECTION_NAME_MAX = 32 - max(len(suffix) for suffix in POLICY_NAME_SUFFIXES.values())
_COLLECTION_NAME = re.compile(rf"^[a-z][a-z0-9-]{{2,{COLLECTION_NAME_MAX - 1}}}$")


def policy_name(collection_name: str, kind: str) -> str:
    """The name of the collection's `encryption`, `network` or `data` policy."""
    return collection_name + POLICY_NAME_SUFFIXES[kind]

_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_STATE_MACHINE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_IAM_PRINCIPAL = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::\d{12}:(role|user|assumed-role)/[A-Za-z0-9+=,.@_/-]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_VPC_ENDPOINT_ID = re.compile(r"^vpce-[0-9a-z]{8,32}$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_SECURITY_GROUP_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")

# Step Functions log levels offered. OFF is not: the Express recorder has no history
# anywhere but its logs (AWS docs, cw-logs).
LOG_LEVELS = ("ALL", "ERROR", "FATAL")
NETWORK_ACCESS = ("public", "vpc")

# List-valued settings: field -> what each element is, for the error message.
_LIST_FIELDS = {
    "dashboard_reader_principals": "IAM principal ARNs",
    "vpc_endpoint_ids": "OpenSearch Serverless VPC endpoint ids (vpce-...)",
    "indexer_subnet_ids": "subnet ids (subnet-...)",
    "indexer_security_group_ids": "security group ids (sg-...)",
}


class SettingsError(ValueError):
    """A context value is unusable; the message names the context key."""


@dataclass(frozen=True)
class Settings:
    """What a deployment can choose; the CDK context key is the field name in camelCase."""

    bucket_name: str | None = None
    collection_name: str = "metapipe"
    collection_type: str = "SEARCH"
    standby_replicas: str = "DISABLED"
    dashboard_reader_principals: tuple[str, ...] = ()
    alarm_email: str | None = None
    state_machine_name: str = "MetadataPipeline"
    recorder_name: str = "ExecutionFailureRecorder"
    log_retention_days: int = 30
    # ERROR logs only failure events; with execution data off, no state input or output
    # (metadata bodies) reaches CloudWatch Logs. docs/deploy.md says why.
    log_level: str = "ERROR"
    log_execution_data: bool = False
    # "public": the collection endpoint and Dashboards are reachable from the internet, every
    # request still needing IAM and the data access policy; "vpc": only through
    # `vpc_endpoint_ids`, and the indexer runs in `indexer_subnet_ids`.
    network_access: str = "public"
    vpc_endpoint_ids: tuple[str, ...] = ()
    indexer_subnet_ids: tuple[str, ...] = ()
    indexer_security_group_ids: tuple[str, ...] = ()

    @classmethod
    def from_context(cls, get: Callable[[str], Any]) -> Settings:
        """Build settings from a context getter (`node.try_get_context`), validating each."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = get(_camel(f.name))
            if raw is not None and raw != "":
                values[f.name] = raw
        for name, what in _LIST_FIELDS.items():
            if name in values:
                values[name] = _string_list(values[name], _camel(name), what)
        if "log_execution_data" in values:
            values["log_execution_data"] = _boolean(values["log_execution_data"],
                                                    "logExecutionData")
        if "log_retention_days" in values:
            try:
                values["log_retention_days"] = int(values["log_retention_days"])
            except (TypeError, ValueError):
                raise SettingsError("logRetentionDays must be a whole number of days") from None
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise `SettingsError` naming the first unusable value."""
        if self.bucket_name is not None and not _BUCKET_NAME.match(self.bucket_name):
            raise SettingsError(f"bucketName {self.bucket_name!r} is not a valid S3 bucket name")
        if not _COLLECTION_NAME.match(self.collection_name):
            longest = max(POLICY_NAME_SUFFIXES.values(), key=len)
            raise SettingsError(
                f"collectionName {self.collection_name!r} must be 3-{COLLECTION_NAME_MAX} "
                "lowercase letters, digits or hyphens, starting with a letter: its policies "
                f"are named <collectionName>{longest} and the like, and OpenSearch Serverless "
                "allows 32 characters"
            )
        if self.collection_type not in ("SEARCH", "TIMESERIES"):
            raise SettingsError("collectionType must be SEARCH or TIMESERIES")
        if self.standby_replicas not in ("ENABLED", "DISABLED"):
            raise SettingsError("standbyReplicas must be ENABLED or DISABLED")
        for principal in self.dashboard_reader_principals:
            if not _IAM_PRINCIPAL.match(principal):
                raise SettingsError(
                    f"dashboardReaderPrincipals: {principal!r} is not an IAM role or user ARN "
                    "(wildcards are never accepted)"
                )
        if self.alarm_email is not None and not _EMAIL.match(self.alarm_email):
            raise SettingsError(f"alarmEmail {self.alarm_email!r} is not an e-mail address")
        for key, name in (("stateMachineName", self.state_machine_name),
                          ("recorderName", self.recorder_name)):
            if not _STATE_MACHINE_NAME.match(name):
                raise SettingsError(f"{key} {name!r} is not a valid state machine name")
        if self.log_retention_days not in _RETENTION_DAYS:
            raise SettingsError(f"logRetentionDays must be one of {sorted(_RETENTION_DAYS)}")
        if self.log_level not in LOG_LEVELS:
            raise SettingsError(f"logLevel must be one of {', '.join(LOG_LEVELS)}")
        if not isinstance(self.log_execution_data, bool):
            raise SettingsError("logExecutionData must be true or false")
        self._validate_network()

    def _validate_network(self) -> None:
        if self.network_access not in NETWORK_ACCESS:
            raise SettingsError("networkAccess must be public or vpc")
        for field, pattern, purpose in _VPC_LISTS:
            key, ids = _camel(field), getattr(self, field)
            if self.network_access == "public" and ids:
                raise SettingsError(f"{key} is only used with networkAccess=vpc")
            if self.network_access == "vpc" and not ids:
                raise SettingsError(f"networkAccess=vpc needs {key}: {purpose}")
            for item in ids:
                if not pattern.match(item):
                    raise SettingsError(f"{key}: {item!r} is not a valid id")


# The lists networkAccess=vpc requires: field, the form of an element, what it is for.
_VPC_LISTS = (
    ("vpc_endpoint_ids", _VPC_ENDPOINT_ID,
     "the OpenSearch Serverless VPC endpoints allowed to reach the collection and Dashboards"),
    ("indexer_subnet_ids", _SUBNET_ID,
     "the subnets the indexer Lambda runs in, to reach the collection through an endpoint"),
    ("indexer_security_group_ids", _SECURITY_GROUP_ID,
     "the security groups of the indexer Lambda's network interfaces"),
)


# Log retentions offered (days -> the name of CDK's `RetentionDays` member).
RETENTION_NAMES = {1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK",
                   14: "TWO_WEEKS", 30: "ONE_MONTH", 60: "TWO_MONTHS", 90: "THREE_MONTHS",
                   180: "SIX_MONTHS", 365: "ONE_YEAR", 731: "TWO_YEARS", 1827: "FIVE_YEARS"}
_RETENTION_DAYS = frozenset(RETENTION_NAMES)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _boolean(raw: Any, key: str) -> bool:
    """Accept a JSON boolean (cdk.json) or the text `true`/`false` (`-c key=true`)."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise SettingsError(f"{key} must be true or false")


def _string_list(raw: Any, key: str, what: str) -> tuple[str, ...]:
    """Accept a list, a JSON list in a string (`-c k='["a"]'`) or a comma-separated string."""
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith("["):
            try:
                raw = json.loads(text)
            except ValueError:
                raise SettingsError(f"{key} is not a valid JSON list") from None
        else:
            raw = [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(raw, list | tuple) or not all(isinstance(x, str) for x in raw):
        raise SettingsError(f"{key} must be a list of {what}")
    return tuple(raw)


def context_defaults() -> dict[str, Any]:
    """The defaults as CDK context keys (what `cdk.json` documents)."""
    out = {}
    for f in fields(Settings):
        value = f.default
        out[_camel(f.name)] = list(value) if isinstance(value, tuple) else value
    return out
