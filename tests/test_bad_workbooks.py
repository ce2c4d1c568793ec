"""Broken and hostile workbooks (SPEC §5 "Bad input"): within time and memory, every problem a
finding with its sheet and cell, and one broken spot never hides the findings elsewhere.

The workbooks are real files: written by openpyxl, then their parts edited as raw zip bytes the way
other programs (or attackers) write them. Those whose failure could exhaust memory run the CLI in a
child process with an address-space limit, so a regression fails the test instead of the machine.
"""

from __future__ import annotations

import io
import json
import re
import resource
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from govcat.reading import package, sheetxml
from tests.conftest import DEFAULT_PROVIDER, _workbook, run, write_workspace

RESOURCE_HEADER = ["信息资源代码", "信息资源名称", "资源分类（类）", "资源分类（项）", "信息资源摘要", "格式分类", "格式类型",
                   "共享类型", "共享条件", "共享方式", "共享方式类型", "开放类型", "更新周期", "发布日期", "最近更新日期",
                   "数据分级"]
RESOURCE = ["307001001/000001", "婚姻登记信息", "部门信息资源", "省（自治区、直辖市）及其下各级政务部门",
            "本市办理结婚登记、离婚登记的当事人及登记结果信息。", "数据库", "KingbaseES", "有条件共享",
            "仅用于婚姻状况核验类政务服务事项", "共享平台", "接口", "不予开放", "每日", "=date:2025-03-01",
            "=date:2026-11-20", "机密"]  # 机密: a GC104 at 信息资源!P2 that must survive whatever breaks elsewhere
SHEETS = {
    "提供方": [["提供方代码", DEFAULT_PROVIDER], ["提供方名称", "示范市民政局"], ["标准版本", "1.0"]],
    "信息资源": [RESOURCE_HEADER, RESOURCE],
    "信息项": [["信息资源代码", "信息项名称", "关联数据元", "数据类型", "数据长度"],
            ["307001001/000001", "公民身份号码", "DE00001", "C", 18],
            ["307001001/000001", "姓名", "DE00002", "C", 50]],
}
ITEMS = "xl/worksheets/sheet3.xml"  # openpyxl writes the sheets in order
BOOK = f"catalogs/{DEFAULT_PROVIDER}/catalog.xlsx"
KEPT = ("GC104", "信息资源", "P2")


def edit(raw: bytes, member: str, change: Callable[[bytes], bytes] | None) -> bytes:
    """The workbook with one part changed (None: removed), rewritten as a new zip."""
    source, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == member:
                if change is None:
                    continue
                data = change(data)
            target.writestr(info.filename, data)
    return out.getvalue()


def rows(xml: bytes) -> Callable[[bytes], bytes]:
    """Rows added at the end of the sheet's data."""
    return lambda data: data.replace(b"</sheetData>", xml + b"</sheetData>")


def found(tmp_path: Path, raw: bytes) -> list[tuple[str, str | None, str | None]]:
    write_workspace(tmp_path, {"catalog.xlsx": raw})
    return sorted((f.code, f.sheet, f.cell) for f in run(tmp_path).findings)


def messages(tmp_path: Path) -> str:
    return "\n".join(f"{f.code} {f.sheet}!{f.cell} {f.message}" for f in run(tmp_path).findings)


def cli(tmp_path: Path, raw: bytes) -> tuple[int, list[dict[str, Any]]]:
    """The CLI in a child process limited to 2 GiB of address space and 60 s."""
    write_workspace(tmp_path, {"catalog.xlsx": raw})

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    result = subprocess.run([sys.executable, "-m", "govcat", "validate", "catalogs", "--format", "json",
                             "--as-of", "2026-11-22"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            preexec_fn=limit)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    assert "internal error" not in result.stderr and "panicked" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)["findings"]


BASE = _workbook(SHEETS)


def test_the_base_workbook_has_one_finding(tmp_path: Path) -> None:
    assert found(tmp_path, BASE) == [KEPT]


@pytest.mark.parametrize(("cell", "limit"), [("XFD1048576", "列"), ("IW2", "列"), ("A1048577", "行"),
                                              ("A99999999", "行")])
