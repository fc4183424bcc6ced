"""Inputs nobody declared: every component refuses them, with a "did you mean" or a Terraform hint.

The known keys come from the args ``TypedDict`` itself (``__required_keys__``/``__optional_keys__``), so
they cannot drift from what the component and its schema declare. A misspelt key that stands for a
missing required input (``cluster_name`` for ``cluster_names``) is reported once, as the typo.
"""

from collections.abc import Mapping
from typing import Any

from ..core.errors import Problems, close_match


def declared(args_type: Any) -> frozenset[str]:
    """Every input an args ``TypedDict`` declares."""
    return frozenset(args_type.__required_keys__) | frozenset(args_type.__optional_keys__)


# Inputs of the Terraform modules people come from (terraform-aws-modules' iam-role-for-service-accounts-eks,
# eks-pod-identity and iam-oidc-provider, and aws_iam_openid_connect_provider) -> (our input, how it differs).
_TERRAFORM: dict[str, tuple[str, str]] = {
    "role_policy_arns": ("managed_policy_arns", "a list of policy ARNs, not a map"),
    "additional_policy_arns": ("managed_policy_arns", "a list of policy ARNs, not a map"),
    "policy_arns": ("managed_policy_arns", "a list of policy ARNs"),
    "oidc_providers": (
        "oidc_provider_arns",
        "a list of OIDC provider ARNs; the service accounts go in service_accounts, once for all providers",
    ),
    "namespace_service_accounts": ("service_accounts", "'namespace/name' entries, as in the module"),
    "role_permissions_boundary_arn": ("permissions_boundary", "the boundary policy's ARN"),
    "permissions_boundary_arn": ("permissions_boundary", "the boundary policy's ARN"),
    "role_path": ("path", "'/' or '/.../'"),
    "role_description": ("description", ""),
    "role_name_prefix": ("role_name", "names are deterministic here (no prefixes): give the whole name or none"),
    "name_prefix": ("role_name", "names are deterministic here (no prefixes): give the whole name or none"),
    "use_name_prefix": ("role_name", "names are deterministic here (no prefixes): give the whole name or none"),
    "name": ("role_name", "the IAM role's name"),
    "assume_role_condition_test": (
        "allow_wildcard_service_accounts",
        "StringLike is used only for 'namespace/*' entries, which this opts in to",
    ),
    "associations": (
        "cluster_names",
        "one component per service account: cluster_names, namespace and service_account",
    ),
    "association_defaults": ("cluster_names", "one component per service account: give its inputs directly"),
    "source_policy_documents": ("policy_statements", "the statements themselves, not JSON documents"),
    "override_policy_documents": ("policy_statements", "the statements themselves, not JSON documents"),
    "attach_custom_policy": ("policy_statements", "statements given there are attached; no flag needed"),
    "inline_policy_statements": ("policy_statements", ""),
    "trust_policy_statements": (
        "service_accounts",
        "the trust is built from service_accounts (and pod_identity_cluster_names): no free-form trust statements",
    ),
    "trust_policy_conditions": (
        "service_accounts",
        "the trust is built from service_accounts (and pod_identity_cluster_names): no free-form trust conditions",
    ),
    "client_id_list": ("client_ids", ""),
    "thumbprint_list": ("thumbprints", ""),
    "url": ("issuer_url", "the issuer URL with https://"),
    "provider_url": ("issuer_url", "the issuer URL with https://"),
    "oidc_provider_arn": ("oidc_provider_arns", "a list: one trust statement per provider"),
    "cluster_name": ("cluster_names", "a list: one association per cluster"),
    "cluster_names_list": ("cluster_names", ""),
}

