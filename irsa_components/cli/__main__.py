"""``python -m irsa_components.cli``: the ``irsa`` command, without installing the package."""

from .main import app

app(prog_name="irsa")
