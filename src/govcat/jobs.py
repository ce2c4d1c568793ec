"""The jobs that span stages: each validates once and hands what later stages need to them as the
run goes, so that no stage reads the catalogs again or holds them all.

`govcat build` (regenerate, validate and load SQLite, build the site), `govcat load`,
`govcat report` and `govcat generate docs`. Nothing below this layer runs the engine: the database,
the metrics and the site take the outcome they are given, and what they need of each whole document
they hand to the run as products (checking.stage.Product), made in the workers that read each file.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from govcat.checking import cache, engine
from govcat.checking.outcome import Outcome
from govcat.checking.scope import discover
from govcat.checking.stage import Product
from govcat.core.workspace import Workspace, locate
from govcat.publishing import database, metrics
from govcat.publishing.generators import CHECKED, TARGETS, writer
from govcat.reporting import REPORTERS

if TYPE_CHECKING:
    from govcat.core.findings import Report
    from govcat.data.check import Settings as DataSettings


@dataclasses.dataclass(frozen=True)
class Caching:
    """The incremental validation cache of a job (checking/cache.py): off for library callers, on
    from the command line as for `govcat validate`."""

    enabled: bool = False
    folder: Path | None = None


def validate(catalogs: list[Path], as_of: date, cwd: Path | None = None, *, with_registry: bool = False,
             workspace: Workspace | None = None, products: tuple[Product, ...] = (metrics.PRODUCT,),
             caching: Caching = Caching()) -> Outcome:
    """One validation whose outcome carries the catalogs' summaries and ``products`` (by default the
    metrics of each catalog). ``with_registry``: the registry is checked too, even when it lies
    outside the given paths (what is loaded into a database must have been checked)."""
    checked = catalogs
    if with_registry:
        ws = discover(catalogs, None)
        checked = catalogs if ws.registry_in_scope or ws.registry is None else [*catalogs, ws.registry]
    settings = engine.Settings(paths=checked, as_of=as_of, cwd=cwd or Path.cwd(), workspace=workspace,
                               products=products, cache=caching.enabled, cache_dir=caching.folder)
    return engine.run(settings, keep_documents=False)


def commit_of(folder: Path) -> str | None:
    """The git commit checked out where the catalogs are, for the metrics snapshot; None outside git."""
    try:
        found = subprocess.run(["git", "-C", str(folder), "rev-parse", "--verify", "--quiet", "HEAD"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None if found.returncode == 0 else None


def load_outcome(db_url: str | None, catalogs: list[Path], as_of: date, workspace: Workspace | None = None, *,
                 caching: Caching = Caching(), cwd: Path | None = None) -> tuple[Outcome, database.Result]:
    """Validate (the registry included) and load in one pass: the database's transaction is open while
    the catalogs are validated, each changed file's rows are written as its validation finishes, and
    the load commits only if the whole run has no error. Raises ``database.LoadRefused`` on errors."""
    ws = discover(catalogs, None)
    generated = (workspace or locate(None, cwd)).generated
    loading = database.Loading(db_url, generated, ws.registry_dir)
    try:
        outcome = validate(catalogs, as_of, cwd, with_registry=True, workspace=workspace,
                           products=(metrics.PRODUCT, loading.product), caching=caching)
        folder = ws.registry_dir or (catalogs[0] if catalogs[0].is_dir() else catalogs[0].parent)
        return outcome, loading.finish(outcome, as_of, commit_of(folder))
    except BaseException:
        loading.abort()
        raise


def load(db_url: str | None, catalogs: list[Path], as_of: date, workspace: Workspace | None = None, *,
         caching: Caching = Caching()) -> database.Result:
    """Validate (the registry included) and load; raises ``database.LoadRefused`` on catalog errors."""
    return load_outcome(db_url, catalogs, as_of, workspace, caching=caching)[1]


def load_command(db_url: str | None, catalogs: list[Path], as_of: date, workspace: Workspace,
                 caching: Caching = Caching()) -> int:
    """`govcat load`: 0 loaded, 1 refused (catalog errors, printed to stderr); database problems raise (exit 2)."""
    try:
        result = load(db_url, catalogs, as_of, workspace, caching=caching)
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


def dashboard(catalogs: list[Path], as_of: date, workspace: Workspace, db_url: str | None = None, *,
              caching: Caching = Caching()) -> metrics.Dashboard:
    """`govcat report`: the compliance metrics of one validation, with the data quality recorded in
    the catalog database when there is any."""
    outcome = validate(catalogs, as_of, workspace=workspace, caching=caching)
    return metrics.dashboard(outcome, as_of, database.data_quality(db_url))


def history(db_url: str | None, since: date | None) -> metrics.History:
    """`govcat report --since`: the snapshots `govcat load` recorded, one per as-of date."""
    return database.history(db_url, since)


def _generate(root: Path, caching: Caching) -> list[str]:
    """Regenerate the committed artifacts. LinkML takes seconds, so the result is remembered in the
    cache folder by the digest of ``schema/`` and govcat's version: when neither changed and the files
    in ``generated/`` are those generated last, nothing is generated again."""
    from govcat import __version__

    schema = sorted(p for p in (root / "schema").rglob("*") if p.is_file())
    key = cache.digest(__version__, *(f"{p.relative_to(root).as_posix()}:{cache.file_digest(p)}" for p in schema))
    folder = cache.folder_for(caching.folder, [root]) if caching.enabled else None
    stamp = folder / "generated.json" if folder is not None else None
    if stamp is not None and stamp.is_file():
        try:
            remembered = json.loads(stamp.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            remembered = {}
        files = remembered.get("files") if isinstance(remembered, dict) and remembered.get("key") == key else None
        if isinstance(files, dict) and files and all(
                cache.file_digest(root / rel) == digest for rel, digest in files.items()):
            return []
    generated = {rel: text for name in CHECKED for rel, text in TARGETS[name](root).items()}
    written = writer.write(root, generated)
    if stamp is not None:
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(json.dumps({"key": key, "files": {rel: cache.file_digest(root / rel) for rel in generated}}),
                             encoding="utf-8")
        except OSError:
            pass  # without the stamp the next build generates again: slower, never wrong
    return written


def build(workspace: Workspace, as_of: date, caching: Caching = Caching()) -> int:
    """The main job: regenerate the artifacts, validate every catalog while loading it into SQLite,
    build the site from the run and the database's history."""
    from govcat.publishing import site  # mkdocs is imported only by the jobs that build the site

    root = workspace.require("build")
    clock = time.perf_counter()
    for rel in _generate(root, caching):  # first: the validation and the load read what it writes
        click.echo(f"已生成 {rel}", err=True)
    took = {"generate": time.perf_counter() - clock}
    db_url = database.sqlite_url(root / database.DEFAULT_DB)
    clock = time.perf_counter()
    try:
        outcome, result = load_outcome(db_url, [root / "catalogs"], as_of, workspace, caching=caching, cwd=root)
    except database.LoadRefused as refused:
        click.echo(REPORTERS["text"](refused.report, False), nl=False, err=True)
        click.echo("govcat build: 目录有错误，已停止", err=True)
        return 1
    took["validate+load"] = time.perf_counter() - clock
    report = outcome.report
    click.echo(REPORTERS["text"](report, False), nl=False, err=True)
    click.echo("已装入 " + "，".join(f"{table} {n} 行" for table, n in result.counts.items()), err=True)
    built = site.build(root, outcome, as_of, board=result.board, history=database.history(db_url, None))
    took.update(built.seconds)
    click.echo(f"站点：{built.departments} 个部门的页面重新生成，{built.reused} 个沿用上次的；写入 {built.pages_written} 个页面", err=True)
    click.echo("用时：" + "，".join(f"{name} {seconds:.1f} 秒" for name, seconds in took.items()), err=True)
    click.echo(f"govcat build: 完成（{report.files} 个文件，{report.resources} 条信息资源；站点 {built.out}）", err=True)
    return 0


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
