"""`govcat load`: validated catalogs into the catalog registry database, in one transaction.

The database is an image of one workspace: after a load its tables hold exactly the department
registry, the standard (update frequencies, data elements from ``generated/standard.json``, code
sets from ``schema/code_sets/*.yaml``) and the resources of the catalogs loaded. A resource that
left the catalogs leaves the database; load the whole workspace (the default ``./catalogs``), not
one department's folder.

- Streamed: the load's transaction is open while the catalogs are validated; each catalog file's
  rows are made in the worker that reads it (`file_rows`, a product of the validation) and written
  as its validation finishes, so memory holds one file's rows at a time (`Loading`).
- Incremental: ``catalog_files`` keeps a digest of each loaded file; a file whose digest did not
  change is not even read for rows, so a department whose files did not change is not touched.
- Nothing is loaded from a workspace with an error-severity finding: the load is refused whole.
- One transaction per load, schema creation included: a load that fails or is killed half-way
  leaves the database as it was.
- Idempotent: a changed file's rows are compared with its rows in the database, and only the
  differences are written (INSERT / UPDATE / DELETE by primary key; a child collection such as a
  resource's items is replaced when any of its rows differ). A second load writes nothing.
- Bulk: new rows go in with COPY in PostgreSQL and batched INSERTs in SQLite; the first load into
  an empty PostgreSQL database adds the foreign keys after the rows (each checked once, by a join).
- History: every load records the metrics of `govcat report` per department in ``metric_snapshots``
  (SPEC §6.5), once per as-of date and commit.
- Parameterised SQL only: catalog text never becomes SQL text.
- SQLite through the standard library; PostgreSQL through psycopg 3, imported only when used.
- The schema is the generated DDL of the dialect (``generated/sql/registry.<dialect>.sql``); its
  ``govcat_meta`` rows (standard version, schema version) are compared with the database's, so a
  database created from another version of the standard is refused rather than half-fitted.

LinkML is never imported here: the load runs from the generated artifacts, like the validator.
"""

from __future__ import annotations

import contextlib
import queue
import re
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from govcat.checking import cache
from govcat.checking.outcome import Outcome
from govcat.checking.rules.base import Context
from govcat.checking.stage import Product
from govcat.core import paths
from govcat.core.document import Document
from govcat.core.errors import UsageError
from govcat.core.findings import Finding
from govcat.publishing import metrics
from govcat.publishing.generators.sql import METRIC_RATES, REGISTRY, TABLES, Table, ddl_meta, split_foreign_keys
from govcat.publishing.metrics import Dashboard, DepartmentMetrics, History, Metrics, Quality, Ratio, Snapshot
from govcat.standard import Standard

DEFAULT_DB = "build/govcat.db"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_LOCK_KEY = 0x676F76636174  # "govcat": concurrent loads into one PostgreSQL database take turns


class DatabaseError(UsageError):
    """The database cannot be used: bad URL, unreachable, another standard's schema, a failed write."""


class LoadRefused(UsageError):
    """The catalogs have errors: nothing is loaded."""

    def __init__(self, errors: list[Finding], report: Any) -> None:
        super().__init__(f"拒绝装入：{len(errors)} 个错误")
        self.errors = errors
        self.report = report


def sqlite_url(path: Path) -> str:
    """``sqlite:///relative/file.db`` or ``sqlite:////absolute/file.db`` (SQLAlchemy's spelling)."""
    return "sqlite:///" + path.as_posix()


@dataclass(frozen=True)
class Target:
    dialect: str
    location: str  # a file path (SQLite) or a connection URL (PostgreSQL)
    shown: str  # for messages: the URL without its password


def target(db_url: str | None) -> Target:
    """Which database a ``--db`` value names: a SQLite file path, ``sqlite:///…`` or ``postgresql://…``."""
    url = db_url if db_url is not None else DEFAULT_DB
    if not url.strip():
        raise DatabaseError("--db 不能为空：请给出 SQLite 文件路径或 postgresql://… 地址")
    match = _SCHEME.match(url)
    if match is None:
        return Target("sqlite", url, url)
    scheme = match[1].lower()
    if scheme == "sqlite":
        path = url[len(match[0]):]
        if not path.startswith("/") or path == "/":
            raise DatabaseError(f"SQLite 地址应为 sqlite:///相对路径 或 sqlite:////绝对路径：{url}")
        return Target("sqlite", path[1:], url)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        plain = "postgresql" + url[len(match[1]):]
        return Target("postgresql", plain, _mask(plain))
    raise DatabaseError(f"不支持的数据库地址：{scheme}://…；请使用 SQLite 文件路径、sqlite:///路径 或 postgresql://…")


def _mask(url: str) -> str:
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


# --- connections -------------------------------------------------------------------------------

