"""The code stays ruff- and mypy-clean (STYLE.md): checked in the suite so CI enforces it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

BIN = Path(sys.executable).parent


def test_ruff() -> None:
    # No cache: the suite leaves the checkout as it found it.
    result = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "src", "tests", "benchmarks", "scripts"], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:]


def test_mypy(tmp_path: Path) -> None:
    result = subprocess.run([str(BIN / "mypy"), "--cache-dir", str(tmp_path / "mypy"), "src/govcat", "benchmarks"], cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:]
