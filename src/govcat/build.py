"""`govcat build`, the main job: validate every catalog, regenerate, load SQLite, build the site."""

from __future__ import annotations

from datetime import date

import click

from govcat import resources
from govcat.workspace import UsageError


def run(as_of: date) -> int:
    from govcat import database, engine, metrics, site
    from govcat.generators import CHECKED, TARGETS, writer
    from govcat.reporters import REPORTERS

    root = resources.repo_root()
    if root is None:
        raise UsageError("build 需要在 govcat 源码仓库中运行（找不到 schema/govcat.yaml）")
    # One validation for the whole job: the database and the site take what it read.
    outcome = engine.run(engine.Settings(paths=[root / "catalogs"], as_of=as_of, cwd=root), keep_documents=True)
    report = outcome.report
    click.echo(REPORTERS["text"](report, False), nl=False, err=True)
    if report.count("error"):
        click.echo("govcat build: 目录有错误，已停止", err=True)
        return 1
    # The committed artifacts; the docs pages are written by site.build with the same as-of date.
    files = {rel: text for name in CHECKED for rel, text in TARGETS[name](root).items()}
    for rel in writer.write(root, files):
        click.echo(f"已生成 {rel}", err=True)
    counts = database.load(database.sqlite_url(root / database.DEFAULT_DB), [root / "catalogs"], as_of, outcome)
    click.echo("已装入 " + "，".join(f"{table} {n} 行" for table, n in counts.items()), err=True)
    out = site.build(root, as_of, metrics.of(outcome))
    click.echo(f"govcat build: 完成（{report.files} 个文件，{report.resources} 条信息资源；站点 {out}）", err=True)
    return 0
