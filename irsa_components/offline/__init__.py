"""Run Pulumi programs offline under the SDK's mocks, answering like a placeholder AWS account.

This is how the tests, ``irsa plan`` and the benchmarks execute the real stack program without
the Pulumi CLI, provider plugins or cloud credentials.
"""

from .mocks import (
    PLACEHOLDER_ACCOUNT,
    PLACEHOLDER_PATTERN,
    CloudMocks,
    Invoke,
    Registration,
    Simulation,
    placeholder_issuer_url,
    run_program,
)
from .stackfile import SECRET_PLACEHOLDER, load_config_file, load_stack_config

__all__ = [
    "PLACEHOLDER_ACCOUNT",
    "PLACEHOLDER_PATTERN",
    "SECRET_PLACEHOLDER",
    "CloudMocks",
    "Invoke",
    "Registration",
    "Simulation",
    "load_config_file",
    "load_stack_config",
    "placeholder_issuer_url",
    "run_program",
]
