"""PodIdentityAssociation: EKS Pod Identity for one service account on one or more clusters."""

import json
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Required, TypedDict

import pulumi
import pulumi_aws as aws

from ..core import documents
from ..core.arns import eks_cluster_arn, eks_cluster_name_problem, role_arn_problem
from ..core.errors import InputError, Problems
from ..core.kubernetes import ServiceAccountRef, namespace_problem, service_account_name_problem
from ..core.limits import Quotas
from ..core.names import role_name as derive_role_name
from ..core.trust import (
    ESTIMATE_ACCOUNT,
    ESTIMATE_PARTITION,
    ESTIMATE_REGION,
    POD_IDENTITY_ACTIONS,
    pod_identity_statements,
    trust_policy,
)
from ..core.validate import (
    check_policy_statements,
    check_quotas,
    check_tags,
    check_trust_size,
    pod_identity_refusals,
)
from ._addons import AddonArgs, check_addons
from ._inputs import LazyOutputs, as_output, plain_list, subject
from ._keys import check_keys
from ._lookups import aws_environment, aws_provider_of
from ._partition import Partitions, after
from ._registry import KnownRole, known_role
from ._role import ROLE_FIELDS, add_role_arns, check_role_settings, checked_role_arns, create_role

TYPE = "irsa-components:index:PodIdentityAssociation"


class PodIdentityAssociationArgs(TypedDict, total=False):
    """Inputs of PodIdentityAssociation."""

    cluster_names: Required[Sequence[str]]
    """EKS clusters to associate the service account on (one association each), in the role's account and region."""
    namespace: str
    """Kubernetes namespace of the service account. Required unless the add-on (addons) gives it."""
    service_account: str
    """Name of the Kubernetes service account. Required unless the add-on (addons) gives it."""
    role_arn: pulumi.Input[str]
    """Use this existing role (e.g. an IrsaRole's) instead of creating one; its trust must admit pods.eks.amazonaws.com."""
    target_role_arn: pulumi.Input[str]
    """Role EKS assumes after the association role (role chaining, possibly into another account)."""
    disable_session_tags: bool
    """Turn off EKS session tags. The created role's trust can then pin only the account, not clusters, namespace or service account."""
    session_policy_statements: Sequence[Mapping[str, Any]]
    """Session policy statements that further restrict this association (requires disable_session_tags)."""
    association_tags: Mapping[str, str]
    """Tags for the associations."""
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
    """Built-in add-ons whose least-privilege policies the created role gets (not with role_arn). namespace and service_account default to the add-on's primary service account; an add-on with several service accounts needs one association per service account (the stack program creates them; this component covers one)."""
    retain_on_delete: bool
    """Keep the created role, its inline policy, policy attachments and add-on policies in AWS when this component is deleted or they are replaced (Pulumi retainOnDelete on each of them; a component's own option does not reach its children). The associations are still deleted. Not with role_arn. Default false."""


