"""Shared test helpers: run the validator the way a department would, on real files."""

from __future__ import annotations

import atexit
import base64
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from govcat.checking.engine import Settings, validate
from govcat.core.findings import Report

REPO = Path(__file__).resolve().parents[1]
# Commands the tests run keep their incremental cache out of the checkout (and out of the way of
# the tests that look for `.govcat_cache/` where a user would find it).
_CACHE = tempfile.mkdtemp(prefix="govcat-test-cache-")
os.environ.setdefault("GOVCAT_CACHE_DIR", _CACHE)
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
AS_OF = date(2026, 11, 22)

TEST_REGISTRY = """\
departments:
  - {code: "11330100MB0000012X", name: 示范市民政局, level: 市级, division: "330100"}
  - {code: "11330100MB0000010P", name: 示范市公安局, level: 市级, division: "330100"}
"""
DEFAULT_PROVIDER = "11330100MB0000012X"


def _workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    """An .xlsx written by openpyxl: sheet name -> rows (a value `=date:2025-03-01` is a real date cell)."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([date.fromisoformat(v[6:]) if isinstance(v, str) and v.startswith("=date:") else v
                          for v in (row or [])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bytes(content: str | bytes | dict[str, Any]) -> bytes:
    """File content: text (UTF-8), raw bytes, `{text, encoding}` / `{base64}` or `{workbook: {sheet: rows}}`."""
    if isinstance(content, bytes):
        return content
    if isinstance(content, dict):
        if "workbook" in content:
            return _workbook(content["workbook"])
        if "base64" in content:
            return base64.b64decode(content["base64"])
        return content["text"].encode(content.get("encoding", "utf-8"))
    return content.encode("utf-8")


def workspace_path(name: str) -> str:
    """A test file's path in the workspace: a bare name is a catalog in the default provider's folder."""
    at_root = "/" in name or name in (".govcat.yaml", "pyproject.toml")  # workspace configuration
    return name if at_root else f"catalogs/{DEFAULT_PROVIDER}/{name}"


def write_workspace(root: Path, files: dict[str, Any]) -> Path:
    """Files keyed by path under the workspace; a bare name goes to the default provider's folder.
    Content `{symlink: target}` makes a symbolic link (the target as written, relative to the link)."""
    catalogs = root / "catalogs"
    catalogs.mkdir(parents=True, exist_ok=True)
    if "catalogs/departments.yaml" not in files:
        (catalogs / "departments.yaml").write_text(TEST_REGISTRY, encoding="utf-8")
    for name, content in files.items():
        path = root / workspace_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict) and "symlink" in content:
            if path.is_symlink() or path.exists():
                path.unlink()
            path.symlink_to(content["symlink"])
            continue
        path.write_bytes(_bytes(content))
    return catalogs


def run(root: Path, paths: list[Path] | None = None, **settings: object) -> Report:
    options = {"as_of": AS_OF, "cwd": root, **settings}
    return validate(Settings(paths=paths or [root / "catalogs"], **options))  # type: ignore[arg-type]


def govcat(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
           timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """The real CLI in a new process, as CI and pre-commit run it."""
    return subprocess.run([sys.executable, "-m", "govcat", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=timeout)


@pytest.fixture
def workspace(tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(files: dict[str, str]) -> Path:
        write_workspace(tmp_path, files)
        return tmp_path

    return make


def make_corpus(out: Path, departments: int, resources: int, items: int, defective: float) -> Path:
    """A benchmark corpus (benchmarks/corpus.py, seed 0) written to ``out``: a workspace of
    ``departments`` catalogs with planted defects."""
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "corpus.py"), str(out), "--departments", str(departments),
                    "--resources", str(resources), "--items", str(items), "--defective", str(defective)],
                   check=True, capture_output=True, timeout=300)
    return out


def copy_repository(dest: Path) -> Path:
    """The repository's tracked files as they are in the working tree (uncommitted edits included),
    copied to ``dest``: tests that build, generate or load work there, never in the checkout."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, timeout=60)
    skip = ("tests/", "benchmarks/", "src/")
    for rel in listed.stdout.decode().split("\0"):
        if not rel or rel.startswith(skip) or not (REPO / rel).is_file():
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, target)
    return dest


@pytest.fixture(scope="session")
def lifecycle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A standards repository whose current standard is a 2.0.0 made from the released 1.0.0
    (tests/lifecycle_fixture.py); built once per session, never written to by the tests."""
    from tests.lifecycle_fixture import build

    return build(tmp_path_factory.mktemp("lifecycle"))


CHROMIUM = "/usr/bin/chromium"  # Debian's chromium (make system-deps), driven by Playwright: never `playwright install`


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium for the page tests (the site, the web validator); without the background
    networking a closed network refuses, it starts in a moment."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"])
        yield chromium
        chromium.close()
