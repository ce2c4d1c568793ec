"""The broken-input corpus, through the real CLI in a new process (SPEC §5 "Bad input"): any file,
however broken, gives located findings or a clear message with exit code 2 — never a traceback,
never a hang, never silent data loss."""

from __future__ import annotations

import base64
import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DEFAULT_PROVIDER, govcat, write_workspace

AS_OF = "2026-11-22"
HERE = f"catalogs/{DEFAULT_PROVIDER}/catalog.yaml"

# SPEC §2.3 example catalog: valid, no finding at all.
CATALOG = """\
standard_version: "1.0"
provider:
  code: "11330100MB0000012X"
  name: 示范市民政局
resources:
  - code: "307001001/000001"
    name: 婚姻登记信息
    classification: {class: 部门信息资源, item: 省（自治区、直辖市）及其下各级政务部门}
    summary: 本市办理结婚登记、离婚登记的当事人及登记结果信息。
    format: {category: 数据库, type: KingbaseES}
    items:
      - {name: 公民身份号码, element: DE00001, data_type: C, length: 18}
      - {name: 姓名, element: DE00002, data_type: C, length: 50}
      - {name: 婚姻状况代码, element: DE00007, data_type: C, length: 2}
      - {name: 登记日期, element: DE00301, data_type: D}
    sharing: {type: 有条件共享, condition: 仅用于婚姻状况核验类政务服务事项, method: 共享平台, method_type: 接口}
    opening: {type: 不予开放}
    update_frequency: 每日
    published_on: 2025-03-01
    last_updated_on: 2026-11-20
    security_level: 重要数据
"""

# A 1×1 PNG: binary, with NUL bytes.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP4//8/AAX+Av6n1qRQAAAAAElFTkSuQmCC")


def edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _check_stderr(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    # the CLI turns an unexpected exception into "内部错误（internal error）" and exit 2, without a traceback
    assert "internal error" not in result.stderr, result.stderr


def validate(root: Path, *paths: str) -> tuple[int, list[dict[str, Any]], str]:
    """`govcat validate PATHS --format json --as-of 2026-11-22` in root: (exit code, findings, stderr)."""
    result = govcat("validate", *(paths or ("catalogs",)), "--format", "json", "--as-of", AS_OF, cwd=root)
    _check_stderr(result)
    findings = json.loads(result.stdout)["findings"] if result.returncode in (0, 1) else []
    return result.returncode, findings, result.stderr


def located(findings: list[dict[str, Any]]) -> list[tuple[str, str, int, int]]:
    return sorted((f["file"], f["code"], f["line"], f["column"]) for f in findings)


def test_gbk_file_saved_by_wps(tmp_path: Path) -> None:
    write_workspace(tmp_path, {"catalog.yaml": ("# 婚姻登记信息目录\n" + CATALOG).encode("gb18030")})
    code, findings, _ = validate(tmp_path)
    # 婚 is BB E9 in GBK: BB cannot start a UTF-8 sequence, so decoding stops at line 1, column 3
    assert located(findings) == [(HERE, "GC003", 1, 3)]
    assert "iconv" in findings[0]["message"]
    assert "GBK" in findings[0]["message"]
    assert code == 1


def test_utf8_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    write_workspace(tmp_path, {"catalog.yaml": ("\ufeff" + CATALOG).replace("\n", "\r\n").encode("utf-8")})
    code, findings, _ = validate(tmp_path)
    assert findings == []
    assert code == 0


def test_utf8_bom_and_crlf_keep_positions_right(tmp_path: Path) -> None:
    broken = edit(CATALOG, ('standard_version: "1.0"', 'standard_version: "2.0"'),
                  ("sharing: {type: 有条件共享,", "sharing: {type: 有条件,"),
                  ("security_level: 重要数据", "security_level: 机密"))
    write_workspace(tmp_path, {"catalog.yaml": ("\ufeff" + broken).replace("\n", "\r\n").encode("utf-8")})
    code, findings, _ = validate(tmp_path)
    assert located(findings) == [
        (HERE, "GC104", 16, 21),  # 有条件: the BOM and the CRs shift neither lines nor columns
        (HERE, "GC104", 21, 21),  # 机密
        (HERE, "GC704", 1, 19),   # "2.0" on the BOM's line
    ]
    messages = " ".join(f["message"] for f in findings)
    assert "“机密”" in messages and "\r" not in messages  # the CR is not part of the value
    assert code == 1


def test_yaml_syntax_error_at_the_parsers_position(tmp_path: Path) -> None:
    write_workspace(tmp_path, {"catalog.yaml": edit(CATALOG, ('  code: "11330100MB0000012X"', '\tcode: "11330100MB0000012X"'))})
    code, findings, _ = validate(tmp_path)
    assert located(findings) == [(HERE, "GC001", 3, 1)]  # the tab
    assert code == 1


def test_duplicate_keys_are_reported_not_dropped(tmp_path: Path) -> None:
    text = edit(CATALOG, ("    opening: {type: 不予开放}\n", "    opening: {type: 不予开放}\n    opening: {type: 无条件开放}\n"),
                ("  name: 示范市民政局\n", "  name: 示范市民政局\n  name: 民政局\n"))
    write_workspace(tmp_path, {"catalog.yaml": text})
    code, findings, _ = validate(tmp_path)
    assert located(findings) == [(HERE, "GC002", 5, 3), (HERE, "GC002", 19, 5)]  # the repeated keys
    assert code == 1


def test_unquoted_impossible_date_is_a_finding(tmp_path: Path) -> None:
    write_workspace(tmp_path, {"catalog.yaml": edit(CATALOG, ("published_on: 2025-03-01", "published_on: 2025-02-30"))})
    code, findings, _ = validate(tmp_path)
    assert located(findings) == [(HERE, "GC106", 19, 19)]
    assert "2025-02-30" in findings[0]["message"]
    assert code == 1


def test_zero_padded_numbers_stay_text(tmp_path: Path) -> None:
    registry = """\
departments:
  - {code: "11330100MB0000012X", name: 示范市民政局, level: 市级, division: 010100}
  - {code: "11330100MB0000010P", name: 示范市公安局, level: 市级, division: 03301}
"""
    write_workspace(tmp_path, {"catalogs/departments.yaml": registry, "catalog.yaml": CATALOG})
    code, findings, _ = validate(tmp_path)
    # both keep their leading zero: 010100 is six digits (not 10100, not the octal 4160) but no GB/T 2260
    # code; 03301 does not have six digits
    assert located(findings) == [("catalogs/departments.yaml", "GC104", 2, 69),
                                 ("catalogs/departments.yaml", "GC105", 3, 69)]
    assert "“010100”" in findings[0]["message"]
    assert "“03301”" in findings[1]["message"]
    assert code == 1


def test_unquoted_numeric_codes_and_version_are_read_as_typed(tmp_path: Path) -> None:
    provider = "113301000000000051"  # all digits, valid GB 32100 check character (1)
    registry = f"""\
departments:
  - {{code: {provider}, name: 示范市数字码局, level: 市级, division: 330100}}
"""
    catalog = edit(CATALOG, ('standard_version: "1.0"', "standard_version: 1.0"),
                   ('code: "11330100MB0000012X"', f"code: {provider}"), ("name: 示范市民政局", "name: 示范市数字码局"))
    write_workspace(tmp_path, {"catalogs/departments.yaml": registry, f"catalogs/{provider}/catalog.yaml": catalog})
    code, findings, _ = validate(tmp_path)
    assert findings == []  # no GC103 wrong-type, no GC704 for 1.0, no GC206/GC702 for the digits
    assert code == 0


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    levels = "abcdefgh"
    lines = ['standard_version: "1.0"', "a: &a [" + ", ".join(["x"] * 10) + "]"]
    lines += [f"{b}: &{b} [" + ", ".join([f"*{a}"] * 10) + "]" for a, b in itertools.pairwise(levels)]
    lines += ["i: [" + ", ".join(["*h"] * 10) + "]"]  # 10^8 nodes once expanded
    write_workspace(tmp_path, {"catalog.yaml": "\n".join(lines) + "\n"})
    result = subprocess.run(  # a timeout, not a timing assertion: a hang fails, a slow machine does not
        [sys.executable, "-m", "govcat", "validate", "catalogs", "--format", "json", "--as-of", AS_OF],
        cwd=tmp_path, capture_output=True, text=True, timeout=10)
    _check_stderr(result)
    findings = json.loads(result.stdout)["findings"]
    # the budget (434 characters + 1024) runs out at d's first *c; see tests/rules/GC004.yaml
    assert located(findings) == [(HERE, "GC004", 5, 8)]
    assert result.returncode == 1


def test_deeply_nested_flow_collections_are_refused_not_crashed(tmp_path: Path) -> None:
    # 100 000 levels in 200 kB: a recursive composer overflows the C stack here (a segfault, exit 139)
    write_workspace(tmp_path, {"catalog.yaml": 'standard_version: "1.0"\nresources: ' + "[" * 100_000 + "]" * 100_000 + "\n"})
    code, findings, _ = validate(tmp_path)
    assert located(findings) == [(HERE, "GC004", 2, 75)]  # the root is level 1: the 64th `[` opens level 65
    assert code == 1


def test_300_mb_file_is_refused_before_reading(tmp_path: Path) -> None:
    write_workspace(tmp_path, {})
    huge = tmp_path / "catalogs" / DEFAULT_PROVIDER / "catalog.yaml"
    huge.parent.mkdir(parents=True, exist_ok=True)
    with huge.open("wb") as fh:
        fh.truncate(300 * 1024 * 1024)  # sparse: instant, takes no disk space
    code, findings, _ = validate(tmp_path)
    assert located(findings) == [(HERE, "GC004", 1, 1)]
    assert "300 MiB" in findings[0]["message"] and "64 MiB" in findings[0]["message"]
    assert code == 1


def test_directory_without_catalogs_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "说明.txt").write_text("这里还没有目录。", encoding="utf-8")
    code, _findings, stderr = validate(tmp_path, "empty")
    assert code == 2
    assert "没有找到目录文件" in stderr and "empty" in stderr


