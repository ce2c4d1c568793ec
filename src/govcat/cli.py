"""The command line: options parsed into a settings object, then ``run(settings) -> exit code``.

Exit codes (fixed): 0 no finding at or above --fail-on; 1 findings at or above it;
2 usage, configuration or internal error.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from govcat import __version__
from govcat.core.errors import UsageError
from govcat.core.workspace import Workspace, locate

FAIL_LEVELS = {"error": ("error",), "warning": ("error", "warning"), "never": ()}


def _guard(command: Callable[..., int]) -> Callable[..., None]:
    """Usage errors and any unexpected failure end as a clear message and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = command(*args, **kwargs)
        except UsageError as exc:
            click.echo(f"govcat: {exc}", err=True)
            sys.exit(2)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:  # `govcat … | head`: the reader left; nothing went wrong here
            sys.stderr.close()
            os._exit(0)
        except Exception as exc:  # a bug: say so plainly, never a traceback to a department
            click.echo(f"govcat: 内部错误（internal error）：{type(exc).__name__}: {exc}\n"
                       "请把命令和输入文件报告给标准维护方。设置 GOVCAT_DEBUG=1 可查看调用栈。", err=True)
            if os.environ.get("GOVCAT_DEBUG"):
                raise
            sys.exit(2)
        sys.exit(code)

    return wrapper


def _emit(report: Any, fmt: str, output: Path | None, fail_on: str,
          text: Callable[[Any, bool], str] | None = None) -> int:
    """Render a report in ``fmt`` (`auto`: github under GitHub Actions, else text) to ``output`` or
    stdout; the exit code of ``--fail-on``. ``text``: a report's own text renderer (data reports)."""
    from govcat.reporting import REPORTERS

    if fmt == "auto":
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    color = fmt == "text" and output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    rendered = text(report, color) if fmt == "text" and text is not None else REPORTERS[fmt](report, color)
    if output is not None:
        output.write_text(rendered, encoding="utf-8")
    else:
        click.echo(rendered, nl=False)
    return 1 if any(f.severity in FAIL_LEVELS[fail_on] for f in report.findings) else 0


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"应为 YYYY-MM-DD 格式的日期：{value}") from None


def _optional_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    return None if value is None else _as_of(ctx, param, value)


def _workspace(command: Callable[..., int]) -> Callable[..., int]:
    """`--workspace DIR` on a command: the standards repository to work on (default: the one the
    current directory lies in, found upward; outside any, the standard shipped with govcat)."""

    @click.option("--workspace", "workspace_dir", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
                  envvar="GOVCAT_WORKSPACE", help="标准仓库所在文件夹（默认：从当前目录向上查找含 schema/govcat.yaml 的文件夹）。")
    @functools.wraps(command)
    def wrapper(*args: Any, workspace_dir: Path | None, **kwargs: Any) -> int:

        return command(*args, workspace=locate(workspace_dir), **kwargs)

    return wrapper


def _caching(command: Callable[..., int]) -> Callable[..., int]:
    """`--cache-dir` / `--no-cache` on a command that validates on its way (load, report, build): the
    incremental cache of `govcat validate`, passed on as ``caching``."""

    @click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
                  envvar="GOVCAT_CACHE_DIR", help="增量校验缓存的文件夹（默认：工作区根目录下的 .govcat_cache/）。")
    @click.option("--no-cache", is_flag=True, envvar="GOVCAT_NO_CACHE", help="不读也不写增量校验缓存。")
    @functools.wraps(command)
    def wrapper(*args: Any, cache_dir: Path | None, no_cache: bool, **kwargs: Any) -> int:
        from govcat.jobs import Caching

        return command(*args, caching=Caching(not no_cache, cache_dir), **kwargs)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="govcat")
