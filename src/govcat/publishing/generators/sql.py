"""SQL DDL: the catalog registry database, and on demand one resource's exchange table.

``generated/sql/registry.postgresql.sql`` and ``registry.sqlite.sql`` hold the registry database
that ``govcat load`` fills: the department registry, the update-frequency table, code sets and
their values, data elements, and the resources of every catalog with their items, keywords and
related codes.

This is our own generator over the table model below, with titles and enumerations read through
LinkML's SchemaView, not a wrapper of ``gen-sqltables``. The registry database is a relational
projection of the standard, not a table per class: a resource's classification, format, sharing,
opening and mount are single-valued objects and become columns of ``resources``
(``sharing_type``, ``opening_condition`` …), its items a child table, and the data elements and
code sets — slots and enums in the schema, data in the database — become rows. ``gen-sqltables``
maps one class to one table (Sharing and Opening as tables with surrogate ids), has nothing to say
about slots and enums as rows, and of what it would emit we would have to repair almost every line:
index order that changes between runs, comments from ``description`` only (the Chinese title is
lost) and the literal ``'None'`` where there is none, no CHECK constraints, ``TEXT`` keys, a
PostgreSQL ``CREATE TYPE`` per enum where SQLite gets a bare VARCHAR. Post-processing that costs
more than writing the ~100 lines of the model and the renderer.

Output is deterministic: tables in dependency order, columns and constraints in model order,
enumeration values in schema order, no dates. ``govcat_meta`` holds the standard version and a
schema version — a digest of the dialect-independent model (tables, columns, types, constraints
and enumeration values, not comments) — so a load detects a database created from other DDL.

Exchange tables (``x_<resource code>``, one per resource, the shared data table its items
describe) are printed on demand by ``govcat generate sql --resource CODE``, not written into
``generated/``: their number grows with the catalogs, and they are derived from catalogs, which
``generate --check`` does not track. Column names are the items' data-element slot names; an item
without a data element gets the positional name ``item_<n>`` (its Chinese name goes in the
comment). A transliteration would need a pinyin dependency and still be wrong for polyphones
(重庆 is Chongqing, not Zhongqing); a positional name is ASCII, stable while the items keep their
order, and honest about being unmapped. Types: the item's 数据类型 chooses the SQL type and the
element's 表示格式 (else the item's length and precision) its length; see ``column_type``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcat.publishing.generators import header

DIALECTS = ("postgresql", "sqlite")
OUTPUTS = {dialect: f"generated/sql/registry.{dialect}.sql" for dialect in DIALECTS}

# A column title: literal Chinese text, or (class, slot) / (class, None) resolved through SchemaView.
Title = str | tuple[str, str | None]


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | varchar | integer | boolean | date | real | timestamp
    title: Title
    length: int | None = None
    required: bool = False
    enum: str | None = None  # LinkML enum: CHECK (column IN (...)), VARCHAR(longest value)
    minimum: int | None = None  # CHECK (column >= minimum)


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str
    targets: tuple[str, ...]
    cascade: bool = False  # ON DELETE CASCADE
    deferred: bool = False  # checked at commit (self references, rows that arrive later in the load)


@dataclass(frozen=True)
class Table:
    name: str
    title: Title
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    unique: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    # A child collection is loaded as a whole per parent (these columns): when any of a parent's
    # rows differ, its rows are replaced, so reordering never trips a unique constraint mid-way.
    parent: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


RESOURCE_CODE_LENGTH = 16  # 类1 项2 目3 细目3 / 顺序码6
DIGEST_LENGTH = 40  # BLAKE2b-160 in hex
PATH_LENGTH = 1024  # a catalog file's path (PATH_MAX is 4096; a repository's paths are far shorter)
COMMIT_LENGTH = 64  # a git object name (SHA-1: 40, SHA-256: 64)
# The rates of `govcat report` (publishing/metrics.RATES, in its order): metric_snapshots keeps each
# as numerator and denominator, so totals add up as they do in the report.
METRIC_RATES = (("mapping", "数据元映射率"), ("mount", "挂接率"), ("sharing", "共享率"), ("opening", "开放率"),
                ("timeliness", "更新及时率"))
CREDIT_CODE_LENGTH = 18  # GB 32100
ELEMENT_ID_LENGTH = 7  # DE + 5 digits
NAME_LENGTH = 64  # ASCII names of enums and slots
CODE_LENGTH = 64  # a code value (the longest today is 8 characters)
ALIAS_LENGTH = 200

_RESOURCE_FK = ForeignKey(("resource_code",), "resources", ("code",), cascade=True)

REGISTRY: tuple[Table, ...] = (
    Table("govcat_meta", "目录库元数据（标准版本、结构版本）", (
        Column("key", "varchar", "键", length=NAME_LENGTH, required=True),
        Column("value", "text", "值", required=True),
    ), ("key",)),
    Table("update_frequencies", "更新周期标准", (
        Column("value", "varchar", ("InformationResource", "update_frequency"), required=True,
               enum="UpdateFrequency"),
        Column("code", "varchar", "英文代码", length=NAME_LENGTH, required=True),
        Column("rank", "integer", "频繁程度排序（越小越频繁）", required=True),
        Column("max_interval_days", "integer", "最大更新间隔（天）"),
        Column("grace_days", "integer", "宽限天数", required=True),
        Column("eu_frequency", "varchar", "DCAT-AP 更新频率", length=NAME_LENGTH),
        Column("dcmi", "varchar", "DCMI 更新频率", length=NAME_LENGTH),
        Column("iso8601", "varchar", "ISO 8601 重复间隔", length=NAME_LENGTH),
    ), ("value",)),
    Table("departments", ("Registry", None), (
        Column("code", "varchar", ("Department", "code"), length=CREDIT_CODE_LENGTH, required=True),
        Column("name", "text", ("Department", "name"), required=True),
        Column("short_name", "text", ("Department", "short_name")),
        Column("level", "varchar", ("Department", "level"), required=True, enum="DepartmentLevel"),
        Column("division", "varchar", ("Department", "division"), length=6, required=True),
        # No foreign key: the registry's rules check the parent's checksum, not that it is registered.
        Column("parent", "varchar", ("Department", "parent"), length=CREDIT_CODE_LENGTH),
    ), ("code",)),
    Table("code_sets", "代码集", (
        Column("name", "varchar", "代码集名称", length=NAME_LENGTH, required=True),
        Column("title", "text", "中文名称", required=True),
        Column("description", "text", "说明"),
        Column("standard", "text", "依据标准"),
        Column("source", "text", "数据来源"),
        Column("data_vintage", "text", "数据版本"),
    ), ("name",)),
    Table("code_values", "代码集的代码值", (
        Column("code_set", "varchar", "代码集名称", length=NAME_LENGTH, required=True),
        Column("code", "varchar", "代码", length=CODE_LENGTH, required=True),
        Column("title", "text", "名称"),
        Column("description", "text", "说明"),
        Column("deprecated", "text", "废止说明（空为现行代码）"),
        Column("position", "integer", "顺序", required=True, minimum=1),
    ), ("code_set", "code"),
        foreign_keys=(ForeignKey(("code_set",), "code_sets", ("name",), cascade=True),),
        parent=("code_set",)),
    Table("data_elements", "数据元", (
        Column("id", "varchar", "内部标识符", length=ELEMENT_ID_LENGTH, required=True),
        Column("slot", "varchar", "英文名称", length=NAME_LENGTH, required=True),
        Column("title", "text", "中文名称", required=True),
        Column("short_name", "varchar", "标识符（拼音首字母）", length=NAME_LENGTH),
        Column("description", "text", "说明"),
        Column("data_type", "varchar", "数据类型", enum="DataType"),
        Column("format", "varchar", "表示格式", length=32),
        Column("chars", "varchar", "表示格式的字符类型（a、n、an、c）", length=2),
        Column("fixed_length", "integer", "固定长度", minimum=1),
        Column("max_length", "integer", "最大长度", minimum=1),
        Column("scale", "integer", "小数位数", minimum=0),
        Column("code_set", "varchar", "值域代码集", length=NAME_LENGTH),
        Column("value_domain", "text", "值域"),
        Column("unit", "text", "计量单位"),
        Column("pattern", "text", "正则表达式"),
        Column("category", "text", "分类"),
        Column("sensitivity", "text", "敏感级别"),
        Column("steward", "text", "权威来源部门"),
        Column("checksum", "varchar", "校验算法", length=NAME_LENGTH),
        Column("status", "text", "状态"),
        Column("replaced_by", "varchar", "替代数据元", length=ELEMENT_ID_LENGTH),
    ), ("id",), unique=(("slot",),), foreign_keys=(
        ForeignKey(("code_set",), "code_sets", ("name",)),
        ForeignKey(("replaced_by",), "data_elements", ("id",), deferred=True),
    )),
    Table("data_element_aliases", "数据元同义名称", (
        Column("element_id", "varchar", "内部标识符", length=ELEMENT_ID_LENGTH, required=True),
        Column("alias", "varchar", "同义名称", length=ALIAS_LENGTH, required=True),
    ), ("element_id", "alias"),
        foreign_keys=(ForeignKey(("element_id",), "data_elements", ("id",), cascade=True),),
        parent=("element_id",)),
    Table("resources", ("InformationResource", None), (
        Column("code", "varchar", ("InformationResource", "code"), length=RESOURCE_CODE_LENGTH, required=True),
        Column("provider_code", "varchar", ("Provider", "code"), length=CREDIT_CODE_LENGTH, required=True),
        Column("name", "varchar", ("InformationResource", "name"), length=100, required=True),
        Column("classification_class", "varchar", ("Classification", "class"), required=True,
               enum="ResourceClass"),
        Column("classification_item", "varchar", ("Classification", "item"), required=True,
               enum="ResourceItem"),
        Column("internal_department", "text", ("InformationResource", "internal_department")),
        Column("summary", "varchar", ("InformationResource", "summary"), length=1000, required=True),
        Column("format_category", "varchar", ("ResourceFormat", "category"), required=True,
               enum="FormatCategory"),
        Column("format_type", "varchar", ("ResourceFormat", "type"), required=True, enum="FormatType"),
        Column("sharing_type", "varchar", ("Sharing", "type"), required=True, enum="SharingType"),
        Column("sharing_condition", "text", ("Sharing", "condition")),
        Column("sharing_basis", "text", ("Sharing", "basis")),
        Column("sharing_method", "varchar", ("Sharing", "method"), required=True, enum="SharingMethod"),
        Column("sharing_method_type", "varchar", ("Sharing", "method_type"), enum="SharingMethodType"),
        Column("opening_type", "varchar", ("Opening", "type"), required=True, enum="OpeningType"),
        Column("opening_condition", "text", ("Opening", "condition")),
        Column("update_frequency", "varchar", ("InformationResource", "update_frequency"), required=True,
               enum="UpdateFrequency"),
        Column("update_frequency_note", "text", ("InformationResource", "update_frequency_note")),
        Column("published_on", "date", ("InformationResource", "published_on"), required=True),
        Column("last_updated_on", "date", ("InformationResource", "last_updated_on")),
        Column("security_level", "varchar", ("InformationResource", "security_level"), enum="SecurityLevel"),
        Column("source_system", "text", ("InformationResource", "source_system")),
        Column("mount_kind", "varchar", ("Mount", "kind"), enum="MountKind"),
        Column("mount_status", "varchar", ("Mount", "status"), enum="MountStatus"),
        Column("mount_endpoint", "text", ("Mount", "endpoint")),
        Column("catalog_file", "text", "目录文件（相对提供方名录所在目录）", required=True),
    ), ("code",), foreign_keys=(
        # Deferred, like every reference from a catalog's rows to the registry and the standard: a
        # load streams the catalogs' rows as they are validated and writes those tables at the end.
        ForeignKey(("provider_code",), "departments", ("code",), deferred=True),
        ForeignKey(("update_frequency",), "update_frequencies", ("value",), deferred=True),
    ), indexes=(("provider_code",), ("catalog_file",))),
    Table("resource_keywords", ("InformationResource", "keywords"), (
        Column("resource_code", "varchar", ("InformationResource", "code"), length=RESOURCE_CODE_LENGTH,
               required=True),
        Column("position", "integer", "序号", required=True, minimum=1),
        Column("keyword", "text", ("InformationResource", "keywords"), required=True),
    ), ("resource_code", "position"), foreign_keys=(_RESOURCE_FK,), parent=("resource_code",)),
    Table("resource_relations", ("InformationResource", "related_codes"), (
        Column("resource_code", "varchar", ("InformationResource", "code"), length=RESOURCE_CODE_LENGTH,
               required=True),
        Column("related_code", "varchar", ("InformationResource", "related_codes"), length=RESOURCE_CODE_LENGTH,
               required=True),
    ), ("resource_code", "related_code"), foreign_keys=(
        _RESOURCE_FK,
        ForeignKey(("related_code",), "resources", ("code",), cascade=True, deferred=True),
    ), indexes=(("related_code",),), parent=("resource_code",)),
    Table("items", ("InformationItem", None), (
        Column("resource_code", "varchar", ("InformationResource", "code"), length=RESOURCE_CODE_LENGTH,
               required=True),
        Column("position", "integer", "序号", required=True, minimum=1),
        Column("name", "text", ("InformationItem", "name"), required=True),
        Column("element_id", "varchar", ("InformationItem", "element"), length=ELEMENT_ID_LENGTH),
        Column("data_type", "varchar", ("InformationItem", "data_type"), required=True, enum="DataType"),
        Column("length", "integer", ("InformationItem", "length"), minimum=1),
        Column("precision", "integer", ("InformationItem", "precision"), minimum=0),
        Column("is_key", "boolean", ("InformationItem", "is_key"), required=True),
        Column("sensitive", "boolean", ("InformationItem", "sensitive")),
        Column("description", "text", ("InformationItem", "description")),
    ), ("resource_code", "position"), unique=(("resource_code", "name"),), foreign_keys=(
        _RESOURCE_FK,
        ForeignKey(("element_id",), "data_elements", ("id",), deferred=True),
    ), indexes=(("element_id",),), parent=("resource_code",)),
    Table("catalog_files", "已装入的目录文件（增量装入：内容未变的文件不重写）", (
        Column("catalog_file", "varchar", "目录文件（相对提供方名录所在目录）", length=PATH_LENGTH, required=True),
        Column("provider_code", "varchar", ("Provider", "code"), length=CREDIT_CODE_LENGTH),
        Column("digest", "varchar", "文件内容与装入格式的摘要（BLAKE2b）", length=DIGEST_LENGTH, required=True),
    ), ("catalog_file",)),
    Table("metric_snapshots", "合规指标快照（每次装入记录一次：判定日期、提交、部门）", (
        Column("as_of", "date", "判定日期", required=True),
        Column("git_commit", "varchar", "目录仓库的 git 提交（不在 git 仓库中时为空字符串）", length=COMMIT_LENGTH,
               required=True),
        Column("provider_code", "varchar", ("Provider", "code"), length=CREDIT_CODE_LENGTH, required=True),
        Column("department_name", "text", "部门名称（快照时）", required=True),
        Column("resources", "integer", "信息资源数", required=True, minimum=0),
        Column("items", "integer", "信息项数", required=True, minimum=0),
        *(column for key, title in METRIC_RATES for column in (
            Column(f"{key}_numerator", "integer", f"{title}的分子", required=True, minimum=0),
            Column(f"{key}_denominator", "integer", f"{title}的分母", required=True, minimum=0))),
        Column("errors", "integer", "错误数", required=True, minimum=0),
        Column("warnings", "integer", "警告数", required=True, minimum=0),
        Column("infos", "integer", "提示数", required=True, minimum=0),
        Column("data_quality", "real", "数据质量（govcat data check 记录的得分均值，0–1；未检查为空）"),
        Column("recorded_at", "timestamp", "记录时间（UTC）", required=True),
    ), ("as_of", "git_commit", "provider_code"), indexes=(("provider_code", "as_of"),)),
)
TABLES = {table.name: table for table in REGISTRY}


# --- rendering ---------------------------------------------------------------------------------

def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def comment_text(value: str) -> str:
    """Text safe inside a ``--`` comment or a COMMENT literal: no line breaks or control characters."""
    return _CONTROL.sub(" ", value).strip()


@dataclass(frozen=True)
class Resolved:
    """The model with titles and enumeration values looked up in the schema."""

    titles: dict[str, str]  # "table" and "table.column" -> Chinese title
    enums: dict[str, list[str]]  # enum name -> permissible values in schema order
    standard_version: str


def resolve(view: Any) -> Resolved:
    def title(ref: Title) -> str:
        if isinstance(ref, str):
            return ref
        class_name, slot = ref
        if slot is None:
            return str(view.get_class(class_name).title)
        return str(view.induced_slot(slot, class_name).title)

    titles: dict[str, str] = {}
    enums: dict[str, list[str]] = {}
    for table in REGISTRY:
        titles[table.name] = title(table.title)
        for column in table.columns:
            titles[f"{table.name}.{column.name}"] = title(column.title)
            if column.enum:
                enums[column.enum] = [str(v) for v in view.get_enum(column.enum).permissible_values]
    return Resolved(titles, enums, str(view.schema.version))


def _length(column: Column, enums: dict[str, list[str]]) -> int | None:
    if column.enum:
        return max(len(v) for v in enums[column.enum])
    return column.length


def schema_version(enums: dict[str, list[str]]) -> str:
    """A digest of the dialect-independent model: what a database created from this DDL contains."""
    model = [{
        "name": t.name, "primary_key": t.primary_key, "unique": t.unique, "indexes": t.indexes,
        "foreign_keys": [[fk.columns, fk.table, fk.targets, fk.cascade, fk.deferred] for fk in t.foreign_keys],
        "columns": [[c.name, c.kind, _length(c, enums), c.required, enums.get(c.enum or ""), c.minimum]
                    for c in t.columns],
    } for t in REGISTRY]
    canonical = json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def _type(column: Column, enums: dict[str, list[str]], dialect: str) -> str:
    if column.kind == "varchar":
        return f"VARCHAR({_length(column, enums)})"
    if column.kind == "timestamp":  # SQLite has no time type: ISO 8601 text, which sorts in time order
        return "TIMESTAMP WITH TIME ZONE" if dialect == "postgresql" else "TEXT"
    return {"text": "TEXT", "integer": "INTEGER", "boolean": "BOOLEAN", "date": "DATE",
            "real": "DOUBLE PRECISION" if dialect == "postgresql" else "REAL"}[column.kind]


def one_of(column: str, values: list[str], dialect: str) -> str:
    """A column limited to a list of values. SQLite builds a temporary index for an ``IN (…)`` list
    each time a CHECK is evaluated, which made half the cost of loading a province (110,000 rows a
    second; 175,000 with comparisons): there the list is a chain of comparisons, alike for NULL."""
    if dialect == "sqlite":
        return " OR ".join(f"{column} = {value}" for value in values)
    return f"{column} IN ({', '.join(values)})"


def _checks(table: Table, dialect: str, enums: dict[str, list[str]]) -> list[tuple[str, str]]:
    checks = []
    for column in table.columns:
        name = f"{table.name}_{column.name}_check"
        if column.enum:
            checks.append((name, one_of(column.name, [quote_literal(v) for v in enums[column.enum]], dialect)))
        elif column.minimum is not None:
            checks.append((name, f"{column.name} >= {column.minimum}"))
        elif dialect == "sqlite" and column.kind == "boolean":
            checks.append((name, one_of(column.name, ["0", "1"], dialect)))
        elif dialect == "sqlite" and column.kind == "date":
            # SQLite has no date type: keep real YYYY-MM-DD dates only (date() normalises 02-30).
            checks.append((name, f"{column.name} IS date({column.name}, '+0 days')"))
    return checks


def _create_table(table: Table, dialect: str, resolved: Resolved) -> list[str]:
    titles, enums = resolved.titles, resolved.enums
    parts: list[tuple[str, str | None]] = []  # (definition, SQLite comment)
    for column in table.columns:
        definition = f"{column.name} {_type(column, enums, dialect)}"
        if column.required:
            definition += " NOT NULL"
        if column.kind == "boolean" and column.required:
            definition += " DEFAULT FALSE" if dialect == "postgresql" else " DEFAULT 0"
        parts.append((definition, titles[f"{table.name}.{column.name}"]))
    parts.append((f"CONSTRAINT {table.name}_pkey PRIMARY KEY ({', '.join(table.primary_key)})", None))
    for columns in table.unique:
        parts.append((f"CONSTRAINT {table.name}_{'_'.join(columns)}_key UNIQUE ({', '.join(columns)})", None))
    if dialect == "sqlite":  # PostgreSQL's come after every table (`foreign_keys`)
        parts.extend((_foreign_key(table, fk), None) for fk in table.foreign_keys)
    for name, condition in _checks(table, dialect, enums):
        parts.append((f"CONSTRAINT {name} CHECK ({condition})", None))

    table_title = comment_text(titles[table.name])
    first = f"CREATE TABLE {table.name} (" + (f"  -- {table_title}" if dialect == "sqlite" else "")
    lines = [first]
    for i, (definition, title) in enumerate(parts):
        comma = "," if i < len(parts) - 1 else ""
        note = f"  -- {comment_text(title)}" if dialect == "sqlite" and title else ""
        lines.append(f"    {definition}{comma}{note}")
    lines.append(");")
    for columns in table.indexes:
        lines.append(f"CREATE INDEX {table.name}_{'_'.join(columns)}_idx ON {table.name} ({', '.join(columns)});")
    if dialect == "postgresql":
        lines.append(f"COMMENT ON TABLE {table.name} IS {quote_literal(table_title)};")
        for column in table.columns:
            text = comment_text(titles[f"{table.name}.{column.name}"])
            lines.append(f"COMMENT ON COLUMN {table.name}.{column.name} IS {quote_literal(text)};")
    return lines


def _foreign_key(table: Table, fk: ForeignKey) -> str:
    clause = (f"CONSTRAINT {table.name}_{'_'.join(fk.columns)}_fkey FOREIGN KEY ({', '.join(fk.columns)}) "
              f"REFERENCES {fk.table} ({', '.join(fk.targets)})")
    if fk.cascade:
        clause += " ON DELETE CASCADE"
    if fk.deferred:
        clause += " DEFERRABLE INITIALLY DEFERRED"
    return clause


# Where the PostgreSQL DDL's foreign keys begin. They are added after the tables, as pg_dump does, so
# that the first load can fill the tables and then check each key once, by one join, instead of row by
# row ("Populating a Database" in the PostgreSQL manual); `split_foreign_keys` finds them.
FOREIGN_KEYS = "-- 外键：建表之后添加（首次装入时在数据写入之后添加，每个外键整体校验一次）"


def split_foreign_keys(ddl: str) -> tuple[str, str]:
    """The PostgreSQL DDL without its foreign keys, and the statements that add them ("" for SQLite)."""
    head, marker, tail = ddl.partition(FOREIGN_KEYS)
    if not marker:
        return ddl, ""
    meta = tail.index("INSERT INTO govcat_meta")
    return head + tail[meta:], tail[:meta]


def registry_ddl(dialect: str, resolved: Resolved) -> str:
    version = schema_version(resolved.enums)
    how = ("手工建库：psql -v ON_ERROR_STOP=1 --single-transaction -f registry.postgresql.sql"
           if dialect == "postgresql" else
           "手工建库：sqlite3 govcat.db < registry.sqlite.sql；外键需要每个连接执行 PRAGMA foreign_keys = ON")
    name = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[dialect]
    lines = [
        f"-- {header('sql')}",
        f"-- 政务数据目录库（{name}）：提供方名录、更新周期、代码集、数据元、信息资源与信息项。",
        f"-- 标准版本 {resolved.standard_version}，结构版本 {version}。{how}；`govcat load` 会在空库中自动建库。",
    ]
    for table in REGISTRY:
        lines.append("")
        lines.extend(_create_table(table, dialect, resolved))
    if dialect == "postgresql":
        lines += ["", FOREIGN_KEYS]
        lines += [f"ALTER TABLE {table.name} ADD {_foreign_key(table, fk)};"
                  for table in REGISTRY for fk in table.foreign_keys]
    lines += [
        "",
        "INSERT INTO govcat_meta (key, value) VALUES",
        f"    ('schema_version', {quote_literal(version)}),",
        f"    ('standard_version', {quote_literal(resolved.standard_version)});",
    ]
    return "\n".join(lines) + "\n"


def generate(root: Path) -> dict[str, str]:
    from govcat.publishing.generators import schema_view

    resolved = resolve(schema_view(root / "schema" / "govcat.yaml"))
    return {OUTPUTS[dialect]: registry_ddl(dialect, resolved) for dialect in DIALECTS}


_META_ROW = re.compile(r"\('([a-z_]+)', '((?:[^']|'')*)'\)")


def ddl_meta(ddl: str) -> dict[str, str]:
    """The ``govcat_meta`` rows a registry DDL inserts (what a database created from it holds)."""
    statement = ddl[ddl.index("INSERT INTO govcat_meta"):]
    statement = statement[:statement.index(";")]
    return {key: value.replace("''", "'") for key, value in _META_ROW.findall(statement)}


# --- exchange tables ---------------------------------------------------------------------------

# Words PostgreSQL reserves, and SQLite keywords: an element slot named like one is quoted.
RESERVED = frozenset(["abort", "action", "add", "after", "all", "alter", "always", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "attach", "authorization", "autoincrement", "before", "begin", "between", "binary", "both", "by", "cascade", "case", "cast", "check", "collate", "collation", "column", "commit", "concurrently", "conflict", "constraint", "create", "cross", "current", "current_catalog", "current_date", "current_role", "current_schema", "current_time", "current_timestamp", "current_user", "database", "default", "deferrable", "deferred", "delete", "desc", "detach", "distinct", "do", "drop", "each", "else", "end", "escape", "except", "exclude", "exclusive", "exists", "explain", "fail", "false", "fetch", "filter", "first", "following", "for", "foreign", "freeze", "from", "full", "generated", "glob", "grant", "group", "groups", "having", "if", "ignore", "ilike", "immediate", "in", "index", "indexed", "initially", "inner", "insert", "instead", "intersect", "into", "is", "isnull", "join", "key", "last", "lateral", "leading", "left", "like", "limit", "localtime", "localtimestamp", "match", "materialized", "natural", "no", "not", "nothing", "notnull", "null", "nulls", "of", "offset", "on", "only", "or", "order", "others", "outer", "over", "overlaps", "partition", "placing", "plan", "pragma", "preceding", "primary", "query", "raise", "range", "recursive", "references", "regexp", "reindex", "release", "rename", "replace", "restrict", "returning", "right", "rollback", "row", "rows", "savepoint", "select", "session_user", "set", "similar", "some", "symmetric", "table", "tablesample", "temp", "temporary", "then", "ties", "to", "trailing", "transaction", "trigger", "true", "unbounded", "union", "unique", "update", "user", "using", "vacuum", "values", "variadic", "verbose", "view", "virtual", "when", "where", "window", "with", "without"])
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def identifier(name: str) -> str:
    return f'"{name}"' if name in RESERVED else name


def table_name(code: str) -> str:
    """A safe table name from a resource code: ``307001001/000001`` -> ``x_307001001_000001``."""
    return "x_" + re.sub(r"[^0-9A-Za-z]", "_", code).lower()


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def column_type(data_type: str | None, element: dict[str, Any] | None, item: dict[str, Any], dialect: str) -> str:
    """The SQL type of an item: 数据类型 picks the family, 表示格式 (else length/precision) the size.

    C 字符型 ``an18`` -> CHAR(18), ``c..50`` -> VARCHAR(50), ``c..ul`` -> TEXT; N 数值型
    ``n..18,4`` -> NUMERIC(18,4); Y 货币型 NUMERIC(p,2) unless the format gives a scale
    (NUMERIC(18,2) by default); I 整型 INTEGER, BIGINT beyond 9 digits; F 浮点型 and B 双精度型
    DOUBLE PRECISION (REAL's 6 significant digits would round the formats' values); D DATE;
    T TIMESTAMP; L BOOLEAN; M 备注型 TEXT; G 通用型 BYTEA (SQLite BLOB).
    """
    fixed = max_ = scale = None
    if element is not None:
        fixed, max_, scale = element.get("fixed_length"), element.get("max_length"), element.get("scale")
    elif _number(item.get("length")):
        max_, scale = _number(item.get("length")), _number(item.get("precision"))
    digits = max_ or fixed
    if data_type == "C":
        if fixed:
            return f"CHAR({fixed})"
        return f"VARCHAR({max_})" if max_ else "TEXT"
    if data_type in ("N", "Y"):
        if data_type == "Y" and scale is None:
            scale = 2
        if digits and scale is not None:
            return f"NUMERIC({max(digits, scale)},{scale})"
        if digits:
            return f"NUMERIC({digits})"
        return "NUMERIC(18,2)" if data_type == "Y" else "NUMERIC"
    if data_type == "I":
        return "BIGINT" if digits and digits > 9 else "INTEGER"
    simple = {"F": "DOUBLE PRECISION", "B": "DOUBLE PRECISION", "D": "DATE", "T": "TIMESTAMP",
              "L": "BOOLEAN", "M": "TEXT", "G": "BYTEA" if dialect == "postgresql" else "BLOB"}
    return simple.get(data_type or "", "TEXT")


def exchange_table(resource: dict[str, Any], provider: dict[str, Any], elements: dict[str, Any],
                   dialect: str) -> str:
    """The ``CREATE TABLE`` of one resource's shared data table, from its items."""
    code = str(resource.get("code"))
    table = table_name(code)
    columns: list[tuple[str, str, bool, str]] = []  # name, type, key, comment
    used: set[str] = set()
    items = [i for i in resource.get("items") or [] if isinstance(i, dict)]
    for position, item in enumerate(items, 1):
        element_id = item.get("element")
        element = elements.get(element_id) if isinstance(element_id, str) else None
        name = element["slot"] if element and _IDENTIFIER.match(element["slot"]) else f"item_{position:02d}"
        base, n = name, 2
        while name in used:  # two items on one element: the catalog is invalid, the DDL still runs
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        data_type = item.get("data_type") if isinstance(item.get("data_type"), str) else None
        item_name = str(item.get("name") or name)
        if element is None:
            comment = item_name
        elif element["title"] == item_name:
            comment = f"{item_name}（{element_id}）"
        else:
            comment = f"{item_name}（{element_id} {element['title']}）"
        columns.append((name, column_type(data_type or (element or {}).get("data_type"), element, item, dialect),
                        item.get("is_key") is True, comment_text(comment)))

    title = comment_text(f"{resource.get('name') or code}（{code}）")
    who = comment_text(f"{provider.get('name') or ''}（{provider.get('code') or ''}）")
    command = f"govcat generate sql --resource {comment_text(code)} --dialect {dialect}"
    lines = [f"-- 由 `{command}` 生成：{title}的共享数据交换表，提供方 {who}。"]
    keys = [identifier(name) for name, _, key, _ in columns if key]
    parts = [(f"{identifier(name)} {sql_type}{' NOT NULL' if key else ''}", comment)
             for name, sql_type, key, comment in columns]
    if keys:
        parts.append((f"CONSTRAINT {table}_pkey PRIMARY KEY ({', '.join(keys)})", ""))
    lines.append(f"CREATE TABLE {table} (" + (f"  -- {title}" if dialect == "sqlite" else ""))
    for i, (definition, comment) in enumerate(parts):
        comma = "," if i < len(parts) - 1 else ""
        note = f"  -- {comment}" if dialect == "sqlite" and comment else ""
        lines.append(f"    {definition}{comma}{note}")
    lines.append(");")
    if dialect == "postgresql":
        lines.append(f"COMMENT ON TABLE {table} IS {quote_literal(title)};")
        for name, _, _, comment in columns:
            lines.append(f"COMMENT ON COLUMN {table}.{identifier(name)} IS {quote_literal(comment)};")
    return "\n".join(lines) + "\n"


def exchange_table_for(root: Path, code: str, dialect: str) -> str:
    """The exchange-table DDL of the resource ``code`` in the catalogs under ``root``."""
    from govcat import standard
    from govcat.checking.scope import discover
    from govcat.core.access import obj
    from govcat.core.errors import UsageError
    from govcat.core.paths import display
    from govcat.reading import loader

    if dialect not in DIALECTS:
        raise UsageError(f"未知的 SQL 方言：{dialect}；可选：{'、'.join(DIALECTS)}")
    catalogs = root / "catalogs"
    if not catalogs.is_dir():
        raise UsageError(f"找不到目录文件夹：{catalogs}")
    wanted = code.strip()
    std = standard.load(root / "generated")
    ws = discover([catalogs], None)
    for path in ws.catalogs:
        doc = loader.load(path, display(path, root), std)
        data = obj(doc.data)
        for resource in data.get("resources") or []:
            if isinstance(resource, dict) and resource.get("code") == wanted:
                return exchange_table(resource, obj(data.get("provider")), std.raw["elements"], dialect)
    raise UsageError(f"信息资源代码 {wanted} 不在任何目录中（已查找 {display(catalogs, Path.cwd())}）")
