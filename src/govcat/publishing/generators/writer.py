"""The one writer: write generated files, or (``--check``) compare them and show a unified diff."""

from __future__ import annotations

import difflib
from pathlib import Path


def stale(root: Path, files: dict[str, str]) -> list[str]:
    """Unified diffs for every file whose committed content differs from the generated one."""
    diffs = []
    for rel, text in sorted(files.items()):
        path = root / rel
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != text:
            diffs.append("".join(difflib.unified_diff(
                current.splitlines(keepends=True), text.splitlines(keepends=True),
                fromfile=f"a/{rel}", tofile=f"b/{rel}", n=2,
            )) or f"--- a/{rel}\n+++ b/{rel}\n(missing)\n")
    return diffs


def write(root: Path, files: dict[str, str]) -> list[str]:
    """Write files whose content changed; return the relative paths written."""
    written = []
    for rel, text in sorted(files.items()):
        path = root / rel
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(rel)
    return written
