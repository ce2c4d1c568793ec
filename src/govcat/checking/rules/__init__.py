"""The rule registry: every rule, GC001–GC704 on catalogs and GC8xx on data, as one explicit tuple."""

from __future__ import annotations

from govcat.checking.rules import data, duplication, element, files, frequency, provider, resource, schema, sharing
from govcat.checking.rules.base import Context, Hit, Rule

RULES: tuple[Rule, ...] = (
    *files.RULES,
    *schema.RULES,
    *resource.RULES,
    *element.RULES,
    *sharing.RULES,
    *frequency.RULES,
    *duplication.RULES,
    *provider.RULES,
    *data.RULES,  # `govcat data`: role "data", never run on catalog documents
)
BY_CODE = {r.code: r for r in RULES}

__all__ = ["BY_CODE", "RULES", "Context", "Hit", "Rule"]
