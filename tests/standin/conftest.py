"""Fixtures: the real CLI ($IRSA_PULUMI), a moto server and a file backend per test module."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures import automation as engine
from tests.fixtures.moto_server import MotoServer

from .support import Aws, Engine


@pytest.fixture(scope="session")
def pulumi_cli() -> Path:
    """The pulumi binary from $IRSA_PULUMI. Unset is a failure, not a skip: these tests are the engine's."""
    try:
        return engine.pulumi_binary()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with MotoServer(log=log) as server:
        yield server


@pytest.fixture(scope="module")
def stand_in(pulumi_cli: Path, moto: MotoServer, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    root = tmp_path_factory.mktemp("engine")
    return Engine(root, engine.pulumi_command(pulumi_cli, root), moto.url, root / "standin.log")


@pytest.fixture(scope="module")
def cloud(moto: MotoServer) -> Aws:
    return Aws(moto.url)


@pytest.fixture(autouse=True)
def collect_abandoned_programs() -> Iterator[None]:
    """Finalize what a failed engine run leaves behind before the next test runs.

    When the engine stops a failing inline program, the Pulumi SDK abandons the program's coroutine;
    its finalizer (which runs Python code) otherwise runs whenever the garbage collector next comes
    by, which may be inside another test's ``ast.parse``, where CPython 3.11 then fails with
    "SystemError: AST constructor recursion depth mismatch".
    """
    yield
    gc.collect()
