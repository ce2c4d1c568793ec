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

from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import date
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from govcat import __version__, standard
from govcat.checking import cache, config, index, stage, workers
from govcat.checking.changes import find as find_changes
from govcat.checking.outcome import Outcome
from govcat.checking.rules import RULES, Rule
from govcat.checking.rules.base import Context
from govcat.checking.scope import discover
from govcat.core.access import items_of, obj, text
from govcat.core.document import FATAL_CODES, Document, Problem
from govcat.core.errors import UsageError
from govcat.core.findings import Finding, Report
from govcat.core.paths import display, docs_url, real
from govcat.core.workspace import Workspace, locate
from govcat.reading import files, remote
from govcat.standard.library import Library, releases


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
    workspace: Workspace | None = None  # the standards repository; None: the one the current directory is in
    isolated: bool = False  # validate the given files alone, without the rest of their workspace as context
    # The incremental cache of stage-1 results (cache.py): used when True, in `cache_dir` or else in
    # `.govcat_cache/` at the workspace root. Off by default for library callers; the CLI turns it on.
    cache: bool = False
    cache_dir: Path | None = None
    # What later stages need of each checked file, made where it is read (stage.Product); handed in
    # by the jobs layer (the database rows of `govcat load`, the metrics of `govcat report`).
    products: tuple[stage.Product, ...] = ()
    # Validate against the standard generated in this folder, whatever version the catalogs declare
    # (`govcat diff --impact` compares two versions this way); None: the workspace's, by version.
    edition: Path | None = None


def active_rules(select: tuple[str, ...], ignore: tuple[str, ...]) -> list[Rule]:
    """Rules chosen by code or code prefix (`GC4` = every GC4xx), as ruff selects."""
    for code in (*select, *ignore):
        if not any(r.code.startswith(code) for r in RULES):
            raise UsageError(f"未知的规则代码：{code}（`govcat rules` 列出全部规则）")
    chosen = [r for r in RULES if not select or any(r.code.startswith(c) for c in select)]
    return [r for r in chosen if not any(r.code.startswith(c) for c in ignore)]


def registry_table(doc: Document) -> dict[str, dict[str, Any]] | None:
    """The registry's departments by code (the first of a repeated code wins), or None if unreadable."""
    if not doc.loaded:
        return None
    table: dict[str, dict[str, Any]] = {}
    for dept in items_of(obj(doc.data).get("departments")):
        code = text(obj(dept).get("code"))
        if code:
            table.setdefault(code, dept)
    return table


def validate(settings: Settings) -> Report:
    return run(settings, keep_documents=False, report_only=True).report


