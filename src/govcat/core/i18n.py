"""Bilingual message arguments: findings are Chinese-first, English with ``--lang en``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class L10n:
    """A message argument that reads differently in each language (hints, field titles)."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.zh
