"""`govcat data compare`, `govcat data sample` and `--record`, through the real CLI."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from tests.conftest import REPO, govcat

EXAMPLES = REPO / "examples" / "data"


def test_compare_finds_the_three_planted_differences() -> None:
    result = govcat("data", "compare", "--key", "统一社会信用代码", "--format", "json",
                    f"102005001/000001={EXAMPLES / '市场主体登记信息.csv'}",
                    f"105005001/000001={EXAMPLES / '营业执照电子证照.csv'}", cwd=REPO)
    assert result.returncode == 0, result.stderr  # GC823 is a warning
    report = json.loads(result.stdout)
    assert sorted((f["code"], f["field"], f["count"]) for f in report["findings"]) == [
        ("GC823", "机构名称", 2), ("GC823", "登记机关", 1)]
    sample = report["findings"][0]["samples"][0]
    assert sample["key"] and sample["other"]["resource"] == "105005001/000001"


def test_sample_plants_the_defects_it_lists(tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    made = govcat("data", "sample", "101002001/000001", "-o", str(out), "--rows", "3000", "--defects", "0.02",
                  "--seed", "3", cwd=REPO)
    assert made.returncode == 0, made.stderr
    planted: dict[str, int] = {}
    with open(str(out) + ".defects.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            planted[row["rule"]] = planted.get(row["rule"], 0) + 1
    clean = govcat("data", "sample", "101002001/000001", "-o", str(tmp_path / "c.csv"), "--rows", "500", cwd=REPO)
    assert clean.returncode == 0
    report = json.loads(govcat("data", "check", "101002001/000001", str(out), "--format", "json", cwd=REPO).stdout)
    found: dict[str, int] = {}
    for f in report["findings"]:
        found[f["code"]] = found.get(f["code"], 0) + f["count"]
    for rule in ("GC811", "GC817", "GC815", "GC820"):
        assert found.get(rule, 0) == planted.get(rule, 0), rule
    ok = json.loads(govcat("data", "check", "101002001/000001", str(tmp_path / "c.csv"), "--format", "json",
                           cwd=REPO).stdout)
    assert [f["code"] for f in ok["findings"] if f["severity"] != "info"] == []


def test_record_stores_the_result_in_the_catalog_database(tmp_path: Path) -> None:
    db = tmp_path / "govcat.db"
    for _ in range(2):  # a second run the same day replaces the row
        result = govcat("data", "check", "101002001/000001", str(EXAMPLES / "人口基本信息.csv"), "--record",
                        "--db", str(db), "--fail-on", "never", cwd=REPO)
        assert result.returncode == 0, result.stderr
    rows = sqlite3.connect(db).execute("SELECT resource_code, provider_code, rows_checked, quality FROM data_quality").fetchall()
    assert len(rows) == 1 and rows[0][:3] == ("101002001/000001", "11330100MB0000011T", 200) and 0 < rows[0][3] <= 1


def test_chars_pattern_is_left_out_only_where_the_element_pattern_allows_no_other_characters() -> None:
    from govcat.data.checks import _chars_pattern

    assert _chars_pattern("an", "^[0-9]{17}[0-9X]$") is None
    assert _chars_pattern("an", "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$") is None
    assert _chars_pattern("n", "^[0-9A]{8}$") == "[0-9]+"  # a letter the format does not allow
    assert _chars_pattern("n", "^[0-9]{2}") == "[0-9]+"  # a prefix only: the rest is free
    assert _chars_pattern("an", "[0-9.]+") == "[A-Za-z0-9]+"
    assert _chars_pattern("an", "[0-9]+|-") == "[A-Za-z0-9]+"
    assert _chars_pattern("an", None) == "[A-Za-z0-9]+"