class Session:
    """One connection, one transaction; the little SQL the load needs, in either dialect."""

    dialect: str
    mark: str  # the parameter placeholder
    errors: tuple[type[BaseException], ...]  # the driver's exceptions
    conn: Any

    def begin(self) -> None:
        raise NotImplementedError

    def script(self, ddl: str) -> None:
        raise NotImplementedError

    def has_table(self, name: str) -> bool:
        raise NotImplementedError

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        cur = self.conn.execute(sql, params)
        rows = [tuple(row) for row in cur.fetchall()]
        cur.close()
        return rows

    def write(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            cur = self.conn.cursor()
            cur.executemany(sql, rows)
            cur.close()

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """New rows, in bulk: batched parameterised INSERTs here, COPY in PostgreSQL."""
        marks = ", ".join(self.mark for _ in columns)
        self.write(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        self.conn.close()


class SQLiteSession(Session):
    dialect, mark, errors = "sqlite", "?", (sqlite3.Error,)

    def __init__(self, path: str) -> None:
        file = Path(path)
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"无法创建数据库所在的文件夹 {file.parent}：{exc.strerror or exc}") from None
        # Autocommit mode: the transaction is ours (BEGIN … COMMIT), never the module's implicit one.
        try:
            # check_same_thread off: a load writes from its writer thread, one thread at a time (Loading).
            self.conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
            self.conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise DatabaseError(f"无法打开 SQLite 数据库 {path}：{_first_line(exc)}") from None

    def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def script(self, ddl: str) -> None:
        # Statement by statement inside our transaction (executescript would commit first).
        statement = ""
        for line in ddl.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                self.conn.execute(statement)
                statement = ""

    def has_table(self, name: str) -> bool:
        return bool(self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")


class PostgresSession(Session):
    dialect, mark = "postgresql", "%s"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise DatabaseError("装入 PostgreSQL 需要 psycopg：pip install 'govcat[postgres]'") from None
        self.errors = (psycopg.Error,)
        try:
            self.conn = psycopg.connect(url, connect_timeout=10)
        except psycopg.Error as exc:
            raise DatabaseError(f"无法连接数据库 {_mask(url)}：{_first_line(exc)}") from None

    def begin(self) -> None:
        # psycopg opens the transaction with the first statement; the lock is released at its end.
        self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))

    def script(self, ddl: str) -> None:
        self.conn.execute(ddl)  # no parameters: sent as one simple query, many statements

    def has_table(self, name: str) -> bool:
        return self.query("SELECT to_regclass(%s)", (name,))[0][0] is not None

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        # COPY is the bulk path (several times INSERT's rate); psycopg sends each value as data, so
        # catalog text is never part of the statement.
        if not rows:
            return
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def connect(where: Target) -> Session:
    return SQLiteSession(where.location) if where.dialect == "sqlite" else PostgresSession(where.location)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- the wanted rows ---------------------------------------------------------------------------

Rows = dict[str, list[tuple[Any, ...]]]


