"""An .xlsx package opened within limits, and the copy of it calamine reads.

calamine turns a sheet into a dense grid from A1 to its farthest value: one value at XFD1048576
in a 6 KB file asks for 17 billion cells (the process aborts). A handful of malformed cells (a
reference it cannot parse, an unknown `t`, a shared-string index past the table) fail the whole
sheet; a date serial beyond the calendar panics or reads as 1899-12-30. So the package is read
here first:

- the zip within limits (parts; bytes unpacked, as declared: zipfile never returns more and checks
  each part's CRC), the workbook's sheets found through its relationships however they are written;
- each sheet of the catalog screened in C (`_needs_nothing`): plain references within the limits
  and nothing calamine misreads prove that it can go as it is, which is the usual case;
- otherwise (and when calamine refuses a screened sheet after all: workbook._Book) it is streamed
  once through expat (`_SheetScan`), which places every cell that holds a value (references may be
  missing: they follow the cell before), cuts out those beyond the limits (a GC004 at the first),
  repairs what calamine would refuse or misread (a GC006 where data is lost), reports formulas
  without a saved result, and keeps the rows before a point where the XML breaks.

calamine then reads a new package from memory holding only those sheets, the styles and the shared
strings, under names of our own. Cells are cut out of the original bytes, never re-serialised.
Hand-written because no library reads a sheet sparsely and repairs it; the XML is parsed by expat.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError, fromstring
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

from govcat.core.document import Problem
from govcat.core.i18n import L10n
from govcat.reading import sheetxml

MAX_PARTS = 10_000  # entries in the zip
MAX_UNPACKED = 256 << 20  # bytes of the parts read (the catalog's sheets, shared strings, styles)

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_WORKSHEET = f"{_REL}/worksheet"
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
# Built-in number formats that show dates or times (ECMA-376 18.8.30, with the CJK ones).
_DATE_FORMATS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)})


class Refused(Exception):
    """The workbook cannot be read at all; ``problem`` says why (GC004 or GC006)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


@dataclass
class Package:
    """The workbook's sheets (every one, in order), and the package calamine reads: ``book()``."""

    sheets: list[str]
    date1904: bool
    problems: list[Problem] = field(default_factory=list)
    styles: bytes | None = None
    shared: bytes | None = None
    strings: int = 0  # entries of the shared-string table
    date_styles: frozenset[int] = frozenset()
    sources: dict[str, bytes] = field(default_factory=dict)  # the catalog's sheets as the file holds them
    cleaned: dict[str, bytes] = field(default_factory=dict)  # ... and as calamine gets them
    repaired: set[str] = field(default_factory=set)  # sheets that went through the repair pass

    def book(self) -> bytes:
        return _repack(self.cleaned, self.styles, self.shared, self.date1904)

    def prepare(self, name: str, *, repair: bool = False) -> None:
        """A sheet for calamine: as it is when the screen shows it needs nothing (the usual case,
        a few percent of calamine's own time), else through the repair pass (several times
        calamine's time: a Python callback per XML element)."""
        xml = self.sources[name]
        if not repair and sheetxml.needs_nothing(xml):
            self.cleaned[name] = sheetxml.DIMENSION.sub(b"", xml, count=1)
            return
        scan = sheetxml.SheetScan(xml, name, self.strings, self.date_styles)
        self.cleaned[name] = scan.run()
        self.problems.extend(scan.problems)
        self.repaired.add(name)


