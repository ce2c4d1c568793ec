"""Excel in and out: the template, conversion both ways, and real-world workbook faults."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from govcat import loader
from tests.conftest import REPO, govcat

EXAMPLES = sorted(p for p in (REPO / "catalogs").glob("*/*.yaml"))


def _data(path: Path) -> object:
    doc = loader.load(path, str(path))
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
