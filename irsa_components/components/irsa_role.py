"""IrsaRole: an IAM role that exactly the listed Kubernetes service accounts can assume."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, TypedDict

import pulumi
import pulumi_aws as aws

from ..core import documents
from ..core.arns import eks_cluster_arn, eks_cluster_name_problem, oidc_provider_arn_problem, role_arn_problem
from ..core.cross_account import ASSUME_ROLE
from ..core.errors import InputError, Problems
from ..core.kubernetes import ServiceAccountRef, parse_service_account
from ..core.names import role_name as derive_role_name
from ..core.trust import (
    DEFAULT_AUDIENCE,
    ESTIMATE_ACCOUNT,
    ESTIMATE_PARTITION,
    ESTIMATE_PROVIDER_ARN,
    ESTIMATE_REGION,
    estimate_provider_arn,
    issuer_host_from_provider_arn,
    pod_identity_statements,
    workload_trust_policy,
)
from ..core.validate import check_audiences, check_partitions, check_quotas, check_service_accounts, check_trust_size
from ._addons import AddonArgs, addon_service_accounts, check_addons
from ._inputs import as_output, plain_list, subject
from ._keys import check_keys
from ._lookups import aws_environment, aws_provider_of, combined
from ._partition import Partitions, after
from ._registry import remember_role
from ._role import RoleSettings, add_role_arns, check_role_settings, checked_role_arns, create_role

TYPE = "irsa-components:index:IrsaRole"


class IrsaRoleArgs(TypedDict, total=False):
    """Inputs of IrsaRole."""

    service_accounts: Sequence[str]
    """Service accounts that may assume the role, as 'namespace/name'. 'namespace/*' needs allow_wildcard_service_accounts. Required unless addons are given; then the default is every service account of the add-ons, and when both are given only these are trusted."""
    oidc_provider_arns: pulumi.Input[Sequence[pulumi.Input[str]]]
    """ARNs of the IAM OIDC providers of the clusters to trust (one trust statement each; several for blue/green)."""
    audiences: Sequence[str]
    """Accepted token audiences (the aud claim). Default ['sts.amazonaws.com']; match the eks.amazonaws.com/audience annotation."""
    allow_wildcard_service_accounts: bool
    """Allow 'namespace/*' entries, admitting every service account of that namespace. Default false."""
    pod_identity_cluster_names: Sequence[str]
    """Also trust EKS Pod Identity for the same service accounts on these clusters of the role's account (IRSA to Pod Identity migration)."""
    pod_identity_session_tags: bool
    """Whether the Pod Identity associations keep EKS session tags (default true); false leaves only the account pinned in the trust."""
    assume_role_arns: Sequence[pulumi.Input[str]]
    """Roles this role may assume with sts:AssumeRole (role chaining, e.g. a CrossAccountRole in another account); adds one inline statement naming exactly these ARNs."""
    trust_policy_max_chars: int
    """Trust-policy size quota of your account in characters (default 2048; AWS allows raising it to 4096)."""
    role_name: str
    """IAM role name. Default: derived from the resource name (stable; shortened with a hash past 64 characters)."""
    path: str
    """IAM role path, '/' or '/.../'. Default '/'."""
    description: str
    """IAM role description."""
    max_session_duration: int
    """Maximum session duration in seconds, 3600-43200. Default 3600."""
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
    addons: Sequence[AddonArgs]
    """Built-in add-ons (external-dns, karpenter, ...) whose least-privilege policies the role gets: one customer managed policy per document, attached with the add-on's AWS managed policies; they count towards max_managed_policies."""
    retain_on_delete: bool
    """Keep the role, its inline policy, policy attachments and add-on policies in AWS when this component is deleted or they are replaced (Pulumi retainOnDelete, set on each of them: a component's own option does not reach its children). Default false."""


@dataclass
class _Spec:
    """The validated, plain view of IrsaRoleArgs."""

    service_accounts: list[ServiceAccountRef]
    provider_arns: Optional[list[pulumi.Input[str]]]
    """The ARNs when the list itself is plain (elements may be Outputs); None when it is an Output."""
    provider_arns_input: pulumi.Input[Sequence[pulumi.Input[str]]]
    audiences: list[str]
    pod_clusters: list[str]
    session_tags: bool
    role: RoleSettings
    partitions: Partitions
    trust_json: Optional[str] = None
    """The trust policy when every value it needs is known now (IRSA only, plain provider ARNs): built and
    sized once, here."""