class PodIdentityAssociation(LazyOutputs, pulumi.ComponentResource):
    """EKS Pod Identity for one namespace/service account: a role trusted by pods.eks.amazonaws.com and one association per cluster.

    The created role's trust allows sts:AssumeRole and sts:TagSession, is scoped to the account with
    aws:SourceAccount and, while session tags are on, pinned to the clusters, namespace and service
    account through the EKS session tags. With addons, the created role gets the built-in
    least-privilege policies of those add-ons, and the service account defaults to the add-on's.
    """

    role: Optional[aws.iam.Role]
    """The created role (absent when role_arn was given)."""
    role_arn: pulumi.Output[str]
    """ARN of the role the associations use."""
    associations: list[aws.eks.PodIdentityAssociation]
    """The associations, one per cluster."""
    association_arns: pulumi.Output[list[str]]
    """ARNs of the associations."""
    external_ids: pulumi.Output[list[str]]
    """The externalId of each association: what EKS passes as sts:ExternalId to the target role when session tags are disabled."""

    def _admitted(
        self, label: str, role_arn: pulumi.Input[str], clusters: list[str], sa: ServiceAccountRef, session_tags: bool
    ) -> Optional[pulumi.Output[bool]]:
        """Whether the given role's trust admits Pod Identity for ``sa`` on every cluster; None when the role
        is not one this program's components created (``_registry``).

        A refusal is an error, raised once the trust and this provider's account, partition and region are
        known: at preview (the check does not wait for the role's ARN, which a preview does not know).
        """
        known = known_role(role_arn)
        if known is None:
            return None
        env = aws_environment(aws_provider_of(self))
        return pulumi.Output.all(known.trust, env.account_partition_region).apply(
            lambda v: _check_admitted(label, known, clusters, sa, session_tags, [v[0], *v[1]])
        )

    def __init__(
        self, name: str, args: PodIdentityAssociationArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        label = subject("PodIdentityAssociation", name)
        problems = Problems(label)
        if not check_keys(problems, args, PodIdentityAssociationArgs):
            problems.raise_if_any()
        clusters = plain_list(args.get("cluster_names")) or []
        if not clusters:
            problems.add("cluster_names", args.get("cluster_names"), "at least one cluster is required")
        for i, cluster in enumerate(clusters):
            problems.check(f"cluster_names[{i}]", cluster, eks_cluster_name_problem(cluster))
        if len(set(clusters)) != len(clusters):
            problems.add("cluster_names", clusters, "lists a cluster twice")
        partitions = Partitions(problems, opts)
        addons = check_addons(problems, args.get("addons"), partitions.partition)
        namespace, account_name = args.get("namespace"), args.get("service_account")
        # Missing names are the add-on's; with invalid add-ons or several candidates they stay unchecked.
        check_missing = addons is not None
        if addons and (namespace is None or account_name is None):
            primaries = sorted({(a.namespace, a.service_account) for a in addons})
            if len(primaries) == 1:
                namespace = primaries[0][0] if namespace is None else namespace
                account_name = primaries[0][1] if account_name is None else account_name
            else:
                check_missing = False
                problems.add(
                    "service_account" if namespace is not None else "namespace",
                    None,
                    "the add-ons run as different service accounts ("
                    + ", ".join(f"{n}/{sa}" for n, sa in primaries)
                    + "): give namespace and service_account",
                )
        if check_missing or namespace is not None:
            problems.check("namespace", namespace, namespace_problem(namespace))
        if check_missing or account_name is not None:
            problems.check("service_account", account_name, service_account_name_problem(account_name))
        trust_inputs_valid = not problems
        existing = args.get("role_arn")
        if isinstance(existing, str):
            problems.check("role_arn", existing, role_arn_problem(existing))
            partitions.add("role_arn", existing)
        target = args.get("target_role_arn")
        if isinstance(target, str):
            problems.check("target_role_arn", target, role_arn_problem(target))
            partitions.add("target_role_arn", target)
        partitions.add_statements("session_policy_statements", args.get("session_policy_statements"))
        session_tags = not args.get("disable_session_tags", False)
        session_policy = check_policy_statements(
            problems, "session_policy_statements", args.get("session_policy_statements")
        )
        if session_policy and session_tags:
            problems.add(
                "session_policy_statements",
                "(set)",
                "EKS accepts a session policy only with disable_session_tags: true",
            )
        check_tags(problems, "association_tags", args.get("association_tags"), Quotas.tags_per_resource)
        quotas = check_quotas(problems, args.get("trust_policy_max_chars"), args.get("max_managed_policies"))
        settings = None
        if existing is not None:
            given: Mapping[str, Any] = args
            for field in ROLE_FIELDS:
                if field in given and field != "max_managed_policies":
                    problems.add(
                        field,
                        given[field],
                        "is a setting of the created role; it cannot apply when role_arn names an existing role",
                    )
        else:
            settings = check_role_settings(problems, args, derive_role_name(name), quotas, addons or [])
            add_role_arns(partitions, args)
            if trust_inputs_valid:
                # Size the trust now, with stand-ins for the account, partition and region; exact check once known.
                estimate_arns = [
                    eks_cluster_arn(ESTIMATE_PARTITION, ESTIMATE_REGION, ESTIMATE_ACCOUNT, c) for c in clusters
                ]
                estimate = trust_policy(
                    pod_identity_statements(
                        ESTIMATE_ACCOUNT,
                        estimate_arns,
                        [ServiceAccountRef(str(namespace), str(account_name))],
                        session_tags=session_tags,
                    )
                )
                check_trust_size(problems, "cluster_names", estimate, quotas.trust_policy_chars)
            if addons and target is not None:
                problems.add(
                    "addons",
                    [a.name for a in addons],
                    "pods get the target role's credentials (target_role_arn), so the add-on's policies belong "
                    "on the target role",
                )
            if settings is not None and target is not None:
                # The association role must be allowed to assume the target role it chains to.
                settings.policy_statements = [
                    *settings.policy_statements,
                    {"Effect": "Allow", "Action": list(POD_IDENTITY_ACTIONS), "Resource": target},
                ]
        partitions.check()
        problems.raise_if_any()

        super().__init__(TYPE, name, None, opts)
        partitions.bind(self)
        guard = partitions.guard()
        sa = ServiceAccountRef(str(namespace), str(account_name))
        self.role = None
        role_arn: pulumi.Input[str]
        target = partitions.checked("target_role_arn", target) if target is not None else None
        if settings is not None:
            checked_role_arns(partitions, settings)
            env = aws_environment(aws_provider_of(self))

            def render(account: str, partition: str, region: str) -> str:
                arns = [eks_cluster_arn(partition, region, account, c) for c in clusters]
                doc = trust_policy(pod_identity_statements(account, arns, [sa], session_tags=session_tags))
                size_problems = Problems(label)
                check_trust_size(size_problems, "cluster_names", doc, quotas.trust_policy_chars)
                size_problems.raise_if_any()
                return documents.to_json(doc)

            trust = after(env.account_partition_region.apply(lambda v: render(*v)), guard)
            created = create_role(self, name, label, settings, trust)
            self.role = created.role
            role_arn = created.role.arn
        else:
            assert existing is not None
            # A role this program's components created is in its own provider's partition and is checked
            # for what matters more: whether its trust admits these pods (which a partition mismatch fails too).
            admitted = self._admitted(label, existing, clusters, sa, session_tags)
            role_arn = after(existing, admitted) if admitted is not None else partitions.checked("role_arn", existing)
        role_arn = after(role_arn, guard)
        policy = documents.to_json(documents.document(session_policy)) if session_policy else None
        self.associations = []
        for cluster in clusters:  # a loop: see create_role
            self.associations.append(
                aws.eks.PodIdentityAssociation(
                    f"{name}-{cluster}",
                    cluster_name=cluster,
                    namespace=sa.namespace,
                    service_account=sa.name,
                    role_arn=role_arn,
                    target_role_arn=target,
                    disable_session_tags=None if session_tags else True,
                    policy=policy,
                    tags=args.get("association_tags"),
                    opts=pulumi.ResourceOptions(parent=self),
                )
            )
        self.role_arn = as_output(role_arn)
        associations = self.associations
        self._defer(
            association_arns=lambda: pulumi.Output.all(*[a.association_arn for a in associations]),
            external_ids=lambda: pulumi.Output.all(*[a.external_id for a in associations]).apply(
                lambda ids: [i or "" for i in ids]
            ),
        )
        # The outputs are the attributes above (the component provider reads them from there too); the
        # component's state entry would only repeat them, at a serialisation per component.
        self.register_outputs({})


def _refused_message(known: KnownRole, refused: list[str], sa: ServiceAccountRef, session_tags: bool) -> str:
    where = ("cluster " if len(refused) == 1 else "clusters ") + ", ".join(repr(c) for c in refused)
    tags = "" if session_tags else " without session tags"
    return (
        f"is the role of {known.label}, whose trust does not admit EKS Pod Identity{tags} for {sa} on "
        f"{where}: pods would get AccessDenied; {known.hint}"
    )


def _check_admitted(
    label: str,
    known: KnownRole,
    clusters: list[str],
    sa: ServiceAccountRef,
    session_tags: bool,
    values: list[Any],
) -> bool:
    trust, account, partition, region = values
    refused = pod_identity_refusals(
        json.loads(trust),
        account_id=str(account),
        clusters=[(c, eks_cluster_arn(str(partition), str(region), str(account), c)) for c in clusters],
        namespace=sa.namespace,
        service_account=sa.name,
        session_tags=session_tags,
    )
    if refused:
        problems = Problems(label)
        problems.add("role_arn", f"{known.label}.arn", _refused_message(known, refused, sa, session_tags))
        raise InputError(problems)
    return True
