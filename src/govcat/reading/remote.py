"""The province's department registry published at a URL (`registry: https://…` in .govcat.yaml).

A department outside the standards repository validates against the registry its province publishes:
fetched with a timeout, kept in the cache folder, reused for an hour, then revalidated with a
conditional request (ETag / Last-Modified). When the site cannot be reached, the last copy is used and
the run says so; without any copy it is a usage error naming the URL. Written on the standard library's
urllib: one conditional GET needs no HTTP client, and the validator stays free of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govcat import __version__
from govcat.core.errors import UsageError

TIMEOUT = 10.0  # seconds for the whole answer: a registry is a few hundred kilobytes
FRESH = 3600.0  # seconds a fetched copy is used without asking again
MAX_BYTES = 16 << 20  # as a registry file on disk (the reader's limit for YAML)


def is_url(value: str) -> bool:
    return value.startswith(("https://", "http://"))


@dataclass(frozen=True)
class Fetched:
    path: Path  # the local copy the run reads
    note: str | None  # said in the report when an older copy stood in for an unreachable site


def fetch(url: str, folder: Path, lang: str = "zh", *, now: float | None = None) -> Fetched:
    """The local copy of the registry at ``url``, fetched into ``folder`` when needed."""
    import urllib.error  # here, not at the top: urllib.request (ssl, http, email) costs every run ~10 ms
    import urllib.request
    now = time.time() if now is None else now
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
    copy, meta_path = folder / f"{key}.yaml", folder / f"{key}.json"
    meta = _meta(meta_path) if copy.is_file() else {}
    if meta and now - float(meta.get("fetched", 0)) < FRESH:
        return Fetched(copy, None)
    request = urllib.request.Request(url, headers={"User-Agent": f"govcat/{__version__}"})
    if meta.get("etag"):
        request.add_header("If-None-Match", str(meta["etag"]))
    if meta.get("modified"):
        request.add_header("If-Modified-Since", str(meta["modified"]))
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # http(s) only: the caller checks is_url
            body = answer.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise _TooLarge
            headers = answer.headers
    except urllib.error.HTTPError as exc:
        if exc.code == 304 and meta:
            _write(meta_path, json.dumps({**meta, "fetched": now}).encode("utf-8"))
            return Fetched(copy, None)
        return _stale(url, copy, meta, f"HTTP {exc.code}", lang)
    except _TooLarge:
        return _stale(url, copy, meta, f"超过 {MAX_BYTES >> 20} MiB" if lang == "zh" else
                      f"larger than {MAX_BYTES >> 20} MiB", lang)
    except (urllib.error.URLError, OSError, ValueError) as exc:  # unreachable, refused, timed out, bad URL
        return _stale(url, copy, meta, str(getattr(exc, "reason", exc)), lang)
    _write(copy, body)
    _write(meta_path, json.dumps({"url": url, "fetched": now, "etag": headers.get("ETag"),
                                  "modified": headers.get("Last-Modified")}).encode("utf-8"))
    return Fetched(copy, None)


class _TooLarge(Exception):
    pass


def _stale(url: str, copy: Path, meta: dict[str, Any], reason: str, lang: str) -> Fetched:
    if not meta:
        raise UsageError(f"无法获取提供方名录 {url}：{reason}（可用 --registry 指定本地的名录文件）" if lang == "zh" else
                         f"cannot fetch the department registry {url}: {reason} (give a local file with --registry)")
    when = datetime.fromtimestamp(float(meta.get("fetched", 0)), UTC).strftime("%Y-%m-%d %H:%M UTC")
    note = (f"提供方名录 {url} 无法访问（{reason}），使用了 {when} 取得的副本" if lang == "zh" else
            f"the department registry {url} could not be reached ({reason}); the copy fetched {when} was used")
    return Fetched(copy, note)


def _meta(path: Path) -> dict[str, Any]:
    """What is known of a fetched copy; a damaged record means no copy (it is fetched again)."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) and isinstance(meta.get("fetched"), (int, float)) else {}


def _write(path: Path, data: bytes) -> None:
    """Atomically: a concurrent run reads the old copy or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
