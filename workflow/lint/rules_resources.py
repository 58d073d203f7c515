"""Resource rules: ARNs, definition substitutions, optimized and aws-sdk integrations.

aws-sdk actions and parameters are checked against botocore's service models (see
`sdk.py`); optimized integrations against the table below, from the developer guide
page "Integrating services with Step Functions" (supported patterns per API).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from workflow.lint import sdk
from workflow.lint.context import EXPRESS, JSONATA, LintContext, StateInfo
from workflow.lint.diagnostic import ERROR, WARNING, Diagnostic, Loc
from workflow.lint.rule import rule
from workflow.lint.rules_errors import error_lists

NOT_ARN = rule("ASL040", "resource-not-uri", ERROR,
               "Resource {value!r} is neither an ARN nor a ${{Placeholder}}", """
    What it checks: a Task (or ItemReader/ResultWriter) Resource is an ARN or a
    CloudFormation definition substitution such as "${FunctionArn}".
    Why it matters: Step Functions rejects any other Resource.
    Example: "Resource": "MyFunction".
""")
NOT_AWS_ARN = rule("ASL041", "resource-not-aws-arn", WARNING,
                   "Resource {value!r} is a URI but not an AWS ARN", """
    What it checks: a Resource that has a scheme ("foo:bar", "arn:x") but is not an AWS
    ARN ("arn:aws:service:region:account:resource").
    Why it matters: Step Functions rejects it when the machine is created. The ASL
    specification only asks for a URI and the reference fixtures use such placeholders,
    so this is a warning, not an error (see docs/lint.md).
    Example: "Resource": "foo:bar".
""")
BAD_PLACEHOLDER = rule("ASL042", "malformed-substitution", ERROR,
                       "{value!r} has an unclosed or empty ${{...}} placeholder", """
    What it checks: CloudFormation/SAM/CDK definition substitutions are well formed:
    "${Name}" with a closing brace and a name.
    Why it matters: the placeholder is not substituted and the raw text reaches Step
    Functions, which rejects it.
    Example: "Resource": "${LambdaArn".
""")
UNKNOWN_INTEGRATION = rule("ASL043", "unknown-optimized-integration", ERROR,
                           "{service}:{action} is not a Step Functions optimized integration{hint}",
                           """
    What it checks: "arn:aws:states:::SERVICE:ACTION" names a known optimized integration.
    Why it matters: AWS rejects unknown integrations at creation.
    Example: "arn:aws:states:::dynamodb:fetchItem".
""")
BAD_PATTERN = rule("ASL044", "unsupported-integration-pattern", ERROR,
                   "{service}:{action} does not support .{pattern}", """
    What it checks: ".sync", ".sync:2" and ".waitForTaskToken" only where the
    integration supports them (aws-sdk integrations never support .sync).
    Why it matters: AWS rejects the definition.
    Example: "arn:aws:states:::dynamodb:getItem.sync".
""")
UNKNOWN_SDK_SERVICE = rule("ASL045", "unknown-sdk-service", ERROR,
                           "aws-sdk service {service!r} does not exist{hint}", """
    What it checks: the service of "arn:aws:states:::aws-sdk:SERVICE:ACTION" exists in
    botocore's service models (Step Functions names such as sfn are mapped).
    Why it matters: AWS rejects the definition.
    Example: "arn:aws:states:::aws-sdk:s4:getObject".
""")
UNKNOWN_SDK_ACTION = rule("ASL046", "unknown-sdk-action", ERROR,
                          "{service} has no action {action!r}{hint}", """
    What it checks: the action exists for that service; actions are written in camelCase
    (getObject for GetObject).
    Why it matters: AWS rejects the definition.
    Example: "arn:aws:states:::aws-sdk:s3:getObjectz".
""")
UNKNOWN_PARAMETER = rule("ASL047", "unknown-parameter", ERROR,
                         "{operation} has no parameter {name!r}{hint}", """
    What it checks: each static key of Parameters (JSONPath) or Arguments (JSONata) of an
    aws-sdk or optimized integration is a member of the API's input shape.
    Why it matters: the call fails with a validation error at run time.
    Example: aws-sdk:s3:getObject with "BucketName" instead of "Bucket".
