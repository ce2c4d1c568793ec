"""The CLI as departments and CI run it: exit codes, formats and the example catalogs."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import REPO, govcat

SPEC_KEYS = {"code", "name", "severity", "message", "file", "line", "column", "end_line", "end_column",
             "pointer", "sheet", "cell", "record", "url"}
BROKEN = """\
standard_version: "1.0"
provider: {code: "11330100MB0000012X", name: 示范市民政局}
resources:
  - code: "307001001/000004"
    name: 婚姻登记档案
    classification: {class: 部门信息资源, item: 省（自治区、直辖市）及其下各级政务部门}
    summary: 本市婚姻登记档案的目录信息，含登记类别与日期。
    format: {category: 数据库, type: KingbaseES}
    items:
      - {name: 登记日期, element: DE00301, data_type: D}
    sharing: {type: 有条件共享, method: 共享平台, method_type: 接口}
    opening: {type: 不予开放}
    update_frequency: 每天
    published_on: 2025-03-01
    last_updated_on: 2026-11-20
    security_level: 一般数据
"""


def _broken(tmp_path: Path) -> Path:
    folder = tmp_path / "catalogs" / "11330100MB0000012X"
    folder.mkdir(parents=True)
    (tmp_path / "catalogs" / "departments.yaml").write_text(
        'departments:\n  - {code: "11330100MB0000012X", name: 示范市民政局, level: 市级, division: "330100"}\n',
        encoding="utf-8")
    (folder / "catalog.yaml").write_text(BROKEN, encoding="utf-8")
    return tmp_path


def test_example_catalogs_pass_with_no_finding() -> None:
    result = govcat("validate", "catalogs", "--as-of", "2026-11-22", "--format", "json", cwd=REPO)
    report = json.loads(result.stdout)
    assert result.returncode == 0, result.stderr
    assert report["findings"] == [], [f["message"] for f in report["findings"]][:10]
    assert report["summary"]["resources"] >= 60
    assert report["summary"]["files"] >= 7


def test_json_report_has_the_fixed_shape(tmp_path: Path) -> None:
    root = _broken(tmp_path)
    result = govcat("validate", "--format", "json", "--as-of", "2026-11-22", cwd=root)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert set(report) >= {"tool", "standard", "as_of", "summary", "findings"}
    assert report["tool"]["name"] == "govcat" and report["standard"] == {"version": "1.0"}
    assert report["as_of"] == "2026-11-22"
    assert report["summary"] == {"files": 2, "resources": 1, "items": 1, "error": 2, "warning": 0, "info": 0}
    by_code = {f["code"]: f for f in report["findings"]}
    assert set(by_code) == {"GC401", "GC501"}
    share = by_code["GC401"]
    assert set(share) >= SPEC_KEYS
    assert share["file"] == "catalogs/11330100MB0000012X/catalog.yaml"
    assert (share["line"], share["column"], share["pointer"]) == (11, 14, "/resources/0/sharing")
    assert share["record"] == {"code": "307001001/000004", "name": "婚姻登记档案"}
    assert share["url"].endswith("/rules/GC401/")
    assert by_code["GC501"]["message"].endswith("应写作“每日”")


def test_text_format_and_exit_codes(tmp_path: Path) -> None:
    root = _broken(tmp_path)
    result = govcat("validate", "catalogs", "--format", "text", "--as-of", "2026-11-22", cwd=root)
    lines = result.stdout.splitlines()
    assert result.returncode == 1
    assert re.fullmatch(r"catalogs/11330100MB0000012X/catalog\.yaml:11:14: GC401 .+\[307001001/000004 婚姻登记档案\]",
                        lines[0])
    assert "2 个错误" in lines[-1]
    assert govcat("validate", "--fail-on", "never", "--as-of", "2026-11-22", cwd=root).returncode == 0
    ignored = govcat("validate", "--ignore", "GC401,GC5", "--as-of", "2026-11-22", cwd=root)
    assert ignored.returncode == 0, ignored.stdout
    selected = govcat("validate", "--select", "GC5", "--format", "json", "--as-of", "2026-11-22", cwd=root)
    assert [f["code"] for f in json.loads(selected.stdout)["findings"]] == ["GC501"]


def test_english_messages(tmp_path: Path) -> None:
    root = _broken(tmp_path)
    result = govcat("validate", "--lang", "en", "--as-of", "2026-11-22", cwd=root)
    assert "GC401 sharing type is 有条件共享 (conditional) but no condition is given" in result.stdout
    assert "2 errors, 0 warnings" in result.stdout


def test_usage_errors_exit_2_with_a_message(tmp_path: Path) -> None:
    missing = govcat("validate", "no/such/dir", cwd=tmp_path)
    assert missing.returncode == 2 and "路径不存在" in missing.stderr
    (tmp_path / "empty").mkdir()
    empty = govcat("validate", "empty", cwd=tmp_path)
    assert empty.returncode == 2 and "没有找到目录文件" in empty.stderr
    assert govcat("validate", "--select", "GC999", cwd=REPO).returncode == 2
    assert govcat("validate", "--as-of", "2026-13-01", cwd=REPO).returncode == 2
    for result in (missing, empty):
        assert "Traceback" not in result.stderr


def test_rules_and_explain() -> None:
    listing = govcat("rules").stdout.splitlines()
    assert len(listing) == 56 and listing[0].startswith("GC001  error")
    page = govcat("explain", "GC401")
    assert page.returncode == 0
    for heading in ("## 检查内容", "## 为什么", "## 示例", "## 修正", "/rules/GC401/"):
        assert heading in page.stdout
    unknown = govcat("explain", "GC40")
    assert unknown.returncode == 2 and "GC40" in unknown.stderr


def test_report_gives_per_department_metrics() -> None:
    result = govcat("report", "--format", "json", "--as-of", "2026-11-22", cwd=REPO)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    total = report["total"]
    assert total["resources"] == sum(d["resources"] for d in report["departments"]) >= 60
    assert total["rates"]["mapping"]["rate"] == 1.0  # every example item maps to a data element
    mount = total["rates"]["mount"]
    assert mount["denominator"] == total["resources"] and 0 < mount["numerator"] < mount["denominator"]
    markdown = govcat("report", "--as-of", "2026-11-22", cwd=REPO).stdout
    assert markdown.startswith("# 目录合规报告（判定日期 2026-11-22）")
    assert "| **合计** |" in markdown and "数据元映射率" in markdown