def open_package(raw: bytes, wanted: tuple[str, ...]) -> Package:
    """The workbook in ``raw`` with its sheets named in ``wanted`` made safe for calamine."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Refused(sheetxml.detail(f"无法作为 .xlsx 打开（文件已损坏，或不是 Excel 工作簿）：{type(exc).__name__}",
                              f"cannot be opened as .xlsx (damaged, or not a workbook): {type(exc).__name__}")) from None
    with archive:
        parts = _Parts(archive)
        workbook = parts.office_document()
        root = parts.xml(workbook)
        rels = parts.relationships(workbook)
        sheets, targets = [], {}
        for sheet in root.iter(f"{{{_MAIN}}}sheet"):
            name, rid = sheet.get("name", ""), sheet.get(f"{{{_REL}}}id", "")
            sheets.append(name)
            if name in wanted and name not in targets:
                kind, target = rels.get(rid, ("", ""))
                targets[name] = target if kind == _WORKSHEET else ""
        pr = root.find(f"{{{_MAIN}}}workbookPr")
        package = Package(sheets, pr is not None and pr.get("date1904", "").lower() in ("1", "true"))
        package.styles = parts.optional(_related(rels, "/styles"))
        date_styles = _date_styles(package.styles) if package.styles else frozenset()
        if date_styles is None:  # damaged: calamine would refuse the whole workbook for it
            package.problems.append(sheetxml.detail("样式表 xl/styles.xml 已损坏：日期单元格按数字读取",
                                            "the styles are damaged: date cells are read as numbers"))
            package.styles, date_styles = None, frozenset()
        package.date_styles = date_styles
        package.shared = parts.optional(_related(rels, "/sharedStrings"))
        if package.shared is not None and not _well_formed(package.shared):
            raise Refused(sheetxml.detail("共享字符串表 xl/sharedStrings.xml 已损坏：工作簿中的文本都无法读取",
                                  "the shared strings are damaged: no text of the workbook can be read"))
        package.strings = len(_SHARED_STRING.findall(package.shared)) if package.shared else 0
        for name in [s for s in sheets if s in targets]:
            member = targets[name]
            if not member or not parts.has(member):
                package.problems.append(sheetxml.detail(
                    f"工作表“{name}”的数据部件{f' {member} ' if member else ''}不存在（文件已损坏）",
                    f"the data of sheet '{name}' ({member or 'no target'}) is missing (damaged file)"))
                member = ""
            package.sources[name] = parts.read(member) if member else sheetxml.EMPTY_SHEET
            package.prepare(name)
    return package


class _Parts:
    """The zip's members by normalised name, read within MAX_UNPACKED altogether."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        infos = archive.infolist()
        if len(infos) > MAX_PARTS:
            raise Refused(sheetxml.limit(L10n(f"工作簿含 {len(infos)} 个部件，超过上限 {MAX_PARTS} 个",
                                      f"the workbook has {len(infos)} parts, more than {MAX_PARTS}")))
        self.archive = archive
        self.names = {self._key(i.filename): i for i in infos}
        self.unpacked = 0

    @staticmethod
    def _key(name: str) -> str:
        return posixpath.normpath(name.replace("\\", "/").lstrip("/")).lower()

    def has(self, name: str) -> bool:
        return self._key(name) in self.names

    def read(self, name: str) -> bytes:
        info = self.names[self._key(name)]
        self.unpacked += info.file_size  # as declared; zipfile never returns more and checks the CRC
        if self.unpacked > MAX_UNPACKED:
            raise Refused(sheetxml.limit(L10n(
                f"解压后的内容超过 {MAX_UNPACKED >> 20} MiB（疑似“压缩炸弹”，或工作簿中有大量无关内容）",
                f"more than {MAX_UNPACKED >> 20} MiB once unpacked (a zip bomb?)")))
        try:
            return self.archive.read(info)
        except Exception as exc:  # BadZipFile (a CRC or size that does not match), zlib.error, EOFError, …
            raise Refused(sheetxml.detail(f"部件 {name} 无法解压（文件已损坏）：{type(exc).__name__}",
                                  f"part {name} cannot be unpacked (damaged file): {type(exc).__name__}")) from None

    def xml(self, name: str) -> Any:
        if not self.has(name):
            raise Refused(sheetxml.detail(f"缺少 {name}：不是 Excel 工作簿，或文件已损坏",
                                  f"{name} is missing: not an Excel workbook, or damaged"))
        try:
            return fromstring(self.read(name))
        except ParseError as exc:
            raise Refused(sheetxml.detail(f"{name} 不是有效的 XML（文件已损坏）：{exc}",
                                  f"{name} is not well-formed XML (damaged file): {exc}")) from None

    def office_document(self) -> str:
        """The workbook part, as the package's own relationships name it (xl/workbook.xml by default)."""
        if self.has("_rels/.rels"):
            for kind, target in _relations(self, "_rels/.rels", "").values():
                if kind.endswith("/officeDocument") and self.has(target):
                    return target
        return "xl/workbook.xml"

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        return _relations(self, rels, folder) if self.has(rels) else {}

    def optional(self, name: str | None) -> bytes | None:
        return self.read(name) if name and self.has(name) else None


