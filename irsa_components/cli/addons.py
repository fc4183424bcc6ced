"""``irsa addons``: the built-in add-on catalogue (``versions``: recorded upstream versions, for a release check)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from .output import EXIT_FINDINGS, console, write_text

app = typer.Typer(name="addons", help="The built-in add-on policies.", no_args_is_help=True, add_completion=False)


class VersionsFormat(StrEnum):
    table = "table"
    json = "json"


@app.command()
def versions(
    format: Annotated[VersionsFormat, typer.Option("--format", "-f", help="Output format.")] = VersionsFormat.table,
) -> None:
    """Every add-on's recorded upstream version, controller and source: compare them with the current releases.

    Exit status 1 when an add-on has no upstream record (irsa_components/addons/upstream/<addon>.json).
    """
    from ..addons.records import versions as recorded_versions

    rows = recorded_versions()
    if format is VersionsFormat.json:
        data = [
            {
                "addon": r.addon,
                "controller": r.controller,
                "version": r.version,
                "source": r.source,
                "recorded": r.recorded.isoformat() if r.recorded else None,
                "chart": r.chart,
                "chartVersion": r.chart_version,
            }
            for r in rows
        ]
        write_text(json.dumps(data, indent=2) + "\n", None)
    else:
        lines = [("add-on", "version", "controller", "recorded", "chart", "source")]
        for r in rows:
            chart = f"{r.chart} {r.chart_version}" if r.chart and r.chart_version else (r.chart or "-")
            recorded = r.recorded.isoformat() if r.recorded else "-"
            lines.append((r.addon, r.version, r.controller or "NOT RECORDED", recorded, chart, r.source))
        widths = [max(len(line[i]) for line in lines) for i in range(5)]
        text = "\n".join(
            "  ".join(f"{c:<{w}}" for c, w in zip(line[:5], widths, strict=True)) + "  " + line[5] for line in lines
        )
        write_text(text + "\n", None)
    missing = [r.addon for r in rows if not r.has_record]
    if missing:
        console(stderr=True).print(
            f"{len(missing)} add-on(s) have no upstream record (their definition's source is shown): "
            + ", ".join(missing),
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_FINDINGS)