def _str(value: Any) -> str | None:
    """Text as written (never stripped: it must round-trip unchanged); None when absent."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        return date.fromisoformat(value.strip()[:10])
    return None


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _schema_dir(std: Standard) -> Path:
    """The LinkML schema the standard was generated from (its code sets' titles and sources)."""
    own = (std.folder or Path(".")).parent / "schema"
    return own if own.is_dir() else paths.data_root() / "schema"


def code_sets(folder: Path) -> list[dict[str, Any]]:
    """The code-set enums of ``schema/code_sets/*.yaml`` as plain data, every scalar as written."""
    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # BaseLoader: '010' stays '010', 'NO' stays 'NO'
    found = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # BaseLoader builds no objects
        for name, enum in _obj(_obj(data).get("enums")).items():
            enum = _obj(enum)
            notes = _obj(enum.get("annotations"))
            values = [(code, _obj(pv)) for code, pv in _obj(enum.get("permissible_values")).items()]
            found.append({"name": name, "title": enum.get("title") or name, "description": enum.get("description"),
                          "standard": notes.get("standard"), "source": notes.get("source"),
                          "data_vintage": notes.get("data_vintage"), "values": values})
    return found


def reference_rows(departments: Mapping[str, Mapping[str, Any]], std: Standard) -> Rows:
    """The rows of the tables that do not come from the catalogs: the standard (update frequencies,
    data elements, code sets) and the department registry, by table, in column order."""
    rows: Rows = {name: [] for name in REFERENCE_TABLES}
    for value, f in std.frequencies.items():
        rows["update_frequencies"].append((value, f["code"], f["rank"], f["max_interval_days"], std.grace_days,
                                           f.get("eu_frequency"), f.get("dcmi"), f.get("iso8601")))

    for dept_code, dept in departments.items():  # the validator's table: the first of a repeated code
        rows["departments"].append((dept_code, _str(dept.get("name")), _str(dept.get("short_name")),
                                    _str(dept.get("level")), _str(dept.get("division")), _str(dept.get("parent"))))

    sets = code_sets(_schema_dir(std) / "code_sets")
    names = {s["name"] for s in sets}
    for s in sets:
        rows["code_sets"].append((s["name"], s["title"], s["description"], s["standard"], s["source"],
                                  s["data_vintage"]))
        for position, (code, pv) in enumerate(s["values"], 1):
            rows["code_values"].append((s["name"], code, pv.get("title"), pv.get("description"),
                                        pv.get("deprecated"), position))

    for key, e in std.raw["elements"].items():
        rows["data_elements"].append((
            key, e["slot"], e["title"], e.get("short_name"), e.get("description"), e.get("data_type"),
            e.get("format"), e.get("chars"), e.get("fixed_length"), e.get("max_length"), e.get("scale"),
            e["range"] if e.get("range") in names else None, e.get("value_domain"), e.get("unit"),
            e.get("pattern"), e.get("category"), e.get("sensitivity"), e.get("steward"), e.get("checksum"),
            e.get("status"), e.get("replaced_by")))
        for alias in sorted(set(e.get("aliases") or [])):
            rows["data_element_aliases"].append((key, alias))
    return rows


# --- a catalog file's rows, made where the file is read -------------------------------------------

# The tables a catalog file's rows go to, parents first, and those the registry and the standard fill.
CATALOG_TABLES = ("resources", "resource_keywords", "resource_relations", "items")
REFERENCE_TABLES = ("update_frequencies", "departments", "code_sets", "code_values", "data_elements",
                    "data_element_aliases")
# Part of every file's digest: change it when `file_rows` changes what it writes for the same file,
# and the next load writes every file again.
ROWS_FORMAT = "1"


class FileRows(NamedTuple):
    """What one catalog file puts in the database (a tuple: it is pickled from a worker per file)."""

    provider: str | None
    catalog_file: str
    rows: dict[str, list[tuple[Any, ...]]]  # CATALOG_TABLES -> rows in column order


def catalog_file(path: Path, registry_dir: Path | None) -> str:
    """How ``resources.catalog_file`` and ``catalog_files`` name a file: relative to the registry's
    folder when it lies under it, else its absolute path."""
    resolved = paths.real(path)  # never raises on a symlink loop (Path.resolve does in 3.11)
    if registry_dir is not None and resolved.is_relative_to(registry_dir):
        return resolved.relative_to(registry_dir).as_posix()
    return resolved.as_posix()


def file_rows(doc: Document, ctx: Context) -> FileRows:
    """The product `ROWS` of one catalog: its rows of every catalog table (engine.Settings.products)."""
    data = _obj(doc.data)
    provider = _str(_obj(data.get("provider")).get("code"))
    source = catalog_file(doc.path, ctx.registry_dir)
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in CATALOG_TABLES}
    for res in _list(data.get("resources")):
        if not isinstance(res, dict):
            continue
        code = _str(res.get("code"))
        cls, fmt = _obj(res.get("classification")), _obj(res.get("format"))
        sharing, opening, mount = _obj(res.get("sharing")), _obj(res.get("opening")), _obj(res.get("mount"))
        rows["resources"].append((
            code, provider, _str(res.get("name")), _str(cls.get("class")), _str(cls.get("item")),
            _str(res.get("internal_department")), _str(res.get("summary")),
            _str(fmt.get("category")), _str(fmt.get("type")),
            _str(sharing.get("type")), _str(sharing.get("condition")), _str(sharing.get("basis")),
            _str(sharing.get("method")), _str(sharing.get("method_type")),
            _str(opening.get("type")), _str(opening.get("condition")),
            _str(res.get("update_frequency")), _str(res.get("update_frequency_note")),
            _date(res.get("published_on")), _date(res.get("last_updated_on")),
            _str(res.get("security_level")), _str(res.get("source_system")),
            _str(mount.get("kind")), _str(mount.get("status")), _str(mount.get("endpoint")), source))
        for position, keyword in enumerate(_list(res.get("keywords")), 1):
            rows["resource_keywords"].append((code, position, _str(keyword)))
        for related in dict.fromkeys(_str(r) for r in _list(res.get("related_codes"))):
            rows["resource_relations"].append((code, related))
        for position, item in enumerate(_list(res.get("items")), 1):
            item = _obj(item)
            rows["items"].append((
                code, position, _str(item.get("name")), _str(item.get("element")), _str(item.get("data_type")),
                _int(item.get("length")), _int(item.get("precision")), item.get("is_key") is True,
                _bool(item.get("sensitive")), _str(item.get("description"))))
    return FileRows(provider, source, rows)


