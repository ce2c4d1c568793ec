"""The generated SQL: registry DDL snapshots and constraints, run on SQLite and a real PostgreSQL;
exchange-table DDL for every example resource; `govcat generate sql --resource` through the CLI."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml

from govcat.publishing.generators import sql
from tests.conftest import REPO, govcat
from tests.postgres import pg_db, pg_url  # noqa: F401

NOTICE = "-- 本文件由 `govcat generate sql` 生成，请勿手工编辑。"
CHECK_IN = re.compile(r"CONSTRAINT (\w+)_check CHECK \((\w+) IN \(('.*)\)\)")
# SQLite's form of the same check: a chain of comparisons (sql.one_of).
CHECK_OR = re.compile(r"CONSTRAINT (\w+)_check CHECK \(((\w+) = '.*)\),?$", re.M)




@pytest.fixture
def pg(request: pytest.FixtureRequest) -> str:
    """A fresh PostgreSQL database (``tests.postgres.pg_db``, imported above)."""
    return str(request.getfixturevalue("pg_db"))


@pytest.fixture(scope="module")
def view() -> Any:
    from linkml_runtime import SchemaView

    return SchemaView(str(REPO / "schema" / "govcat.yaml"))


@pytest.fixture(scope="module")
def generated(view: Any) -> dict[str, str]:
    resolved = sql.resolve(view)
    return {sql.OUTPUTS[dialect]: sql.registry_ddl(dialect, resolved) for dialect in sql.DIALECTS}


def _ddl(dialect: str) -> str:
    return (REPO / sql.OUTPUTS[dialect]).read_text(encoding="utf-8")


def _example_resources() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    found = []
    for path in sorted((REPO / "catalogs").glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found += [(res, data["provider"]) for res in data["resources"]]
    return found


def _elements() -> dict[str, Any]:
    import json

    return json.loads((REPO / "generated" / "standard.json").read_text(encoding="utf-8"))["elements"]


# --- the registry DDL ----------------------------------------------------------------------------

def test_registry_ddl_is_deterministic_and_committed(generated: dict[str, str]) -> None:
    # `generate()` in another process with another hash seed: set or dict order cannot leak into the output
    check = govcat("generate", "sql", "--check", cwd=REPO, env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert check.returncode == 0, check.stdout + check.stderr
    assert set(generated) == {"generated/sql/registry.postgresql.sql", "generated/sql/registry.sqlite.sql"}
    for rel, text in generated.items():
        assert text.splitlines()[0] == NOTICE
        assert (REPO / rel).read_text(encoding="utf-8") == text, f"{rel} is stale: run govcat generate sql"
        assert "None" not in text and "\r" not in text


def test_check_lists_equal_the_schema_enums(view: Any) -> None:
    for dialect in sql.DIALECTS:
        if dialect == "sqlite":
            found = {(m[3], m[1]): re.findall(r"= '((?:[^']|'')*)'", m[2]) for m in CHECK_OR.finditer(_ddl(dialect))}
            assert all(set(re.findall(r"(\w+) = '", m[2])) == {m[3]} for m in CHECK_OR.finditer(_ddl(dialect)))
        else:
            found = {(m[2], m[1]): re.findall(r"'((?:[^']|'')*)'", m[3]) for m in CHECK_IN.finditer(_ddl(dialect))}
        expected = {}
        for table in sql.REGISTRY:
            for column in table.columns:
                if column.enum:
                    expected[(column.name, f"{table.name}_{column.name}")] = list(
                        view.get_enum(column.enum).permissible_values)
        assert found == expected, dialect
    # the columns that hold enumerations are the ones the schema types with them
    assert expected[("sharing_type", "resources_sharing_type")] == ["无条件共享", "有条件共享", "不予共享"]
    assert len(expected[("update_frequency", "resources_update_frequency")]) == 9


def test_schema_version_follows_the_model(view: Any) -> None:
    resolved = sql.resolve(view)
    version = sql.schema_version(resolved.enums)
    assert sql.ddl_meta(_ddl("sqlite")) == sql.ddl_meta(_ddl("postgresql")) == {
        "schema_version": version, "standard_version": "1.0.0"}  # SemVer since the lifecycle (SPEC 6.1)
    changed = {**resolved.enums, "MountStatus": [*resolved.enums["MountStatus"], "挂接中"]}
    assert sql.schema_version(changed) != version


def _sqlite_with_registry() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.executescript(_ddl("sqlite"))
    return conn


def test_registry_ddl_runs_on_sqlite_with_keys_and_checks() -> None:
    conn = _sqlite_with_registry()
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == set(sql.TABLES)
        for table in sql.REGISTRY:
            info = conn.execute(f"PRAGMA table_info({table.name})").fetchall()
            pk = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]]
            assert tuple(pk) == table.primary_key, table.name
            assert all(r[2] != "TEXT" for r in info if r[5]), f"TEXT key in {table.name}"
            fks = {(r[2], r[3], r[4]) for r in conn.execute(f"PRAGMA foreign_key_list({table.name})")}
            assert fks == {(fk.table, c, t) for fk in table.foreign_keys
                           for c, t in zip(fk.columns, fk.targets, strict=True)}, table.name
        assert conn.execute("SELECT key, value FROM govcat_meta ORDER BY key").fetchall()[1] == (
            "standard_version", "1.0.0")
        conn.execute("INSERT INTO departments (code, name, level, division) "
                     "VALUES ('11330100MB0000012X', '示范市民政局', '市级', '330100')")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed: departments_level_check"):
            conn.execute("INSERT INTO departments (code, name, level, division) VALUES ('x', 'y', '乡级', '330100')")
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            conn.execute("INSERT INTO resource_keywords VALUES ('101001001/000001', 1, 'k')")
        with pytest.raises(sqlite3.IntegrityError, match="resources_published_on_check"):
            conn.execute(
                "INSERT INTO resources (code, provider_code, name, classification_class, classification_item, "
                "summary, format_category, format_type, sharing_type, sharing_method, opening_type, "
                "update_frequency, published_on, catalog_file) VALUES ('101001001/000001', '11330100MB0000012X', "
                "'名称', '基础信息资源', '人口', '摘要摘要摘要摘要摘要', '数据库', 'MySQL', '无条件共享', '共享平台', "
                "'不予开放', '每日', '2025-02-30', 'f.yaml')")
    finally:
        conn.close()


def test_registry_ddl_has_chinese_comments() -> None:
    sqlite_text, pg_text = _ddl("sqlite"), _ddl("postgresql")
    assert "    name VARCHAR(100) NOT NULL,  -- 信息资源名称" in sqlite_text
    assert "CREATE TABLE items (  -- 信息项" in sqlite_text
    assert "COMMENT ON COLUMN resources.sharing_type IS '共享类型';" in pg_text
    assert "COMMENT ON TABLE departments IS '提供方名录';" in pg_text
    assert "COMMENT ON" not in sqlite_text
    # every column of every table carries its Chinese title in both dialects
    for table in sql.REGISTRY:
        for column in table.columns:
            assert re.search(rf"COMMENT ON COLUMN {table.name}\.{column.name} IS '[^']*[\u4e00-\u9fff]", pg_text)


def test_registry_ddl_runs_on_postgresql(pg: str) -> None:
    with psycopg.connect(pg) as conn:
        conn.execute(_ddl("postgresql"))
        rows = conn.execute(
            "SELECT c.relname, tc.constraint_type, count(*) FROM information_schema.table_constraints tc "
            "JOIN pg_class c ON c.relname = tc.table_name WHERE tc.table_schema = 'public' "
            "GROUP BY 1, 2").fetchall()
        constraints = {(t, kind): n for t, kind, n in rows}
        for table in sql.REGISTRY:
            assert constraints[(table.name, "PRIMARY KEY")] == 1
            assert constraints.get((table.name, "FOREIGN KEY"), 0) == len(table.foreign_keys)
            assert constraints.get((table.name, "UNIQUE"), 0) == len(table.unique)
        comment = conn.execute("SELECT col_description('items'::regclass, 4)").fetchone()
        assert comment == ("关联数据元",)
        assert conn.execute("SELECT obj_description('code_values'::regclass)").fetchone() == ("代码集的代码值",)
        conn.execute("INSERT INTO departments VALUES ('11330100MB0000012X', '示范市民政局', NULL, '市级', "
                     "'330100', NULL)")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO update_frequencies VALUES ('每两天', 'X', 1, 2, 3, NULL, NULL, NULL)")


# --- exchange tables -----------------------------------------------------------------------------

@pytest.mark.parametrize(("data_type", "fmt", "item", "expected"), [
    ("C", "an18", {}, "CHAR(18)"),
    ("C", "c..50", {}, "VARCHAR(50)"),
    ("C", "an9..18", {}, "VARCHAR(18)"),
    ("C", "c..ul", {}, "TEXT"),
    ("N", "n..18,4", {}, "NUMERIC(18,4)"),
    ("N", "n..8", {}, "NUMERIC(8)"),
    ("Y", "n..18,4", {}, "NUMERIC(18,4)"),
    ("Y", None, {}, "NUMERIC(18,2)"),
    ("I", "n..8", {}, "INTEGER"),
    ("I", "n..10", {}, "BIGINT"),
    ("F", "n..15,3", {}, "DOUBLE PRECISION"),
    ("D", "n8", {}, "DATE"),
    ("T", "n14", {}, "TIMESTAMP"),
    ("L", "n1", {}, "BOOLEAN"),
    ("M", "c..4000", {}, "TEXT"),
    ("C", None, {"length": 30}, "VARCHAR(30)"),
    ("N", None, {"length": 10, "precision": 2}, "NUMERIC(10,2)"),
    ("C", None, {}, "TEXT"),
])
def test_exchange_column_types(data_type: str, fmt: str | None, item: dict[str, Any], expected: str) -> None:
    from govcat.publishing.generators.standard_index import parse_format

    element = {**parse_format(fmt), "data_type": data_type} if fmt else None
    assert sql.column_type(data_type, element, item, "postgresql") == expected
    assert sql.column_type("G", None, {}, "sqlite") == "BLOB"


def test_exchange_tables_of_every_example_resource_run_on_sqlite_and_postgresql(pg: str) -> None:
    examples = _example_resources()
    assert len(examples) >= 60
    elements = _elements()
    conn = sqlite3.connect(":memory:")
    try:
        with psycopg.connect(pg) as server:
            for res, provider in examples:
                name = sql.table_name(res["code"])
                assert re.fullmatch(r"x_[0-9]{6}([0-9]{3})?_[0-9]{6}", name)
                conn.executescript(sql.exchange_table(res, provider, elements, "sqlite"))
                server.execute(sql.exchange_table(res, provider, elements, "postgresql"))
                columns = conn.execute(f"PRAGMA table_info({name})").fetchall()
                assert len(columns) == len(res["items"]), res["code"]
                keys = [elements[i["element"]]["slot"] for i in res["items"] if i.get("is_key")]
                assert [c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5]] == keys, res["code"]
                assert all(c[3] == 1 for c in columns if c[5]), "key columns are NOT NULL"
                comment = server.execute(f"SELECT obj_description('{name}'::regclass)").fetchone()
                assert comment == (f"{res['name']}（{res['code']}）",)
    finally:
        conn.close()


def test_exchange_table_without_elements_and_with_hostile_text(pg: str) -> None:
    hostile = "婚姻'); DROP TABLE victim; --\nDROP TABLE victim; /* \u2028 */"
    # no element, an unknown element, and an element whose slot is an SQL keyword
    items: list[dict[str, Any]] = [
        {"name": "编号", "data_type": "C", "length": 30, "is_key": True},
        {"name": hostile, "data_type": "N", "length": 10, "precision": 2},
        {"name": "排序", "element": "DE99999", "data_type": "I"},
        {"name": "顺序", "element": "DE99998", "data_type": "I", "is_key": True},
    ]
    resource = {"code": "307003001/000009", "name": hostile, "items": items}
    elements = {**_elements(), "DE99998": {"slot": "order", "title": "顺序", "data_type": "I",
                                           "fixed_length": None, "max_length": 4, "scale": None}}
    for dialect in sql.DIALECTS:
        ddl = sql.exchange_table(resource, {"name": hostile, "code": "x"}, elements, dialect)
        assert '"order" INTEGER NOT NULL' in ddl and "PRIMARY KEY (item_01, \"order\")" in ddl
        assert "item_02 NUMERIC(10,2)" in ddl and "item_03 INTEGER" in ddl
        if dialect == "sqlite":
            conn = sqlite3.connect(":memory:")
            try:
                conn.execute("CREATE TABLE victim (x INTEGER)")
                conn.executescript(ddl)
                names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            finally:
                conn.close()
        else:
            with psycopg.connect(pg) as server:
                server.execute("CREATE TABLE victim (x INTEGER)")
                server.execute(ddl)
                names = {r[0] for r in server.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
                comment = server.execute("SELECT col_description('x_307003001_000009'::regclass, 2)").fetchone()
                assert comment == (sql.comment_text(hostile),)
        assert names == {"victim", "x_307003001_000009"}, dialect


def test_generate_sql_resource_through_the_cli() -> None:
    code = "307003001/000003"
    result = govcat("generate", "sql", "--resource", code, "--dialect", "sqlite", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout == sql.exchange_table_for(REPO, code, "sqlite")
    assert "CREATE TABLE x_307003001_000003 (  -- 社会组织登记信息（307003001/000003）" in result.stdout
    assert "unified_social_credit_code CHAR(18) NOT NULL,  -- 统一社会信用代码（DE00101）" in result.stdout
    assert "CONSTRAINT x_307003001_000003_pkey PRIMARY KEY (unified_social_credit_code)" in result.stdout
    default = govcat("generate", "sql", "--resource", code, cwd=REPO)
    assert default.returncode == 0 and "COMMENT ON COLUMN x_307003001_000003.registered_capital IS" in default.stdout

    missing = govcat("generate", "sql", "--resource", "101001001/999999", cwd=REPO)
    assert missing.returncode == 2
    assert "信息资源代码 101001001/999999 不在任何目录中" in missing.stderr
    assert "Traceback" not in missing.stderr and missing.stdout == ""


def test_exchange_tables_are_not_written_into_generated(generated: dict[str, str]) -> None:
    assert all(Path(rel).name.startswith("registry.") for rel in generated)
