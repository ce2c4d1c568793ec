"""Versions of the standard: SemVer `MAJOR.MINOR.PATCH` (SPEC §6.1), and what a change requires.

A catalog may write `1.0`, which means `1.0.0`; any patch of a released minor version is accepted,
since patches change nothing a catalog can see.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_SEMVER = re.compile(r"^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})(?:\.(0|[1-9]\d{0,5}))?$")
BUMPS = ("none", "patch", "minor", "major")  # in increasing order


class Version(NamedTuple):
    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    @property
    def line(self) -> tuple[int, int]:
        """The minor line a catalog version stands for (`1.0` and `1.0.3` are both 1.0)."""
        return (self.major, self.minor)


def parse(text: object) -> Version | None:
    """`1.0` -> 1.0.0, `1.2.3` -> 1.2.3; anything else (or a number typed as 1.0) -> None."""
    if not isinstance(text, str):
        return None
    m = _SEMVER.match(text.strip())
    if m is None:
        return None
    return Version(int(m[1]), int(m[2]), int(m[3] or 0))


def bump(old: Version, new: Version) -> str:
    """The bump from ``old`` to ``new``: major, minor, patch, or none (equal or lower)."""
    if new <= old:
        return "none"
    if new.major != old.major:
        return "major"
    if new.minor != old.minor:
        return "minor"
    return "patch"


def at_least(declared: str, required: str) -> bool:
    return BUMPS.index(declared) >= BUMPS.index(required)
