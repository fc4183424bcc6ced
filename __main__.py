"""The Pulumi program of this repository: `pulumi up` runs it for the selected stack."""

from irsa_components.stack.program import main

main()
