"""Upstream records: ``irsa_components/addons/upstream/<addon>.json``, one per add-on.

Each file is the one place that holds an add-on's upstream version: the controller's release, its published
IAM policy documents, the chart's defaults and every difference from the built-in documents. A definition
reads its :class:`Source` from here (:func:`source`).

Minimal stand-in for the group A helper's loader (same ``source()``), which replaces this module.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from .model import Source

DIRECTORY = Path(__file__).resolve().parent / "upstream"


@functools.cache
def _raw(addon: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DIRECTORY / f"{addon}.json").read_text(encoding="utf-8"))
    if data.get("addon") != addon:
        raise ValueError(f"upstream record {addon}.json: 'addon' is {data.get('addon')!r}, expected {addon!r}")
    return data


def source(addon: str) -> Source:
    """The definition's source (URL and version), read from the add-on's record: the one place for both."""
    data = _raw(addon)
    return Source(data["source"], data["version"])
