"""Workbooks (SPEC §3.5): an .xlsx filled in from the template -> the same Document as YAML.

Sheets 提供方 (label in column A, value in B), 信息资源 (one row per resource, header row 1) and
信息项 (one row per item, linked by 信息资源代码). Headers are matched by the standard's Chinese
field titles, so the columns follow the schema and their order is free. Every value keeps its
sheet and cell, so findings read `信息资源!F7`.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any, NamedTuple

from govcat.core import suggest
from govcat.core.document import Document, Problem, Span
from govcat.core.i18n import L10n
from govcat.core.pointer import join
from govcat.reading import files, package
from govcat.reading.scalars import CONTROL, control_name
from govcat.reading.sourcemap import SheetSourceMap, column_letters
from govcat.standard import Standard

WORKBOOK_SUFFIXES = (".xlsx",)
MAX_BYTES = 64 * 1024 * 1024  # the file itself, as for YAML; its parts are bounded when unpacked
PROVIDER_SHEET, RESOURCE_SHEET, ITEM_SHEET = "提供方", "信息资源", "信息项"
SHEETS = (PROVIDER_SHEET, RESOURCE_SHEET, ITEM_SHEET)
LINK_HEADER = "信息资源代码"
LIST_SEPARATOR = re.compile(r"[;；]")
# Objects whose fields are flattened into columns of the resource sheet.
NESTED = ("classification", "format", "sharing", "opening", "mount")
DATE_FIELDS = ("published_on", "last_updated_on")
_CN_DATE = re.compile(r"^\s*(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?\s*$")


def resource_columns(std: Standard) -> dict[str, tuple[str, ...]]:
    """Chinese column title -> field path of a resource, from the standard's titles."""
    columns: dict[str, tuple[str, ...]] = {}
    for name, spec in std.classes["InformationResource"]["fields"].items():
        if name in NESTED:
            for sub, sub_spec in std.classes[spec["range"]]["fields"].items():
                columns[sub_spec["title"]] = (name, sub)
        elif name != "items":
            columns[spec["title"]] = (name,)
    return columns


def item_columns(std: Standard) -> dict[str, str]:
    return {spec["title"]: name for name, spec in std.classes["InformationItem"]["fields"].items()}


def provider_rows(std: Standard) -> dict[str, tuple[str, ...]]:
    provider = std.classes["Provider"]["fields"]
    return {provider["code"]["title"]: ("provider", "code"), provider["name"]["title"]: ("provider", "name"),
            std.classes["Catalog"]["fields"]["standard_version"]["title"]: ("standard_version",)}


def _multivalued(std: Standard, class_name: str, field: str) -> bool:
    spec = std.field(class_name, field)
    return bool(spec and spec["multivalued"])


class Cell(NamedTuple):
    row: int  # 1-based, as Excel shows them
    column: int
    value: Any

    @property
    def coordinate(self) -> str:
        return f"{column_letters(self.column)}{self.row}"


class _Book:
    """calamine over the package: a sheet it cannot read as the file holds it goes through the
    repair pass and is read again (as the YAML fast path falls back to the precise one)."""

    def __init__(self, found: package.Package) -> None:
        from python_calamine import CalamineWorkbook

        self.found, self.open = found, CalamineWorkbook.from_filelike
        self.book = self.open(io.BytesIO(found.book()))

    def rows(self, sheet: str, doc: Document) -> list[list[Cell]] | None:
        """The non-empty cells of each row (blank rows stay, as empty lists, so row numbers hold);
        None, with a GC006, for a sheet calamine cannot read even after the repair pass."""
        try:
            rows = self.book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except BaseException as exc:  # pyo3's PanicException derives from BaseException
            if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
                raise
            if sheet in self.found.repaired or sheet not in self.found.sources:
                doc.problems.append(_failure(exc, sheet))  # one sheet's failure hides nothing of the others
                return None
            self.found.prepare(sheet, repair=True)
            self.close()
            self.book = self.open(io.BytesIO(self.found.book()))
            return self.rows(sheet, doc)
        return [[Cell(r, c, v) for c, v in enumerate(row, start=1) if v != "" and v is not None]
                for r, row in enumerate(rows, start=1)]

    def close(self) -> None:
        self.book.close()