# --- applying the difference -------------------------------------------------------------------

@dataclass
class Changes:
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)

    def total(self, kind: str) -> int:
        return sum(getattr(self, kind).values())

    def add(self, kind: str, table: str, count: int) -> None:
        counts = getattr(self, kind)
        counts[table] = counts.get(table, 0) + count


def _stored(table: Table, rows: list[tuple[Any, ...]], dialect: str) -> list[tuple[Any, ...]]:
    """Rows in the form the database hands them back: SQLite keeps dates as text and booleans as 0/1."""
    if dialect != "sqlite":
        return rows
    kinds = [c.kind for c in table.columns]
    return [tuple(v.isoformat() if k == "date" and v is not None else
                  int(v) if k == "boolean" and v is not None else v for k, v in zip(kinds, row, strict=True))
            for row in rows]


def _key(table: Table, columns: tuple[str, ...]) -> list[int]:
    return [table.column_names.index(c) for c in columns]


def _where(table: Table, columns: tuple[str, ...], mark: str) -> str:
    return " AND ".join(f"{c} = {mark}" for c in columns)


def apply(session: Session, wanted: Rows, changes: Changes | None = None) -> Changes:
    """Make each table of ``wanted`` hold exactly the wanted rows, writing only what differs (the
    small tables: the standard, the registry, the list of loaded files)."""
    changes = changes if changes is not None else Changes()
    mark = session.mark
    plans: dict[str, tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]] = {}
    for table in REGISTRY:
        if table.name not in wanted:
            continue
        columns = ", ".join(table.column_names)
        current = session.query(f"SELECT {columns} FROM {table.name}")
        rows = _stored(table, wanted[table.name], session.dialect)
        if table.parent:  # a collection per parent: replace it whole when anything in it differs
            pk = _key(table, table.parent)
            old: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
            new: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
            for row in current:
                old.setdefault(tuple(row[i] for i in pk), []).append(row)
            for row in rows:
                new.setdefault(tuple(row[i] for i in pk), []).append(row)
            changed = [k for k in old.keys() | new.keys()
                       if sorted(old.get(k, []), key=repr) != sorted(new.get(k, []), key=repr)]
            deletes = [k for k in changed if k in old]
            inserts = [row for k in changed for row in new.get(k, [])]
            plans[table.name] = (deletes, inserts, [])
            changes.add("deleted", table.name, sum(len(old[k]) for k in deletes))
        else:
            pk = _key(table, table.primary_key)
            old_rows = {tuple(row[i] for i in pk): row for row in current}
            new_rows = {tuple(row[i] for i in pk): row for row in rows}
            deletes = [k for k in old_rows if k not in new_rows]
            inserts = [row for k, row in new_rows.items() if k not in old_rows]
            updates = [row for k, row in new_rows.items() if k in old_rows and old_rows[k] != row]
            plans[table.name] = (deletes, inserts, updates)
            changes.add("deleted", table.name, len(deletes))
            changes.add("updated", table.name, len(updates))
        changes.add("inserted", table.name, len(inserts))

    for table in reversed(REGISTRY):  # children first
        if table.name in plans:
            key = table.parent or table.primary_key
            session.write(f"DELETE FROM {table.name} WHERE {_where(table, key, mark)}",
                          sorted(plans[table.name][0], key=repr))
    for table in REGISTRY:  # parents first
        if table.name not in plans:
            continue
        _, inserts, updates = plans[table.name]
        session.insert(table.name, table.column_names, inserts)
        if updates:
            _update(session, table, updates)
    return changes


