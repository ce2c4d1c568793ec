"""A real `govcat serve` for the tests: a new process on a loopback port, serving this repository's
standard and registry, with its private temporary folders under the test's own tmp_path."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import openpyxl

from govcat import standard
from govcat.publishing import workbook_writer
from tests.conftest import REPO

AS_OF = "2026-11-22"
XSS = "<img src=x onerror=alert('xss')>"
FORMULA = '=HYPERLINK("http://example.invalid","点我")'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, tmp: Path, *options: str) -> None:
        self.tmp = tmp / "server-tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "GOVCAT_SERVE_TMP_DIR": str(self.tmp),
               "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
        self.log = (tmp / "server.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "govcat", "serve", "--port", str(self.port), "--workspace", str(REPO), *options],
            cwd=tmp, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"govcat serve ended: {(tmp / 'server.log').read_text(errors='replace')}")
            try:
                self.health()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("govcat serve did not start")

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + "/healthz", timeout=5) as response:
            return dict(json.loads(response.read()))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def rss_kb(self) -> int:
        """Resident memory of the server and its workers together (kB)."""
        pids = [self.process.pid, *self.health()["worker_pids"]]
        total = 0
        for pid in pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        return total


def column(sheet: Any, title: str) -> str:
    for cell in sheet[1]:
        if cell.value == title:
            return str(cell.column_letter)
    raise KeyError(title)


def faulty_workbook(path: Path) -> dict[str, tuple[str, str]]:
    """The department template's example with planted faults; returns what is planted where:
    a label -> (rule code, `sheet!cell`)."""
    workbook_writer.template(path, standard.load())
    book = openpyxl.load_workbook(path)
    resources, items = book["信息资源"], book["信息项"]
    planted: dict[str, tuple[str, str]] = {}

    def put(sheet: Any, title: str, row: int, value: Any, label: str | None = None, code: str | None = None) -> None:
        ref = f"{column(sheet, title)}{row}"
        sheet[ref].value = value
        if isinstance(value, str):
            sheet[ref].data_type = "s"  # typed text, as a department would: never a formula
        if label and code:
            planted[label] = (code, f"{sheet.title}!{ref}")

    put(resources, "更新周期", 2, "每天", "alias frequency", "GC501")
    put(resources, "发布日期", 2, "2025-02-30", "impossible date", "GC106")
    put(resources, "格式类型", 2, XSS, "payload in a vocabulary field", "GC104")
    put(resources, "信息资源名称", 2, FORMULA)
    put(items, "关联数据元", 3, "DE99999", "unknown element", "GC301")
    book.save(path)
    return planted
