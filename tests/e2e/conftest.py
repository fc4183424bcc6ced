"""Fixtures of the end-to-end tests: the real CLI ($IRSA_PULUMI), moto servers, copies of the project."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi import automation as auto

from tests.fixtures import automation

from .support import engine_bin


@pytest.fixture(scope="session")
def pulumi_cli() -> Path:
    """The pulumi binary from $IRSA_PULUMI. Unset is a failure, not a skip: these tests are the engine's."""
    try:
        engine_bin()
        return automation.pulumi_binary()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope="session")
def command(pulumi_cli: Path, tmp_path_factory: pytest.TempPathFactory) -> auto.PulumiCommand:
    return automation.pulumi_command(pulumi_cli, tmp_path_factory.mktemp("cli"))


@pytest.fixture(autouse=True)
def collect_abandoned_programs() -> Iterator[None]:
    """See tests/standin/conftest.py: finalize what a failed inline program leaves behind, now."""
    yield
    gc.collect()