def _validate(name: str, args: IrsaRoleArgs, opts: Optional[pulumi.ResourceOptions] = None) -> _Spec:
    problems = Problems(subject("IrsaRole", name))
    if not check_keys(problems, args, IrsaRoleArgs):
        problems.raise_if_any()
    partitions = Partitions(problems, opts)
    allow_wildcard = bool(args.get("allow_wildcard_service_accounts", False))
    addons = check_addons(problems, args.get("addons"), partitions.partition)
    given_sas = args.get("service_accounts")
    if given_sas is None and "addons" in args:
        # The add-ons' own service accounts (nothing to check when the add-ons themselves are wrong).
        sas = [parse_service_account(sa) for sa in addon_service_accounts(addons or [])]
        if addons == []:
            problems.add("service_accounts", None, "is required unless addons are given")
    else:
        sas = check_service_accounts(problems, "service_accounts", given_sas, allow_wildcard=allow_wildcard)
    audiences = check_audiences(problems, "audiences", args.get("audiences", [DEFAULT_AUDIENCE]))
    raw_arns: pulumi.Input[Sequence[pulumi.Input[str]]] = args.get("oidc_provider_arns", [])
    arns = plain_list(raw_arns)
    for i, arn in enumerate(arns or []):
        if isinstance(arn, str):
            problems.check(f"oidc_provider_arns[{i}]", arn, oidc_provider_arn_problem(arn))
            partitions.add(f"oidc_provider_arns[{i}]", arn)
    if arns is not None and len({a for a in arns if isinstance(a, str)}) < len([a for a in arns if isinstance(a, str)]):
        problems.add("oidc_provider_arns", arns, "lists an OIDC provider twice")
    pod_clusters = plain_list(args.get("pod_identity_cluster_names")) or []
    for i, cluster in enumerate(pod_clusters):
        problems.check(f"pod_identity_cluster_names[{i}]", cluster, eks_cluster_name_problem(cluster))
    if arns == [] and not pod_clusters:
        problems.add(
            "oidc_provider_arns",
            arns,
            "the role trusts nobody: give at least one OIDC provider ARN or Pod Identity cluster",
        )
    quotas = check_quotas(problems, args.get("trust_policy_max_chars"), args.get("max_managed_policies"))
    trust_inputs_valid = not problems  # the role settings checked next do not shape the trust
    before_chain = len(problems)
    chain_targets = plain_list(args.get("assume_role_arns"))
    if chain_targets is None:
        problems.add("assume_role_arns", args.get("assume_role_arns"), "must be a list of role ARNs")
        chain_targets = []
    for i, arn in enumerate(chain_targets):
        if isinstance(arn, pulumi.Output):
            # Checked once known (a role ARN in the role's partition).
            chain_targets[i] = partitions.checked(f"assume_role_arns[{i}]", _checked_role_arn(problems.subject, i, arn))
        else:
            partitions.add(f"assume_role_arns[{i}]", arn)
            problems.check(
                f"assume_role_arns[{i}]",
                arn,
                role_arn_problem(arn) if isinstance(arn, str) else "must be an IAM role ARN",
            )
    known_targets = [a for a in chain_targets if isinstance(a, str)]
    if len(set(known_targets)) < len(known_targets):
        problems.add("assume_role_arns", chain_targets, "lists a role twice")
    role_args: Mapping[str, Any] = args
    statements = plain_list(args.get("policy_statements"))
    if chain_targets and statements is not None and len(problems) == before_chain:
        # One statement for exactly these roles; sized and validated with the other inline statements.
        chain = {
            "Effect": "Allow",
            "Action": ASSUME_ROLE,
            "Resource": chain_targets[0] if len(chain_targets) == 1 else chain_targets,
        }
        role_args = {**args, "policy_statements": [*statements, chain]}
    role = check_role_settings(problems, role_args, derive_role_name(name), quotas, addons or [])
    add_role_arns(partitions, args)
    partitions.check()
    trust_json = None
    if trust_inputs_valid and sas:
        session_tags = bool(args.get("pod_identity_session_tags", True))
        if not pod_clusters and arns is not None and all(isinstance(a, str) for a in arns):
            # Everything the trust needs is known: the document itself, checked now and used as it is.
            trust_json = _exact_trust(problems, sas, [str(a) for a in arns], audiences, quotas.trust_policy_chars)
        else:
            # Size the trust now, with stand-ins for values only the cloud knows; exact check once known.
            estimate_arns = [
                a if isinstance(a, str) else estimate_provider_arn(f"{name}-{i}")
                for i, a in enumerate(arns if arns is not None else [ESTIMATE_PROVIDER_ARN])
            ]
            estimate = _trust_document(
                sas,
                estimate_arns,
                audiences,
                pod_clusters,
                session_tags,
                ESTIMATE_ACCOUNT,
                ESTIMATE_PARTITION,
                ESTIMATE_REGION,
            )
            check_trust_size(problems, "service_accounts", estimate, quotas.trust_policy_chars)
    problems.raise_if_any()
    assert role is not None
    return _Spec(
        sas,
        arns,
        raw_arns,
        audiences,
        pod_clusters,
        bool(args.get("pod_identity_session_tags", True)),
        role,
        partitions,
        trust_json,
    )


