"""Meta-tests over the rule registry: the rule catalog is a public contract (SPEC §3.1)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

from govcat.checking.rules import RULES

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
}


def test_registry_matches_the_fixed_rule_catalog() -> None:
    assert {r.code: (r.name, r.severity) for r in RULES} == CATALOG


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


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_has_valid_and_invalid_cases(rule) -> None:  # type: ignore[no-untyped-def]
    path = CASES / f"{rule.code}.yaml"
    assert path.is_file(), f"missing {path.name}"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert spec.get("valid"), f"{rule.code} has no valid case"
    assert spec.get("invalid"), f"{rule.code} has no invalid case"
    # An invalid case may expect nothing of its own rule, to pin where another rule takes over,
    # but each rule must have at least one case where it fires.
    assert any(case.get("expect") for case in spec["invalid"]), f"{rule.code} never fires in its cases"
