"""Every benchmark keeps working (issue 16): each script under benchmarks/ runs here, in each of its
modes, on a tiny corpus — corpus.py, run.py (every measure, --table, --profile), province.py (validate,
load into SQLite and PostgreSQL, build), site.py (a corpus with --rebuild, --keep and --profile, and
--examples), data.py (tiny, and its Spark mode) and run_all.sh, which drives them all. Their numbers are
printed, never asserted; what is asserted is that each produced its figures, and that the generated
corpus is what the benchmark claims — valid when clean, and when defective, each defect found where it
was put, under its rule code, and nothing else found."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

BENCHMARKS = REPO / "benchmarks"
SCRIPTS = {"corpus.py", "run.py", "province.py", "site.py", "data.py", "serve.py", "run_all.sh"}
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
    """benchmarks/data.py (issue 12) end to end on 2 000 rows, frictionless on 500, each check alone on
    500: figures printed."""
    out = tmp_path / "figures.json"
    run = subprocess.run([sys.executable, str(BENCHMARKS / "data.py"), "2000", "--workdir", str(tmp_path),
                          "--frictionless", "500", "--per-check", "500", "--results", str(out)],
                         capture_output=True, text=True, timeout=600)
    print(run.stdout)
    assert run.returncode == 0, run.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["rows"] == 2000 and figures["findings"] > 0 and figures["frictionless_s"] > 0
    assert len(figures["per_check"]["checks"]) > 20  # every check of the 15 columns, each timed


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


def test_every_script_is_covered_here() -> None:
    """A benchmark added later must be run by this file too."""
    found = {p.name for p in BENCHMARKS.iterdir() if p.suffix in (".py", ".sh")}
    assert found == SCRIPTS, "add the new benchmark to tests/test_benchmark_smoke.py"


@pytest.mark.spark
def test_the_data_benchmark_runs_its_spark_mode(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    run = subprocess.run([sys.executable, str(BENCHMARKS / "data.py"), "1000", "--workdir", str(tmp_path),
                          "--spark", "300", "--results", str(out)], capture_output=True, text=True, timeout=900)
    print(run.stdout)
    assert run.returncode == 0, run.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["rows"] == 1000 and figures.get("spark_s", 0) > 0, figures


def _script(*args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    run = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout)
    print(run.stdout[-3000:])
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def test_run_all_drives_every_measure_on_a_tiny_corpus(tmp_path: Path) -> None:
    """run_all.sh with a tiny shape: corpus.py, run.py with every measure (the other validators and
    PostgreSQL included), province.py and site.py --rebuild, then run.py --table."""
    import os

    env = {**os.environ, "PY": sys.executable, "SIZES": "2", "RESOURCES": "2", "ITEMS": "3", "TIMEOUT": "300",
           "OUT": str(tmp_path / "corpora"), "RESULTS": str(tmp_path / "results")}
    run = subprocess.run(["bash", str(BENCHMARKS / "run_all.sh")], capture_output=True, text=True, env=env,
                         timeout=1800)
    print(run.stdout[-4000:])
    assert run.returncode == 0, run.stderr[-4000:]
    results = tmp_path / "results"
    measured = json.loads((results / "2x2x3.json").read_text(encoding="utf-8"))
    for tool in ("floor", "govcat", "serial", "cold", "check-jsonschema", "linkml"):
        assert tool in measured, tool
    assert measured["govcat"]["returncode"] == 0 and measured["govcat"]["findings"] == 0
    assert {"sqlite", "postgresql"} <= set(measured["load"]) and "error" not in measured["load"]["postgresql"]
    province = json.loads((results / "2x2x3.province.json").read_text(encoding="utf-8"))
    assert province["validate"]["warm_after_text_edit"]["same_report_as_cold"] is True
    assert province["validate"]["warm_after_name_edit"]["same_report_as_cold"] is True
    assert set(province["load"]) == {"sqlite", "postgresql"}
    assert "新增 0 行，更新 0 行，删除 0 行" in province["load"]["postgresql"]["second_unchanged"]["stdout"]
    assert province["build"]["html_pages"] > 100 and province["build"]["after_edit"]["wall"] > 0
    site = json.loads((results / "2x2x3.site.json").read_text(encoding="utf-8"))
    assert site["build"]["departments_rendered"] == 2 and site["rebuild"]["departments_rendered"] == 1
    assert "| corpus |" in run.stdout  # run.py --table


def test_run_measures_one_at_a_time_with_a_label_and_a_profile(tmp_path: Path) -> None:
    _corpus(tmp_path / "corpus", "--departments", "2", "--resources", "2")
    _script(str(BENCHMARKS / "run.py"), str(tmp_path / "corpus"), "--only", "cold,floor", "--profile", "--label", "x",
            "--results-dir", str(tmp_path / "results"))
    measured = json.loads((tmp_path / "results" / "x.json").read_text(encoding="utf-8"))
    assert measured["cold"]["returncodes"] == [0] and "profile" in measured  # py-spy, or why it was skipped


def test_the_site_benchmark_on_the_examples_and_kept_with_a_profile(tmp_path: Path) -> None:
    _script(str(BENCHMARKS / "site.py"), "--examples", "--json", str(tmp_path / "examples.json"))
    examples = json.loads((tmp_path / "examples.json").read_text(encoding="utf-8"))
    assert examples["html_pages"] > 400 and examples["build"]["departments_rendered"] >= 8
    _corpus(tmp_path / "corpus", "--departments", "2", "--resources", "2")
    _script(str(BENCHMARKS / "site.py"), str(tmp_path / "corpus"), "--keep", str(tmp_path / "kept"), "--profile",
            str(tmp_path / "site.prof"))
    assert (tmp_path / "kept" / "site" / "reference" / "dashboard" / "index.html").is_file()
    assert (tmp_path / "site.prof").stat().st_size > 0
