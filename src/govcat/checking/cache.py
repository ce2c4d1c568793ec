"""The incremental cache: each file's stage-1 result, kept between runs.

A file's result (its findings from the file-scope rules, and the summary the workspace rules read)
depends on the file's bytes, where it lies and how it is shown, and on everything the rules read:
the standard, the configuration, the registry, the as-of date, the language and the rules chosen.
An entry is keyed by a digest of all of these, so a warm run gives the same report as a cold one
byte for byte, and the workspace rules always run again from the summaries.

Entries are JSON, never pickle: a cache folder is a place other processes and people write to, and
JSON cannot run code. An entry that does not parse, has the wrong shape or carries another key is
ignored and recomputed, never trusted. Writes go to a temporary file renamed into place, so two runs
at once never see half an entry and no lock is held across a run. The folder is kept under a size
bound by removing the entries least recently written.

A report-only run (`govcat validate`) also keeps a record of what it found per file (``runs/``):
each file's status, digest, summary digest and findings. The next run with the same files reads the
record instead of every entry, hashes only the files whose status changed (or that changed shortly
before the record was written: "racily clean", as git calls it), and replays the workspace stage when
no summary changed (engine._replay). A record is trusted no more than an entry: by its key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from govcat.checking.index import Entry
from govcat.checking.stage import FileResult
from govcat.core.access import memo
from govcat.core.document import Document
from govcat.core.findings import Finding
from govcat.reading import files
from govcat.reading.sourcemap import SheetSourceMap, YamlSourceMap

FORMAT = 2  # 2: deletion keys of one machine word
DIRNAME = ".govcat_cache"
MAX_BYTES = 512 << 20  # the folder's bound; a province's summaries take a few tens of MiB
_MAX_FILE = 1 << 30  # files larger than the loader's limit are refused by it anyway


def digest(*parts: bytes | str) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))  # length-prefixed: no two part lists hash alike
        h.update(data)
    return h.hexdigest()


def file_digest(path: Path | None) -> str:
    """The digest of a file's bytes; a file that cannot be read has a digest of its own kind."""
    if path is None:
        return "none"
    problems: list[Any] = []
    raw = files.read(path, _MAX_FILE, problems)
    return digest(raw) if raw is not None else "unreadable:" + ",".join(p.code for p in problems)


