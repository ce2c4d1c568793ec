"""One definition, three engines: the same checks on DuckDB, inside a real PostgreSQL server and on a
local Spark session give identical counts and samples on the same data."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.datacases import HEADERS, check, counts, defect_rows, good_row, write_csv
from tests.postgres import pg_db, pg_url  # noqa: F401


def _essence(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted((f["code"], f["field"], f["severity"], f["count"], f["rows"],
                   tuple((s["row"], s["line"], s["value"]) for s in f["samples"])) for f in report["findings"])


@pytest.fixture
def table(tmp_path: Path) -> Path:
    rows = defect_rows() + [good_row(i) for i in range(21, 60)]
    rows[25][7] = "示范市\n人民路"  # a quoted line break: lines and rows part
    rows[30][5] = "99"
    # 29 February of a leap century, of a century that is not leap, of a leap year; year 0000
    for i, updated in enumerate(["20000229120000", "19000229120000", "20240229235959", "00000101000000"]):
        rows[40 + i][12] = updated
    return write_csv(tmp_path / "people.csv", rows)


def test_postgres_gives_duckdbs_counts_and_samples(table: Path, pg_db: str) -> None:  # noqa: F811
    duck = check(table, sample=5)
    pg = check(table, sample=5, engine="postgres", postgres_url=pg_db)
    assert pg["engine"] == "postgres" and pg["rows"] == duck["rows"] == 59
    assert _essence(pg) == _essence(duck)


def test_a_postgres_table_is_checked_in_place(table: Path, pg_db: str) -> None:  # noqa: F811
    import csv

    import psycopg

    with psycopg.connect(pg_db, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE people ({', '.join(f'{chr(34)}{h}{chr(34)} text' for h in HEADERS)})")
        with open(table, encoding="utf-8", newline="") as fh, conn.cursor().copy(
                "COPY people FROM STDIN") as copy:
            rows = list(csv.reader(fh))[1:]
            for row in rows:
                copy.write_row([v or None for v in row])
    in_place = check(f"{pg_db}#public.people", sample=5)
    duck = check(table, sample=5)
    assert in_place["engine"] == "postgres"
    strip = [(c, f, s, n, r) for c, f, s, n, r, _ in _essence(duck)]
    assert [(c, f, s, n, r) for c, f, s, n, r, _ in _essence(in_place)] == strip
    rows_of = {(f["code"], f["field"]): [s["row"] for s in f["samples"]] for f in in_place["findings"]}
    assert rows_of == {(f["code"], f["field"]): [s["row"] for s in f["samples"]] for f in duck["findings"]}


@pytest.mark.spark
def test_spark_gives_duckdbs_counts_and_samples(table: Path) -> None:
    duck = check(table, sample=5)
    spark = check(table, sample=5, engine="spark", spark_master="local[2]")
    assert spark["engine"] == "spark" and spark["rows"] == 59
    assert _essence(spark) == _essence(duck)


@pytest.mark.spark
def test_a_spark_session_that_cannot_start_is_a_usage_error(tmp_path: Path) -> None:
    from tests.conftest import REPO, govcat

    data = write_csv(tmp_path / "p.csv", [good_row(1)])
    result = govcat("data", "check", "101002001/000001", str(data), "--engine", "spark", "--spark-master",
                    "spark://127.0.0.1:1", cwd=REPO, env={**os.environ, "JAVA_HOME": "/nonexistent"})
    assert result.returncode == 2 and "Spark" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
def frequent(tmp_path: Path) -> Path:
    """Defects frequent enough (21 of 59 rows) that their samples are looked for in the first rows only
    (check._samples): a wrong code set value and a repeated ID number."""
    rows = defect_rows() + [good_row(i) for i in range(21, 60)]
    for i in range(30, 51):
        rows[i][5] = "99"
        rows[i][0] = rows[29][0]
    return write_csv(tmp_path / "people.csv", rows)


def test_the_first_rows_pass_gives_duckdbs_samples_on_postgres(frequent: Path, pg_db: str) -> None:  # noqa: F811
    duck = check(frequent, sample=5)
    assert _essence(check(frequent, sample=5, engine="postgres", postgres_url=pg_db)) == _essence(duck)


@pytest.mark.spark
def test_the_first_rows_pass_gives_duckdbs_samples_on_spark(frequent: Path) -> None:
    duck = check(frequent, sample=5)
    assert _essence(check(frequent, sample=5, engine="spark", spark_master="local[2]")) == _essence(duck)


CREDIT_RESOURCE = "104005001/000003"  # 经营异常名录信息: 统一社会信用代码 (GB 32100 check digit) is its key


@pytest.fixture
def credit_codes(tmp_path: Path) -> tuple[Path, int]:
    """统一社会信用代码 of both forms the check digit is computed for (characters 3-17 all digits: one
    integer; letters among them: a lookup per character), right and wrong, and how many have a wrong
    check digit by python-stdnum."""
    import random
    import re

    from stdnum.cn import uscc

    from govcat.data.checks import GB32100_CHARS, GB32100_SHAPE

    rnd = random.Random(12)
    codes = []
    for i in range(60):
        head = rnd.choice("159") + rnd.choice("123") + f"{rnd.randrange(110000, 660000)}"
        body = (f"{rnd.randrange(10**9):09d}" if i % 2
                else "".join(rnd.choice(GB32100_CHARS) for _ in range(8)) + rnd.choice(GB32100_CHARS[10:]))
        codes.append(head + body + (uscc.calc_check_digit(head + body) if i % 3 else rnd.choice(GB32100_CHARS)))
    codes[7] = "91330106MA2ABCDEFI"  # I is not in the alphabet: a wrong shape (GC815), no check digit
    wrong = sum(bool(re.fullmatch(GB32100_SHAPE, c)) and uscc.calc_check_digit(c[:17]) != c[17] for c in codes)
    rows = [[code, f"示范企业{i}"] for i, code in enumerate(codes)]
    return write_csv(tmp_path / "credit.csv", rows, headers=["统一社会信用代码", "机构名称"]), wrong


def test_credit_code_check_digits_are_the_same_on_postgres(credit_codes: tuple[Path, int],
                                                           pg_db: str) -> None:  # noqa: F811
    table, wrong = credit_codes
    duck = check(table, sample=5, resource=CREDIT_RESOURCE)
    assert 5 < counts(duck)[("GC817", "统一社会信用代码")] == wrong
    assert counts(duck)[("GC815", "统一社会信用代码")] == 1
    postgres = check(table, sample=5, resource=CREDIT_RESOURCE, engine="postgres", postgres_url=pg_db)
    assert _essence(postgres) == _essence(duck)


@pytest.mark.spark
def test_credit_code_check_digits_are_the_same_on_spark(credit_codes: tuple[Path, int]) -> None:
    table, _ = credit_codes
    duck = check(table, sample=5, resource=CREDIT_RESOURCE)
    assert _essence(check(table, sample=5, resource=CREDIT_RESOURCE, engine="spark",
                          spark_master="local[2]")) == _essence(duck)