def test_one_value_far_away_is_a_finding_not_a_dense_grid(tmp_path: Path, cell: str, limit: str) -> None:
    """6 KB: calamine would allocate the grid from A1 to the cell (17 billion cells for XFD1048576)."""
    row = re.sub(r"[A-Z]+", "", cell)
    raw = edit(BASE, ITEMS, rows(f'<row r="{row}"><c r="{cell}"><v>1</v></c></row>'.encode()))
    code, findings = cli(tmp_path, raw)
    assert sorted((f["code"], f["sheet"], f["cell"]) for f in findings) == sorted([KEPT, ("GC004", "信息项", cell)])
    limited = next(f for f in findings if f["code"] == "GC004")
    assert limit in limited["message"] and cell in limited["message"]
    assert code == 1


def test_the_used_range_is_bounded_by_values_not_by_the_declared_dimension(tmp_path: Path) -> None:
    declared = edit(BASE, ITEMS, lambda data: re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1:XFD1048576"/>', data))
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(declared)).read(ITEMS)
    empty = edit(BASE, ITEMS, rows(b'<row r="1048576"><c r="XFD1048576" s="0"/><c r="XFC1048576"><v></v></c></row>'))
    for raw in (declared, empty):  # a formatted but empty cell holds no value: no finding either
        _, findings = cli(tmp_path, raw)
        assert [(f["code"], f["sheet"], f["cell"]) for f in findings] == [KEPT]


def test_a_sheet_wider_than_the_cell_area_keeps_the_cells_within_it(tmp_path: Path) -> None:
    far = sheetxml.MAX_CELLS // 200 + 1  # with column IV (256) the area passes the cap from this row on
    raw = edit(BASE, ITEMS, rows(f'<row r="{far}"><c r="IV{far}"><v>2</v></c></row>'.encode()))
    _, findings = cli(tmp_path, raw)
    assert sorted((f["code"], f["sheet"], f["cell"]) for f in findings) == sorted([KEPT, ("GC004", "信息项", f"IV{far}")])
    assert "已用区域" in next(f["message"] for f in findings if f["code"] == "GC004")


def test_a_legitimate_200_000_row_item_sheet_is_within_the_limits() -> None:
    header = '<row r="1">' + "".join(f'<c r="{c}1" t="inlineStr"><is><t>{t}</t></is></c>' for c, t in zip(
        "ABCDEFGHI", ["信息资源代码", "信息项名称", "关联数据元", "数据类型", "数据长度", "小数位数", "是否主键", "敏感属性",
                      "说明"], strict=True)) + "</row>"
    body = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>307001001/{r % 9999:06d}</t></is></c>'
                   f'<c r="B{r}" t="inlineStr"><is><t>项{r}</t></is></c><c r="C{r}" t="inlineStr"><is><t>DE00001</t></is></c>'
                   f'<c r="D{r}" t="inlineStr"><is><t>C</t></is></c><c r="E{r}"><v>18</v></c><c r="I{r}" t="inlineStr">'
                   f"<is><t>说明</t></is></c></row>" for r in range(2, 200_002))
    sheet = (f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{header}'
             f"{body}</sheetData></worksheet>").encode()
    raw = edit(BASE, ITEMS, lambda _: sheet)
    opened = package.open_package(raw, ("提供方", "信息资源", "信息项"))
    assert opened.problems == []
    assert opened.repaired == set()  # the screen proves it needs nothing: no Python pass over its cells
    from python_calamine import CalamineWorkbook

    rows_read = CalamineWorkbook.from_filelike(io.BytesIO(opened.book())).get_sheet_by_name("信息项").to_python()
    assert len(rows_read) == 200_001 and rows_read[-1][4] == 18


def test_a_sheet_calamine_refuses_after_the_screen_is_repaired_and_read_again(tmp_path: Path) -> None:
    """A shared-string index past the table looks plain to the screen; calamine refuses the whole
    sheet for it. The sheet then goes through the repair pass: one GC006 there, the rest is read."""
    shared = (b'<row r="4"><c r="A4" t="inlineStr"><is><t>307001001/000001</t></is></c><c r="B4" t="s"><v>99</v></c>'
              b'<c r="D4" t="inlineStr"><is><t>X</t></is></c></row>')
    raw = edit(BASE, ITEMS, rows(shared))
    assert package.open_package(raw, ("提供方", "信息资源", "信息项")).repaired == set()
    assert found(tmp_path, raw) == sorted([KEPT, ("GC006", "信息项", "B4"),  # the index
                                           ("GC101", "信息项", "A4"), ("GC104", "信息项", "D4"),  # row 4 is read
                                           ("GC108", "信息项", "A4")])


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in zipfile.ZipFile(io.BytesIO(BASE)).infolist():
            if info.filename != ITEMS:
                target.writestr(info.filename, zipfile.ZipFile(io.BytesIO(BASE)).read(info))
        with target.open(ITEMS, "w", force_zip64=True) as part:  # 300 MiB of spaces in about 300 KB
            part.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for _ in range(300):
                part.write(b" " * (1 << 20))
            part.write(b"<sheetData/></worksheet>")
    raw = out.getvalue()
    assert len(raw) < 2 << 20
    code, findings = cli(tmp_path, raw)
    assert [(f["code"], f["line"], f["column"]) for f in findings] == [("GC004", 1, 1)]
    assert "压缩炸弹" in findings[0]["message"] and "256 MiB" in findings[0]["message"]
    assert code == 1


