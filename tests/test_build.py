"""`govcat build`, the README's main job, end to end in this checkout: validate every catalog,
regenerate the artifacts, load the SQLite database, build the site."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from tests.conftest import AS_OF, REPO


def test_govcat_build() -> None:
    run = subprocess.run([sys.executable, "-m", "govcat", "build", "--as-of", AS_OF.isoformat()], cwd=REPO,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    # One validation serves the whole job: its report is printed once.
    assert run.stderr.count("全部通过") == 1, run.stderr
    assert "govcat build: 完成" in run.stderr
    with sqlite3.connect(REPO / "build" / "govcat.db") as db:
        assert db.execute("SELECT COUNT(*) FROM resources").fetchone() == (76,)
        assert db.execute("SELECT COUNT(*) FROM items").fetchone() == (619,)
    site = REPO / "site"
    assert (site / "index.html").is_file() and (site / "search" / "search_index.json").is_file()
    assert (site / "reference" / "dashboard" / "index.html").is_file()
    check = subprocess.run([sys.executable, "-m", "govcat", "generate", "--check"], cwd=REPO, capture_output=True,
                           text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
