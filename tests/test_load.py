"""`govcat load` into SQLite and a real PostgreSQL: counts, idempotence, removal, refusal,
atomicity under failure and under SIGKILL, database problems, and hostile text round trips."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from govcat import jobs
from govcat.publishing import database
from govcat.publishing.generators import sql
from govcat.standard import load as load_standard
from tests.conftest import AS_OF, REPO, govcat, write_workspace
from tests.postgres import pg_url  # noqa: F401

AS_OF_TEXT = AS_OF.isoformat()


# --- databases and workspaces ----------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def new_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Make empty databases of the parametrised dialect; PostgreSQL ones are dropped afterwards."""
    created: list[str] = []
    server = request.getfixturevalue("pg_url") if request.param == "postgresql" else None

    def make() -> str:
        if server is None:
            url = database.sqlite_url(tmp_path / f"registry{len(created)}.db")
        else:
            import psycopg

            name = f"t_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {name}")
            url = server.rsplit("/", 1)[0] + f"/{name}"
        created.append(url)
        return url

    yield make
    if server is not None:
        import psycopg

        with psycopg.connect(server, autocommit=True) as conn:
            for url in created:
                conn.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


@pytest.fixture
def db_url(new_db: Callable[[], str]) -> str:
    return new_db()


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A copy of the example workspace (its catalogs and registry)."""
    shutil.copytree(REPO / "catalogs", tmp_path / "ws" / "catalogs")
    return tmp_path / "ws"


def _session(url: str) -> database.Session:
    return database.connect(database.target(url))


def tables(url: str) -> set[str]:
    session = _session(url)
    try:
        return {t.name for t in sql.REGISTRY if session.has_table(t.name)}
    finally:
        session.rollback()
        session.close()


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every registry table, in a fixed order (a snapshot's time of recording left out)."""
    session = _session(url)
    try:
        found = {}
        for t in sql.REGISTRY:
            if session.has_table(t.name):
                columns = [c for c in t.column_names if c != "recorded_at"]
                found[t.name] = session.query(f"SELECT {', '.join(columns)} FROM {t.name} ORDER BY "
                                              + ", ".join(str(i + 1) for i in range(len(columns))))
        return found
    finally:
        session.rollback()
        session.close()


def load(url: str, root: Path) -> dict[str, int]:
    return jobs.load(url, [root / "catalogs"], AS_OF).counts


def _catalog_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "catalogs").glob("*/*.yaml"))


def expected_counts(root: Path) -> dict[str, int]:
    """Row counts worked out from the files, independently of the loader."""
    counts = dict.fromkeys(("resources", "items", "resource_keywords", "resource_relations"), 0)
    for path in _catalog_files(root):
        for res in yaml.safe_load(path.read_text(encoding="utf-8"))["resources"]:
            counts["resources"] += 1
            counts["items"] += len(res["items"])
            counts["resource_keywords"] += len(res.get("keywords", []))
            counts["resource_relations"] += len(set(res.get("related_codes", [])))
    registry = yaml.safe_load((root / "catalogs" / "departments.yaml").read_text(encoding="utf-8"))
    counts["departments"] = len(registry["departments"])
    counts["catalog_files"] = len(_catalog_files(root))
    counts["metric_snapshots"] = len(registry["departments"])  # one load: one row per department
    std = json.loads((REPO / "generated" / "standard.json").read_text(encoding="utf-8"))
    counts["update_frequencies"] = len(std["frequencies"])
    counts["data_elements"] = len(std["elements"])
    counts["data_element_aliases"] = sum(len(set(e["aliases"])) for e in std["elements"].values())
    counts["code_sets"] = counts["code_values"] = 0
    for path in (REPO / "schema" / "code_sets").glob("*.yaml"):
        for enum in yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["enums"].values():
            counts["code_sets"] += 1
            counts["code_values"] += len(enum["permissible_values"])
    return counts


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _removable(root: Path) -> tuple[Path, str]:
    """A resource no other resource relates to, in a file that keeps at least one resource."""
    related = {c for p in _catalog_files(root)
               for r in yaml.safe_load(p.read_text(encoding="utf-8"))["resources"] for c in r.get("related_codes", [])}
    for path in _catalog_files(root):
        resources = yaml.safe_load(path.read_text(encoding="utf-8"))["resources"]
        for res in resources[1:]:
            if res["code"] not in related and res.get("keywords") and len(res["items"]) >= 2:
                return path, res["code"]
    raise AssertionError("no removable resource in the examples")


# --- loading the examples --------------------------------------------------------------------------

