"""Stage 1 of a run (engine.py) over many files: one worker process per core.

Files are independent until the workspace stage, and reading, conformance and the file-scope rules
are most of a run, so a province's workspace is spread over the cores. Workers are forked: they
inherit the loaded standard, the rules and the run's context instead of loading them again, and
send back only each file's findings and summary. Small runs (one department in pre-commit) stay
in this process, where starting workers would cost more than it saves. Python's own
ProcessPoolExecutor does the scheduling; what is ours is only the choice of when it pays.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from govcat.checking.stage import FileResult, check_file
from govcat.core.errors import UsageError

if TYPE_CHECKING:
    from govcat.checking.rules.base import Context, Rule

# Below this much YAML a second process does not pay for itself (forking and collecting results
# cost tens of milliseconds; one department's catalog is read and checked in about that time).
MIN_BYTES = 4 << 20
MIN_FILES_PER_WORKER = 2


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def workers(paths: list[Path], jobs: int | None) -> int:
    wanted = cores() if jobs is None else max(1, jobs)
    if wanted <= 1 or not hasattr(os, "fork"):
        return 1  # without fork, each worker would load the standard again
    if jobs is None and sum(_size(p) for p in paths) < MIN_BYTES:
        return 1
    return max(1, min(wanted, len(paths) // MIN_FILES_PER_WORKER))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# The stage's arguments, set before forking so that workers inherit them (nothing is pickled).
_STAGE: tuple[Path, list[Rule], Context, str, bool] | None = None


def _check(path: Path) -> FileResult:
    assert _STAGE is not None
    cwd, rules, ctx, lang, keep = _STAGE
    return check_file(path, cwd, rules, ctx, lang, keep)


def check_files(paths: list[Path], cwd: Path, rules: list[Rule], ctx: Context, lang: str, keep: bool,
                jobs: int | None) -> list[FileResult]:
    global _STAGE
    _STAGE = (cwd, rules, ctx, lang, keep)
    try:
        count = 1 if keep else workers(paths, jobs)  # whole documents are not worth sending back
        if count == 1:
            return [_check(path) for path in paths]
        # Imported here: a one-department run in pre-commit does not pay for them (about 30 ms).
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"), initializer=_ignore_interrupt)
        try:
            return list(pool.map(_check, paths))
        except BrokenProcessPool:
            raise UsageError(f"校验工作进程意外退出（可能内存不足或被系统终止）；可用 --jobs 1 在单进程中重试（共 {count} 个进程）") from None
        finally:
            pool.shutdown(cancel_futures=True)  # Ctrl-C: the files being read finish, the rest are dropped
    finally:
        _STAGE = None


def _ignore_interrupt() -> None:
    """Ctrl-C reaches the whole process group: the parent stops the run, workers need not print why."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
