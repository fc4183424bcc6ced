"""Role names and paths: IAM's rules, and the stable derivation of names from resource names."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from irsa_components.core.names import role_name, role_name_problem, role_path_problem, shorten

IAM_ROLE_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{1,64}")


@pytest.mark.parametrize("name", ["a", "payments-api", "A_b+c=d,e.f@g-h", "x" * 64])
def test_valid_role_names(name: str) -> None:
    assert role_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "non-empty"),
        (None, "non-empty"),
        (42, "non-empty"),
        ("x" * 65, "65 characters"),
        ("has space", "' '"),
        ("slash/name", "'/'"),
        ("colon:name", "':'"),
        ("trailing-newline\n", "'\\n'"),
        ("ünïcode", "'ïü'"),
        ("name*", "'*'"),
    ],
)
def test_invalid_role_names_say_why(name: object, fragment: str) -> None:
    problem = role_name_problem(name)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize("path", ["/", "/irsa/", "/irsa/prod/", "/a-b_c.d~!/", "/" + "p" * 510 + "/"])
def test_valid_role_paths(path: str) -> None:
    assert role_path_problem(path) is None


@pytest.mark.parametrize(
    "path",
    ["", None, "irsa/", "/irsa", "irsa", "//", "/a//b/", "/sp ace/", "/ünï/", "/irsa/\n", "/" + "p" * 511 + "/"],
)
def test_invalid_role_paths(path: object) -> None:
    assert role_path_problem(path) is not None


def test_role_name_keeps_short_valid_names() -> None:
    assert role_name("prod", "payments") == "prod-payments"
    assert role_name("", "payments") == "payments"


def test_role_name_replaces_characters_iam_refuses_and_keeps_inputs_distinct() -> None:
    a, b = role_name("team a"), role_name("team/a")
    assert role_name_problem(a) is None and role_name_problem(b) is None
    assert a.startswith("team-a-") and b.startswith("team-a-")
    assert a != b
    assert a != role_name("team-a")


def test_long_names_are_shortened_with_a_hash_of_the_whole_name() -> None:
    long_a, long_b = "x" * 70 + "a", "x" * 70 + "b"
    assert len(role_name(long_a)) == 64 and len(role_name(long_b)) == 64
    assert role_name(long_a) != role_name(long_b)
    assert role_name(long_a) == role_name(long_a)
    assert shorten("x" * 64) == "x" * 64
    assert len(shorten("y" * 100, 20)) == 20


@given(st.lists(st.text(min_size=1, max_size=80), min_size=1, max_size=3))
def test_derived_names_are_always_valid_and_deterministic(parts: list[str]) -> None:
    name = role_name(*parts)
    if any(parts):
        assert IAM_ROLE_NAME.fullmatch(name), name
        assert role_name_problem(name) is None
    assert role_name(*parts) == name


@given(st.text(min_size=1, max_size=80), st.text(min_size=1, max_size=80))
def test_different_inputs_give_different_names(a: str, b: str) -> None:
    if a != b:
        assert role_name(a) != role_name(b)
