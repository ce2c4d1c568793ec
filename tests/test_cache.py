"""The incremental cache (checking/cache.py): a warm run reports exactly what a cold run does,
whatever changed in between, and a cache entry is never trusted beyond its key."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govcat.checking import cache
from tests.conftest import AS_OF, REPO, govcat, make_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    make_corpus(root, 10, 8, 6, 0.4)
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


# --- the warm run's replay of the workspace stage (engine._replay) -------------------------------------

def _in_process(root: Path, store: Path | None) -> str:
    from govcat.checking import engine

    settings = engine.Settings(paths=[root / "catalogs"], as_of=AS_OF, cwd=root, cache=store is not None,
                               cache_dir=store)
    return json.dumps(engine.validate(settings).as_dict(), ensure_ascii=False, sort_keys=True)


def _workspace_findings(root: Path) -> dict[str, list[dict[str, object]]]:
    report = json.loads(_in_process(root, None))
    found: dict[str, list[dict[str, object]]] = {}
    for f in report["findings"]:
        found.setdefault(f["file"], []).append(f)
    return found


def test_a_warm_run_replays_the_workspace_stage_only_when_it_would_find_the_same(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from govcat.checking import engine

    root = tmp_path / "ws"
    shutil.copytree(corpus, root)
    store = tmp_path / "cache"
    built: list[int] = []
    original = engine.index.build
    monkeypatch.setattr(engine.index, "build", lambda docs, **kw: built.append(len(docs)) or original(docs, **kw))

    def check(label: str, replayed: bool) -> None:
        count = len(built)
        warm = _in_process(root, store)
        assert warm == _in_process(root, None), label
        assert len(built) == count + (1 if replayed else 2), label  # the cold run builds it once

    check("fill", replayed=False)
    check("nothing changed", replayed=True)
    workspace_codes = {"GC203", "GC204", "GC205", "GC601"}
    found = _workspace_findings(root)
    files = sorted((root / "catalogs").glob("*/*.yaml"))
    named = {f["file"] for fs in found.values() for f in fs if f["code"] in workspace_codes}
    named |= {p.relative_to(root).as_posix() for p in files
              if any(p.relative_to(root).as_posix() in str(f["message"]) for fs in found.values() for f in fs
                     if f["code"] in workspace_codes)}
    quiet = next(p for p in files if p.relative_to(root).as_posix() not in named)
    loud = next(p for p in files if any(f["code"] in workspace_codes for f in found.get(p.relative_to(root).as_posix(), [])))
    # A summary edited (nothing the workspace rules read), in a file no workspace finding is about.
    quiet.write_text(quiet.read_text(encoding="utf-8").replace("summary: ", "summary: 已修订：", 1), encoding="utf-8")
    check("text edit", replayed=True)
    # The same kind of edit, one line longer, in a file with a workspace finding: its position may move.
    text = loud.read_text(encoding="utf-8")
    loud.write_text(text.replace("summary: ", "summary: 已修订：", 1).replace("\n", "\n\n", 1), encoding="utf-8")
    check("text edit where a workspace finding is", replayed=False)
    # A resource renamed: the names the workspace rules compare changed.
    lines = quiet.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if line.startswith("    name: "))
    lines[i] = lines[i].replace("name: ", "name: 新", 1)
    quiet.write_text("".join(lines), encoding="utf-8")
    check("name edit", replayed=False)
    check("nothing changed again", replayed=True)


def test_a_file_changed_right_after_a_run_is_read_again_whatever_its_status(corpus: Path, tmp_path: Path) -> None:
    """A file rewritten within the file system's timestamp granularity, with its size and times put
    back, looks unchanged to `stat`: the record's digest is trusted only for files older than it."""
    root = tmp_path / "ws"
    shutil.copytree(corpus, root)
    store = tmp_path / "cache"
    path = sorted((root / "catalogs").glob("*/*.yaml"))[0]
    old = time.time_ns() - 3600 * 10**9  # an hour ago: out of the racy window
    os.utime(path, ns=(old, old))
    assert _in_process(root, store) == _in_process(root, None)
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    at = text.index('- code: "') + len('- code: "')
    changed = text[:at] + "9" + text[at + 1:]  # a resource code of the same length, in no valid format
    assert changed != text and len(changed.encode()) == len(text.encode())
    cold = _in_process(root, None)
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert _in_process(root, store) == _in_process(root, None) != cold
