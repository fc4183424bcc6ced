"""The README's promises that can drift: the CI entry point, the add-on table, the commands."""

from __future__ import annotations

import re
from pathlib import Path

from irsa_components.addons import catalogue_table

ROOT = Path(__file__).resolve().parent.parent.parent
README = (ROOT / "README.md").read_text()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    assert "python3 tasks.py test" in README
    commands = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert commands[-1] == "exec python3 tasks.py test"


def test_addon_table_matches_the_catalogue() -> None:
    assert catalogue_table().strip() in README


def test_every_documented_link_exists() -> None:
    for target in re.findall(r"\]\(((?:docs|examples)/[^)#]+)\)", README):
        assert (ROOT / target).exists(), target


def test_no_unfinished_section() -> None:
    assert "PLACEHOLDER" not in README