def test_binary_file_named_yaml(tmp_path: Path) -> None:
    write_workspace(tmp_path, {"catalog.yaml": PNG})
    code, findings, _ = validate(tmp_path)
    assert located(findings) == [(HERE, "GC003", 1, 1)]
    assert code == 1


def test_path_that_does_not_exist(tmp_path: Path) -> None:
    write_workspace(tmp_path, {"catalog.yaml": CATALOG})
    code, _, stderr = validate(tmp_path, "catalogs/11330100MB0000099X/catalog.yaml")
    assert code == 2
    assert "路径不存在" in stderr and "11330100MB0000099X" in stderr


def test_every_broken_spot_of_one_file_is_reported_in_one_run(tmp_path: Path) -> None:
    text = edit(
        CATALOG,
        ("    summary: 本市办理结婚登记、离婚登记的当事人及登记结果信息。\n", ""),                  # missing M field
        ("    format: {category: 数据库, type: KingbaseES}\n",
         "    format: {category: 数据库, type: KingbaseES}\n    remark: 含历史数据\n"),          # unknown field
        ("sharing: {type: 有条件共享, condition: 仅用于婚姻状况核验类政务服务事项, method: 共享平台, method_type: 接口}",
         "sharing: {type: 有条件共享, method: 共享平台, method_type: 接口}"),                   # no condition
        ("published_on: 2025-03-01", "published_on: 2025-02-30"),                            # impossible date
    )
    write_workspace(tmp_path, {"catalog.yaml": text})
    code, findings, _ = validate(tmp_path)
    assert located(findings) == [
        (HERE, "GC101", 6, 5),    # summary: at the resource mapping
        (HERE, "GC102", 10, 13),  # remark: at its value
        (HERE, "GC106", 19, 19),  # 2025-02-30
        (HERE, "GC401", 16, 14),  # sharing without condition: at the sharing mapping
    ]
    assert code == 1


def test_empty_file_is_three_missing_fields_at_its_start(tmp_path: Path) -> None:
    for content in ("", "# 目录尚未填写\n"):
        write_workspace(tmp_path, {"catalog.yaml": content})
        code, findings, _ = validate(tmp_path)
        assert code == 1
        assert located(findings) == [(HERE, "GC101", 1, 1)] * 3
        assert {f["pointer"] for f in findings} == {""}