def _check_provider_arns(problems: Problems, provider_arns: Sequence[str]) -> None:
    """Each ARN must be an IAM OIDC provider ARN (its issuer host is what the trust's keys are built from)."""
    for i, arn in enumerate(provider_arns):
        try:
            issuer_host_from_provider_arn(arn)
        except ValueError as exc:
            problems.add(f"oidc_provider_arns[{i}]", arn, str(exc))


def _exact_trust(
    problems: Problems, sas: list[ServiceAccountRef], provider_arns: list[str], audiences: list[str], quota: int
) -> Optional[str]:
    """The IRSA trust of plain provider ARNs as JSON, or None with the problems added (as render() checks)."""
    before = len(problems)
    _check_provider_arns(problems, provider_arns)
    if len(problems) > before:
        return None
    doc = _trust_document(sas, provider_arns, audiences, [], True, "", "", "")
    check_trust_size(problems, "service_accounts", doc, quota)
    return documents.to_json(doc) if len(problems) == before else None


def _checked_role_arn(label: str, index: int, arn: pulumi.Output[str]) -> pulumi.Output[str]:
    """An assume_role_arns entry only known at deploy time, refused then if it is not a role ARN."""

    def check(value: str) -> str:
        problems = Problems(label)
        problems.check(
            f"assume_role_arns[{index}]",
            value,
            role_arn_problem(value) if isinstance(value, str) else "must be an IAM role ARN",
        )
        problems.raise_if_any()
        return value

    return arn.apply(check)


def _trust_document(
    spec_sas: list[ServiceAccountRef],
    provider_arns: Sequence[str],
    audiences: list[str],
    pod_clusters: list[str],
    session_tags: bool,
    account: str,
    partition: str,
    region: str,
) -> dict[str, Any]:
    cluster_arns = [eks_cluster_arn(partition, region, account, c) for c in pod_clusters]
    return workload_trust_policy(
        spec_sas,
        provider_arns,
        audiences,
        cluster_arns,
        account_id=account if pod_clusters else "",
        session_tags=session_tags,
    )