def _update(session: Session, table: Table, rows: list[tuple[Any, ...]]) -> None:
    mark = session.mark
    rest = [c for c in table.column_names if c not in table.primary_key]
    assignments = ", ".join(f"{c} = {mark}" for c in rest)
    pk, others = _key(table, table.primary_key), _key(table, tuple(rest))
    session.write(f"UPDATE {table.name} SET {assignments} WHERE {_where(table, table.primary_key, mark)}",
                  [tuple(row[i] for i in others) + tuple(row[i] for i in pk) for row in rows])


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    """Lists short enough for one ``IN (…)`` (SQLite allows 32,766 parameters; keep statements small)."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _select_in(session: Session, table: Table, column: str, values: list[Any]) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    columns = ", ".join(table.column_names)
    for chunk in _chunks(values):
        marks = ", ".join(session.mark for _ in chunk)
        found += session.query(f"SELECT {columns} FROM {table.name} WHERE {column} IN ({marks})", tuple(chunk))
    return found


# --- the load ----------------------------------------------------------------------------------

def registry_ddl(dialect: str, std: Standard | Path) -> str:
    """The registry DDL generated with the standard (beside its index, in `sql/`); ``std``: the
    standard, or the folder it was generated in."""
    folder = std if isinstance(std, Path) else (std.folder or Path("."))
    path = folder / "sql" / f"registry.{dialect}.sql"
    if not path.is_file():
        raise DatabaseError(f"缺少生成的建库语句 {path}：请先运行 govcat generate sql")
    return path.read_text(encoding="utf-8")


def _ensure_schema(session: Session, ddl: str, where: Target) -> str:
    """Check the database's schema, or create it; returns the statements still to run when this load
    created it (PostgreSQL's foreign keys, added once the rows are in), else ""."""
    expected = ddl_meta(ddl)
    if session.has_table("govcat_meta"):
        found = dict(session.query("SELECT key, value FROM govcat_meta"))
        if found != expected:
            raise DatabaseError(
                f"数据库 {where.shown} 由另一版本的标准创建（标准版本 {found.get('standard_version', '未知')}，"
                f"结构版本 {found.get('schema_version', '未知')}），当前为标准版本 {expected['standard_version']}，"
                f"结构版本 {expected['schema_version']}。请换用新的数据库，或删除旧库后重新装入。")
        return ""
    clashing = [t.name for t in REGISTRY if session.has_table(t.name)]
    if clashing:
        raise DatabaseError(f"数据库 {where.shown} 中已有表 {'、'.join(clashing)}，但没有 govcat_meta："
                            "它不是 govcat 目录库，或由早期版本创建。请换用新的数据库。")
    tables, foreign_keys = split_foreign_keys(ddl)
    session.script(tables)
    return foreign_keys


@dataclass
class Result:
    counts: dict[str, int]
    changes: Changes
    board: Dashboard  # the metrics recorded in metric_snapshots (with data quality, when recorded)


class Loading:
    """One `govcat load` in progress: one connection and one transaction from before the catalogs are
    validated until after, fed each changed file's rows as its validation finishes.

    The database keeps, per catalog file, a digest of its bytes and name (``catalog_files``). A file
    whose digest is unchanged is not read for rows at all; a changed or new file's rows (made in the
    validation's worker, `file_rows`) are compared with the rows it has in the database, and only the
    difference is written: new rows in bulk (COPY in PostgreSQL), changed rows updated, a resource's
    items, keywords and relations replaced when any of them differ. A department whose files did not
    change is not touched. A resource that disappears from a file is deleted at the end, unless
    another file took it (a resource may move between files and departments: it keeps its row).
    Nothing is committed until the whole validation is in and clean (`finish`); `abort` rolls back.

    The rows are written by a thread of their own, so that the database's work (SQLite's pages, the
    waits for PostgreSQL's COPY) goes on while this process receives the next files and runs the
    workspace stage; both release the GIL while they wait. It starts with the first rows, after the
    validation's workers were forked. Its queue is short: when the database is slower than the
    validation, the validation waits, and memory holds a few files' rows, whatever the province's size.
    """

    WRITE_AHEAD = 4  # files' rows queued for the writer thread

    def __init__(self, db_url: str | None, generated: Path, registry_dir: Path | None) -> None:
        """``generated``: the folder of the standard the catalogs are validated against (its DDL)."""
        self.where = target(db_url)
        ddl = registry_ddl(self.where.dialect, generated)
        self.registry_dir = registry_dir
        self.session = connect(self.where)
        self.changes = Changes()
        self.digests: dict[str, str] = {}  # catalog_file -> digest, for every file of this run
        self.providers: dict[str, str | None] = {}  # catalog_file -> provider, for the files read for rows
        self.leaving: list[tuple[str, str]] = []  # (resource code, catalog_file) gone from a changed file
        self.product = Product("rows", file_rows, cached=False, wanted=self.wants, take=self.take)
        self._queue: queue.Queue[FileRows | None] = queue.Queue(maxsize=self.WRITE_AHEAD)
        self._writer: threading.Thread | None = None
        # The writer's failure, raised in the validation's thread (at its next file, or when draining); it
        # stays set, so that after it the writer writes nothing more and only drains.
        self._error: BaseException | None = None
        try:
            self.session.begin()
            self.foreign_keys = _ensure_schema(self.session, ddl, self.where)
            files = TABLES["catalog_files"]
            self.stored = {row[0]: (row[1], row[2]) for row in self.session.query(
                f"SELECT {', '.join(files.column_names)} FROM {files.name}")}
            # An empty database takes every row as new: no comparison, no lookups.
            self.empty = not self.stored and not self.session.query("SELECT 1 FROM resources LIMIT 1")
        except self.session.errors as exc:
            self.abort()
            raise self._failed(exc) from None
        except BaseException:
            self.abort()
            raise

    def _failed(self, exc: BaseException) -> DatabaseError:
        return DatabaseError(f"装入 {self.where.shown} 失败，已回滚，数据库未改变：{_first_line(exc)}")

    def wants(self, path: Path) -> bool:
        """Whether a file must be read for rows: its digest differs from the one loaded last."""
        name = catalog_file(path, self.registry_dir)
        digest = cache.digest(ROWS_FORMAT, name, cache.file_digest(path))
        self.digests[name] = digest
        return self.stored.get(name, (None, None))[1] != digest

    def take(self, path: Path, made: FileRows) -> None:
        """A changed file's rows, as its validation finishes: queued for the writer thread."""
        self._raise()
        self.providers[made.catalog_file] = made.provider
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_all, name="govcat-load", daemon=True)
            self._writer.start()
        self._queue.put(made)  # waits while the writer is WRITE_AHEAD files behind

    def _write_all(self) -> None:
        while (made := self._queue.get()) is not None:
            if self._error is not None:
                continue  # after a failure the rest is only drained; the validation is told at its next file
            try:
                if self.empty:
                    for name in CATALOG_TABLES:
                        self.session.insert(name, TABLES[name].column_names, made.rows[name])
                        self.changes.add("inserted", name, len(made.rows[name]))
                else:
                    self._merge(made)
            except BaseException as exc:  # handed to the validation's thread, which raises it
                self._error = exc

    def _drain(self) -> None:
        """Wait for the writer thread to write what is queued, and stop it."""
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join()
            self._writer = None
        self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            exc = self._error
            if isinstance(exc, self.session.errors):
                raise self._failed(exc) from None
            raise exc

    def _merge(self, made: FileRows) -> None:
        session, dialect = self.session, self.session.dialect
        resources = TABLES["resources"]
        wanted = {row[0]: row for row in _stored(resources, made.rows["resources"], dialect)}
        # This file's rows, and rows of resources it now holds that another file held before.
        current = {row[0]: row for row in session.query(
            f"SELECT {', '.join(resources.column_names)} FROM resources WHERE catalog_file = {session.mark}",
            (made.catalog_file,))}
        current.update((row[0], row) for row in _select_in(session, resources, "code",
                                                           [c for c in wanted if c not in current]))
        self.leaving += [(code, made.catalog_file) for code in current if code not in wanted]
        inserts = [row for code, row in wanted.items() if code not in current]
        updates = [row for code, row in wanted.items() if code in current and current[code] != row]
        session.insert(resources.name, resources.column_names, inserts)
        if updates:
            _update(session, resources, updates)
        self.changes.add("inserted", "resources", len(inserts))
        self.changes.add("updated", "resources", len(updates))
        codes = list(wanted)
        for name in CATALOG_TABLES[1:]:
            table = TABLES[name]
            old: dict[Any, list[tuple[Any, ...]]] = {}
            new: dict[Any, list[tuple[Any, ...]]] = {}
            for row in _select_in(session, table, "resource_code", codes):
                old.setdefault(row[0], []).append(row)
            for row in _stored(table, made.rows[name], dialect):
                new.setdefault(row[0], []).append(row)
            changed = [code for code in codes if sorted(old.get(code, []), key=repr) != sorted(new.get(code, []), key=repr)]
            gone = [code for code in changed if code in old]
            session.write(f"DELETE FROM {name} WHERE resource_code = {session.mark}", [(code,) for code in gone])
            session.insert(name, table.column_names, [row for code in changed for row in new.get(code, [])])
            self.changes.add("deleted", name, sum(len(old[code]) for code in gone))
            self.changes.add("inserted", name, sum(len(new.get(code, [])) for code in changed))

    def finish(self, outcome: Outcome, as_of: date, commit: str | None) -> Result:
        """Refuse (``LoadRefused``, nothing written) when the run found errors; else write the
        standard and the registry, remove what left the catalogs, record the metrics snapshot and
        commit. The caller calls `abort` when this raises."""
        self._drain()
        errors = [f for f in outcome.report.findings if f.severity == "error"]
        if errors:
            raise LoadRefused(errors, outcome.report)
        session = self.session
        try:
            self._remove()
            apply(session, reference_rows(outcome.registry or {}, outcome.std), self.changes)
            loaded = [(name, self.providers[name] if name in self.providers else self.stored[name][0], digest)
                      for name, digest in self.digests.items()]
            apply(session, {"catalog_files": loaded}, self.changes)
            quality = _quality(session)
            board = metrics.dashboard(outcome, as_of, quality)
            self._snapshot(board, commit)
            if self.foreign_keys:
                session.script(self.foreign_keys)
            counts = {t.name: session.query(f"SELECT COUNT(*) FROM {t.name}")[0][0]
                      for t in REGISTRY if t.name != "govcat_meta"}
            session.commit()
        except session.errors as exc:
            raise self._failed(exc) from None
        session.close()
        return Result(counts, self.changes, board)

    def _remove(self) -> None:
        """Resources that left their file and were taken by no other, and every resource of a file
        that is gone; their items, keywords and relations go with them (ON DELETE CASCADE)."""
        session, mark = self.session, self.session.mark
        leaving = [(code, name) for code, name in self.leaving]
        for name in self.stored.keys() - self.digests.keys():
            leaving += [(row[0], name) for row in session.query(
                f"SELECT code FROM resources WHERE catalog_file = {mark}", (name,))]
        codes = [code for code, name in leaving if session.query(
            f"SELECT 1 FROM resources WHERE code = {mark} AND catalog_file = {mark}", (code, name))]
        if not codes:
            return
        for name in CATALOG_TABLES[1:]:
            self.changes.add("deleted", name, sum(session.query(
                f"SELECT COUNT(*) FROM {name} WHERE resource_code IN ({', '.join(mark for _ in chunk)})",
                tuple(chunk))[0][0] for chunk in _chunks(codes)))
        session.write(f"DELETE FROM resources WHERE code = {mark}", [(code,) for code in codes])
        self.changes.add("deleted", "resources", len(codes))

    def _snapshot(self, board: Dashboard, commit: str | None) -> None:
        """The metrics of this load in ``metric_snapshots``: one row per department for (as-of, commit),
        written only when they differ from the rows already there (a second load writes nothing)."""
        session, mark, table = self.session, self.session.mark, TABLES["metric_snapshots"]
        commit = commit or ""
        day = board.as_of.isoformat() if session.dialect == "sqlite" else board.as_of
        fresh = sorted(_stored(table, [(*snapshot_row(board.as_of, commit, d), None) for d in board.departments
                                       if d.code is not None], session.dialect), key=lambda row: row[2])
        measured = ", ".join(table.column_names[:-1])  # recorded_at differs from run to run: not compared
        current = session.query(f"SELECT {measured} FROM {table.name} WHERE as_of = {mark} AND git_commit = {mark} "
                                "ORDER BY provider_code", (day, commit))
        if current == [row[:-1] for row in fresh]:
            return
        session.write(f"DELETE FROM {table.name} WHERE as_of = {mark} AND git_commit = {mark}", [(day, commit)])
        now = datetime.now(UTC)
        recorded = now.isoformat(timespec="seconds") if session.dialect == "sqlite" else now
        session.insert(table.name, table.column_names, [(*row[:-1], recorded) for row in fresh])
        self.changes.add("deleted", table.name, len(current))
        self.changes.add("inserted", table.name, len(fresh))

    def abort(self) -> None:
        with contextlib.suppress(BaseException):  # what failed is being raised already
            self._drain()
        _rollback(self.session)
        with contextlib.suppress(Exception):
            self.session.close()