def test_empty_values_are_located_at_the_field_and_reported_once(tmp_path: Path) -> None:
    text = edit(CATALOG, ('standard_version: "1.0"', 'standard_version: ""'),
                ("    summary: 本市办理结婚登记、离婚登记的当事人及登记结果信息。", "    summary:"),
                ("    security_level: 重要数据", "    security_level:"),
                ("    published_on: 2025-03-01", '    published_on: ""'))
    write_workspace(tmp_path, {"catalog.yaml": text})
    code, findings, _ = validate(tmp_path)
    assert code == 1
    assert located(findings) == sorted([
        (HERE, "GC101", 1, 19),   # standard_version: "" — the empty string itself
        (HERE, "GC101", 9, 5),    # summary: with nothing — its key
        (HERE, "GC101", 19, 19),  # published_on: ""
        (HERE, "GC108", 6, 5),    # security_level: recommended, missing -> the resource
    ]), [f["message"] for f in findings]


def test_control_characters_and_overflowing_numbers(tmp_path: Path) -> None:
    write_workspace(tmp_path, {"catalog.yaml": edit(CATALOG, ("    name: 婚姻登记信息", "    name: 婚姻登记\x07信息"))})
    _, findings, _ = validate(tmp_path)
    assert located(findings) == [(HERE, "GC001", 7, 15)]
    assert "U+0007" in findings[0]["message"]
    write_workspace(tmp_path, {"catalog.yaml": edit(CATALOG, ("data_type: C, length: 18}", "data_type: C, length: 1e400}"))})
    _, findings, _ = validate(tmp_path)
    assert [(f["code"], f["line"]) for f in findings] == [("GC103", 12)]


def test_tab_indentation_gets_a_hint(tmp_path: Path) -> None:
    write_workspace(tmp_path, {"catalog.yaml": edit(CATALOG, ('  code: "11330100MB0000012X"', '\tcode: "11330100MB0000012X"'))})
    _, findings, _ = validate(tmp_path)
    assert "Tab" in findings[0]["message"]


def _quick(root: Path, *args: str, prefix: tuple[str, ...] = ()) -> tuple[int, list[dict[str, Any]]]:
    """`govcat validate` with a short timeout: a hang fails the test instead of blocking the suite."""
    result = subprocess.run([*prefix, sys.executable, "-m", "govcat", "validate", *(args or ("catalogs",)),
                             "--format", "json", "--as-of", AS_OF], cwd=root, capture_output=True, text=True,
                            timeout=20)
    _check_stderr(result)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)["findings"]


def test_special_files_named_like_catalogs_are_not_read(tmp_path: Path) -> None:
    """A FIFO blocks a plain open() until a writer comes; /dev/zero never ends. None is read, and
    the catalog beside them is still checked."""
    import os

    catalogs = write_workspace(tmp_path, {"catalog.yaml": edit(CATALOG, ("security_level: 重要数据", "security_level: 机密"))})
    os.mkfifo(catalogs / "fifo.yaml")
    os.mkfifo(catalogs / "fifo.xlsx")
    (catalogs / "zero.yaml").symlink_to("/dev/zero")
    (catalogs / "random.xlsx").symlink_to("/dev/urandom")  # not /dev/zero again: one file is read once
    code, findings = _quick(tmp_path)
    assert located(findings) == [
        (HERE, "GC104", 21, 21),
        ("catalogs/fifo.xlsx", "GC005", 1, 1), ("catalogs/fifo.yaml", "GC005", 1, 1),
        ("catalogs/random.xlsx", "GC005", 1, 1), ("catalogs/zero.yaml", "GC005", 1, 1),
    ]
    messages = {f["file"]: f["message"] for f in findings}
    assert "命名管道" in messages["catalogs/fifo.yaml"] and "只读取普通文件" in messages["catalogs/fifo.yaml"]
    assert "字符设备" in messages["catalogs/random.xlsx"]
    assert code == 1


def test_symlink_loops_and_dangling_links_are_reported(tmp_path: Path) -> None:
    catalogs = write_workspace(tmp_path, {"catalog.yaml": CATALOG})
    (catalogs / "a.yaml").symlink_to("b.yaml")
    (catalogs / "b.yaml").symlink_to("a.yaml")
    (catalogs / "gone.yaml").symlink_to("deleted.yaml")
    code, findings = _quick(tmp_path)
    assert located(findings) == [("catalogs/a.yaml", "GC009", 1, 1), ("catalogs/b.yaml", "GC009", 1, 1),
                                 ("catalogs/gone.yaml", "GC009", 1, 1)]
    assert "符号链接循环" in findings[0]["message"] and "失效的符号链接" in findings[2]["message"]
    code, findings = _quick(tmp_path, "catalogs/a.yaml")  # named on the command line: the same finding
    assert located(findings) == [("catalogs/a.yaml", "GC009", 1, 1)]
    assert code == 1


