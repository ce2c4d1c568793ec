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
from collections import deque
from collections.abc import Generator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from govcat.checking.stage import FileResult, Product, check_file
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
_STAGE: tuple[Path, list[Rule], Context, str, bool, dict[str, Product]] | None = None
# Files handed to the pool ahead of the one the caller waits for: enough to keep every worker busy,
# few enough that results (a file's database rows) do not pile up when the caller is slower.
AHEAD_PER_WORKER = 3


def _check(path: Path, products: tuple[str, ...] = ()) -> FileResult:
    assert _STAGE is not None
    cwd, rules, ctx, lang, keep, known = _STAGE
    return check_file(path, cwd, rules, ctx, lang, keep, tuple(known[name] for name in products))


def check_files(paths: list[Path], cwd: Path, rules: list[Rule], ctx: Context, lang: str, keep: bool,
                jobs: int | None, products: list[tuple[Product, ...]] | None = None) -> Generator[FileResult, None, None]:
    """Stage 1 of each file, yielded in the order given as soon as it is done. ``products``: per
    file, the products to make of it."""
    global _STAGE
    wanted = products or [()] * len(paths)
    known = {product.name: product for chosen in wanted for product in chosen}
    names = [tuple(product.name for product in chosen) for chosen in wanted]
    _STAGE = mine = (cwd, rules, ctx, lang, keep, known)
    try:
        count = 1 if keep else workers(paths, jobs)  # whole documents are not worth sending back
        if count == 1:
            for path, chosen in zip(paths, names, strict=True):
                yield _check(path, chosen)
            return
        # Imported here: a one-department run in pre-commit does not pay for them (about 30 ms).
        import multiprocessing
        from concurrent.futures import Future, ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"), initializer=_ignore_interrupt)
        try:
            tasks = iter(zip(paths, names, strict=True))
            pending: deque[Future[FileResult]] = deque(
                pool.submit(_check, path, chosen) for path, chosen in islice(tasks, count * AHEAD_PER_WORKER))
            while pending:
                result = pending.popleft().result()
                pending.extend(pool.submit(_check, path, chosen) for path, chosen in islice(tasks, 1))
                yield result
        except BrokenProcessPool:
            raise UsageError(f"校验工作进程意外退出（可能内存不足或被系统终止）；可用 --jobs 1 在单进程中重试（共 {count} 个进程）") from None
        finally:
            pool.shutdown(cancel_futures=True)  # Ctrl-C: the files being read finish, the rest are dropped
    finally:
        # A generator left unfinished (its consumer raised) is finished when it is collected, maybe
        # while a later run is using the stage: only its own is cleared.
        if _STAGE is mine:
            _STAGE = None


def _ignore_interrupt() -> None:
    """Ctrl-C reaches the whole process group: the parent stops the run, workers need not print why."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
