"""Writing workbooks (SPEC §3.5): the department template and YAML -> xlsx conversion.

Both are the same writer: a catalog as the layout the reader (``workbook.py``) understands, with
the help a department filling it in needs — a frozen, styled header whose comment gives each field's
definition and obligation, drop-downs for every enumeration (the 项 list follows the chosen 类),
date cells as dates and code cells as text, so an 18-character code never becomes 1.14501E+17.
Columns come from the standard's field titles, so the template follows the schema.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from govcat.reading.workbook import (
    ITEM_SHEET,
    LINK_HEADER,
    NESTED,
    PROVIDER_SHEET,
    RESOURCE_SHEET,
    item_columns,
    provider_rows,
    resource_columns,
)
from govcat.standard import Standard

GUIDE_SHEET, LIST_SHEET = "填写说明", "取值列表"
OBLIGATION = {"M": "必选", "R": "推荐", "C": "条件必选", "O": "可选"}
TEXT_FIELDS = {"code", "element", "related_codes", "standard_version"}  # typed as text cells
DATE_FIELDS = {"published_on", "last_updated_on"}
LIST_SEPARATOR = ";"
ROWS_WITH_VALIDATION = 2000

EXAMPLE: dict[str, Any] = {
    "standard_version": "1.0",
    "provider": {"code": "11330100MB0000012X", "name": "示范市民政局"},
    "resources": [{
        "code": "307001001/000001", "name": "婚姻登记信息",
        "classification": {"class": "部门信息资源", "item": "省（自治区、直辖市）及其下各级政务部门"},
        "summary": "本市办理结婚登记、离婚登记的当事人及登记结果信息。",
        "format": {"category": "数据库", "type": "KingbaseES"},
        "items": [
            {"name": "公民身份号码", "element": "DE00001", "data_type": "C", "length": 18, "is_key": True},
            {"name": "姓名", "element": "DE00002", "data_type": "C", "length": 50},
            {"name": "婚姻状况代码", "element": "DE00007", "data_type": "C", "length": 2},
            {"name": "登记日期", "element": "DE00301", "data_type": "D"},
        ],
        "sharing": {"type": "有条件共享", "condition": "仅用于婚姻状况核验类政务服务事项", "method": "共享平台",
                    "method_type": "接口"},
        "opening": {"type": "不予开放"},
        "update_frequency": "每日",
        "published_on": "2025-03-01",
        "last_updated_on": "2026-11-20",
        "security_level": "重要数据",
    }],
}


def _field_specs(std: Standard) -> dict[tuple[str, ...], dict[str, Any]]:
    """Resource column path -> its field spec (title, obligation) for comments."""
    specs: dict[tuple[str, ...], dict[str, Any]] = {}
    for name, spec in std.classes["InformationResource"]["fields"].items():
        if name in NESTED:
            for sub, sub_spec in std.classes[spec["range"]]["fields"].items():
                specs[(name, sub)] = sub_spec
        specs[(name,)] = spec
    return specs


def _enums(std: Standard) -> dict[str, list[str]]:
    """Field name -> allowed values, from the generated JSON Schema's enums (one source of truth)."""
    from govcat.checking import conformance

    schema = conformance.schema(std, "catalog")
    defs = schema["$defs"]
    out: dict[str, list[str]] = {}
    for class_name in ("InformationResource", "Classification", "ResourceFormat", "InformationItem", "Sharing",
                       "Opening", "Mount"):
        for name, prop in defs[class_name]["properties"].items():
            ref = prop.get("$ref", "")
            if ref.startswith("#/$defs/") and "enum" in defs[ref[8:]]:
                out[f"{class_name}.{name}"] = list(defs[ref[8:]]["enum"])
    return out