def test_load_counts_match_the_catalogs(db_url: str) -> None:
    counts = load(db_url, REPO)
    assert counts == {name: n for name, n in expected_counts(REPO).items() if name in counts}
    assert set(counts) == set(sql.TABLES) - {"govcat_meta"}
    assert counts["resources"] >= 60 and counts["items"] >= 500
    rows = dump(db_url)
    assert rows["govcat_meta"] == sorted(sql.ddl_meta(database.registry_ddl(database.target(db_url).dialect, load_standard())).items())
    data = yaml.safe_load((REPO / "catalogs" / "11330100MB0000012X" / "catalog.yaml").read_text(encoding="utf-8"))
    first = data["resources"][0]
    row = next(r for r in rows["resources"] if r[0] == first["code"])
    assert row[:5] == (first["code"], "11330100MB0000012X", first["name"], first["classification"]["class"],
                       first["classification"]["item"])
    assert str(row[18]) == first["published_on"].isoformat() and row[-1] == "11330100MB0000012X/catalog.yaml"
    items = [r for r in rows["items"] if r[0] == first["code"]]
    assert [(r[1], r[2], r[3]) for r in items] == [(i, it["name"], it.get("element"))
                                                   for i, it in enumerate(first["items"], 1)]


def test_second_load_changes_nothing(db_url: str) -> None:
    load(db_url, REPO)
    before = dump(db_url)
    versions = _row_versions(db_url)
    result = govcat("load", "--db", db_url, "--as-of", AS_OF_TEXT, "catalogs", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "新增 0 行，更新 0 行，删除 0 行" in result.stdout
    assert re.search(rf"^  resources +{len(before['resources'])} 行$", result.stdout, re.M)
    assert dump(db_url) == before
    assert _row_versions(db_url) == versions  # PostgreSQL: not one row was rewritten


def _row_versions(url: str) -> dict[str, list[Any]]:
    if database.target(url).dialect != "postgresql":
        return {}
    session = _session(url)
    try:
        return {t.name: session.query(f"SELECT xmin::text FROM {t.name} ORDER BY xmin::text")
                for t in sql.REGISTRY}
    finally:
        session.rollback()
        session.close()


def test_removed_resource_leaves_the_database(ws: Path, new_db: Callable[[], str]) -> None:
    url = new_db()
    load(url, ws)
    path, code = _removable(ws)
    changed: dict[str, Any] = {}

    def change(data: dict[str, Any]) -> None:
        data["resources"] = [r for r in data["resources"] if r["code"] != code]
        first = data["resources"][0]
        first["summary"] += "（已修订）"
        first["items"][0], first["items"][1] = first["items"][1], first["items"][0]  # reorder: rows swap names
        changed.update(first)

    _edit(path, change)
    counts = load(url, ws)
    assert counts == {name: n for name, n in expected_counts(ws).items() if name in counts}
    rows = dump(url)
    assert code not in {r[0] for r in rows["resources"]}
    for table in ("items", "resource_keywords", "resource_relations"):
        assert code not in {r[0] for r in rows[table]}, table
    assert next(r for r in rows["resources"] if r[0] == changed["code"])[6] == changed["summary"]
    assert [r[2] for r in rows["items"] if r[0] == changed["code"]] == [i["name"] for i in changed["items"]]
    # the incremental result is exactly what a fresh load of the edited workspace gives
    fresh = new_db()
    load(fresh, ws)
    assert dump(fresh) == rows


def test_catalog_with_an_error_is_refused_and_the_database_unchanged(ws: Path, db_url: str) -> None:
    load(db_url, ws)
    before = dump(db_url)
    path = ws / "catalogs" / "11330100MB0000012X" / "catalog.yaml"

    def drop_condition(data: dict[str, Any]) -> None:
        data["resources"][0]["sharing"] = {"type": "有条件共享", "method": "共享平台", "method_type": "接口"}
        data["resources"][0]["summary"] += "（修改后不应装入）"

    _edit(path, drop_condition)
    result = govcat("load", "--db", db_url, "--as-of", AS_OF_TEXT, cwd=ws)
    assert result.returncode == 1, result.stderr
    assert "GC401" in result.stderr and result.stderr.rstrip().endswith("拒绝装入：1 个错误")
    assert "catalogs/11330100MB0000012X/catalog.yaml:" in result.stderr
    assert result.stdout == ""
    assert dump(db_url) == before
    with pytest.raises(database.LoadRefused, match="拒绝装入：1 个错误"):
        load(db_url, ws)


# --- atomicity ---------------------------------------------------------------------------------------

def _fail_after(monkeypatch: pytest.MonkeyPatch, writes: int) -> list[int]:
    """Make the loader's n-th write (a statement, or a bulk insert: COPY in PostgreSQL) raise, after
    the earlier ones reached the database."""
    calls: list[int] = []
    for cls, name in ((database.Session, "write"), (database.Session, "insert"), (database.PostgresSession, "insert")):
        original = getattr(cls, name)

        def failing(self: database.Session, *args: Any, original: Any = original) -> None:
            rows = args[-1]
            if rows and not getattr(self, "_counting", False):
                calls.append(len(rows))
                if len(calls) == writes:
                    raise RuntimeError("injected failure")
            self._counting = True  # type: ignore[attr-defined]  # an insert that writes through write() counts once
            try:
                original(self, *args)
            finally:
                self._counting = False  # type: ignore[attr-defined]

        monkeypatch.setattr(cls, name, failing)
    return calls


def test_interrupted_load_leaves_the_database_as_it_was(ws: Path, db_url: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    load(db_url, ws)
    before = dump(db_url)
    path, code = _removable(ws)
    _edit(path, lambda data: data.update(resources=[r for r in data["resources"] if r["code"] != code]))
    calls = _fail_after(monkeypatch, 3)
    with pytest.raises(RuntimeError, match="injected failure"):
        load(db_url, ws)
    assert len(calls) == 3 and sum(calls[:2]) >= 2  # deletes were executed before the failure
    assert dump(db_url) == before
    monkeypatch.undo()
    load(db_url, ws)  # the database is usable, not locked
    assert code not in {r[0] for r in dump(db_url)["resources"]}


def test_interrupted_first_load_leaves_no_schema(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _fail_after(monkeypatch, 5)
    with pytest.raises(RuntimeError):
        load(db_url, REPO)
    assert len(calls) == 5
    assert tables(db_url) == set()


KILLER = """
import os, signal, sys
from datetime import date
from pathlib import Path
from govcat import jobs
from govcat.publishing import database
calls = []
def killing(original):
    def method(self, *args):
        original(self, *args)
        calls.append(len(args[-1]))
        if len(calls) == int(sys.argv[3]):
            os.kill(os.getpid(), signal.SIGKILL)
    return method
database.Session.write = killing(database.Session.write)
database.PostgresSession.insert = killing(database.PostgresSession.insert)
jobs.load(sys.argv[1], [Path(sys.argv[2])], date(2026, 11, 22))
"""


def test_killed_load_leaves_the_database_as_it_was(ws: Path, db_url: str) -> None:
    load(db_url, ws)
    before = dump(db_url)
    path, code = _removable(ws)
    _edit(path, lambda data: data.update(resources=[r for r in data["resources"] if r["code"] != code]))
    result = subprocess.run([sys.executable, "-c", KILLER, db_url, str(ws / "catalogs"), "4"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert dump(db_url) == before


# --- database problems: exit 2, a clear message, no traceback -----------------------------------------

def _exit_2(*args: str, cwd: Path = REPO) -> str:
    result = govcat("load", "--as-of", AS_OF_TEXT, *args, cwd=cwd)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert result.stderr.startswith("govcat: ")
    return result.stderr


def test_unreachable_and_unknown_databases_exit_2() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: refused
        message = _exit_2("--db", f"postgresql://govcat:secret@127.0.0.1:{port}/registry")
    assert "无法连接数据库 postgresql://govcat:***@127.0.0.1" in message and "secret" not in message
    assert "不支持的数据库地址：mysql://" in _exit_2("--db", "mysql://root@localhost/govcat")


def test_database_of_another_standard_version_exits_2(db_url: str) -> None:
    load(db_url, REPO)
    session = _session(db_url)
    try:
        session.begin()
        session.write(f"UPDATE govcat_meta SET value = {session.mark} WHERE key = 'standard_version'", [("0.9",)])
        session.commit()
    finally:
        session.close()
    before = dump(db_url)
    message = _exit_2("--db", db_url, "catalogs")
    assert "由另一版本的标准创建（标准版本 0.9" in message and "当前为标准版本 1.0" in message
    assert dump(db_url) == before


def test_foreign_or_broken_sqlite_files_exit_2(tmp_path: Path) -> None:
    import sqlite3

    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE resources (x INTEGER)")
    conn.commit()
    conn.close()
    assert "已有表 resources，但没有 govcat_meta" in _exit_2("--db", str(foreign), "catalogs")
    broken = tmp_path / "notes.db"
    broken.write_text("这不是数据库\n" * 200, encoding="utf-8")
    assert "file is not a database" in _exit_2("--db", str(broken), "catalogs")
    assert broken.read_text(encoding="utf-8") == "这不是数据库\n" * 200


def test_default_database_and_paths(ws: Path) -> None:
    result = govcat("load", "--as-of", AS_OF_TEXT, cwd=ws)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("已装入 build/govcat.db（SQLite）：新增 ")
    assert (ws / database.DEFAULT_DB).is_file()
    assert database.target(database.sqlite_url(ws / "x.db")).location == (ws / "x.db").as_posix()
    assert database.target(database.sqlite_url(Path("build/x.db"))).location == "build/x.db"


def test_load_does_not_import_linkml(tmp_path: Path) -> None:
    code = ("import sys; from datetime import date; from pathlib import Path; from govcat import jobs\n"
            f"jobs.load({database.sqlite_url(tmp_path / 'x.db')!r}, [Path({str(REPO / 'catalogs')!r})], "
            "date(2026, 11, 22))\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('linkml', 'linkml_runtime')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- hostile text --------------------------------------------------------------------------------------

HOSTILE = r"""standard_version: "1.0"
provider: {code: "11330100MB0000012X", name: 示范市民政局}
resources:
  - code: "307003001/000001"
    name: "婚姻登记'); DROP TABLE resources; --"
    classification: {class: 部门信息资源, item: 省（自治区、直辖市）及其下各级政务部门}
    internal_department: "社会事务处 '; DELETE FROM items; --"
    summary: "O'Brien \"引号\" 反斜杠 \\ 与 \\n；😀 𠮷 表情与扩展汉字。\n第二行\t制表符 %s ? :name $1"
    format: {category: 数据库, type: KingbaseES}
    items:
      - {name: 公民身份号码, element: DE00001, data_type: C, length: 18, description: "a\\b'c\"d 😀 %(x)s"}
      - {name: 姓名, element: DE00002, data_type: C, length: 50}
    sharing: {type: 有条件共享, condition: "仅限 \"核验\"'); DROP TABLE items; --", method: 共享平台, method_type: 接口}
    opening: {type: 不予开放}
    update_frequency: 每日
    published_on: 2025-03-01
    last_updated_on: 2026-11-20
    security_level: 重要数据
    keywords: ["😀", "a'b", "c\\d", "%(x)s", "''", "\\'"]
"""


def test_hostile_text_round_trips_unchanged(tmp_path: Path, db_url: str) -> None:
    write_workspace(tmp_path, {"catalog.yaml": HOSTILE})
    load(db_url, tmp_path)
    written = yaml.safe_load(HOSTILE)["resources"][0]
    rows = dump(db_url)
    (res,) = rows["resources"]
    assert (res[2], res[5], res[6], res[10]) == (written["name"], written["internal_department"],
                                                 written["summary"], written["sharing"]["condition"])
    assert "\\" in res[6] and "\n" in res[6] and "😀" in res[6] and "𠮷" in res[6]
    assert [r[2] for r in rows["resource_keywords"]] == written["keywords"]
    assert rows["items"][0][9] == written["items"][0]["description"]
    assert {"items", "resources"} <= tables(db_url)
    load(db_url, tmp_path)
    assert dump(db_url) == rows


# --- the documented queries ----------------------------------------------------------------------------

def _documented_queries(dialect: str) -> list[str]:
    text = (REPO / "docs" / "queries.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", text, re.S)
    other = {"sqlite": "-- PostgreSQL", "postgresql": "-- SQLite"}[dialect]
    return [b for b in blocks if not b.startswith(other)]


def test_documented_queries_run_and_agree_with_the_validator(db_url: str) -> None:
    from datetime import date

    from govcat.checking.engine import Settings, validate

    load(db_url, REPO)
    dialect = database.target(db_url).dialect
    queries = _documented_queries(dialect)
    assert len(queries) == 5
    session = _session(db_url)
    try:
        per_department, per_element, overdue, mapping, history = (session.query(q) for q in queries)
        registry = yaml.safe_load((REPO / "catalogs" / "departments.yaml").read_text(encoding="utf-8"))
        assert len(history) == len(registry["departments"]) and {float(row[2]) for row in history} == {100.0}
        assert sum(row[2] for row in per_department) == len(dump(db_url)["resources"])
        assert per_element and per_element[0][3] >= per_element[-1][3]
        assert overdue == []  # the examples are up to date at the as-of date (no GC504)
        assert sum(row[1] for row in mapping) == len(dump(db_url)["items"])
        later = date(2027, 6, 30)
        report = validate(Settings(paths=[REPO / "catalogs"], as_of=later, cwd=REPO))
        flagged = sorted(f.record["code"] for f in report.findings if f.code == "GC504" and f.record)
        rows = session.query(queries[2].replace("2026-11-22", later.isoformat()))
        assert flagged and sorted(row[0] for row in rows) == flagged
    finally:
        session.rollback()
        session.close()


# --- incremental: only what changed is read and written ------------------------------------------------

def _spy_rows(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the load reads for rows (a workspace this small is read in this process)."""
    read: list[str] = []
    original = database.file_rows

    def spy(doc: Any, ctx: Any) -> database.FileRows:
        read.append(doc.path.relative_to(doc.path.parents[1]).as_posix())
        return original(doc, ctx)

    monkeypatch.setattr(database, "file_rows", spy)
    return read


def test_only_the_changed_file_is_read_and_rewritten(ws: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    read = _spy_rows(monkeypatch)
    load(db_url, ws)
    assert len(read) == len(_catalog_files(ws))
    before, versions = dump(db_url), _row_versions(db_url)
    read.clear()
    path = ws / "catalogs" / "11330100MB0000012X" / "catalog.yaml"
    _edit(path, lambda data: data["resources"][0].update(summary=data["resources"][0]["summary"] + "（修订）"))
    result = jobs.load(db_url, [ws / "catalogs"], AS_OF)
    assert read == ["11330100MB0000012X/catalog.yaml"]
    assert result.changes.total("inserted") == result.changes.total("deleted") == 0
    assert {t: n for t, n in result.changes.updated.items() if n} == {"resources": 1, "catalog_files": 1}
    after = dump(db_url)
    assert [t for t in before if before[t] != after[t]] == ["resources", "catalog_files"]
    if versions:  # PostgreSQL: every other row kept its version
        moved = {t: sum(1 for a, b in zip(versions[t], _row_versions(db_url)[t], strict=True) if a != b)
                 for t in versions}
        assert sum(moved.values()) <= 2, moved
    read.clear()
    load(db_url, ws)
    assert read == []  # nothing changed: no file is read for rows


def _related(root: Path) -> tuple[Path, dict[str, Any], Path]:
    """A resource another department relates to, its file, and a file of a third department."""
    files = _catalog_files(root)
    catalogs = {p: yaml.safe_load(p.read_text(encoding="utf-8")) for p in files}
    for path, data in catalogs.items():
        for res in data["resources"][1:]:
            others = [p for p, d in catalogs.items() if p.parent != path.parent
                      and any(res["code"] in r.get("related_codes", []) for r in d["resources"])]
            if others:
                third = next(p for p in files if p.parent not in (path.parent, others[0].parent))
                return path, res, third
    raise AssertionError("no resource of the examples is related to from another department")


@pytest.mark.parametrize("later", [False, True], ids=["to-an-earlier-file", "to-a-later-file"])
def test_a_resource_moving_between_departments_keeps_what_relates_to_it(ws: Path, new_db: Callable[[], str],
                                                                        later: bool) -> None:
    url = new_db()
    load(url, ws)
    source, res, target = _related(ws)
    if later != (target > source):  # the order in which the two files are read for rows
        target = next(p for p in _catalog_files(ws) if p.parent != source.parent and (p > source) == later)
    relations = [r for r in dump(url)["resource_relations"] if r[1] == res["code"]]
    assert relations
    _edit(source, lambda data: data.update(resources=[r for r in data["resources"] if r["code"] != res["code"]]))
    _edit(target, lambda data: data["resources"].append(res))
    load(url, ws)
    rows = dump(url)
    moved = next(r for r in rows["resources"] if r[0] == res["code"])
    assert moved[1] == target.parent.name and moved[-1] == target.relative_to(ws / "catalogs").as_posix()
    assert [r for r in rows["resource_relations"] if r[1] == res["code"]] == relations
    fresh = new_db()
    load(fresh, ws)
    assert dump(fresh) == rows


def test_renamed_and_removed_files(ws: Path, new_db: Callable[[], str]) -> None:
    url = new_db()
    load(url, ws)
    folder = ws / "catalogs" / "11330100MB00000144"
    (folder / "supervision.yaml").rename(folder / "监管.yaml")
    load(url, ws)
    rows = dump(url)
    assert "11330100MB00000144/监管.yaml" in {r[0] for r in rows["catalog_files"]}
    assert "11330100MB00000144/supervision.yaml" not in {r[0] for r in rows["catalog_files"]}
    fresh = new_db()
    load(fresh, ws)
    assert dump(fresh) == rows
    path, code = _removable(ws)
    _edit(path, lambda data: data.update(resources=[r for r in data["resources"] if r["code"] != code]))
    load(url, ws)
    again = new_db()
    load(again, ws)
    assert dump(again) == dump(url)
