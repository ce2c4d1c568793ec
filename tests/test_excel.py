"""Excel in and out: the template, conversion both ways, and real-world workbook faults."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from govcat.reading import loader
from govcat.standard import load as load_standard
from tests.conftest import REPO, govcat

EXAMPLES = sorted(p for p in (REPO / "catalogs").glob("*/*.yaml"))


def _data(path: Path) -> object:
    doc = loader.load(path, str(path), load_standard())
    assert not doc.problems, doc.problems
    return doc.data


def test_template_layout_and_help(tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    result = govcat("template", "--output", str(out))
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:4] == ["填写说明", "提供方", "信息资源", "信息项"]
    resources = book["信息资源"]
    headers = [c.value for c in resources[1]]
    for title in ("信息资源代码", "信息资源名称", "资源分类（类）", "资源分类（项）", "共享类型", "共享条件", "不予共享依据",
                  "共享方式", "共享方式类型", "开放类型", "开放条件", "格式分类", "格式类型", "挂接方式", "挂接状态", "挂接地址",
                  "更新周期", "发布日期", "最近更新日期", "关联资源代码", "关键字"):
        assert title in headers, title
    assert resources.freeze_panes == "A2"
    code = resources.cell(row=1, column=headers.index("信息资源代码") + 1)
    assert "必选" in code.comment.text
    assert resources.cell(row=2, column=headers.index("信息资源代码") + 1).number_format == "@"
    assert resources.cell(row=2, column=headers.index("发布日期") + 1).number_format == "yyyy-mm-dd"
    assert isinstance(resources.cell(row=2, column=headers.index("发布日期") + 1).value, date)
    formulas = {str(v.sqref).split(":")[0][0:1]: v.formula1 for v in resources.data_validations.dataValidation}
    item_column = openpyxl.utils.get_column_letter(headers.index("资源分类（项）") + 1)
    class_column = openpyxl.utils.get_column_letter(headers.index("资源分类（类）") + 1)
    assert formulas[item_column] == f"INDIRECT(${class_column}2)"  # 项 follows the chosen 类
    assert "基础信息资源" in book.defined_names
    frequency = openpyxl.utils.get_column_letter(headers.index("更新周期") + 1)
    lists = book["取值列表"]
    assert lists.sheet_state == "hidden"
    listed = formulas[frequency]
    column = listed.split("!")[1].split(":")[0].replace("$", "")[0]
    assert [c.value for c in lists[column]][1:10] == ["实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期", "其他"]
    # The example rows pass validation.
    check = govcat("validate", str(out), "--as-of", "2026-11-22")
    assert check.returncode == 0 and "0 个错误，0 个警告，0 个提示" in check.stdout, check.stdout


def test_template_content_is_deterministic(tmp_path: Path) -> None:
    def cells(path: Path) -> list[tuple[str, list[list[object]]]]:
        book = openpyxl.load_workbook(path)
        return [(s.title, [[c.value for c in row] for row in s.iter_rows()]) for s in book.worksheets]

    govcat("template", "-o", str(tmp_path / "a.xlsx"))
    govcat("template", "-o", str(tmp_path / "b.xlsx"))
    assert cells(tmp_path / "a.xlsx") == cells(tmp_path / "b.xlsx")


@pytest.mark.parametrize("catalog", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_yaml_xlsx_yaml_round_trip_is_lossless(tmp_path: Path, catalog: Path) -> None:
    if catalog.name == "departments.yaml":
        pytest.skip("the registry is not a catalog")
    xlsx, back = tmp_path / "c.xlsx", tmp_path / "c.yaml"
    assert govcat("convert", str(catalog), "-o", str(xlsx)).returncode == 0
    assert govcat("convert", str(xlsx), "-o", str(back)).returncode == 0
    assert _data(back) == _data(catalog)


def test_convert_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    broken = tmp_path / "x.yaml"
    broken.write_text("a: [\n", encoding="utf-8")
    result = govcat("convert", str(broken))
    assert result.returncode == 2 and "govcat validate" in result.stderr and "Traceback" not in result.stderr


# --- real-world workbook faults -----------------------------------------------------------------

HEAD = ["信息资源代码", "信息资源名称", "资源分类（类）", "资源分类（项）", "信息资源摘要", "格式分类", "格式类型", "共享类型",
        "共享条件", "共享方式", "共享方式类型", "开放类型", "更新周期", "发布日期", "最近更新日期", "数据分级"]
ROW = ["307001001/000001", "婚姻登记信息", "部门信息资源", "省（自治区、直辖市）及其下各级政务部门",
       "本市办理结婚登记、离婚登记的当事人及登记结果信息。", "数据库", "KingbaseES", "有条件共享", "仅用于婚姻状况核验类政务服务事项",
       "共享平台", "接口", "不予开放", "每日", date(2025, 3, 1), date(2026, 11, 20), "重要数据"]


def _book(path: Path, row: list[object] | None = None, head: list[str] | None = None,
          provider_code: object = "11330100MB0000012X", items: list[list[object]] | None = None) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "提供方"
    for line in (["提供方代码", provider_code], ["提供方名称", "示范市民政局"], ["标准版本", "1.0"]):
        sheet.append(line)
    resources = book.create_sheet("信息资源")
    resources.append(head or HEAD)
    resources.append(row or ROW)
    item_sheet = book.create_sheet("信息项")
    item_sheet.append(["信息资源代码", "信息项名称", "关联数据元", "数据类型", "数据长度"])
    for item in items or [["307001001/000001", "公民身份号码", "DE00001", "C", 18]]:
        item_sheet.append(item)
    book.save(path)
    return book


def _findings(path: Path) -> list[tuple[str, str | None, str]]:
    result = govcat("validate", str(path), "--format", "json", "--as-of", "2026-11-22")
    assert "Traceback" not in result.stderr and result.returncode in (0, 1), result.stderr
    return [(f["code"], f["cell"] and f"{f['sheet']}!{f['cell']}", f["message"])
            for f in json.loads(result.stdout)["findings"]]


def test_a_clean_workbook_passes(tmp_path: Path) -> None:
    _book(tmp_path / "ok.xlsx")
    assert _findings(tmp_path / "ok.xlsx") == []


def test_codes_stored_as_numbers_are_flagged_with_the_fix(tmp_path: Path) -> None:
    _book(tmp_path / "n.xlsx", provider_code=113301000000000001)
    found = _findings(tmp_path / "n.xlsx")
    (code, cell, message) = found[0]
    assert (code, cell) == ("GC103", "提供方!B1") and "精度" in message and "文本格式" in message
    # Excel kept 15 significant digits: the code that arrives is no longer the department's.
    assert ("GC206", "提供方!B1") in [(c, where) for c, where, _ in found]
    assert "113301000000000000" in found[1][2]


def test_dates_as_serials_and_text(tmp_path: Path) -> None:
    serial = [*ROW[:13], 45717, "2026年11月20日", "重要数据"]  # 45717 = 2025-03-01
    _book(tmp_path / "d.xlsx", row=serial)
    assert _findings(tmp_path / "d.xlsx") == []
    ambiguous = [*ROW[:13], "3/1/2025", "2026/11/20", "重要数据"]
    _book(tmp_path / "a.xlsx", row=ambiguous)
    assert [(c, cell) for c, cell, _ in _findings(tmp_path / "a.xlsx")] == [("GC106", "信息资源!N2")]


def test_merged_cells_and_formulas_without_results(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    book = _book(path, items=[["307001001/000001", "公民身份号码", "DE00001", "C", 18],
                              ["307001001/000001", "姓名", "DE00002", "C", "=25*2"]])
    book["信息项"].merge_cells("A2:A3")
    book.save(path)
    codes = [(c, cell) for c, cell, _ in _findings(path)]
    assert ("GC006", "信息项!A2") in codes   # the merge
    assert ("GC006", "信息项!E3") in codes   # the formula openpyxl wrote without a cached result


def test_renamed_columns_get_the_nearest_header_and_blank_rows_are_skipped(tmp_path: Path) -> None:
    head = [h if h != "信息资源摘要" else "资源摘要" for h in HEAD]
    path = tmp_path / "r.xlsx"
    book = _book(path, head=head)
    book["信息资源"].insert_rows(2)  # a blank row in the middle
    book.save(path)
    found = _findings(path)
    assert ("GC102", "信息资源!E1") in [(c, cell) for c, cell, _ in found]
    assert any("信息资源摘要" in m for c, _, m in found if c == "GC102")


def test_old_xls_and_password_protected_files(tmp_path: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    (tmp_path / "old.xls").write_bytes(ole)
    (tmp_path / "locked.xlsx").write_bytes(ole)
    (code, _, message), = _findings(tmp_path / "old.xls")
    assert code == "GC005" and ".xlsx" in message
    (code, _, message), = _findings(tmp_path / "locked.xlsx")
    assert code == "GC006" and "密码" in message


def test_catalog_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    """YAML -> xlsx: `=HYPERLINK(…)` or `=cmd|…` in a catalog is written as a string cell, never a
    live formula, and reads back as the same text."""
    import openpyxl

    source = EXAMPLES[0]
    text = source.read_text(encoding="utf-8")
    payload = '=HYPERLINK("http://evil.example","点击")'
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(text.replace("summary: ", f"summary: '{payload}' # ", 1), encoding="utf-8")
    assert govcat("convert", str(catalog), "-o", str(tmp_path / "x.xlsx"), cwd=tmp_path).returncode == 0
    book = openpyxl.load_workbook(tmp_path / "x.xlsx")
    cells = [c for row in book["信息资源"].iter_rows() for c in row if c.value == payload]
    assert cells and all(c.data_type == "s" for c in cells)
    back = govcat("convert", str(tmp_path / "x.xlsx"), "-o", str(tmp_path / "back.yaml"), cwd=tmp_path)
    assert back.returncode == 0 and payload in (tmp_path / "back.yaml").read_text(encoding="utf-8")
