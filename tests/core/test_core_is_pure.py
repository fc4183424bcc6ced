"""The functional core never imports Pulumi (directly, relatively or lazily inside a function)."""

from __future__ import annotations

import ast
import gc
from pathlib import Path

import pytest

import irsa_components.core

CORE = Path(irsa_components.core.__file__).parent
MODULES = sorted(CORE.glob("*.py"))


def parse(path: Path) -> ast.Module:
    # With the collector on, a finalizer that formats a traceback (asyncio logging a Pulumi future
    # nobody awaited) can run inside ast.parse and parse too: CPython 3.11 then fails the outer parse
    # with "SystemError: AST constructor recursion depth mismatch".
    gc.disable()
    try:
        return ast.parse(path.read_text(), filename=str(path))
    finally:
        gc.enable()


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # Relative imports must stay inside the core package.
                assert node.level == 1, f"{path.name} imports from outside core: {'.' * node.level}{node.module}"
            else:
                found.add(node.module or "")
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            found.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return found


def test_core_modules_are_found() -> None:
    assert {"trust.py", "evaluate.py", "validate.py"} <= {p.name for p in MODULES}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_core_module_does_not_import_pulumi(path: Path) -> None:
    def outside(module: str) -> bool:
        top = module.split(".")[0]
        # Pulumi itself, or a part of this package that is not core (and so may import Pulumi).
        return top.startswith("pulumi") or (top == "irsa_components" and not module.startswith("irsa_components.core"))

    offending = {m for m in imported_modules(path) if outside(m)}
    assert not offending, f"{path.name} imports {sorted(offending)}"


def test_the_scan_detects_pulumi_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom pulumi_aws import iam\ndef f():\n    import pulumi\n")
    assert {"pulumi", "pulumi_aws"} <= imported_modules(sample)


def test_the_package_loads_the_pulumi_sdks_only_when_a_component_is_used() -> None:
    import subprocess
    import sys

    code = (
        "import sys, irsa_components, irsa_components.core.evaluate;"
        "assert 'pulumi' not in sys.modules, 'importing the package loaded pulumi';"
        "irsa_components.IrsaRole;"
        "assert 'pulumi' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
