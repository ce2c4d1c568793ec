"""Workbook catalogs (SPEC §3.5) migrated cell by cell with openpyxl.

The plan's tree is made from what the validator's reader read (values as the rules see them, each
with its cell) and from the header rows: a column's header is one key shared by every row, so a
renamed field renames its header once. Headers are then written with the target's titles — a field
keeps its column when only its Chinese title changed, which a workbook matched by titles would
otherwise lose. Only the cells that change are assigned; openpyxl loads and saves the rest.

openpyxl does not keep everything an office suite writes: images, charts, pivot tables, macros and
some extensions (data validations that refer to another sheet in Excel's extension form, for one)
are dropped, and formulas lose their saved results. `losses` says which of these a workbook had.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from govcat.core.document import Span
from govcat.core.i18n import L10n
from govcat.core.pointer import join
from govcat.lifecycle.plan import Map, Node, Seq, Text, texts
from govcat.reading.sourcemap import SheetSourceMap, column_letters
from govcat.reading.workbook import (
    ITEM_SHEET,
    LINK_HEADER,
    PROVIDER_SHEET,
    RESOURCE_SHEET,
    item_columns,
    provider_rows,
    resource_columns,
)
from govcat.standard import Standard

_IN_CELL_LIST = L10n("该值是一个单元格中以分号分隔的列表", "the value is a list kept in one cell")


@dataclass(eq=False)
class Cell:
    """Where a key or value is written. A header (or a provider row's label) names the field of its
    column; ``parent`` is the key of the object its field belongs to (共享类型 -> sharing)."""

    sheet: str
    row: int
    column: int
    header: bool = False
    parent: Text | None = None

    @property
    def name(self) -> str:
        return f"{column_letters(self.column)}{self.row}"

    def span(self) -> Span:
        return Span(self.row, self.column, sheet=self.sheet, cell=self.name)


@dataclass(frozen=True)
class Edit:
    sheet: str
    cell: str
    old: Any
    new: Any


class _Builder:
    def __init__(self, data: dict[str, Any], smap: SheetSourceMap, book: Any, std: Standard) -> None:
        self.data, self.cells, self.book, self.std = data, smap.cells, book, std
        self.parents: dict[str, Text] = {}  # nested object -> its key (no cell of its own)

    def headers(self, sheet: str, known: dict[str, Any]) -> list[tuple[Text, tuple[str, ...]]]:
        """Each known header of ``sheet``'s first row: its key and its field path."""
        out: list[tuple[Text, tuple[str, ...]]] = []
        if sheet not in self.book.sheetnames:
            return out
        for cell in next(self.book[sheet].iter_rows(min_row=1, max_row=1), ()):
            title = str(cell.value).strip() if cell.value is not None else ""
            path = known.get(title)
            if path is None:
                continue
            path = path if isinstance(path, tuple) else (path,)
            where = Cell(sheet, 1, cell.column, header=True)
            if len(path) == 2:  # a nested object's key is written nowhere: it is found at its first column
                where.parent = self.parents.setdefault(path[0], Text(path[0], "", span=where.span()))
            out.append((Text(path[-1], "", where, span=where.span()), path))
        return out

    def value(self, pointer: str, sheet: str, row: int, column: int) -> Node:
        found: Any = self.data
        for token in pointer.split("/")[1:]:
            found = found.get(token) if isinstance(found, dict) else (
                found[int(token)] if isinstance(found, list) and token.isdigit() and int(token) < len(found) else None)
        where = Cell(sheet, row, column)
        if isinstance(found, list):
            return Seq([Text(v, join(pointer, i), None, _IN_CELL_LIST) for i, v in enumerate(found)], pointer)
        return Text(found, pointer, where, absent=found is None)

    def row(self, pointer: str, sheet: str, row: int | None, columns: list[tuple[Text, tuple[str, ...]]],
            synthetic: bool = False) -> Map:
        node = Map([], pointer, synthetic)
        nested: dict[str, Map] = {}
        for key, path in columns:
            at = join(pointer, *path)
            value: Node = (Text(None, at, absent=True) if not row
                           else self.value(at, sheet, row, key.handle.column))
            if synthetic and isinstance(value, Text):
                value.pointer = pointer
            if len(path) == 2:
                if path[0] not in nested:
                    nested[path[0]] = Map([], join(pointer, path[0]), synthetic)
                    node.entries.append((self.parents[path[0]], nested[path[0]]))
                nested[path[0]].entries.append((key, value))
            else:
                node.entries.append((key, value))
        return node


def read(data: dict[str, Any], smap: SheetSourceMap, book: Any, std: Standard) -> Map:
    """The plan's tree of a workbook the reader read with ``std`` (the edition it declares)."""
    b = _Builder(data, smap, book, std)
    root = Map([], "")
    labels = provider_rows(std)
    provider = Map([], "/provider")
    if PROVIDER_SHEET in book.sheetnames:
        for cells in book[PROVIDER_SHEET].iter_rows(min_col=1, max_col=1):
            label = str(cells[0].value).strip() if cells[0].value is not None else ""
            path = labels.get(label)
            if path is None:
                continue
            where = Cell(PROVIDER_SHEET, cells[0].row, 1, header=True,
                         parent=b.parents.setdefault("provider", Text("provider", "/provider")) if len(path) == 2
                         else None)
            pointer = "/" + "/".join(path)
            key = Text(path[-1], pointer, where, span=where.span())
            value = b.value(pointer, PROVIDER_SHEET, cells[0].row, 2)
            (provider.entries if len(path) == 2 else root.entries).append((key, value))
    if provider.entries:
        root.entries.append((b.parents["provider"], provider))
    resource_headers = b.headers(RESOURCE_SHEET, resource_columns(std))
    item_headers = b.headers(ITEM_SHEET, {k: v for k, v in item_columns(std).items() if k != LINK_HEADER})
    items_key = Text("items", "")
    rows = Seq([], "/resources")
    for i, resource in enumerate(data.get("resources") or []):
        base = join("/resources", i)
        node = b.row(base, RESOURCE_SHEET, b.cells.get(base, ("", 0, 0))[1], resource_headers)
        listed = Seq([], join(base, "items"))
        for j, _ in enumerate(resource.get("items") or []):
            at = join(base, "items", j)
            listed.items.append(b.row(at, ITEM_SHEET, b.cells.get(at, ("", 0, 0))[1], item_headers))
        if listed.items:
            node.entries.append((items_key, listed))
        rows.items.append(node)
    # The header rows as one more resource holding one item, every column empty: renames reach
    # every header, and a decision about a column is reported at its header.
    header_row = b.row("/resources", RESOURCE_SHEET, None, resource_headers, synthetic=True)
    header_row.entries.append((items_key, Seq([b.row("/resources", ITEM_SHEET, None, item_headers, synthetic=True)],
                                              "/resources")))
    rows.items.append(header_row)
    root.entries.append((Text("resources", "/resources"), rows))
    return root


def _titles(std: Standard) -> dict[tuple[str, str], str]:
    """(sheet, field path joined by '/') -> the header or label ``std`` gives it."""
    out: dict[tuple[str, str], str] = {}
    for title, path in resource_columns(std).items():
        out[(RESOURCE_SHEET, "/".join(path))] = title
    for title, name in item_columns(std).items():
        out[(ITEM_SHEET, name)] = title
    for title, path in provider_rows(std).items():
        out[(PROVIDER_SHEET, "/".join(path))] = title
    return out


def edits(root: Map, book: Any, target: Standard) -> list[Edit]:
    """What changes in the workbook: headers and labels of the fields as the target titles them,
    and every changed value. A header whose field the target no longer has stays as it is."""
    titles = _titles(target)
    out: list[Edit] = []
    for text in texts(root):
        where = text.handle
        if not isinstance(where, Cell):
            continue
        cell = book[where.sheet].cell(row=where.row, column=where.column)
        if where.header:
            path = "/".join([*([str(where.parent.value)] if where.parent is not None else []), str(text.value)])
            title = titles.get((where.sheet, path))
            current = str(cell.value).strip() if cell.value is not None else ""
            if title is not None and title != current:
                out.append(Edit(where.sheet, where.name, cell.value, title))
        elif text.changed:
            out.append(Edit(where.sheet, where.name, cell.value, text.value))
    return sorted(out, key=lambda e: (e.sheet, _row_column(e.cell)))


def _row_column(name: str) -> tuple[int, int]:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letters, row = coordinate_from_string(name)
    return row, column_index_from_string(letters)


def load(source: Path | IO[bytes]) -> tuple[Any, list[str]]:
    """The workbook for editing, and what openpyxl said it will not keep while reading it."""
    import openpyxl

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        book = openpyxl.load_workbook(source, rich_text=True)
    return book, sorted({str(w.message) for w in caught})


def apply(book: Any, changes: list[Edit]) -> None:
    for edit in changes:
        cell = book[edit.sheet][edit.cell]
        cell.value = edit.new
        if isinstance(edit.new, str) and edit.new.startswith("="):
            cell.data_type = "s"  # text from the standard that looks like a formula stays text


def save(book: Any) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # what is lost was reported by `load` and `losses`
        book.save(out)
    return out.getvalue()


# Parts of an .xlsx, by folder or name, that openpyxl drops on saving, and how to say so.
_PARTS = {
    "xl/media/": L10n("图片", "images"), "xl/charts/": L10n("图表", "charts"),
    "xl/drawings/drawing": L10n("绘图对象（图片、图表、形状）", "drawings (images, charts, shapes)"),
    "xl/pivotTables/": L10n("数据透视表", "pivot tables"), "xl/pivotCache/": L10n("数据透视表缓存", "pivot caches"),
    "xl/vbaProject.bin": L10n("宏（VBA）", "macros (VBA)"), "xl/slicers/": L10n("切片器", "slicers"),
    "xl/threadedComments/": L10n("新式批注（会话）", "threaded comments"),
    "xl/ctrlProps/": L10n("表单控件", "form controls"), "xl/activeX/": L10n("ActiveX 控件", "ActiveX controls"),
    "customXml/": L10n("自定义 XML", "custom XML"), "xl/timelines/": L10n("日程表", "timelines"),
    "xl/queryTables/": L10n("查询表", "query tables"), "xl/connections.xml": L10n("数据连接", "data connections"),
}
_DIGITS = re.compile(r"\d+")


def losses(before: bytes, after: bytes, warned: list[str], book: Any) -> list[L10n]:
    """What the original workbook had that the saved one lacks (compared part by part), what
    openpyxl warned about, and formulas, whose saved results openpyxl does not write."""
    def parts(data: bytes) -> set[str]:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {_DIGITS.sub("", name) for name in archive.namelist()}

    had, kept = parts(before), parts(after)
    out = []
    for prefix, what in _PARTS.items():
        if any(p.startswith(prefix) for p in had) and not any(p.startswith(prefix) for p in kept):
            out.append(L10n(f"{what.zh}未能保留", f"{what.en} were not kept"))
    out += [L10n(f"openpyxl：{message}", f"openpyxl: {message}") for message in warned]
    formulas = sum(1 for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.data_type == "f")
    if formulas:
        out.append(L10n(f"{formulas} 个公式单元格的计算结果未保存：请用 Excel/WPS 打开并保存一次（否则校验时报 GC006）",
                        f"{formulas} formula cells lost their saved results: open and save the workbook in Excel "
                        "(the validator reports GC006 until then)"))
    return out


def _comparable(value: Any) -> Any:
    """A cell's value as something `==` compares by content (an array formula is an object)."""
    if isinstance(value, str | int | float | bool) or hasattr(value, "isoformat"):
        return value
    return getattr(value, "text", None) or str(value)


def unchanged_elsewhere(before: bytes, after: bytes, changes: list[Edit]) -> bool:
    """Every cell of every sheet holds what it held, except the cells changed (read back by openpyxl)."""
    import openpyxl

    def cells(data: bytes) -> dict[tuple[str, str], Any]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), rich_text=False)
        return {(sheet.title, cell.coordinate): _comparable(cell.value) for sheet in book.worksheets
                for row in sheet.iter_rows() for cell in row if cell.value is not None}

    old, new = cells(before), cells(after)
    changed = {(e.sheet, e.cell): _comparable(e.new) for e in changes}
    for place in set(old) | set(new):
        expected = changed.get(place, old.get(place))
        if new.get(place) != expected:
            return False
    return True