def _without_permission_override() -> tuple[str, ...]:
    """A command prefix under which chmod 000 stops reads. Root reads anything (CAP_DAC_OVERRIDE):
    as root the CLI runs with those capabilities dropped (util-linux setpriv), else the test is skipped."""
    import os
    import shutil

    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root, where chmod 000 does not stop reads, and setpriv is not installed")
    caps = "-dac_override,-dac_read_search"
    return ("setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}")


def test_unreadable_files_and_folders_are_reported_not_skipped(tmp_path: Path) -> None:
    prefix = _without_permission_override()
    catalogs = write_workspace(tmp_path, {"catalog.yaml": CATALOG, "locked.yaml": CATALOG,
                                          "catalogs/11330100MB0000010P/catalog.yaml": CATALOG})
    locked, folder = catalogs / DEFAULT_PROVIDER / "locked.yaml", catalogs / "11330100MB0000010P"
    locked.chmod(0)
    folder.chmod(0)
    try:
        code, findings = _quick(tmp_path, prefix=prefix)
    finally:
        folder.chmod(0o755)  # so that pytest can remove it
    assert located(findings) == [("catalogs/11330100MB0000010P", "GC009", 1, 1),
                                 (f"catalogs/{DEFAULT_PROVIDER}/locked.yaml", "GC009", 1, 1)]
    assert "没有读取权限" in findings[1]["message"]
    assert "文件夹" in findings[0]["message"] and "未校验" in findings[0]["message"]
    assert code == 1


def test_complex_mapping_key_falls_back_to_the_precise_path(tmp_path: Path) -> None:
    """yaml-rs raises TypeError on `? a: [b]` (a list cannot be a key): the precise path locates it."""
    write_workspace(tmp_path, {"catalog.yaml": edit(CATALOG, ("  name: 示范市民政局\n", "  name: 示范市民政局\n  ? a: [b]\n  : c\n"))})
    code, findings, _ = validate(tmp_path)
    assert located(findings) == [(HERE, "GC001", 5, 5)]  # the key `a: [b]`
    assert "mapping key" in findings[0]["message"]
    assert code == 1


HUGE = "9" * 5000  # more digits than Python turns into an int and back (4300)


def test_numbers_of_thousands_of_digits_stay_findings(tmp_path: Path) -> None:
    text = edit(CATALOG, ("data_type: C, length: 18}", f"data_type: C, length: {HUGE}}}"),
                ("    name: 婚姻登记信息\n", f"    name: 婚姻登记信息\n    related_codes: [{HUGE}]\n    keywords: [{HUGE[:4000]}]\n"),
                ("    security_level: 重要数据", f"    security_level: {HUGE}"))
    registry = f"""\
departments:
  - {{code: "11330100MB0000012X", name: 示范市民政局, level: 市级, division: {HUGE}}}
"""
    write_workspace(tmp_path, {"catalog.yaml": text, "catalogs/departments.yaml": registry})
    code, findings, _ = validate(tmp_path)
    assert [(f["file"], f["code"], f["line"], f["column"]) for f in findings] == [
        (HERE, "GC105", 8, 21),                           # the related code: text, not a resource code
        (HERE, "GC103", 14, 64),                          # the length: text where an integer belongs
        (HERE, "GC104", 23, 21),                          # the security level: no allowed value
        ("catalogs/departments.yaml", "GC105", 2, 69),    # the division: text, but not six digits
    ]                                                     # (the 4000-digit keyword is text, and valid)
    assert code == 1


def test_infinity_and_nan_in_yaml_are_findings_on_both_paths(tmp_path: Path) -> None:
    for marker in ("", '    source_system: "前置机\\u0031"\n'):  # an escape sends the file to the precise path
        text = edit(CATALOG, ("data_type: C, length: 18}", "data_type: C, length: .inf}"),
                    ("data_type: C, length: 50}", "data_type: C, length: -.INF}"),
                    ("data_type: C, length: 2}", "data_type: C, length: .NaN}"),
                    ("{name: 登记日期, element: DE00301, data_type: D}", "{name: 登记日期, element: DE00301, data_type: D, precision: 1e999}"),
                    ("    security_level: 重要数据\n", "    security_level: 重要数据\n" + marker))
        write_workspace(tmp_path, {"catalog.yaml": text})
        code, findings, _ = validate(tmp_path)
        assert located(findings) == [(HERE, "GC103", line, column) for line, column in
                                     ((12, 64), (13, 60), (14, 64), (15, 65))], marker
        assert all("文本" in f["message"] for f in findings)
        assert code == 1


