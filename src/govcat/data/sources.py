"""DATA arguments -> a table every engine can check: columns `c1…cK` (text) and `rn` (1-based row).

Files are read by DuckDB (embedded, streaming, parallel): CSV/TSV (UTF-8, UTF-8 with BOM; GBK and
GB18030 are detected and converted first), Parquet, JSON Lines; xlsx through calamine and SQLite
tables through the standard library are staged as a UTF-8 CSV first (DuckDB's own readers for them
are extensions that would have to be downloaded). `postgresql://…#schema.table` is checked where it
lies, in the server. Reading problems (encoding, rows that are not table rows, an empty file) come back
as notices that become GC80x findings; nothing here raises on bad data.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from govcat.core.errors import UsageError

CSV_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": ","}
MAX_LINE = 32 * 1024 * 1024  # a row may hold a 10 MB cell and more; DuckDB's default is 2 MB
# DuckDB's CSV buffer per thread; by default 16 x max_line_size, capped by the file's size: with a long
# line limit a 2 GB file asked for one 1.7 GiB block and ran out of memory. Two lines' worth is enough.
BUFFER = 2 * MAX_LINE
SNIFF = 1 << 20


@dataclass
class Notice:
    """Something found while reading, before any check: becomes a GC80x finding."""

    code: str
    args: dict[str, Any]
    severity: str | None = None
    count: int | None = None
    samples: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Table:
    display: str  # as findings show it
    kind: str  # csv, xlsx, parquet, jsonl, sqlite, postgres, spark
    headers: list[str]
    relation: str = ""  # DuckDB: the SQL reading the data (without rn)
    path: Path | None = None  # the file DuckDB reads (maybe a converted copy)
    url: str | None = None  # postgresql://… or a Spark path/table
    header_lines: int = 1  # physical lines the header takes (CSV)
    sheet: str | None = None  # xlsx: the sheet, whose row 1 is the header
    notices: list[Notice] = field(default_factory=list)
    readable: bool = True
    cleanup: list[Path] = field(default_factory=list)

    def close(self) -> None:
        for path in self.cleanup:
            with contextlib.suppress(OSError):
                path.unlink()


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _unreadable(display: str, kind: str, reason: str) -> Table:
    return Table(display=display, kind=kind, headers=[], readable=False, notices=[Notice("GC800", {"reason": reason})])


def open_data(spec: str, display: str, engine: str, workdir: Path) -> Table:
    """The table ``spec`` names: a file path, `sqlite:///f.db#table`, `postgresql://…#schema.table`,
    or (for Spark) a table name."""
    if spec.startswith(("postgresql://", "postgres://")):
        _url, _, table = spec.partition("#")
        if not table:
            raise UsageError(f"{spec}：PostgreSQL 数据应写成 postgresql://…#schema.table")
        return Table(display=spec.split("@")[-1], kind="postgres", headers=[], url=spec)
    if spec.startswith("sqlite:"):
        return _sqlite(spec, workdir)
    path = Path(spec)
    if engine == "spark" and not path.exists() and not spec.startswith("/") and "." in spec and "/" not in spec:
        return Table(display=spec, kind="spark", headers=[], url=spec)  # a Spark catalog table
    if not path.exists():
        raise UsageError(f"数据文件不存在：{spec}")
    if path.is_dir():
        return _unreadable(display, "dir", "这是一个文件夹，请给出数据文件")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _delimited(path, display, CSV_SUFFIXES[suffix], workdir)
    if suffix == ".xlsx":
        return _workbook(path, display, workdir)
    if suffix == ".parquet":
        return Table(display=display, kind="parquet", headers=[], relation=f"read_parquet({_quote(str(path))})", path=path)
    if suffix in (".jsonl", ".ndjson"):
        return Table(display=display, kind="jsonl", headers=[], path=path,
                     relation=f"read_json({_quote(str(path))}, format='newline_delimited', records=true)")
    return _unreadable(display, suffix.lstrip(".") or "file",
                       f"不支持的文件类型“{path.suffix or path.name}”（支持 CSV、TSV、xlsx、Parquet、JSON Lines、sqlite:///…#表）")


# --- CSV / TSV ---------------------------------------------------------------------------------------

def _is_utf8(chunk: bytes, complete: bool) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(chunk, final=complete)
        return True
    except UnicodeDecodeError:
        return False


def _delimited(path: Path, display: str, delimiter: str, workdir: Path) -> Table:
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(SNIFF)
    except OSError as exc:
        return _unreadable(display, "csv", f"无法打开文件（{exc.strerror or exc}）")
    if not head.strip(b"\xef\xbb\xbf \t\r\n"):
        return _unreadable(display, "csv", "文件为空")
    table = Table(display=display, kind="csv", headers=[], path=path)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _unreadable(display, "csv", "文件是 UTF-16 编码，请另存为 UTF-8")
    if not _is_utf8(head, complete=size <= SNIFF):
        converted = transcode(path, workdir, table)
        if converted is None:
            return table
        table.path = converted
    return _finish_delimited(table, delimiter)


def _finish_delimited(table: Table, delimiter: str) -> Table:
    assert table.path is not None
    with open(table.path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        counter = _LineCounter(fh)
        try:
            table.headers = next(csv.reader(counter, delimiter=delimiter))
        except (StopIteration, csv.Error) as exc:
            table.readable = False
            table.notices.append(Notice("GC800", {"reason": f"读不出表头（{exc}）"}))
            return table
        table.header_lines = counter.lines
    table.headers = [h.strip() for h in table.headers]
    columns = ", ".join(f"'c{i + 1}': 'VARCHAR'" for i in range(len(table.headers)))
    table.relation = (f"read_csv({_quote(str(table.path))}, header=true, delim={_quote(delimiter)}, quote='\"', "
                      f"escape='\"', auto_detect=false, columns={{{columns}}}, ignore_errors=true, store_rejects=true, "
                      f"max_line_size={MAX_LINE}, buffer_size={BUFFER}, parallel=true)")
    return table


class _LineCounter:
    """Lines handed to the csv module, so the header's physical line count is known."""

    def __init__(self, fh: io.TextIOBase) -> None:
        self.fh, self.lines = fh, 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.fh.readline()
        if not line:
            raise StopIteration
        self.lines += 1
        return line


