"""SES: the environment's domain as a DKIM-signed sending identity, with a configuration
set that requires TLS and tracks reputation. Functions that `use` ses may send from it."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_ses as ses
from constructs import Construct

from cdk.environments import Environment


class Mail(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, environment: Environment, zone: route53.IHostedZone | None
    ) -> None:
        super().__init__(scope, construct_id)
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            configuration_set_name=f"taskforge-{environment.name}",
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
            reputation_metrics=True,
            sending_enabled=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        )
        # With the zone, CDK writes the DKIM records; without it the operator copies them (outputs below).
        identity = ses.Identity.public_hosted_zone(zone) if zone else ses.Identity.domain(environment.domain)
        self.identity = ses.EmailIdentity(
            self,
            "Identity",
            identity=identity,
            dkim_identity=ses.DkimIdentity.easy_dkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
            configuration_set=self.configuration_set,
            mail_from_domain=f"mail.{environment.domain}",
        )
        if zone is None:
            for n in (1, 2, 3):
                name = getattr(self.identity, f"dkim_dns_token_name{n}")
                value = getattr(self.identity, f"dkim_dns_token_value{n}")
                CfnOutput(
                    self,
                    f"DkimRecord{n}",
                    value=f"{name} CNAME {value}",
                    description="A DNS record SES needs before it signs and sends",
                )
        self._identity_arn = Stack.of(self).format_arn(
            service="ses", resource="identity", resource_name=environment.domain
        )
        self._configuration_set_arn = Stack.of(self).format_arn(
            service="ses", resource="configuration-set", resource_name=self.configuration_set.configuration_set_name
        )

    def grant_send_email(self, grantee: iam.IGrantable) -> iam.Grant:
        """ses:SendEmail (what functions/platform/mailer.py calls) from this identity only. The
        identity's default configuration set is applied to every message, so it is named too."""
        return iam.Grant.add_to_principal(
            grantee=grantee, actions=["ses:SendEmail"], resource_arns=[self._identity_arn, self._configuration_set_arn]
        )
