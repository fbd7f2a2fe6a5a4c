"""The SPA: a private bucket behind CloudFront (origin access control), and `/api/*`
forwarded, uncached, to the ALB at api.<domain>, which the Istio gateway answers.

Every deploy uploads the built SPA (`web/dist`) and invalidates the distribution: the
hashed files under `assets/` first, cached for a year and never pruned (a page loaded
before the deploy still finds its chunks), then the shell (`index.html`, …), which
browsers and CloudFront revalidate. With a Route 53 zone, <domain> is an alias of the
distribution.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

from aws_cdk import Annotations, Duration, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from cdk.components.nag import acknowledge, managed_policy
from cdk.environments import Environment

ROOT = Path(__file__).resolve().parent.parent.parent
DIST = ROOT / "web" / "dist"
ASSETS = "assets"  # Vite's output folder for content-hashed files
IMMUTABLE = s3deploy.CacheControl.from_string("public, max-age=31536000, immutable")
REVALIDATE = s3deploy.CacheControl.from_string("no-cache")

API_PATH = "/api/*"
# Client-side routes (no file extension) get the app's shell; files and /api/* pass through.
SPA_ROUTES = """function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) { request.uri = '/index.html'; }
  return request;
}"""
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


class SpaNotBuilt(Exception):
    pass


def built_site(scope: Construct) -> Path | None:
    """The built SPA to upload, from context `spaDist` (default web/dist), or None to upload nothing.

    `-c spaUpload=false` skips the upload. Otherwise a missing build stops a deploy (the CDK
    CLI runs the app) and `-c spaUpload=true`; a direct, offline synthesis warns instead.
    """
    flag = str(scope.node.try_get_context("spaUpload")).lower()
    if flag == "false":
        return None
    dist = Path(scope.node.try_get_context("spaDist") or DIST)
    if (dist / "index.html").is_file():
        return dist
    if flag == "true" or "CDK_OUTDIR" in os.environ:
        raise SpaNotBuilt(
            f"{dist} has no index.html: build the SPA first (make web), or pass -c spaUpload=false to deploy without it"
        )
    Annotations.of(scope).add_warning_v2(
        "taskforge:spa-not-built", f"{dist} is not built: this synthesis uploads no SPA"
    )
    return None


class Spa(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: Environment,
        certificate: acm.ICertificate,
        logs: s3.IBucket,
        web_acl_arn: str,
        zone: route53.IHostedZone | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Site",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=logs,
            server_access_logs_prefix="s3/site/",
            removal_policy=RemovalPolicy.RETAIN if environment.production else RemovalPolicy.DESTROY,
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment=f"TaskForge {environment.name} security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=False
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=False),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=False
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=False
                ),
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=CONTENT_SECURITY_POLICY, override=False
                ),
            ),
        )
        api = cloudfront.BehaviorOptions(
            # CloudFront sends the origin's name as Host: the VirtualService answers api.<domain> only.
            origin=origins.HttpOrigin(
                environment.api_domain,
                protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                read_timeout=Duration.seconds(60),
            ),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=headers,
        )
        routes = cloudfront.Function(
            self,
            "SpaRoutes",
            code=cloudfront.FunctionCode.from_inline(SPA_ROUTES),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="client-side routes get index.html",
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"TaskForge {environment.name}",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=routes, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors={API_PATH: api},
            default_root_object="index.html",
            domain_names=[environment.domain],
            certificate=certificate,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_logging=True,
            log_bucket=logs,
            log_file_prefix="cloudfront/",
            web_acl_id=web_acl_arn,
        )
        acknowledge(
            self.distribution,
            {
                "CFR1": "TaskForge is for users anywhere; no country is excluded.",
            },
        )
        site = built_site(self)
        if site is not None:
            self._upload(site)
        if zone is not None:
            alias = route53.RecordTarget.from_alias(targets.CloudFrontTarget(self.distribution))
            route53.ARecord(self, "Alias", zone=zone, record_name=environment.domain, target=alias)
            route53.AaaaRecord(self, "AliasIpv6", zone=zone, record_name=environment.domain, target=alias)

    def _upload(self, site: Path) -> None:
        # The uploads' handler logs here rather than to a group Lambda would keep forever.
        upload_logs = logs.LogGroup(
            self, "UploadLogs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        assets = s3deploy.BucketDeployment(
            self,
            "UploadAssets",
            log_group=upload_logs,
            sources=[s3deploy.Source.asset(str(site / ASSETS))],
            destination_bucket=self.bucket,
            destination_key_prefix=f"{ASSETS}/",
            cache_control=[IMMUTABLE],
            prune=False,
            memory_limit=512,
        )
        shell = s3deploy.BucketDeployment(
            self,
            "UploadShell",
            log_group=upload_logs,
            sources=[s3deploy.Source.asset(str(site), exclude=[f"{ASSETS}/*"])],
            destination_bucket=self.bucket,
            cache_control=[REVALIDATE],
            prune=False,
            memory_limit=512,
            # Client routes are rewritten to /index.html before the cache: one path covers the shell.
            distribution=self.distribution,
            distribution_paths=["/*"],
        )
        shell.node.add_dependency(assets)  # the new shell never points at chunks not uploaded yet
        # One handler serves both uploads (a singleton of the stack): acknowledged once, on it.
        stack = Stack.of(self)
        site_arn = f"<{stack.get_logical_id(cast(s3.CfnBucket, self.bucket.node.default_child))}.Arn>/*"
        acknowledge(
            assets.handler_role,
            {
                managed_policy(
                    "service-role/AWSLambdaBasicExecutionRole"
                ): "aws-cdk-lib's BucketDeployment handler: the managed policy gives it its log stream.",
                **{
                    f"IAM5[{finding}]": "aws-cdk-lib's BucketDeployment reads its asset objects, writes and lists the "
                    "site bucket's objects and invalidates the distribution (no resource-level ARN)."
                    for finding in (
                        "Action::s3:Abort*",
                        "Action::s3:DeleteObject*",
                        "Action::s3:GetBucket*",
                        "Action::s3:GetObject*",
                        "Action::s3:List*",
                        "Resource::*",
                        f"Resource::{site_arn}",
                        f"Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-{stack.account}-{stack.region}/*",
                    )
                },
            },
        )
        handlers = [child for child in stack.node.children if child.node.id.startswith("Custom::CDKBucketDeployment")]
        for handler in handlers:
            acknowledge(
                handler,
                {"L1": "aws-cdk-lib pins the BucketDeployment handler's runtime; it moves with aws-cdk-lib upgrades."},
            )
