"""boto3-backed and in-process integrations, with Step Functions' error names.

Error naming (AWS docs, supported-services-awssdk): an `aws-sdk` integration's error is
`<ServiceName>.<ErrorName>`, both PascalCase, and the error name always carries the
`Exception` suffix even where the service's own code lacks it (S3 `NoSuchKey` ->
`S3.NoSuchKeyException`). Errors the service model does not declare collapse to
`<ServiceName>.<ServiceName>Exception` (AWS-FACTS.md: `S3.S3Exception`,
`DynamoDb.DynamoDbException`). The optimized `dynamodb:*` integrations name the service
`DynamoDB` instead (AWS-FACTS.md). The mapping is applied to botocore's parsed error code
(what moto or AWS put in the response), so the same code gives the same name either way.

Transport failures (botocore could not reach the endpoint or read the answer) become
`<ServiceName>.SdkClientException`, the name the pipeline's retriers list (inferred from
the SDK's client-side exception class; no AWS recording).
"""

from __future__ import annotations

import base64
import json
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from workflow.emulator.errors import StatesError
from workflow.emulator.execution import Call

# Step Functions' PascalCase service names (those of the Java SDK v2 clients) where they
# differ from a plain capitalisation of the resource's service name.
_SDK_SERVICE_NAMES: dict[str, str] = {
    "s3": "S3",
    "dynamodb": "DynamoDb",
    "lambda": "Lambda",
    "sqs": "Sqs",
    "sns": "Sns",
    "sfn": "Sfn",
    "eventbridge": "EventBridge",
    "acmpca": "AcmPca",
    "cloudwatch": "CloudWatch",
    "opensearchserverless": "OpenSearchServerless",
}
# Resource service names that boto3 spells differently.
_BOTO3_SERVICE: dict[str, str] = {"sfn": "stepfunctions", "eventbridge": "events"}
# The optimized DynamoDB integration: its actions, and the error names of unmodeled codes
# (such as ValidationException). `DynamoDB.AmazonDynamoDBException` is the older SDK's base
# class name: unconfirmed, no AWS recording in the corpus.
_OPTIMIZED_DYNAMODB_ACTIONS = frozenset({"getItem", "putItem", "deleteItem", "updateItem"})
_OPTIMIZED_DYNAMODB_UNMODELED = "DynamoDB.AmazonDynamoDBException"
_PREFIX = "arn:aws:states:::"
_LEGACY_LAMBDA_PREFIX = "arn:aws:lambda:"


def sfn_service_name(service: str) -> str:
    """The PascalCase service name of an `aws-sdk:<service>:*` resource (`dynamodb` -> `DynamoDb`)."""
    return _SDK_SERVICE_NAMES.get(service, service[:1].upper() + service[1:])


def sfn_error_name(prefix: str, code: str, modeled: bool) -> str:
    """`S3` + `NoSuchKey` -> `S3.NoSuchKeyException`; unmodeled -> `S3.S3Exception`."""
    if not modeled:
        return f"{prefix}.{prefix}Exception"
    return f"{prefix}.{code if code.endswith('Exception') else code + 'Exception'}"


@dataclass(frozen=True)
class _ErrorStyle:
    """How one integration family names and describes a service's errors."""

    prefix: str          # "S3", "DynamoDb" (aws-sdk) or "DynamoDB" (optimized)
    unmodeled: str       # the name of every error the service model does not declare
    optimized: bool      # the optimized integrations describe errors in the older format

    def name(self, code: str, modeled: bool) -> str:
        return sfn_error_name(self.prefix, code, True) if modeled else self.unmodeled

    def cause(self, message: str, code: str, status: int, request_id: str) -> str:
        if self.optimized:  # the older SDK's message format (inferred)
            return (f"{message} (Service: AmazonDynamoDBv2; Status Code: {status}; "
                    f"Error Code: {code}; Request ID: {request_id}; Proxy: null)")
        return f"{message} (Service: {self.prefix}, Status Code: {status}, Request ID: {request_id})"


def _sdk_style(service: str) -> _ErrorStyle:
    prefix = sfn_service_name(service)
    return _ErrorStyle(prefix, f"{prefix}.{prefix}Exception", optimized=False)


_OPTIMIZED_DYNAMODB_STYLE = _ErrorStyle("DynamoDB", _OPTIMIZED_DYNAMODB_UNMODELED, optimized=True)


