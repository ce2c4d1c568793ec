"""The jobs that span stages: each validates once and hands the run's Outcome to what comes after.

`govcat build` (validate every catalog, regenerate, load SQLite, build the site), `govcat load`,
`govcat report` and `govcat generate docs`. Nothing below this layer runs the engine: the database,
the metrics and the site take the outcome they are given.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from govcat.checking import engine
from govcat.checking.outcome import Outcome
from govcat.checking.scope import discover
from govcat.core.workspace import Workspace
from govcat.publishing import database, metrics
from govcat.publishing.generators import CHECKED, TARGETS, writer
from govcat.reporting import REPORTERS

if TYPE_CHECKING:
    from govcat.core.findings import Report
    from govcat.data.check import Settings as DataSettings


def validate(catalogs: list[Path], as_of: date, cwd: Path | None = None, *, with_registry: bool = False,
             workspace: Workspace | None = None) -> Outcome:
    """One validation that keeps its documents. ``with_registry``: the registry is checked too, even
    when it lies outside the given paths (what is loaded into a database must have been checked)."""
    checked = catalogs
    if with_registry:
        ws = discover(catalogs, None)
        checked = catalogs if ws.registry_in_scope or ws.registry is None else [*catalogs, ws.registry]
    settings = engine.Settings(paths=checked, as_of=as_of, cwd=cwd or Path.cwd(), workspace=workspace)
    return engine.run(settings, keep_documents=True)


def build(workspace: Workspace, as_of: date) -> int:
    """The main job: validate every catalog, regenerate, load SQLite, build the site."""
    from govcat.publishing import site  # mkdocs is imported only by the jobs that build the site

    root = workspace.require("build")
    outcome = validate([root / "catalogs"], as_of, root, workspace=workspace)
    report = outcome.report
    click.echo(REPORTERS["text"](report, False), nl=False, err=True)
    if report.count("error"):
        click.echo("govcat build: 目录有错误，已停止", err=True)
        return 1
    # The committed artifacts; the docs pages are written by site.build with the same as-of date.
    files = {rel: text for name in CHECKED for rel, text in TARGETS[name](root).items()}
    for rel in writer.write(root, files):
        click.echo(f"已生成 {rel}", err=True)
    result = database.load_into(database.sqlite_url(root / database.DEFAULT_DB), outcome)
    click.echo("已装入 " + "，".join(f"{table} {n} 行" for table, n in result.counts.items()), err=True)
    out = site.build(root, outcome, as_of)
    click.echo(f"govcat build: 完成（{report.files} 个文件，{report.resources} 条信息资源；站点 {out}）", err=True)
    return 0


def load(db_url: str | None, catalogs: list[Path], as_of: date, workspace: Workspace | None = None) -> database.Result:
    """Validate (the registry included) and load; raises ``database.LoadRefused`` on catalog errors."""
    return database.load_into(db_url, validate(catalogs, as_of, with_registry=True, workspace=workspace))


def load_command(db_url: str | None, catalogs: list[Path], as_of: date, workspace: Workspace) -> int:
    """`govcat load`: 0 loaded, 1 refused (catalog errors, printed to stderr); database problems raise (exit 2)."""
    try:
        result = load(db_url, catalogs, as_of, workspace)
    except database.LoadRefused as refused:
        report = dataclasses.replace(refused.report, findings=refused.errors)
        click.echo(REPORTERS["text"](report, False), nl=False, err=True)
        click.echo(str(refused), err=True)
        return 1
    where = database.target(db_url)
    c = result.changes
    click.echo(f"已装入 {where.shown}（{'SQLite' if where.dialect == 'sqlite' else 'PostgreSQL'}）："
               f"新增 {c.total('inserted')} 行，更新 {c.total('updated')} 行，删除 {c.total('deleted')} 行")
    width = max(len(name) for name in result.counts)
    for name, count in result.counts.items():
        click.echo(f"  {name:<{width}}  {count:>6} 行")
    return 0


def dashboard(catalogs: list[Path], as_of: date, workspace: Workspace) -> metrics.Dashboard:
    """`govcat report`: the compliance metrics of one validation."""
    return metrics.dashboard(validate(catalogs, as_of, workspace=workspace), as_of)


def docs_pages(workspace: Workspace, as_of: date | None) -> dict[str, str]:
    """`govcat generate docs`: the reference pages, from one validation of the repository's catalogs."""
    from govcat.publishing.generators import docs

    root = workspace.require("generate docs")
    day = docs.as_of_date(as_of)
    return docs.generate(root, validate([root / "catalogs"], day, root, workspace=workspace), day)


def data_check(settings: DataSettings, db_url: str | None, record: bool) -> Report:
    """`govcat data check`: the data's report; with ``record``, its result stored in the catalog database."""
    from govcat.data import check

    report, result = check.run(settings)
    if record:
        where = database.record_quality(db_url, check.summary(result, report))
        click.echo(f"已记录数据质量结果到 {where}", err=True)
    return report