""")
MISSING_PARAMETER = rule("ASL048", "missing-parameter", ERROR,
                         "{operation} requires parameter {name!r}", """
    What it checks: required members of the API's input shape are present (as "X" or
    "X.$").
    Why it matters: the call fails with a validation error at run time.
    Example: aws-sdk:dynamodb:getItem without "Key".
""")
BAD_LAMBDA_ARN = rule("ASL049", "invalid-lambda-arn", ERROR,
                      "Lambda function ARN {value!r} has an invalid qualifier", """
    What it checks: a Lambda function ARN used as Resource ends with the function name
    or a valid version or alias (letters, digits, - and _, or $LATEST).
    Why it matters: AWS rejects the Resource.
    Example: "arn:aws:lambda:us-east-1:123456789012:function:f:" (empty alias).
""")
UNKNOWN_SDK_ERROR = rule("ASL050", "unknown-service-error", WARNING,
                         "{name!r} is not an error {service} raises in Step Functions{hint}", """
    What it checks: an error name such as "S3.NoSuchKeyException" in the ErrorEquals of
    an aws-sdk or optimized Task names an exception its service model defines, written
    as Step Functions raises it: always with the "Exception" suffix, added when the
    model's own name lacks it (S3's NoSuchKey is "S3.NoSuchKeyException", DynamoDB's
    RequestLimitExceeded is "DynamoDB.RequestLimitExceededException"; developer guide,
    supported-services-awssdk, "API naming conventions"). The generic S3.S3Exception /
    DynamoDb.DynamoDbException forms and the Java SDK base classes such as
    Lambda.AWSLambdaException and DynamoDB.AmazonDynamoDBException are accepted.
    Why it matters: a misspelt exception, or one without its suffix, never matches, so the
    retrier or catcher does nothing (the pipeline once retried
    "DynamoDB.RequestLimitExceeded": asl/CHANGELOG.md, MetadataPipeline 1.0.1).
    Example: "ErrorEquals": ["S3.NoSuchKey"] or ["S3.NoSuchKeyExeption"].
""")
EXPRESS_PATTERN = rule("ASL051", "express-unsupported-pattern", ERROR,
                       "an EXPRESS state machine does not support the .{pattern} integration "
                       "pattern (only Request Response)", """
    What it checks: in an EXPRESS state machine (metapipe lint --type express), no Task
    Resource ends in ".sync", ".sync:2" or ".waitForTaskToken", whatever the service.
    Why it matters: Step Functions rejects the definition at CreateStateMachine with
    "Express state machine does not support '.sync' service integration" (or
    '.waitForTaskToken') at the Resource (AWS-recorded: aws-recorded corpus,
    test_sfn_api_express::test_illegal_callbacks[SYNC] and [WAIT_FOR_TASK_TOKEN],
    test_validate_state_machine_definition_type_express[ILLEGAL_WFTT]). The developer
    guide page "Integrating optimized services with Step Functions" (integrate-optimized)
    says Express Workflows only support Request Response integrations; ".sync:2" of
    states:startExecution is a Run a Job (.sync) variant (connect-stepfunctions), so it is
    rejected too. The same definition is fine in a STANDARD machine.
    Example: "Resource": "arn:aws:states:::states:startExecution.sync" with --type express.
""")
CREDENTIALS_ROLE = rule("ASL052", "credentials-without-role-arn", ERROR,
                        "Credentials has no {want}{hint}", """
    What it checks: a Task's Credentials object names the role to assume: "RoleArn" (a
    string) or, in JSONPath states, "RoleArn.$" (a path, variable, context path or
    intrinsic call). In JSONata states it is "RoleArn", whose value may be a "{% %}"
    expression; "RoleArn.$" does not count there. The keys are case-sensitive.
    Why it matters: Step Functions rejects the definition with "SCHEMA_VALIDATION_FAILED:
    The field 'RoleArn' is required but was missing at /States/<state>/Credentials", for
    an empty Credentials and for one holding only other fields (AWS-recorded: aws-recorded
    corpus, test_credentials_base::test_invalid_credentials_field[EMPTY_CREDENTIALS] and
    [INVALID_CREDENTIALS_FIELD], both JSONata; the JSONPath case is inferred from the same
    schema message). The accepted forms follow the developer guide (state-task,
    Credentials) and AWS-recorded cross-account runs using RoleArn, "RoleArn.$" with a
    path, a variable or States.Format, and a JSONata RoleArn.
    Example: "Credentials": {} or "Credentials": {"roleArn": "arn:aws:iam::1:role/r"}.
