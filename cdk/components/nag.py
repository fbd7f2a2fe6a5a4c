"""cdk-nag acknowledgements: each one names its rule and says why it does not apply."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

PACK = "AwsSolutions"


def acknowledge(scope: IConstruct, reasons: Mapping[str, str]) -> None:
    """Acknowledges AwsSolutions findings on `scope` and everything below it.

    Keys are rule ids without the pack prefix, with the finding where the rule reports
    several: `"IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/...]"`, `"RDS3"`.
    """
    for rule, reason in reasons.items():
        if len(reason.strip()) < 20:
            raise ValueError(f"{rule}: an acknowledgement needs a reason, not {reason!r}")
        Validations.of(scope).acknowledge(Acknowledgment(id=f"{PACK}::{PACK}-{rule}", reason=reason))


def managed_policy(name: str) -> str:
    """The IAM4 finding id for an AWS managed policy, as cdk-nag spells it."""
    return f"IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{name}]"
