'use strict';
// AWS CDK v2 peer of benchmarks/run.py: one environment of the synthetic workload (benchmarks/synthetic.py),
// written the way a CDK user writes it, synthesised with app.synth().
//
//   node app.js WORKLOAD.json [--no-validation]
//
// WORKLOAD.json: {"account", "region", "config"} where config is the environment's `irsa:` stack config.
// Prints one JSON line: {"synth_s", "cpu_s", "imports_s", "stacks", "resources", "manifests", "services"}. synth_s runs from
// after the imports to the end of both synths (CloudFormation templates and Kubernetes manifests written),
// as the Pulumi program's time runs from after its imports to the last registration.
//
// Per service: an iam.Role (trust: one OpenIdConnectPrincipal per cluster for IRSA, the Pod Identity
// service principal with session tags; the managed policy and the inline policy inside the role),
// tags through Tags.of; for Pod Identity one CfnPodIdentityAssociation per cluster. The ServiceAccounts
// are cdk8s ApiObjects, one chart per cluster (CDK has no ServiceAccount of an imported cluster that
// does not deploy a kubectl Lambda; cdk8s is the CDK project's tool for Kubernetes manifests).
// CloudFormation allows 500 resources a stack: services are spread over stacks of SERVICES_PER_STACK,
// at most 3 resources each (a Pod Identity role and its 2 associations).

const t0 = process.hrtime.bigint();
const fs = require('fs');
const os = require('os');
const path = require('path');
const cdk = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const eks = require('aws-cdk-lib/aws-eks');
const cdk8s = require('cdk8s');
const { Construct } = require('constructs');

const SERVICES_PER_STACK = 125;
const POD_IDENTITY = 'pods.eks.amazonaws.com';

function issuerHost(url) {
  return url.replace(/^https:\/\//, '');
}

function trustPrincipals(scope, providers, config, service, clusters) {
  const identity = service.identity || 'irsa';
  const sub = `system:serviceaccount:${service.namespace}:${service.serviceAccount}`;
  const principals = [];
  if (identity === 'irsa' || identity === 'both') {
    for (const c of clusters) {
      const host = issuerHost(config.clusters[c].oidcIssuerUrl);
      principals.push(
        new iam.OpenIdConnectPrincipal(providers[c], {
          StringEquals: { [`${host}:sub`]: sub, [`${host}:aud`]: 'sts.amazonaws.com' },
        }),
      );
    }
  }
  if (identity === 'pod-identity' || identity === 'both') {
    const stack = cdk.Stack.of(scope);
    principals.push(
      new iam.SessionTagsPrincipal(
        new iam.ServicePrincipal(POD_IDENTITY, {
          conditions: {
            StringEquals: {
              'aws:SourceAccount': stack.account,
              'aws:RequestTag/eks-cluster-arn': clusters.map((c) =>
                stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: config.clusters[c].name }),
              ),
              'aws:RequestTag/kubernetes-namespace': service.namespace,
              'aws:RequestTag/kubernetes-service-account': service.serviceAccount,
            },
          },
        }),
      ),
    );
  }
  return principals;
}

function serviceConstructs(stack, providers, config, key, service, clusters) {
  const unit = new Construct(stack, key);
  const roleName = `${config.environment}-${key}`;
  const principals = trustPrincipals(unit, providers, config, service, clusters);
  const role = new iam.Role(unit, 'Role', {
    roleName,
    path: '/',
    description: `Workload role of ${key} in ${config.environment} (irsa-components)`,
    maxSessionDuration: cdk.Duration.seconds(3600),
    assumedBy: principals.length === 1 ? principals[0] : new iam.CompositePrincipal(...principals),
    managedPolicies: (service.managedPolicyArns || []).map((arn, i) =>
      iam.ManagedPolicy.fromManagedPolicyArn(unit, `Managed${i}`, arn),
    ),
    inlinePolicies: {
      inline: new iam.PolicyDocument({
        statements: service.policyStatements.map((s) => iam.PolicyStatement.fromJson(s)),
      }),
    },
  });
  const identity = service.identity || 'irsa';
  if (identity === 'pod-identity' || identity === 'both') {
    for (const c of clusters) {
      new eks.CfnPodIdentityAssociation(unit, `Association-${c}`, {
        clusterName: config.clusters[c].name,
        namespace: service.namespace,
        serviceAccount: service.serviceAccount,
        roleArn: role.roleArn,
      });
    }
  }
  const tags = { ...(service.tags || {}), service: key };
  for (const [k, v] of Object.entries(tags)) cdk.Tags.of(unit).add(k, v);
  return role;
}

function main() {
  const [file, ...flags] = process.argv.slice(2);
  const workload = JSON.parse(fs.readFileSync(file, 'utf8'));
  const { account, region, config } = workload;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-peer-'));
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();

  const app = new cdk.App({
    outdir: path.join(outdir, 'cdk.out'),
    builtinCloudFormationValidation: !flags.includes('--no-validation'),
  });
  const tags = { ...(config.tags || {}), environment: config.environment, 'managed-by': 'irsa-components' };
  for (const [k, v] of Object.entries(tags)) cdk.Tags.of(app).add(k, v);

  const keys = Object.keys(config.services);
  const clusterKeys = Object.keys(config.clusters);
  const stacks = [];
  for (let i = 0; i < keys.length; i += SERVICES_PER_STACK) {
    const stack = new cdk.Stack(app, `irsa-${config.environment}-${stacks.length + 1}`, {
      env: { account, region },
    });
    // The clusters' existing IAM OIDC providers (the issuers are given: no lookup).
    const providers = {};
    for (const c of clusterKeys) {
      const host = issuerHost(config.clusters[c].oidcIssuerUrl);
      providers[c] = iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(
        stack,
        `Oidc-${c}`,
        `arn:aws:iam::${account}:oidc-provider/${host}`,
      );
    }
    for (const key of keys.slice(i, i + SERVICES_PER_STACK)) {
      const service = config.services[key];
      serviceConstructs(stack, providers, config, key, service, service.clusters || clusterKeys);
    }
    stacks.push(stack);
  }

  // The ServiceAccounts: one cdk8s chart per cluster.
  const k8sApp = new cdk8s.App({ outdir: path.join(outdir, 'k8s') });
  const charts = Object.fromEntries(clusterKeys.map((c) => [c, new cdk8s.Chart(k8sApp, c)]));
  let manifests = 0;
  for (const key of keys) {
    const service = config.services[key];
    const identity = service.identity || 'irsa';
    for (const c of service.clusters || clusterKeys) {
      const annotations = {};
      if (identity === 'irsa' || identity === 'both') {
        annotations['eks.amazonaws.com/role-arn'] = `arn:aws:iam::${account}:role/${config.environment}-${key}`;
      }
      new cdk8s.ApiObject(charts[c], `${key}-${c}`, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: service.serviceAccount,
          namespace: service.namespace,
          labels: { 'app.kubernetes.io/managed-by': 'irsa-components' },
          ...(Object.keys(annotations).length ? { annotations } : {}),
        },
      });
      manifests += 1;
    }
  }

  const assembly = app.synth();
  k8sApp.synth();
  const synth_s = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);

  let resources = 0;
  for (const s of assembly.stacks) resources += Object.keys(s.template.Resources || {}).length;
  fs.rmSync(outdir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      synth_s,
      cpu_s: (cpu.user + cpu.system) / 1e6,
      imports_s: Number(start - t0) / 1e9,
      stacks: assembly.stacks.length,
      resources,
      manifests,
      services: keys.length,
    }),
  );
}

main();
