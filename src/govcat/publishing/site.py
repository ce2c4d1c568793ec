"""The docs site: write the generated reference pages, then ``mkdocs build --strict`` into ``site/``.

`build` writes only the pages whose text changed and removes the generated pages that no longer
exist (``docs/reference``, ``docs/rules``), so a department or rule that left does not linger.
Optional hand-written pages maintained elsewhere (``docs/queries.md``) join the navigation when they
exist.

A province's department pages hold hundreds of thousands of items, more than fits in memory as
pages. What `build` does about it:

- A department page is small Markdown: its headings, metrics and findings, with placeholders for
  its parts (the overview table and each resource's attributes and items, `docs.DepartmentParts`).
  The parts are rendered by worker processes (one per core), each reading one department's files
  again, into ``build/pages/<department>/``; a department whose digest (its files, the pages of the
  resources it links to, the standard's element titles, the renderer) did not change since the last
  build keeps its parts, so a rebuild after one department changed renders that department and
  those that link to a resource whose page moved.
- mkdocs converts, indexes and lays out the small pages; the parts are filled in as each page is
  written (`_parts_plugin`), so one page's parts are in memory at a time, and the search index is
  what it would be for the whole page (the parts are left out of it anyway).
- The big tables are pre-rendered, escaped HTML inside ``~~~govcat-html`` fences (`html_fence`,
  declared in ``mkdocs.yml``), which Python-Markdown stashes as they are: `govcat generate docs`
  inlines the parts there, for a plain ``mkdocs build``.
- Blocks the search index leaves out (``data-search-exclude``) are also wrapped in `NOSEARCH`
  comments, and `build` hands mkdocs-material's search plugin each page without them (`_LeanSearch`),
  so it does not parse HTML only to skip it. The index is the same as a plain ``mkdocs build``
  writes, stored as UTF-8 instead of ``\\u`` escapes (half the size for Chinese).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from govcat.checking import cache
from govcat.checking.outcome import Outcome
from govcat.core.access import items_of
from govcat.core.errors import UsageError
from govcat.publishing.generators import docs, writer
from govcat.publishing.generators.docs import NOSEARCH
from govcat.publishing.metrics import Dashboard, History

CONFIG = "mkdocs.yml"
SITE = "site"
# Optional pages: file under docs/ -> (nav section, title). Listed in the nav only when present.
OPTIONAL_PAGES = {"queries.md": ("指南", "查询示例")}
_NOSEARCH_BLOCK = re.compile(re.escape(NOSEARCH[0]) + ".*?" + re.escape(NOSEARCH[1]), re.S)


def html_fence(source: str, language: str, class_name: str, options: Any, md: Any, **kwargs: Any) -> str:
    """pymdownx.superfences format of the ``govcat-html`` fence: the block is HTML that
    `govcat.publishing.generators.docs` rendered and escaped, so it goes into the page as it is."""
    return source


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _lean_search_plugin() -> Any:
    from mkdocs.plugins import BasePlugin, event_priority

    class LeanSearch(BasePlugin):  # type: ignore[type-arg]
        """Material's search plugin parses each page's HTML in on_page_context, including the blocks
        it then skips; department pages are mostly such blocks. Hide them from it, put them back
        before the page is rendered, and store the index without ASCII escapes."""

        def __init__(self) -> None:
            super().__init__()
            self.full: dict[str, str] = {}

        def on_page_content(self, html: str, page: Any, **kwargs: Any) -> str:
            if NOSEARCH[0] not in html:
                return html
            self.full[page.file.src_uri] = html
            return _NOSEARCH_BLOCK.sub("", html)

        @event_priority(-100)  # after the search plugin (priority 0) has indexed the page
        def on_page_context(self, context: Any, page: Any, **kwargs: Any) -> Any:
            full = self.full.pop(page.file.src_uri, None)
            if full is not None:
                page.content = full
            return context

        @event_priority(-100)  # after the search plugin has written the index
        def on_post_build(self, config: Any, **kwargs: Any) -> None:
            index = Path(config["site_dir"]) / "search" / "search_index.json"
            if index.is_file():
                data = json.loads(index.read_text(encoding="utf-8"))
                index.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

    return LeanSearch()


# Where `build` keeps each department's parts between builds (beside the catalog database).
PARTS = Path("build") / "pages"
# Below this much catalog YAML the parts are rendered in this process (forking costs more).
MIN_BYTES = 4 << 20
# The renderer itself is part of every department's digest: a change to how parts are rendered
# renders every department again, whatever govcat's version says.
_RENDERER = (Path(docs.__file__), *sorted(docs.TEMPLATES.glob("*.j2")))


@dataclass
class Built:
    """What `build` did, with its timings (benchmarks/site.py reads them)."""

    out: Path
    departments: int = 0  # departments whose parts were rendered (read again)
    reused: int = 0  # departments whose parts were kept from the previous build
    pages_written: int = 0  # generated Markdown pages written (the rest were unchanged)
    seconds: dict[str, float] = field(default_factory=dict)  # parts, pages, mkdocs


def _digest_of(files: Sequence[Path]) -> str:
    return cache.digest(*(f"{path.name}:{cache.file_digest(path)}" for path in files))


def department_digest(site: docs.Site, provider: str | None, standard_digest: str) -> str:
    """Everything a department's parts depend on: its files' bytes, where each of its resources and
    the resources it relates to are shown, the data elements' titles, the renderer and the page size.
    A department whose digest is unchanged keeps the parts of the previous build."""
    placed = site.resources.get(provider, [])
    targets = []
    for p in placed:
        for value in items_of(p.res.get("related_codes")):
            where = site.by_code.get(value) if isinstance(value, str) else None
            targets.append(f"{value}>{where.page}#{where.anchor}" if where else str(value))
    return cache.digest("1", standard_digest, str(docs.RESOURCES_PER_PAGE),
                        *(f"{doc.display}:{cache.file_digest(doc.path)}" for doc in site.files.get(provider, [])),
                        *(f"{p.anchor}@{p.page}" for p in placed), *targets)


# The site being built, set before forking so that workers inherit it (nothing is pickled).
_SITE: tuple[docs.Site, Path] | None = None


def _render(task: tuple[str | None, str]) -> dict[str, Any]:
    """A worker's task: read one department's files again, render its parts, write them to the store."""
    assert _SITE is not None
    site, store = _SITE
    provider, digest = task
    parts = docs.department_parts(site, provider, docs.read_department(site, provider))
    folder = store / docs.slug(provider, "provider")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for number, bodies in enumerate(parts.pages, start=1):
        page = {"overview": parts.overview if number == 1 else None, "bodies": bodies}
        (folder / f"{number}.json").write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    meta = {"digest": digest, "pages": len(parts.pages), "uses": parts.uses, "totals": parts.totals}
    # Written last, through a rename: a build killed half-way leaves no manifest, so nothing stale is trusted.
    (folder / "manifest.tmp").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    os.replace(folder / "manifest.tmp", folder / "manifest.json")
    return meta


def _kept(store: Path, provider: str | None, digest: str) -> dict[str, Any] | None:
    """The manifest of a department's parts from an earlier build, when it is for this digest and
    its parts are all there."""
    folder = store / docs.slug(provider, "provider")
    try:
        meta = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("digest") != digest or not isinstance(meta.get("pages"), int):
        return None
    return meta if all((folder / f"{n}.json").is_file() for n in range(1, meta["pages"] + 1)) else None


def render_parts(site: docs.Site, store: Path, jobs: int | None = None) -> tuple[int, int]:
    """Every department's parts in ``store``: kept where its digest is unchanged, rendered again in
    worker processes (one per core) for the rest; the site's uses gathered from all. Returns the
    numbers rendered and kept."""
    global _SITE
    standard_digest = cache.digest(_digest_of(sorted(p for p in (site.root / "schema").rglob("*.yaml"))),
                                   _digest_of(_RENDERER), cache.file_digest((site.std.folder or Path(".")) / "standard.json"))
    site.by_code  # noqa: B018 - the maps every worker reads, made once before forking
    metas: dict[str | None, dict[str, Any]] = {}
    todo: list[tuple[str | None, str]] = []
    for provider in site.files:
        digest = department_digest(site, provider, standard_digest)
        kept = _kept(store, provider, digest)
        if kept is None:
            todo.append((provider, digest))
        else:
            metas[provider] = kept
    size = sum(doc.path.stat().st_size for provider, _ in todo for doc in site.files[provider])
    count = 1 if size < MIN_BYTES or not hasattr(os, "fork") else max(1, min(jobs or _cores(), len(todo)))
    _SITE = (site, store)
    try:
        if count == 1:
            for task in todo:
                metas[task[0]] = _render(task)
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
                for task, meta in zip(todo, pool.map(_render, todo), strict=True):
                    metas[task[0]] = meta
    finally:
        _SITE = None
    for provider in site.files:  # in the run's order: the element pages list the first uses
        meta = metas[provider]
        site.add_uses(provider, docs.DepartmentParts("", [], {k: [tuple(u) for u in v] for k, v in meta["uses"].items()},
                                                     meta["totals"]))
    wanted = {docs.slug(provider, "provider") for provider in site.files}
    for folder in store.glob("*"):  # departments that left the catalogs
        if folder.name not in wanted:
            shutil.rmtree(folder, ignore_errors=True)
    return len(todo), len(site.files) - len(todo)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def write_pages(root: Path, pages: dict[str, str]) -> list[str]:
    """Write the generated pages under ``root/docs``, only those whose text changed (mkdocs and the
    reader's browser see the others as they were), and remove the generated pages not among them."""
    written = writer.write(root, pages)
    for rel in docs.GENERATED_DIRS:
        for path in (root / rel).rglob("*.md"):
            if path.relative_to(root).as_posix() not in pages:
                path.unlink()
    return written


def _add_optional_pages(config: Any, docs_dir: Path) -> None:
    nav = config["nav"]
    if not isinstance(nav, list):
        return
    for name, (section, title) in OPTIONAL_PAGES.items():
        if not (docs_dir / name).is_file():
            continue
        for entry in nav:
            if isinstance(entry, dict) and isinstance(entry.get(section), list):
                pages = entry[section]
                if not any(name in (item.values() if isinstance(item, dict) else [item]) for item in pages):
                    pages.append({title: name})
                break


def _parts_plugin(store: Path) -> Any:
    from mkdocs.exceptions import PluginError
    from mkdocs.plugins import BasePlugin

    class Parts(BasePlugin):  # type: ignore[type-arg]
        """Fills each department page's placeholders with the parts the workers wrote, as the page is
        written: mkdocs converts, indexes and lays out a small page, and only one page's parts are
        in memory at a time, whatever the size of the province."""

        def on_post_page(self, output: str, page: Any, config: Any, **kwargs: Any) -> str:
            if "<!--govcat:part:" not in output:
                return output
            loaded: dict[tuple[str, str], dict[str, Any]] = {}

            def fill(match: re.Match[str]) -> str:
                key = (match[1], match[2])
                if key not in loaded:
                    try:
                        loaded[key] = json.loads((store / match[1] / f"{match[2]}.json").read_text(encoding="utf-8"))
                    except (OSError, ValueError) as exc:
                        raise PluginError(f"{page.file.src_uri}：缺少部门页内容 {store / match[1]}（{exc}）") from exc
                part = loaded[key]
                return str(part["overview"] if match[3] == "overview" else part["bodies"][int(match[3])])

            return docs.PART.sub(fill, output)

    return Parts()


def build(root: Path, outcome: Outcome, as_of: date | None = None, *, board: Dashboard | None = None,
          history: History | None = None, jobs: int | None = None) -> Built:
    """Generate the pages and build the site into ``root/site``; a failed build is a UsageError
    carrying mkdocs' warnings and errors. ``outcome``: the catalogs already validated, with the
    metrics product; ``board``: their metrics with data quality; ``history``: the snapshots for the
    dashboard's trend. Department parts are rendered by worker processes into ``build/pages`` (only
    for departments whose digest changed) and filled into the pages as mkdocs writes them."""
    if not (root / CONFIG).is_file():
        raise UsageError(f"找不到文档站配置 {root / CONFIG}")
    clock = time.perf_counter()
    data = docs.build_site(root, outcome, as_of, board, history)
    store = root / PARTS
    rendered, reused = render_parts(data, store, jobs)
    seconds = {"parts": time.perf_counter() - clock}
    clock = time.perf_counter()
    written = write_pages(root, docs.Pages(data).all())
    seconds["pages"] = time.perf_counter() - clock
    del data  # the summaries stay with the outcome; the pages are on disk
    clock = time.perf_counter()
    out = _mkdocs(root, store)
    seconds["mkdocs"] = time.perf_counter() - clock
    return Built(out, rendered, reused, len(written), {k: round(v, 2) for k, v in seconds.items()})


def _mkdocs(root: Path, store: Path) -> Path:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # mkdocs-material's end-of-life banner
    try:
        from mkdocs.commands import build as mkdocs_build
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException
    except ImportError as exc:
        raise UsageError(f"构建文档站需要 mkdocs-material：pip install 'govcat[site]'（{exc}）") from exc

    out = root / SITE
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:  # mkdocs-material segments Chinese with jieba; it logs its dictionary loading at DEBUG
        import jieba

        jieba.setLogLevel(logging.WARNING)
    except ImportError:
        pass
    try:
        # jieba and some mkdocs plugins still emit DeprecationWarnings on import; they are not ours.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            config = load_config(str(root / CONFIG), site_dir=str(out), strict=True)
            _add_optional_pages(config, Path(config["docs_dir"]))
            if any(name.rsplit("/", 1)[-1] == "search" for name in config.plugins):
                config.plugins["govcat/lean-search"] = _lean_search_plugin()
            config.plugins["govcat/parts"] = _parts_plugin(store)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                mkdocs_build.build(config)
            finally:
                config.plugins.on_shutdown()
    except (MkDocsException, SystemExit) as exc:
        detail = "\n".join(collect.messages) or str(exc)
        raise UsageError(f"文档站构建失败（mkdocs build --strict）：\n{detail}") from exc
    finally:
        logger.removeHandler(collect)
    return out
