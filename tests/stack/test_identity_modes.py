"""Moving a service between IRSA and Pod Identity never replaces its role."""

from __future__ import annotations

import pytest

from .crafted import base_config, run
from .helpers import ASSOCIATION, ROLE, SERVICE_ACCOUNT, role_of

MODES = ["irsa", "both", "pod-identity", "both", "irsa"]


def _role_identity(mode: str) -> tuple[str, str, str, str]:
    sim = run(base_config(**{"payments-api": {"namespace": "payments", "identity": mode}}))
    role = role_of(sim, "payments-api")
    return role.urn, role.inputs["name"], role.inputs["path"], role.parent


def test_role_name_and_urn_survive_every_switch() -> None:
    seen = {_role_identity(mode) for mode in MODES}
    assert len(seen) == 1, seen


@pytest.mark.parametrize(
    ("mode", "annotated", "associations", "statements"),
    [
        ("irsa", True, 0, {"web": 2, "pods": 0}),
        ("both", True, 2, {"web": 2, "pods": 1}),
        ("pod-identity", False, 2, {"web": 0, "pods": 1}),
    ],
)
def test_each_mode_registers_what_it_needs(
    mode: str, annotated: bool, associations: int, statements: dict[str, int]
) -> None:
    import json

    sim = run(base_config(**{"payments-api": {"namespace": "payments", "identity": mode}}))
    assert len(sim.of_type(ASSOCIATION)) == associations
    accounts = sim.of_type(SERVICE_ACCOUNT)
    assert len(accounts) == 2  # one per cluster, created in every mode
    for sa in accounts:
        has = "eks.amazonaws.com/role-arn" in sa.inputs["metadata"].get("annotations", {})
        assert has == annotated
    doc = json.loads(sim.of_type(ROLE)[0].inputs["assumeRolePolicy"])
    principals = [s["Principal"] for s in doc["Statement"]]
    assert sum("Federated" in p for p in principals) == statements["web"]
    assert sum("Service" in p for p in principals) == statements["pods"]


def test_renamed_service_keeps_its_role_and_aliases_its_resources() -> None:
    before = run(
        base_config(**{"payments": {"namespace": "payments", "serviceAccount": "payments-api", "identity": "both"}})
    )
    after = run(
        base_config(
            **{
                "payments-api": {
                    "namespace": "payments",
                    "serviceAccount": "payments-api",
                    "renamedFrom": ["payments"],
                    "identity": "both",
                }
            }
        )
    )
    old_role, new_role = role_of(before, "payments"), role_of(after, "payments-api")
    assert new_role.inputs["name"] == old_role.inputs["name"] == "prod-payments"
    component = after.named("irsa-components:index:IrsaRole", "payments-api")
    assert component.aliases, "the renamed component must alias its old name"
    association = after.named("irsa-components:index:PodIdentityAssociation", "payments-api")
    assert association.aliases
    for cluster in ("blue", "green"):
        assert after.named("irsa-components:index:AnnotatedServiceAccount", f"payments-api-{cluster}").aliases


def test_a_rename_keeps_the_default_service_account_the_pods_run_as() -> None:
    # Found under the real engine: the default service account followed the new key, so a rename replaced
    # the ServiceAccount (pods still name the old one) and rewrote the role's trust.
    before = run(base_config(payments={"namespace": "payments", "identity": "both"}))
    after = run(
        base_config(**{"payments-api": {"namespace": "payments", "renamedFrom": ["payments"], "identity": "both"}})
    )
    for sim, key in ((before, "payments"), (after, "payments-api")):
        sa = sim.named("kubernetes:core/v1:ServiceAccount", f"{key}-blue")
        assert sa.inputs["metadata"]["name"] == "payments"
    old_trust = role_of(before, "payments").inputs["assumeRolePolicy"]
    assert role_of(after, "payments-api").inputs["assumeRolePolicy"] == old_trust
