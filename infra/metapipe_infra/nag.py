"""Acknowledging one cdk-nag finding on one construct, always with a reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge `rule` (e.g. `AwsSolutions-IAM5[Resource::*]`) on `construct` and below."""
    if len(reason.split()) < 5:
        raise ValueError(f"{rule}: an acknowledgement needs a real reason")
    Validations.of(construct).acknowledge(Acknowledgment(id=rule, reason=reason))
