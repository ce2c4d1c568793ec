"""`govcat migrate`: catalogs rewritten from the version they declare to the target (SPEC §6.2).

The target is the lifecycle fixture's 2.0.0 (tests/lifecycle_fixture.py: `source_system` renamed
`system`, `internal_department` deprecated for `department_unit`, FormatType `wps` renamed `WPS`,
SharingMethod `介质` deprecated for `共享平台`, DE00015 retired for DE00001, `keywords` and `mount`
removed, `data_owner` required, 有条件开放 removed …), built once per session. Each test works in a
light copy of that repository: its own catalogs, the built standard linked in.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from govcat import standard
from govcat.core.document import Document
from govcat.core.workspace import Workspace
from govcat.lifecycle import migrate
from govcat.lifecycle.plan import Edition, Plan
from govcat.lifecycle.yamledit import read
from govcat.publishing import workbook_writer
from govcat.reading import loader
from govcat.reading.yamlread import load_yaml_text
from govcat.standard.versions import Version
from tests.conftest import REPO, govcat, run
from tests.lifecycle_fixture import build

EXAMPLES = sorted(p for p in (REPO / "catalogs").glob("*/*.yaml"))


@pytest.fixture(scope="session")
def standards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("lifecycle"))


@pytest.fixture
def ws(standards: Path, tmp_path: Path) -> Path:
    """A standards repository at 2.0.0 (with the release 1.0.0) holding a copy of the example catalogs."""
    root = tmp_path / "ws"
    (root / "schema").mkdir(parents=True)
    shutil.copy2(standards / "schema" / "govcat.yaml", root / "schema" / "govcat.yaml")
    for name in ("generated", "releases"):
        (root / name).symlink_to(standards / name)
    shutil.copytree(REPO / "catalogs", root / "catalogs")
    return root


def _migrate(root: Path, *paths: str, check: bool = False, to: str | None = None, lang: str = "zh"
             ) -> migrate.Outcome:
    return migrate.run(migrate.Settings(paths=[root / p for p in paths] or [root / "catalogs"], to=to, check=check,
                                        lang=lang, cwd=root, workspace=Workspace(root)))


def _load(text: str) -> Any:
    doc = Document(path=Path("-"), display="-", role="catalog")
    load_yaml_text(text, doc, precise=True)
    assert doc.loaded, doc.problems
    return doc.data


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# What 2.0.0 changes in the example catalogs, written as plain text substitutions line by line: an
# oracle that knows nothing of parsers, for the examples' own layout.
_LINE_EDITS = (
    (re.compile(r'^standard_version: "1\.0"'), 'standard_version: "2.0"'),
    (re.compile(r"^(\s*)source_system:"), r"\1system:"),
    (re.compile(r"^(\s*)internal_department:"), r"\1department_unit:"),
    (re.compile(r"(\bmethod: )介质([,}])"), r"\1共享平台\2"),
    (re.compile(r"(\btype: )wps([,}])"), r"\1WPS\2"),
    (re.compile(r"(\belement: )DE00015([,}])"), r"\1DE00001\2"),
)


def _expected_text(text: str) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        for pattern, replacement in _LINE_EDITS:
            line = pattern.sub(replacement, line)
        out.append(line)
    return "".join(out)


def _expected_data(data: dict[str, Any]) -> dict[str, Any]:
    """The same migration on the data, by hand."""
    renames = {"source_system": "system", "internal_department": "department_unit"}
    out = dict(data, standard_version="2.0")
    out["resources"] = []
    for res in data["resources"]:
        res = {renames.get(k, k): v for k, v in res.items()}
        if (res.get("sharing") or {}).get("method") == "介质":
            res["sharing"] = dict(res["sharing"], method="共享平台")
        if (res.get("format") or {}).get("type") == "wps":
            res["format"] = dict(res["format"], type="WPS")
        res["items"] = [dict(i, element="DE00001") if i.get("element") == "DE00015" else i
                        for i in res.get("items", [])]
        out["resources"].append(res)
    return out


def test_every_example_catalog_round_trips(ws: Path) -> None:
    before = {p: p.read_bytes() for p in (ws / "catalogs").glob("*/*.yaml")}
    outcome = _migrate(ws)
    assert sorted(outcome.written) == sorted(p.relative_to(ws).as_posix() for p in before)
    assert len(before) == len(EXAMPLES)
    for path, raw in before.items():
        old, new = raw.decode("utf-8"), path.read_bytes().decode("utf-8")
        # untouched lines byte for byte, touched ones exactly as the oracle says
        assert new == _expected_text(old), path
        # and the result reads as the migrated data
        assert json.dumps(_load(new), ensure_ascii=False) == json.dumps(_expected_data(_load(old)), ensure_ascii=False)
    changed_lines = sum(1 for p, raw in before.items()
                        for a, b in zip(raw.splitlines(), p.read_bytes().splitlines(), strict=True) if a != b)
    assert changed_lines == sum(len(c.edits) for c in outcome.files) > 100

    # The validator, under 2.0.0, no longer asks for the fixes migrate makes.
    report = run(ws, workspace=Workspace(ws))
    codes = {f.code for f in report.findings}
    assert not codes & {"GC110", "GC111", "GC306", "GC707"}, codes & {"GC110", "GC111", "GC306", "GC707"}
    # What a person must decide is what the validator now reports: every decision about a removed
    # field sits where a GC102 does, every missing data_owner where a GC101 does.
    decisions = [f for f in outcome.report.findings if f.code == "GC708"]
    unknown = {(f.file, f.line) for f in report.findings if f.code == "GC102"}
    removed = [f for f in decisions if "已删除，且标准没有给出替代字段" in f.message]
    assert removed and all((f.file, f.line) in unknown for f in removed)
    missing = {(f.file, f.pointer) for f in report.findings if f.code == "GC101" and "data_owner" in f.message}
    required = [f for f in decisions if "data_owner" in f.message]
    assert required and {(f.file, f.pointer) for f in required} <= missing

    # A second run changes nothing.
    after = _digest(ws / "catalogs")
    again = _migrate(ws)
    assert again.changed == [] and again.written == [] and _digest(ws / "catalogs") == after
    assert [f for f in again.report.findings if f.code == "GC708"] == []


def test_check_prints_a_unified_diff_and_exits_1(ws: Path) -> None:
    before = _digest(ws / "catalogs")
    done = govcat("migrate", "--check", "catalogs/11330100MB0000016A/catalog.yaml", cwd=ws)
    assert done.returncode == 1, done.stderr
    out = done.stdout
    assert out.startswith("--- a/catalogs/11330100MB0000016A/catalog.yaml\n+++ b/catalogs/11330100MB0000016A/catalog.yaml\n")
    assert '-standard_version: "1.0"\n+standard_version: "2.0"\n' in out
    assert "-    sharing: {type: 无条件共享, method: 介质}\n+    sharing: {type: 无条件共享, method: 共享平台}\n" in out
    assert "-    source_system: 天地图·示范市\n+    system: 天地图·示范市\n" in out
    # then the decisions, one per line, located, with the record
    assert re.search(r"^catalogs/11330100MB0000016A/catalog\.yaml:\d+:\d+: GC708 迁移到标准 2\.0\.0 需要人工决定："
                     r"字段 keywords（关键字）在 2\.0\.0 中已删除.* \[\d{9}/\d{6} \S+\]$", out, re.M)
    assert "将改写 catalogs/11330100MB0000016A/catalog.yaml" in done.stderr
    assert "需要人工决定" in done.stderr
    assert _digest(ws / "catalogs") == before  # --check writes nothing
    # the diff applies: git apply --check accepts it against the file as it is
    patch = out[:out.index("\ncatalogs/") + 1]
    (ws / "p.diff").write_text(patch, encoding="utf-8")
    import subprocess

    applied = subprocess.run(["git", "apply", "--check", "--unsafe-paths", "-p1", "p.diff"], cwd=ws,
                             capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    # after migrating, --check has nothing to say
    assert govcat("migrate", cwd=ws).returncode == 0
    again = govcat("migrate", "--check", cwd=ws)
    assert again.returncode == 0 and again.stdout == "", again.stdout


def test_json_output(ws: Path) -> None:
    done = govcat("migrate", "--check", "--format", "json", "--lang", "en", "catalogs/11330100MB0000012X", cwd=ws)
    assert done.returncode == 1
    body = json.loads(done.stdout)
    assert body["standard"] == {"version": "2.0.0"}
    finding = next(f for f in body["findings"] if "keywords" in f["message"])
    assert {k: finding[k] for k in ("code", "name", "severity", "file", "pointer")} == {
        "code": "GC708", "name": "migration-needs-decision", "severity": "warning",
        "file": "catalogs/11330100MB0000012X/catalog.yaml", "pointer": "/resources/0/keywords"}
    assert finding["line"] == 28 and finding["column"] == 15 and finding["record"]["name"] == "婚姻登记信息"
    assert finding["message"].startswith("migrating to standard 2.0.0 needs a decision: field keywords (关键字) is "
                                         "removed in 2.0.0")
    [changed] = body["migration"]["files"]
    assert changed["from"] == "1.0.0" and changed["to"] == "2.0.0" and changed["changed"]
    assert {"pointer": "/resources/0/source_system", "line": 27, "column": 5, "old": "source_system",
            "new": "system"} in changed["edits"]
    assert changed["diff"].startswith("--- a/catalogs/11330100MB0000012X/catalog.yaml")


CRAFTED = (
    "\ufeff# 部门目录（手工编写，含注释）\r\n"
    "standard_version: 1.0   # 未加引号\r\n"
    "provider: {code: \"11330100MB0000012X\", name: '示范市民政局'}\r\n"
    "resources:\r\n"
    "  # 第一条\r\n"
    "  - code: '307001001/000001'\r\n"
    "    name: 婚姻登记信息\r\n"
    "    'source_system': \"婚姻系统\"  # 来源系统\r\n"
    "    \"internal_department\": 社会事务处\r\n"
    "    department_unit: 社会事务处\r\n"
    "    format:\r\n"
    "      category: 电子文件\r\n"
    "      type: 'wps'\r\n"
    "    items:\r\n"
    "      - {name: 护照号码, element: DE00015,\r\n"
    "         data_type: C, length: 20}   # 将被替代\r\n"
    "    sharing: {type: 无条件共享, method: \"介质\"}\r\n"
)


def test_a_crafted_file_keeps_its_bom_crlf_comments_and_quoting(ws: Path) -> None:
    path = ws / "catalogs" / "11330100MB0000012X" / "crafted.yaml"
    path.write_bytes(CRAFTED.encode("utf-8"))
    outcome = _migrate(ws, "catalogs/11330100MB0000012X/crafted.yaml")
    assert outcome.written == ["catalogs/11330100MB0000012X/crafted.yaml"]
    assert path.read_bytes().decode("utf-8") == (
        "\ufeff# 部门目录（手工编写，含注释）\r\n"
        "standard_version: \"2.0\"   # 未加引号\r\n"
        "provider: {code: \"11330100MB0000012X\", name: '示范市民政局'}\r\n"
        "resources:\r\n"
        "  # 第一条\r\n"
        "  - code: '307001001/000001'\r\n"
        "    name: 婚姻登记信息\r\n"
        "    'system': \"婚姻系统\"  # 来源系统\r\n"
        "    \"internal_department\": 社会事务处\r\n"
        "    department_unit: 社会事务处\r\n"
        "    format:\r\n"
        "      category: 电子文件\r\n"
        "      type: 'WPS'\r\n"
        "    items:\r\n"
        "      - {name: 护照号码, element: DE00001,\r\n"
        "         data_type: C, length: 20}   # 将被替代\r\n"
        "    sharing: {type: 无条件共享, method: \"共享平台\"}\r\n"
    )
    decisions: dict[str, str] = {}
    for f in outcome.report.findings:
        decisions[f.pointer] = decisions.get(f.pointer, "") + f.message
    # both internal_department and its replacement are there: merge by hand, nothing renamed
    assert "请把两者合并到 department_unit" in decisions["/resources/0/internal_department"]
    # the item still describes the passport number it was
    fit = decisions["/resources/0/items/0/element"]
    assert "名称“护照号码”是原数据元的名称" in fit and "长度 20 与新数据元的定长 18 不一致" in fit
    assert "新增必填字段 data_owner" in decisions["/resources/0"]
    assert "新增必填字段 security_level" in decisions["/resources/0"]  # it became required
    lines = {f.pointer: (f.line, f.column) for f in outcome.report.findings}
    assert lines["/resources/0/items/0/element"] == (15, 31)  # positions of the original file
    assert _migrate(ws, "catalogs/11330100MB0000012X/crafted.yaml").changed == []


def test_renames_compose_across_several_releases(ws: Path, standards: Path) -> None:
    """1.0.0 -> 2.0.0 -> 3.0.0, where 3.0.0 renames `system` again: a 1.0 catalog goes straight to the
    last name, and `--to 2.0` stops half way. The 3.0.0 edition is 2.0.0's artifacts with that one
    change (model.json and the index both name the field anew)."""
    releases, generated = ws / "releases", ws / "generated"
    for link in (releases, generated):
        link.unlink()
    shutil.copytree(standards / "releases", releases)
    shutil.copytree(standards / "generated", releases / "2.0.0")
    generated.mkdir()
    model = json.loads((standards / "generated" / "model.json").read_text(encoding="utf-8"))
    model["version"] = "3.0.0"
    attrs = model["classes"]["InformationResource"]["attributes"]
    attrs["information_system"] = {**attrs.pop("system"), "renamed_from": "system"}
    (generated / "model.json").write_text(json.dumps(model, ensure_ascii=False), encoding="utf-8")
    index = json.loads((standards / "generated" / "standard.json").read_text(encoding="utf-8"))
    index["version"] = "3.0.0"
    fields = index["classes"]["InformationResource"]["fields"]
    fields["information_system"] = fields.pop("system")
    (generated / "standard.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")

    one = "catalogs/11330100MB0000012X/catalog.yaml"
    text = (ws / one).read_text(encoding="utf-8")
    halfway = _migrate(ws, one, to="2.0", check=True)
    assert {(e["old"], e["new"]) for e in halfway.files[0].edits} >= {("source_system", "system"), ("1.0", "2.0")}
    outcome = _migrate(ws, one)
    assert outcome.files[0].source == "1.0.0" and outcome.files[0].target == "3.0.0"
    new = (ws / one).read_text(encoding="utf-8")
    assert new == _expected_text(text).replace("    system:", "    information_system:").replace(
        'standard_version: "2.0"', 'standard_version: "3.0"')
    # a catalog at 3.0 is not taken back
    done = govcat("migrate", "--to", "2.0", one, cwd=ws)
    assert done.returncode == 2 and "比目标版本 2.0.0 新" in done.stderr


def test_the_plan_composes_on_the_tree_itself(standards: Path) -> None:
    """The same chain on the plan alone: a value renamed twice, with a release in between."""
    old = json.loads((standards / "releases" / "1.0.0" / "model.json").read_text(encoding="utf-8"))
    mid = json.loads((standards / "generated" / "model.json").read_text(encoding="utf-8"))
    new = json.loads(json.dumps(mid))
    new["version"] = "3.0.0"
    values = new["enums"]["FormatType"]["values"]
    values["WPS文字"] = {**values.pop("WPS"), "renamed_from": "WPS"}
    std1, std2 = standard.load(standards / "releases" / "1.0.0"), standard.load(standards / "generated")
    plan = Plan.through([Edition(Version(1, 0, 0), old, std1), Edition(Version(2, 0, 0), mid, std2),
                         Edition(Version(3, 0, 0), new, std2)])
    root = read("resources:\n  - format: {category: 电子文件, type: wps}\n    source_system: x\n")
    assert root is not None
    migration = plan.run(root)  # type: ignore[arg-type]
    from govcat.lifecycle.yamledit import rewrite

    assert rewrite("resources:\n  - format: {category: 电子文件, type: wps}\n    source_system: x\n", root) == \
        "resources:\n  - format: {category: 电子文件, type: WPS文字}\n    system: x\n"
    # nothing else to decide than what 2.0.0 requires
    assert sorted(h.args["decision"].en.split(" ")[0] for h in migration.hits) == ["data_owner", "security_level"]


def test_decisions_for_what_cannot_be_migrated(ws: Path) -> None:
    folder = ws / "catalogs" / "11330100MB0000012X"
    (folder / "extra.yaml").write_text(
        'standard_version: "1.0"\n'
        "provider: {code: \"11330100MB0000012X\", name: 示范市民政局}\n"
        "resources:\n"
        "  - code: \"307001001/000009\"\n"
        "    name: 测试\n"
        "    source_system: a\n"
        "    system: b\n"
        "    data_owner: 张三\n"
        "    security_level: 一般数据\n"
        "    items:\n"
        "      - {name: 实施编码, element: DE00902, data_type: C, length: 24, is_key: true}\n"
        "      - {name: 备注, element: DE00901, data_type: M}\n"
        "    opening: {type: 有条件开放, condition: x}\n"
        "    related_codes: [\"307001001/000001\"]\n", encoding="utf-8")
    (folder / "unknown.yaml").write_text('standard_version: "0.9"\nresources: []\n', encoding="utf-8")
    (folder / "noversion.yaml").write_text("resources: []\n", encoding="utf-8")
    (folder / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    (folder / "empty.yaml").write_text("# 还没有内容\n", encoding="utf-8")
    (folder / "broken.yaml").write_text("resources: [a\n", encoding="utf-8")
    (folder / "gone.yaml").symlink_to(folder / "nowhere.yaml")
    before = _digest(folder)
    outcome = _migrate(ws, "catalogs/11330100MB0000012X", check=True)
    assert _digest(folder) == before
    found = {(f.file.rsplit("/", 1)[1], f.pointer): f for f in outcome.report.findings}

    def message(name: str, pointer: str) -> str:
        return found[(name, pointer)].message

    assert "改名为 system，但这里已有 system" in message("extra.yaml", "/resources/0/source_system")
    assert "数据元 DE00902（实施编码）在 2.0.0 中已删除" in message("extra.yaml", "/resources/0/items/0/element")
    assert "DE00901 在 2.0.0 中改指“访问次数”（原为“备注”）" in message("extra.yaml", "/resources/0/items/1/element")
    assert "is_key（是否主键）的类型在 2.0.0 中从 boolean 改为 string" in message("extra.yaml", "/resources/0/items/0/is_key")
    assert "“有条件开放”在 2.0.0 中已删除：请从 不予开放、无条件开放 中选择" in message("extra.yaml",
                                                                                   "/resources/0/opening/type")
    assert "改为单值" in message("extra.yaml", "/resources/0/related_codes")
    assert ("extra.yaml", "/resources/0") not in found  # data_owner and security_level are there
    assert "“0.9”不是本工作区已知的版本（1.0.0、2.0.0）" in message("unknown.yaml", "/standard_version")
    assert "没有声明 standard_version" in message("noversion.yaml", "")
    assert "不是一个目录" in message("list.yaml", "")
    assert "没有声明 standard_version" in message("empty.yaml", "")  # an empty catalog, as the loader reads it
    assert found[("broken.yaml", "")].code == "GC001"
    assert found[("gone.yaml", "")].code == "GC009"  # the validator's own finding for an unreadable file
    assert "文件不存在（可能是失效的符号链接）" in message("gone.yaml", "")
    assert {f.code for f in outcome.report.findings} == {"GC708", "GC001", "GC009"}
    # the conflicting key is left as it is; everything else of the file is migrated
    [extra] = [c for c in outcome.changed if c.display.endswith("extra.yaml")]
    assert ("source_system", "system") not in {(e["old"], e["new"]) for e in extra.edits}
    assert [c.display.rsplit("/", 1)[1] for c in outcome.changed if c.display.endswith(
        ("unknown.yaml", "noversion.yaml", "list.yaml", "empty.yaml", "broken.yaml"))] == []


def test_within_one_version_the_declared_replacements_are_applied(tmp_path: Path) -> None:
    """Outside a standards repository the shipped standard (1.0.0) is the target: a 1.0 catalog stays
    at 1.0, and its retired DE00104 becomes DE00101, as GC306 asks."""
    folder = tmp_path / "catalogs" / "11330100MB0000012X"
    folder.mkdir(parents=True)
    text = (REPO / "catalogs" / "11330100MB0000012X" / "catalog.yaml").read_text(encoding="utf-8")
    text = text.replace("element: DE00101, data_type: C, length: 18, is_key: true}",
                        "element: DE00104, data_type: C, length: 18, is_key: true}", 1)
    assert "DE00104" in text
    (folder / "catalog.yaml").write_text(text, encoding="utf-8")
    done = govcat("migrate", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (folder / "catalog.yaml").read_text(encoding="utf-8") == text.replace("DE00104", "DE00101")
    assert govcat("migrate", "--check", cwd=tmp_path).returncode == 0
    wrong = govcat("migrate", "--to", "2.0", cwd=tmp_path)
    assert wrong.returncode == 2 and "在标准仓库之外只能迁移到随 govcat 发布的当前标准 1.0.0" in wrong.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("--to", "9.0"), "不是已发布的版本，也不是当前标准；已知版本：1.0.0、2.0.0"),
    (("--to", "latest"), "不是版本号"),
    (("missing/",), "路径不存在"),
    (("catalogs/departments.yaml",), "只有提供方名录"),
])
def test_usage_errors_exit_2(ws: Path, args: tuple[str, ...], message: str) -> None:
    before = _digest(ws / "catalogs")
    done = govcat("migrate", *args, cwd=ws)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and _digest(ws / "catalogs") == before


# --- workbooks -------------------------------------------------------------------------------------

def _workbook(ws: Path, standards: Path, name: str = "目录.xlsx") -> Path:
    """An example catalog as a 1.0.0 workbook (the template's layout), with a text that looks like
    a formula and a formula, as departments' workbooks have."""
    std1 = standard.load(standards / "releases" / "1.0.0")
    source = ws / "catalogs" / "11330100MB0000016A" / "catalog.yaml"
    doc = loader.load(source, "x", std1)
    target = source.with_name(name)
    workbook_writer.write(doc.data, target, std1)
    source.unlink()
    book = openpyxl.load_workbook(target)
    sheet = book["信息资源"]
    headers = {c.value: c.column for c in sheet[1]}
    formula_text = sheet.cell(row=2, column=headers["信息资源摘要"])
    formula_text.value = '=HYPERLINK("http://example.org","点击")'
    formula_text.data_type = "s"
    book["填写说明"]["H1"] = "=1+1"
    # a vocabulary value 2.0.0 renames and a data element it retires
    sheet.cell(row=3, column=headers["格式分类"]).value = "电子文件"
    sheet.cell(row=3, column=headers["格式类型"]).value = "wps"
    items = book["信息项"]
    columns = {c.value: c.column for c in items[1]}
    items.cell(row=2, column=columns["关联数据元"]).value = "DE00015"
    book.save(target)
    return target


def _cells(data: bytes) -> dict[tuple[str, str], Any]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {(s.title, c.coordinate): c.value for s in book.worksheets for row in s.iter_rows() for c in row
            if c.value is not None}


def test_a_workbook_is_migrated_cell_by_cell(ws: Path, standards: Path) -> None:
    path = _workbook(ws, standards)
    rel = path.relative_to(ws).as_posix()
    original = path.read_bytes()
    check = govcat("migrate", "--check", rel, cwd=ws)
    assert check.returncode == 1 and path.read_bytes() == original
    shown = [line for line in check.stdout.splitlines() if "GC708" not in line]
    headers = {c.value: c.coordinate for c in openpyxl.load_workbook(path)["信息资源"][1]}
    assert f"{rel}[信息资源!{headers['提供方内部部门']}]: 提供方内部部门 → 内设机构" in shown
    assert f"{rel}[信息资源!{headers['信息资源名称']}]: 信息资源名称 → 资源名称" in shown  # a title changed
    assert any(re.fullmatch(rf"{re.escape(rel)}\[信息资源!{headers['共享方式'][0]}\d+\]: 介质 → 共享平台", s)
               for s in shown)
    assert f"{rel}[提供方!B3]: 1.0 → 2.0" in shown
    assert f"{rel}[信息资源!{headers['格式类型'][0]}3]: wps → WPS" in shown
    element = openpyxl.load_workbook(path)["信息项"]
    element_cell = next(c.coordinate for c in element[2] if c.value == "DE00015")
    assert f"{rel}[信息项!{element_cell}]: DE00015 → DE00001" in shown
    assert len(shown) == 6, shown
    # decisions name the cell: a removed column at its header, a removed value at its cell
    assert f"{rel}[信息资源!{headers['关键字']}]: GC708" in check.stdout
    assert f"{rel}[信息项!{element_cell}]: GC708 迁移到标准 2.0.0 需要人工决定：数据元 DE00015（护照号码）已废止" in check.stdout
    assert "1 个公式单元格的计算结果未保存" in check.stderr  # what openpyxl cannot keep is said

    assert govcat("migrate", rel, cwd=ws).returncode == 0
    after = path.read_bytes()
    old, new = _cells(original), _cells(after)
    changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
    assert len(changed) == 6
    assert sorted(new[k] for k in changed) == sorted(["内设机构", "资源名称", "共享平台", "2.0", "WPS", "DE00001"])
    book = openpyxl.load_workbook(io.BytesIO(after))
    # the template's drop-downs, hidden list sheet and named ranges are kept
    template = openpyxl.load_workbook(io.BytesIO(original))
    for name in ("信息资源", "信息项"):
        assert len(book[name].data_validations.dataValidation) == len(template[name].data_validations.dataValidation) > 0
    assert book["取值列表"].sheet_state == "hidden" and set(book.defined_names) == set(template.defined_names)
    # text that looks like a formula stays inert text
    with zipfile.ZipFile(io.BytesIO(after)) as archive:
        sheets = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
    assert b"<f>HYPERLINK" not in sheets and b"<f>=HYPERLINK" not in sheets
    # the validator reads the workbook under 2.0.0 with the renamed fields and replaced values
    doc = loader.load(path, rel, standard.load(ws / "generated"))
    assert doc.data["standard_version"] == "2.0"
    assert any("department_unit" in r and "internal_department" not in r for r in doc.data["resources"])
    assert "介质" not in json.dumps(doc.data, ensure_ascii=False)
    assert not [p for p in doc.problems if p.code == "GC102" and p.args["key"] in ("提供方内部部门", "信息资源名称")]
    # a second run changes nothing
    assert govcat("migrate", "--check", rel, cwd=ws).returncode == 0
    assert _migrate(ws, rel).changed == [] and path.read_bytes() == after


def test_what_openpyxl_drops_is_reported(ws: Path, standards: Path) -> None:
    """A data validation in Excel's extension form (a drop-down list on another sheet, as Excel and
    WPS write it) is dropped by openpyxl: the summary says so."""
    path = _workbook(ws, standards)
    ext = ('<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
           'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations count="1" '
           'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:dataValidation type="list" '
           'allowBlank="1"><x14:formula1><xm:f>取值列表!$A$2:$A$5</xm:f></x14:formula1><xm:sqref>Z2:Z9</xm:sqref>'
           '</x14:dataValidation></x14:dataValidations></ext></extLst>')
    raw = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            data = src.read(name)
            if name == "xl/worksheets/sheet3.xml":  # 信息资源
                data = data.replace(b"</worksheet>", ext.encode("utf-8") + b"</worksheet>")
            out.writestr(name, data)
    path.write_bytes(raw.getvalue())
    outcome = _migrate(ws, path.relative_to(ws).as_posix(), check=True)
    [change] = outcome.changed
    assert any("Data Validation extension is not supported" in n.zh for n in change.notes)
    assert "Data Validation extension" in migrate.summary(outcome)


def test_a_rewrite_must_read_back_as_meant() -> None:
    """The safety net every YAML rewrite passes: the new text, read as the validator reads it, is
    exactly the data the plan meant — type and order included."""
    meant = {"standard_version": "2.0", "resources": [{"system": "a"}]}
    assert migrate._Run._reads_back('standard_version: "2.0"\nresources:\n  - system: a\n', meant)
    assert not migrate._Run._reads_back("standard_version: 2.0\nresources:\n  - system: a\n", meant)
    assert not migrate._Run._reads_back('resources:\n  - system: a\nstandard_version: "2.0"\n', meant)
    assert not migrate._Run._reads_back('standard_version: "2.0"\nresources: [\n', meant)


def test_a_cell_shown_by_check_carries_no_control_character() -> None:
    assert migrate._cell_text("介质\x1b[31m\n\x9b2J") == "介质\\x1b[31m\\n\\x9b2J"
    assert migrate._cell_text(None) == "（空）"


def test_no_yaml_construct_makes_migrate_fail(ws: Path) -> None:
    """Anchors, aliases, merge keys, explicit and odd keys, tags, block scalars, several documents,
    deep nesting: each file gets edits or findings, none stops the run."""
    folder = ws / "catalogs" / "11330100MB0000012X"
    odd = {
        "anchors.yaml": 'standard_version: "1.0"\nresources:\n  - &r {source_system: x, internal_department: y}\n'
                        "  - *r\n  - {<<: *r, source_system: z}\n",
        "keys.yaml": 'standard_version: "1.0"\nresources:\n  - ? source_system\n    : x\n    null: y\n    1: z\n'
                     "    !!str internal_department: w\n    format: {category: 电子文件, type: !!str wps}\n",
        "block.yaml": 'standard_version: "1.0"\nresources:\n  - format:\n      category: 电子文件\n      type: |-\n        wps\n',
        "documents.yaml": 'standard_version: "1.0"\n---\nresources: []\n',
        "deep.yaml": 'standard_version: "1.0"\nresources: ' + "[" * 70 + "]" * 70 + "\n",
    }
    for name, text in odd.items():
        (folder / name).write_text(text, encoding="utf-8")
    outcome = _migrate(ws, *(f"catalogs/11330100MB0000012X/{name}" for name in odd))
    found = {(f.file.rsplit("/", 1)[1], f.line, f.column): f for f in outcome.report.findings}
    text = (folder / "anchors.yaml").read_text(encoding="utf-8")
    # the anchored mapping is shared with its aliases: left to a person; the merge's own key is renamed
    assert text == odd["anchors.yaml"].replace('"1.0"', '"2.0"').replace("source_system: z", "system: z")
    assert "请手工把“source_system”改为“system”：该值带有 YAML 锚点" in found[("anchors.yaml", 3, 9)].message
    text = (folder / "keys.yaml").read_text(encoding="utf-8")
    assert text == odd["keys.yaml"].replace('"1.0"', '"2.0"').replace("? source_system", "? system")
    assert "该值带有显式标签" in found[("keys.yaml", 7, 5)].message
    assert "该值带有显式标签" in found[("keys.yaml", 8, 36)].message
    assert "该值写成块标量" in found[("block.yaml", 5, 13)].message
    assert found[("documents.yaml", 2, 1)].code == "GC001"
    assert found[("deep.yaml", 2, 75)].code == "GC004"
    assert (folder / "documents.yaml").read_text(encoding="utf-8") == odd["documents.yaml"]
