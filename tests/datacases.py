"""Shared data for the `govcat data` tests: a small population table with every kind of defect, whose
expected findings are known row by row, and helpers to run a check in-process."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from stdnum.cn import ric

from govcat.core.workspace import Workspace
from govcat.data.check import Settings, run
from tests.conftest import REPO

RESOURCE = "101002001/000001"  # 人口基本信息 of the example catalogs; 公民身份号码 is its key
AS_OF = date(2026, 11, 22)
HEADERS = ["公民身份号码", "姓名", "曾用名", "性别代码", "出生日期", "民族代码", "国籍代码", "户籍地址",
           "户籍地行政区划代码", "户号", "与户主关系代码", "登记机关", "数据更新时间"]


def citizen_id(division: str, birth: str, seq: int) -> str:
    body = f"{division}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def good_row(i: int) -> list[str]:
    birth = f"19{50 + i % 40:02d}0{1 + i % 9}1{i % 9}"
    male = i % 2 == 1
    return [citizen_id("330106", birth, 10 + 2 * i + (1 if male else 0)), f"张{i}", "", "1" if male else "2", birth,
            "01", "CHN", f"示范市人民路{i}号", "330106", f"H{i:05d}", "02", "示范市公安局西湖分局",
            "20261121093000"]


# (row index 1-based, column header, replacement value, the rule expected to fire)
DEFECTS: list[tuple[int, str, str, str]] = [
    (3, "公民身份号码", "", "GC811"),
    (4, "公民身份号码", "33010619500413002Y", "GC815"),  # not digits + [0-9X]
    (6, "出生日期", "1950-06-16", "GC813"),
    (7, "出生日期", "19500230", "GC818"),
    (8, "出生日期", "20990101", "GC819"),
    (9, "性别代码", "3", "GC816"),
    (10, "民族代码", "99", "GC816"),
    (11, "国籍代码", "XXX", "GC816"),
    (12, "户籍地行政区划代码", "339999", "GC816"),
    (13, "户号", "H-1", "GC815"),
    (14, "姓名", "长" * 51, "GC814"),
    (15, "数据更新时间", "20261131120000", "GC818"),
]


def defect_rows() -> list[list[str]]:
    rows = [good_row(i) for i in range(1, 21)]
    index = {h: i for i, h in enumerate(HEADERS)}
    for row, header, value, _ in DEFECTS:
        rows[row - 1][index[header]] = value
    rows[4][0] = rows[4][0][:17] + ("0" if rows[4][0][17] != "0" else "1")  # row 5: wrong check digit (GC817)
    rows[15][4] = "19000101"  # row 16: birth date differs from the ID's (GC821)
    rows[16][3] = "1" if rows[16][3] == "2" else "2"  # row 17: sex digit parity differs (GC821)
    rows[17][0] = rows[1][0]  # row 18 repeats row 2's key (GC820)
    rows[17][3], rows[17][4] = rows[1][3], rows[1][4]
    return rows


EXPECTED = {  # (code, field) -> failing rows
    ("GC811", "公民身份号码"): 1, ("GC815", "公民身份号码"): 1, ("GC817", "公民身份号码"): 1,
    ("GC820", "公民身份号码"): 1, ("GC813", "出生日期"): 1, ("GC818", "出生日期"): 1, ("GC819", "出生日期"): 1,
    ("GC821", "出生日期"): 4, ("GC821", "性别代码"): 1, ("GC816", "性别代码"): 1, ("GC816", "民族代码"): 1,
    ("GC816", "国籍代码"): 1, ("GC816", "户籍地行政区划代码"): 1, ("GC815", "户号"): 1, ("GC814", "姓名"): 1,
    ("GC818", "数据更新时间"): 1, ("GC812", "曾用名"): 20,
}
# GC821 出生日期: rows 6, 7, 8 and 16 hold a birth date other than the one inside their (valid) ID number.


def write_csv(path: Path, rows: list[list[str]], headers: list[str] = HEADERS, encoding: str = "utf-8",
              delimiter: str = ",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def check(*data: Path | str, **options: Any) -> dict[str, Any]:
    """A data check run in-process; the report as the JSON keys it carries."""
    settings = Settings(resource=options.pop("resource", RESOURCE), data=[str(d) for d in data],
                        workspace=Workspace(REPO), as_of=options.pop("as_of", AS_OF), cwd=REPO, **options)
    report, _ = run(settings)
    return report.as_dict()


def counts(report: dict[str, Any]) -> dict[tuple[str, str | None], int]:
    return {(f["code"], f["field"]): f["count"] for f in report["findings"]}
