"""The engine, in two stages.

1. Each catalog file on its own: read it, check its conformance, run the file-scope rules and
   locate their findings. Files are independent here, so a large workspace is spread over worker
   processes (one per core); each returns its findings and the file's summary (summary.py).
2. The workspace: build the index over every catalog once, run the workspace-scope rules (codes,
   names, related codes, 一数多源) and the registry's rules.

Positions are resolved only for findings. Callers that need every document afterwards (the
database load, the dashboard) ask for them with ``keep_documents``; then everything runs in this
process.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from govcat import config, conformance, index, loader, parallel, standard, summary
from govcat.access import items_of, obj, resources, text
from govcat.changes import find as find_changes
from govcat.report import Finding, Report
from govcat.rules import RULES, Rule
from govcat.rules.base import Context, Hit
from govcat.sourcemap import Span, resolve, split
from govcat.workspace import UsageError, discover, display


@dataclass
class Settings:
    paths: list[Path]
    as_of: date = field(default_factory=date.today)
    registry: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    lang: str = "zh"
    cwd: Path = field(default_factory=Path.cwd)
    changed_since: str | None = None
    use_config: bool = True
    jobs: int | None = None  # worker processes for stage 1; None: one per available core


def active_rules(select: tuple[str, ...], ignore: tuple[str, ...]) -> list[Rule]:
    """Rules chosen by code or code prefix (`GC4` = every GC4xx), as ruff selects."""
    for code in (*select, *ignore):
        if not any(r.code.startswith(code) for r in RULES):
            raise UsageError(f"未知的规则代码：{code}（`govcat rules` 列出全部规则）")
    chosen = [r for r in RULES if not select or any(r.code.startswith(c) for c in select)]
    return [r for r in chosen if not any(r.code.startswith(c) for c in ignore)]


def registry_table(doc: loader.Document) -> dict[str, dict[str, Any]] | None:
    """The registry's departments by code (the first of a repeated code wins), or None if unreadable."""
    if not doc.loaded:
        return None
    table: dict[str, dict[str, Any]] = {}
    for dept in items_of(obj(doc.data).get("departments")):
        code = text(obj(dept).get("code"))
        if code:
            table.setdefault(code, dept)
    return table


def _record(doc: loader.Document, pointer: str) -> dict[str, Any] | None:
    tokens = split(pointer)
    if doc.role != "catalog" or len(tokens) < 2 or tokens[0] != "resources" or not tokens[1].isdigit():
        return None
    resources = items_of(obj(doc.data).get("resources"))
    i = int(tokens[1])
    res = obj(resources[i]) if i < len(resources) else {}
    code, name = res.get("code"), res.get("name")
    return {"code": code if isinstance(code, str) else None, "name": name if isinstance(name, str) else None}


def _finding(rule: Rule, hit: Hit, doc: loader.Document, lang: str) -> Finding:
    # A document with nothing to point at (an empty file) is located at its start.
    span: Span | None = hit.span or resolve(doc.sourcemap, hit.pointer) or Span(1, 1)
    return Finding(
        code=rule.code, name=rule.name, severity=hit.severity or rule.severity,
        message=rule.message(lang, hit.args), file=doc.display,
        line=span.line if span else None, column=span.column if span else None,
        end_line=span.end_line if span else None, end_column=span.end_column if span else None,
        pointer=hit.pointer, sheet=span.sheet if span else None, cell=span.cell if span else None,
        record=_record(doc, hit.pointer),
    )


def load(path: Path, cwd: Path, role: str = "catalog") -> loader.Document:
    """One file read and checked against the JSON Schema."""
    doc = loader.load(path, display(path, cwd), role=role)
    if doc.data is not None:
        conformance.check(doc)
    return doc


@dataclass
class FileResult:
    """Stage 1 of one catalog file."""

    doc: loader.Document  # the whole document, or its summary (summary.py) when not kept
    findings: list[Finding]
    resources: int
    items: int


def check_file(path: Path, cwd: Path, rules: list[Rule], ctx: Context, lang: str, keep: bool) -> FileResult:
    doc = load(path, cwd)
    findings = _run(rules, doc, ctx, lang)
    listed = resources(doc)
    items = sum(len(items_of(res.get("items"))) for _, res in listed)
    return FileResult(doc if keep else summary.of(doc), findings, len(listed), items)


