"""Graphviz lays out the HTML report's graph: through pygraphviz (its wheels bundle Graphviz: ``pip`` alone),
else Graphviz's ``dot`` program. ``IRSA_GRAPHVIZ=pygraphviz|dot`` picks one."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
from typing import Any

INSTALL_HINT = (
    "the HTML report needs Graphviz: pip install 'irsa-components[html]' (or pip install pygraphviz: its wheels "
    "bundle Graphviz), or install Graphviz's dot program (apt-get install graphviz, brew install graphviz)"
)


class GraphvizMissing(RuntimeError):
    """Neither pygraphviz nor a ``dot`` program is available."""


def _pygraphviz() -> Any | None:
    try:
        return importlib.import_module("pygraphviz")
    except ImportError:
        return None


def engine() -> str:
    """Which engine ``svg`` uses: ``pygraphviz`` or the path of ``dot``."""
    wanted = os.environ.get("IRSA_GRAPHVIZ", "")
    if wanted in ("", "pygraphviz") and _pygraphviz() is not None:
        return "pygraphviz"
    dot = shutil.which("dot") if wanted in ("", "dot") else None
    if dot:
        return dot
    raise GraphvizMissing(INSTALL_HINT)


def svg(dot_text: str) -> str:
    """The SVG element (no XML prolog or doctype) Graphviz's ``dot`` layout gives for ``dot_text``."""
    which = engine()
    if which == "pygraphviz":
        graph = _pygraphviz().AGraph(string=dot_text)  # type: ignore[union-attr]
        out = str(graph.draw(format="svg", prog="dot").decode("utf-8"))
    else:
        result = subprocess.run([which, "-Tsvg"], input=dot_text.encode("utf-8"), capture_output=True, check=False)
        if result.returncode:
            raise RuntimeError(f"{which} failed: {result.stderr.decode('utf-8', 'replace').strip()}")
        out = result.stdout.decode("utf-8")
    return out[out.index("<svg") :]