def transcode(path: Path, workdir: Path, table: Table) -> Path | None:
    """A UTF-8 copy of a GBK/GB18030 (or mixed) file, line by line, with a GC801 notice saying so.
    Lines that are valid UTF-8 stay as they are; the others are decoded as GB18030 (GBK's superset)."""
    out = Path(tempfile.mkstemp(suffix=".csv", dir=workdir)[1])
    table.cleanup.append(out)
    utf8_lines, gbk_lines, bad_lines = 0, 0, 0
    gbk_samples: list[dict[str, Any]] = []
    bad_samples: list[dict[str, Any]] = []
    widest = "GBK"
    with open(path, "rb") as src, open(out, "wb") as dst:
        for number, raw in enumerate(src, start=1):
            try:
                raw.decode("utf-8")
                if not raw.isascii():
                    utf8_lines += 1
                dst.write(raw)
                continue
            except UnicodeDecodeError:
                pass
            try:
                try:
                    text = raw.decode("gbk")
                except UnicodeDecodeError:
                    text = raw.decode("gb18030")
                    widest = "GB18030"
                gbk_lines += 1
                if len(gbk_samples) < 5:
                    gbk_samples.append({"row": None, "line": number, "cell": None, "value": None})
            except UnicodeDecodeError:
                text = raw.decode("gb18030", errors="replace")
                bad_lines += 1
                if len(bad_samples) < 20:
                    bad_samples.append({"row": None, "line": number, "cell": None, "value": None})
            dst.write(text.encode("utf-8"))
    if gbk_lines and utf8_lines:
        table.notices.append(Notice("GC801", {"encoding": f"UTF-8 与 {widest} 混用", "detail": L(
            f"（{gbk_lines} 行为 {widest}，{utf8_lines} 行为 UTF-8；已逐行转换后检查）",
            f" ({gbk_lines} lines in {widest}, {utf8_lines} in UTF-8; converted line by line before checking)")},
            severity="error", count=gbk_lines, samples=gbk_samples))
    elif gbk_lines:
        table.notices.append(Notice("GC801", {"encoding": widest, "detail": L(
            f"（已按 {widest} 转换为 UTF-8 后检查）", f" (converted from {widest} to UTF-8 before checking)")},
            count=gbk_lines, samples=gbk_samples[:1]))
    if bad_lines:
        table.notices.append(Notice("GC801", {"encoding": L("无法识别的编码", "an unknown encoding"), "detail": L(
            f"（{bad_lines} 行既不是 UTF-8 也不是 GB18030，无法识别的字节已替换为 �）",
            f" ({bad_lines} lines are neither UTF-8 nor GB18030; undecodable bytes were replaced by �)")},
            severity="error", count=bad_lines, samples=bad_samples))
    return out