def run(settings: Settings, *, keep_documents: bool = True, report_only: bool = False) -> Outcome:
    """A validation. ``report_only``: the caller reads only the report (`validate`); with the cache,
    such a run may replay the last one (`_replay`) and its outcome then has no summaries."""
    rules = active_rules(settings.select, settings.ignore)
    ws = discover(settings.paths, settings.registry, isolated=settings.isolated)
    workspace = settings.workspace or locate(None, settings.cwd)
    std = standard.load(settings.edition or workspace.generated)
    cfg_path = config.find(ws.start) if settings.use_config else None
    cfg = config.load(cfg_path, display(cfg_path, settings.cwd) if cfg_path else "", {r.code for r in RULES},
                      set(std.frequencies), {*std.resource_classes, *std.resource_items})
    std = std.with_policy(cfg.min_frequency, cfg.grace_days)
    # Without a registry (a department's file outside any workspace) registration is not judged:
    # the province's registry is its data, not part of the standard (the report says so).
    registry_shown, registry_note = None, None
    if ws.registry is None and cfg.registry is not None:
        ws.registry, registry_shown, registry_note = _configured_registry(cfg, settings, workspace)
    registry = stage.load(ws.registry, settings.cwd, std, role="registry") if ws.registry is not None else None
    if registry is not None and registry_shown is not None:
        registry.display = registry_shown
        if not registry.loaded:  # a page of HTML, a broken file: registration cannot be judged against it
            codes = "、".join(sorted({p.code for p in registry.problems if p.code in FATAL_CODES}))
            raise UsageError(f"配置文件 {cfg.display} 的 registry 指定的提供方名录 {registry_shown} 无法读取"
                             f"（{codes}；`govcat validate --registry 文件` 可看到具体位置）")
    ctx = Context(std=std, as_of=settings.as_of, registry=registry_table(registry) if registry else None,
                  registry_dir=ws.registry_dir,
                  library=Library(std, {} if settings.edition else releases(workspace.data)))

    file_rules = [r for r in rules if r.scope == "file"]
    workspace_rules = [r for r in rules if r.scope == "workspace"]
    store = None
    if settings.cache and not keep_documents:
        store = _cache(settings, ws, workspace, std, cfg_path, file_rules)
    # A report-only run keeps a record of what it found in the cache, and the next one replays it
    # when nothing the workspace rules read has changed (`_replay`).
    record_key, previous = None, None
    if store is not None and report_only and not settings.products and not settings.changed_since:
        record_key = cache.digest(store.salt, ",".join(r.code for r in rules), *map(str, ws.catalogs), "|",
                                  *map(str, ws.context))
        previous = store.record(record_key)
    contents = cache.digests(ws.catalogs, previous) if store is not None else None
    context_contents = cache.digests(ws.context, previous) if store is not None else None
    replayed = (_replay(previous, ws, contents, context_contents, file_rules, ctx, settings, store)
                if previous is not None and store is not None and contents is not None
                and context_contents is not None else None)
    if replayed is not None:
        results, context, found = replayed
        docs = [result.doc for result in results]
    else:
        results = _stage_one(ws.catalogs, file_rules, ctx, settings, keep_documents, store,
                             products=settings.products, contents=contents)
        docs = [result.doc for result in results]
        # The rest of the workspace: read for the cross-catalog rules only (no file-scope rule runs
        # there, and nothing is reported there), so a department's folder is judged as in the whole.
        # Of the context only what can matter to the reported files is read and kept (their codes,
        # names, element sets: index.wanted); the cache keeps it under what they wanted.
        reading = replace(ctx, wanted=index.wanted(docs)) if ws.context else ctx
        context = _stage_one(ws.context, [], reading, settings, False, store, also=file_rules,
                             contents=context_contents)
        ctx = replace(ctx, index=index.build(docs + [result.doc for result in context],
                                             focus=docs if context else None))
        found = [stage.run_rules(workspace_rules, doc, ctx, settings.lang) for doc in docs]
    if store is not None:
        if record_key is not None and contents is not None and context_contents is not None and (
                replayed is None or _moved(previous, contents, context_contents)):
            _keep_record(store, record_key, ws, results, found, contents, context, context_contents)
        store.prune()
    findings = [f for result in results for f in result.findings] + [f for listed in found for f in listed]
    for folder, exc in ws.unreadable:  # a folder that could not be listed: its catalogs went unchecked
        doc = Document(path=folder, display=display(folder, settings.cwd), role="catalog",
                       problems=[files.unreadable(exc, folder=True)])
        findings.extend(stage.run_rules(file_rules, doc, ctx, settings.lang))
    if ws.registry_in_scope and registry is not None:
        findings.extend(stage.run_rules(rules, registry, ctx, settings.lang))

    report = Report(standard_version=std.version, as_of=settings.as_of.isoformat(), lang=settings.lang,
                    files=len(docs) + ws.registry_in_scope, resources=sum(r.resources for r in results),
                    items=sum(r.items for r in results), context_files=len(context),
                    registry=registry.display if registry is not None else None)
    checked = [*docs, registry] if ws.registry_in_scope and registry is not None else docs
    report.paths = [doc.display for doc in checked]
    findings, config_doc = _apply_config(findings, cfg, settings, partial=bool(ws.context))
    if config_doc is not None:
        findings.extend(stage.run_rules(rules, config_doc, ctx, settings.lang))
    if settings.changed_since:
        changes = find_changes(settings.changed_since, checked, ws.start, std)
        kept = [f for f in findings if changes.keeps(f.file, f.pointer) or f.file == cfg.display]
        report.changed_since = {"revision": settings.changed_since, "left_out": len(findings) - len(kept)}
        findings = kept
    report.findings = sorted(findings, key=Finding.sort_key)
    report.docs_url = cfg.docs_url or docs_url(workspace.root)
    if registry_note:
        report.extra["notes"] = [registry_note]
    report.rule_summaries = {code: std.rule_summary(code, settings.lang) for code in {f.code for f in findings}}
    return Outcome(report, docs, ctx.registry, std, ws.registry_dir, [result.products for result in results])


def _configured_registry(cfg: config.Config, settings: Settings, workspace: Workspace
                         ) -> tuple[Path, str, str | None]:
    """The registry `.govcat.yaml` names (config.load checked that a file exists): a file, or the
    province's URL fetched into the cache folder (reading/remote.py). Its path, how it is shown, a note."""
    assert cfg.registry is not None and cfg.file is not None
    if not remote.is_url(cfg.registry):
        return Path(cfg.registry), display(Path(cfg.registry), settings.cwd), None
    folder = cache.folder_for(settings.cache_dir, [workspace.root, cfg.file.parent])
    assert folder is not None  # the configuration's folder is always known
    fetched = remote.fetch(cfg.registry, folder / "registry", settings.lang)
    return fetched.path, cfg.registry, fetched.note


