"""Input problems, collected so that every mistake is reported at once."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One bad input: who it belongs to, which field, the value, and what is wrong."""

    subject: str
    """The component or config entry, e.g. ``IrsaRole 'payments'`` or ``service 'payments-api'``."""
    field: str
    value: Any
    message: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.field}={self.value!r}: {self.message}"


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, list | tuple | dict) and not value)


class InputError(ValueError):
    """Raised before any resource is registered when inputs are invalid; lists every problem."""

    def __init__(self, problems: Iterable[Problem], header: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.header = header
        count = len(self.problems)
        head = header or f"{count} invalid input{'s' if count != 1 else ''}"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in self.problems))

    def __reduce__(self) -> tuple[type[InputError], tuple[tuple[Problem, ...], str | None]]:
        # Crosses process boundaries whole (a split offline run raises it in a worker process).
        return (type(self), (self.problems, self.header))


class Problems:
    """A collector of problems for one subject (a component instance or a config entry)."""

    def __init__(self, subject: str) -> None:
        self.subject = subject
        self._items: list[Problem] = []
        self._superseded: set[str] = set()

    def add(self, field: str, value: Any, message: str) -> None:
        if field in self._superseded and _absent(value):
            return  # a missing input already reported as the misspelt key that stands for it
        self._items.append(Problem(self.subject, field, value, message))

    def supersede(self, field: str) -> None:
        """Leave out "missing" problems (no value, or an empty one) of ``field``: a typo for it was reported."""
        self._superseded.add(field)
        self._items = [p for p in self._items if not (p.field == field and _absent(p.value))]

    def check(self, field: str, value: Any, message: str | None) -> None:
        """Add a problem when a validator returned a message (validators return None when fine)."""
        if message is not None:
            self.add(field, value, message)

    def extend(self, problems: Iterable[Problem]) -> None:
        self._items.extend(problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            raise InputError(self._items)


def close_matches(word: str, options: Iterable[str], n: int = 1) -> list[str]:
    """Up to ``n`` options close to ``word``: one differing only in case (or ``-``/``_``) first, then by similarity."""
    ordered = sorted(set(options))
    folded = word.lower().replace("-", "_")
    same = [o for o in ordered if o.lower().replace("-", "_") == folded and o != word]
    rest = [c for c in difflib.get_close_matches(word, ordered, n=n) if c not in same]
    return (same + rest)[:n]


def close_match(word: str, options: Iterable[str]) -> str | None:
    found = close_matches(word, options)
    return found[0] if found else None


def did_you_mean(word: str, options: Iterable[str], n: int = 1) -> str:
    """`` (did you mean 'x'?)`` naming up to ``n`` close matches of ``word`` among ``options``; else empty."""
    close = close_matches(word, options, n)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
