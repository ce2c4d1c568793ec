"""The docs site: write the generated reference pages, then ``mkdocs build --strict`` into ``site/``.

`build` empties the generated folders first (``docs/reference``, ``docs/rules``), so a page of a
department or rule that no longer exists does not linger. Optional hand-written pages maintained
elsewhere (``docs/queries.md``) join the navigation when they exist.
"""

from __future__ import annotations

import logging
import os
import shutil
import warnings
from datetime import date
from pathlib import Path
from typing import Any

from govcat.workspace import UsageError

CONFIG = "mkdocs.yml"
SITE = "site"
# Optional pages: file under docs/ -> (nav section, title). Listed in the nav only when present.
OPTIONAL_PAGES = {"queries.md": ("指南", "查询示例")}


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def write_pages(root: Path, as_of: date | None = None) -> dict[str, str]:
    """Regenerate the reference pages under ``root/docs`` (stale ones removed); return them."""
    from govcat.generators import docs, writer

    pages = docs.generate(root, as_of)
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


def build(root: Path, as_of: date | None = None) -> Path:
    """Generate the pages and build the site into ``root/site``; a failed build is a UsageError
    carrying mkdocs' warnings and errors."""
    if not (root / CONFIG).is_file():
        raise UsageError(f"找不到文档站配置 {root / CONFIG}")
    write_pages(root, as_of)
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