def main() -> None:
    """govcat — 政务数据目录标准库：目录标准、代码生成与目录校验。"""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["auto", "text", "json", "sarif", "junit", "github"]), default="auto",
              show_default=True, help="输出格式；auto 在 GitHub Actions 中为 github，否则为 text。")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="写入文件而不是标准输出。")
@click.option("--as-of", callback=_as_of, metavar="YYYY-MM-DD", help="更新及时性的判定日期（默认今天）。")
@click.option("--registry", type=click.Path(path_type=Path, dir_okay=False), help="提供方名录文件。")
@click.option("--fail-on", type=click.Choice(list(FAIL_LEVELS)), default="error", show_default=True,
              help="达到该级别的发现时以 1 退出。")
@click.option("--select", multiple=True, metavar="CODES", help="只运行这些规则（代码或前缀，逗号分隔）。")
@click.option("--ignore", multiple=True, metavar="CODES", help="不运行这些规则（代码或前缀，逗号分隔）。")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="消息语言。")
@click.option("--changed-since", metavar="REV", help="只报告自该 git 版本以来新增或改动的记录上的发现。")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), metavar="DIR", envvar="GOVCAT_CACHE_DIR",
              help="增量校验缓存的文件夹（默认：工作区根目录下的 .govcat_cache/）。")
@click.option("--no-cache", is_flag=True, envvar="GOVCAT_NO_CACHE", help="不读也不写增量校验缓存。")
@click.option("--isolated", is_flag=True,
              help="只按给出的文件校验，不读取所在工作区的其他目录作为跨目录规则的上下文。")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="并行读取和校验文件的进程数（默认：目录较大时每个 CPU 核一个，较小时单进程）。")
@_guard
@_workspace
def validate(paths: tuple[Path, ...], fmt: str, output: Path | None, as_of: date, registry: Path | None,
             fail_on: str, select: tuple[str, ...], ignore: tuple[str, ...], lang: str,
             changed_since: str | None, cache_dir: Path | None, no_cache: bool, isolated: bool, jobs: int | None,
             workspace: Workspace) -> int:
    """校验目录文件或文件夹（默认 ./catalogs）。"""
    from govcat.checking.engine import Settings
    from govcat.checking.engine import validate as run_validation

    settings = Settings(paths=list(paths) or [Path("catalogs")], as_of=as_of, registry=registry,
                        select=_codes(select), ignore=_codes(ignore), lang=lang, changed_since=changed_since,
                        jobs=jobs, workspace=workspace, isolated=isolated, cache=not no_cache, cache_dir=cache_dir)
    return _emit(run_validation(settings), fmt, output, fail_on)


@main.command()
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@_guard
@_workspace
def rules(lang: str, workspace: Workspace) -> int:
    """列出全部校验规则（级别与开始强制执行的日期取自标准的规则表）。"""
    from govcat import standard
    from govcat.checking.rules import RULES

    std = standard.load(workspace.generated)
    width = max(len(r.name) for r in RULES)
    for r in RULES:
        entry = std.rules.get(r.code) or {}
        severity = entry.get("severity") or r.severity
        enforce = entry.get("enforce_from")
        note = (f" (an error from {enforce})" if lang == "en" else f"（{enforce} 起按错误处理）") if enforce else ""
        click.echo(f"{r.code}  {severity:<7}  {r.name:<{width}}  {std.rule_summary(r.code, lang)}{note}".rstrip())
    return 0


@main.command()
@click.argument("code")
@_guard
@_workspace
def explain(code: str, workspace: Workspace) -> int:
    """显示一条规则的说明（与文档站规则页相同）。"""
    from govcat.checking.rules import BY_CODE
    from govcat.core import suggest
    from govcat.core.findings import rule_url
    from govcat.core.paths import docs_url

    rule = BY_CODE.get(code.strip().upper())
    if rule is None:
        guess = suggest.nearest(code.upper(), BY_CODE, cutoff=50) or suggest.nearest(
            code, {r.name: r.code for r in BY_CODE.values()}, cutoff=50)
        did_you_mean = f"；是否是 {guess}？" if guess else ""
        raise UsageError(f"未知的规则：{code}{did_you_mean}（`govcat rules` 列出全部规则）")
    click.echo(f"# {rule.code} {rule.name}（默认级别：{rule.severity}）\n")
    click.echo(f"消息：{rule.zh}\nMessage: {rule.en}\n")
    click.echo(rule.doc)
    url = rule_url(docs_url(workspace.root), rule.code)
    if url:
        click.echo(f"\n{url}")
    return 0


