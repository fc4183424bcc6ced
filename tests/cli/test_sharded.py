"""A stack split over several processes plans exactly as in one."""

from __future__ import annotations

from irsa_components.offline.sharded import merge, run_stack_program
from irsa_components.plan.run import plan_from_config
from tests.conftest import stack_config
from tests.stack.multi_account import config

from .helpers import flat


def test_split_run_gives_the_same_plan_as_one_process() -> None:
    config, secrets = stack_config("prod")
    one = plan_from_config(config, stack="prod", secret_keys=secrets, workers=1)
    two = plan_from_config(config, stack="prod", secret_keys=secrets, workers=2)
    assert two == one


def test_merge_keeps_each_resource_once_and_unions_outputs() -> None:
    config, secrets = stack_config("staging")
    whole = run_stack_program(config, stack="staging", secret_keys=secrets, workers=1)
    merged = merge([whole, whole])
    assert [r.urn for r in merged.resources] == [r.urn for r in whole.resources]
    assert merged.outputs == whole.outputs


def test_split_run_of_a_stack_with_accounts_and_a_self_hosted_cluster() -> None:
    irsa = config(
        {
            "reports": {"namespace": "analytics", "account": "shared", "clusters": ["blue", "green"]},
            "mailer": {"namespace": "mail", "account": "shared", "clusters": ["blue"]},
            "exporter": {"namespace": "payments", "identity": "pod-identity", "account": "data", "clusters": ["blue"]},
            "backup": {"namespace": "velero", "clusters": ["lab"], "retainOnDelete": True},
        }
    )
    one = plan_from_config(flat(irsa), stack="prod", workers=1)
    two = plan_from_config(flat(irsa), stack="prod", workers=2)
    assert two == one
    assert set(one.accounts["shared"].oidc_providers) == {"blue", "green"}
