"""What ships and what runs: the validator never imports LinkML, the wheel validates from anywhere,
and committed artifacts match the schema (a schema PR that forgets to regenerate fails here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, govcat

CATALOG = """\
standard_version: "1.0"
provider: {code: "11330100MB0000012X", name: 示范市民政局}
resources:
  - code: "307001001/000001"
    name: 婚姻登记信息
    classification: {class: 部门信息资源, item: 省（自治区、直辖市）及其下各级政务部门}
    summary: 本市办理结婚登记、离婚登记的当事人及登记结果信息。
    format: {category: 数据库, type: KingbaseES}
    items:
      - {name: 公民身份号码, element: DE00001, data_type: C, length: 18}
    sharing: {type: 有条件共享, method: 共享平台, method_type: 接口}
    opening: {type: 不予开放}
    update_frequency: 每日
    published_on: 2025-03-01
    last_updated_on: 2026-11-20
    security_level: 重要数据
"""


def test_validation_does_not_import_linkml() -> None:
    probe = (
        "import sys\n"
        "from govcat.cli import main\n"
        "try:\n"
        "    main(['validate', 'catalogs', '--as-of', '2026-11-22', '--format', 'json'])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('linkml', 'linkml_runtime', 'rdflib'))\n"
        "print('RESULT', code, heavy, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert "RESULT 0 []" in result.stderr, result.stderr[-2000:]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(REPO)], check=True, capture_output=True, timeout=300)
    return next(out.glob("govcat-*.whl"))


def test_wheel_ships_what_validate_needs(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("govcat/_data/generated/catalog.schema.json", "govcat/_data/generated/registry.schema.json",
                   "govcat/_data/generated/standard.json", "govcat/_data/departments.yaml",
                   "govcat/_data/generated/sql/registry.sqlite.sql", "govcat/_data/generated/sql/registry.postgresql.sql",
                   "govcat/_data/schema/govcat.yaml", "govcat/cli.py",
                   "govcat/_data/releases/1.0.0/standard.json", "govcat/_data/releases/1.0.0/model.json",
                   "govcat/_data/releases/1.0.0/catalog.schema.json",
                   "govcat/serve/static/index.html", "govcat/serve/static/app.js", "govcat/serve/static/app.css"):
        assert needed in names


def test_installed_wheel_validates_from_an_unrelated_directory(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    work = tmp_path / "elsewhere" / "some" / "dir"
    work.mkdir(parents=True)
    (work / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    # No network for the run: any attempt to reach out goes to a closed local port.
    env = {**os.environ, "PYTHONPATH": str(site), "HTTP_PROXY": "http://127.0.0.1:9",
           "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    where = subprocess.run([sys.executable, "-c", "import govcat; print(govcat.__file__)"], env=env,
                           capture_output=True, text=True, cwd=work)
    assert where.stdout.startswith(str(site))
    result = govcat("validate", "some/dir/catalog.yaml", "--format", "json", "--as-of", "2026-11-22",
                    cwd=tmp_path / "elsewhere", env=env)
    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert [(f["code"], f["file"], f["line"]) for f in report["findings"]] == [
        ("GC401", "some/dir/catalog.yaml", 11)]


def test_generated_artifacts_are_up_to_date() -> None:
    result = govcat("generate", "--check", cwd=REPO)
    assert result.returncode == 0, result.stdout[-3000:]


def test_generation_is_deterministic(tmp_path: Path) -> None:
    from govcat.publishing.generators import CHECKED, TARGETS

    first = {rel: text for name in CHECKED for rel, text in TARGETS[name](REPO).items()}
    second = {rel: text for name in CHECKED for rel, text in TARGETS[name](REPO).items()}
    assert first == second
    assert all(("本文件由" in text.splitlines()[1] or "本文件由" in text.splitlines()[0]) for text in first.values())


def test_linkml_lint_is_clean() -> None:
    lint = Path(sys.executable).with_name("linkml-lint")
    result = subprocess.run([str(lint), "--config", str(REPO / ".linkmllint.yaml"), str(REPO / "schema")],
                            capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_large_code_sets_match_their_data_files() -> None:
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "build_code_sets.py"), "--check"],
                            capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_an_independent_client_accepts_the_examples_and_rejects_broken_catalogs(tmp_path: Path) -> None:
    check = str(Path(sys.executable).with_name("check-jsonschema"))
    catalogs = [str(p) for p in sorted((REPO / "catalogs").glob("*/*.yaml"))]
    accepted = subprocess.run([check, "--schemafile", str(REPO / "generated" / "catalog.schema.json"), *catalogs],
                              capture_output=True, text=True, timeout=600)
    assert accepted.returncode == 0, accepted.stdout[-3000:]
    registry = subprocess.run([check, "--schemafile", str(REPO / "generated" / "registry.schema.json"),
                               str(REPO / "catalogs" / "departments.yaml")], capture_output=True, text=True, timeout=300)
    assert registry.returncode == 0, registry.stdout[-3000:]
    broken = {
        "missing.yaml": CATALOG.replace("    summary: 本市办理结婚登记、离婚登记的当事人及登记结果信息。\n", ""),
        "unknown.yaml": CATALOG.replace("    update_frequency: 每日", "    update_frequency: 每日\n    remark: x"),
        "vocabulary.yaml": CATALOG.replace("opening: {type: 不予开放}", "opening: {type: 不开放}"),
        "date.yaml": CATALOG.replace("published_on: 2025-03-01", "published_on: 2025-02-30"),
        "pattern.yaml": CATALOG.replace('code: "307001001/000001"', 'code: "30700100/1"'),
    }
    for name, text in broken.items():
        assert text != CATALOG, name
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = subprocess.run([check, "--schemafile", str(REPO / "generated" / "catalog.schema.json"),
                                 str(tmp_path / name)], capture_output=True, text=True, timeout=300)
        assert result.returncode == 1, (name, result.stdout)


def test_a_released_version_is_frozen() -> None:
    """The current version, once released, is what releases/<version>/ holds: changing the standard
    means raising its version (govcat release refuses to release a version twice)."""
    import json as _json

    version = _json.loads((REPO / "generated" / "model.json").read_text(encoding="utf-8"))["version"]
    released = REPO / "releases" / version
    if not released.is_dir():
        return  # not released yet: the next `govcat release` freezes it
    for name in ("standard.json", "model.json", "catalog.schema.json", "registry.schema.json"):
        assert (released / name).read_bytes() == (REPO / "generated" / name).read_bytes(), name


def test_the_installed_wheel_works_on_the_clone_it_runs_in(wheel: Path, tmp_path: Path) -> None:
    """A non-editable install (the wheel, with LinkML from this environment) run inside a fresh copy
    of the repository works on that copy's schema/: generate --check, diff, validate and build."""
    from tests.conftest import copy_repository

    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    clone = copy_repository(tmp_path / "clone")
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import govcat; print(govcat.__file__)"], env=env,
                           capture_output=True, text=True, cwd=clone)
    assert where.stdout.startswith(str(site))
    assert govcat("generate", "--check", cwd=clone, env=env).returncode == 0
    # The clone's own standard decides: a new value in its schema shows in diff and in validation.
    catalog = clone / "schema" / "catalog.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("      文件: {}\n", "      文件: {}\n      消息队列: {}\n", 1),
                       encoding="utf-8")
    diff = govcat("diff", "--format", "json", cwd=clone, env=env)
    assert [c["code"] for c in json.loads(diff.stdout)["changes"]] == ["enum-value-added", "version-not-bumped"]
    stale = govcat("generate", "--check", cwd=clone, env=env)
    assert stale.returncode == 1 and "消息队列" in stale.stdout
    assert govcat("generate", cwd=clone, env=env).returncode == 0
    (clone / "catalogs" / "11330100MB0000012X" / "new.yaml").write_text(
        CATALOG.replace("method_type: 接口", "method_type: 消息队列").replace("有条件共享", "无条件共享")
        .replace("307001001/000001", "307001001/000099").replace("婚姻登记信息", "婚姻登记接口信息"), encoding="utf-8")
    valid = govcat("validate", "catalogs", "--as-of", "2026-11-22", "--format", "json", cwd=clone, env=env)
    assert json.loads(valid.stdout)["findings"] == [], valid.stdout[-2000:]
    built = govcat("build", "--as-of", "2026-11-22", cwd=clone, env=env)
    assert built.returncode == 0, built.stderr[-2000:]
    assert (clone / "site" / "index.html").is_file()
