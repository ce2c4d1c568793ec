"""Compliance history (issue 13): every `govcat load` records a metrics snapshot per department in
``metric_snapshots`` (SPEC §6.5), idempotent per (as-of, commit); `govcat report --since` gives the trend;
the data quality `govcat data check --record` stored shows as a column and in the snapshots."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from govcat import jobs
from govcat.core.workspace import Workspace
from govcat.publishing import database, metrics, site
from govcat.publishing.generators import docs
from tests import test_load
from tests.conftest import REPO, govcat
from tests.postgres import pg_url  # noqa: F401
from tests.test_load import _session, dump

# After the examples' last update (2026-11-21): the later dates see more and more resources overdue.
DATES = (date(2026, 11, 22), date(2027, 1, 15), date(2027, 3, 1))
POLICE = "11330100MB0000011T"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "catalogs", tmp_path / "ws" / "catalogs")
    return tmp_path / "ws"


def _mount_everything(root: Path, provider: str) -> None:
    """The department mounts every resource: its 挂接率 becomes 100 %."""
    for path in sorted((root / "catalogs" / provider).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for res in data["resources"]:
            res["mount"] = {**res.get("mount", {"kind": "接口"}), "status": "已挂接"}
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _snapshots(url: str) -> list[tuple[Any, ...]]:
    return dump(url)["metric_snapshots"]


def test_each_load_records_a_snapshot_per_department(ws: Path, db_url: str) -> None:
    url = db_url
    jobs.load(url, [ws / "catalogs"], DATES[0])
    _mount_everything(ws, POLICE)
    jobs.load(url, [ws / "catalogs"], DATES[1])
    jobs.load(url, [ws / "catalogs"], DATES[2])
    rows = _snapshots(url)
    registry = yaml.safe_load((ws / "catalogs" / "departments.yaml").read_text(encoding="utf-8"))["departments"]
    assert len(rows) == 3 * len(registry)
    assert {str(r[0]) for r in rows} == {d.isoformat() for d in DATES}
    assert {r[1] for r in rows} == {""}  # not a git repository: no commit
    # Each snapshot holds exactly the metrics `govcat report` gives for that date.
    for day in DATES[1:]:
        board = metrics.as_dict(jobs.dashboard([ws / "catalogs"], day, Workspace(REPO)))
        snap = {r[2]: r for r in rows if str(r[0]) == day.isoformat()}
        for dept in board["departments"]:
            row = snap[dept["code"]]
            assert row[3] == dept["name"] and (row[4], row[5]) == (dept["resources"], dept["items"])
            rates = [n for key in ("mapping", "mount", "sharing", "opening", "timeliness")
                     for n in (dept["rates"][key]["numerator"], dept["rates"][key]["denominator"])]
            assert list(row[6:16]) == rates
            assert list(row[16:19]) == [dept["findings"][s] for s in ("error", "warning", "info")]
            assert row[19] is None  # no data quality recorded
    history = database.history(url)
    assert history.dates == list(DATES)
    police = [history.value(s, "mount", POLICE) for s in history.snapshots]
    assert police[0] is not None and police[0] < 1.0 and police[1] == police[2] == 1.0
    late = [history.value(s, "timeliness") for s in history.snapshots]
    assert late[0] == 1.0 and late[0] > late[1] > late[2]  # nobody updated: resources fall overdue
    assert history.value(history.snapshots[2], "warning") > 0  # GC504 warnings counted


def test_a_snapshot_is_recorded_once_per_as_of_and_commit(ws: Path, db_url: str) -> None:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(ws), *args], check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "--allow-empty", "-m", "one")
    jobs.load(db_url, [ws / "catalogs"], DATES[0])
    before = dump(db_url)
    versions = _xmin(db_url)
    jobs.load(db_url, [ws / "catalogs"], DATES[0])  # the same date and commit: nothing is written
    assert dump(db_url) == before and _xmin(db_url) == versions
    first = git("rev-parse", "HEAD")
    assert {r[1] for r in _snapshots(db_url)} == {first}
    _mount_everything(ws, POLICE)
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "two")
    second = git("rev-parse", "HEAD")
    jobs.load(db_url, [ws / "catalogs"], DATES[0])  # a new commit the same day: a second snapshot
    rows = _snapshots(db_url)
    assert sorted({r[1] for r in rows}) == sorted({first, second}) and len(rows) == 2 * len(before["departments"])
    # The trend takes one snapshot per date: the one recorded last.
    (only,) = database.history(db_url).snapshots
    assert only.commit == second and only.departments[POLICE].metrics.mount.rate == 1.0


def _xmin(url: str) -> list[Any]:
    if database.target(url).dialect != "postgresql":
        return []
    session = _session(url)
    try:
        return session.query("SELECT xmin::text FROM metric_snapshots ORDER BY xmin::text")
    finally:
        session.rollback()
        session.close()


new_db = test_load.new_db  # the databases of tests/test_load.py: SQLite files and a real PostgreSQL


@pytest.fixture
def db_url(new_db: Callable[[], str]) -> str:
    return new_db()


def _history_db(ws: Path, db: Path) -> None:
    url = database.sqlite_url(db)
    jobs.load(url, [ws / "catalogs"], DATES[0])
    _mount_everything(ws, POLICE)
    jobs.load(url, [ws / "catalogs"], DATES[1])
    jobs.load(url, [ws / "catalogs"], DATES[2])


def test_report_since_gives_the_trend_per_department(ws: Path) -> None:
    _history_db(ws, ws / "h.db")
    args = ("report", "--db", "h.db", "--as-of", DATES[2].isoformat(), "--workspace", str(REPO))
    result = govcat(*args, "--since", "2026-12-01", "--format", "json", cwd=ws)
    assert result.returncode == 0, result.stderr
    trend = json.loads(result.stdout)["trend"]
    assert trend["since"] == "2026-12-01" and trend["dates"] == [DATES[1].isoformat(), DATES[2].isoformat()]
    police = next(d for d in trend["departments"] if d["code"] == POLICE)
    assert police["series"]["mount"] == [1.0, 1.0]
    assert trend["total"]["timeliness"][0] > trend["total"]["timeliness"][1]
    assert "data_quality" not in trend["metrics"]

    text = govcat(*args, "--since", "2026-01-01", cwd=ws)
    assert text.returncode == 0, text.stderr
    out = text.stdout
    assert "## 趋势（自 2026-01-01 起的 3 个快照）" in out
    assert "| 部门 | 2026-11-22 | 2027-01-15 | 2027-03-01 | 变化 |" in out
    mount = out[out.index("### 挂接率"):out.index("### 共享率")]
    police_row = next(line for line in mount.splitlines() if line.startswith("| 示范市公安局 |"))
    assert police_row.endswith("| 100.0% | 100.0% | +36.4 个百分点 |"), police_row
    movers = out[out.index("与上一快照（2027-01-15）相比变化最大的部门"):]
    assert "| 更新及时率 | — | " in movers  # nobody improved; several slipped
    # Without --since the report is as before: no trend, and no database needed.
    plain = govcat(*args[:-2], cwd=ws)
    assert plain.returncode == 0 and "趋势" not in plain.stdout


def test_report_since_without_snapshots_says_how_to_get_them(ws: Path) -> None:
    result = govcat("report", "--db", "missing.db", "--since", "2026-01-01", "--as-of", DATES[0].isoformat(),
                    "--workspace", str(REPO), cwd=ws)
    assert result.returncode == 0, result.stderr
    assert "数据库中没有该日期以来的快照" in result.stdout
    assert not (ws / "missing.db").exists()  # reading never creates a database


def _quality(db: Path, provider: str, code: str, score: float, day: str = "2026-11-20") -> None:
    database.record_quality(database.sqlite_url(db), {
        "resource_code": code, "as_of": day, "provider_code": provider, "resource_name": "x", "engine": "duckdb",
        "data": "x.csv", "rows_checked": 100, "errors": 0, "warnings": 0, "completeness": score,
        "conformity": score, "consistency": None, "uniqueness": None, "timeliness": None, "quality": score,
        "complete": True})


def test_data_quality_shows_in_the_report_and_the_snapshots(ws: Path) -> None:
    db = ws / "q.db"
    args = ("report", "--db", "q.db", "--as-of", DATES[0].isoformat(), "--workspace", str(REPO))
    assert "数据质量" not in govcat(*args, cwd=ws).stdout  # nothing recorded: no column
    _quality(db, POLICE, "101002001/000001", 0.5, "2026-10-01")
    _quality(db, POLICE, "101002001/000001", 0.9)  # the latest check of a resource counts
    _quality(db, POLICE, "105002001/000002", 0.7)
    _quality(db, "11330100MB0000012X", "307003001/000001", 0.6)
    out = govcat(*args, cwd=ws).stdout
    head = out.splitlines()[2]
    assert head.split(" | ")[8] == "数据质量", head
    police = next(line for line in out.splitlines() if line.startswith("| 示范市公安局 |"))
    assert police.split(" | ")[8] == "80.0%"
    assert next(line for line in out.splitlines() if line.startswith("| 示范市大数据发展管理局 |")).split(" | ")[8] == "—"
    total = next(line for line in out.splitlines() if line.startswith("| **合计** |"))
    assert total.split(" | ")[8] == "73.3%"  # (0.9 + 0.7 + 0.6) / 3 resources
    assert "- **数据质量** = " in out
    data = json.loads(govcat(*args, "--format", "json", cwd=ws).stdout)
    assert next(d for d in data["departments"] if d["code"] == POLICE)["data_quality"] == 0.8
    assert data["total"]["data_quality"] == round(2.2 / 3, 4)
    jobs.load(database.sqlite_url(db), [ws / "catalogs"], DATES[0])
    snap = {r[2]: r for r in _snapshots(database.sqlite_url(db))}
    assert snap[POLICE][19] == pytest.approx(0.8) and snap["11330100MB0000010P"][19] is None
    trend = json.loads(govcat(*args, "--since", "2026-01-01", "--format", "json", cwd=ws).stdout)["trend"]
    assert trend["metrics"]["data_quality"] == "数据质量"
    assert next(d for d in trend["departments"] if d["code"] == POLICE)["series"]["data_quality"] == [0.8]


# --- the dashboard's trend --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trended(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site (with the injection department) built after loads at three dates, between which
    a department mounted every resource and a data-quality result was recorded."""
    from tests.test_site import _workspace

    root = tmp_path_factory.mktemp("trend")
    _workspace(root)
    url = database.sqlite_url(root / database.DEFAULT_DB)
    jobs.load(url, [root / "catalogs"], DATES[0])
    _quality(root / database.DEFAULT_DB, POLICE, "101002001/000001", 0.9, DATES[0].isoformat())
    _mount_everything(root, POLICE)
    jobs.load(url, [root / "catalogs"], DATES[1])
    outcome, result = jobs.load_outcome(url, [root / "catalogs"], DATES[2], cwd=root)
    site.build(root, outcome, DATES[2], board=result.board, history=database.history(url))
    return root