def L(zh: str, en: str) -> Any:
    from govcat.core.i18n import L10n

    return L10n(zh, en)


# --- xlsx and SQLite: staged as UTF-8 CSV --------------------------------------------------------------

def _cell_text(value: Any) -> str | None:
    from datetime import date, datetime, time

    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y%m%d%H%M%S") if (value.hour, value.minute, value.second) != (0, 0, 0) \
            else value.strftime("%Y%m%d")
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    if isinstance(value, time):
        return value.strftime("%H%M%S")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _stage(rows: Iterator[list[Any]], headers: list[str], workdir: Path, table: Table) -> None:
    out = Path(tempfile.mkstemp(suffix=".csv", dir=workdir)[1])
    table.cleanup.append(out)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_MINIMAL)
        writer.writerow([f"c{i + 1}" for i in range(len(headers))])
        width = len(headers)
        for row in rows:
            cells = [_cell_text(v) for v in row[:width]]
            cells += [None] * (width - len(cells))
            writer.writerow(["" if v is None else v for v in cells])
    table.path = out
    columns = ", ".join(f"'c{i + 1}': 'VARCHAR'" for i in range(width))
    table.relation = (f"read_csv({_quote(str(out))}, header=true, delim=',', quote='\"', escape='\"', "
                      f"auto_detect=false, columns={{{columns}}}, max_line_size={MAX_LINE}, buffer_size={BUFFER})")


def _workbook(path: Path, display: str, workdir: Path) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.sheet_names[0] if book.sheet_names else None
        if sheet is None:
            return _unreadable(display, "xlsx", "工作簿中没有工作表")
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for every kind of broken workbook
        return _unreadable(display, "xlsx", f"不是可读取的 xlsx 工作簿（{type(exc).__name__}: {exc}）")
    if not rows or not any(v not in (None, "") for v in rows[0]):
        return _unreadable(display, "xlsx", f"工作表“{sheet}”为空或第 1 行没有表头")
    headers = [str(v).strip() if v not in (None, "") else "" for v in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    table = Table(display=display, kind="xlsx", headers=headers, sheet=sheet)
    # Trailing empty rows are not data rows; empty rows in between are (they hold a record's place).
    body = rows[1:]
    while body and all(v in (None, "") for v in body[-1]):
        body.pop()
    _stage(iter(body), headers, workdir, table)
    return table


def _sqlite(spec: str, workdir: Path) -> Table:
    """`sqlite:///relative.db#table` or `sqlite:////absolute.db#table` (SQLAlchemy's spelling)."""
    rest, _, name = spec.partition("#")
    if not rest.startswith("sqlite:///") or not name:
        raise UsageError(f"{spec}：SQLite 数据应写成 sqlite:///文件.db#表名（绝对路径：sqlite:////路径）")
    file = Path(unquote(rest[len("sqlite:///"):])).resolve()
    display = spec
    if not file.is_file():
        raise UsageError(f"SQLite 数据库文件不存在：{file}")
    try:
        conn = sqlite3.connect(f"{file.as_uri()}?mode=ro", uri=True)
        try:
            cursor = conn.execute(f'SELECT * FROM "{name.replace(chr(34), chr(34) * 2)}"')
            headers = [d[0] for d in cursor.description]
            table = Table(display=display, kind="sqlite", headers=headers)
            _stage((list(r) for r in cursor), headers, workdir, table)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return _unreadable(display, "sqlite", f"无法读取 SQLite 表 {name}（{exc}）")
    return table


def describe_columns(con: Any, relation: str) -> list[str]:
    """The column names of a typed file (Parquet, JSON Lines) as DuckDB sees them."""
    return [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]


def default_workdir() -> Path:
    return Path(os.environ.get("TMPDIR") or tempfile.gettempdir())