def _replay(previous: dict[str, Any], ws: Any, contents: list[str], context_contents: list[str],
            file_rules: list[Rule], ctx: Context, settings: Settings, store: cache.Cache
            ) -> tuple[list[stage.FileResult], list[stage.FileResult], list[list[Finding]]] | None:
    """The last run again, without the workspace stage: the results of each file and its workspace
    findings, or None when the workspace stage must run.

    The workspace rules read the files' summaries only (summary.py). Where every file's summary
    digest is the last run's, they find what they found then, so their findings are replayed; a
    changed file's stage 1 runs again (from its cache entry, or in workers) to learn its summary.
    Replayed only where positions cannot have moved: the workspace findings of unchanged files that
    name no changed file ("first used at file:line"), and none in a changed file. Cost: reading the
    record and the changed files, instead of building the index over every catalog (about 1 s at 300
    departments) and reading every cache entry."""
    try:
        files, context = previous["files"], previous["context"]
        if [f["path"] for f in files] != list(map(str, ws.catalogs)) or \
                [c["path"] for c in context] != list(map(str, ws.context)):
            return None
        changed = [i for i, f in enumerate(files) if f["content"] != contents[i]]
        changed_context = [i for i, c in enumerate(context) if c["content"] != context_contents[i]]
        moved = {files[i]["display"] for i in changed} | {context[i]["display"] for i in changed_context}
        for i, f in enumerate(files):
            if i in changed and f["workspace"]:
                return None  # its findings' positions may have moved with its lines
            if i not in changed and any(name in w["message"] for w in f["workspace"] for name in moved):
                return None  # they name a place in a changed file
        fresh = dict(zip(changed, _stage_one([ws.catalogs[i] for i in changed], file_rules, ctx, settings, False,
                                             store, contents=[contents[i] for i in changed]), strict=True))
        fresh_context = dict(zip(changed_context, _stage_one(
            [ws.context[i] for i in changed_context], [], ctx, settings, False, store, also=file_rules,
            contents=[context_contents[i] for i in changed_context]), strict=True))
        if any(r.summary_digest is None or r.summary_digest != files[i]["summary"] for i, r in fresh.items()) or \
                any(r.summary_digest is None or r.summary_digest != context[i]["summary"]
                    for i, r in fresh_context.items()):
            return None

        def kept(path: Path, entry: dict[str, Any], findings: list[Any]) -> stage.FileResult:
            doc = Document(path=path, display=str(entry["display"]), role="catalog", summary=True)
            return stage.FileResult(doc, [cache.finding(f) for f in findings], int(entry.get("resources", 0)),
                                    int(entry.get("items", 0)), summary_digest=str(entry["summary"]))

        results = [fresh[i] if i in fresh else kept(ws.catalogs[i], f, f["findings"]) for i, f in enumerate(files)]
        others = [fresh_context[i] if i in fresh_context else kept(ws.context[i], c, [])
                  for i, c in enumerate(context)]
        return results, others, [[cache.finding(w) for w in f["workspace"]] for f in files]
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None  # a record of another shape: not trusted


def _moved(previous: dict[str, Any] | None, contents: list[str], context_contents: list[str]) -> bool:
    """Whether a file's bytes differ from the record's (it is then written again for the next run)."""
    if previous is None:
        return True
    return ([f.get("content") for f in previous.get("files", [])] != contents
            or [c.get("content") for c in previous.get("context", [])] != context_contents)


def _keep_record(store: cache.Cache, key: str, ws: Any, results: list[stage.FileResult], found: list[list[Finding]],
                 contents: list[str], context: list[stage.FileResult], context_contents: list[str]) -> None:
    """What this run found, per file, for the next run to replay (`_replay`)."""
    if any(r.summary_digest is None for r in (*results, *context)):
        return  # a file the cache could not keep: nothing to compare its summary with next time
    store.keep_record(key, {
        "files": [{"path": str(path), "display": r.doc.display, "stat": cache.stat_of(path), "content": content,
                   "summary": r.summary_digest, "resources": r.resources, "items": r.items,
                   "findings": [cache.finding_data(f) for f in r.findings],
                   "workspace": [cache.finding_data(f) for f in listed]}
                  for path, r, content, listed in zip(ws.catalogs, results, contents, found, strict=True)],
        "context": [{"path": str(path), "display": r.doc.display, "stat": cache.stat_of(path), "content": content,
                     "summary": r.summary_digest}
                    for path, r, content in zip(ws.context, context, context_contents, strict=True)],
    })