def test_the_dashboard_charts_each_metric_over_time(trended: Path) -> None:
    page = (trended / "docs" / "reference" / "dashboard.md").read_text(encoding="utf-8")
    trend = page[page.index("## 趋势"):page.index("## 校验发现（按规则）")]
    titles = ["数据元映射率", "挂接率", "共享率", "开放率", "更新及时率", "数据质量", "警告数", "提示数"]
    assert re.findall(r"^### (.+)$", trend, re.M)[:len(titles)] == titles
    charts = re.findall(r'<div class="govcat-trend__chart">(<svg.*?</svg>)</div>', trend)
    tables = re.findall(r'<div class="govcat-trend__data">(<table>.*?</table>)</div>', trend)
    assert len(charts) == len(tables) == len(titles)
    departments = 9  # the examples and the injection department; more than TREND_LINES: those that moved most
    for svg, table in zip(charts, tables, strict=True):
        assert svg.count("<g class=\"govcat-trend__line") == 1 + docs.TREND_LINES
        assert table.count("<tr>") == 1 + 1 + docs.TREND_LINES and "<th>2027-03-01</th>" in table
        assert "<script" not in svg and "onerror" not in svg.replace("onerror&#61;", "")
    mount = tables[titles.index("挂接率")]
    police = re.search(r"示范市公安局</td>((?:<td>[^<]*</td>){3})", mount)
    assert police and re.findall(r"<td>([^<]*)</td>", police[1]) == ["63.6%", "100.0%", "100.0%"]
    assert "<th>合计" not in mount and "合计</td>" in mount  # the total is the first line, bold in the chart
    quality = tables[titles.index("数据质量")]
    assert re.search(r"示范市公安局</td><td>—</td><td>90.0%</td><td>90.0%</td>", quality)
    # The departments that slipped most since the snapshot before: everyone's timeliness fell.
    movers = trend[trend.index("与上一快照"):]
    assert "2027&#45;01&#45;15" in movers.splitlines()[0]
    row = next(line for line in movers.splitlines() if line.startswith("| 更新及时率 |"))
    assert row.split(" | ")[1] == "—" and "个百分点" in row.split(" | ")[2]
    assert departments > docs.TREND_LINES
    # The 数据质量 column beside the rates, and its bar chart.
    head = next(line for line in page.splitlines() if line.startswith("| 部门 |"))
    assert "| 更新及时率 | 数据质量 | 错误 |" in head
    assert 'aria-label="数据质量"' in page


def test_the_trend_in_the_browser(trended: Path, browser: Any) -> None:
    from tests.test_site import ARTIFACTS, INJECTED_NAME, Tab, static_site

    with static_site(trended / "site") as base:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        try:
            tab = Tab(context.new_page(), base)
            page = tab.open("/reference/dashboard/")
            trend = page.locator(".govcat-trend")
            assert trend.count() == 8
            assert trend.first.locator("svg polyline").count() >= 1
            assert page.locator(".govcat-trend svg circle").count() > 8 * 3
            text = page.locator("article").inner_text()
            assert INJECTED_NAME in text  # the injected name is shown as text, nothing of it runs
            assert page.locator("article img, article script").count() == 0
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            box = page.locator("#trend").bounding_box()
            end = page.locator("#rules").bounding_box()
            assert box is not None and end is not None
            page.screenshot(path=str(ARTIFACTS / "dashboard-trend.png"), full_page=True,
                            clip={"x": 0, "y": box["y"], "width": 1400, "height": end["y"] - box["y"]})
        finally:
            context.close()
        assert tab.dialogs == [] and tab.errors == []
        assert all(u.startswith(tab.base) or u.startswith("data:") for u in tab.requests)