@main.command()
@click.argument("targets", nargs=-1)
@click.option("--check", is_flag=True, help="只比较：生成物过期时打印差异并以 1 退出。")
@click.option("--resource", "resource_code", metavar="CODE", help="与 sql 一起：打印该信息资源的交换库表 DDL。")
@click.option("--dialect", type=click.Choice(["postgresql", "sqlite"]), default="postgresql", show_default=True,
              help="与 --resource 一起：SQL 方言。")
@_guard
@_workspace
def generate(targets: tuple[str, ...], check: bool, resource_code: str | None, dialect: str,
             workspace: Workspace) -> int:
    """由标准生成产物（json-schema、standard、sql、docs）；--check 检查已提交的产物是否最新。"""
    from govcat.publishing.generators import CHECKED, TARGETS, writer

    known = (*TARGETS, "docs")
    unknown = [t for t in targets if t not in known]
    if unknown:
        raise UsageError(f"未知的生成目标：{'、'.join(unknown)}；可选：{'、'.join(known)}")
    root = workspace.require("generate")
    if resource_code is not None:
        from govcat.publishing.generators import sql

        click.echo(sql.exchange_table_for(root, resource_code, dialect), nl=False)
        return 0
    chosen = targets or (CHECKED if check else known)
    try:
        files = {rel: text for t in chosen if t != "docs" for rel, text in TARGETS[t](root).items()}
        if "docs" in chosen:
            from govcat import jobs

            files.update(jobs.docs_pages(workspace, None))
    except ImportError as exc:
        raise UsageError(f"生成需要 LinkML：pip install 'govcat[schema]'（{exc}）") from exc
    if check:
        diffs = writer.stale(root, files)
        for diff in diffs:
            click.echo(diff)
        summary = f"{len(diffs)} 个生成物已过期，请运行 govcat generate" if diffs else f"{len(files)} 个生成物均为最新"
        click.echo(summary, err=True)
        return 1 if diffs else 0
    for rel in writer.write(root, files):
        click.echo(f"已生成 {rel}", err=True)
    return 0


@main.command()
@click.option("--db", "db_url", metavar="URL", help="数据库：SQLite 文件路径或 postgresql://…（默认 build/govcat.db）。")
@click.option("--as-of", callback=_as_of, metavar="YYYY-MM-DD", help="更新及时性的判定日期（默认今天）。")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_guard
@_workspace
@_caching
def load(db_url: str | None, as_of: date, paths: tuple[Path, ...], workspace: Workspace, caching: Any) -> int:
    """把校验通过的目录、数据元标准和代码集装入目录库（一个事务，可重复执行；只重写内容变了的目录文件），并记录一次合规指标快照。"""
    from govcat import jobs

    return jobs.load_command(db_url, list(paths) or [Path("catalogs")], as_of, workspace, caching)


@main.command()
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=Path("目录填报模板.xlsx"),
              show_default=True, help="模板文件。")
@_guard
@_workspace
def template(output: Path, workspace: Workspace) -> int:
    """生成部门填报用的 Excel 模板（含填写说明、下拉列表和一条示例）。"""
    from govcat import standard
    from govcat.publishing import workbook_writer

    workbook_writer.template(output, standard.load(workspace.generated))
    click.echo(f"已生成模板 {output}", err=True)
    return 0


