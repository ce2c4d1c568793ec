"""A worksheet's XML made safe for calamine: the screen that proves a sheet needs nothing, and
the repair pass for the others (see package.py for why).

The pass is one stream of expat events over the original bytes: it places every cell that holds a
value (a cell without `r` follows the one before it, as in calamine), cuts out those beyond the
limits (one GC004 at the first of them per limit, with the count), rewrites the start tags
calamine would refuse or misread (a GC006 where a value is lost), reports formulas without a saved
result, and when the XML breaks keeps the rows before it, closed as a sheet.
"""

from __future__ import annotations

import math
import re
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

from govcat.core.document import Problem, Span
from govcat.core.i18n import L10n
from govcat.reading.sourcemap import column_letters

MAX_ROWS = 1_048_576  # Excel's own
MAX_COLUMNS = 256  # column IV: the template has about 30
MAX_CELLS = 8 << 20  # rows × columns of a sheet's used range (200 000 items × 9 columns = 1.8 M)

_TYPES = {"b", "d", "e", "inlineStr", "n", "s", "str"}
_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA"}
_BOOLEANS = {"0", "1", "true", "false"}
_LAST_SERIAL = 2958466  # 10000-01-01 as an Excel date: serials at or beyond it are no dates
_REF = re.compile(r"([A-Za-z]+)([0-9]+)")
# What calamine (Rust's f64 parser) reads as a number.
_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?(?:inf|infinity|nan)", re.I)
# A start tag, attribute values quoted (they may hold `>`), matched where expat says it starts.
_START_TAG = re.compile(rb"""<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")


def detail(zh: str, en: str, span: Span | None = None) -> Problem:
    return Problem("GC006", "", {"detail": L10n(zh, en)}, span or Span(1, 1))


def limit(what: L10n, span: Span | None = None) -> Problem:
    return Problem("GC004", "", {"limit": "workbook", "value": what}, span or Span(1, 1))


# The screen: a sheet needs no repair when every cell and row has a plain reference as its first
# attribute, within the limits, and nothing calamine misreads or panics on is there. Each check is
# a search of the bytes in C starting with a literal (which re finds fast; one alternation of them
# all is ten times slower). What they cannot prove goes to the repair pass; what calamine then
# refuses all the same (an unknown cell type, a shared-string index past the table) is repaired
# when it does (see workbook._Book).
_UNUSUAL = tuple(re.compile(pattern) for pattern in (
    rb'<c r="(?!(?:[A-Z]|[A-H][A-Z]|I[A-V])[1-9][0-9]{0,5}")',  # beyond IV or row 999999, or odd
    rb'<c r="[^"]*"[^>]*?\sr\s*=',                          # a second `r`: calamine takes the last
    rb'<row r="(?![1-9][0-9]{0,5}")',
    rb"<(?:c|row)[\t\r\n>/]",                          # other spacing, or no attributes at all
    rb":(?:c|row)[\s>/]",                               # a namespace prefix
    rb't="s"[^>]*>\s*<v>(?![0-9]+</v>)',                # a shared-string index that is no number
    rb't="b"[^>]*>\s*<v>(?![01]</v>)',                  # a boolean other than 0 or 1
    rb"<v>\s*(?:[-+]|[0-9.]*[eE]|[0-9]{8}|[nNiI])",     # no date serial: calamine panics or misreads
    rb'<c r="[A-Z0-9]+"(?: s="[0-9]+")?>\s*<v>(?![0-9.]+</v>)',  # text in a number cell (the usual layouts)
    rb't="n"[^>]*>\s*<v>(?![0-9.]+</v>)',
    rb"<f[\s>/]",                                       # formulas: their results are checked
))
_TWO_LETTERS = re.compile(rb'<c r="([A-Z]{2})[0-9]')
_SIX_DIGITS = re.compile(rb'<c r="[A-Z]{1,2}([0-9]{6})"')
DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*/>")


def needs_nothing(xml: bytes) -> bool:
    if any(pattern.search(xml) for pattern in _UNUSUAL):
        return False
    if xml.count(b"<c ") != xml.count(b'<c r="') or xml.count(b"<row ") != xml.count(b'<row r="'):
        return False  # a cell or row without `r` first: its place follows the one before
    # Rows below 1 000 000 and columns up to IV are proven; the area needs the farthest of each.
    columns = max((_column(c) for c in set(_TWO_LETTERS.findall(xml))), default=26)
    last = max(map(int, _SIX_DIGITS.findall(xml)), default=99_999) if columns * 99_999 > MAX_CELLS else 99_999
    return columns * last <= MAX_CELLS


def _column(letters: bytes) -> int:
    col = 0
    for letter in letters:
        col = col * 26 + letter - 64
    return col


EMPTY_SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'


class _Cell:
    __slots__ = ("attrs", "col", "formula", "name", "ref", "row", "start", "text", "value")

    def __init__(self, name: str, attrs: dict[str, str], start: int) -> None:
        self.name, self.attrs, self.start = name, attrs, start
        self.ref = attrs.get("r")
        self.row = self.col = 0
        self.text: list[str] = []  # the <v> text
        self.value = False  # holds a value: a non-empty <v>, or an inline string
        self.formula = False


class SheetScan:
    """One pass of expat over a sheet's XML: positions, limits, repairs (see the module's docstring)."""

    def __init__(self, xml: bytes, sheet: str, strings: int, date_styles: frozenset[int]) -> None:
        self.xml, self.sheet, self.strings, self.date_styles = xml, sheet, strings, date_styles
        self.parser = expat.ParserCreate()
        self.cuts: list[tuple[int, int, bytes]] = []  # (start, end, replacement) in the original bytes
        self.problems: list[Problem] = []
        self.stack: list[str] = []
        self.row = self.col = 0  # where the last row and cell stand (they give the next ones without `r`)
        self.max_row = self.max_col = 0  # the used range of the values kept
        self.cell: _Cell | None = None
        self.in_value = False
        self.good = 0  # the end of the last complete row
        self.good_stack: list[str] = []
        self.good_row = 0
        self.dropped: dict[str, list[Any]] = {}  # limit -> [count, problem of the first]

    def run(self) -> bytes:
        p = self.parser
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = self.start, self.end, self.data
        try:
            p.Parse(self.xml, True)
        except expat.ExpatError as exc:
            return self._salvage(exc)
        if not self.stack and self.good == 0 and not self.xml.strip():
            return EMPTY_SHEET
        self._report_dropped()
        return self._cut(self.xml)

    # --- expat callbacks -----------------------------------------------------------------
    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.stack.append(name)
        local = name.rpartition(":")[2]
        if local == "c":
            cell = self.cell = _Cell(name, attrs, self.parser.CurrentByteIndex)
            self._place(cell)
        elif local == "v" and self.cell is not None:
            self.in_value = True
        elif local == "is" and self.cell is not None:
            self.cell.value = True
        elif local == "f" and self.cell is not None:
            self.cell.formula = True
        elif local == "row":
            r = attrs.get("r")
            if r is not None and not (r.isdigit() and 0 < int(r) <= 10**9):
                self._rewrite(self.parser.CurrentByteIndex, name, {k: v for k, v in attrs.items() if k != "r"})
                r = None  # calamine refuses it; the row follows the one before, as without `r`
            self.row, self.col = (int(r) if r is not None else self.row + 1), 0
        elif local == "dimension":  # the declared used range: never trusted, calamine need not see it
            at = self.parser.CurrentByteIndex
            self.cuts.append((at, self._tag_end(at), b""))

    def data(self, text: str) -> None:
        if self.in_value and self.cell is not None:
            self.cell.text.append(text)
            self.cell.value = True

    def end(self, name: str) -> None:
        self.stack.pop()
        local = name.rpartition(":")[2]
        if local == "v":
            self.in_value = False
        elif local == "c" and self.cell is not None:
            self._check(self.cell, self._element_end(self.parser.CurrentByteIndex))
            self.cell = None
        elif local == "row":
            self.good, self.good_stack = self._element_end(self.parser.CurrentByteIndex), list(self.stack)
            self.good_row = self.row

    # --- cells ------------------------------------------------------------------------------
    def _place(self, cell: _Cell) -> None:
        if cell.ref is None:
            cell.row, cell.col = self.row, self.col + 1
            return
        match = _REF.fullmatch(cell.ref)
        if match is None or len(match[1]) > 8 or len(match[2]) > 12 or int(match[2]) == 0:
            cell.row, cell.col = self.row, 0  # no place: refused in _check
            return
        col = 0
        for letter in match[1].upper():
            col = col * 26 + ord(letter) - 64
        cell.row, cell.col = int(match[2]), col

    def _check(self, cell: _Cell, end: int) -> None:
        if cell.col == 0:  # a reference calamine cannot read
            if cell.value or cell.formula:
                self.problems.append(detail(
                    f"单元格引用“{cell.ref}”无效（文件已损坏），该单元格未读取",
                    f"cell reference '{cell.ref}' is invalid (damaged file); the cell was not read",
                    self._span(cell.row, 1)))
            self.cuts.append((cell.start, end, b""))
            return
        self.row, self.col = cell.row, cell.col
        if not cell.value:
            if cell.formula and cell.row <= MAX_ROWS and cell.col <= MAX_COLUMNS:
                span = self._span(cell.row, cell.col)
                self.problems.append(detail(
                    f"单元格 {span.cell} 是公式但没有计算结果：请在 Excel/WPS 中打开并保存一次，或改为直接填写值",
                    f"cell {span.cell} holds a formula without a saved result: open and save it in Excel, or type "
                    "the value", span))
            return  # calamine skips cells without a value: they do not widen the sheet
        kind = self._beyond(cell)
        if kind:
            self.cuts.append((cell.start, end, b""))
            entry = self.dropped.setdefault(kind, [0, self._span(cell.row, cell.col)])
            entry[0] += 1
            return
        self.max_row, self.max_col = max(self.max_row, cell.row), max(self.max_col, cell.col)
        self._repair(cell, end)

    def _beyond(self, cell: _Cell) -> str | None:
        if cell.col > MAX_COLUMNS:
            return "columns"
        if cell.row > MAX_ROWS:
            return "rows"
        if max(self.max_row, cell.row) * max(self.max_col, cell.col) > MAX_CELLS:
            return "cells"
        return None

    def _repair(self, cell: _Cell, end: int) -> None:
        """What calamine would refuse (failing the whole sheet) or panic on, made readable."""
        kind, text = cell.attrs.get("t", "n"), "".join(cell.text)
        if kind == "s":
            if not (text.strip().isdigit() and int(text) < self.strings):
                span = self._span(cell.row, cell.col)
                self.problems.append(detail(
                    f"单元格 {span.cell} 引用的共享字符串“{text}”不存在（文件已损坏），该单元格未读取",
                    f"cell {span.cell} refers to shared string '{text}', which does not exist (damaged file)", span))
                self.cuts.append((cell.start, end, b""))
            return
        attrs = dict(cell.attrs)
        if kind not in _TYPES or (kind == "e" and text not in _ERRORS) or (kind == "b" and text not in _BOOLEANS):
            attrs["t"] = "str"  # read as the text it holds
        elif kind == "n" and not _NUMBER.fullmatch(text):
            # A number cell holding text: no spreadsheet program writes that, the file was edited or damaged.
            span = self._span(cell.row, cell.col)
            self.problems.append(detail(
                f"单元格 {span.cell} 是数值单元格，却存有文本“{text[:50]}”（文件已损坏或被改动过），按文本读取",
                f"cell {span.cell} is a number cell holding the text '{text[:50]}' (damaged or edited file); read as text",
                span))
            attrs["t"] = "str"
            attrs.pop("s", None)
        elif kind == "n" and cell.attrs.get("s", "").isdigit() and int(cell.attrs["s"]) in self.date_styles:
            try:
                serial = float(text)
            except ValueError:
                serial = math.nan
            if not (math.isfinite(serial) and 0 <= serial < _LAST_SERIAL):
                del attrs["s"]  # no date: calamine reads the number, and the schema says it is not one
        if attrs != cell.attrs:
            self._rewrite(cell.start, cell.name, attrs)

    # --- where and what ---------------------------------------------------------------------
    def _span(self, row: int, col: int) -> Span:
        return Span(row, col, sheet=self.sheet, cell=f"{column_letters(col)}{row}")

    def _tag_end(self, start: int) -> int:
        match = _START_TAG.match(self.xml, start)
        return match.end() if match else self.xml.index(b">", start) + 1

    def _element_end(self, at: int) -> int:
        """Where an element ends, from expat's index at its end: a closing tag starts there, or
        (an empty element) it has ended already."""
        return self.xml.index(b">", at) + 1 if self.xml.startswith(b"</", at) else at

    def _rewrite(self, start: int, name: str, attrs: dict[str, str]) -> None:
        end = self._tag_end(start)
        closing = b"/>" if self.xml[end - 2:end] == b"/>" else b">"
        tag = f"<{name}" + "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
        self.cuts.append((start, end, tag.encode() + closing))

    def _cut(self, xml: bytes) -> bytes:
        if not self.cuts:
            return xml
        out, at = [], 0
        for start, end, replacement in sorted(self.cuts):
            if start < at:
                continue  # inside a cell already cut out
            out += [xml[at:start], replacement]
            at = end
        out.append(xml[at:])
        return b"".join(out)

    def _report_dropped(self) -> None:
        what = {
            "columns": ("超出第 {max} 列（IV）", "beyond column {max} (IV)", MAX_COLUMNS),
            "rows": ("超出第 {max} 行", "beyond row {max}", MAX_ROWS),
            "cells": ("使工作表的已用区域（行数×列数）超过 {max} 个单元格", "make the used range exceed {max} cells",
                      MAX_CELLS),
        }
        for kind, (count, span) in self.dropped.items():
            zh, en, maximum = what[kind]
            more = L10n(f"，共 {count} 个单元格未读取", f"; {count} cells were not read") if count > 1 else L10n("", "")
            self.problems.append(limit(L10n(
                f"工作表“{self.sheet}”中单元格 {span.cell} 的内容{zh.format(max=f'{maximum:,}')}{more.zh}，未读取",
                f"cell {span.cell} of sheet '{self.sheet}' lies {en.format(max=f'{maximum:,}')}{more.en}; not read"),
                span))

    def _salvage(self, exc: expat.ExpatError) -> bytes:
        """The rows before the XML breaks, closed as a sheet: the findings in them still count."""
        self._report_dropped()
        row = self.good_row
        self.problems.append(detail(
            f"工作表“{self.sheet}”的数据在第 {row + 1} 行处损坏（XML 第 {exc.lineno} 行第 {exc.offset + 1} 列："
            f"{expat.ErrorString(exc.code)}），此后的内容未读取",
            f"the data of sheet '{self.sheet}' is damaged from row {row + 1} on (XML line {exc.lineno}, column "
            f"{exc.offset + 1}: {expat.ErrorString(exc.code)}); the rest was not read",
            self._span(row + 1, 1)))
        if not self.good:
            return EMPTY_SHEET
        self.cuts = [c for c in self.cuts if c[1] <= self.good]
        closing = "".join(f"</{name}>" for name in reversed(self.good_stack)).encode()
        return self._cut(self.xml[:self.good]) + closing

