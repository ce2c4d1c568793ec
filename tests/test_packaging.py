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