def test_time_and_duration_cells_are_findings_and_hide_nothing(tmp_path: Path) -> None:
    """calamine reads a cell Excel took for a time as datetime.time, which is no JSON value: the
    schema check used to give up on the whole workbook, and the run passed."""
    from datetime import time, timedelta

    resource = ["307001001/000001", "婚姻登记信息", "部门信息资源", "省（自治区、直辖市）及其下各级政务部门",
                "本市办理结婚登记、离婚登记的当事人及登记结果信息。", "数据库", "KingbaseES", "有条件共享",
                "仅用于婚姻状况核验类政务服务事项", "共享平台", "接口", "不予开放", "每日", "=date:2025-03-01",
                "=date:2026-11-20", "机密", time(9, 0)]
    write_workspace(tmp_path, {"catalog.xlsx": {"workbook": {
        "提供方": [["提供方代码", DEFAULT_PROVIDER], ["提供方名称", "示范市民政局"], ["标准版本", "1.0"]],
        "信息资源": [["信息资源代码", "信息资源名称", "资源分类（类）", "资源分类（项）", "信息资源摘要", "格式分类",
                  "格式类型", "共享类型", "共享条件", "共享方式", "共享方式类型", "开放类型", "更新周期", "发布日期",
                  "最近更新日期", "数据分级", "关键字"], resource],
        "信息项": [["信息资源代码", "信息项名称", "关联数据元", "数据类型", "数据长度", "说明"],
                ["307001001/000001", "公民身份号码", "DE00001", "C", 18, time(8, 30)],
                ["307001001/000001", "姓名", "DE00002", "C", timedelta(hours=26)]],
    }}})
    code, findings, _ = validate(tmp_path)
    assert sorted((f["code"], f["sheet"], f["cell"]) for f in findings) == [
        ("GC103", "信息资源", "Q2"), ("GC103", "信息项", "E3"), ("GC103", "信息项", "F2"),
        ("GC104", "信息资源", "P2"),  # 机密: the workbook's other findings are still reported
    ]
    messages = {f["cell"]: f["message"] for f in findings}
    assert "时刻" in messages["F2"] and "08:30" in messages["F2"] and "应为文本" in messages["F2"]
    assert "时长" in messages["E3"] and "应为整数" in messages["E3"]
    assert code == 1


def test_dates_at_the_end_of_the_calendar(tmp_path: Path) -> None:
    """`last_updated_on + max interval + grace` passes 9999-12-31: no OverflowError, each date judged."""
    text = edit(CATALOG, ("last_updated_on: 2026-11-20", "last_updated_on: 9999-12-30"),
                ("published_on: 2025-03-01", "published_on: 0001-01-01"))
    write_workspace(tmp_path, {"catalog.yaml": text})
    result = govcat("validate", "catalogs", "--format", "json", "--as-of", "9999-12-31", cwd=tmp_path)
    _check_stderr(result)
    assert json.loads(result.stdout)["findings"] == [] and result.returncode == 0  # daily, updated yesterday
    write_workspace(tmp_path, {"catalog.yaml": edit(text, ("last_updated_on: 9999-12-30", "last_updated_on: 9999-12-01"))})
    result = govcat("validate", "catalogs", "--format", "json", "--as-of", "9999-12-31", cwd=tmp_path)
    _check_stderr(result)
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["code"] == "GC504" and "9999-12-02" in finding["message"]  # due the day after


def test_timeliness_metric_at_the_end_of_the_calendar() -> None:
    from datetime import date

    from govcat.publishing import metrics
    from govcat.standard import load

    std = load()
    assert metrics.overdue(std, "每年", "9999-12-31", date(9999, 12, 31)) is False
    assert metrics.overdue(std, "每日", "9999-12-01", date(9999, 12, 31)) is True
    assert metrics.overdue(std, "每日", "0001-01-01", date(1, 1, 1)) is False