# Terraform add-on switches (attach_<stem>_policy) and add-on inputs (<stem>_<input>) -> built-in add-on.
_ADDON_STEMS: dict[str, str] = {
    "external_dns": "external-dns",
    "cert_manager": "cert-manager",
    "cluster_autoscaler": "cluster-autoscaler",
    "ebs_csi": "ebs-csi",
    "aws_ebs_csi": "ebs-csi",
    "efs_csi": "efs-csi",
    "aws_efs_csi": "efs-csi",
    "fsx_lustre_csi": "fsx-lustre-csi",
    "aws_fsx_lustre_csi": "fsx-lustre-csi",
    "karpenter_controller": "karpenter",
    "karpenter": "karpenter",
    "load_balancer_controller": "aws-load-balancer-controller",
    "aws_lb_controller": "aws-load-balancer-controller",
    "load_balancer_controller_targetgroup_binding_only": "aws-load-balancer-controller-tgb",
    "aws_lb_controller_targetgroup_binding_only": "aws-load-balancer-controller-tgb",
    "node_termination_handler": "aws-node-termination-handler",
    "aws_node_termination_handler": "aws-node-termination-handler",
    "vpc_cni": "vpc-cni",
    "aws_vpc_cni": "vpc-cni",
    "velero": "velero",
    "external_secrets": "external-secrets",
    "amazon_managed_service_prometheus": "amazon-managed-prometheus",
    "aws_gateway_controller": "aws-gateway-controller",
    "mountpoint_s3_csi": "mountpoint-s3-csi",
    "cloudwatch_observability": "cloudwatch-observability",
    "aws_cloudwatch_observability": "cloudwatch-observability",
    "aws_privateca_issuer": "aws-privateca-issuer",
}


def _addon_of(key: str) -> tuple[str, bool] | None:
    """(built-in add-on, whether ``key`` is its switch rather than one of its inputs) for a Terraform add-on key."""
    if key.startswith("attach_") and key.endswith("_policy"):
        stem = key.removeprefix("attach_").removesuffix("_policy")
        return (_ADDON_STEMS[stem], True) if stem in _ADDON_STEMS else None
    for stem in sorted(_ADDON_STEMS, key=len, reverse=True):
        if key.startswith(stem + "_"):
            return _ADDON_STEMS[stem], False
    return None


def _terraform_target(key: str, known: frozenset[str]) -> tuple[str, str] | None:
    """(hint, our input or '') for a Terraform-module key this component has an equivalent of."""
    found = _addon_of(key)
    if found is not None and "addons" in known:
        addon, switch = found
        what, scope = ("switch", "") if switch else ("input", ", 'scope': {...}")
        return (
            f" (a Terraform-module add-on {what}; here: addons: [{{'name': {addon!r}{scope}}}], "
            "scope inputs in docs/addons.md)",
            "",
        )
    target = _TERRAFORM.get(key)
    if target is not None and target[0] in known and target[0] != key:
        note = f": {target[1]}" if target[1] else ""
        return f" (a Terraform-module input; here: {target[0]}{note})", target[0]
    return None


def terraform_hint(key: str, known: frozenset[str]) -> str:
    """`` (a Terraform-module input; here: ...)`` when ``key`` is one and this component has the equivalent."""
    found = _terraform_target(key, known)
    return found[0] if found else ""


def check_keys(problems: Problems, args: object, args_type: Any, *, prefix: str = "", what: str = "") -> bool:
    """Report every key of ``args`` that ``args_type`` does not declare; False when ``args`` is no mapping.

    ``prefix`` names where ``args`` sits (``addons[0].``); ``what`` how the message calls it. When the
    input an unknown key stands for (its close match or Terraform equivalent) is absent, the later
    "is required" problem for that input is left out: the typo is the problem.
    """
    label = what or f"an input of {args_type.__name__.removesuffix('Args')}"
    if not isinstance(args, Mapping):
        problems.add(prefix.rstrip(".") or "(args)", args, f"must be a mapping of {args_type.__name__} inputs")
        return False
    known = declared(args_type)
    for key in args:
        if key in known:
            continue
        name = str(key)
        found = _terraform_target(name, known)
        if found is not None:
            hint, meant = found
        else:
            meant = close_match(name, known) or ""
            hint = f" (did you mean {meant!r}?)" if meant else ""
        problems.add(f"{prefix}{name}", args[key], f"is not {label}{hint}")
        if meant and meant not in args:
            problems.supersede(f"{prefix}{meant}")
    return True


__all__ = ["check_keys", "declared", "terraform_hint"]
