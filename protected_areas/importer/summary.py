"""What an import did: counts per outcome, and why each rejected feature was rejected.

Its own module because both halves of the importer add to it: the reader rejects features it cannot
use, the writer counts what PostGIS created, updated or repaired and what it rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import npgettext

# A 300,000-feature file with a bad column would otherwise carry 300,000 messages around.
MAX_ERRORS = 1000


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    repaired: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    layer: str = ""
    total: int | None = None
    # Set when areas changed and the caller is to refresh the maps (services.maps_refresh_queue):
    # the database's clock when the import started.
    maps_changed_since: datetime | None = None

    def reject(self, feature: int, reason: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"feature": feature, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "repaired": self.repaired,
            "rejected": self.rejected,
            "errors": list(self.errors),
        }
        if self.maps_changed_since is not None:
            # The maps show the import's changes once the refresh it queued has run.
            result["maps_refreshing"] = True
        return result


def outcome_counts(result: dict[str, Any]) -> list[dict[str, Any]]:
    """An import's counts as its pages show them (the preview's dry run, the import's status): each with
    its word agreeing with it, and the word's two forms for the page's script to choose from when the
    count arrives later (static/js/job.js)."""
    counts = []
    for key, words in _OUTCOME_WORDS.items():
        count = result.get(key)
        counts.append(
            {
                "key": key,
                "count": count,
                "word": words(count if isinstance(count, int) else 0),
                "one": words(1),
                "other": words(2),
            }
        )
    return counts


# The context written out each time: makemessages reads literal strings only.
_OUTCOME_WORDS = {
    "created": lambda n: npgettext("areas in an import, counted", "created", "created", n),
    "updated": lambda n: npgettext("areas in an import, counted", "updated", "updated", n),
    "unchanged": lambda n: npgettext("areas in an import, counted", "unchanged", "unchanged", n),
    "repaired": lambda n: npgettext("areas in an import, counted", "boundary repaired", "boundaries repaired", n),
    "rejected": lambda n: npgettext("areas in an import, counted", "rejected", "rejected", n),
}