@main.command()
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="输出文件（默认同名换扩展名）。")
@_guard
@_workspace
def convert(source: Path, output: Path | None, workspace: Workspace) -> int:
    """工作簿与 YAML 互转：FILE.xlsx -> catalog.yaml，catalog.yaml -> FILE.xlsx。"""
    from govcat import standard
    from govcat.publishing import convert as converter

    target = converter.run(source, output, standard.load(workspace.generated))
    click.echo(f"已转换 {source} -> {target}", err=True)
    return 0


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="写入文件而不是标准输出。")
@click.option("--as-of", callback=_as_of, metavar="YYYY-MM-DD", help="更新及时性的判定日期（默认今天）。")
@click.option("--db", "db_url", metavar="URL",
              help="目录库（数据质量结果与指标快照）：SQLite 文件路径或 postgresql://…（默认 build/govcat.db）。")
@click.option("--since", callback=_optional_date, metavar="YYYY-MM-DD",
              help="同时给出自该日期以来各部门的指标趋势（来自 govcat load 记录的快照）。")
@_guard
@_workspace
@_caching
def report(paths: tuple[Path, ...], fmt: str, output: Path | None, as_of: date, db_url: str | None,
           since: date | None, workspace: Workspace, caching: Any) -> int:
    """各部门合规指标：数据元映射率、挂接率、共享率、开放率、更新及时率、数据质量与校验发现；--since 给出趋势。"""
    import json

    from govcat import jobs
    from govcat.publishing import metrics

    board = jobs.dashboard(list(paths) or [Path("catalogs")], as_of, workspace, db_url, caching=caching)
    history = jobs.history(db_url, since) if since is not None else None
    if fmt == "json":
        data = metrics.as_dict(board)
        if history is not None and since is not None:
            data["trend"] = {"since": since.isoformat(), **metrics.trend_dict(history)}
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        text = metrics.as_markdown(board)
        if history is not None and since is not None:
            text += "\n" + metrics.trend_markdown(history, since)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    return 0


@main.command()
@click.option("--from", "from_", metavar="REV|PATH|VERSION", help="旧版本：已发布的版本、标准仓库文件夹或 git 版本（默认最新发布的版本）。")
@click.option("--to", metavar="REV|PATH|VERSION", help="新版本（默认工作区当前的标准）。")
@click.option("--impact", is_flag=True, help="在两个版本下分别校验目录（默认 catalogs/，或给出的路径），列出新增和消失的发现。")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(["breaking", "compatible", "editorial"]), default="breaking",
              show_default=True, help="存在该类别或更严重的变更时以 1 退出。")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="写入文件而不是标准输出。")
@click.option("--as-of", callback=_as_of, metavar="YYYY-MM-DD", help="--impact 的判定日期（默认今天）。")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@_guard
@_workspace
def diff(from_: str | None, to: str | None, impact: bool, paths: tuple[Path, ...], fmt: str, fail_on: str,
         output: Path | None, as_of: date, lang: str, workspace: Workspace) -> int:
    """比较标准的两个版本：每项变更的代码、类别（破坏性/兼容/编辑性）与要求的版本升级；--impact 列出对目录的影响。"""
    from govcat.lifecycle import render, sources
    from govcat.lifecycle.impact import effects
    from govcat.standard.diff import at_least, compare

    if paths and not impact:
        raise UsageError("给出路径时请同时使用 --impact")
    with sources.scratch() as scratch:
        old = sources.resolve(from_, workspace, Path(scratch), default="latest")
        new = sources.resolve(to, workspace, Path(scratch), default="working")
        result = compare(old.model, new.model)
        found = None
        if impact:
            catalogs = list(paths) or [(workspace.root or Path.cwd()) / "catalogs"]
            found = effects(catalogs, old.folder, new.folder, workspace, as_of, lang)
        rendered = render.render(fmt, result, found, lang)
    if output is not None:
        output.write_text(rendered, encoding="utf-8")
    else:
        click.echo(rendered, nl=False)
    return 1 if any(at_least(c.klass, fail_on) for c in result.changes) else 0


