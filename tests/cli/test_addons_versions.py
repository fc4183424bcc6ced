"""``irsa addons versions``: every add-on's recorded upstream version, for a release check."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from irsa_components.addons import CATALOGUE
from irsa_components.addons.records import record, recorded_addons, versions
from irsa_components.cli.main import app


def test_versions_lists_every_addon_with_its_recorded_version_and_source() -> None:
    result = CliRunner().invoke(app, ["addons", "versions", "--format", "json"])
    rows = json.loads(result.stdout)
    assert [r["addon"] for r in rows] == list(CATALOGUE)
    recorded = set(recorded_addons())
    assert recorded, "at least one add-on has an upstream record"
    for row in rows:
        if row["addon"] in recorded:
            found = record(row["addon"])
            assert (row["version"], row["source"], row["controller"]) == (found.version, found.source, found.controller)
            assert row["recorded"] == found.recorded.isoformat()
        else:
            assert row["controller"] is None and row["recorded"] is None
    missing = sorted(set(CATALOGUE) - recorded)
    assert result.exit_code == (1 if missing else 0)
    if missing:
        assert all(name in result.stderr for name in missing)


def test_the_table_names_each_addon_and_version() -> None:
    result = CliRunner().invoke(app, ["addons", "versions"])
    for row in versions():
        assert row.addon in result.stdout and row.version in result.stdout
    if any(not r.has_record for r in versions()):
        assert "NOT RECORDED" in result.stdout


def test_addons_is_a_command_group_of_irsa() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert "addons" in result.stdout
