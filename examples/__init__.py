"""The examples, runnable offline: ``program(name)`` returns a function that runs one under the mocks."""

import runpy
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLES = sorted(p.name for p in HERE.iterdir() if (p / "__main__.py").exists())

# Config each example needs, as `pulumi config set` would give it.
CONFIG = {
    "new-cluster": {"aws:region": "eu-west-1"},
    "existing-cluster": {"aws:region": "eu-west-1", "irsa-example-existing-cluster:clusterName": "prod-blue"},
    "self-hosted-and-cross-account": {
        "aws:region": "eu-west-1",
        "irsa-example-self-hosted-and-cross-account:issuerBucket": "acme-lab-oidc",
        "irsa-example-self-hosted-and-cross-account:clusterName": "prod-blue",
        "irsa-example-self-hosted-and-cross-account:dataAccountRoleArn": "arn:aws:iam::222233334444:role/irsa-deployer",
    },
}
PROJECTS = {
    "new-cluster": "irsa-example-new-cluster",
    "existing-cluster": "irsa-example-existing-cluster",
    "self-hosted-and-cross-account": "irsa-example-self-hosted-and-cross-account",
}


def program(name: str) -> Callable[[], None]:
    def run() -> None:
        runpy.run_path(str(HERE / name / "__main__.py"), run_name="__main__")

    return run