class Cache:
    def __init__(self, folder: Path, salt: str) -> None:
        self.folder = folder
        self.salt = salt  # everything but the file itself that the result depends on
        self.written = 0

    def key(self, path: Path, display: str, content: str) -> str:
        """The key of one file's entry; ``content``: the `file_digest` of its bytes."""
        return digest(self.salt, os.path.abspath(path), display, content)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, path: Path, display: str, products: Iterable[str] = ()) -> FileResult | None:
        """The entry of ``key``, or None; ``products``: the names of the products it must hold."""
        try:
            with open(self._path(key), encoding="utf-8") as fh:
                entry = json.load(fh)
            if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
                return None
            return _result(entry, path, display, tuple(products))
        except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None  # missing, corrupt or foreign: computed again

    def put(self, key: str, result: FileResult, products: Iterable[str] = ()) -> None:
        """Keep ``result`` under ``key``, with the products of it named in ``products``; sets the
        result's summary digest."""
        try:
            kept = {name: result.products[name] for name in products}
            entry = _entry(result)
            summary = json.dumps([entry["data"], entry["entries"]], ensure_ascii=False, allow_nan=False)
            result.summary_digest = digest(summary)
            text = json.dumps({"format": FORMAT, "key": key, **entry, "summary": result.summary_digest,
                               "products": kept}, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError, KeyError):
            return  # a value JSON cannot hold, or a product not made: this file is simply not cached
        if _write(self._path(key), text):
            self.written += 1

    # The run record: what the last report-only run of these files found (see engine._replay).
    def _record_path(self, key: str) -> Path:
        return self.folder / "runs" / f"{key}.json"

    def record(self, key: str) -> dict[str, Any] | None:
        """The record of the last run with this key, or None (missing, corrupt or foreign: not trusted)."""
        try:
            with open(self._record_path(key), encoding="utf-8") as fh:
                found = json.load(fh)
        except (OSError, ValueError):
            return None
        ok = isinstance(found, dict) and found.get("format") == FORMAT and found.get("key") == key
        return found if ok else None

    def keep_record(self, key: str, record: dict[str, Any]) -> None:
        try:
            text = json.dumps({"format": FORMAT, "key": key, "written_ns": time.time_ns(), **record},
                              ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            return
        if _write(self._record_path(key), text):
            self.written += 1


    def prune(self, limit: int = MAX_BYTES) -> None:
        """Keep the folder under ``limit`` bytes, removing the entries written longest ago."""
        if not self.written:
            return
        try:
            entries = [(p.stat().st_mtime, p.stat().st_size, p) for p in self.folder.glob("*/*.json")]
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= limit:
                break
            with contextlib.suppress(OSError):
                path.unlink()
            total -= size


def _write(target: Path, text: str) -> bool:
    """Write through a temporary file renamed into place: a reader never sees half of it."""
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
        return True
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False


# A file modified within this long before a record was written may have been modified again since
# within the file system's timestamp granularity, unseen by its status ("racily clean", as git calls
# it): its bytes are hashed again.
RACY_NS = 2_000_000_000


def stat_of(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]


def digests(paths: list[Path], record: dict[str, Any] | None) -> list[str]:
    """Each file's `file_digest`; taken from the record for a file whose size, times and inode are
    those the record saw and that was not modified shortly before it was written."""
    seen: dict[str, tuple[list[int], str]] = {}
    written = 0
    if record is not None:
        written = int(record.get("written_ns", 0))
        for entry in (*record.get("files", []), *record.get("context", [])):
            seen[entry["path"]] = (entry["stat"], entry["content"])
    out: dict[int, str] = {}
    for i, path in enumerate(paths):
        known = seen.get(str(path))
        status = stat_of(path) if known is not None else None
        if known is not None and status == known[0] and status[1] < written - RACY_NS:
            out[i] = known[1]
    missing = [i for i in range(len(paths)) if i not in out]
    out.update(zip(missing, _file_digests([paths[i] for i in missing]), strict=True))
    return [out[i] for i in range(len(paths))]


def _file_digests(paths: list[Path]) -> list[str]:
    if len(paths) <= 8:
        return [file_digest(path) for path in paths]
    # Reading and hashing release the GIL: a province's 64 MB are hashed on every core.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return list(pool.map(file_digest, paths))


def _entry(result: FileResult) -> dict[str, Any]:
    doc = result.doc
    smap = doc.sourcemap
    return {
        "findings": [_finding(f) for f in result.findings],
        "resources": result.resources, "items": result.items,
        "role": doc.role, "data": doc.data,
        "sheet": smap.cells if isinstance(smap, SheetSourceMap) else None,
        "yaml": isinstance(smap, YamlSourceMap),
        "entries": [[*e[:5], sorted(e.elements), list(e.keys), e.published_on]
                    for e in memo(doc, "index", list)],
    }


_FINDING_FIELDS = ("code", "name", "severity", "message", "file", "line", "column", "end_line", "end_column",
                   "pointer", "sheet", "cell", "record")


def _finding(f: Finding) -> dict[str, Any]:
    return {name: getattr(f, name) for name in _FINDING_FIELDS}


def finding_data(f: Finding) -> dict[str, Any]:
    """A finding as JSON (the run record keeps them)."""
    return _finding(f)


def finding(data: dict[str, Any]) -> Finding:
    """A finding from `finding_data`; KeyError or TypeError when it is not one."""
    return Finding(**{name: data[name] for name in _FINDING_FIELDS})


def _result(entry: dict[str, Any], path: Path, display: str, products: tuple[str, ...]) -> FileResult:
    if entry["sheet"] is not None:
        smap: Any = SheetSourceMap()
        smap.cells = {k: (str(s), int(r), int(c)) for k, (s, r, c) in entry["sheet"].items()}
    else:
        smap = YamlSourceMap(path=path) if entry["yaml"] else None
    doc = Document(path=path, display=display, role=str(entry["role"]), data=entry["data"], sourcemap=smap,
                   summary=True)
    entries = [Entry(_pointer(p), code, name, normalised, item, frozenset(elements), tuple(keys), _text(published))
               for p, code, name, normalised, item, elements, keys, published in entry["entries"]]
    memo(doc, "index", lambda: entries)
    findings = [Finding(**{name: f[name] for name in _FINDING_FIELDS}) for f in entry["findings"]]
    made = {name: entry["products"][name] for name in products}  # KeyError: an entry without them is a miss
    summary = entry.get("summary")
    return FileResult(doc, findings, int(entry["resources"]), int(entry["items"]), made,
                      summary if isinstance(summary, str) else None)


def _pointer(value: Any) -> str:
    """A resource pointer as the index sorts by it; anything else makes the entry foreign."""
    if type(value) is not str or not value.startswith("/resources/") or not value[11:].isdigit():
        raise TypeError("not a resource pointer")
    return value


def _text(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("not text")
    return value


def folder_for(explicit: Path | None, roots: Iterable[Path | None]) -> Path | None:
    """`--cache-dir`, else `.govcat_cache/` in the first workspace root known (the standards
    repository, or the folder holding `catalogs/`); None: nowhere to keep one."""
    if explicit is not None:
        return explicit
    for root in roots:
        if root is not None:
            return root / DIRNAME
    return None
