"""The incremental cache (checking/cache.py): a warm run reports exactly what a cold run does,
whatever changed in between, and a cache entry is never trusted beyond its key."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from govcat.checking import cache
from tests.conftest import AS_OF, REPO, govcat


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "corpus.py"), str(root), "--departments", "10",
                    "--resources", "8", "--items", "6", "--defective", "0.4"], check=True, capture_output=True,
                   timeout=300)
    return root


def _validate(root: Path, *args: str, cache_dir: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("GOVCAT_CACHE_DIR", "GOVCAT_NO_CACHE")}
    if cache_dir is not None:
        env["GOVCAT_CACHE_DIR"] = str(cache_dir)
    result = govcat("validate", *args, "--format", "json", "--as-of", AS_OF.isoformat(), cwd=root, env=env)
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


def _edit(root: Path, rng: random.Random) -> str:
    """One random change: edit a value, delete a file, rename a file, or copy a resource code."""
    files = sorted((root / "catalogs").glob("*/*.yaml"))
    target = rng.choice(files)
    kind = rng.choice(["edit", "delete", "rename", "duplicate"])
    text = target.read_text(encoding="utf-8")
    if kind == "edit":
        target.write_text(text.replace("update_frequency: 每日", "update_frequency: 每天", 1)
                          .replace("有条件共享", "无条件共享", 1), encoding="utf-8")
    elif kind == "delete":
        target.unlink()
    elif kind == "rename":
        target.rename(target.with_name(f"renamed-{rng.randrange(1000)}.yaml"))
    else:  # the second resource of the target takes a code of another file
        codes = [line.split('"')[1] for line in rng.choice(files).read_text(encoding="utf-8").splitlines()
                 if line.strip().startswith('- code: "')]
        mine = [line.split('"')[1] for line in text.splitlines() if line.strip().startswith('- code: "')]
        if codes and len(mine) > 1:
            target.write_text(text.replace(f'"{mine[1]}"', f'"{codes[0]}"', 1), encoding="utf-8")
    return f"{kind} {target.name}"


def test_warm_runs_report_exactly_what_cold_runs_do(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(corpus, root)
    store = tmp_path / "cache"
    rng = random.Random(20261206)
    folder = sorted(p for p in (root / "catalogs").iterdir() if p.is_dir())[0]
    for step in range(6):
        for paths in (["catalogs"], [str(folder.relative_to(root))]):
            cold = _validate(root, *paths, "--no-cache")
            first = _validate(root, *paths, cache_dir=store)  # fills (or partly reuses) the cache
            warm = _validate(root, *paths, cache_dir=store)
            assert first == cold and warm == cold, (step, paths)
        _edit(root, rng)
    assert sum(1 for _ in store.glob("*/*.json")) > 0


def test_corrupt_and_foreign_entries_are_ignored(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(corpus, root)
    store = tmp_path / "cache"
    expected = _validate(root, "catalogs", "--no-cache")
    assert _validate(root, "catalogs", cache_dir=store) == expected
    entries = sorted(store.glob("*/*.json"))
    assert len(entries) >= 10
    forged = json.loads(entries[1].read_text(encoding="utf-8"))
    forged["findings"] = []  # a result that would hide findings …
    forged["key"] = "0" * 40  # … under another key: never trusted
    entries[0].write_text("{ not json", encoding="utf-8")
    entries[1].write_text(json.dumps(forged), encoding="utf-8")
    entries[2].write_bytes(b"\x00\xff" * 100)
    entries[3].write_text(json.dumps({"format": cache.FORMAT, "key": entries[3].stem, "findings": [{"x": 1}]}),
                          encoding="utf-8")
    assert _validate(root, "catalogs", cache_dir=store) == expected


def test_concurrent_runs_share_one_cache(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(corpus, root)
    store = tmp_path / "cache"
    expected = _validate(root, "catalogs", "--no-cache")
    env = {**os.environ, "GOVCAT_CACHE_DIR": str(store)}
    env.pop("GOVCAT_NO_CACHE", None)
    command = [sys.executable, "-m", "govcat", "validate", "catalogs", "--format", "json", "--as-of",
               AS_OF.isoformat(), "--jobs", "1"]
    runs = [subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(4)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert outputs == [expected] * 4
    assert not list(store.glob("*/.tmp-*"))  # every write was renamed into place


def test_the_cache_stays_within_its_bound(corpus: Path, tmp_path: Path) -> None:
    store = cache.Cache(tmp_path / "cache", "salt")
    for i in range(20):
        target = store._path(cache.digest(str(i)))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x" * 1000, encoding="utf-8")
        os.utime(target, (1_000_000 + i, 1_000_000 + i))
    store.written = 1
    store.prune(limit=5_000)
    left = sorted(store.folder.glob("*/*.json"))
    assert len(left) == 5
    assert {p.stem for p in left} == {cache.digest(str(i)) for i in range(15, 20)}  # the newest stay


def test_default_location_and_no_cache(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(REPO / "catalogs", root / "catalogs")
    _validate(root, "catalogs", "--no-cache")
    assert not (root / ".govcat_cache").exists()
    _validate(root, "catalogs")
    assert any((root / ".govcat_cache").glob("*/*.json"))  # at the workspace root (the folder holding catalogs/)
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "x.yaml").write_text((REPO / "catalogs" / "departments.yaml").read_text(encoding="utf-8")[:0] +
                                 "standard_version: '1.0'\n", encoding="utf-8")
    _validate(lone, "x.yaml")
    assert not (lone / ".govcat_cache").exists()  # outside any workspace nothing is left behind
