"""Bytes -> text: UTF-8 (with or without BOM) or a finding saying what the file is instead."""

from __future__ import annotations

from govcat.core.document import Problem, Span
from govcat.core.i18n import L10n

_CONVERT = L10n("；请另存为 UTF-8，例如 `iconv -f GB18030 -t UTF-8 原文件 > 新文件`，或在 WPS/记事本“另存为”时选择 UTF-8",
               "; save it as UTF-8, e.g. `iconv -f GB18030 -t UTF-8 in > out`")


def decode(raw: bytes) -> tuple[str | None, Problem | None]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Problem("GC003", "", {"detail": "UTF-16", "hint": _CONVERT}, Span(1, 1))
    if b"\x00" in raw[:65536]:
        return None, Problem("GC003", "", {"detail": L10n("二进制内容，不是文本文件", "binary content, not text"),
                                           "hint": L10n("；请确认提交的是目录文件本身", "; check that this is the catalog file")},
                             Span(1, 1))
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start:exc.start].decode("utf-8", errors="replace")) + 1
        try:
            raw.decode("gb18030")
            guess = "GBK/GB18030"
        except UnicodeDecodeError:
            guess = "未知编码"
        return None, Problem("GC003", "", {"detail": guess, "hint": _CONVERT}, Span(line, column))

