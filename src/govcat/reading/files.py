"""Opening input files safely: only regular files are read, never more than a limit.

A FIFO named `x.yaml` would block a plain `open()` forever, a symlink to `/dev/zero` reports size 0
and reads without end, and a symlink loop or a missing permission raises. Each becomes a problem
of the file (GC004, GC005, GC009) with the reason, so one odd path never stops the run.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from govcat.core.document import Problem, Span
from govcat.core.i18n import L10n

_KINDS = {
    stat.S_IFIFO: L10n("命名管道（FIFO）", "a named pipe (FIFO)"),
    stat.S_IFCHR: L10n("字符设备", "a character device"),
    stat.S_IFBLK: L10n("块设备", "a block device"),
    stat.S_IFSOCK: L10n("套接字", "a socket"),
    stat.S_IFDIR: L10n("文件夹", "a folder"),
}


def unreadable(exc: OSError, *, folder: bool = False) -> Problem:
    """GC009 for a file or folder the operating system would not let us read."""
    if exc.errno == errno.ELOOP:
        reason = L10n("符号链接循环", "a symbolic link loop")
    elif exc.errno in (errno.EACCES, errno.EPERM):
        reason = L10n("没有读取权限", "permission denied")
    elif exc.errno == errno.ENOENT:
        reason = L10n("文件不存在（可能是失效的符号链接）", "no such file (a dangling symbolic link?)")
    else:
        text = exc.strerror or type(exc).__name__
        reason = L10n(text, text)
    if folder:
        reason = L10n(f"{reason.zh}；这是文件夹，其中的目录文件都未校验",
                      f"{reason.en}; it is a folder, and none of the catalogs in it were validated")
    return Problem("GC009", "", {"reason": reason}, Span(1, 1))


def not_regular(mode: int) -> Problem:
    kind = _KINDS.get(stat.S_IFMT(mode), L10n("特殊文件", "a special file"))
    return Problem("GC005", "", {"suffix": kind, "hint": L10n("；只读取普通文件", "; only regular files are read")},
                   Span(1, 1))


def too_large(size: int, limit: int) -> Problem:
    return Problem("GC004", "", {"limit": "size", "value": f"{size / 2**20:.0f} MiB", "max": f"{limit >> 20} MiB"},
                   Span(1, 1))


def read(path: Path, limit: int, problems: list[Problem]) -> bytes | None:
    """The file's bytes, or None with the reason appended to ``problems``."""
    try:
        # O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting for one.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        problems.append(unreadable(exc))
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            problems.append(not_regular(info.st_mode))
            return None
        if info.st_size > limit:
            problems.append(too_large(info.st_size, limit))
            return None
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # the file grew while it was read
            problems.append(too_large(total, limit))
            return None
        return b"".join(chunks)
    except OSError as exc:
        problems.append(unreadable(exc))
        return None
    finally:
        os.close(fd)
