"""Diff-aware validation (`--changed-since REV`): which records a pull request added or changed.

Every file is still validated and cross-catalog rules still see the whole workspace; only the
report is narrowed to findings on records that differ from REV, so a new duplicate of an old
resource is reported while the backlog of old findings is counted, not shown.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcat.core.access import obj
from govcat.core.document import Document
from govcat.core.errors import UsageError
from govcat.core.fields import WORKBOOK_SUFFIXES
from govcat.core.paths import real
from govcat.reading import loader
from govcat.reading.yamlread import load_yaml_text
from govcat.standard import Standard

WHOLE_FILE = None  # a new file: every finding in it counts as changed
_RESOURCE = re.compile(r"^/resources/(\d+)(/|$)")


@dataclass
class Changes:
    revision: str
    # display path -> indexes of the resources added or changed (None: the whole file is new)
    records: dict[str, set[int] | None]

    def keeps(self, file: str, pointer: str) -> bool:
        if file not in self.records:
            return False
        changed = self.records[file]
        match = _RESOURCE.match(pointer)
        if changed is WHOLE_FILE or match is None:
            return True  # a new file, or a finding about the file itself in a changed file
        return int(match[1]) in changed


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60)
    except FileNotFoundError:
        raise UsageError("--changed-since 需要 git，但找不到 git 命令") from None


def _records(data: Any) -> list[str]:
    """Each resource as canonical text: a record is unchanged when the same text was there before,
    wherever it stood — moving a resource or adding one before it changes nothing."""
    items = obj(data).get("resources")
    return [json.dumps(r, ensure_ascii=False, sort_keys=True, default=str)
            for r in (items if isinstance(items, list) else [])]


def _old_data(blob: bytes, suffix: str, std: Standard) -> Any:
    if suffix.lower() in WORKBOOK_SUFFIXES:
        from govcat.reading import workbook

        with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
            tmp.write(blob)
            tmp.flush()
            return workbook.load(Document(path=Path(tmp.name), display="", role="catalog"), std).data
    doc = Document(path=Path("."), display="", role="catalog")
    try:
        load_yaml_text(blob.decode("utf-8-sig"), doc)
    except UnicodeDecodeError:
        return None
    return doc.data


def find(revision: str, docs: list[Document], start: Path, std: Standard) -> Changes:
    top = _git(["rev-parse", "--show-toplevel"], start)
    if top.returncode != 0:
        raise UsageError(f"--changed-since 需要在 git 仓库中运行：{top.stderr.decode(errors='replace').strip()}")
    root = Path(top.stdout.decode().strip())
    check = _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root)
    if check.returncode != 0:
        raise UsageError(f"--changed-since：找不到 git 版本“{revision}”")
    records: dict[str, set[int] | None] = {}
    for doc in docs:
        try:
            rel = real(doc.path).relative_to(root).as_posix()
        except ValueError:
            records[doc.display] = WHOLE_FILE  # outside the repository: nothing to compare with
            continue
        old = _git(["show", f"{revision}:{rel}"], root)
        if old.returncode != 0:
            records[doc.display] = WHOLE_FILE  # added since the revision
            continue
        current = doc.path.read_bytes()
        if old.stdout == current:
            continue  # unchanged file: none of its findings are new
        old_data = _old_data(old.stdout, doc.path.suffix, std)
        # A summary (summary.py) keeps too little to compare records: read the changed file again.
        data = loader.load(doc.path, doc.display, std).data if doc.summary else doc.data
        before, after = Counter(_records(old_data)), _records(data)
        changed = set()
        for index, record in enumerate(after):
            if before[record] > 0:
                before[record] -= 1
            else:
                changed.add(index)
        if obj(old_data).get("provider") != obj(data).get("provider"):
            changed = set(range(len(after)))  # the provider changed: every record is published anew
        records[doc.display] = changed
    return Changes(revision, records)