@main.command()
@click.option("--date", "on", callback=_as_of, metavar="YYYY-MM-DD", help="发布日期（默认今天）。")
@click.option("--dry-run", is_flag=True, help="只检查能否发布，不写文件。")
@_guard
@_workspace
def release(on: date, dry_run: bool, workspace: Workspace) -> int:
    """把当前标准冻结为 releases/<版本>/（标准索引、JSON Schema、SQL、model.json 与 CHANGES.md）。"""
    from govcat.lifecycle import release as releaser

    version, folder = releaser.run(workspace, on, dry_run=dry_run)
    click.echo(f"{'可以发布' if dry_run else '已发布'}标准 {version}：{folder}", err=True)
    return 0


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="GOVCAT_SERVE_HOST", help="监听地址。")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), envvar="GOVCAT_SERVE_PORT",
              help="监听端口。")
@click.option("--workers", type=click.IntRange(min=1), envvar="GOVCAT_SERVE_WORKERS", metavar="N",
              help="校验进程数（默认每个 CPU 核一个）。")
@click.option("--max-upload-mb", default=20, show_default=True, type=click.IntRange(min=1),
              envvar="GOVCAT_SERVE_MAX_UPLOAD_MB", help="一次上传的上限（MB），超过返回 413。")
@click.option("--queue", default=16, show_default=True, type=click.IntRange(min=0), envvar="GOVCAT_SERVE_QUEUE",
              help="可排队等待校验进程的请求数，再多返回 429。")
@click.option("--max-pending-mb", default=160, show_default=True, type=click.IntRange(min=1),
              envvar="GOVCAT_SERVE_MAX_PENDING_MB", help="已接纳请求的上传内容合计上限（MB），再多返回 429。")
@click.option("--time-limit", default=60.0, show_default=True, type=click.FloatRange(min=0.1),
              envvar="GOVCAT_SERVE_TIME_LIMIT", help="一次校验的时限（秒）。")
@click.option("--max-unzipped-mb", default=200, show_default=True, type=click.IntRange(min=1),
              envvar="GOVCAT_SERVE_MAX_UNZIPPED_MB", help="工作簿解压后的上限（MB），防压缩炸弹。")
@click.option("--max-rows", default=100_000, show_default=True, type=click.IntRange(min=1), envvar="GOVCAT_SERVE_MAX_ROWS",
              help="工作簿各工作表合计的行数上限：校验进程的内存与行数成正比（20 万行约需 600 MB）。")
@click.option("--worker-memory-mb", type=click.IntRange(min=64), envvar="GOVCAT_SERVE_WORKER_MEMORY_MB",
              help="每个校验进程的地址空间上限（MB；默认不限）。")
@click.option("--tmp-dir", type=click.Path(file_okay=False, exists=True), envvar="GOVCAT_SERVE_TMP_DIR",
              help="校验时存放上传文件的私有临时文件夹所在位置（默认 /dev/shm，只在内存中；没有时为系统临时目录）。")
@click.option("--docs-url", envvar="GOVCAT_DOCS_URL", metavar="URL", help="文档站地址：规则说明链接到其规则页。")
@_guard
@_workspace
def serve(host: str, port: int, workers: int | None, max_upload_mb: int, queue: int, max_pending_mb: int,
          time_limit: float, max_unzipped_mb: int, max_rows: int, worker_memory_mb: int | None, tmp_dir: str | None,
          docs_url: str | None, workspace: Workspace) -> int:
    """在线校验服务：上传工作簿或 YAML，得到定位到单元格的校验报告与带批注的工作簿。"""
    try:
        from govcat.serve.app import ServeConfig, run
    except ImportError as exc:
        raise UsageError(f"serve 需要额外的依赖：pip install 'govcat[serve]'（{exc}）") from exc
    from govcat.checking.workers import cores

    return run(ServeConfig(host=host, port=port, workers=workers or cores(), queue=queue, max_upload_mb=max_upload_mb,
                           max_pending_mb=max_pending_mb, time_limit=time_limit, max_unzipped_mb=max_unzipped_mb,
                           max_rows=max_rows, worker_memory_mb=worker_memory_mb, tmp_dir=tmp_dir, docs_url=docs_url,
                           workspace=workspace))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--to", metavar="VERSION", help="目标版本：已发布的版本或当前标准（默认当前标准）。")
