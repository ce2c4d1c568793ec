"""The rule registry: every rule of the catalog, GC001–GC704, as one explicit tuple."""

from __future__ import annotations

from govcat.checking.rules import duplication, element, files, frequency, provider, resource, schema, sharing
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
)
BY_CODE = {r.code: r for r in RULES}

__all__ = ["BY_CODE", "RULES", "Context", "Hit", "Rule"]
