"""The docs site: write the generated reference pages, then ``mkdocs build --strict`` into ``site/``.

`build` empties the generated folders first (``docs/reference``, ``docs/rules``), so a page of a
department or rule that no longer exists does not linger. Optional hand-written pages maintained
elsewhere (``docs/queries.md``) join the navigation when they exist.

A province's department pages hold hundreds of thousands of items. Two things keep the build fast:

- the big tables are pre-rendered, escaped HTML inside ``~~~govcat-html`` fences (`html_fence`,
  declared in ``mkdocs.yml``), which Python-Markdown stashes as they are instead of parsing
  Markdown tables or raw HTML tag by tag;
- blocks the search index leaves out (``data-search-exclude``) are also wrapped in `NOSEARCH`
  comments, and `build` hands mkdocs-material's search plugin each page without them (`_LeanSearch`),
  so it does not parse megabytes of HTML only to skip them. The index is the same as a plain
  ``mkdocs build`` writes, stored as UTF-8 instead of ``\\u`` escapes (half the size for Chinese).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import warnings
from datetime import date
from pathlib import Path
from typing import Any

from govcat.checking.outcome import Outcome
from govcat.core.errors import UsageError
from govcat.publishing.generators import docs, writer
from govcat.publishing.generators.docs import NOSEARCH

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


def write_pages(root: Path, outcome: Outcome, as_of: date | None = None) -> dict[str, str]:
    """Regenerate the reference pages under ``root/docs`` (stale ones removed); return them."""
    pages = docs.generate(root, outcome, as_of)
    for rel in docs.GENERATED_DIRS:
        shutil.rmtree(root / rel, ignore_errors=True)
    writer.write(root, pages)
    return pages


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


def build(root: Path, outcome: Outcome, as_of: date | None = None) -> Path:
    """Generate the pages and build the site into ``root/site``; a failed build is a UsageError
    carrying mkdocs' warnings and errors. ``outcome``: the catalogs already validated."""
    if not (root / CONFIG).is_file():
        raise UsageError(f"找不到文档站配置 {root / CONFIG}")
    write_pages(root, outcome, as_of)
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