@dataclass(frozen=True)
class LambdaFunction:
    """A Lambda function run in-process: its ARN and `handler(event, context)`."""

    arn: str
    handler: Callable[[Any, Any], Any]
    memory_mb: int = 256
    timeout_seconds: int = 30

    @property
    def name(self) -> str:
        """The function name: the seventh field of its ARN."""
        return _function_name(self.arn)


def _function_name(reference: str) -> str:
    """`arn:aws:lambda:r:a:function:name[:qualifier]`, `name:qualifier` or `name` -> `name`."""
    if reference.startswith("arn:"):
        parts = reference.split(":")
        return parts[6] if len(parts) > 6 else reference
    return reference.split(":")[0]


class _LambdaContext:
    """The attributes of the Python runtime's context object that handlers commonly read."""

    def __init__(self, fn: LambdaFunction, request_id: str):
        self.function_name = fn.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = fn.arn
        self.memory_limit_in_mb = str(fn.memory_mb)
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{fn.name}"
        self.log_stream_name = f"local/{request_id}"
        self._timeout_ms = fn.timeout_seconds * 1000

    def get_remaining_time_in_millis(self) -> int:
        return self._timeout_ms


class AwsIntegrations:
    """A task answerer for `aws-sdk:*`, `dynamodb:*` and in-process Lambda functions.

    `session` is a boto3 session (in `metapipe simulate` its calls go to moto);
    `functions` are the Lambda functions `lambda:invoke` (or a plain function ARN as the
    Resource) can reach, looked up by ARN or name.
    """

    def __init__(self, session=None, *, functions: Mapping[str, LambdaFunction] | None = None,
                 region: str = "us-east-1"):
        import boto3

        self.session = session or boto3.session.Session(region_name=region)
        self.region = region
        self._clients: dict[str, Any] = {}
        self._functions: dict[str, LambdaFunction] = {}
        for fn in (functions or {}).values():
            self._functions[fn.arn] = fn
            self._functions[fn.name] = fn

    def __call__(self, call: Call) -> Any:
        resource = call.resource
        if resource.startswith(_LEGACY_LAMBDA_PREFIX):  # a function ARN as the Resource
            return self._invoke({"FunctionName": resource, "Payload": call.arguments})["Payload"]
        if not resource.startswith(_PREFIX):
            raise StatesError("States.Runtime", f"The resource '{resource}' is not a service "
                              "integration this emulator can perform")
        rest = resource[len(_PREFIX):]
        if rest.startswith("aws-sdk:"):
            _, service, action = rest.split(":", 2)
            if "." in action:
                raise StatesError("States.Runtime", f"The integration pattern of '{resource}' "
                                  "is not supported locally")
            return self._sdk(service, action, call.arguments, _sdk_style(service))
        service, _, action = rest.partition(":")
        if service == "lambda" and action == "invoke":
            return self._invoke(call.arguments)
        if service == "dynamodb" and action in _OPTIMIZED_DYNAMODB_ACTIONS:
            return self._sdk(service, action, call.arguments, _OPTIMIZED_DYNAMODB_STYLE)
        raise StatesError("States.Runtime", f"The integration '{resource}' is not supported "
                          "locally")

    # --- aws-sdk and dynamodb -----------------------------------------------------------

    def _client(self, service: str):
        name = _BOTO3_SERVICE.get(service, service)
        if name not in self._clients:
            self._clients[name] = self.session.client(name, region_name=self.region)
        return self._clients[name]

    def _sdk(self, service: str, action: str, arguments: Any, style: _ErrorStyle) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

        client = self._client(service)
        operation = action[:1].upper() + action[1:]
        method_name = _method_name(client, operation)
        if method_name is None:
            raise StatesError("States.Runtime", f"{style.prefix} has no action '{action}'")
        if not isinstance(arguments, dict | None):
            raise StatesError(style.name("ValidationException", False),
                              "The request parameters must be a JSON object")
        try:
            response = getattr(client, method_name)(**(arguments or {}))
        except ParamValidationError as exc:
            # AWS would answer a 400 ValidationException, which no service model declares.
            raise StatesError(style.name("ValidationException", False),
                              style.cause(_one_line(str(exc)), "ValidationException", 400,
                                          "local")) from None
        except ClientError as exc:
            error = exc.response.get("Error", {})
            meta = exc.response.get("ResponseMetadata", {})
            code = str(error.get("Code", "Unknown"))
            raise StatesError(
                style.name(code, _is_modeled(client, code)),
                style.cause(str(error.get("Message", "")), code,
                            meta.get("HTTPStatusCode", 400), meta.get("RequestId", "")),
            ) from None
        except BotoCoreError as exc:  # could not reach the endpoint or read its answer
            raise StatesError(f"{style.prefix}.SdkClientException", _one_line(str(exc))) from None
        return _to_sfn_json(response)

    # --- lambda:invoke, in-process ------------------------------------------------------

    def _invoke(self, arguments: Any) -> Any:
        arguments = arguments if isinstance(arguments, dict) else {}
        name = str(arguments.get("FunctionName", ""))
        fn = self._functions.get(name) or self._functions.get(_function_name(name))
        if fn is None:
            raise StatesError("Lambda.ResourceNotFoundException",
                              f"Function not found: {name} (Service: Lambda, Status Code: 404, "
                              "Request ID: local)")
        request_id = str(uuid.uuid4())
        event = json.loads(json.dumps(arguments.get("Payload")))  # the handler gets its own copy
        try:
            result = fn.handler(event, _LambdaContext(fn, request_id))
        except Exception as exc:  # a function error: surfaces as its errorType (AWS-FACTS.md)
            raise StatesError(type(exc).__name__, _function_error_cause(exc, request_id)) from None
        try:
            payload = json.loads(json.dumps(result))  # must be JSON-serialisable, as in Lambda
        except (TypeError, ValueError) as exc:
            # The Python runtime's own error for an unserialisable result.
            raise StatesError("Runtime.MarshalError", json.dumps({
                "errorMessage": f"Unable to marshal response: {exc}",
                "errorType": "Runtime.MarshalError", "requestId": request_id, "stackTrace": [],
            }, separators=(",", ":"))) from None
        return {
            "ExecutedVersion": "$LATEST",
            "Payload": payload,
            "SdkHttpMetadata": {"HttpStatusCode": 200},
            "SdkResponseMetadata": {"RequestId": request_id},
            "StatusCode": 200,
        }