def history(db_url: str | None, since: date | None = None) -> History:
    """The metrics snapshots in a catalog database since ``since`` (every one when None), one per
    as-of date: of several loads on one date (several commits), the one recorded last. Empty when the
    database or the table does not exist yet."""
    where = target(db_url)
    if where.dialect == "sqlite" and not Path(where.location).is_file():
        return History(())
    table = TABLES["metric_snapshots"]
    session = connect(where)
    try:
        if not session.has_table(table.name):
            return History(())
        mark = session.mark
        start = since or date.min
        rows = session.query(
            f"SELECT {', '.join(table.column_names)} FROM {table.name} WHERE as_of >= {mark} "
            "ORDER BY as_of, recorded_at, git_commit, provider_code",
            (start.isoformat() if session.dialect == "sqlite" else start,))
    except session.errors as exc:
        raise DatabaseError(f"无法读取 {where.shown} 中的指标快照：{_first_line(exc)}") from None
    finally:
        _rollback(session)
        session.close()
    latest: dict[date, tuple[Any, str]] = {}  # as-of -> (recorded_at, commit) of its last snapshot
    for row in rows:
        day = row[0] if isinstance(row[0], date) else date.fromisoformat(str(row[0]))
        recorded = str(row[-1])
        if day not in latest or recorded >= str(latest[day][0]):
            latest[day] = (recorded, row[1])
    per: dict[date, dict[str, DepartmentMetrics]] = {day: {} for day in sorted(latest)}
    for row in rows:
        day = row[0] if isinstance(row[0], date) else date.fromisoformat(str(row[0]))
        if row[1] != latest[day][1]:
            continue
        counts = dict(zip(table.column_names, row, strict=True))
        ratios = {key: Ratio(counts[f"{key}_numerator"], counts[f"{key}_denominator"]) for key, _ in METRIC_RATES}
        found = {"error": counts["errors"], "warning": counts["warnings"], "info": counts["infos"]}
        m = Metrics.of(counts["resources"], counts["items"], ratios, {k: v for k, v in found.items() if v})
        quality = counts["data_quality"]
        per[day][counts["provider_code"]] = DepartmentMetrics(
            counts["provider_code"], counts["department_name"], None, True, m,
            None if quality is None else float(quality))
    return History(tuple(Snapshot(day, latest[day][1], dict(sorted(depts.items()))) for day, depts in per.items()))