class IrsaRole(pulumi.ComponentResource):
    """An IAM role assumable through sts:AssumeRoleWithWebIdentity by exactly the listed service accounts.

    One trust statement per OIDC provider pins the token's sub (the service accounts) and aud. The
    role can also trust EKS Pod Identity for the same service accounts, so a workload can move from
    IRSA to Pod Identity and back without the role being replaced. With addons, the role gets the
    built-in least-privilege policies of those add-ons and, unless service_accounts are given, trusts
    the add-ons' service accounts.
    """

    role: aws.iam.Role
    """The IAM role."""
    arn: pulumi.Output[str]
    """ARN of the role: the value of the eks.amazonaws.com/role-arn annotation."""
    name: pulumi.Output[str]
    """Name of the role."""
    trust_policy: pulumi.Output[str]
    """The role's trust policy JSON."""

    def __init__(self, name: str, args: IrsaRoleArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        spec = _validate(name, args, opts)  # raises before anything is registered
        super().__init__(TYPE, name, None, opts)
        label = subject("IrsaRole", name)
        spec.partitions.bind(self)
        checked_role_arns(spec.partitions, spec.role)
        trust = after(self._trust_json(label, spec), spec.partitions.guard())
        created = create_role(self, name, label, spec.role, trust)
        self.role = created.role
        self.arn = created.role.arn
        self.name = created.role.name
        self.trust_policy = as_output(trust)
        remember_role(
            label,
            self.arn,
            lambda: self._pod_identity_view(spec),
            f"set pod_identity_cluster_names on {label} (and pod_identity_session_tags like the association's "
            "session tags) and list the service account in its service_accounts",
        )
        # The outputs are the attributes above (the component provider reads them from there too); the
        # component's state entry would only repeat them, at a serialisation per component.
        self.register_outputs({})

    def _pod_identity_view(self, spec: _Spec) -> pulumi.Input[str]:
        """The trust as EKS Pod Identity sees it: its pods.eks.amazonaws.com statements.

        The role's other statements (one web-identity statement per OIDC provider, all Allow) cannot
        admit the pods principal, so the decision is the same without them, and cheaper.
        """
        if not spec.pod_clusters:
            return documents.to_json(documents.document([]))
        env = aws_environment(aws_provider_of(self))

        def view(account: str, partition: str, region: str) -> str:
            cluster_arns = [eks_cluster_arn(partition, region, account, c) for c in spec.pod_clusters]
            statements = pod_identity_statements(
                account, cluster_arns, spec.service_accounts, session_tags=spec.session_tags
            )
            return documents.to_json(documents.document(statements))

        return env.account_partition_region.apply(lambda v: view(v[0], v[1], v[2]))

    def _trust_json(self, label: str, spec: _Spec) -> pulumi.Input[str]:
        quota = spec.role.quotas.trust_policy_chars
        known = spec.partitions.known
        # Provider ARNs that are Outputs are checked here, where they resolve (plain ones were at preview).
        late = (
            {i for i, a in enumerate(spec.provider_arns) if not isinstance(a, str)}
            if spec.provider_arns is not None
            else None
        )

        def render(provider_arns: Sequence[str], account: str, partition: str, region: str) -> str:
            problems = Problems(label)
            _check_provider_arns(problems, provider_arns)
            unchecked = [
                (f"oidc_provider_arns[{i}]", a) for i, a in enumerate(provider_arns) if late is None or i in late
            ]
            expected = known or ((partition, f"the AWS provider's region {region}") if partition else None)
            if expected is not None:
                check_partitions(problems, unchecked, expected[0], expected[1])
            problems.raise_if_any()
            doc = _trust_document(
                spec.service_accounts,
                provider_arns,
                spec.audiences,
                spec.pod_clusters,
                spec.session_tags,
                account,
                partition,
                region,
            )
            check_trust_size(problems, "service_accounts", doc, quota)
            if problems:
                raise InputError(problems)
            return documents.to_json(doc)

        if spec.trust_json is not None:
            return spec.trust_json
        arns_known = spec.provider_arns is not None and all(isinstance(a, str) for a in spec.provider_arns)
        if not spec.pod_clusters and arns_known:
            return render([str(a) for a in spec.provider_arns or []], "", "", "")
        # The provider's environment: for Pod Identity, and for the partition check when no region is known yet.
        env = aws_environment(aws_provider_of(self)) if spec.pod_clusters or known is None else None
        if env is not None and arns_known:
            # Only the account, partition and region are unknown: one apply of the stack's combined Output.
            plain_arns = [str(a) for a in spec.provider_arns or []]
            return env.account_partition_region.apply(lambda v: render(plain_arns, v[0], v[1], v[2]))
        # The provider ARNs (and the environment) are the stack's shared Outputs: combined once, applied here.
        arns: pulumi.Output[Any]
        if spec.provider_arns is not None:
            arns = combined(spec.provider_arns)
        else:
            arns = pulumi.Output.from_input(spec.provider_arns_input)
        if env is None:
            return arns.apply(lambda v: render(list(v or []), "", "", ""))
        return combined([arns, env.account_partition_region]).apply(
            lambda v: render(list(v[0] or []), v[1][0], v[1][1], v[1][2])
        )