""")

RR, SYNC, SYNC2, WFT = "", "sync", "sync:2", "waitForTaskToken"
_RW = frozenset({RR, WFT})
_RS = frozenset({RR, SYNC})
_RSW = frozenset({RR, SYNC, WFT})
_R = frozenset({RR})

# service -> action -> supported patterns; (botocore service, operation) for parameters.
# Checked entry by entry against the developer guide (docs/lint.md, Real-world check):
# the service x pattern table of integrate-optimized / connect-supported-services and each
# service's connect-* page. Comments name what a page changed or left unconfirmed.
OPTIMIZED: dict[str, dict[str, frozenset[str]]] = {
    "lambda": {"invoke": _RW}, "sqs": {"sendMessage": _RW}, "sns": {"publish": _RW},
    "dynamodb": {"getItem": _R, "putItem": _R, "updateItem": _R, "deleteItem": _R},
    "states": {"startExecution": frozenset({RR, SYNC, SYNC2, WFT})},
    "events": {"putEvents": _RW}, "apigateway": {"invoke": _RW}, "http": {"invoke": _R},
    "ecs": {"runTask": _RSW},
    # integrate-optimized: AWS Batch and Amazon Athena are "Not supported" for Wait for
    # Callback (connect-athena's table has only Request Response and .sync columns).
    "batch": {"submitJob": _RS},
    # The table's ticks give Glue no .waitForTaskToken either, but its IAM page has a
    # "Request Response and Callback" policy: unconfirmed, kept so no false error.
    "glue": {"startJobRun": _RSW},
    "athena": {"startQueryExecution": _RS, "stopQueryExecution": _R,
               "getQueryExecution": _R, "getQueryResults": _R},
    # connect-codebuild's API x pattern table lists the build-batch APIs too.
    "codebuild": {"startBuild": _RS, "stopBuild": _R, "batchDeleteBuilds": _R,
                  "batchGetReports": _R, "startBuildBatch": _RS, "stopBuildBatch": _R,
                  "retryBuildBatch": _RS, "deleteBuildBatch": _R},
    "databrew": {"startJobRun": _RS},
    "eks": {"createCluster": _RS, "deleteCluster": _RS, "createFargateProfile": _RS,
            "deleteFargateProfile": _RS, "createNodegroup": _RS, "deleteNodegroup": _RS,
            "runJob": _RS, "call": _R},
    "elasticmapreduce": {"createCluster": _RS, "terminateCluster": _RS, "addStep": _RS,
                         "cancelStep": _R, "setClusterTerminationProtection": _R,
                         "modifyInstanceFleetByName": _R, "modifyInstanceGroupByName": _R},
    "emr-containers": {"startJobRun": _RS, "createVirtualCluster": _R,
                       "deleteVirtualCluster": _RS},
    "emr-serverless": {a: _RS for a in ("createApplication", "startApplication",
                                        "stopApplication", "deleteApplication",
                                        "startJobRun", "cancelJobRun")},
    "sagemaker": {"createTrainingJob": _RS, "createTransformJob": _RS,
                  "createProcessingJob": _RS, "createHyperParameterTuningJob": _RS,
                  "createLabelingJob": _RS, "createModel": _R, "createEndpoint": _R,
                  "createEndpointConfig": _R, "updateEndpoint": _R},
    # connect-bedrock: InvokeModel, and CreateModelCustomizationJob with or without .sync.
    # The service table also ticks Wait for Callback for Bedrock without naming an API:
    # unconfirmed per API, so not added.
    "bedrock": {"invokeModel": _R, "createModelCustomizationJob": _RS},
    # connect-bedrockagentcore: InvokeHarness, Request Response only.
    "bedrockagentcore": {"invokeHarness": _R},
    "mediaconvert": {"createJob": _RS},
    # Neither is in the guide's optimized table (S3 getObject / listObjectsV2 are Map
    # ItemReader resources); kept, as the guide does not say they are rejected as Tasks.
    "evidently": {}, "s3": {"getObject": _R, "listObjectsV2": _R},
}
# Optimized integrations whose parameters are the API's own input members.
OPTIMIZED_MODELS = {
    ("lambda", "invoke"): ("lambda", "Invoke"), ("sqs", "sendMessage"): ("sqs", "SendMessage"),
    ("sns", "publish"): ("sns", "Publish"), ("events", "putEvents"): ("events", "PutEvents"),
    ("dynamodb", "getItem"): ("dynamodb", "GetItem"),
    ("dynamodb", "putItem"): ("dynamodb", "PutItem"),
    ("dynamodb", "updateItem"): ("dynamodb", "UpdateItem"),
    ("dynamodb", "deleteItem"): ("dynamodb", "DeleteItem"),
    ("states", "startExecution"): ("stepfunctions", "StartExecution"),
    ("batch", "submitJob"): ("batch", "SubmitJob"), ("glue", "startJobRun"): ("glue", "StartJobRun"),
}
# Error-name prefixes of optimized integrations (concepts-error-handling; AWS-FACTS.md).
ERROR_PREFIX = {"lambda": "Lambda", "dynamodb": "DynamoDB", "sqs": "SQS", "sns": "SNS"}

_PLACEHOLDER = re.compile(r"\$\{[^${}]+\}")
_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f):"
                  r"([a-z0-9-]+):([A-Za-z0-9-]*):([^:]*):(.+)$")
_INTEGRATION = re.compile(r"^arn:[a-z-]+:states:::(aws-sdk:)?([A-Za-z0-9-]+):"
                          r"([A-Za-z0-9]+)(?:\.(sync:2|sync|waitForTaskToken))?$")
_LAMBDA = re.compile(r"^function:[A-Za-z0-9_-]+(:(\$LATEST|[A-Za-z0-9_-]+))?$")


@dataclass(frozen=True)
class ResourceRef:
    """A Resource string with its state and location."""

    value: str
    state: StateInfo
    loc: Loc


def resources(ctx: LintContext) -> Iterator[ResourceRef]:
    """Yield every string Resource: Task states, ItemReader and ResultWriter."""
    for state in ctx.states:
        if state.type == "Task" and isinstance(state.get("Resource"), str):
            yield ResourceRef(state.get("Resource"), state, state.loc.child("Resource"))
        if state.type == "Map":
            for key in ("ItemReader", "ResultWriter"):
                sub = state.get(key)
                if isinstance(sub, dict) and isinstance(sub.get("Resource"), str):
                    yield ResourceRef(sub["Resource"], state, state.loc.child(key, "Resource"))


def has_placeholder(value: str) -> bool:
    """True when a string contains a `${...}` substitution (well formed or not)."""
    return "${" in value


@NOT_ARN.check
def _resource_form(ctx: LintContext) -> Iterable[Diagnostic]:
    for ref in resources(ctx):
        value = ref.value
        if has_placeholder(value):
            if _PLACEHOLDER.sub("", value).count("${"):
                yield BAD_PLACEHOLDER.at(ref.loc, value=value)
            continue
        if value.startswith("arn:") and _ARN.match(value):
            match = _ARN.match(value)
            if match.group(2) == "lambda" and not _LAMBDA.match(match.group(5)):
                yield BAD_LAMBDA_ARN.at(ref.loc, value=value)
            continue
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:.", value):
            yield NOT_AWS_ARN.at(ref.loc, value=value)
        else:
            yield NOT_ARN.at(ref.loc, value=value)


@BAD_PLACEHOLDER.check
def _placeholders_elsewhere(ctx: LintContext) -> Iterable[Diagnostic]:
    """Unclosed `${` in other string values of Task parameters (substituted anywhere)."""
    for state in ctx.states_of_type("Task"):
        for key in ("Parameters", "Arguments"):
            yield from _walk_strings(state.get(key), state.loc.child(key))


def _walk_strings(node, loc: Loc) -> Iterator[Diagnostic]:
    if isinstance(node, str):
        if "${" in node and _PLACEHOLDER.sub("", node).count("${") and "{%" not in node:
            yield BAD_PLACEHOLDER.at(loc, value=node)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _walk_strings(value, loc.child(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk_strings(value, loc.child(i))


@dataclass(frozen=True)
class Integration:
    """A parsed `arn:aws:states:::...` Task resource."""

    sdk: bool
    service: str
    action: str
    pattern: str
    ref: ResourceRef


def integrations(ctx: LintContext) -> Iterator[Integration]:
    """Yield every Task Resource that is a service integration ARN."""
    for ref in resources(ctx):
        if ref.loc.parts[-2] != ref.state.name and ref.state.type == "Map":
            continue  # ItemReader/ResultWriter resources use their own parameter model
        match = _INTEGRATION.match(ref.value)
        if match:
            yield Integration(bool(match.group(1)), match.group(2), match.group(3),
                              match.group(4) or "", ref)


@UNKNOWN_INTEGRATION.check
def _optimized(ctx: LintContext) -> Iterable[Diagnostic]:
    for item in integrations(ctx):
        if item.sdk:
            continue
        actions = OPTIMIZED.get(item.service)
        if actions is None:
            hint = sdk.closest(item.service, sorted(OPTIMIZED))
            yield UNKNOWN_INTEGRATION.at(item.ref.loc, service=item.service, action=item.action,
                                         hint=hint or " (use aws-sdk:SERVICE:ACTION)")
        elif item.action not in actions:
            yield UNKNOWN_INTEGRATION.at(item.ref.loc, service=item.service, action=item.action,
                                         hint=sdk.closest(item.action, sorted(actions)))
        elif item.pattern not in actions[item.action]:
            yield BAD_PATTERN.at(item.ref.loc, service=item.service, action=item.action,
                                 pattern=item.pattern)


def _target_operation(item: Integration) -> tuple[str, str] | None:
    """(botocore service, operation) whose input the integration's parameters follow."""
    if not item.sdk:
        return OPTIMIZED_MODELS.get((item.service, item.action))
    name = sdk.botocore_name(item.service)
    if name is None:
        return None
    operation = sdk.operation_name(sdk.service_model(name), item.action)
    return (name, operation) if operation else None