def _stage_one(paths: list[Path], rules: list[Rule], ctx: Context, settings: Settings, keep: bool,
               store: cache.Cache | None, also: list[Rule] | None = None,
               products: tuple[stage.Product, ...] = (), contents: list[str] | None = None) -> list[stage.FileResult]:
    """Stage 1 of every file, from the cache where an entry is there, in workers for the rest.
    ``also``: another rule set whose entries serve as well (a checked file's entry holds the summary
    a context file needs). ``products``: made of each file that wants them (stage.Product); a taken
    product goes to its consumer as its file is done and is not kept in the result."""
    wanted = [tuple(p for p in products if p.wants(path)) for path in paths]

    def done(path: Path, result: stage.FileResult) -> stage.FileResult:
        for product in products:
            if product.take is not None and product.name in result.products:
                product.take(path, result.products.pop(product.name))
        return result

    if store is None:
        with closing(workers.check_files(paths, settings.cwd, rules, ctx, settings.lang, keep, settings.jobs,
                                         wanted)) as results:
            return [done(path, result) for path, result in zip(paths, results, strict=True)]
    # Entries of different rule sets, and with different products kept, are kept apart: both are in the salt.
    kept = [p.name for p in products if p.cached]
    # Summaries read for what some files wanted are kept apart from whole ones, under what they wanted
    # (whole ones, a checked file's, serve them too: `also`).
    salted = cache.Cache(store.folder, cache.digest(store.salt, ",".join(r.code for r in rules), *kept,
                                                    *(ctx.wanted.digest_parts() if ctx.wanted else ())))
    shown = [display(path, settings.cwd) for path in paths]
    if contents is None:
        contents = [cache.file_digest(path) for path in paths]
    keys = [salted.key(path, name, content) for path, name, content in zip(paths, shown, contents, strict=True)]
    # A file that wants a product the cache does not keep is read again.
    found = [None if any(not p.cached for p in chosen) else salted.get(key, path, name, kept)
             for key, path, name, chosen in zip(keys, paths, shown, wanted, strict=True)]
    if also is not None and not products:
        other = cache.Cache(store.folder, cache.digest(store.salt, ",".join(r.code for r in also)))
        for i, result in enumerate(found):
            if result is None:
                found[i] = other.get(other.key(paths[i], shown[i], contents[i]), paths[i], shown[i])
    missing = [i for i, result in enumerate(found) if result is None]
    with closing(workers.check_files([paths[i] for i in missing], settings.cwd, rules, ctx, settings.lang, False,
                                     settings.jobs, [wanted[i] for i in missing])) as computed:
        for i, result in zip(missing, computed, strict=True):
            # Cached before the consumer takes its product: a product the cache keeps is written with it.
            salted.put(keys[i], result, kept)
            found[i] = done(paths[i], result)
    store.written += salted.written
    return [result for result in found if result is not None]


def _cache(settings: Settings, ws: Any, workspace: Workspace, std: standard.Standard, cfg_path: Path | None,
           rules: list[Rule]) -> cache.Cache | None:
    """The cache of this run, salted with everything a file's stage-1 result depends on."""
    root = workspace.root or (ws.registry_dir.parent if ws.registry_dir is not None else None)
    folder = cache.folder_for(settings.cache_dir, [root])
    if folder is None:
        return None
    folder_of_std = std.folder or Path(".")
    salt = cache.digest(
        __version__, str(cache.FORMAT), settings.as_of.isoformat(), settings.lang, str(settings.cwd.resolve()),
        *(cache.file_digest(folder_of_std / name) for name in ("standard.json", "catalog.schema.json")),
        str(cfg_path.resolve()) if cfg_path else "", cache.file_digest(cfg_path),
        str(ws.registry_dir or ""), cache.file_digest(ws.registry),
        *(cache.file_digest(folder / "standard.json") for folder in releases(workspace.data).values()),
    )
    return cache.Cache(folder, salt)


def _apply_config(findings: list[Finding], cfg: config.Config, settings: Settings, *, partial: bool
                  ) -> tuple[list[Finding], Document | None]:
    """Severity overrides, per-path ignores and waivers. Waivers that expired or matched nothing
    become problems of the configuration file, reported by GC007 / GC008 at the waiver — only when
    the whole workspace is validated (``partial``: a waiver for another department's files matches
    nothing in this run without being unused)."""
    if cfg.file is None:
        return findings, None
    base = real(cfg.file).parent
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
    if partial:
        return kept, None
    doc = Document(path=cfg.file, display=cfg.display, role="config", sourcemap=None)
    for i, w in enumerate(cfg.waivers):
        target = w.resource or w.path or ""
        args = {"rule": w.rule, "target": target, "expires": w.expires.isoformat(), "approved_by": w.approved_by}
        if w.expires < settings.as_of:
            doc.problems.append(Problem("GC007", f"/waivers/{i}", args, w.span))
        elif i not in used:
            doc.problems.append(Problem("GC008", f"/waivers/{i}", args, w.span))
    return kept, doc


def _relative(path: Path, base: Path) -> str:
    try:
        return real(path).relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()

