"""Meta-tests over the rule registry: the rule catalog is a public contract (SPEC §3.1)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from govcat.checking.rules import RULES
from govcat.standard import load as load_standard
from tests.cases import read_yaml

CASES = Path(__file__).parent / "rules"
HEADINGS = ("## 检查内容", "## 为什么", "## 示例", "## 修正")
# SPEC §3.1, fixed: code -> (name, default severity)
CATALOG = {
    "GC001": ("yaml-syntax-error", "error"), "GC002": ("duplicate-key", "error"),
    "GC003": ("file-encoding", "error"), "GC004": ("input-limit", "error"),
    "GC005": ("unsupported-file", "error"), "GC006": ("spreadsheet-structure", "error"),
    # added within the family for workspace waivers (issue 5)
    "GC007": ("waiver-expired", "warning"), "GC008": ("unused-waiver", "warning"),
    "GC009": ("unreadable-file", "error"),  # added within the family: files and folders that cannot be read
    "GC101": ("missing-required-field", "error"), "GC102": ("unknown-field", "error"),
    "GC103": ("wrong-type", "error"), "GC104": ("value-not-in-vocabulary", "error"),
    "GC105": ("pattern-mismatch", "error"), "GC106": ("invalid-date", "error"),
    "GC107": ("out-of-bounds", "error"), "GC108": ("missing-recommended-field", "warning"),
    "GC109": ("control-character", "error"),
    # added within the family for the standard's lifecycle (issue 8)
    "GC110": ("deprecated-field", "warning"), "GC111": ("deprecated-value", "warning"),
    "GC201": ("resource-code-format", "error"), "GC202": ("resource-code-classification-mismatch", "error"),
    "GC203": ("duplicate-resource-code", "error"), "GC204": ("duplicate-resource-name", "error"),
    "GC205": ("unknown-related-resource", "error"), "GC206": ("invalid-credit-code", "error"),
    "GC207": ("classification-item-invalid", "error"),
    "GC301": ("unknown-data-element", "error"), "GC302": ("item-type-mismatch", "error"),
    "GC303": ("item-length-mismatch", "warning"), "GC304": ("non-standard-item-name", "warning"),
    "GC305": ("unmapped-standard-item", "warning"), "GC306": ("deprecated-data-element", "warning"),
    "GC307": ("missing-item-length", "error"), "GC308": ("duplicate-item", "error"),
    "GC401": ("conditional-share-without-condition", "error"), "GC402": ("not-shared-without-basis", "error"),
    "GC403": ("not-shared-but-open", "error"), "GC404": ("conditional-open-without-condition", "error"),
    "GC405": ("sensitive-data-opened", "error"), "GC406": ("security-level-opening-conflict", "error"),
    "GC407": ("share-method-format-mismatch", "error"), "GC408": ("base-resource-not-unconditional", "warning"),
    "GC409": ("share-method-type-missing", "error"),
    "GC501": ("non-standard-frequency", "error"), "GC502": ("other-frequency-without-note", "error"),
    "GC503": ("frequency-below-policy", "error"), "GC504": ("update-overdue", "warning"),
    "GC505": ("date-order", "error"), "GC506": ("frequency-method-conflict", "warning"),
    "GC601": ("duplicate-resource-across-departments", "warning"), "GC602": ("non-authoritative-source", "info"),
    "GC701": ("provider-folder-mismatch", "error"), "GC702": ("provider-not-registered", "error"),
    "GC703": ("provider-name-mismatch", "warning"), "GC704": ("unsupported-standard-version", "error"),
    "GC705": ("duplicate-department", "error"), "GC706": ("unknown-parent-department", "error"),
    "GC707": ("outdated-standard-version", "warning"),
    # data checks, `govcat data` (issue 12, SPEC §6.3)
    "GC800": ("data-unreadable", "error"), "GC801": ("data-encoding", "warning"), "GC802": ("malformed-row", "error"),
    "GC803": ("no-data-rows", "warning"), "GC804": ("unmapped-item", "warning"), "GC805": ("unknown-column", "warning"),
    "GC806": ("duplicate-column", "error"), "GC811": ("key-value-missing", "error"), "GC812": ("value-missing", "info"),
    "GC813": ("wrong-data-type", "error"), "GC814": ("length-mismatch", "error"), "GC815": ("format-mismatch", "error"),
    "GC816": ("value-not-in-code-set", "error"), "GC817": ("invalid-check-digit", "error"),
    "GC818": ("impossible-date", "error"), "GC819": ("future-date", "error"), "GC820": ("duplicate-key-value", "error"),
    "GC821": ("cross-field-mismatch", "error"), "GC822": ("data-stale", "warning"),
    "GC823": ("inconsistent-across-sources", "warning"),
    # added within the family for the standard's lifecycle (`govcat migrate`)
    "GC708": ("migration-needs-decision", "warning"),
}


def test_registry_matches_the_fixed_rule_catalog() -> None:
    assert {r.code: (r.name, r.severity) for r in RULES} == CATALOG


def test_the_standards_rule_table_lists_every_rule() -> None:
    """schema/lifecycle.yaml's rule table (the standard decides severities) and the validator agree:
    every rule with its name and default severity, and no rule the validator does not have."""
    table = load_standard().rules
    assert {code: entry["severity"] for code, entry in table.items()} == {r.code: r.severity for r in RULES}


def test_codes_and_names_are_unique_and_well_formed() -> None:
    codes = [r.code for r in RULES]
    names = [r.name for r in RULES]
    assert len(set(codes)) == len(codes) and len(set(names)) == len(names)
    assert all(re.fullmatch(r"GC\d{3}", c) for c in codes)
    assert all(re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", n) for n in names)
    assert codes == sorted(codes), "the registry lists rules in code order"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_has_messages_and_docs(rule) -> None:  # type: ignore[no-untyped-def]
    assert re.search(r"[\u4e00-\u9fff]", rule.zh), "the zh message is Chinese"
    assert re.search(r"[a-z]{3,}", rule.en) and rule.en != rule.zh, "the en message is English"
    fields = {f for _, f, _, _ in string.Formatter().parse(rule.zh) if f}
    assert fields == {f for _, f, _, _ in string.Formatter().parse(rule.en) if f}, "zh and en use the same arguments"
    positions = [rule.doc.find(h) for h in HEADINGS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), f"{rule.code} docs need {HEADINGS}"


# A data rule's cases are tables: tests/test_data.py (test_every_data_rule_fires_somewhere…).
@pytest.mark.parametrize("rule", [r for r in RULES if r.roles != ("data",)], ids=lambda r: r.code)
def test_rule_has_valid_and_invalid_cases(rule) -> None:  # type: ignore[no-untyped-def]
    path = CASES / f"{rule.code}.yaml"
    assert path.is_file(), f"missing {path.name}"
    spec = read_yaml(path.read_text(encoding="utf-8"))  # the cases' own typing: `2025-02-30` is text
    assert spec.get("valid"), f"{rule.code} has no valid case"
    assert spec.get("invalid"), f"{rule.code} has no invalid case"
    # An invalid case may expect nothing of its own rule, to pin where another rule takes over,
    # but each rule must have at least one case where it fires.
    assert any(case.get("expect") for case in spec["invalid"]), f"{rule.code} never fires in its cases"
