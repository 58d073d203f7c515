"""botocore service models for the aws-sdk and optimized integration checks (cached).

Step Functions names SDK services after the Java SDK v2 (`sfn`, `cloudwatchlogs`,
`acmpca`), botocore after its own file names (`stepfunctions`, `logs`, `acm-pca`). A name
that is not a botocore name is looked up through each model's `serviceId` with spaces
and hyphens removed, which is how the Java SDK derives its names; that index is built
only when such a name first appears.
"""

from __future__ import annotations

import difflib
from functools import cache, lru_cache
from typing import Any

_ALIASES = {"sfn": "stepfunctions", "cloudwatchlogs": "logs", "eventbridge": "events",
            "elasticloadbalancingv2": "elbv2", "elasticloadbalancing": "elb",
            "cognitoidentityprovider": "cognito-idp", "costexplorer": "ce"}

# Service names the developer guide lists for aws-sdk integrations (supported-services-awssdk)
# whose models recent botocore releases no longer ship (the services were retired or
# deprecated). Step Functions still lists them, so they are not "unknown": their actions
# and parameters simply cannot be checked here.
DOCUMENTED_WITHOUT_MODEL = frozenset({
    "apptest", "elasticinference", "elastictranscoder", "evidently", "finspace",
    "finspacedata", "honeycode", "iotanalytics", "iotevents", "ioteventsdata", "iotfleethub",
    "lookoutmetrics", "lookoutvision", "opsworks", "opsworkscm", "panorama",
    "privatenetworks", "qldb", "qldbsession", "robomaker", "simspaceweaver", "sms", "tnb",
})


@lru_cache(maxsize=1)
def _session() -> Any:
    import botocore.session

    return botocore.session.get_session()


@lru_cache(maxsize=1)
def _available() -> frozenset[str]:
    return frozenset(_session().get_available_services())


def _norm(name: str) -> str:
    return name.lower().replace("-", "").replace(" ", "").replace("_", "")


@lru_cache(maxsize=1)
def _service_id_index() -> dict[str, str]:
    index: dict[str, str] = {}
    loader = _session().get_component("data_loader")
    for name in sorted(_available()):
        index.setdefault(_norm(name), name)
        try:
            metadata = loader.load_service_model(name, "service-2")["metadata"]
        except Exception:  # noqa: BLE001 - a broken model only hides that one service
            continue
        service_id = _norm(metadata.get("serviceId", name))
        index.setdefault(service_id, name)
        # The Java SDK v2, whose names Step Functions uses, drops a trailing "Service":
        # "Database Migration Service" is aws-sdk:databasemigration, "Directory Service"
        # aws-sdk:directory, "Elasticsearch Service" aws-sdk:elasticsearch
        # (developer guide, supported-services-awssdk).
        if service_id.endswith("service") and len(service_id) > len("service"):
            index.setdefault(service_id.removesuffix("service"), name)
    return index


@cache
def botocore_name(sdk_name: str) -> str | None:
    """Map a Step Functions SDK service name to botocore's, or None if unknown."""
    if sdk_name in _ALIASES:
        return _ALIASES[sdk_name]
    if sdk_name in _available():
        return sdk_name
    return _service_id_index().get(_norm(sdk_name))


@cache
def service_model(name: str) -> Any:
    """The botocore ServiceModel of a botocore service name (cached)."""
    return _session().get_service_model(name)


def operation_name(model: Any, action: str) -> str | None:
    """botocore's operation for a camelCase Step Functions action, or None."""
    wanted = action[:1].upper() + action[1:]
    return wanted if wanted in model.operation_names else None


def closest(word: str, choices: list[str]) -> str:
    """A ' (did you mean X?)' hint, or an empty string."""
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def parameter_name(member: str) -> str:
    """The PascalCase name Step Functions uses for an API member."""
    if member == "Equals":
        return "EqualsValue"
    return member[:1].upper() + member[1:]


@cache
def input_members(service: str, operation: str) -> tuple[frozenset[str], frozenset[str]]:
    """(all member names, required member names) of an operation's input, PascalCase."""
    shape = service_model(service).operation_model(operation).input_shape
    if shape is None:
        return frozenset(), frozenset()
    members = frozenset(parameter_name(m) for m in shape.members)
    # An idempotency token (ClientToken of emr-serverless StartJobRun, fis StartExperiment...)
    # is filled in by the SDK when absent, so it is never missing (192 such members are
    # marked required in botocore's models).
    required = frozenset(parameter_name(m) for m in shape.required_members
                         if not shape.members[m].metadata.get("idempotencyToken"))
    return members, required


@cache
def error_names(service: str) -> frozenset[str]:
    """The exception names Step Functions raises for a service's modelled errors.

    Each error shape of the model counts with the "Exception" suffix, added when the
    model's own name lacks it: Step Functions always names the error that way (developer
    guide, supported-services-awssdk, "API naming conventions": S3's BucketAlreadyExists
    is caught as S3.BucketAlreadyExistsException). The bare model name is not included,
    because a retrier or catcher naming it never matches (asl/CHANGELOG.md, MetadataPipeline
    1.0.1: DynamoDB.RequestLimitExceeded).
    """
    model = service_model(service)
    names = set()
    for shape_name in getattr(model, "error_shapes", []) or []:
        name = getattr(shape_name, "name", shape_name)
        names.add(name if name.endswith("Exception") else name + "Exception")
    return frozenset(names)
