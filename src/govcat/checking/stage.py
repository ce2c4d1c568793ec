"""Stage 1 of a run: one catalog file on its own — read it, check its conformance, run the
file-scope rules and locate their findings. The engine runs it in this process or, for a large
workspace, in worker processes (workers.py); it lives here so that neither imports the other.
Also the one place where a rule's hits become located findings (`run_rules`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from govcat.checking import conformance, summary
from govcat.checking.rules.base import Context, Hit, Rule
from govcat.core.access import items_of, obj, resources
from govcat.core.document import Document, Place, Span, resolve
from govcat.core.fields import YAML_SUFFIXES
from govcat.core.findings import Finding
from govcat.core.paths import display
from govcat.core.pointer import split
from govcat.reading import files, loader, sketch
from govcat.standard import Standard
from govcat.standard.library import Library


def _record(doc: Document, pointer: str) -> dict[str, Any] | None:
    tokens = split(pointer)
    if doc.role != "catalog" or len(tokens) < 2 or tokens[0] != "resources" or not tokens[1].isdigit():
        return None
    resources = items_of(obj(doc.data).get("resources"))
    i = int(tokens[1])
    res = obj(resources[i]) if i < len(resources) else {}
    code, name = res.get("code"), res.get("name")
    return {"code": code if isinstance(code, str) else None, "name": name if isinstance(name, str) else None}


def _finding(rule: Rule, hit: Hit, doc: Document, ctx: Context, lang: str) -> Finding:
    # A document with nothing to point at (an empty file) is located at its start.
    span: Span | None = hit.span or resolve(doc.sourcemap, hit.pointer) or Span(1, 1)
    args = {key: value.describe() if isinstance(value, Place) else value for key, value in hit.args.items()}
    severity, note = _severity(rule, hit, ctx, lang)
    return Finding(
        code=rule.code, name=rule.name, severity=severity,
        message=rule.message(lang, args) + note, file=doc.display,
        line=span.line if span else None, column=span.column if span else None,
        end_line=span.end_line if span else None, end_column=span.end_column if span else None,
        pointer=hit.pointer, sheet=span.sheet if span else None, cell=span.cell if span else None,
        record=_record(doc, hit.pointer),
    )


def _severity(rule: Rule, hit: Hit, ctx: Context, lang: str) -> tuple[str, str]:
    """The severity the standard gives the rule (its rule table; the code's default otherwise),
    and a note for a rule not yet enforced: before its `enforce_from` date an error is a warning."""
    entry = ctx.std.rules.get(rule.code) or {}
    severity = hit.severity or entry.get("severity") or rule.severity
    enforce_from = entry.get("enforce_from")
    if severity == "error" and enforce_from and ctx.as_of.isoformat() < str(enforce_from):
        return "warning", (f"（自 {enforce_from} 起按错误处理）" if lang != "en" else f" (an error from {enforce_from})")
    return severity, ""


def load(path: Path, cwd: Path, std: Standard, role: str = "catalog", library: Library | None = None) -> Document:
    """One file read and checked against the JSON Schema of the standard it declares (a release of
    the library when its `standard_version` names one, else ``std``); returns it with that standard."""
    doc = loader.load(path, display(path, cwd), std, role=role)
    if doc.data is not None:
        chosen = library.for_version(obj(doc.data).get("standard_version")) if library and role == "catalog" else std
        conformance.check(doc, chosen)
        doc.memo["standard"] = chosen
    return doc


@dataclass(frozen=True)
class Product:
    """What a later stage needs of each whole document (its database rows, its metric counts), made
    in stage 1 where the document is read anyway, so that no one reads the catalogs twice or holds
    them all. The jobs layer hands products in; this layer runs them and never knows what they are.

    ``make`` runs where the file is read (in a worker for a large workspace): its result must pickle.
    ``cached``: small and JSON-able, kept with the file's entry in the incremental cache, so a warm
    run has it too. ``wanted``: the files that need it (None: every checked file); a file that needs
    a product that is not cached is read again whatever the cache holds. ``take``: called in this
    process with each file's product as it arrives, in file order; the product is not kept then, so
    a consumer can stream it (into a database) instead of holding every file's at once.
    """

    name: str
    make: Callable[[Document, Context], Any]
    cached: bool = True
    wanted: Callable[[Path], bool] | None = None
    take: Callable[[Path, Any], None] | None = None

    def wants(self, path: Path) -> bool:
        return self.wanted is None or self.wanted(path)


@dataclass
class FileResult:
    """Stage 1 of one catalog file."""

    doc: Document  # the whole document, or its summary (summary.py) when not kept
    findings: list[Finding]
    resources: int
    items: int
    products: dict[str, Any] = field(default_factory=dict)  # by Product.name
    # The digest of what the workspace rules read of the file (its summary and index entries), when
    # the incremental cache has made it: two runs whose summaries all agree have the same workspace
    # findings (see engine._replay).
    summary_digest: str | None = None


def check_file(path: Path, cwd: Path, rules: list[Rule], ctx: Context, lang: str, keep: bool,
               products: tuple[Product, ...] = ()) -> FileResult:
    if not rules and not keep and not products and path.suffix.lower() in YAML_SUFFIXES:
        # Nothing runs on the file and nothing of it is kept but its summary: a file read as context
        # for the workspace rules (issue 15). Its sketch gives the same summary without building it.
        raw = files.read(path, loader.MAX_BYTES, [])
        try:
            found = sketch.read(raw, ctx.wanted) if raw is not None else None
        except Exception:  # only a shortcut: what it cannot read, the reader reads below
            found = None  # (tests/test_sketch.py fuzzes the sketch unguarded, so its own bugs still show)
        if found is not None:
            short = summary.sketched(path, display(path, cwd), found)
            return FileResult(short, [], len(found.resources) - found.resources.count(None), found.items)
    doc = load(path, cwd, ctx.std, library=ctx.library)
    chosen = doc.memo.get("standard", ctx.std)
    own = ctx if chosen is ctx.std else replace(ctx, std=chosen)
    findings = run_rules(rules, doc, own, lang)
    listed = resources(doc)
    items = sum(len(items_of(res.get("items"))) for _, res in listed)
    # Products see the run's standard (what the metrics and rows are about), whatever release the file declares.
    made = {product.name: product.make(doc, ctx) for product in products}
    return FileResult(doc if keep else summary.of(doc), findings, len(listed), items, made)


def run_rules(rules: list[Rule], doc: Document, ctx: Context, lang: str) -> list[Finding]:
    return [_finding(rule, hit, doc, ctx, lang) for rule in rules if doc.role in rule.roles
            for hit in rule.check(doc, ctx)]


