"""The department workflow: workspace configuration and diff-aware validation in a real git repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import DEFAULT_PROVIDER, govcat, write_workspace

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
    sharing: {type: 有条件共享, condition: 仅用于婚姻状况核验类政务服务事项, method: 共享平台, method_type: 接口}
    opening: {type: 不予开放}
    update_frequency: 每日
    published_on: 2025-03-01
    last_updated_on: 2026-10-01
    security_level: 重要数据
"""
HERE = f"catalogs/{DEFAULT_PROVIDER}/catalog.yaml"


def _json(root: Path, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = govcat("validate", "--format", "json", "--as-of", "2026-11-22", *args, cwd=root)
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout) if result.returncode in (0, 1) else {"stderr": result.stderr}


def test_severity_override_and_per_path_ignore(tmp_path: Path) -> None:
    write_workspace(tmp_path, {"catalog.yaml": CATALOG, ".govcat.yaml": "severity: {GC504: error}\n"})
    code, report = _json(tmp_path)
    assert code == 1 and [(f["code"], f["severity"]) for f in report["findings"]] == [("GC504", "error")]
    (tmp_path / ".govcat.yaml").write_text(f'ignore:\n  - {{path: "catalogs/{DEFAULT_PROVIDER}/**", rules: [GC504]}}\n',
                                           encoding="utf-8")
    code, report = _json(tmp_path)
    assert code == 0 and report["findings"] == []


def test_config_in_pyproject(tmp_path: Path) -> None:
    write_workspace(tmp_path, {"catalog.yaml": CATALOG,
                               "pyproject.toml": '[tool.govcat]\nseverity = {GC504 = "off"}\n'})
    code, report = _json(tmp_path)
    assert code == 0 and report["findings"] == []


def test_policy_override_tightens_the_frequency_policy(tmp_path: Path) -> None:
    weekly = CATALOG.replace("update_frequency: 每日", "update_frequency: 每周").replace("2026-10-01", "2026-11-20")
    write_workspace(tmp_path, {"catalog.yaml": weekly,
                               ".govcat.yaml": "policy:\n  min_frequency: {部门信息资源: 每日}\n"})
    _, report = _json(tmp_path)
    assert [f["code"] for f in report["findings"]] == ["GC503"]


def test_invalid_configuration_names_the_key_and_line(tmp_path: Path) -> None:
    write_workspace(tmp_path, {"catalog.yaml": CATALOG,
                               ".govcat.yaml": "severity:\n  GC504: warning\n  GC999: error\n"})
    result = govcat("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert ".govcat.yaml:3" in result.stderr and "GC999" in result.stderr and "Traceback" not in result.stderr
    (tmp_path / ".govcat.yaml").write_text("waivers:\n  - {rule: GC504, reason: x, approved_by: y, expires: 2026-13-01,"
                                           " resource: a}\n", encoding="utf-8")
    result = govcat("validate", cwd=tmp_path)
    assert result.returncode == 2 and ".govcat.yaml:2" in result.stderr and "expires" in result.stderr
    (tmp_path / ".govcat.yaml").write_text("severities: {}\n", encoding="utf-8")
    result = govcat("validate", cwd=tmp_path)
    assert result.returncode == 2 and "severities" in result.stderr and ".govcat.yaml:1" in result.stderr


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(root), "PATH": "/usr/bin:/bin"})


def test_changed_since_reports_only_changed_records(tmp_path: Path) -> None:
    second = CATALOG.split("resources:\n")[1].replace("307001001/000001", "307001001/000002").replace(
        "婚姻登记信息", "婚姻登记档案")
    write_workspace(tmp_path, {"catalog.yaml": CATALOG + second})  # two overdue resources (GC504 ×2)
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "base")
    # The pull request: touches the second resource and adds a duplicate of the first one's code.
    third = second.replace("307001001/000002", "307001001/000001").replace("婚姻登记档案", "婚姻登记补录信息")
    changed = CATALOG + second.replace("summary: 本市", "summary: 全市") + third
    (tmp_path / HERE).write_text(changed, encoding="utf-8")
    code, report = _json(tmp_path, "--changed-since", "HEAD")
    assert code == 1
    found = sorted((f["code"], f["record"]["code"], f["line"]) for f in report["findings"])
    assert found == [("GC203", "307001001/000001", 30), ("GC504", "307001001/000001", 41),
                     ("GC504", "307001001/000002", 28)], found
    assert report["changed_since"] == {"revision": "HEAD", "left_out": 1}  # the untouched first resource
    text = govcat("validate", "--as-of", "2026-11-22", "--changed-since", "HEAD", cwd=tmp_path).stdout
    assert "另有 1 个发现位于未改动的记录上" in text
    bad = govcat("validate", "--changed-since", "no-such-rev", cwd=tmp_path)
    assert bad.returncode == 2 and "no-such-rev" in bad.stderr
