"""The Pulumi program of this repository: `pulumi up` runs it for the selected stack."""

from irsa_components import gc_policy
from irsa_components.stack.program import main

gc_policy.apply()  # a large stack spends a third of its run in the collector otherwise
main()
