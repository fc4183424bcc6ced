"""How IAM reads the values in a policy: wildcards, policy variables, numbers, dates, addresses, case.

The concrete evaluator (``evaluate``) and the SMT translation (``translate``) both parse policy text
here, so the two cannot disagree about what a value means; they differ only in what they do with it.

- A pattern is a list of pieces: ``Text`` (where ``*`` and ``?`` are wildcards in ``...Like`` and ARN
  operators and in Action/Resource), ``Char`` (a literal character: ``${*}``, ``${?}``, ``${$}``) and
  ``Var`` (a policy variable such as ``${aws:username}`` or ``${aws:PrincipalTag/team, 'none'}``).
  A variable's value is always literal: a ``*`` in a principal tag is not a wildcard.
- Policy variables exist only in documents of version 2012-10-17; elsewhere ``${...}`` is plain text.
- Case: IAM identifiers are ASCII, and case-insensitive comparisons fold ASCII letters only, so the
  evaluator and the solver fold exactly the same characters.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from functools import lru_cache
from typing import Any

from .documents import as_list

VARIABLES_VERSION = "2012-10-17"
_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?\Z")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
COMPARISONS: dict[str, Any] = {
    "Equals": lambda a, b: a == b,
    "LessThan": lambda a, b: a < b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanEquals": lambda a, b: a >= b,
}
"""Numeric and Date operators by their comparison (``NumericLessThan`` -> ``LessThan``)."""


def fold(text: str) -> str:
    """ASCII lower case: what IAM's case-insensitive comparisons (actions, ...IgnoreCase, Bool) ignore."""
    return text.translate(_ASCII_LOWER)


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Char:
    char: str


@dataclass(frozen=True)
class Var:
    key: str
    """Lower case: condition key names are case-insensitive."""
    default: str | None


Piece = Text | Char | Var


@lru_cache(maxsize=8192)
def pieces(value: str, variables: bool = True) -> tuple[Piece, ...]:
    """The pieces of one policy value (a condition value, an Action or Resource entry)."""
    if not variables or "${" not in value:
        return (Text(value),) if value else ()
    out: list[Piece] = []
    position = 0
    for match in _VARIABLE.finditer(value):
        if match.start() > position:
            out.append(Text(value[position : match.start()]))
        name = match.group(1)
        if name in _ESCAPES:
            out.append(Char(_ESCAPES[name]))
        else:
            key, comma, default = name.partition(",")
            out.append(Var(key.strip().lower(), default.strip().strip("'") if comma else None))
        position = match.end()
    if position < len(value):
        out.append(Text(value[position:]))
    return tuple(out)


def to_strings(value: Any) -> tuple[str, ...]:
    """Policy or request values as IAM compares them: strings; JSON booleans as "true"/"false"."""
    out = []
    for item in as_list(value):
        if isinstance(item, bool):
            out.append("true" if item else "false")
        else:
            out.append(str(item))
    return tuple(out)


# Globs --------------------------------------------------------------------------------------------


def glob_regex(
    parts: tuple[Piece, ...], *, arn: bool = False, case_insensitive: bool = False
) -> re.Pattern[str] | None:
    """The regular expression of a pattern whose variables are already resolved (no ``Var`` pieces).

    ``*`` is any run of characters and ``?`` exactly one. With ``arn``, the pattern is an ARN matched
    field by field: before its fifth colon a wildcard does not match ``:``, and a pattern with fewer
    than five colons matches nothing (None).
    """
    out = ["^"]
    colons = 0
    for part in parts:
        if isinstance(part, Var):
            raise ValueError("resolve policy variables first")
        if isinstance(part, Char):
            colons += part.char == ":"
            out.append(re.escape(part.char))
            continue
        for char in part.text:
            bounded = arn and colons < 5
            if char == "*":
                out.append("[^:]*" if bounded else ".*")
            elif char == "?":
                out.append("[^:]" if bounded else ".")
            else:
                colons += char == ":"
                out.append(re.escape(char))
    if arn and colons < 5:
        return None
    out.append(r"\Z")  # \Z, not $ (which also matches before a trailing newline)
    flags = re.DOTALL | (re.IGNORECASE | re.ASCII if case_insensitive else 0)
    return re.compile("".join(out), flags)


@lru_cache(maxsize=8192)
def _cached_glob(parts: tuple[Piece, ...], arn: bool, case_insensitive: bool) -> re.Pattern[str] | None:
    return glob_regex(parts, arn=arn, case_insensitive=case_insensitive)


def glob_match(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    """IAM wildcards: ``*`` any run of characters (``:`` and ``/`` included), ``?`` exactly one."""
    regex = _cached_glob(pieces(pattern, variables=False), False, not case_sensitive)
    return regex is not None and regex.match(value) is not None


def match_pieces(parts: tuple[Piece, ...], value: str, *, arn: bool = False, case_insensitive: bool = False) -> bool:
    regex = _cached_glob(parts, arn, case_insensitive)
    return regex is not None and regex.match(value) is not None


def literal(parts: tuple[Piece, ...]) -> str:
    """The text of resolved pieces with no wildcards (what the equality operators compare)."""
    return "".join(p.text if isinstance(p, Text) else p.char for p in parts if not isinstance(p, Var))


# Numbers, dates, addresses ---------------------------------------------------------------------------


def parse_number(text: str) -> Fraction | None:
    """A Numeric operator's operand: an optionally negative decimal, read exactly."""
    return Fraction(text) if _NUMBER.match(text) else None


def parse_date(text: str) -> Fraction | None:
    """A Date operator's operand as seconds since the epoch: ISO 8601, or epoch seconds."""
    number = parse_number(text)
    if number is not None:
        return number
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - EPOCH
    return Fraction(delta.days * 86400 + delta.seconds) + Fraction(delta.microseconds, 1_000_000)


def format_date(seconds: Fraction) -> str:
    """Epoch seconds as ISO 8601 in UTC (the form of aws:CurrentTime)."""
    whole = seconds.numerator // seconds.denominator
    micros = (seconds - whole) * 1_000_000
    moment = EPOCH + timedelta(seconds=whole, microseconds=int(micros))
    return moment.isoformat().replace("+00:00", "Z")


def format_number(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    whole, rest = divmod(abs(value.numerator), value.denominator)
    digits = []
    for _ in range(12):
        rest *= 10
        digit, rest = divmod(rest, value.denominator)
        digits.append(str(digit))
        if not rest:
            break
    return ("-" if value < 0 else "") + f"{whole}." + "".join(digits)


def parse_address(text: str) -> tuple[bool, int] | None:
    """(IPv6?, address as an integer) of a request's source address."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.version == 6, int(address)


def parse_network(text: str) -> tuple[bool, int, int] | None:
    """(IPv6?, first, last address) of an IpAddress operand (a CIDR block or one address)."""
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    return network.version == 6, int(network.network_address), int(network.broadcast_address)


def format_address(v6: bool, value: int) -> str:
    return str(ipaddress.IPv6Address(value) if v6 else ipaddress.IPv4Address(value))
