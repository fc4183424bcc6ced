"""What ``irsa diff`` reports: each change, classified, and the diff as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Classification = Literal["widening", "narrowing", "neutral"]
ORDER: dict[str, int] = {"widening": 0, "narrowing": 1, "neutral": 2}
DIFF_FORMAT_VERSION = 1
# Reviewers read these first among the widening changes: administrator-like grants.
FIRST_KINDS = frozenset({"admin-granted"})


@dataclass(frozen=True)
class Change:
    classification: Classification
    kind: str
    service: str
    summary: str
    before: str | None = None
    after: str | None = None
    replacement: bool = False
    witness: str | None = None
    """A request the new document allows and the old one does not (widening), or the reverse (narrowing)."""

    def to_data(self) -> dict[str, Any]:
        return {
            "after": self.after,
            "before": self.before,
            "classification": self.classification,
            "kind": self.kind,
            "replacement": self.replacement,
            "service": self.service,
            "summary": self.summary,
            "witness": self.witness,
        }

    @property
    def sort_key(self) -> tuple[int, bool, bool, str, str, str]:
        return (
            ORDER[self.classification],
            self.kind not in FIRST_KINDS,
            not self.replacement,
            self.service,
            self.kind,
            self.summary,
        )


@dataclass
class PlanDiff:
    base: str
    head: str
    changes: list[Change] = field(default_factory=list)

    def count(self, classification: Classification) -> int:
        return sum(1 for c in self.changes if c.classification == classification)

    @property
    def widening(self) -> bool:
        return self.count("widening") > 0

    @property
    def replacements(self) -> list[Change]:
        return [c for c in self.changes if c.replacement]

    @property
    def retained(self) -> list[Change]:
        """Roles that leave the stack (removed or replaced) but stay in AWS, unmanaged (``retainOnDelete``)."""
        return [c for c in self.changes if c.kind == "role-retained"]

    def to_data(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "changes": [c.to_data() for c in self.changes],
            "formatVersion": DIFF_FORMAT_VERSION,
            "head": self.head,
            "summary": {
                "narrowing": self.count("narrowing"),
                "neutral": self.count("neutral"),
                "replacements": len(self.replacements),
                "retained": len(self.retained),
                "widening": self.count("widening"),
            },
        }
