// The irsa-components package from TypeScript: the same four components a Python program uses.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as irsa from "@pulumi/irsa-components";

const config = new pulumi.Config();
const clusterName = config.require("clusterName");
const cluster = aws.eks.getClusterOutput({ name: clusterName });

// The cluster's IAM OIDC provider, created (protect: false so the example can be destroyed).
const oidc = new irsa.OidcProvider("oidc", {
    issuerUrl: cluster.identities.apply((ids) => ids[0].oidcs[0].issuer),
    protect: false,
});

// A role that exactly analytics/report-generator can assume through the provider (an Output input).
const reports = new irsa.IrsaRole("reports", {
    serviceAccounts: ["analytics/report-generator"],
    oidcProviderArns: [oidc.arn],
    managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
    policyStatements: [
        { Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage"], Resource: "arn:aws:sqs:eu-west-1:*:reports" },
    ],
    tags: { team: "analytics" },
});
new irsa.AnnotatedServiceAccount("reportsServiceAccount", {
    namespace: "analytics",
    serviceAccountName: "report-generator",
    roleArn: reports.arn,
    stsRegionalEndpoints: true,
});

// A Pod Identity workload: its role, trusted by pods.eks.amazonaws.com for exactly payments/ledger-exporter.
const exporter = new irsa.PodIdentityAssociation("exporter", {
    clusterNames: [clusterName],
    namespace: "payments",
    serviceAccount: "ledger-exporter",
    policyStatements: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::ledger-exports/*" }],
});
new irsa.AnnotatedServiceAccount("exporterServiceAccount", { namespace: "payments", serviceAccountName: "ledger-exporter" });

export const oidcProviderArn = oidc.arn;
export const reportsRoleArn = reports.arn;
export const reportsTrustPolicy = reports.trustPolicy;
export const exporterRoleArn = exporter.roleArn;