def _relations(parts: _Parts, rels: str, folder: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, target part), targets resolved against ``folder``; external ones left out."""
    try:
        root = fromstring(parts.read(rels))
    except ParseError:
        return {}  # then the parts are looked for where Excel puts them, and reported if absent
    found = {}
    for rel in root.iter(f"{{{_PKG_REL}}}Relationship"):
        target = rel.get("Target", "").replace("\\", "/")
        if rel.get("TargetMode") == "External" or not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        found[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(path))
    return found


def _related(rels: dict[str, tuple[str, str]], suffix: str) -> str | None:
    return next((target for kind, target in rels.values() if kind.endswith(suffix)), None)


def _well_formed(xml: bytes) -> bool:
    parser = expat.ParserCreate()  # no handlers: C speed
    try:
        parser.Parse(xml, True)
    except expat.ExpatError:
        return False
    return True


def _date_styles(styles: bytes) -> frozenset[int] | None:
    """Indexes of the cell formats that show a date, time or duration: calamine converts their
    numbers, which panics or overflows beyond the calendar. Generous on purpose: it only decides
    which serials out of range are read as plain numbers. None: the styles are damaged."""
    try:
        root = fromstring(styles)
    except ParseError:
        return None
    codes = {f.get("numFmtId", ""): f.get("formatCode", "") for f in root.iter(f"{{{_MAIN}}}numFmt")}
    xfs = root.find(f"{{{_MAIN}}}cellXfs")
    found = set()
    for i, xf in enumerate(xfs if xfs is not None else []):
        number = xf.get("numFmtId", "0")
        builtin = int(number) in _DATE_FORMATS if number.isdigit() else False
        code = re.sub(r'"[^"]*"|\\.|\[(?![hms]+\])[^\]]*\]', "", codes.get(number, ""), flags=re.I)
        if builtin or re.search(r"[ymdhs]", code, re.I):
            found.add(i)
    return frozenset(found)


def _repack(sheets: dict[str, bytes], styles: bytes | None, shared: bytes | None, date1904: bool) -> bytes:
    """A minimal package of the catalog's sheets, under names of our own: calamine never sees
    the original's paths, relationships or other parts. Stored, not compressed: it stays in memory."""
    content = [f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
               f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, len(sheets) + 1)]
    rels = [f'<Relationship Id="rId{i}" Type="{_WORKSHEET}" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)]
    if styles is not None:
        rels.append(f'<Relationship Id="rIdS" Type="{_REL}/styles" Target="styles.xml"/>')
    if shared is not None:
        rels.append(f'<Relationship Id="rIdT" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>')
    listed = "".join(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
                     for i, name in enumerate(sheets, start=1))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(content) + "</Types>"))
        z.writestr("_rels/.rels", f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}/'
                                  'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr date1904='
                                      f'"{int(date1904)}"/><sheets>{listed}</sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{_PKG_REL}">{"".join(rels)}</Relationships>')
        for i, xml in enumerate(sheets.values(), start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if styles is not None:
            z.writestr("xl/styles.xml", styles)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()
