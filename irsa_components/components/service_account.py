"""AnnotatedServiceAccount: the Kubernetes ServiceAccount pods run as, annotated for IRSA."""

from collections.abc import Mapping
from typing import Any, Optional, Required, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ..core.arns import role_arn_problem
from ..core.errors import Problems
from ..core.kubernetes import (
    WEBHOOK_ANNOTATIONS,
    label_problems,
    namespace_problem,
    service_account_annotations,
    service_account_name_problem,
    token_expiration_problem,
)
from ._inputs import LazyOutputs, as_output, subject
from ._keys import check_keys

TYPE = "irsa-components:index:AnnotatedServiceAccount"


class AnnotatedServiceAccountArgs(TypedDict, total=False):
    """Inputs of AnnotatedServiceAccount."""

    namespace: Required[str]
    """Namespace of the ServiceAccount (it must exist)."""
    service_account_name: str
    """Name of the ServiceAccount. Default: the resource name."""
    role_arn: pulumi.Input[str]
    """Role ARN for the eks.amazonaws.com/role-arn annotation. Leave unset for Pod Identity."""
    audience: str
    """Token audience (eks.amazonaws.com/audience). Default sts.amazonaws.com; the role's trust must accept it."""
    sts_regional_endpoints: bool
    """Set eks.amazonaws.com/sts-regional-endpoints so SDKs use the regional STS endpoint."""
    token_expiration: int
    """Projected token lifetime in seconds (eks.amazonaws.com/token-expiration), at least 600."""
    labels: Mapping[str, str]
    """Labels of the ServiceAccount."""
    annotations: Mapping[str, str]
    """Further annotations; the eks.amazonaws.com/* keys are set through the fields above."""
    automount_service_account_token: bool
    """Whether pods mount the Kubernetes API token of this ServiceAccount."""


class AnnotatedServiceAccount(LazyOutputs, pulumi.ComponentResource):
    """A Kubernetes ServiceAccount annotated with eks.amazonaws.com/role-arn, or plain for Pod Identity."""

    service_account: k8s.core.v1.ServiceAccount
    """The ServiceAccount."""
    name: pulumi.Output[str]
    """Name of the ServiceAccount."""
    namespace: pulumi.Output[str]
    """Namespace of the ServiceAccount."""
    role_arn: Optional[pulumi.Output[str]]
    """The role ARN it is annotated with, if any."""

    def __init__(
        self, name: str, args: AnnotatedServiceAccountArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        problems = Problems(subject("AnnotatedServiceAccount", name))
        if not check_keys(problems, args, AnnotatedServiceAccountArgs):
            problems.raise_if_any()
        namespace = args.get("namespace")
        sa_name = args.get("service_account_name", name)
        problems.check("namespace", namespace, namespace_problem(namespace))
        problems.check("service_account_name", sa_name, service_account_name_problem(sa_name))
        if "token_expiration" in args:
            problems.check(
                "token_expiration",
                args["token_expiration"],
                token_expiration_problem(args["token_expiration"]),
            )
        role_arn = args.get("role_arn")
        if isinstance(role_arn, str):
            problems.check("role_arn", role_arn, role_arn_problem(role_arn))
        audience = args.get("audience")
        if audience is not None and (not isinstance(audience, str) or not audience):
            problems.add("audience", audience, "must be a non-empty string")
        extra = dict(args.get("annotations") or {})
        for key in extra:
            if key in WEBHOOK_ANNOTATIONS:
                problems.add(f"annotations.{key}", extra[key], "set this through its own input, not annotations")
        # Annotation keys follow the label-key syntax (values are free-form).
        for key, _, message in label_problems({key: "" for key in extra}):
            problems.add(f"annotations.{key}", key, message.replace("label", "annotation"))
        for key, value, message in label_problems(args.get("labels") or {}):
            problems.add(f"labels.{key}", value, message)
        problems.raise_if_any()

        super().__init__(TYPE, name, None, opts)
        annotations = service_account_annotations(
            role_arn=role_arn,  # type: ignore[arg-type]  # an Input[str]; serialized by the SDK
            audience=audience,
            sts_regional_endpoints=args.get("sts_regional_endpoints"),
            token_expiration=args.get("token_expiration"),
            extra=extra,
        )
        # A plain dict, not ObjectMetaArgs: the SDK serialises an input class through its type metadata,
        # property by property; a dict directly, to the same registration.
        metadata: dict[str, Any] = {"name": sa_name, "namespace": namespace}
        if annotations:
            metadata["annotations"] = annotations
        if args.get("labels"):
            metadata["labels"] = args["labels"]
        self.service_account = k8s.core.v1.ServiceAccount(
            name,
            metadata=metadata,
            automount_service_account_token=args.get("automount_service_account_token"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._defer(
            name=lambda: pulumi.Output.from_input(str(sa_name)),
            namespace=lambda: pulumi.Output.from_input(str(namespace)),
        )
        self.role_arn = as_output(role_arn) if role_arn is not None else None
        # The outputs are the attributes above (the component provider reads them from there too); the
        # component's state entry would only repeat them, at a serialisation per component.
        self.register_outputs({})
