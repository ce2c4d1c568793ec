"""The two stages of a run (engine.py): file-scope rules where each file is read (in worker
processes for a large workspace), workspace-scope rules on the catalogs' summaries. Whatever way a
run is split, the report is the same: the serial run on whole documents is the reference."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from govcat.checking import engine
from govcat.checking import workers as parallel
from govcat.checking.engine import Settings
from govcat.checking.rules import RULES
from govcat.checking.rules.base import Context
from govcat.core.errors import UsageError
from govcat.publishing import convert
from govcat.standard import load as load_standard
from tests.conftest import AS_OF, make_corpus

WORKSPACE_RULES = {"GC203", "GC204", "GC205", "GC601"}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A defective corpus of 8 departments, one of them filled in Excel and one saved by WPS in GBK."""
    root = tmp_path_factory.mktemp("stages")
    make_corpus(root, 8, 12, 6, 0.5)
    manifest = json.loads((root / "corpus.json").read_text(encoding="utf-8"))
    files = sorted((root / "catalogs").glob("*/catalog.yaml"))
    defective = {d["file"] for d in manifest["defects"]}
    excel = next(f for f in files if any(f.as_posix().endswith(d) for d in defective))
    convert.run(excel, excel.with_suffix(".xlsx"), load_standard())
    excel.unlink()
    gbk = files[-1]
    gbk.write_bytes(gbk.read_text(encoding="utf-8").encode("gb18030"))
    return root


def _findings(root: Path, *, jobs: int, keep: bool) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    settings = Settings(paths=[root / "catalogs"], as_of=AS_OF, cwd=root, jobs=jobs)
    report = engine.run(settings, keep_documents=keep).report
    summary = report.as_dict()["summary"]
    return [f.as_dict() for f in report.findings], summary


def test_workers_and_summaries_give_the_serial_report(workspace: Path) -> None:
    reference, counts = _findings(workspace, jobs=1, keep=True)
    codes = {f["code"] for f in reference}
    # Not a vacuous comparison: every workspace-scope rule fires, across files, with positions
    # located in files the finding is not in ("first at file:line"), in YAML and in the workbook.
    assert codes >= WORKSPACE_RULES, codes
    assert "GC003" in codes  # the GBK file
    assert any(f["sheet"] for f in reference) and any(f["line"] and not f["sheet"] for f in reference)
    assert counts["files"] == 9 and counts["resources"] > 0  # the registry is in scope too
    for jobs in (1, 2):
        assert _findings(workspace, jobs=jobs, keep=False) == (reference, counts), jobs


def test_a_small_workspace_stays_in_one_process(workspace: Path) -> None:
    files = sorted((workspace / "catalogs").glob("*/catalog.*"))
    assert parallel.workers(files, None) == 1  # well under MIN_BYTES
    assert parallel.workers(files, 1) == 1
    assert parallel.workers(files, 2) == 2
    assert parallel.workers(files[:3], 8) == 1  # fewer than two files per worker


def test_a_file_scope_rule_cannot_read_the_workspace_index() -> None:
    ctx = Context(std=load_standard(), as_of=AS_OF)
    with pytest.raises(RuntimeError, match="scope"):
        _ = ctx.workspace
    assert {r.code for r in RULES if r.scope == "workspace"} == WORKSPACE_RULES
    assert {r.scope for r in RULES} == {"file", "workspace"}
    assert all(dataclasses.is_dataclass(r) for r in RULES)


def test_jobs_on_the_command_line(workspace: Path) -> None:
    outputs = []
    for jobs in ("1", "2"):
        run = subprocess.run([sys.executable, "-m", "govcat", "validate", "catalogs", "--as-of", AS_OF.isoformat(),
                              "--format", "json", "--jobs", jobs], cwd=workspace, capture_output=True, text=True,
                             timeout=120)
        assert run.returncode == 1, run.stderr
        outputs.append(json.loads(run.stdout))
    assert outputs[0] == outputs[1] and outputs[0]["findings"]
    refused = subprocess.run([sys.executable, "-m", "govcat", "validate", "catalogs", "-j", "0"], cwd=workspace,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "--jobs" in refused.stderr


def test_a_worker_that_dies_ends_the_run_with_a_clear_message(workspace: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # A worker killed by the system (out of memory) looks like this to the parent.
    monkeypatch.setattr(parallel, "_check", _die)
    with pytest.raises(UsageError, match="--jobs 1"):
        engine.validate(Settings(paths=[workspace / "catalogs"], as_of=AS_OF, cwd=workspace, jobs=2))


def _die(path: Path, *products: object) -> None:
    os._exit(9)
