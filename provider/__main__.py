"""Entry point of the component package (PulumiPlugin.yaml): serves irsa_components' components."""

from irsa_components.provider import serve

serve()
