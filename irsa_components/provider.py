"""The component provider: serves the components to programs in every Pulumi language.

``provider/`` (PulumiPlugin.yaml, runtime python) runs this, so ``pulumi package add <repo>/provider``
gives TypeScript, Go, C#, Java and YAML programs the same components, with the schema inferred from
their annotations (``irsa_components.schema``).
"""

import sys

from pulumi.provider import main

from .schema import component_provider


def serve() -> None:
    """Serve the components to the engine (the engine's address is the first command-line argument)."""
    main(component_provider(), sys.argv[1:])
