"""Workspace configuration of any shape: a clear usage error naming file:line and the key, never an
internal error, never a silently accepted mistake (SPEC §3.4: exit 2 for configuration problems)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcat.core.errors import UsageError
from tests.conftest import govcat, run, write_workspace
from tests.test_bad_input import CATALOG

# (configuration text, file:line the message must name, the key it must name)
BAD_YAML = [
    ("severity: [GC408]\n", ".govcat.yaml:1", "/severity"),                          # a list for a mapping
    ("- severity\n", ".govcat.yaml:1", "（配置项 /）"),                                 # the whole file a list
    ("ignore: {path: x}\n", ".govcat.yaml:1", "/ignore"),                            # a mapping for a list
    ("ignore: catalogs/**\n", ".govcat.yaml:1", "/ignore"),
    ("ignore:\n  - catalogs/**\n", ".govcat.yaml:2", "/ignore/0"),
    ("ignore:\n  - {rules: [GC408]}\n", ".govcat.yaml:2", "缺少 path"),
    ("ignore:\n  - {path: x, rules: [408]}\n", ".govcat.yaml:2", "/ignore/0/rules/0"),  # an integer for a code
    ("ignore:\n  - {path: x, rules: [GC40]}\n", ".govcat.yaml:2", "未知的规则“GC40”"),
    ("ignore:\n  - {path: x, rule: GC408}\n", ".govcat.yaml:2", "/ignore/0/rule"),    # unknown key in an entry
    ("ignore:\n  - {path: [a, b]}\n", ".govcat.yaml:2", "/ignore/0/path"),
    ("severity:\n  GC408: fatal\n", ".govcat.yaml:2", "/severity/GC408"),
    ("severity:\n  408: error\n", ".govcat.yaml:2", "未知的规则“408”"),
    ("severity:\n  GC408: [error]\n", ".govcat.yaml:2", "/severity/GC408"),
    ("waivers:\n  - {rule: [GC408], resource: a, reason: x, approved_by: y, expires: 2027-01-01}\n",
     ".govcat.yaml:2", "/waivers/0/rule"),                                             # a list inside a waiver
    ("waivers:\n  - {rule: GC408, resource: [a], reason: x, approved_by: y, expires: 2027-01-01}\n",
     ".govcat.yaml:2", "/waivers/0/resource"),
    ("waivers:\n  - {rule: GC408, resource: a, reason: {x: 1}, approved_by: y, expires: 2027-01-01}\n",
     ".govcat.yaml:2", "/waivers/0/reason"),
    ("waivers:\n  - {rule: GC408, resource: a, reason: x, approved_by: y, expires: [2027-01-01]}\n",
     ".govcat.yaml:2", "/waivers/0/expires"),
    ("waivers:\n  - {rule: GC408, reason: x, approved_by: y, expires: 2027-01-01}\n", ".govcat.yaml:2", "resource"),
    ("waivers:\n  - {rule: GC408, path: '*', reason: x, expires: 2027-01-01}\n", ".govcat.yaml:2", "缺少 approved_by"),
    ("waivers: GC408\n", ".govcat.yaml:1", "/waivers"),
    ("policy: 5\n", ".govcat.yaml:1", "/policy"),                                    # a scalar policy
    ("policy: [grace_days]\n", ".govcat.yaml:1", "/policy"),
    ("policy:\n  grace_days: true\n", ".govcat.yaml:2", "/policy/grace_days"),        # a boolean is no integer
    ("policy:\n  grace_days: -1\n", ".govcat.yaml:2", "/policy/grace_days"),
    ("policy:\n  grace_days: 1e999\n", ".govcat.yaml:2", "/policy/grace_days"),
    (f"policy:\n  grace_days: {'9' * 5000}\n", ".govcat.yaml:2", "/policy/grace_days"),
    ("policy:\n  grace: 3\n", ".govcat.yaml:2", "/policy/grace"),                     # unknown key under policy
    ("policy:\n  min_frequency: {部门信息资源: 每天}\n", ".govcat.yaml:2", "每天"),
    ("policy:\n  min_frequency: {部门资源: 每日}\n", ".govcat.yaml:2", "/policy/min_frequency/部门资源"),
    ("policy:\n  min_frequency: [每日]\n", ".govcat.yaml:2", "/policy/min_frequency"),
    ("owners: [\"@a\"]\n", ".govcat.yaml:1", "/owners"),
    ("owners:\n  standard: \"@a\"\n", ".govcat.yaml:2", "/owners/standard"),
    ("owners:\n  catalogs: [\"@a\"]\n", ".govcat.yaml:2", "/owners/catalogs"),
    ("severities: {}\n", ".govcat.yaml:1", "/severities"),
    ("severity: {GC408: error}\nseverity: {GC408: off}\n", ".govcat.yaml:2", "GC002"),   # duplicate key
    ("severity: {GC408: error\n", ".govcat.yaml:2", "GC001"),                             # syntax
    ("severity:\n\tGC408: error\n", ".govcat.yaml:2", "GC001"),
    ("# 配置\nseverity: {GC408: 错误}\n".encode("gb18030"), ".govcat.yaml:1", "GC003"),  # not UTF-8
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, "
     "*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, "
     "*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, "
     "*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, "
     "*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, "
     "*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, "
     "*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, "
     "*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n",
     ".govcat.yaml:2", "GC004"),                                                           # an alias bomb
]

BAD_TOML = [
    ("# settings: see [tool.govcat] below\ntool = 5\n", "pyproject.toml:2", "/tool"),
    ("[tool.govcat]\nseverity = [\"GC408\"]\n", "pyproject.toml:2", "/severity"),
    ("[tool]\ngovcat = 5\n", "pyproject.toml:2", "（配置项 /）"),
    ("[project]\nname = \"x\"\n\n[tool.govcat.policy]\ngrace_days = true\n", "pyproject.toml:5", "/policy/grace_days"),
    ("[tool.govcat.policy]\ngrace = 3\n", "pyproject.toml:2", "/policy/grace"),
    ("[tool.govcat]\nignore = [{path = \"x\", rules = [\"GC408\"], note = \"y\"}]\n", "pyproject.toml:2",
     "/ignore/0/note"),
    ("[[tool.govcat.waivers]]\nrule = \"GC408\"\npath = \"*\"\nreason = \"x\"\napproved_by = \"y\"\n"
     "expires = 2027-06-30T10:00:00\n", "pyproject.toml:6", "/waivers/0/expires"),
    ("[tool.govcat]\nseverity = {GC408 = 1}\n", "pyproject.toml:2", "/severity/GC408"),
    (f"[tool.govcat]\nx = {'9' * 5000}\n", "pyproject.toml", "TOML"),
    ("[tool.govcat\n", "pyproject.toml", "TOML"),
]


def _refused(tmp_path: Path, name: str, text: str | bytes) -> str:
    write_workspace(tmp_path, {"catalog.yaml": CATALOG, name: text})
    with pytest.raises(UsageError) as raised:
        run(tmp_path)
    return str(raised.value)


@pytest.mark.parametrize(("text", "where", "key"), BAD_YAML, ids=range(len(BAD_YAML)))
def test_wrong_yaml_configuration_is_a_usage_error_at_its_line(tmp_path: Path, text: str, where: str,
                                                              key: str) -> None:
    message = _refused(tmp_path, ".govcat.yaml", text)
    assert f"{where}：" in message and key in message, message


@pytest.mark.parametrize(("text", "where", "key"), BAD_TOML, ids=range(len(BAD_TOML)))
def test_wrong_pyproject_configuration_is_a_usage_error_at_its_line(tmp_path: Path, text: str, where: str,
                                                                   key: str) -> None:
    message = _refused(tmp_path, "pyproject.toml", text)
    assert f"{where}：" in message and key in message, message


def test_every_problem_of_a_configuration_is_named_at_once(tmp_path: Path) -> None:
    message = _refused(tmp_path, ".govcat.yaml", "severity:\n  GC999: error\npolicy:\n  grace: 3\n  grace_days: x\n")
    assert [line.split("：")[0] for line in message.splitlines()] == [
        "配置文件 .govcat.yaml:2", "配置文件 .govcat.yaml:4", "配置文件 .govcat.yaml:5"]


GOOD = [
    "\ufeffseverity:\n  GC504: off\n",                            # saved with a UTF-8 BOM (Windows Notepad)
    "ignore:\n  - {path: \"catalogs/**\", rules: GC504}\n",       # one code written without a list
    "severity:\npolicy:\n  grace_days:\nignore:\n",               # keys with nothing: as if absent
    "severity:\n  GC504: info\npolicy:\n  grace_days: 3.0\n",     # 3.0 is an integer
    "",
]


@pytest.mark.parametrize("text", GOOD, ids=range(len(GOOD)))
def test_configurations_that_are_accepted(tmp_path: Path, text: str) -> None:
    write_workspace(tmp_path, {"catalog.yaml": CATALOG, ".govcat.yaml": text})
    report = run(tmp_path)
    assert [f.code for f in report.findings if f.severity == "error"] == []


def test_rules_written_as_one_code_ignore_that_code(tmp_path: Path) -> None:
    late = CATALOG.replace("last_updated_on: 2026-11-20", "last_updated_on: 2026-01-01")
    write_workspace(tmp_path, {"catalog.yaml": late, ".govcat.yaml": "ignore:\n  - {path: \"catalogs/**\", rules: GC504}\n"})
    assert [f.code for f in run(tmp_path).findings] == []
    write_workspace(tmp_path, {"catalog.yaml": late, ".govcat.yaml": "ignore:\n  - {path: \"catalogs/**\", rules: GC505}\n"})
    assert [f.code for f in run(tmp_path).findings] == ["GC504"]


def test_a_configuration_that_is_no_regular_file_is_refused(tmp_path: Path) -> None:
    import os

    write_workspace(tmp_path, {"catalog.yaml": CATALOG})
    os.mkfifo(tmp_path / ".govcat.yaml")
    result = govcat("validate", cwd=tmp_path)  # through the CLI: a FIFO must not block the run
    assert result.returncode == 2 and ".govcat.yaml" in result.stderr and "命名管道" in result.stderr
    assert "internal error" not in result.stderr
