"""Paths: where the shipped data lives (the wheel's ``_data`` folder, or the source tree in
development), and how a finding shows a file.

The validator runs from generated artifacts (JSON Schema, the standard index) and the shipped
registry, so ``pip install govcat && govcat validate x.yaml`` works anywhere without network.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # the govcat package


@cache
def data_root() -> Path:
    """The folder holding ``schema/``, ``generated/`` and the shipped registry."""
    shipped = _PACKAGE / "_data"
    if shipped.is_dir():
        return shipped
    return _PACKAGE.parents[1]  # src/govcat -> repository root


def shipped_registry() -> Path:
    root = data_root()
    shipped = root / "departments.yaml"
    return shipped if shipped.is_file() else root / "catalogs" / "departments.yaml"


def display(path: Path, cwd: Path) -> str:
    """The path as findings show it: relative to the current directory when under it."""
    absolute = path if path.is_absolute() else (cwd / path)
    absolute = Path(os.path.normpath(absolute))
    try:
        return absolute.relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return absolute.as_posix()


_SITE_URL = re.compile(r"^site_url:[ \t]*['\"]?([^'\"#\s]+)", re.M)


def docs_url(root: Path | None) -> str | None:
    """`site_url` of the workspace's mkdocs.yml: where its docs site is published. Read by a pattern,
    not a YAML parser, because mkdocs.yml holds `!!python/name` tags that a safe loader refuses."""
    if root is None:
        return None
    try:
        text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    except OSError:
        return None
    found = _SITE_URL.search(text)
    return found[1].rstrip("/") if found else None


def real(path: Path) -> Path:
    """The absolute path with symbolic links resolved as far as they go. Unlike ``Path.resolve()``
    (RuntimeError on a symlink loop in Python 3.11), it never raises: a loop or a dangling link
    stays as written, and reading it later reports why (GC009)."""
    return Path(os.path.realpath(path))