def _function_error_cause(exc: BaseException, request_id: str) -> str:
    """The compact JSON cause of a Lambda function error (AWS-FACTS.md, recorded 2024-11).

    The stack trace starts at the handler's own frame, as the Python runtime reports it:
    the frame of this in-process invoker is dropped.
    """
    frames = traceback.extract_tb(exc.__traceback__)[1:]
    return json.dumps({
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }, separators=(",", ":"))


def _method_name(client, operation: str) -> str | None:
    for method, api in client.meta.method_to_api_mapping.items():
        if api == operation:
            return method
    return None


_MODELED_CACHE: dict[str, frozenset[str]] = {}


def _is_modeled(client, code: str) -> bool:
    """True when `code` is an error shape of the service model (of any operation).

    The SDK Step Functions uses maps an error code to an exception class across the whole
    service, not per operation: S3 `NoSuchBucket` is not among GetObject's declared errors,
    yet a missing bucket fails getObject with `S3.NoSuchBucketException` (AWS-FACTS.md).
    Caveat (unconfirmed): the newest botocore S3 model also declares `AccessDenied`; if Step
    Functions' SDK model predates it, AWS reports `S3.S3Exception` where we say
    `S3.AccessDeniedException`.
    """
    model = client.meta.service_model
    names = _MODELED_CACHE.get(model.service_name)
    if names is None:
        found: set[str] = set()
        for shape in model.error_shapes:
            found.add(shape.name)
            found.add(shape.metadata.get("error", {}).get("code", shape.name))
        names = _MODELED_CACHE[model.service_name] = frozenset(found)
    return code in names


def _to_sfn_json(value: Any) -> Any:
    """boto3's answer as Step Functions returns it.

    No ResponseMetadata; streams read as UTF-8 text, undecodable bytes replaced by U+FFFD
    as a Java String decoding would (inferred: AWS-FACTS.md only says Body is a string);
    timestamps as ISO-8601 strings; other bytes base64.
    """
    if isinstance(value, dict):
        return {k: _to_sfn_json(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_to_sfn_json(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if hasattr(value, "read"):  # botocore StreamingBody
        return value.read().decode("utf-8", errors="replace")
    return value


def _one_line(text: str) -> str:
    return " ".join(text.split())
