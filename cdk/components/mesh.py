"""Istio (base, istiod, the ingress gateway) and Knative (the operator, then Serving with
net-istio and Eventing), installed with Helm; and the ALB in front of the gateway.

Routing: CloudFront → ALB (this Ingress, HTTPS with the environment's certificate, open
only to CloudFront's origin-facing addresses) → istio-ingressgateway → the VirtualService
knative/ renders → knative-local-gateway → the cluster-local Knative Services.
Chart versions are pinned here; upgrading one is a reviewed change of a constant.
"""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk.components.access_logs import ALB_PREFIX
from cdk.components.cluster import as_icluster
from cdk.environments import Environment

ISTIO_VERSION = "1.27.3"
ISTIO_CHARTS = "https://istio-release.storage.googleapis.com/charts"
KNATIVE_OPERATOR_VERSION = "v1.20.0"
KNATIVE_CHARTS = "https://knative.github.io/operator"
ISTIO_NAMESPACE = "istio-system"
# Knative's net-istio selects the gateway pods by `istio: ingressgateway`, which the gateway
# chart derives from this release name.
GATEWAY = "istio-ingressgateway"
GATEWAY_STATUS_PORT = 15021
# Production runs every control-plane component twice, so a node drain or a crash never
# leaves routing, scaling or admission with nobody; staging runs istiod and Knative once.
PRODUCTION_REPLICAS = 2
# Knative's own budgets ask for 80 % of the pods: of two, both, and no node could drain.
KNATIVE_SERVING_BUDGETS = ("activator-pdb", "webhook-pdb")
KNATIVE_EVENTING_BUDGETS = ("eventing-webhook",)


def _namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def istiod_values(production: bool) -> dict[str, Any]:
    """Two istiod in production, with the chart's budget (one always available); in staging
    one, and no budget, which at one replica would refuse every drain."""
    if production:
        return {
            "replicaCount": PRODUCTION_REPLICAS,
            "autoscaleMin": PRODUCTION_REPLICAS,
            "global": {"defaultPodDisruptionBudget": {"enabled": True}},
        }
    return {"global": {"defaultPodDisruptionBudget": {"enabled": False}}}


def gateway_values() -> dict[str, Any]:
    # Two gateways at least everywhere, and a drain takes them one at a time.
    return {
        "service": {"type": "ClusterIP"},
        "autoscaling": {"minReplicas": 2},
        "podDisruptionBudget": {"maxUnavailable": 1},
    }


def knative_availability(production: bool, budgets: tuple[str, ...]) -> dict[str, Any]:
    """The operator's high-availability replicas, and Knative's budgets eased to one pod
    available; nothing in staging, where the operator's defaults (one replica) stand."""
    if not production:
        return {}
    return {
        "high-availability": {"replicas": PRODUCTION_REPLICAS},
        "podDisruptionBudgets": [{"name": name, "minAvailable": 1} for name in budgets],
    }


