"""The SPA: a private bucket behind CloudFront (origin access control), and `/api/*`
forwarded, uncached, to the ALB at api.<domain>, which the Istio gateway answers."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk.components.nag import acknowledge
from cdk.environments import Environment

API_PATH = "/api/*"
# Client-side routes (no file extension) get the app's shell; files and /api/* pass through.
SPA_ROUTES = """function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) { request.uri = '/index.html'; }
  return request;
}"""
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                           "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'")


class Spa(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, environment: Environment,
                 certificate: acm.ICertificate, logs: s3.IBucket, web_acl_arn: str) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self, "Site",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=logs,
            server_access_logs_prefix="s3/site/",
            removal_policy=RemovalPolicy.RETAIN if environment.production else RemovalPolicy.DESTROY,
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self, "SecurityHeaders",
            comment=f"TaskForge {environment.name} security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=False),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=False),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=False),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=False),
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=CONTENT_SECURITY_POLICY, override=False),
            ),
        )
        api = cloudfront.BehaviorOptions(
            # CloudFront sends the origin's name as Host: the VirtualService answers api.<domain> only.
            origin=origins.HttpOrigin(environment.api_domain,
                                      protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                                      origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                                      read_timeout=Duration.seconds(60)),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=headers,
        )
        routes = cloudfront.Function(self, "SpaRoutes", code=cloudfront.FunctionCode.from_inline(SPA_ROUTES),
                                     runtime=cloudfront.FunctionRuntime.JS_2_0,
                                     comment="client-side routes get index.html")
        self.distribution = cloudfront.Distribution(
            self, "Distribution",
            comment=f"TaskForge {environment.name}",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                function_associations=[cloudfront.FunctionAssociation(
                    function=routes, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)],
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
        acknowledge(self.distribution, {
            "CFR1": "TaskForge is for users anywhere; no country is excluded.",
        })
