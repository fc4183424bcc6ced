"""Cross-account roles: a target role trusting exactly one IRSA or Pod Identity association role.

``CrossAccountRole`` creates the target role wherever its AWS provider points (pass the other
account's provider through ``opts``); ``CrossAccountPodIdentity`` wires the whole EKS Pod Identity
chain: the association role in the cluster's account, the target role in another account, and the
associations with ``target_role_arn`` set (composing PodIdentityAssociation).
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Required, TypedDict, TypeVar, cast

import pulumi
import pulumi_aws as aws

from ..core import documents
from ..core.arns import (
    eks_cluster_arn,
    eks_cluster_arn_problem,
    eks_cluster_name_problem,
    parse_arn,
    role_arn_problem,
)
from ..core.cross_account import (
    ESTIMATE_CLUSTER_ARN,
    ESTIMATE_ROLE_ARN,
    SOURCE_IRSA,
    SOURCE_POD_IDENTITY,
    SOURCE_TYPES,
    TRUST_PRINCIPALS,
    chain_permission_statement,
    irsa_target_statements,
    pod_identity_external_id,
    pod_identity_target_statements,
    target_trust_policy,
)
from ..core.errors import InputError, Problems
from ..core.kubernetes import ServiceAccountRef, namespace_problem, service_account_name_problem
from ..core.limits import Quotas
from ..core.names import role_name as derive_role_name
from ..core.trust import pod_identity_statements, trust_policy
from ..core.validate import check_quotas, check_tags, check_trust_size
from ._inputs import is_known, plain_list, subject
from ._keys import check_keys
from ._lookups import aws_environment, aws_provider_of
from ._partition import Partitions, after
from ._registry import remember_role
from ._role import (
    ROLE_FIELDS,
    RoleSettings,
    add_role_arns,
    check_role_settings,
    checked_role_arns,
    child_options,
    create_role,
)
from .pod_identity import PodIdentityAssociation, PodIdentityAssociationArgs

TYPE = "irsa-components:index:CrossAccountRole"
POD_IDENTITY_TYPE = "irsa-components:index:CrossAccountPodIdentity"

# sts:ExternalId: 2-1224 characters of [\w+=,.@:/-] (STS AssumeRole API reference).
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
_POD_IDENTITY_ONLY = ("cluster_arns", "namespace", "service_account", "session_tags", "external_ids")
_IRSA_ONLY = ("external_id", "tag_session")


def _external_id_problem(value: object) -> Optional[str]:
    if not isinstance(value, str) or not _EXTERNAL_ID.match(value):
        return "must be 2-1224 characters of letters, digits and +=,.@:/-_ (sts:ExternalId)"
    return None


def _cluster_arn_problem(value: object) -> Optional[str]:
    return eks_cluster_arn_problem(value) if isinstance(value, str) else "must be an EKS cluster ARN string"


# What an offline run (irsa plan, the tests) shows for a value only the cloud knows, e.g. <account-id>.
T = TypeVar("T")
_OFFLINE_PLACEHOLDER = re.compile(r"<[^<>\s]*>")


def _stand_in(value: T) -> T:
    """A resolved value as checked: an offline placeholder stands for a valid account ID (the document keeps it)."""
    return _OFFLINE_PLACEHOLDER.sub("000000000000", value) if isinstance(value, str) else value  # type: ignore[return-value]


def _role_name_of(role_arn: str) -> str:
    return parse_arn(role_arn).resource.rsplit("/", 1)[-1]


class CrossAccountRoleArgs(TypedDict, total=False):
    """Inputs of CrossAccountRole."""

    source_type: Required[str]
    """How the caller reaches this role: 'pod-identity' (EKS assumes it as an association's target role) or 'irsa' (a workload's IRSA role calls sts:AssumeRole)."""
    source_role_arn: Required[pulumi.Input[str]]
    """The only role admitted: the Pod Identity association role or the IRSA role (usually in another account)."""
    cluster_arns: Sequence[pulumi.Input[str]]
    """pod-identity with session tags: ARNs of the EKS clusters whose eks-cluster-arn session tag is admitted (the association role's account)."""
    namespace: str
    """pod-identity: Kubernetes namespace of the service account (pinned through the kubernetes-namespace session tag)."""
    service_account: str
    """pod-identity: name of the service account (pinned through the kubernetes-service-account session tag)."""
    session_tags: bool
    """pod-identity: whether the associations keep EKS session tags (default true). Set false when they use disable_session_tags, and give external_ids."""
    external_ids: Sequence[pulumi.Input[str]]
    """pod-identity without session tags: the sts:ExternalId EKS passes, one per cluster (the association's externalId, documented as region/account/cluster/namespace/service-account)."""
    external_id: pulumi.Input[str]
    """irsa: an sts:ExternalId the workload must pass when it assumes this role (optional)."""
    tag_session: bool
    """irsa: also allow sts:TagSession, for workloads that pass session tags. Default false."""
    trust_principal: str
    """'account' (default, AWS's documented form: the source account as principal, pinned to the role with aws:PrincipalArn) or 'role' (the role ARN as principal; IAM checks it exists)."""
    source_provider: aws.Provider
    """AWS provider of the source role's account. When given, the chain permission (sts:AssumeRole on this role) is added to the source role as an inline policy."""
    trust_policy_max_chars: int
    """Trust-policy size quota of the target account in characters (default 2048; AWS allows raising it to 4096)."""
    role_name: str
    """IAM role name. Default: derived from the resource name (stable; shortened with a hash past 64 characters)."""
    path: str
    """IAM role path, '/' or '/.../'. Default '/'."""
    description: str
    """IAM role description."""
    max_session_duration: int
    """Maximum session duration in seconds, 3600-43200. Default 3600. Role chaining caps sessions at one hour regardless."""
    permissions_boundary: pulumi.Input[str]
    """ARN of the managed policy used as the role's permissions boundary."""
    managed_policy_arns: Sequence[pulumi.Input[str]]
    """Managed policy ARNs to attach (one RolePolicyAttachment each)."""
    policy_statements: Sequence[Mapping[str, Any]]
    """Inline permission statements in IAM syntax (Effect, Action, Resource, Condition); built into JSON locally."""
    tags: Mapping[str, str]
    """Tags for the role."""
    max_managed_policies: int
    """Managed-policy attachments allowed per role (your account's quota). Default 10."""
    retain_on_delete: bool
    """Keep the target role, its policies and attachments (and the source_provider chain permission) in AWS when this component is deleted or they are replaced (Pulumi retainOnDelete on each of them; a component's own option does not reach its children). Default false."""


@dataclass
class _TargetSpec:
    """The validated, plain view of CrossAccountRoleArgs."""

    source_type: str
    source_role_arn: pulumi.Input[str]
    cluster_arns: list[pulumi.Input[str]]
    service_account: Optional[ServiceAccountRef]
    session_tags: bool
    external_ids: list[pulumi.Input[str]]
    external_id: Optional[pulumi.Input[str]]
    tag_session: bool
    principal: str
    role: RoleSettings
    partitions: Partitions

    def statements(
        self, source_role_arn: str, cluster_arns: Sequence[str], external_ids: Sequence[str], external_id: Optional[str]
    ) -> list[dict[str, Any]]:
        if self.source_type == SOURCE_POD_IDENTITY:
            assert self.service_account is not None
            return pod_identity_target_statements(
                source_role_arn,
                self.service_account,
                cluster_arns=cluster_arns,
                session_tags=self.session_tags,
                external_ids=external_ids,
                principal=self.principal,
            )
        return irsa_target_statements(
            source_role_arn, tag_session=self.tag_session, external_id=external_id, principal=self.principal
        )


def _check_cluster_accounts(problems: Problems, source_role_arn: str, cluster_arns: Sequence[str]) -> None:
    """The association role must live in its clusters' account (EKS needs iam:PassRole on it)."""
    if role_arn_problem(source_role_arn):
        return
    account = parse_arn(source_role_arn).account
    for i, arn in enumerate(cluster_arns):
        if _cluster_arn_problem(arn) is None and parse_arn(arn).account != account:
            problems.add(
                f"cluster_arns[{i}]",
                arn,
                f"is in account {parse_arn(arn).account}, but the association role {source_role_arn!r} is in "
                f"{account}: a Pod Identity association role must be in its cluster's account",
            )


def _validate_target(
    name: str, args: CrossAccountRoleArgs, opts: Optional[pulumi.ResourceOptions] = None
) -> _TargetSpec:
    problems = Problems(subject("CrossAccountRole", name))
    if not check_keys(problems, args, CrossAccountRoleArgs):
        problems.raise_if_any()
    given: Mapping[str, Any] = args
    partitions = Partitions(problems, opts)
    source_type = given.get("source_type")
    if source_type not in SOURCE_TYPES:
        problems.add("source_type", source_type, f"must be one of {', '.join(SOURCE_TYPES)}")
    source = given.get("source_role_arn")
    if source is None:
        problems.add("source_role_arn", source, "the role this role trusts is required")
    elif isinstance(source, str):
        problems.check("source_role_arn", source, role_arn_problem(source))
        partitions.add("source_role_arn", source)
    principal = given.get("trust_principal", "account")
    if principal not in TRUST_PRINCIPALS:
        problems.add("trust_principal", principal, f"must be one of {', '.join(TRUST_PRINCIPALS)}")

    cluster_arns = plain_list(given.get("cluster_arns"))
    if cluster_arns is None:
        problems.add("cluster_arns", given.get("cluster_arns"), "must be a list of EKS cluster ARNs")
        cluster_arns = []
    external_ids = plain_list(given.get("external_ids"))
    if external_ids is None:
        problems.add("external_ids", given.get("external_ids"), "must be a list of external IDs")
        external_ids = []
    session_tags = bool(given.get("session_tags", True))
    sa: Optional[ServiceAccountRef] = None
    if source_type == SOURCE_POD_IDENTITY:
        for field in _IRSA_ONLY:
            if field in given:
                problems.add(field, given[field], "applies to source_type 'irsa' only")
        namespace, account_name = given.get("namespace"), given.get("service_account")
        problems.check("namespace", namespace, namespace_problem(namespace))
        problems.check("service_account", account_name, service_account_name_problem(account_name))
        if isinstance(namespace, str) and isinstance(account_name, str):
            sa = ServiceAccountRef(namespace, account_name)
        if session_tags:
            if not cluster_arns:
                problems.add(
                    "cluster_arns",
                    cluster_arns,
                    "give the ARNs of the clusters whose service account may assume the role (pinned via the eks-cluster-arn session tag)",
                )
            if external_ids:
                problems.add(
                    "external_ids",
                    external_ids,
                    "is used only with session_tags false (EKS then passes an external ID)",
                )
            for i, arn in enumerate(cluster_arns):
                if isinstance(arn, str):
                    problems.check(f"cluster_arns[{i}]", arn, _cluster_arn_problem(arn))
            if isinstance(source, str):
                _check_cluster_accounts(problems, source, [a for a in cluster_arns if isinstance(a, str)])
        else:
            if cluster_arns:
                problems.add(
                    "cluster_arns",
                    cluster_arns,
                    "without session tags EKS passes no cluster ARN; the clusters are pinned through external_ids",
                )
            if not external_ids:
                problems.add(
                    "external_ids",
                    external_ids,
                    "with session_tags false the target trust can pin the association only with sts:ExternalId; "
                    "give one per cluster (region/account/cluster/namespace/service-account)",
                )
        for i, value in enumerate(external_ids):
            if isinstance(value, str):
                problems.check(f"external_ids[{i}]", value, _external_id_problem(value))
    elif source_type == SOURCE_IRSA:
        for field in _POD_IDENTITY_ONLY:
            if field in given:
                problems.add(field, given[field], "applies to source_type 'pod-identity' only")
        external_id = given.get("external_id")
        if isinstance(external_id, str):
            problems.check("external_id", external_id, _external_id_problem(external_id))
    quotas = check_quotas(problems, given.get("trust_policy_max_chars"), given.get("max_managed_policies"))
    role = check_role_settings(problems, args, derive_role_name(name), quotas)
    partitions.add_all("cluster_arns", cluster_arns)
    add_role_arns(partitions, args)
    partitions.check()
    problems.raise_if_any()
    assert role is not None and source is not None and isinstance(source_type, str)
    spec = _TargetSpec(
        source_type=source_type,
        source_role_arn=source,
        cluster_arns=cluster_arns,
        service_account=sa,
        session_tags=session_tags,
        external_ids=external_ids,
        external_id=given.get("external_id"),
        tag_session=bool(given.get("tag_session", False)),
        principal=str(principal),
        role=role,
        partitions=partitions,
    )
    # Size the trust now with stand-ins for values only the cloud knows; checked exactly once known.
    estimate = target_trust_policy(
        spec.statements(
            source if isinstance(source, str) else ESTIMATE_ROLE_ARN,
            [a if isinstance(a, str) else ESTIMATE_CLUSTER_ARN for a in cluster_arns],
            [e if isinstance(e, str) else "x" * 96 for e in external_ids],
            spec.external_id if isinstance(spec.external_id, str) or spec.external_id is None else "x" * 64,
        )
    )
    check_trust_size(problems, "cluster_arns", estimate, quotas.trust_policy_chars)
    problems.raise_if_any()
    return spec


class CrossAccountRole(pulumi.ComponentResource):
    """A role (usually in another account) that exactly one IRSA role or Pod Identity association role can assume.

    Create it with the target account's AWS provider (opts provider/providers). The trust admits only
    the source role (aws:PrincipalArn), and for Pod Identity only the given clusters, namespace and
    service account (EKS session tags) or the association's external ID (session tags disabled).
    """

    role: aws.iam.Role
    """The target IAM role."""
    arn: pulumi.Output[str]
    """ARN of the target role: the association's target_role_arn, or what the IRSA workload assumes."""
    name: pulumi.Output[str]
    """Name of the target role."""
    trust_policy: pulumi.Output[str]
    """The target role's trust policy JSON."""
    source_policy: Optional[aws.iam.RolePolicy]
    """The chain permission added to the source role (only with source_provider)."""

    def __init__(self, name: str, args: CrossAccountRoleArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        spec = _validate_target(name, args, opts)  # raises before anything is registered
        super().__init__(TYPE, name, None, opts)
        label = subject("CrossAccountRole", name)
        partitions = spec.partitions
        partitions.bind(self)
        checked_role_arns(partitions, spec.role)
        spec.source_role_arn = partitions.checked("source_role_arn", spec.source_role_arn)
        spec.cluster_arns = [partitions.checked(f"cluster_arns[{i}]", a) for i, a in enumerate(spec.cluster_arns)]
        trust = after(self._trust_json(label, spec), partitions.guard())
        created = create_role(self, name, label, spec.role, trust)
        self.role = created.role
        self.arn = created.role.arn
        self.name = created.role.name
        self.trust_policy = pulumi.Output.from_input(trust)
        self.source_policy = None
        source_provider = args.get("source_provider")
        if source_provider is not None:
            tag_session = spec.source_type == SOURCE_POD_IDENTITY or spec.tag_session
            self.source_policy = aws.iam.RolePolicy(
                f"{name}-source-permission",
                role=pulumi.Output.from_input(spec.source_role_arn).apply(_role_name_of),
                name=f"assume-{spec.role.role_name}",
                policy=self.arn.apply(
                    lambda arn: documents.to_json(
                        documents.document([chain_permission_statement([arn], tag_session=tag_session)])
                    )
                ),
                opts=child_options(self, spec.role.retain_on_delete, provider=source_provider),
            )
        self.register_outputs(
            {
                "role": self.role,
                "arn": self.arn,
                "name": self.name,
                "trust_policy": self.trust_policy,
                "source_policy": self.source_policy,
            }
        )

    @staticmethod
    def _trust_json(label: str, spec: _TargetSpec) -> pulumi.Input[str]:
        quota = spec.role.quotas.trust_policy_chars

        def render(
            source_role_arn: str, cluster_arns: Sequence[str], external_ids: Sequence[str], external_id: Optional[str]
        ) -> str:
            problems = Problems(label)
            problems.check("source_role_arn", source_role_arn, role_arn_problem(_stand_in(source_role_arn)))
            for i, arn in enumerate(cluster_arns):
                problems.check(f"cluster_arns[{i}]", arn, _cluster_arn_problem(_stand_in(arn)))
            for i, value in enumerate(external_ids):
                problems.check(f"external_ids[{i}]", value, _external_id_problem(_stand_in(value)))
            if external_id is not None:
                problems.check("external_id", external_id, _external_id_problem(_stand_in(external_id)))
            if not problems and spec.source_type == SOURCE_POD_IDENTITY and spec.session_tags:
                _check_cluster_accounts(problems, _stand_in(source_role_arn), [_stand_in(a) for a in cluster_arns])
            problems.raise_if_any()
            doc = target_trust_policy(spec.statements(source_role_arn, cluster_arns, external_ids, external_id))
            check_trust_size(problems, "cluster_arns", doc, quota)
            if problems:
                raise InputError(problems)
            return documents.to_json(doc)

        values = [spec.source_role_arn, spec.cluster_arns, spec.external_ids, spec.external_id]
        if is_known(values):
            return render(
                str(spec.source_role_arn),
                [str(a) for a in spec.cluster_arns],
                [str(e) for e in spec.external_ids],
                None if spec.external_id is None else str(spec.external_id),
            )
        return pulumi.Output.all(
            pulumi.Output.from_input(spec.source_role_arn),
            pulumi.Output.all(*spec.cluster_arns),
            pulumi.Output.all(*spec.external_ids),
            pulumi.Output.from_input(spec.external_id),
        ).apply(lambda v: render(v[0], list(v[1]), list(v[2]), v[3]))


class CrossAccountPodIdentityArgs(TypedDict, total=False):
    """Inputs of CrossAccountPodIdentity. The component's own AWS provider is the cluster account's."""

    target_provider: Required[aws.Provider]
    """AWS provider of the account the target role is created in (where the resources to access are)."""
    cluster_names: Required[Sequence[str]]
    """EKS clusters to associate the service account on (one association each), in the component provider's account and region."""
    namespace: Required[str]
    """Kubernetes namespace of the service account."""
    service_account: Required[str]
    """Name of the Kubernetes service account."""
    disable_session_tags: bool
    """Turn off EKS session tags on the associations. The target trust then pins the association with sts:ExternalId instead of the tags."""
    external_ids: Sequence[pulumi.Input[str]]
    """With disable_session_tags: the external IDs to pin, one per cluster in cluster_names order. Default: EKS's documented region/account/cluster/namespace/service-account."""
    trust_principal: str
    """How the target trust names the association role: 'account' (default) or 'role'. See CrossAccountRole."""
    association_role_name: str
    """Name of the association role in the cluster account. Default: derived from the resource name with a '-pod-identity' suffix."""
    association_role_path: str
    """Path of the association role. Default '/'."""
    association_tags: Mapping[str, str]
    """Tags for the associations and the association role."""
    trust_policy_max_chars: int
    """Trust-policy size quota in characters for both roles (default 2048; AWS allows raising it to 4096)."""
    role_name: str
    """Target role name. Default: derived from the resource name (stable; shortened with a hash past 64 characters)."""
    path: str
    """Target role path, '/' or '/.../'. Default '/'."""
    description: str
    """Target role description."""
    max_session_duration: int
    """Maximum session duration of the target role in seconds, 3600-43200. Chained sessions last at most one hour."""
    permissions_boundary: pulumi.Input[str]
    """ARN of the managed policy used as the target role's permissions boundary."""
    managed_policy_arns: Sequence[pulumi.Input[str]]
    """Managed policy ARNs to attach to the target role."""
    policy_statements: Sequence[Mapping[str, Any]]
    """Inline permission statements of the target role in IAM syntax; built into JSON locally."""
    tags: Mapping[str, str]
    """Tags for the target role."""
    max_managed_policies: int
    """Managed-policy attachments allowed on the target role (the target account's quota). Default 10."""
    retain_on_delete: bool
    """Keep both roles and their policies (association role, its chain permission, target role) in AWS when this component is deleted or they are replaced (Pulumi retainOnDelete on each of them; a component's own option does not reach its children). The associations are still deleted. Default false."""


class CrossAccountPodIdentity(pulumi.ComponentResource):
    """EKS Pod Identity into another account: association role here, target role there, associations with target_role_arn.

    The association role (cluster account) is trusted by pods.eks.amazonaws.com for exactly this
    service account and may only assume the target role; the target role (target_provider's account)
    admits only the association role, pinned to the clusters, namespace and service account.
    """

    association_role: aws.iam.Role
    """The association role in the cluster account."""
    association_role_arn: pulumi.Output[str]
    """ARN of the association role."""
    target_role: aws.iam.Role
    """The target role in the target account."""
    target_role_arn: pulumi.Output[str]
    """ARN of the target role: what pods end up with."""
    target_trust_policy: pulumi.Output[str]
    """The target role's trust policy JSON."""
    associations: list[aws.eks.PodIdentityAssociation]
    """The associations, one per cluster, each with target_role_arn set."""
    association_arns: pulumi.Output[list[str]]
    """ARNs of the associations."""
    external_ids: pulumi.Output[list[str]]
    """The externalId each association reports (what EKS passes as sts:ExternalId to the target role)."""

    def __init__(
        self, name: str, args: CrossAccountPodIdentityArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        label = subject("CrossAccountPodIdentity", name)
        problems = Problems(label)
        if not check_keys(problems, args, CrossAccountPodIdentityArgs):
            problems.raise_if_any()
        given: Mapping[str, Any] = args
        target_provider = given.get("target_provider")
        if not isinstance(target_provider, pulumi.ProviderResource):
            problems.add("target_provider", target_provider, "the AWS provider of the target account is required")
        clusters = plain_list(given.get("cluster_names")) or []
        if not clusters:
            problems.add("cluster_names", given.get("cluster_names"), "at least one cluster is required")
        for i, cluster in enumerate(clusters):
            problems.check(f"cluster_names[{i}]", cluster, eks_cluster_name_problem(cluster))
        if len(set(clusters)) != len(clusters):
            problems.add("cluster_names", clusters, "lists a cluster twice")
        namespace, account_name = given.get("namespace"), given.get("service_account")
        problems.check("namespace", namespace, namespace_problem(namespace))
        problems.check("service_account", account_name, service_account_name_problem(account_name))
        session_tags = not given.get("disable_session_tags", False)
        override = plain_list(given.get("external_ids"))
        if override is None:
            problems.add("external_ids", given.get("external_ids"), "must be a list of external IDs")
            override = []
        if override and session_tags:
            problems.add("external_ids", override, "is used only with disable_session_tags: true")
        if override and len(override) != len(clusters):
            problems.add("external_ids", override, f"give one per cluster ({len(clusters)}), in cluster_names order")
        for i, value in enumerate(override):
            if isinstance(value, str):
                problems.check(f"external_ids[{i}]", value, _external_id_problem(value))
        principal = given.get("trust_principal", "account")
        if principal not in TRUST_PRINCIPALS:
            problems.add("trust_principal", principal, f"must be one of {', '.join(TRUST_PRINCIPALS)}")
        check_tags(problems, "association_tags", given.get("association_tags"), Quotas.tags_per_resource)
        quotas = check_quotas(problems, given.get("trust_policy_max_chars"), given.get("max_managed_policies"))
        association_settings = check_role_settings(
            problems,
            {
                "role_name": given.get("association_role_name", derive_role_name(name, "pod-identity")),
                "path": given.get("association_role_path", "/"),
                "tags": given.get("association_tags"),
                # An invalid value is reported once, with the target role's settings.
                "retain_on_delete": given.get("retain_on_delete") is True,
            },
            derive_role_name(name, "pod-identity"),
            quotas,
        )
        # Validate the target role's own settings now (CrossAccountRole repeats this with the same result).
        target_settings = check_role_settings(problems, args, derive_role_name(name), quotas)
        # Its ARNs agree with one another now; with the target provider's partition once known (CrossAccountRole).
        target_arns = Partitions(problems, None, known=None)
        add_role_arns(target_arns, given)
        target_arns.check()
        problems.raise_if_any()
        assert association_settings is not None and target_settings is not None
        assert isinstance(target_provider, pulumi.ProviderResource)

        super().__init__(POD_IDENTITY_TYPE, name, None, opts)
        sa = ServiceAccountRef(str(namespace), str(account_name))
        env = aws_environment(aws_provider_of(self))

        def association_trust(account: str, partition: str, region: str) -> str:
            arns = [eks_cluster_arn(partition, region, account, c) for c in clusters]
            doc = trust_policy(pod_identity_statements(account, arns, [sa], session_tags=session_tags))
            size_problems = Problems(label)
            check_trust_size(size_problems, "cluster_names", doc, quotas.trust_policy_chars)
            size_problems.raise_if_any()
            return documents.to_json(doc)

        trust = env.account_partition_region.apply(lambda v: association_trust(*v))
        source = create_role(self, f"{name}-pod-identity", label, association_settings, trust)
        self.association_role = source.role
        self.association_role_arn = source.role.arn
        remember_role(
            label,
            self.association_role_arn,
            lambda: trust,
            "its association role trusts pods.eks.amazonaws.com for exactly its own service account",
        )

        def cluster_arn(cluster: str) -> pulumi.Output[str]:
            return env.account_partition_region.apply(lambda v: eks_cluster_arn(v[1], v[2], v[0], cluster))

        def documented_external_id(cluster: str) -> pulumi.Output[str]:
            return env.account_partition_region.apply(
                lambda v: pod_identity_external_id(v[2], v[0], cluster, sa.namespace, sa.name)
            )

        cluster_arns: list[pulumi.Input[str]] = [cluster_arn(c) for c in clusters]
        expected_ids: list[pulumi.Input[str]] = list(override) or [documented_external_id(c) for c in clusters]
        target_args: dict[str, Any] = {field: given[field] for field in ROLE_FIELDS if field in given}
        if "trust_policy_max_chars" in given:
            target_args["trust_policy_max_chars"] = given["trust_policy_max_chars"]
        target_args.update(
            source_type=SOURCE_POD_IDENTITY,
            source_role_arn=self.association_role_arn,
            namespace=sa.namespace,
            service_account=sa.name,
            session_tags=session_tags,
            trust_principal=str(principal),
        )
        if session_tags:
            target_args["cluster_arns"] = cluster_arns
        else:
            target_args["external_ids"] = expected_ids
        target = CrossAccountRole(
            f"{name}-target",
            cast(CrossAccountRoleArgs, target_args),
            opts=pulumi.ResourceOptions(parent=self, provider=target_provider),
        )
        self.target_role = target.role
        self.target_role_arn = target.arn
        self.target_trust_policy = target.trust_policy

        # The association role may assume exactly the target role (and pass EKS's session tags on).
        chain = aws.iam.RolePolicy(
            f"{name}-pod-identity-chain",
            role=source.role.name,
            name="assume-target-role",
            policy=target.arn.apply(
                lambda arn: documents.to_json(documents.document([chain_permission_statement([arn], tag_session=True)]))
            ),
            opts=child_options(self, association_settings.retain_on_delete),
        )
        association_args: PodIdentityAssociationArgs = {
            "cluster_names": list(clusters),
            "namespace": sa.namespace,
            "service_account": sa.name,
            "role_arn": self.association_role_arn,
            "target_role_arn": target.arn,
        }
        if not session_tags:
            association_args["disable_session_tags"] = True
        if given.get("association_tags"):
            association_args["association_tags"] = given["association_tags"]
        composed = PodIdentityAssociation(
            f"{name}-association",
            association_args,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[chain, target]),
        )
        self.associations = composed.associations
        self.association_arns = composed.association_arns
        self.external_ids = pulumi.Output.all(*[a.external_id for a in self.associations]).apply(
            lambda ids: [str(i) if i is not None else "" for i in ids]
        )
        if not session_tags:
            for cluster, association, expected in zip(clusters, self.associations, expected_ids, strict=True):
                _compare_external_id(label, cluster, association.external_id, expected)
        self.register_outputs(
            {
                "association_role": self.association_role,
                "association_role_arn": self.association_role_arn,
                "target_role": self.target_role,
                "target_role_arn": self.target_role_arn,
                "target_trust_policy": self.target_trust_policy,
                "associations": self.associations,
                "association_arns": self.association_arns,
                "external_ids": self.external_ids,
            }
        )


def _compare_external_id(
    label: str, cluster: str, reported: pulumi.Output[Optional[str]], pinned: pulumi.Input[str]
) -> None:
    pulumi.Output.all(reported, pinned).apply(lambda v: _warn_external_id(label, cluster, v[0], v[1]))


def _warn_external_id(label: str, cluster: str, reported: Optional[str], pinned: str) -> None:
    """EKS documents the external ID's format; the association reports the real one. Say so if they differ."""
    if reported and reported != pinned:
        pulumi.log.warn(
            f"{label}: the association on cluster {cluster!r} reports externalId {reported!r}, but the target "
            f"role's trust pins {pinned!r}; set external_ids to the reported values or EKS cannot assume the target role"
        )