@UNKNOWN_SDK_SERVICE.check
def _sdk(ctx: LintContext) -> Iterable[Diagnostic]:
    for item in integrations(ctx):
        if not item.sdk:
            continue
        if item.pattern in (SYNC, SYNC2):
            yield BAD_PATTERN.at(item.ref.loc, service=f"aws-sdk:{item.service}",
                                 action=item.action, pattern=item.pattern)
        name = sdk.botocore_name(item.service)
        if name is None:
            if item.service not in sdk.DOCUMENTED_WITHOUT_MODEL:
                yield UNKNOWN_SDK_SERVICE.at(item.ref.loc, service=item.service, hint="")
            continue
        model = sdk.service_model(name)
        if sdk.operation_name(model, item.action) is None:
            actions = [op[:1].lower() + op[1:] for op in model.operation_names]
            yield UNKNOWN_SDK_ACTION.at(item.ref.loc, service=item.service, action=item.action,
                                        hint=sdk.closest(item.action, actions))


@UNKNOWN_PARAMETER.check
def _parameters(ctx: LintContext) -> Iterable[Diagnostic]:
    for item in integrations(ctx):
        target = _target_operation(item)
        if target is None:
            continue
        state = item.ref.state
        key = "Arguments" if state.query_language == JSONATA else "Parameters"
        params = state.get(key)
        if not isinstance(params, dict):
            continue
        members, required = sdk.input_members(*target)
        given = {k[:-2] if k.endswith(".$") else k: k for k in params if isinstance(k, str)}
        # Names are compared without case: Step Functions' aws-sdk integrations take the
        # AWS SDK for Java v2 spelling of a member (`DbInstanceIdentifier` for botocore's
        # `DBInstanceIdentifier`; deployed AWS samples read `$.DbInstances[0]` back), which
        # differs from botocore's only in the case of acronyms.
        folded_members = {m.casefold() for m in members}
        folded_given = {name.casefold() for name in given}
        operation = f"{item.service}:{item.action}"
        for name, raw in given.items():
            if name.casefold() not in folded_members:
                yield UNKNOWN_PARAMETER.at(state.loc.child(key, raw), operation=operation,
                                           name=name, hint=sdk.closest(name, sorted(members)))
        for name in sorted(required):
            if name.casefold() not in folded_given:
                yield MISSING_PARAMETER.at(state.loc.child(key), operation=operation, name=name)


