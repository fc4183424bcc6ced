"""The irsa-guardrails policy pack: serves the policies of ``irsa_components.guardrails``.

``PolicyPack`` starts the analyzer's gRPC server and blocks; the policies themselves live (and are
tested) in ``irsa_components/guardrails``.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from irsa_components.guardrails import PACK_NAME, POLICIES

PolicyPack(
    name=PACK_NAME,
    policies=list(POLICIES),
    enforcement_level=EnforcementLevel.ADVISORY,
    description="Catches unsafe IRSA and EKS Pod Identity: loose trust, admin workload roles, broken wiring.",
    provider="aws",
    tags=["aws", "eks", "iam", "irsa", "pod-identity"],
)
