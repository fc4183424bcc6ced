"""The component provider: serves the components to programs in every Pulumi language.

``provider/`` (PulumiPlugin.yaml, runtime python) runs this, so ``pulumi package add <repo>/provider``
gives TypeScript, Go, C#, Java and YAML programs the same components, with the schema inferred from
their annotations (``irsa_components.schema``).
"""

from pulumi.provider.experimental import component_provider_host

import irsa_components

from .components import COMPONENTS
from .schema import PACKAGE


def serve() -> None:
    """Serve the components to the engine (the engine's address is the first command-line argument)."""
    component_provider_host(list(COMPONENTS), PACKAGE, version=irsa_components.__version__)