@UNKNOWN_SDK_ERROR.check
def _service_errors(ctx: LintContext) -> Iterable[Diagnostic]:
    by_state = {}
    for item in integrations(ctx):
        if item.sdk:
            name = sdk.botocore_name(item.service)
            if name:
                by_state[id(item.ref.state)] = (name, None)
        elif item.service in ERROR_PREFIX:
            by_state[id(item.ref.state)] = (item.service, ERROR_PREFIX[item.service])
    for state, key, i, _, names in error_lists(ctx):
        target = by_state.get(id(state))
        if target is None:
            continue
        service, prefix = target
        for j, error in enumerate(names):
            if not isinstance(error, str) or "." not in error or error.startswith("States."):
                continue
            head, exception = error.split(".", 1)
            if prefix is not None and head != prefix:
                continue
            if prefix is None and sdk._norm(head) != sdk._norm(_sdk_prefix(state)):
                continue
            known = sdk.error_names(service)
            # The Java SDK v1 base classes an optimized integration reports when the
            # service's own exception is not modelled: "Lambda.AWSLambdaException" and
            # "DynamoDB.AmazonDynamoDBException" (the DynamoDB semaphore samples in
            # aws-stepfunctions-examples and step-functions-workflows-collection catch it).
            generic = {f"{head}Exception", f"AWS{head}Exception", f"Amazon{head}Exception",
                       "SdkClientException", "SdkException"}
            if exception not in known and exception not in generic:
                yield UNKNOWN_SDK_ERROR.at(state.loc.child(key, i, "ErrorEquals", j),
                                           name=error, service=head,
                                           hint=_error_hint(head, exception, known))