@dataclass
class Outcome:
    """A validation run: the report, and what it read, for consumers that need more (the dashboard)."""

    report: Report
    docs: list[loader.Document]  # the catalogs: whole with keep_documents, else their summaries
    registry: dict[str, dict[str, Any]] | None
    std: standard.Standard  # with the workspace's policy applied, as the rules saw it


def validate(settings: Settings) -> Report:
    return run(settings, keep_documents=False).report


def run(settings: Settings, *, keep_documents: bool = True) -> Outcome:
    rules = active_rules(settings.select, settings.ignore)
    ws = discover(settings.paths, settings.registry)
    std = standard.load()
    cfg_path = config.find(ws.start) if settings.use_config else None
    cfg = config.load(cfg_path, display(cfg_path, settings.cwd) if cfg_path else "", {r.code for r in RULES},
                      set(std.frequencies))
    std = std.with_policy(cfg.min_frequency, cfg.grace_days)
    registry = load(ws.registry, settings.cwd, role="registry")
    ctx = Context(std=std, as_of=settings.as_of, registry=registry_table(registry), registry_dir=ws.registry_dir)

    file_rules = [r for r in rules if r.scope == "file"]
    stage = parallel.check_files(ws.catalogs, settings.cwd, file_rules, ctx, settings.lang, keep_documents,
                                 settings.jobs)
    docs = [result.doc for result in stage]
    ctx = replace(ctx, index=index.build(docs))
    workspace_rules = [r for r in rules if r.scope == "workspace"]
    findings = [f for result in stage for f in result.findings]
    for doc in docs:
        findings.extend(_run(workspace_rules, doc, ctx, settings.lang))
    if ws.registry_in_scope:
        findings.extend(_run(rules, registry, ctx, settings.lang))

    report = Report(standard_version=std.version, as_of=settings.as_of.isoformat(), lang=settings.lang,
                    files=len(docs) + ws.registry_in_scope, resources=sum(r.resources for r in stage),
                    items=sum(r.items for r in stage))
    checked = [*docs, registry] if ws.registry_in_scope else docs
    report.paths = [doc.display for doc in checked]
    findings, config_doc = _apply_config(findings, cfg, settings)
    if config_doc is not None:
        findings.extend(_run(rules, config_doc, ctx, settings.lang))
    if settings.changed_since:
        changes = find_changes(settings.changed_since, checked, ws.start)
        kept = [f for f in findings if changes.keeps(f.file, f.pointer) or f.file == cfg.display]
        report.changed_since = {"revision": settings.changed_since, "left_out": len(findings) - len(kept)}
        findings = kept
    report.findings = sorted(findings, key=Finding.sort_key)
    return Outcome(report, docs, ctx.registry, std)


def _run(rules: list[Rule], doc: loader.Document, ctx: Context, lang: str) -> list[Finding]:
    return [_finding(rule, hit, doc, lang) for rule in rules if doc.role in rule.roles
            for hit in rule.check(doc, ctx)]


def _apply_config(findings: list[Finding], cfg: config.Config, settings: Settings
                  ) -> tuple[list[Finding], loader.Document | None]:
    """Severity overrides, per-path ignores and waivers. Waivers that expired or matched nothing
    become problems of the configuration file, reported by GC007 / GC008 at the waiver."""
    if cfg.file is None:
        return findings, None
    base = cfg.file.resolve().parent
    kept: list[Finding] = []
    used: set[int] = set()
    for f in findings:
        level = cfg.severity.get(f.code, f.severity)
        if level == "off":
            continue
        rel = _relative(settings.cwd / f.file, base)
        if any(fnmatch(rel, pattern) and (not codes or f.code in codes) for pattern, codes in cfg.ignore):
            continue
        waiver = next((i for i, w in enumerate(cfg.waivers) if w.matches(f.code, rel, f.record)), None)
        if waiver is not None and cfg.waivers[waiver].expires >= settings.as_of:
            used.add(waiver)
            continue
        kept.append(replace(f, severity=level) if level != f.severity else f)
    doc = loader.Document(path=cfg.file, display=cfg.display, role="config", sourcemap=None)
    for i, w in enumerate(cfg.waivers):
        target = w.resource or w.path or ""
        args = {"rule": w.rule, "target": target, "expires": w.expires.isoformat(), "approved_by": w.approved_by}
        if w.expires < settings.as_of:
            doc.problems.append(loader.Problem("GC007", f"/waivers/{i}", args, w.span))
        elif i not in used:
            doc.problems.append(loader.Problem("GC008", f"/waivers/{i}", args, w.span))
    return kept, doc


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()

