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


class InputError(ValueError):
    """Raised before any resource is registered when inputs are invalid; lists every problem."""

    def __init__(self, problems: Iterable[Problem], header: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        head = header or f"{count} invalid input{'s' if count != 1 else ''}"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in self.problems))


class Problems:
    """A collector of problems for one subject (a component instance or a config entry)."""

    def __init__(self, subject: str) -> None:
        self.subject = subject
        self._items: list[Problem] = []

    def add(self, field: str, value: Any, message: str) -> None:
        self._items.append(Problem(self.subject, field, value, message))

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


def did_you_mean(word: str, options: Iterable[str], n: int = 1) -> str:
    """`` (did you mean 'x'?)`` naming up to ``n`` close matches of ``word`` among ``options``; else empty."""
    close = difflib.get_close_matches(word, list(options), n=n)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
