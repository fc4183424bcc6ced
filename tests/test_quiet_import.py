"""Importing the library (and using its components) prints no warning in a user's run."""

from __future__ import annotations

import subprocess
import sys

MODULES = "irsa_components, irsa_components.testing, irsa_components.stack.program, irsa_components.cli.main"


def test_importing_the_library_warns_about_nothing() -> None:
    code = f"import {MODULES}\nfrom irsa_components import *\n"
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout == ""
