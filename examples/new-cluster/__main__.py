"""A new EKS cluster with pulumi-eks, and two workloads: one on IRSA, one on EKS Pod Identity."""

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

from irsa_components import AnnotatedServiceAccount, IrsaRole, OidcProvider, PodIdentityAssociation

CLUSTER = "irsa-demo"

cluster = eks.Cluster("demo", name=CLUSTER, create_oidc_provider=True)

# pulumi-eks created the IAM OIDC provider; adopt it rather than create a second one.
oidc = OidcProvider("demo", {"existing_provider_arn": cluster.oidc_provider_arn})

# Pod Identity needs its agent on the nodes.
agent = aws.eks.Addon(
    "pod-identity-agent",
    cluster_name=CLUSTER,
    addon_name="eks-pod-identity-agent",
    opts=pulumi.ResourceOptions(depends_on=[cluster]),
)

kube = k8s.Provider("demo", kubeconfig=cluster.kubeconfig_json)
namespace = k8s.core.v1.Namespace("media", metadata={"name": "media"}, opts=pulumi.ResourceOptions(provider=kube))
in_namespace = pulumi.ResourceOptions(provider=kube, depends_on=[namespace])

# IRSA: the role trusts exactly media/uploader through the cluster's OIDC provider.
uploader = IrsaRole(
    "uploader",
    {
        "service_accounts": ["media/uploader"],
        "oidc_provider_arns": [oidc.arn],
        "policy_statements": [
            {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::irsa-demo-uploads/*"}
        ],
    },
)
AnnotatedServiceAccount("uploader", {"namespace": "media", "role_arn": uploader.arn}, opts=in_namespace)

# Pod Identity: a role trusted by pods.eks.amazonaws.com, pinned to this cluster, media/thumbnailer.
thumbnailer = PodIdentityAssociation(
    "thumbnailer",
    {
        "cluster_names": [CLUSTER],
        "namespace": "media",
        "service_account": "thumbnailer",
        "policy_statements": [
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::irsa-demo-uploads/*"}
        ],
    },
    opts=pulumi.ResourceOptions(depends_on=[agent, cluster]),
)
AnnotatedServiceAccount("thumbnailer", {"namespace": "media"}, opts=in_namespace)

pulumi.export("uploaderRoleArn", uploader.arn)
pulumi.export("thumbnailerRoleArn", thumbnailer.role_arn)
pulumi.export("kubeconfig", pulumi.Output.secret(cluster.kubeconfig_json))
