"""A bounded pool of validation processes with a per-request time limit.

Why processes and why our own pool: a validation is CPU work (the GIL would let one slow file stall
every other request), and a request that runs past its time limit, or a worker that dies (out of
memory, a crash in a native reader), must cost that one request only. Python's ProcessPoolExecutor
can neither stop one task nor survive a dead worker (the whole pool breaks), so each worker here is
a process with its own pipe: a job that overruns gets its worker killed and replaced, and so does a
worker that died. Workers are forked from a fork server that has imported govcat once (fast to
replace, pages shared).

Admission is bounded too: at most ``size`` jobs run and ``queue`` wait, and the bodies of the
admitted requests (by their Content-Length, or the upload limit when they send none) stay within
``pending_bytes``; a request beyond either is refused at once (429 with Retry-After) before its body
is read, so the server's memory stays bounded whatever arrives.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from govcat.serve.worker import Job, Reply, WorkerSettings, error_reply

START_SECONDS = 120  # a worker loads the standard and compiles the schema before it is ready


class Saturated(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass
class _Worker:
    process: Any
    conn: Any
    pid: int


class Pool:
    def __init__(self, size: int, queue: int, time_limit: float, settings: WorkerSettings,
                 pending_bytes: int = 1 << 40) -> None:
        self.size, self.queue, self.time_limit, self.settings = size, queue, time_limit, settings
        self.pending_bytes = pending_bytes
        self._pending = 0
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["govcat.serve.worker"])
        self._threads = ThreadPoolExecutor(size, thread_name_prefix="govcat-pool")
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers: dict[int, _Worker] = {}
        self._admitted = 0
        self._seconds = 1.0  # a running average of a job's duration, for Retry-After
        self.replaced = 0  # workers killed after a time-out or found dead

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        workers = await asyncio.gather(*(loop.run_in_executor(self._threads, self._spawn) for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)

    def close(self) -> None:
        for worker in list(self._workers.values()):
            worker.conn.close()  # the worker's loop ends on end of file
        deadline = time.monotonic() + 5
        for worker in list(self._workers.values()):
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
        self._workers.clear()
        self._threads.shutdown(wait=False, cancel_futures=True)

    @property
    def busy(self) -> int:
        return self.size - self._idle.qsize()

    @property
    def admitted(self) -> int:
        return self._admitted

    @property
    def pids(self) -> list[int]:
        return sorted(self._workers)

    @contextmanager
    def slot(self, size: int = 0) -> Any:
        """Hold a place among the ``size + queue`` admitted requests for a body of ``size`` bytes, or raise
        Saturated. A lone request is always admitted, however big (the upload limit bounds it)."""
        full = self._admitted >= self.size + self.queue
        if full or (self._admitted and self._pending + size > self.pending_bytes):
            waves = math.ceil((self._admitted + 1) / self.size)
            raise Saturated(max(1, math.ceil(self._seconds * waves)))
        self._admitted += 1
        self._pending += size
        try:
            yield
        finally:
            self._admitted -= 1
            self._pending -= size

    async def run(self, job: Job) -> Reply:
        worker = await self._idle.get()
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        reply = await loop.run_in_executor(self._threads, self._execute, worker, job, loop)
        self._seconds = 0.8 * self._seconds + 0.2 * (time.monotonic() - started)
        return reply

    def _execute(self, worker: _Worker, job: Job, loop: asyncio.AbstractEventLoop) -> Reply:
        """In a pool thread: the job through one worker, which goes back to the idle queue whatever happens
        (even when the request that waits for it has gone)."""
        try:
            if not worker.process.is_alive():
                worker = self._replace(worker)
            worker.conn.send(job)
            if worker.conn.poll(self.time_limit):
                reply: Reply = worker.conn.recv()
                if reply.retire:
                    worker = self._replace(worker)
                return reply
            worker = self._replace(worker)
            return error_reply("time_limit", job.lang, 503, seconds=round(self.time_limit))
        except (EOFError, OSError):
            worker = self._replace(worker)
            return error_reply("worker_crashed", job.lang, 500)
        finally:
            loop.call_soon_threadsafe(self._idle.put_nowait, worker)

    def _spawn(self) -> _Worker:
        from govcat.serve import worker as entry

        parent, child = self._context.Pipe()
        process = self._context.Process(target=entry.main, args=(child, self.settings), daemon=True,
                                        name="govcat-serve-worker")
        process.start()
        child.close()
        if not parent.poll(START_SECONDS):
            process.kill()
            raise RuntimeError("a validation worker did not start")
        pid = parent.recv()
        worker = _Worker(process, parent, pid)
        self._workers[pid] = worker
        return worker

    def _replace(self, worker: _Worker) -> _Worker:
        self.replaced += 1
        self._workers.pop(worker.pid, None)
        worker.process.kill()
        worker.process.join(10)
        worker.conn.close()
        return self._spawn()