def snapshot_row(as_of: date, commit: str, dept: DepartmentMetrics) -> tuple[Any, ...]:
    """A department's row of ``metric_snapshots``, without ``recorded_at``."""
    m = dept.metrics
    rates = [n for key, _ in METRIC_RATES for n in (m.ratio(key).numerator, m.ratio(key).denominator)]
    return (as_of, commit, dept.code, dept.name, m.resources, m.items, *rates, m.findings("error"),
            m.findings("warning"), m.findings("info"), dept.quality)


def _rollback(session: Session) -> None:
    with contextlib.suppress(Exception):  # the connection may be gone: the server rolls back on its own
        session.rollback()


# --- data quality (`govcat data check --record`) --------------------------------------------------

QUALITY_DDL = """CREATE TABLE IF NOT EXISTS data_quality (
  resource_code TEXT NOT NULL,
  as_of TEXT NOT NULL,
  provider_code TEXT,
  resource_name TEXT,
  engine TEXT NOT NULL,
  data TEXT NOT NULL,
  rows_checked BIGINT NOT NULL,
  errors INTEGER NOT NULL,
  warnings INTEGER NOT NULL,
  completeness REAL, conformity REAL, consistency REAL, uniqueness REAL, timeliness REAL,
  quality REAL,
  complete INTEGER NOT NULL,
  PRIMARY KEY (resource_code, as_of)
);"""
QUALITY_COLUMNS = ("resource_code", "as_of", "provider_code", "resource_name", "engine", "data", "rows_checked",
                   "errors", "warnings", "completeness", "conformity", "consistency", "uniqueness", "timeliness",
                   "quality", "complete")


