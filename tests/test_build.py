"""`govcat build`, the README's main job, end to end in a copy of this repository: validate every
catalog, regenerate the artifacts, load the SQLite database, build the site. The copy is where it
runs (the workspace is where the command stands), and the checkout stays untouched."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import AS_OF, REPO, copy_repository


def _tracked(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for folder in ("generated", ".github") for p in sorted((root / folder).rglob("*")) if p.is_file()}


def test_govcat_build(tmp_path: Path) -> None:
    root = copy_repository(tmp_path / "repo")
    committed = _tracked(root)
    before = _tracked(REPO)
    run = subprocess.run([sys.executable, "-m", "govcat", "build", "--as-of", AS_OF.isoformat()], cwd=root,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    # One validation serves the whole job: its report is printed once.
    assert run.stderr.count("全部通过") == 1, run.stderr
    assert "govcat build: 完成" in run.stderr
    with sqlite3.connect(root / "build" / "govcat.db") as db:
        assert db.execute("SELECT COUNT(*) FROM resources").fetchone() == (76,)
        assert db.execute("SELECT COUNT(*) FROM items").fetchone() == (619,)
    site = root / "site"
    assert (site / "index.html").is_file() and (site / "search" / "search_index.json").is_file()
    assert (site / "reference" / "dashboard" / "index.html").is_file()
    # The committed artifacts were fresh: building regenerated them byte for byte.
    assert _tracked(root) == committed
    # And the checkout the tests run from was not written to.
    assert _tracked(REPO) == before


def test_build_outside_a_standards_repository_says_what_it_needs(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "govcat", "build"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2
    assert "build 需要在标准仓库中运行" in run.stderr and "schema/govcat.yaml" in run.stderr
