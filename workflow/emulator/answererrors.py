"""What a task answerer's Python exception becomes: the error AWS would report, per resource.

A `StatesError` is the answer itself. Any other exception is named by the resource family:
* Lambda (`lambda:invoke`, a bare function ARN): a function error, `<ClassName>` with the
  `{"errorMessage", "errorType", ...}` cause (AWS-FACTS.md, recorded 2024-11); a botocore
  `ClientError` is a Lambda service error instead (`Lambda.<Code>Exception`).
* `aws-sdk:<service>:*` and optimized integrations: a botocore `ClientError` gets Step
  Functions' name, `<Service>.<Code>Exception`, or `<Service>.<Service>Exception` for a code
  the service model does not declare (`workflow.integrations.aws.sfn_error_name`; AWS docs,
  supported-services-awssdk), so a Catch on `S3.NoSuchKeyException` sees a missing key.
  The optimized DynamoDB integration says `DynamoDB` (AWS-FACTS.md).
* Anything else (an activity, or a non-AWS exception from an SDK answerer) is a bug in the
  answerer, not something AWS would report: `Emulator.AnswererError`, naming the state,
  which no retrier or catcher sees (retry.error_matches).
"""

from __future__ import annotations

import json
import traceback

from workflow.emulator.errors import StatesError

ANSWERER_ERROR = "Emulator.AnswererError"
_STATES_PREFIX = "arn:aws:states:::"
# boto3's name of a service where the resource spells it differently.
_BOTO3_SERVICE = {"sfn": "stepfunctions", "eventbridge": "events"}
_MODELED: dict[str, frozenset[str] | None] = {}


def lambda_error_cause(exc: BaseException) -> tuple[str, str]:
    """An answerer's Python exception as AWS reports a Lambda function error.

    Error is the exception's bare class name, cause the compact JSON
    `{"errorMessage", "errorType", "requestId", "stackTrace"}` (AWS-FACTS.md, recorded 2024-11).
    """
    frames = traceback.format_tb(exc.__traceback__)[-5:]
    cause = {"errorMessage": str(exc), "errorType": type(exc).__name__, "requestId": "",
             "stackTrace": [f.strip() for f in frames]}
    return type(exc).__name__, json.dumps(cause, separators=(",", ":"))


def _service(resource: str) -> tuple[str | None, bool]:
    """The resource's service (`s3`, `lambda`, ...) and whether it is an aws-sdk one."""
    if not resource.startswith(_STATES_PREFIX):
        if ":lambda:" in resource and ":function:" in resource:
            return "lambda", False
        return None, False
    head, _, rest = resource[len(_STATES_PREFIX):].partition(":")
    if head == "aws-sdk":
        return rest.partition(":")[0] or None, True
    return head, False


def _declared_codes(service: str) -> frozenset[str] | None:
    """Error codes botocore's model of `service` declares (read from disk), or None."""
    if service not in _MODELED:
        try:
            import botocore.session

            model = botocore.session.get_session().get_service_model(
                _BOTO3_SERVICE.get(service, service))
            found: set[str] = set()
            for shape in model.error_shapes:
                found.add(shape.name)
                found.add(shape.metadata.get("error", {}).get("code", shape.name))
            _MODELED[service] = frozenset(found)
        except Exception:  # an unknown service or no botocore: trust the code as given
            _MODELED[service] = None
    return _MODELED[service]


def _client_error_name(service: str, sdk: bool, code: str) -> str:
    from workflow.integrations.aws import sfn_error_name, sfn_service_name

    declared = _declared_codes(service)
    modeled = declared is None or code in declared
    if service == "dynamodb" and not sdk:
        # The optimized integration (AWS-FACTS.md); its unmodeled name is the older SDK's
        # base class, as workflow.integrations.aws names it (unconfirmed by a recording).
        return sfn_error_name("DynamoDB", code, True) if modeled else (
            "DynamoDB.AmazonDynamoDBException")
    return sfn_error_name(sfn_service_name(service), code, modeled)


def answerer_failure(state: str, resource: str, exc: Exception) -> StatesError:
    """The `StatesError` an answerer's exception `exc` stands for (see the module rules)."""
    if isinstance(exc, StatesError):
        return exc
    service, sdk = _service(resource)
    try:
        from botocore.exceptions import ClientError
    except ImportError:  # pragma: no cover - botocore is a dependency
        ClientError = ()  # noqa: N806
    if service is not None and isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        code = str(error.get("Code", "Unknown"))
        prefix = "Lambda" if service == "lambda" else service
        cause = (f"{error.get('Message', '')} (Service: {prefix}, Status Code: "
                 f"{meta.get('HTTPStatusCode', 400)}, Request ID: {meta.get('RequestId', '')})")
        return StatesError(_client_error_name(service, sdk, code), cause)
    if service == "lambda" and not sdk:
        return StatesError(*lambda_error_cause(exc))
    return StatesError(ANSWERER_ERROR,
                       f"The task answerer for state '{state}' (resource {resource}) raised "
                       f"{type(exc).__name__}: {exc}")