class Mesh(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: Environment,
        cluster: eks.Cluster,
        certificate: acm.ICertificate,
        logs: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)

        def chart(
            construct_id: str,
            name: str,
            namespace: str,
            repository: str,
            version: str,
            values: dict[str, Any] | None = None,
            release: str | None = None,
        ) -> eks.HelmChart:
            return eks.HelmChart(
                self,
                construct_id,
                cluster=as_icluster(cluster),
                chart=name,
                release=release or name,
                namespace=namespace,
                repository=repository,
                version=version,
                values=values,
                wait=True,
            )

        base = chart("IstioBase", "base", ISTIO_NAMESPACE, ISTIO_CHARTS, ISTIO_VERSION, release="istio-base")
        istiod = chart(
            "Istiod",
            "istiod",
            ISTIO_NAMESPACE,
            ISTIO_CHARTS,
            ISTIO_VERSION,
            values=istiod_values(environment.production),
        )
        istiod.node.add_dependency(base)
        gateway = chart(
            "IngressGateway",
            "gateway",
            ISTIO_NAMESPACE,
            ISTIO_CHARTS,
            ISTIO_VERSION,
            values=gateway_values(),
            release=GATEWAY,
        )
        gateway.node.add_dependency(istiod)
        operator = chart(
            "KnativeOperator", "knative-operator", "knative-operator", KNATIVE_CHARTS, KNATIVE_OPERATOR_VERSION
        )
        knative = eks.KubernetesManifest(
            self,
            "Knative",
            cluster=as_icluster(cluster),
            manifest=[
                _namespace("knative-serving"),
                {
                    "apiVersion": "operator.knative.dev/v1beta1",
                    "kind": "KnativeServing",
                    "metadata": {"name": "knative-serving", "namespace": "knative-serving"},
                    "spec": {
                        "ingress": {"istio": {"enabled": True}},
                        "config": {"network": {"ingress-class": "istio.ingress.networking.knative.dev"}},
                        **knative_availability(environment.production, KNATIVE_SERVING_BUDGETS),
                    },
                },
                _namespace("knative-eventing"),
                {
                    "apiVersion": "operator.knative.dev/v1beta1",
                    "kind": "KnativeEventing",
                    "metadata": {"name": "knative-eventing", "namespace": "knative-eventing"},
                    "spec": knative_availability(environment.production, KNATIVE_EVENTING_BUDGETS),
                },
            ],
        )
        knative.node.add_dependency(operator, gateway)

        self.alb_security_group = ec2.SecurityGroup(
            self,
            "AlbSecurityGroup",
            vpc=cluster.vpc,
            description="TaskForge ALB: CloudFront only",
            allow_all_outbound=True,
        )
        self.alb_security_group.add_ingress_rule(
            ec2.Peer.prefix_list(environment.cloudfront_prefix_list_id),
            ec2.Port.tcp(443),
            "CloudFront origin-facing addresses",
        )
        attributes = ",".join(
            [
                "access_logs.s3.enabled=true",
                f"access_logs.s3.bucket={logs.bucket_name}",
                f"access_logs.s3.prefix={ALB_PREFIX}",
                "routing.http.drop_invalid_header_fields.enabled=true",
                f"deletion_protection.enabled={str(environment.production).lower()}",
            ]
        )
        ingress = eks.KubernetesManifest(
            self,
            "Ingress",
            cluster=as_icluster(cluster),
            manifest=[
                {
                    "apiVersion": "networking.k8s.io/v1",
                    "kind": "Ingress",
                    "metadata": {
                        "name": "taskforge-api",
                        "namespace": ISTIO_NAMESPACE,
                        "annotations": {
                            "alb.ingress.kubernetes.io/scheme": "internet-facing",
                            "alb.ingress.kubernetes.io/target-type": "ip",
                            "alb.ingress.kubernetes.io/listen-ports": json.dumps([{"HTTPS": 443}]),
                            "alb.ingress.kubernetes.io/certificate-arn": certificate.certificate_arn,
                            "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                            "alb.ingress.kubernetes.io/healthcheck-port": str(GATEWAY_STATUS_PORT),
                            "alb.ingress.kubernetes.io/healthcheck-path": "/healthz/ready",
                            "alb.ingress.kubernetes.io/security-groups": self.alb_security_group.security_group_id,
                            "alb.ingress.kubernetes.io/manage-backend-security-group-rules": "true",
                            "alb.ingress.kubernetes.io/load-balancer-attributes": attributes,
                            # external-dns (dns.py) makes this name an alias of the ALB, when the zone is known.
                            "external-dns.alpha.kubernetes.io/hostname": environment.api_domain,
                        },
                    },
                    "spec": {
                        "ingressClassName": "alb",
                        "rules": [
                            {
                                "host": environment.api_domain,
                                "http": {
                                    "paths": [
                                        {
                                            "path": "/",
                                            "pathType": "Prefix",
                                            "backend": {"service": {"name": GATEWAY, "port": {"number": 80}}},
                                        }
                                    ]
                                },
                            }
                        ],
                    },
                }
            ],
        )
        ingress.node.add_dependency(gateway)
        if cluster.alb_controller:
            ingress.node.add_dependency(cluster.alb_controller)  # deleted before the controller: no stray ALB
