"""The ``irsa`` command line: ``plan``, ``diff`` and ``explain``, all offline."""
