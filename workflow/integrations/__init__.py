"""Real service integrations for the emulator: Task states performed against AWS APIs.

`AwsIntegrations` is a task answerer (`Call -> result`) like a mock configuration: it calls
boto3 for `aws-sdk:*` and the optimized `dynamodb:*` integrations (in `metapipe simulate`
boto3 talks to moto), and runs Lambda handlers in-process for `lambda:invoke`. Results and
errors are shaped and named as Step Functions shapes and names them.
"""

from workflow.integrations.aws import AwsIntegrations, LambdaFunction, sfn_error_name

__all__ = ["AwsIntegrations", "LambdaFunction", "sfn_error_name"]
