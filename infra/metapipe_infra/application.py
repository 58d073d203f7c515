"""Building the CDK app: settings from context, the stack, and cdk-nag as a validation plugin."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk import App, Validations  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from metapipe_infra.settings import Settings  # noqa: E402
from metapipe_infra.stack import MetadataPipelineStack, Sources  # noqa: E402

REPOSITORY = Path(__file__).resolve().parents[2]
STACK_NAME = "MetadataPipelineStack"

# CDK feature flags the stack relies on, set here so `python infra/app.py` (which does not
# read cdk.json) and `npx aws-cdk synth` build the same template.
FEATURE_FLAGS = {
    # Access-log delivery through a bucket policy, not an ACL (ACLs are disabled).
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
}


def build_app(context: dict[str, Any] | None = None, outdir: str | None = None,
              sources: Sources | None = None, nag: bool = True,
              ) -> tuple[App, MetadataPipelineStack]:
    """The app with its one stack; with `nag`, any unacknowledged cdk-nag finding fails synth.

    cdk-nag 3 is added through `Validations.of(app).add_plugins` (through Aspects it crashes
    synthesis); acknowledged findings are also written into the template metadata, so a
    reviewer (and a test) can read every acknowledgement and its reason.
    """
    app = App(context={**FEATURE_FLAGS, **(context or {})}, outdir=outdir)
    settings = Settings.from_context(app.node.try_get_context)
    stack = MetadataPipelineStack(
        app, STACK_NAME, settings=settings,
        sources=sources or Sources.in_repository(REPOSITORY),
        description="metapipe: S3 metadata.json -> Step Functions -> OpenSearch Serverless",
    )
    if nag:
        Validations.of(app).add_plugins(
            AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True))
    return app, stack