def write(data: dict[str, Any], target: Path, std: Standard, *, guide: bool = True) -> None:
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    book.remove(book.active)
    header_font, header_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F5C99")
    wrap = Alignment(vertical="top", wrap_text=True)
    enums = _enums(std)
    specs = _field_specs(std)

    if guide:
        _guide(book.create_sheet(GUIDE_SHEET), std)

    # Lists for drop-downs: one column per enumeration, plus one per 类 holding its 项 (a named range
    # with the 类's name, so the 项 column's validation is =INDIRECT(类 cell)).
    lists = book.create_sheet(LIST_SHEET)  # moved behind the data sheets at the end
    lists.sheet_state = "hidden"
    list_ranges: dict[str, str] = {}
    columns_of_lists = sorted(enums.items())
    by_class: dict[str, list[str]] = {}
    for item, info in sorted(std.resource_items.items(), key=lambda kv: (kv[1]["class"], kv[1]["code"])):
        by_class.setdefault(info["class"], []).append(item)
    for index, (key, values) in enumerate([*columns_of_lists, *((f"项:{k}", v) for k, v in sorted(by_class.items()))],
                                          start=1):
        letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=key)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=index, value=value)
        reference = f"{quote_sheetname(LIST_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
        list_ranges[key] = reference
        if key.startswith("项:"):
            book.defined_names[key[2:]] = DefinedName(key[2:], attr_text=reference)

    def header(sheet: Any, titles: list[str], notes: list[str]) -> None:
        for column, (title, note) in enumerate(zip(titles, notes, strict=True), start=1):
            cell = sheet.cell(row=1, column=column, value=title)
            cell.font, cell.fill, cell.alignment = header_font, header_fill, Alignment(horizontal="center")
            cell.comment = Comment(note, "govcat")
            sheet.column_dimensions[get_column_letter(column)].width = max(12, min(40, len(title) * 2 + 4))
        sheet.freeze_panes = "A2"

    def validate_column(sheet: Any, column: int, formula: str, prompt: str) -> None:
        letter = get_column_letter(column)
        rule = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                              errorTitle="取值不在标准范围内", error=f"请从下拉列表中选择{prompt}")
        rule.add(f"{letter}2:{letter}{ROWS_WITH_VALIDATION}")
        sheet.add_data_validation(rule)

    # 提供方: label in column A, value in column B.
    provider = book.create_sheet(PROVIDER_SHEET)
    provider.column_dimensions["A"].width, provider.column_dimensions["B"].width = 16, 40
    for row, (label, field_path) in enumerate(provider_rows(std).items(), start=1):
        label_cell = provider.cell(row=row, column=1, value=label)
        label_cell.font = Font(bold=True)
        value = _get(data, field_path)
        cell = _inert(provider.cell(row=row, column=2, value=value))
        cell.number_format = "@"

    # 信息资源: one row per resource.
    resources_sheet = book.create_sheet(RESOURCE_SHEET)
    columns = resource_columns(std)
    titles = list(columns)
    header(resources_sheet, titles, [_note(specs[columns[t]], t) for t in titles])
    for column, title in enumerate(titles, start=1):
        path = columns[title]
        letter = get_column_letter(column)
        class_name = "InformationResource" if len(path) == 1 else std.classes["InformationResource"]["fields"][
            path[0]]["range"]
        if path == ("classification", "item"):
            klass = get_column_letter(titles.index(std.classes["Classification"]["fields"]["class"]["title"]) + 1)
            validate_column(resources_sheet, column, f"INDIRECT(${klass}2)", "所选类下的项")
        elif f"{class_name}.{path[-1]}" in enums:
            validate_column(resources_sheet, column, list_ranges[f"{class_name}.{path[-1]}"], title)
        for row in range(2, ROWS_WITH_VALIDATION + 1) if path[-1] in TEXT_FIELDS | DATE_FIELDS else ():
            resources_sheet[f"{letter}{row}"].number_format = "@" if path[-1] in TEXT_FIELDS else "yyyy-mm-dd"
    for row, resource in enumerate(data.get("resources") or [], start=2):
        for column, title in enumerate(titles, start=1):
            path = columns[title]
            value = _cell_value(_get(resource, path), path[-1])
            if value is not None:
                cell = _inert(resources_sheet.cell(row=row, column=column, value=value))
                if path[-1] in ("summary", "condition", "basis"):
                    cell.alignment = wrap
                cell.number_format = "@" if path[-1] in TEXT_FIELDS else (
                    "yyyy-mm-dd" if path[-1] in DATE_FIELDS else "General")

    # 信息项: one row per item, the first column links it to its resource.
    item_sheet = book.create_sheet(ITEM_SHEET)
    item_fields = item_columns(std)
    item_titles = [LINK_HEADER, *item_fields]
    item_specs = std.classes["InformationItem"]["fields"]
    header(item_sheet, item_titles, [_note({"title": LINK_HEADER, "obligation": "M"}, LINK_HEADER) + "\n填写该信息项所属信息资源的代码",
                                     *(_note(item_specs[item_fields[t]], t) for t in item_fields)])
    for column, title in enumerate(item_titles, start=1):
        field = item_fields.get(title, "code")
        key = f"InformationItem.{field}"
        if key in enums:
            validate_column(item_sheet, column, list_ranges[key], title)
        elif field in ("is_key", "sensitive"):
            validate_column(item_sheet, column, '"是,否"', "是 或 否")
        if field in TEXT_FIELDS:
            letter = get_column_letter(column)
            for row in range(2, ROWS_WITH_VALIDATION + 1):
                item_sheet[f"{letter}{row}"].number_format = "@"
    row = 2
    for resource in data.get("resources") or []:
        for item in resource.get("items") or []:
            _inert(item_sheet.cell(row=row, column=1, value=resource.get("code"))).number_format = "@"
            for column, title in enumerate(item_fields, start=2):
                value = _cell_value(item.get(item_fields[title]), item_fields[title])
                if value is not None:
                    _inert(item_sheet.cell(row=row, column=column, value=value))
            row += 1
    book.move_sheet(lists, offset=len(book.sheetnames) - 1 - book.sheetnames.index(LIST_SHEET))
    book.active = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)