class _Reader:
    def __init__(self, doc: Document, std: Standard, date1904: bool = False) -> None:
        self.doc, self.std, self.date1904 = doc, std, date1904
        self.smap = SheetSourceMap()

    def problem(self, code: str, pointer: str, args: dict[str, Any], span: Span | None) -> None:
        self.doc.problems.append(Problem(code, pointer, args, span))

    def structure(self, zh: str, en: str, span: Span | None = None) -> None:
        self.problem("GC006", "", {"detail": L10n(zh, en)}, span or Span(1, 1))

    def value(self, cell: Any, pointer: str, field: str, sheet: str) -> Any:
        """A cell's value as the YAML loader would give it (dates as YYYY-MM-DD, whole floats as int)."""
        self.smap.cells[pointer] = (sheet, cell.row, cell.column)
        value = cell.value
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            if CONTROL.search(value):
                self.problem("GC109", pointer, {"char": control_name(value)}, self.smap.span(pointer))
            text = value.strip()
            match = _CN_DATE.match(text)
            if match and field in DATE_FIELDS:
                try:
                    return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
                except ValueError:
                    return text
            return text if text else None
        if isinstance(value, float) and value.is_integer() and field in ("length", "precision"):
            return int(value)  # calamine reads every number as a float
        if isinstance(value, int | float) and not isinstance(value, bool) and field in DATE_FIELDS \
                and 1 <= value < 2958466:
            # A date typed into a cell formatted as a number: Excel's serial day count (1900 or 1904 system).
            from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

            return from_excel(value, CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900).date().isoformat()
        if isinstance(value, int | float) and not isinstance(value, bool) and field == "standard_version":
            return str(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and field in ("code", "element"):
            # A code typed into a number cell: Excel may already have rounded it (1.14501E+17).
            tokens = [t for t in pointer.split("/")[1:]]
            title = self.std.title(self.std.class_at("Catalog", tokens[:-1]), field)
            actual = L10n("数字（可能已丢失精度，请把该列设为文本格式后重新输入）",
                          "a number (precision may be lost; format the column as text and retype it)")
            self.problem("GC103", pointer, {"field": L10n(f"{title}（{field}）", f"{field} ({title})"),
                                            "expected": L10n("文本", "text"), "actual": actual},
                         self.smap.span(pointer))
            return str(int(value)) if isinstance(value, int) or value.is_integer() else str(value)
        return value

    def header(self, rows: list[Cell], sheet: str, known: dict[str, Any]) -> dict[int, str]:
        """Column index -> header title; unknown headers are GC102 with the nearest known title."""
        by_column: dict[int, str] = {}
        for cell in rows:
            title = str(cell.value).strip() if cell.value is not None else ""
            if not title:
                continue
            if title in known:
                by_column[cell.column] = title
            else:
                guess = suggest.nearest(title, known, cutoff=50)
                self.problem("GC102", "", {"key": title, "hint": suggest.did_you_mean(guess)},
                             Span(cell.row, cell.column, sheet=sheet, cell=cell.coordinate))
        return by_column


def load(doc: Document, std: Standard) -> Document:
    """Read the workbook at ``doc.path`` into ``doc.data`` and ``doc.sourcemap``.

    Whatever the file holds, the outcome is findings: the package is opened within limits and
    made safe for calamine first (package.py), each sheet is read on its own (a sheet calamine still
    cannot read is a GC006 there, the others are read), and anything else that goes wrong is a
    GC006 naming it, never an exception out of the reader."""
    raw = files.read(doc.path, MAX_BYTES, doc.problems)  # regular files only: a FIFO would block open()
    if raw is None:
        return doc
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # an OLE container: encrypted xlsx or old .xls
        doc.problems.append(Problem("GC006", "", {"detail": L10n(
            "文件设置了打开密码，或其实是旧版 .xls 格式：请取消密码保护，并“另存为” Excel 工作簿（.xlsx）",
            "the file is password-protected or an old .xls: remove the password and save it as .xlsx")}, Span(1, 1)))
        return doc
    try:
        found = package.open_package(raw, SHEETS)
    except package.Refused as refused:
        doc.problems.append(refused.problem)
        return doc
    except Exception as exc:  # the guard the reader promises: a finding, never a traceback
        doc.problems.append(_failure(exc))
        return doc
    try:
        book = _Book(found)
    except Exception as exc:
        doc.problems.extend(found.problems)
        doc.problems.append(_failure(exc))
        return doc
    try:
        _read(book, doc, std, found.date1904)
    except BaseException as exc:  # pyo3's PanicException derives from BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        doc.data = doc.sourcemap = None
        doc.problems.append(_failure(exc))
    finally:
        book.close()
        doc.problems.extend(found.problems)  # the repair pass's, those of a retried sheet too
    return doc


def _failure(exc: BaseException, sheet: str | None = None) -> Problem:
    """GC006 for what the reader could not do, naming the error: a damaged file, or a case of it we
    did not foresee (the message then tells the maintainers what to look at)."""
    where = f"工作表“{sheet}”" if sheet else "工作簿"
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    detail = f"{type(exc).__name__}{f': {text}' if text else ''}"
    return Problem("GC006", "", {"detail": L10n(
        f"{where}无法读取（文件已损坏，或含本工具不支持的内容）：{detail}",
        f"{'sheet ' + repr(sheet) if sheet else 'the workbook'} cannot be read (damaged, or content govcat does not "
        f"support): {detail}")}, Span(1, 1, sheet=sheet, cell="A1" if sheet else None))


def _merged_cells(book: _Book, doc: Document) -> None:
    """Merged cells: their value sits in the first cell only, so the other rows would silently lose it."""
    for name in SHEETS:
        if name not in book.book.sheet_names:
            continue
        try:
            merged = book.book.get_sheet_by_name(name).merged_cell_ranges or []
        except Exception as exc:  # the sheet's values were read or reported already; this is extra
            doc.problems.append(_failure(exc, name))
            continue
        for (r1, c1), (r2, c2) in merged:
            first, last = Cell(r1 + 1, c1 + 1, None).coordinate, Cell(r2 + 1, c2 + 1, None).coordinate
            doc.problems.append(Problem("GC006", "", {"detail": L10n(
                f"单元格 {first}:{last} 是合并单元格：合并后只有第一格有值，请取消合并并在每一行填写",
                f"cells {first}:{last} are merged: only the first holds the value; unmerge and fill every row")},
                Span(r1 + 1, c1 + 1, sheet=name, cell=first)))


def _read(book: _Book, doc: Document, std: Standard, date1904: bool) -> None:
    reader = _Reader(doc, std, date1904)
    missing = [s for s in SHEETS if s not in book.book.sheet_names]
    for sheet in missing:
        reader.structure(f"缺少工作表“{sheet}”", f"sheet '{sheet}' is missing")
    if missing:
        return
    sheets = {name: book.rows(name, doc) for name in SHEETS}
    _merged_cells(book, doc)
    data: dict[str, Any] = {}
    labels = provider_rows(std)
    for row in sheets[PROVIDER_SHEET] or []:
        if len(row) < 2 or row[0].column != 1 or row[1].column != 2:
            continue
        label = str(row[0].value).strip()
        path = labels.get(label)
        if path is None:
            continue
        pointer = "/" + "/".join(path)
        value = reader.value(row[1], pointer, path[-1], PROVIDER_SHEET)
        if value is not None:
            (data.setdefault("provider", {}) if len(path) == 2 else data)[path[-1]] = value
    columns = resource_columns(std)
    resources, rows_by_code = _read_resources(reader, sheets[RESOURCE_SHEET] or [], columns)
    data["resources"] = resources
    if sheets[RESOURCE_SHEET] is not None:  # unread, every item would name a resource "not on the sheet"
        _read_items(reader, sheets[ITEM_SHEET] or [], item_columns(std), resources, rows_by_code)
    doc.data = data
    doc.sourcemap = reader.smap


def _read_resources(reader: _Reader, sheet: list[list[Cell]], columns: dict[str, tuple[str, ...]]
                    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
    rows = iter(sheet)
    headers = reader.header(next(rows, []), RESOURCE_SHEET, columns)
    for required in (LINK_HEADER,):
        if required not in headers.values():
            reader.structure(f"工作表“{RESOURCE_SHEET}”缺少表头“{required}”",
                             f"sheet '{RESOURCE_SHEET}' lacks the header '{required}'")
    resources: list[dict[str, Any]] = []
    by_code: dict[str, int] = {}
    for row in rows:
        cells = [c for c in row if c.column in headers]
        if not cells:
            continue  # blank rows in the middle are skipped, not an end of the sheet
        index = len(resources)
        base = join("/resources", index)
        resource: dict[str, Any] = {}
        reader.smap.cells[base] = (RESOURCE_SHEET, cells[0].row, 1)
        for cell in cells:
            path = columns[headers[cell.column]]
            pointer = join(base, *path)
            value = reader.value(cell, pointer, path[-1], RESOURCE_SHEET)
            if value is None:
                continue
            if _multivalued(reader.std, "InformationResource", path[-1]) and len(path) == 1 \
                    and isinstance(value, str | int | float) and not isinstance(value, bool):
                # a time or a duration cell stays what it is: conformance reports its type
                value = [v.strip() for v in LIST_SEPARATOR.split(str(value)) if v.strip()]
            target = resource
            for key in path[:-1]:
                target = target.setdefault(key, {})
                reader.smap.cells.setdefault(join(base, key), reader.smap.cells[pointer])
            target[path[-1]] = value
        code = resource.get("code")
        if isinstance(code, str):
            by_code.setdefault(code, index)
        resources.append(resource)
    return resources, by_code


def _read_items(reader: _Reader, sheet: list[list[Cell]], columns: dict[str, str],
                resources: list[dict[str, Any]], by_code: dict[str, int]) -> None:
    rows = iter(sheet)
    known: dict[str, Any] = {LINK_HEADER: None, **columns}
    headers = reader.header(next(rows, []), ITEM_SHEET, known)
    if LINK_HEADER not in headers.values():
        reader.structure(f"工作表“{ITEM_SHEET}”缺少第一列“{LINK_HEADER}”",
                         f"sheet '{ITEM_SHEET}' lacks the column '{LINK_HEADER}'")
        return
    for row in rows:
        cells = {headers[c.column]: c for c in row if c.column in headers}
        if not cells:
            continue
        link = cells.get(LINK_HEADER)
        code = str(link.value).strip() if link is not None else None
        if code is None or code not in by_code:
            anchor = link or next(iter(cells.values()))
            reader.structure(
                f"信息项所属的信息资源代码“{code or '（空）'}”在“{RESOURCE_SHEET}”工作表中不存在",
                f"item row names resource code '{code or ''}', which is not on sheet '{RESOURCE_SHEET}'",
                Span(anchor.row, anchor.column, sheet=ITEM_SHEET, cell=anchor.coordinate))
            continue
        index = by_code[code]
        items = resources[index].setdefault("items", [])
        base = f"/resources/{index}/items/{len(items)}"
        item: dict[str, Any] = {}
        first = next(iter(cells.values()))
        reader.smap.cells[base] = (ITEM_SHEET, first.row, 1)
        reader.smap.cells.setdefault(join("/resources", index, "items"), reader.smap.cells[base])
        for title, cell in cells.items():
            if title == LINK_HEADER:
                continue
            field = columns[title]
            value = reader.value(cell, f"{base}/{field}", field, ITEM_SHEET)
            if field in ("is_key", "sensitive") and isinstance(value, str):
                value = {"是": True, "否": False}.get(value, value)
            if value is not None:
                item[field] = value
        items.append(item)
