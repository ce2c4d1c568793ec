"""The benchmark keeps working: a tiny corpus through benchmarks/corpus.py and the runner's govcat
measurement (benchmarks/run.py). Its numbers are printed, never asserted; what is asserted is that
the generated corpus is what the benchmark claims — valid when clean, and when defective, each
defect found where it was put, under its rule code, and nothing else found."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import REPO

BENCHMARKS = REPO / "benchmarks"
SHAPE = ("--departments", "6", "--resources", "10", "--items", "6")


def _corpus(out: Path, *options: str) -> dict[str, Any]:
    subprocess.run([sys.executable, str(BENCHMARKS / "corpus.py"), str(out), *SHAPE, *options],
                   check=True, capture_output=True, text=True, timeout=120)
    return json.loads((out / "corpus.json").read_text(encoding="utf-8"))


def _measure(corpus: Path, results: Path) -> dict[str, Any]:
    run = subprocess.run([sys.executable, str(BENCHMARKS / "run.py"), str(corpus), "--only", "govcat",
                          "--results-dir", str(results)], capture_output=True, text=True, timeout=300)
    print(run.stdout)
    assert run.returncode == 0, run.stderr
    [path] = results.glob("*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    first = _corpus(tmp_path / "a", "--defective", "0.3")
    second = _corpus(tmp_path / "b", "--defective", "0.3")
    assert first == second
    for path in sorted((tmp_path / "a" / "catalogs").rglob("*.yaml")):
        twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
        assert path.read_bytes() == twin.read_bytes(), path


def test_the_clean_corpus_gives_no_finding(tmp_path: Path) -> None:
    manifest = _corpus(tmp_path / "corpus")
    assert manifest["defects"] == []
    result = _measure(tmp_path / "corpus", tmp_path / "results")
    govcat = result["govcat"]
    assert govcat["returncode"] == 0
    assert govcat["findings"] == 0, govcat["findings_by_code"]
    assert govcat["summary"]["resources"] == 60 and govcat["summary"]["items"] == 360


def test_the_defective_corpus_gives_the_expected_codes(tmp_path: Path) -> None:
    manifest = _corpus(tmp_path / "corpus", "--defective", "0.6")
    kinds = {d["kind"] for d in manifest["defects"]}
    assert len(kinds) >= 12, kinds  # the error path of most rule families, not one rule many times
    result = _measure(tmp_path / "corpus", tmp_path / "results")
    govcat = result["govcat"]
    assert govcat["returncode"] == 1
    assert set(govcat["findings_by_code"]) == {code for d in manifest["defects"] for code in d["expected"]}
    assert govcat["defects_not_found"] == []
    assert govcat["findings_outside_defects"] == []
    assert all(line for _, _, _, line in govcat["findings_located"])  # every finding has its position


def test_the_data_benchmark_runs_in_a_tiny_mode(tmp_path: Path) -> None:
    """benchmarks/data.py (issue 12) end to end on 2 000 rows, frictionless on 500: figures printed."""
    out = tmp_path / "figures.json"
    run = subprocess.run([sys.executable, str(BENCHMARKS / "data.py"), "2000", "--workdir", str(tmp_path),
                          "--frictionless", "500", "--results", str(out)], capture_output=True, text=True, timeout=600)
    print(run.stdout)
    assert run.returncode == 0, run.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["rows"] == 2000 and figures["findings"] > 0 and figures["frictionless_s"] > 0


def test_the_serve_benchmark_runs_in_its_tiny_mode(tmp_path: Path) -> None:
    """benchmarks/serve.py end to end on tiny workbooks: a real server, the medium load, and the big
    workbook once refused by the row limit and once validated."""
    run = subprocess.run([sys.executable, str(BENCHMARKS / "serve.py"), "--tiny", "--corpus-dir", str(tmp_path / "c"),
                          "--results-dir", str(tmp_path / "r")], capture_output=True, text=True, timeout=600)
    print(run.stdout)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads((tmp_path / "r" / "serve-tiny.json").read_text(encoding="utf-8"))
    assert result["medium"]["statuses"] == {"200": 4}
    refused, validated = result["big"]
    assert refused["status"] == 422 and "1,000" in refused["message"]
    assert validated["status"] == 200
    assert all(b["small_statuses"] == {"200": b["small"]["n"]} and b["small"]["n"] > 0 for b in result["big"])
    assert result["medium"]["peak_rss_mb"] > 0
