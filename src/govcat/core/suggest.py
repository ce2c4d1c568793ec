"""'Did you mean' suggestions, by rapidfuzz."""

from __future__ import annotations

from collections.abc import Iterable

from govcat.core.i18n import L10n


def nearest(query: str, choices: Iterable[str], cutoff: float = 60) -> str | None:
    from rapidfuzz import fuzz, process  # only findings need it: a clean run does not pay its import

    found = process.extractOne(query, list(choices), scorer=fuzz.ratio, score_cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(suggestion: str | None) -> L10n:
    if not suggestion:
        return L10n("", "")
    return L10n(f"；是否应为“{suggestion}”？", f"; did you mean '{suggestion}'?")
