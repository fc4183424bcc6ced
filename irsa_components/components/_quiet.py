"""Import pulumi_aws.s3 without its import-time DeprecationWarnings.

Importing ``pulumi_aws.s3`` warns about each of its deprecated ``*V2`` classes (22 warnings, in every
user's test run), whether a program uses them or not; this library uses none of them. Only the
import is silenced: deprecated inputs still warn when a program passes them.
"""

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import pulumi_aws.s3

    # The provider SDK loads its modules lazily, on first attribute access: load it here.
    pulumi_aws.s3.Bucket  # noqa: B018