def test_a_zip_of_too_many_parts_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in zipfile.ZipFile(io.BytesIO(BASE)).infolist():
            target.writestr(info.filename, zipfile.ZipFile(io.BytesIO(BASE)).read(info))
        for i in range(package.MAX_PARTS):
            target.writestr(f"xl/media/empty{i}.bin", b"")
    assert found(tmp_path, out.getvalue()) == [("GC004", None, None)]
    assert "部件" in messages(tmp_path)


@pytest.mark.parametrize(("member", "change", "expected"), [
    ("xl/workbook.xml", None, "缺少 xl/workbook.xml"),
    ("xl/workbook.xml", lambda data: data[: len(data) // 2], "不是有效的 XML"),
    ("xl/worksheets/sheet3.xml", None, "数据部件"),  # a relationship to a part that is not there
    ("[Content_Types].xml", None, None),  # calamine needs it; the package it reads has its own
    ("xl/_rels/workbook.xml.rels", lambda data: data.replace(b"/xl/worksheets/", b"\\xl\\worksheets\\"), None),
    ("xl/_rels/workbook.xml.rels", lambda data: data.replace(b"/xl/worksheets/", b"../xl/worksheets/"), None),
    ("_rels/.rels", lambda data: b"<not-xml", None),
    ("xl/styles.xml", lambda data: b"<broken", "样式表"),
])
def test_odd_or_missing_parts(tmp_path: Path, member: str, change: Callable[[bytes], bytes] | None,
                              expected: str | None) -> None:
    result = found(tmp_path, edit(BASE, member, change))
    if expected is None:  # odd paths, written as other programs write them, read as usual
        assert result == [KEPT]
    else:
        assert ("GC006", None, None) in result or any(r[0] == "GC006" for r in result)
        assert expected in messages(tmp_path)


def test_a_truncated_sheet_keeps_the_rows_before_the_break(tmp_path: Path) -> None:
    def truncate(data: bytes) -> bytes:
        return data[: data.index(b'<row r="3"') + 20]  # inside the third row

    write_workspace(tmp_path, {"catalog.xlsx": edit(BASE, ITEMS, truncate)})
    report = run(tmp_path)
    assert sorted((f.code, f.sheet, f.cell) for f in report.findings) == [("GC006", "信息项", "A3"), KEPT]
    assert report.items == 1  # the item of row 2 was read
    assert "损坏" in next(f.message for f in report.findings if f.code == "GC006")


def test_cells_calamine_would_refuse_are_findings_and_the_rest_is_read(tmp_path: Path) -> None:
    bad = (b'<row r="4"><c r="A4" t="inlineStr"><is><t>307001001/000001</t></is></c>'
           b'<c r="B4" t="inlineStr"><is><t>\xe5\xa7\x93\xe5\x90\x8d2</t></is></c><c r="E4"><v>\xe5\x8d\x81\xe5\x85\xab</v></c></row>'  # 十八
           b'<row r="5"><c r="$A$5"><v>1</v></c><c r="B5" t="s"><v>7</v></c><c r="C5" t="e"><v>bogus</v></c>'
           b'<c r="D5" t="b"><v>2</v></c><c r="E5" t="zz"><v>3</v></c></row>'
           b'<row r="6"><c><f>1+1</f></c><c r="E6"><v>1e999</v></c></row>')
    result = found(tmp_path, edit(BASE, ITEMS, rows(bad)))
    assert result == sorted([
        KEPT,
        ("GC101", "信息项", "A4"), ("GC108", "信息项", "A4"),  # row 4 is read: no 数据类型, no 关联数据元
        ("GC006", "信息项", "E4"),    # 十八 in a number cell: a damaged or edited file, read as text,
        ("GC103", "信息项", "E4"),    # and text where an integer belongs
        ("GC006", "信息项", "A5"),    # $A$5: no reference calamine reads
        ("GC006", "信息项", "B5"),    # a shared string that does not exist
        ("GC006", "信息项", "C5"),    # row 5 names no resource (its code was in the dropped cell); the bad
                                      # error value, boolean and type of C5–E5 are read as text, not refused
        ("GC006", "信息项", "A6"),    # a formula without a saved result, and without `r`
        ("GC006", "信息项", "E6"),    # row 6 names no resource
    ]), result


def test_numbers_a_date_cell_cannot_hold_do_not_panic(tmp_path: Path) -> None:
    """calamine panics (Rust) on a date serial of 1e300 and overflows on a duration of 1e12 days;
    NaN in a date cell would read as 1899-12-30."""
    def style(data: bytes) -> bytes:
        return data.replace(b"</cellXfs>", b'<xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="46"/></cellXfs>')

    raw = edit(BASE, "xl/styles.xml", style)
    xfs = len(re.findall(rb"<xf ", zipfile.ZipFile(io.BytesIO(raw)).read("xl/styles.xml").split(b"<cellXfs")[1]))
    date, duration = xfs - 2, xfs - 1

    resources = edit(raw, "xl/worksheets/sheet2.xml", lambda data: re.sub(
        rb'(<c r="N2"[^>]*>).*?(</c>)', f'<c r="N2" s="{date}"><v>1e300</v>'.encode() + rb"\2",
        re.sub(rb'(<c r="O2"[^>]*>).*?(</c>)', f'<c r="O2" s="{duration}"><v>1e12</v>'.encode() + rb"\2", data)))
    code, findings = cli(tmp_path, resources)
    assert sorted((f["code"], f["sheet"], f["cell"]) for f in findings) == sorted(
        [KEPT, ("GC103", "信息资源", "N2"), ("GC103", "信息资源", "O2")])
    assert code == 1


def test_infinity_and_nan_cells_are_findings(tmp_path: Path) -> None:
    raw = edit(BASE, ITEMS, lambda data: data.replace(b'<c r="E2" t="n"><v>18</v>', b'<c r="E2" t="n"><v>1e999</v>')
               .replace(b'<c r="E3" t="n"><v>50</v>', b'<c r="E3" t="n"><v>NaN</v>'))
    assert found(tmp_path, raw) == sorted([KEPT, ("GC103", "信息项", "E2"), ("GC103", "信息项", "E3")])
    assert "GC103 信息项!E2 数据长度（length） 应为整数，实际是非有限数" in messages(tmp_path)


def test_a_part_that_does_not_match_its_checksum(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for info in zipfile.ZipFile(io.BytesIO(BASE)).infolist():
            target.writestr(info.filename, zipfile.ZipFile(io.BytesIO(BASE)).read(info))
    raw = bytearray(out.getvalue())
    at = raw.index(b"\xe5\xa7\x93\xe5\x90\x8d")  # 姓名, stored as it is: flip one byte
    raw[at] ^= 1
    assert found(tmp_path, bytes(raw)) == [("GC006", None, None)]
    assert "无法解压" in messages(tmp_path)


def test_a_second_reference_in_a_cell_is_not_taken_for_the_first(tmp_path: Path) -> None:
    """calamine reads the last of two `r` attributes: the screen must not pass `<c r="A4" r="XFD…">`;
    expat refuses the duplicate, and the rows before it are read."""
    raw = edit(BASE, ITEMS, rows(b'<row r="4"><c r="A4" r="XFD1048576"><v>1</v></c></row>'))
    assert not sheetxml.needs_nothing(zipfile.ZipFile(io.BytesIO(raw)).read(ITEMS))
    _, findings = cli(tmp_path, raw)
    assert sorted((f["code"], f["sheet"], f["cell"]) for f in findings) == sorted([KEPT, ("GC006", "信息项", "A4")])


def test_text_in_a_number_cell_is_a_finding_and_read_as_text(tmp_path: Path) -> None:
    """No spreadsheet program writes text into a number cell (`<c t="n"><v>十八</v>`): the file was
    edited or damaged. calamine reads the text; the finding says what happened."""
    raw = edit(BASE, ITEMS, lambda data: data.replace(b'<c r="E2" t="n"><v>18</v>', '<c r="E2" t="n"><v>十八</v>'.encode()))
    assert not sheetxml.needs_nothing(zipfile.ZipFile(io.BytesIO(raw)).read(ITEMS))
    assert found(tmp_path, raw) == sorted([KEPT, ("GC006", "信息项", "E2"), ("GC103", "信息项", "E2")])
    assert "十八" in messages(tmp_path)
