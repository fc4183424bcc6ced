"""Problems are collected and raised together; quotas default to AWS's defaults."""

from __future__ import annotations

import pytest

from irsa_components.core import limits
from irsa_components.core.errors import InputError, Problem, Problems


def test_problem_names_subject_field_and_value() -> None:
    problem = Problem("IrsaRole 'payments'", "role_name", "bad name", "is wrong")
    assert str(problem) == "IrsaRole 'payments': role_name='bad name': is wrong"


def test_problems_collect_and_raise_once_with_every_problem() -> None:
    problems = Problems("IrsaRole 'payments'")
    assert not problems and len(problems) == 0
    problems.raise_if_any()  # nothing to raise
    problems.check("path", "/ok/", None)
    problems.check("role_name", "a b", "has a space")
    problems.add("max_session_duration", 10, "too short")
    problems.extend([Problem("other", "f", 1, "m")])
    assert len(problems) == 3 and bool(problems)
    with pytest.raises(InputError) as info:
        problems.raise_if_any()
    error = info.value
    assert [p.field for p in error.problems] == ["role_name", "max_session_duration", "f"]
    assert str(error).startswith("3 invalid inputs:\n")
    assert "IrsaRole 'payments': role_name='a b': has a space" in str(error)
    assert "IrsaRole 'payments': max_session_duration=10: too short" in str(error)
    assert isinstance(error, ValueError)


def test_input_error_header() -> None:
    one = InputError([Problem("s", "f", 1, "m")])
    assert str(one).startswith("1 invalid input:\n")
    assert str(InputError([], header="custom")).startswith("custom:")


def test_default_quotas_are_aws_defaults() -> None:
    quotas = limits.Quotas()
    assert quotas.trust_policy_chars == 2048
    assert quotas.managed_policies_per_role == 10
    assert quotas.inline_policy_chars == 10240
    assert quotas.managed_policy_chars == 6144
    assert quotas.tags_per_resource == 50
    assert (limits.MIN_SESSION_DURATION, limits.MAX_SESSION_DURATION) == (3600, 43200)
    assert (limits.ROLE_NAME_MAX, limits.ROLE_PATH_MAX, limits.OIDC_URL_MAX) == (64, 512, 255)


def test_input_errors_cross_process_boundaries_whole() -> None:
    import pickle

    from irsa_components.core.errors import InputError, Problem

    error = InputError([Problem("IrsaRole 'x'", "role_name", "a b", "has characters IAM does not allow")], "Bad")
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == error.problems and str(again) == str(error)
