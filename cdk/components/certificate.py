"""One ACM certificate for <domain> (CloudFront) and api.<domain> (the ALB), validated
through DNS: automatically when the environment names its Route 53 zone, otherwise by
the CNAME records the operator copies from the ACM console while the deploy waits."""

from __future__ import annotations

from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_route53 as route53
from constructs import Construct

from cdk.environments import Environment


class Certificate(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, environment: Environment) -> None:
        super().__init__(scope, construct_id)
        # Attributes, not a lookup: synthesis stays offline.
        self.zone: route53.IHostedZone | None = (
            route53.HostedZone.from_hosted_zone_attributes(
                self,
                "Zone",
                hosted_zone_id=environment.hosted_zone_id,
                zone_name=environment.domain,
            )
            if environment.hosted_zone_id
            else None
        )
        self.certificate = acm.Certificate(
            self,
            "Certificate",
            domain_name=environment.domain,
            subject_alternative_names=[environment.api_domain],
            validation=acm.CertificateValidation.from_dns(self.zone),
        )
