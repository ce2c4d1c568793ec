"""`govcat load`: validated catalogs into the catalog registry database, in one transaction.

The database is an image of one workspace: after a load its tables hold exactly the department
registry, the standard (update frequencies, data elements from ``generated/standard.json``, code
sets from ``schema/code_sets/*.yaml``) and the resources of the catalogs loaded. A resource that
left the catalogs leaves the database; load the whole workspace (the default ``./catalogs``), not
one department's folder.

- Nothing is loaded from a workspace with an error-severity finding: the load is refused whole.
- One transaction per load, schema creation included: a load that fails or is killed half-way
  leaves the database as it was.
- Idempotent: the wanted rows are compared with the rows in the database, and only the differences
  are written (INSERT / UPDATE / DELETE by primary key; a child collection such as a resource's
  items is replaced when any of its rows differ). A second load of the same catalogs writes nothing.
- Parameterised SQL only: catalog text never becomes SQL text.
- SQLite through the standard library; PostgreSQL through psycopg 3, imported only when used.
- The schema is the generated DDL of the dialect (``generated/sql/registry.<dialect>.sql``); its
  ``govcat_meta`` rows (standard version, schema version) are compared with the database's, so a
  database created from another version of the standard is refused rather than half-fitted.

LinkML is never imported here: the load runs from the generated artifacts, like the validator.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from govcat.checking.outcome import Outcome
from govcat.core import paths
from govcat.core.errors import UsageError
from govcat.core.findings import Finding
from govcat.publishing.generators.sql import REGISTRY, Table, ddl_meta
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
            self.conn = sqlite3.connect(path, isolation_level=None, timeout=30)
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


def wanted_rows(docs: list[Any], departments: dict[str, dict[str, Any]], registry_dir: Path | None,
                std: Standard) -> Rows:
    """Every row the database should hold after loading these documents, by table, in column order."""
    rows: Rows = {table.name: [] for table in REGISTRY if table.name != "govcat_meta"}

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

    for doc in docs:
        data = _obj(doc.data)
        provider = _str(_obj(data.get("provider")).get("code"))
        source = paths.real(doc.path).as_posix()
        if registry_dir is not None and paths.real(doc.path).is_relative_to(registry_dir):
            source = paths.real(doc.path).relative_to(registry_dir).as_posix()
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
    return rows


# --- applying the difference -------------------------------------------------------------------

@dataclass
class Changes:
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)

    def total(self, kind: str) -> int:
        return sum(getattr(self, kind).values())


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


def apply(session: Session, wanted: Rows) -> Changes:
    """Make every table hold exactly the wanted rows, writing only what differs."""
    changes = Changes()
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
            changes.deleted[table.name] = sum(len(old[k]) for k in deletes)
        else:
            pk = _key(table, table.primary_key)
            old_rows = {tuple(row[i] for i in pk): row for row in current}
            new_rows = {tuple(row[i] for i in pk): row for row in rows}
            deletes = [k for k in old_rows if k not in new_rows]
            inserts = [row for k, row in new_rows.items() if k not in old_rows]
            updates = [row for k, row in new_rows.items() if k in old_rows and old_rows[k] != row]
            plans[table.name] = (deletes, inserts, updates)
            changes.deleted[table.name] = len(deletes)
            changes.updated[table.name] = len(updates)
        changes.inserted[table.name] = len(inserts)

    for table in reversed(REGISTRY):  # children first
        if table.name in plans:
            key = table.parent or table.primary_key
            session.write(f"DELETE FROM {table.name} WHERE {_where(table, key, mark)}",
                          sorted(plans[table.name][0], key=repr))
    for table in REGISTRY:  # parents first
        if table.name not in plans:
            continue
        _, inserts, updates = plans[table.name]
        marks = ", ".join(mark for _ in table.columns)
        session.write(f"INSERT INTO {table.name} ({', '.join(table.column_names)}) VALUES ({marks})", inserts)
        if updates:
            rest = [c for c in table.column_names if c not in table.primary_key]
            assignments = ", ".join(f"{c} = {mark}" for c in rest)
            pk, others = _key(table, table.primary_key), _key(table, tuple(rest))
            session.write(f"UPDATE {table.name} SET {assignments} WHERE {_where(table, table.primary_key, mark)}",
                          [tuple(row[i] for i in others) + tuple(row[i] for i in pk) for row in updates])
    return changes


# --- the load ----------------------------------------------------------------------------------

def registry_ddl(dialect: str, std: Standard) -> str:
    """The registry DDL generated with the standard (beside its index, in `sql/`)."""
    path = (std.folder or Path(".")) / "sql" / f"registry.{dialect}.sql"
    if not path.is_file():
        raise DatabaseError(f"缺少生成的建库语句 {path}：请先运行 govcat generate sql")
    return path.read_text(encoding="utf-8")


def _ensure_schema(session: Session, ddl: str, where: Target) -> None:
    expected = ddl_meta(ddl)
    if session.has_table("govcat_meta"):
        found = dict(session.query("SELECT key, value FROM govcat_meta"))
        if found != expected:
            raise DatabaseError(
                f"数据库 {where.shown} 由另一版本的标准创建（标准版本 {found.get('standard_version', '未知')}，"
                f"结构版本 {found.get('schema_version', '未知')}），当前为标准版本 {expected['standard_version']}，"
                f"结构版本 {expected['schema_version']}。请换用新的数据库，或删除旧库后重新装入。")
        return
    clashing = [t.name for t in REGISTRY if session.has_table(t.name)]
    if clashing:
        raise DatabaseError(f"数据库 {where.shown} 中已有表 {'、'.join(clashing)}，但没有 govcat_meta："
                            "它不是 govcat 目录库，或由早期版本创建。请换用新的数据库。")
    session.script(ddl)


@dataclass
class Result:
    counts: dict[str, int]
    changes: Changes


def load_into(db_url: str | None, outcome: Outcome) -> Result:
    """Load what a validation run read (``engine.run(..., keep_documents=True)``) in one transaction.
    Raises ``LoadRefused`` when the run found errors: nothing is written then."""
    where = target(db_url)
    ddl = registry_ddl(where.dialect, outcome.std)
    errors = [f for f in outcome.report.findings if f.severity == "error"]
    if errors:
        raise LoadRefused(errors, outcome.report)
    wanted = wanted_rows(outcome.docs, outcome.registry or {}, outcome.registry_dir, outcome.std)

    session = connect(where)
    try:
        session.begin()
        _ensure_schema(session, ddl, where)
        changes = apply(session, wanted)
        counts = {name: session.query(f"SELECT COUNT(*) FROM {name}")[0][0] for name in wanted}
        session.commit()
    except session.errors as exc:
        _rollback(session)
        raise DatabaseError(f"装入 {where.shown} 失败，已回滚，数据库未改变：{_first_line(exc)}") from None
    except BaseException:
        _rollback(session)
        raise
    finally:
        session.close()
    return Result(counts, changes)


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


def quality_by_department(db_url: str | None) -> dict[str, float]:
    """Provider code -> the mean data quality of its resources (each resource's latest check);
    empty when the database or the table does not exist."""
    where = target(db_url)
    if where.dialect == "sqlite" and not Path(where.location).is_file():
        return {}
    session = connect(where)
    try:
        if not session.has_table("data_quality"):
            return {}
        rows = session.query(
            "SELECT q.provider_code, AVG(q.quality) FROM data_quality q JOIN (SELECT resource_code, MAX(as_of) AS as_of "
            "FROM data_quality GROUP BY resource_code) latest ON q.resource_code = latest.resource_code "
            "AND q.as_of = latest.as_of WHERE q.quality IS NOT NULL GROUP BY q.provider_code")
    except session.errors:
        return {}
    finally:
        session.close()
    return {str(code): float(value) for code, value in rows if code is not None and value is not None}