def _get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None  # type: ignore[assignment]
    return data


def _inert(cell: Any) -> Any:
    """Catalog text is data, never a formula: openpyxl stores a string starting with `=` as one
    (`=HYPERLINK(…)` would become a live link, `=cmd|…` a DDE call), so keep it a string cell."""
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"
    return cell


def _cell_value(value: Any, field: str) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if field in DATE_FIELDS and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _note(spec: dict[str, Any], title: str) -> str:
    return f"{title}（{OBLIGATION.get(spec.get('obligation', 'O'), '可选')}）"


def _guide(sheet: Any, std: Standard) -> None:
    from openpyxl.styles import Alignment, Font

    lines = [
        ("政务信息资源目录填报模板", True),
        (f"目录标准版本 {std.version}。本模板由 `govcat template` 按标准生成。", False),
        ("", False),
        ("1. 在“提供方”表填写本部门的统一社会信用代码、名称和标准版本。", False),
        ("2. 在“信息资源”表每行登记一条信息资源；表头批注说明了每个字段的含义和约束性（必选/推荐/条件必选/可选）。", False),
        ("3. 在“信息项”表每行登记一个信息项，第一列填写它所属的信息资源代码；信息项应关联数据元标准中的数据元。", False),
        ("4. 带下拉箭头的列只能选择标准取值；“资源分类（项）”的选项随所选的类变化。", False),
        ("5. 代码列已设为文本格式，请勿改成数字，否则 18 位代码会丢失精度。日期列填写真实日期，例如 2025-03-01。", False),
        ("6. 多个关联资源代码或关键字用英文分号 ; 或中文分号 ；分隔。", False),
        ("7. 填好后运行 govcat validate 本文件.xlsx 检查，或用 govcat convert 转为 YAML 提交。", False),
        ("", False),
        ("各表的第 2 行是一条示例，填写前请删除或改写。", True),
    ]
    sheet.column_dimensions["A"].width = 110
    for row, (text, bold) in enumerate(lines, start=1):
        cell = sheet.cell(row=row, column=1, value=text)
        cell.font = Font(bold=bold, size=14 if row == 1 else 11)
        cell.alignment = Alignment(wrap_text=True)


def template(path: Path, std: Standard) -> None:
    write(EXAMPLE, path, std)