@click.option("--check", is_flag=True, help="只显示将要做的改动（统一差异格式）；有改动时以 1 退出。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="需要人工决定的事项（及 --check 的改动）的输出格式。")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="消息语言。")
@_guard
@_workspace
def migrate(paths: tuple[Path, ...], to: str | None, check: bool, fmt: str, lang: str, workspace: Workspace) -> int:
    """把目录（YAML 与 .xlsx）从声明的标准版本改写到目标版本：改名的字段、被替代的取值和数据元、standard_version。"""
    from govcat.lifecycle import migrate as migration

    outcome = migration.run(migration.Settings(paths=list(paths) or [Path("catalogs")], to=to, check=check,
                                               lang=lang, workspace=workspace))
    click.echo(migration.render(outcome, fmt), nl=False)
    click.echo(migration.summary(outcome), err=True, nl=False)
    return 1 if check and outcome.changed else 0


@main.command()
@click.option("--as-of", callback=_as_of, metavar="YYYY-MM-DD", help="更新及时性的判定日期（默认今天）。")
@_guard
@_workspace
@_caching
def build(as_of: date, workspace: Workspace, caching: Any) -> int:
    """主任务：生成产物，校验全部目录并装入 SQLite 目录库（记录合规指标快照），构建文档站。"""
    from govcat import jobs

    return jobs.build(workspace, as_of, caching)


# --- govcat data (SPEC §6.3) -------------------------------------------------------------------------

_DATA_FORMATS = ["auto", "text", "json", "sarif", "junit", "github"]


def _data_output(report: Any, fmt: str, output: Path | None, fail_on: str) -> int:
    from govcat.data import render

    return _emit(report, fmt, output, fail_on, text=render.render)


def _data_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--format", "fmt", type=click.Choice(_DATA_FORMATS), default="auto", show_default=True,
                     help="输出格式；auto 在 GitHub Actions 中为 github，否则为 text。"),
        click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="写入文件而不是标准输出。"),
        click.option("--fail-on", type=click.Choice(list(FAIL_LEVELS)), default="error", show_default=True,
                     help="达到该级别的发现时以 1 退出。"),
        click.option("--as-of", callback=_as_of, metavar="YYYY-MM-DD", help="未来日期与时效性的判定日期（默认今天）。"),
        click.option("--sample", type=click.IntRange(min=0), default=20, show_default=True,
                     help="每项检查列出的不合格行数。"),
        click.option("--show-values", is_flag=True, help="样例中显示个人信息的原值（默认打码）。"),
        click.option("--engine", type=click.Choice(["duckdb", "postgres", "spark"]),
                     help="检查引擎（默认 duckdb；PostgreSQL 表默认在库内检查）。"),
        click.option("--db", "db_url", metavar="URL",
                     help="--engine postgres：在哪个 PostgreSQL 中检查文件；--record：目录库（默认 build/govcat.db）。"),
        click.option("--spark-master", metavar="URL", help="--engine spark：Spark master（默认 local[*]）。"),
        click.option("--catalog", type=click.Path(path_type=Path, dir_okay=False), help="从该目录文件中查找信息资源。"),
        click.option("--mapping", type=click.Path(path_type=Path, dir_okay=False),
                     help="列映射文件（YAML：信息项名称: 列名）。"),
        click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="消息语言。"),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.group()
