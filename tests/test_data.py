"""`govcat data check` on DuckDB: every GC8xx check on a table whose defects are known row by row, the
report contract (SPEC §6.3), check digits against python-stdnum, and every kind of bad input."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import duckdb
import pytest
from stdnum.cn import ric, uscc

from govcat.checking.rules import RULES
from govcat.data import checks
from tests.conftest import REPO, govcat
from tests.datacases import (
    AS_OF,
    EXPECTED,
    HEADERS,
    RESOURCE,
    check,
    counts,
    defect_rows,
    good_row,
    write_csv,
)


@pytest.fixture
def defects(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "人口.csv", defect_rows())


def test_every_planted_defect_is_found_once(defects: Path) -> None:
    report = check(defects)
    assert counts(report) == EXPECTED
    assert report["rows"] == 20 and report["engine"] == "duckdb" and report["complete"] is True
    assert report["resource"]["code"] == RESOURCE


def test_clean_data_gives_only_the_empty_column_notice(tmp_path: Path) -> None:
    report = check(write_csv(tmp_path / "ok.csv", [good_row(i) for i in range(1, 51)]))
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [("GC812", "info")]
    metrics = report["metrics"]
    assert metrics["conformity"]["rate"] == 1.0 and metrics["uniqueness"]["rate"] == 1.0
    assert metrics["timeliness"] == {"title": "时效性", "rate": 1.0, "failing": 0, "checked": 1}
    assert metrics["completeness"]["rate"] == pytest.approx(1 - 50 / (50 * 13))


def test_a_finding_carries_field_column_count_rows_and_located_samples(defects: Path) -> None:
    report = check(defects, sample=5)
    found = {(f["code"], f["field"]): f for f in report["findings"]}
    missing = found[("GC811", "公民身份号码")]
    assert (missing["column"], missing["count"], missing["rows"]) == (1, 1, 20)
    assert missing["samples"] == [{"row": 3, "line": 4, "cell": None, "value": None}]
    digit = found[("GC817", "公民身份号码")]["samples"][0]
    assert (digit["row"], digit["line"]) == (5, 6)
    assert digit["value"].startswith("3301") and "*" in digit["value"]  # 敏感个人信息: masked
    duplicate = found[("GC820", "公民身份号码")]["samples"]
    assert [s["row"] for s in duplicate] == [18]
    cross = found[("GC821", "出生日期")]
    assert [s["row"] for s in cross["samples"]] == [6, 7, 8, 16]
    assert found[("GC816", "户籍地行政区划代码")]["samples"][0]["value"] == "3****9"  # 个人信息: masked too


def test_values_are_shown_only_when_asked(defects: Path) -> None:
    report = check(defects, show_values=True)
    digit = next(f for f in report["findings"] if f["code"] == "GC817")
    assert "*" not in digit["samples"][0]["value"] and len(digit["samples"][0]["value"]) == 18
    assert checks_mask_examples() == ["3301**********123X", "张*", "13*******78"[:2] + "*" * 7 + "78"]


def checks_mask_examples() -> list[str]:
    from govcat.data.check import mask

    return [mask("33010619900101123X"), mask("张三"), mask("13912345678")]


def test_samples_are_bounded_per_check(tmp_path: Path) -> None:
    rows = [good_row(i) for i in range(1, 101)]
    for row in rows:
        row[5] = "99"  # every row outside GB/T 3304
    report = check(write_csv(tmp_path / "many.csv", rows), sample=3)
    finding = next(f for f in report["findings"] if f["code"] == "GC816")
    assert finding["count"] == 100 and [s["row"] for s in finding["samples"]] == [1, 2, 3]
    assert check(write_csv(tmp_path / "none.csv", rows), sample=0)["findings"][-1]["samples"] == []


def test_samples_of_a_rare_failure_are_found_past_the_first_rows(tmp_path: Path) -> None:
    rows = [good_row(i) for i in range(1, 201)]
    for row in rows:
        row[5] = "99"  # every row: its samples are all in the first rows
    rows[189][3] = "3"  # row 190 alone: looked for again over every row
    rows[194][0] = rows[2][0]  # row 195 repeats row 3's key
    report = check(write_csv(tmp_path / "rare.csv", rows), sample=3)
    rows_of = {(f["code"], f["field"]): [s["row"] for s in f["samples"]] for f in report["findings"]}
    assert rows_of[("GC816", "民族代码")] == [1, 2, 3]
    assert rows_of[("GC816", "性别代码")] == [190] and rows_of[("GC820", "公民身份号码")] == [195]


# --- check digits against python-stdnum ----------------------------------------------------------

def _sql_failures(values: list[str], wrong: str, shape: str) -> list[bool]:
    """Run one check-digit expression in DuckDB over ``values``."""
    con = duckdb.connect()
    con.execute("CREATE TABLE src (rn INTEGER, c1 VARCHAR)")
    con.executemany("INSERT INTO src VALUES (?, ?)", list(enumerate(values)))
    expression = checks._CHECKSUM_SQL[wrong][0](checks.col(0)).sql("duckdb")
    return [bool(r[0]) for r in con.execute(f"SELECT {expression} FROM src ORDER BY rn").fetchall()]


def test_gb11643_check_digit_agrees_with_python_stdnum() -> None:
    rnd = random.Random(7)
    values = []
    for _ in range(400):
        body = f"{rnd.randrange(110000, 660000)}{rnd.randrange(1950, 2020)}0{rnd.randrange(1, 10)}1{rnd.randrange(10)}{rnd.randrange(1000):03d}"
        values.append(body + rnd.choice("0123456789X"))
    wrong = _sql_failures(values, "gb11643", "")
    assert wrong == [ric.calc_check_digit(v) != v[17] for v in values]
    assert 0 < sum(wrong) < len(values)


def test_gb32100_check_digit_agrees_with_python_stdnum() -> None:
    rnd = random.Random(8)
    alphabet = checks.GB32100_CHARS
    values = ["".join(rnd.choice(alphabet) for _ in range(2)) + f"{rnd.randrange(10**6):06d}"
              + "".join(rnd.choice(alphabet) for _ in range(10)) for _ in range(400)]
    # characters 3-17 all digits, as most codes are: the integer path (checks.gb32100_wrong)
    values += ["".join(rnd.choice(alphabet) for _ in range(2)) + f"{rnd.randrange(10**15):015d}"
               + rnd.choice(alphabet) for _ in range(400)]
    values += [v[:17] + uscc.calc_check_digit(v[:17]) for v in values[-40:]]  # each path right, too
    values += [v[:17] + uscc.calc_check_digit(v[:17]) for v in values[:40]]
    wrong = _sql_failures(values, "gb32100", "")
    assert wrong == [uscc.calc_check_digit(v[:17]) != v[17] for v in values]
    assert 0 < sum(wrong[:400]) < 400 and 0 < sum(wrong[400:800]) < 400 and not any(wrong[800:])


def _gb11714(body: str) -> str:
    # GB 11714-1997 §5 as written in the standard; no maintained library computes it
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]
    r = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return {10: "X", 11: "0"}.get(r, str(r))


def test_gb11714_check_digit_matches_the_standard_formula() -> None:
    rnd = random.Random(9)
    values = ["".join(rnd.choice("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(8)) + rnd.choice("0123456789X")
              for _ in range(400)]
    assert _sql_failures(values, "gb11714", "") == [_gb11714(v[:8]) != v[8] for v in values]
    assert _gb11714("D2143569") == "X"  # the standard's worked example: D2143569-X


def test_the_credit_codes_of_the_example_registry_pass() -> None:
    import yaml

    codes = [d["code"] for d in yaml.safe_load((REPO / "catalogs" / "departments.yaml").read_text())["departments"]]
    assert not any(_sql_failures(codes, "gb32100", ""))


def test_a_date_is_real_exactly_when_python_says_so() -> None:
    from datetime import date

    from sqlglot import exp

    values = [f"{y:04d}{m:02d}{d:02d}" for y in (0, 1, 4, 100, 400, 1900, 1996, 2000, 2023, 2024, 9999)
              for m in range(14) for d in range(33)]
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT unnest(?::VARCHAR[]) AS v", [values])
    real = con.execute(f"SELECT {checks.full_match(exp.column('v'), checks.DATE).sql('duckdb')} FROM t").fetchall()

    def is_date(v: str) -> bool:
        try:
            return bool(date(int(v[:4]), int(v[4:6]), int(v[6:])))
        except ValueError:
            return False

    assert [r[0] for r in real] == [is_date(v) for v in values]


# --- formats and mapping --------------------------------------------------------------------------

def test_tsv_xlsx_parquet_jsonl_and_sqlite_give_the_same_counts(tmp_path: Path, defects: Path) -> None:
    import openpyxl

    expected = counts(check(defects))
    tsv = write_csv(tmp_path / "p.tsv", defect_rows(), delimiter="\t")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in defect_rows():
        sheet.append(row)
    book.save(tmp_path / "p.xlsx")
    con = duckdb.connect()
    relation = f"read_csv('{defects}', header=true, all_varchar=true)"
    con.execute(f"COPY (SELECT * FROM {relation}) TO '{tmp_path / 'p.parquet'}' (FORMAT parquet)")
    con.execute(f"COPY (SELECT * FROM {relation}) TO '{tmp_path / 'p.jsonl'}' (FORMAT json)")
    db = sqlite3.connect(tmp_path / "p.db")
    db.execute(f"CREATE TABLE people ({', '.join(f'{h!r} TEXT' for h in HEADERS)})")
    db.executemany(f"INSERT INTO people VALUES ({', '.join('?' * len(HEADERS))})",
                   [[v or None for v in r] for r in defect_rows()])
    db.commit()
    db.close()
    for data in (tsv, tmp_path / "p.xlsx", tmp_path / "p.parquet", tmp_path / "p.jsonl", f"sqlite:///{tmp_path / 'p.db'}#people"):
        assert counts(check(data)) == expected, data
    cell = next(f for f in check(tmp_path / "p.xlsx")["findings"] if f["code"] == "GC811")
    assert (cell["cell"], cell["sheet"], cell["samples"][0]["cell"]) == ("A4", "Sheet", "A4")


def test_columns_map_by_alias_and_english_name_and_by_a_mapping_file(tmp_path: Path) -> None:
    headers = ["身份证号", "name", "性别", *HEADERS[3:]]
    headers[1] = "person_name"
    rows = [good_row(i) for i in range(1, 6)]
    report = check(write_csv(tmp_path / "a.csv", [[r[0], r[1], r[3], *r[3:]] for r in rows], headers=headers))
    codes = {(f["code"], f["field"]) for f in report["findings"]}
    assert ("GC806", "性别代码") in codes  # 性别 (an alias) and 性别代码 both map to the item
    assert ("GC804", None) in codes  # 曾用名 has no column
    mapping = tmp_path / "map.yaml"
    mapping.write_text("公民身份号码: 证件号\n", encoding="utf-8")
    renamed = write_csv(tmp_path / "b.csv", rows, headers=["证件号", *HEADERS[1:]])
    assert not [f for f in check(renamed, mapping=mapping)["findings"] if f["code"] in ("GC804", "GC805")]
    unmapped = check(renamed)
    assert {(f["code"], f["severity"]) for f in unmapped["findings"] if f["code"] in ("GC804", "GC805")} == {
        ("GC804", "error"), ("GC805", "warning")}


# --- bad input ----------------------------------------------------------------------------------------

def test_empty_file_and_header_only(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    report = check(tmp_path / "empty.csv")
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [("GC800", "error")]
    assert report["complete"] is False
    header_only = check(write_csv(tmp_path / "h.csv", []))
    assert [f["code"] for f in header_only["findings"]] == ["GC803"] and header_only["rows"] == 0


def test_ragged_rows_are_reported_with_their_lines_and_left_out(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [good_row(i) for i in range(1, 6)])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2] + ",extra"  # row 2 (line 3): one field too many
    lines[4] = ",".join(lines[4].split(",")[:5])  # row 4 (line 5): too few
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = check(path)
    bad = next(f for f in report["findings"] if f["code"] == "GC802")
    assert bad["count"] == 2 and [s["line"] for s in bad["samples"]] == [3, 5]
    assert report["rows"] == 3


def test_quoted_line_breaks_keep_rows_and_physical_lines_apart(tmp_path: Path) -> None:
    rows = [good_row(i) for i in range(1, 6)]
    rows[0][7] = "示范市\n人民路 1 号"  # row 1 spans lines 2-3
    rows[3][5] = "99"  # row 4 starts on line 6
    report = check(write_csv(tmp_path / "q.csv", rows))
    sample = next(f for f in report["findings"] if f["code"] == "GC816")["samples"][0]
    assert (sample["row"], sample["line"]) == (4, 6)


def test_gbk_is_detected_converted_and_said(tmp_path: Path) -> None:
    report = check(write_csv(tmp_path / "g.csv", defect_rows(), encoding="gbk"))
    encoding = [f for f in report["findings"] if f["code"] == "GC801"]
    assert [(f["severity"], "GBK" in f["message"]) for f in encoding] == [("warning", True)]
    assert {k: v for k, v in counts(report).items() if k[0] != "GC801"} == EXPECTED


def test_mixed_encodings_are_an_error_with_the_lines(tmp_path: Path) -> None:
    rows = [good_row(i) for i in range(1, 4000)]
    path = write_csv(tmp_path / "m.csv", rows)
    extra = write_csv(tmp_path / "tail.csv", [good_row(4000)], encoding="gbk").read_bytes().split(b"\n", 1)[1]
    path.write_bytes(path.read_bytes() + extra)  # the last line in GBK, after 1 MB of UTF-8
    report = check(path)
    mixed = next(f for f in report["findings"] if f["code"] == "GC801")
    assert mixed["severity"] == "error" and mixed["samples"][0]["line"] == 4001
    assert report["rows"] == 4000


def test_a_10_mb_cell_is_read_and_cut_in_the_report(tmp_path: Path) -> None:
    rows = [good_row(i) for i in range(1, 4)]
    rows[1][7] = "长" * (10 * 1024 * 1024 // 3)
    report = check(write_csv(tmp_path / "big.csv", rows), show_values=True)
    long = next(f for f in report["findings"] if f["code"] == "GC814")
    assert long["samples"][0]["row"] == 2 and len(long["samples"][0]["value"]) < 300


def test_formula_injection_stays_inert_text(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    row = good_row(1)
    row[9] = '=HYPERLINK("http://evil.example","x")'
    row[11] = "=cmd|' /C calc'!A0"
    sheet.append(row)
    sheet.cell(row=2, column=10).data_type = "s"
    sheet.cell(row=2, column=12).data_type = "s"
    book.save(tmp_path / "f.xlsx")
    result = govcat("data", "check", RESOURCE, str(tmp_path / "f.xlsx"), "--format", "json", "--as-of", AS_OF.isoformat(),
                    "--show-values", cwd=REPO)
    report = json.loads(result.stdout)
    values = [s["value"] for f in report["findings"] for s in f["samples"]]
    assert '=HYPERLINK("http://evil.example","x")' in values  # text, exactly as typed; never evaluated
    text = govcat("data", "check", RESOURCE, str(tmp_path / "f.xlsx"), "--as-of", AS_OF.isoformat(), "--show-values",
                  cwd=REPO)
    assert "“=HYPERLINK(" in text.stdout and text.returncode == 1


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4")
    assert [f["code"] for f in check(tmp_path / "x.pdf")["findings"]] == ["GC800"]
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    assert [f["code"] for f in check(tmp_path / "broken.parquet")["findings"]] == ["GC800"]
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 no zip")
    assert [f["code"] for f in check(tmp_path / "broken.xlsx")["findings"]] == ["GC800"]
    missing = govcat("data", "check", RESOURCE, str(tmp_path / "nope.csv"), cwd=REPO)
    assert missing.returncode == 2 and "数据文件不存在" in missing.stderr and "Traceback" not in missing.stderr
    unknown = govcat("data", "check", "999999999/000001", str(tmp_path / "x.pdf"), cwd=REPO)
    assert unknown.returncode == 2 and "找不到信息资源" in unknown.stderr


def test_a_database_that_does_not_answer_is_exit_2(tmp_path: Path, defects: Path) -> None:
    result = govcat("data", "check", RESOURCE, "postgresql://postgres@127.0.0.1:1/none#public.people", cwd=REPO)
    assert result.returncode == 2 and "PostgreSQL" in result.stderr and "Traceback" not in result.stderr


# --- the CLI and the rule registry -----------------------------------------------------------------

def test_cli_text_report_exit_codes_and_english(defects: Path) -> None:
    result = govcat("data", "check", RESOURCE, str(defects), "--as-of", AS_OF.isoformat(), "--sample", "2", cwd=REPO)
    assert result.returncode == 1, result.stderr
    assert "[列1 公民身份号码]: GC817" in result.stdout and "第 5 行，文本第 6 行" in result.stdout
    assert "GB/T 36344 质量维度：完整性" in result.stdout
    english = govcat("data", "check", RESOURCE, str(defects), "--as-of", AS_OF.isoformat(), "--lang", "en",
                     "--fail-on", "never", cwd=REPO)
    assert english.returncode == 0 and "has a wrong check digit in 1 rows" in english.stdout
    for fmt in ("sarif", "junit", "github"):
        out = govcat("data", "check", RESOURCE, str(defects), "--format", fmt, "--as-of", AS_OF.isoformat(), cwd=REPO)
        assert out.returncode == 1 and "GC817" in out.stdout, fmt


def test_gc8xx_rules_are_listed_and_explained() -> None:
    data_rules = [r for r in RULES if r.code.startswith("GC8")]
    assert len(data_rules) >= 20 and all(r.roles == ("data",) for r in data_rules)
    listed = govcat("rules", cwd=REPO)
    assert "GC817  error    invalid-check-digit" in listed.stdout
    explained = govcat("explain", "GC817", cwd=REPO)
    assert explained.returncode == 0 and "GB 11643" in explained.stdout and "## 修正" in explained.stdout


def test_every_data_rule_fires_somewhere_in_these_tests(defects: Path, tmp_path: Path) -> None:
    """The data rules' cases are the tables above: each GC8xx must be found by one of them."""
    seen = set(c for c, _ in counts(check(defects)))
    seen |= {"GC800", "GC801", "GC802", "GC803", "GC804", "GC805", "GC806", "GC822", "GC823"}  # tests of their own
    assert {r.code for r in RULES if r.code.startswith("GC8")} <= seen


def test_stale_data_is_gc822(tmp_path: Path) -> None:
    rows = [good_row(i) for i in range(1, 4)]
    for row in rows:
        row[12] = "20260101120000"
    report = check(write_csv(tmp_path / "old.csv", rows))
    stale = next(f for f in report["findings"] if f["code"] == "GC822")
    assert "20260101120000" in stale["message"] and report["metrics"]["timeliness"]["rate"] == 0.0


def test_duckdb_draws_no_progress_bar_into_the_report(tmp_path: Path) -> None:
    """DuckDB draws a progress bar on stdout once a query runs two seconds, whether stdout is a
    terminal or not: a large file's JSON report would begin with it. The engine switches it off."""
    from govcat.data.engines import Reader

    reader = Reader(tmp_path)
    assert reader.con.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)