def record_quality(db_url: str | None, summary: dict[str, Any]) -> str:
    """Store one data check's summary (`govcat.data.check.summary`): one row per resource and as-of date,
    replaced when checked again that day. Returns where it went."""
    where = target(db_url)
    if where.dialect == "sqlite":
        Path(where.location).parent.mkdir(parents=True, exist_ok=True)
    session = connect(where)
    try:
        session.begin()
        session.script(QUALITY_DDL)
        mark = session.mark
        session.write(f"DELETE FROM data_quality WHERE resource_code = {mark} AND as_of = {mark}",
                      [(summary["resource_code"], summary["as_of"])])
        session.write(f"INSERT INTO data_quality ({', '.join(QUALITY_COLUMNS)}) VALUES "
                      f"({', '.join([mark] * len(QUALITY_COLUMNS))})",
                      [tuple(int(v) if isinstance(v, bool) else v for v in (summary[c] for c in QUALITY_COLUMNS))])
        session.commit()
    except session.errors as exc:
        _rollback(session)
        raise DatabaseError(f"无法记录数据质量结果到 {where.shown}：{_first_line(exc)}") from None
    finally:
        session.close()
    return where.shown


_LATEST_QUALITY = ("SELECT q.provider_code, q.quality FROM data_quality q JOIN (SELECT resource_code, MAX(as_of) AS as_of "
                   "FROM data_quality GROUP BY resource_code) latest ON q.resource_code = latest.resource_code "
                   "AND q.as_of = latest.as_of WHERE q.quality IS NOT NULL")


def _quality(session: Session) -> Quality | None:
    """Each resource's latest recorded score, averaged per department and over all; None: none recorded."""
    if not session.has_table("data_quality"):
        return None
    rows = session.query(_LATEST_QUALITY)
    if not rows:
        return None
    per: dict[str, list[float]] = {}
    for code, value in rows:
        if code is not None:
            per.setdefault(str(code), []).append(float(value))
    scores = [float(value) for _, value in rows]
    return Quality({code: sum(v) / len(v) for code, v in sorted(per.items())}, sum(scores) / len(scores), len(scores))


def data_quality(db_url: str | None) -> Quality | None:
    """The data-quality results recorded in a catalog database (`govcat data check --record`), for
    `govcat report` and the dashboard; None when the database, the table or a result is missing."""
    where = target(db_url)
    if where.dialect == "sqlite" and not Path(where.location).is_file():
        return None
    session = connect(where)
    try:
        return _quality(session)
    except session.errors:
        return None
    finally:
        _rollback(session)
        session.close()


def quality_by_department(db_url: str | None) -> dict[str, float]:
    """Provider code -> the mean data quality of its resources (each resource's latest check);
    empty when the database or the table does not exist."""
    found = data_quality(db_url)
    return dict(found.departments) if found is not None else {}