def data() -> None:
    """检查共享的数据本身：数据元的类型、格式、代码集、校验码、主键、一致性与时效性（GC8xx）。"""


@data.command("check")
@click.argument("resource")
@click.argument("sources", nargs=-1, required=True, metavar="DATA...")
@_data_options
@click.option("--record", is_flag=True, help="把结果存入目录库（govcat load 的数据库），供 govcat report 与看板显示。")
@_guard
@_workspace
def data_check(resource: str, sources: tuple[str, ...], fmt: str, output: Path | None, fail_on: str, as_of: date,
               sample: int, show_values: bool, engine: str | None, db_url: str | None, spark_master: str | None,
               catalog: Path | None, mapping: Path | None, lang: str, record: bool, workspace: Workspace) -> int:
    """按目录中的信息资源 RESOURCE 检查数据 DATA（CSV/TSV/xlsx/Parquet/JSON Lines/sqlite:///f.db#表/postgresql://…#表）。"""
    from govcat import jobs
    from govcat.data.check import Settings

    settings = Settings(resource=resource, data=list(sources), workspace=workspace, catalog=catalog, mapping=mapping,
                        engine=engine, sample=sample, as_of=as_of, show_values=show_values, lang=lang,
                        spark_master=spark_master, postgres_url=db_url if engine == "postgres" else None)
    report = jobs.data_check(settings, db_url if record else None, record)
    return _data_output(report, fmt, output, fail_on)


@data.command("compare")
@click.option("--key", required=True, metavar="ELEMENT", help="关联键的数据元（标识符 DE00101、中文名称或英文名称）。")
@click.argument("pairs", nargs=-1, required=True, metavar="RESOURCE=DATA...")
@_data_options
@_guard
@_workspace
def data_compare(key: str, pairs: tuple[str, ...], fmt: str, output: Path | None, fail_on: str, as_of: date,
                 sample: int, show_values: bool, engine: str | None, db_url: str | None, spark_master: str | None,
                 catalog: Path | None, mapping: Path | None, lang: str, workspace: Workspace) -> int:
    """一数多源：按关键数据元关联几个信息资源的数据，报告同一数据元取值不一致的键。"""
    from govcat.data import compare

    if engine not in (None, "duckdb"):
        raise UsageError("data compare 目前在 DuckDB 中运行（--engine duckdb）")
    settings = compare.Settings(key=key, pairs=list(pairs), workspace=workspace, catalog=catalog, sample=sample,
                                as_of=as_of, show_values=show_values, lang=lang)
    return _data_output(compare.run(settings), fmt, output, fail_on)


@data.command("sample")
@click.argument("resource")
@click.option("--output", "-o", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="输出文件：.csv、.tsv、.xlsx、.parquet 或 .jsonl。")
@click.option("--rows", required=True, type=click.IntRange(min=0), help="行数。")
@click.option("--defects", type=click.FloatRange(min=0, max=1), default=0.0, show_default=True,
              help="植入缺陷的行的比例；缺陷逐条列在 FILE.defects.csv 中。")
@click.option("--seed", type=int, default=0, show_default=True, help="随机种子（相同种子得到相同数据）。")
@click.option("--catalog", type=click.Path(path_type=Path, dir_okay=False), help="从该目录文件中查找信息资源。")
@_guard
@_workspace
def data_sample(resource: str, output: Path, rows: int, defects: float, seed: int, catalog: Path | None,
                workspace: Workspace) -> int:
    """为信息资源生成逼真的合成数据（校验码正确的身份号码与信用代码、真实的区划代码），可植入缺陷。"""
    from govcat.data import synthetic

    written = synthetic.write(resource, output, rows, defects, seed, workspace, catalog)
    click.echo(f"已生成 {output}（{rows} 行" + (f"，{written} 处缺陷见 {synthetic.defects_path(output)}）" if defects
                                               else "）"), err=True)
    return 0