def _error_hint(head: str, exception: str, known: frozenset[str]) -> str:
    """Suggest the suffixed name when only the suffix is missing, else the closest name."""
    if exception + "Exception" in known:
        return (f" (Step Functions always adds the Exception suffix: "
                f"'{head}.{exception}Exception')")
    return sdk.closest(f"{head}.{exception}", sorted(f"{head}.{name}" for name in known))


def _sdk_prefix(state: StateInfo) -> str:
    match = _INTEGRATION.match(state.get("Resource") or "")
    return match.group(2) if match else ""


@EXPRESS_PATTERN.check
def _express_patterns(ctx: LintContext) -> Iterable[Diagnostic]:
    if ctx.state_machine_type != EXPRESS:
        return
    for item in integrations(ctx):
        if item.pattern:
            yield EXPRESS_PATTERN.at(item.ref.loc, pattern=item.pattern)


@CREDENTIALS_ROLE.check
def _credentials_role(ctx: LintContext) -> Iterable[Diagnostic]:
    for state in ctx.states_of_type("Task"):
        credentials = state.get("Credentials")
        if not isinstance(credentials, dict):
            continue  # ASL005 reports a non-object; a JSONata string is evaluated at run time
        if "RoleArn" in credentials:
            continue
        loc = state.loc.child("Credentials")
        if state.is_jsonata:
            hint = (" (JSONata states write \"RoleArn\": \"{% ... %}\", not \"RoleArn.$\")"
                    if "RoleArn.$" in credentials else "")
            yield CREDENTIALS_ROLE.at(loc, want="'RoleArn'", hint=hint)
        elif "RoleArn.$" not in credentials:
            lower = next((k for k in credentials if isinstance(k, str)
                          and k.lower() in ("rolearn", "rolearn.$")), None)
            hint = f" (field names are case-sensitive: {lower!r} is not RoleArn)" if lower else ""
            yield CREDENTIALS_ROLE.at(loc, want="'RoleArn' or 'RoleArn.$'", hint=hint)
