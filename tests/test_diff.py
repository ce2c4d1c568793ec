"""`govcat diff`: every change code, renames and replacements, the version check, the formats and
the impact on the catalogs (SPEC §6.2)."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from govcat.standard.diff import CODES, compare
from tests.conftest import AS_OF, REPO, copy_repository, govcat
from tests.test_ci import GIT_ENV

RELEASED = REPO / "releases" / "1.0.0" / "model.json"


def _model(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _crafted(base: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Pairs of models for the codes two consecutive versions of the fixture cannot show."""
    pairs = []
    old, new = copy.deepcopy(base), copy.deepcopy(base)
    new["supported_versions"] = []  # a version dropped from the table
    pairs.append((old, new))
    old, new = copy.deepcopy(base), copy.deepcopy(base)
    new["classes"]["Outreach"] = {**new["classes"].pop("Mount"), "renamed_from": "Mount"}
    new["classes"]["InformationResource"]["attributes"]["items"]["minimum_cardinality"] = 0
    new["version"] = "1.0.1"  # a breaking change declared as a patch
    types = new["enums"]["FormatCategory"]["values"]["电子表格"]["annotations"]
    types["types"] = types["types"].replace("|csv", "")  # a type no longer allowed in a category
    pairs.append((old, new))
    return pairs


def test_every_change_code_is_exercised(lifecycle: Path) -> None:
    base = _model(RELEASED)
    seen = {c.code for c in compare(base, _model(lifecycle / "generated" / "model.json")).changes}
    for old, new in _crafted(base):
        seen |= {c.code for c in compare(old, new).changes}
    assert seen == set(CODES)


def test_classes_of_the_fixture(lifecycle: Path) -> None:
    result = compare(_model(RELEASED), _model(lifecycle / "generated" / "model.json"))
    by_code = {c.code: c for c in result.changes}
    assert all(c.klass == CODES[c.code].klass for c in result.changes)
    assert result.required_bump == "major" and result.declared_bump == "major"
    assert "version-not-bumped" not in by_code
    # renames and replacements are reported as such, never as removal plus addition
    renamed = by_code["field-renamed"]
    assert (renamed.path, renamed.old, renamed.new) == (
        "classes/InformationResource/attributes/source_system", "source_system", "system")
    paths = {c.path for c in result.changes}
    assert "classes/InformationResource/attributes/system" not in paths
    assert by_code["enum-value-renamed"].path == "enums/FormatType/wps"
    assert "enums/FormatType/WPS" not in paths
    assert by_code["element-renamed"].path == "elements/DE00002"
    assert by_code["enum-value-deprecated"].new == {"deprecated": "不再以介质方式共享", "replaced_by": "共享平台"}
    assert by_code["element-deprecated"].new["replaced_by"] == "DE00001"


def test_an_unbumped_version_is_reported() -> None:
    base = _model(RELEASED)
    new = copy.deepcopy(base)
    new["enums"]["SharingMethodType"]["values"]["消息队列"] = {"title": None}
    result = compare(base, new)
    assert result.required_bump == "minor" and result.declared_bump == "none"
    assert [c.code for c in result.changes] == ["enum-value-added", "version-not-bumped"]
    new["version"] = "1.1.0"
    assert [c.code for c in compare(base, new).changes] == ["enum-value-added"]


def test_the_same_version_compared_with_itself_has_no_change() -> None:
    result = compare(_model(RELEASED), _model(REPO / "generated" / "model.json"))
    assert result.changes == () and result.required_bump == "none"


def test_json_markdown_and_exit_codes(lifecycle: Path) -> None:
    out = govcat("diff", "--from", "1.0.0", "--format", "json", cwd=lifecycle)
    assert out.returncode == 1, out.stderr  # breaking changes, --fail-on breaking by default
    report = json.loads(out.stdout)
    assert set(report) >= {"from", "to", "required_bump", "declared_bump", "changes"}
    assert (report["from"], report["to"], report["required_bump"]) == ("1.0.0", "2.0.0", "major")
    assert all(set(c) == {"code", "class", "path", "old", "new", "message"} for c in report["changes"])
    prefixes = ("classes/", "enums/", "elements/", "code_sets/", "rules/", "frequency_policy/", "supported_versions/",
                "standard", "version")
    assert all(c["path"].startswith(prefixes) for c in report["changes"])
    markdown = govcat("diff", "--from", "1.0.0", "--format", "markdown", cwd=lifecycle).stdout
    assert markdown.startswith("## 标准变更：1.0.0 → 2.0.0") and "| 破坏性 | `field-renamed` |" in markdown
    english = govcat("diff", "--from", "1.0.0", "--lang", "en", cwd=lifecycle).stdout
    assert "field source_system was renamed to system" in english


def test_fail_on_thresholds(tmp_path: Path) -> None:
    """A compatible change fails --fail-on compatible and editorial, passes the default."""
    root = _git_repository(tmp_path)
    _edit(root / "schema" / "catalog.yaml", "      文件: {}\n", "      文件: {}\n      消息队列: {}\n")
    _edit(root / "schema" / "govcat.yaml", 'version: "1.0.0"', 'version: "1.1.0"')
    assert govcat("diff", "--from", "HEAD", cwd=root).returncode == 0
    assert govcat("diff", "--from", "HEAD", "--fail-on", "compatible", cwd=root).returncode == 1
    assert govcat("diff", "--from", "HEAD", "--fail-on", "editorial", cwd=root).returncode == 1


def _git_repository(tmp_path: Path) -> Path:
    root = copy_repository(tmp_path / "repo")
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "1.0.0"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_git_revision_against_the_working_tree(tmp_path: Path) -> None:
    root = _git_repository(tmp_path)
    _edit(root / "schema" / "catalog.yaml", "      文件: {}\n", "      文件: {}\n      消息队列: {}\n")
    out = govcat("diff", "--from", "HEAD", "--format", "json", cwd=root)
    report = json.loads(out.stdout)
    assert [(c["code"], c["path"]) for c in report["changes"]] == [
        ("enum-value-added", "enums/SharingMethodType/消息队列"), ("version-not-bumped", "version")]
    assert (report["required_bump"], report["declared_bump"]) == ("minor", "none")
    assert out.returncode == 1  # version-not-bumped is breaking: a pull request cannot forget the bump


def test_impact_lists_what_each_department_gains_and_loses(lifecycle: Path) -> None:
    out = govcat("diff", "--from", "1.0.0", "--impact", "--format", "json", "--as-of", AS_OF.isoformat(), cwd=lifecycle)
    impact = json.loads(out.stdout)["impact"]
    assert impact and all(set(e) >= {"department", "file", "line", "code", "change", "message"} for e in impact)
    added = {(e["department"], e["code"]) for e in impact if e["change"] == "added"}
    assert ("示范市民政局", "GC101") in added  # the new required field data_owner
    assert any(e["code"] == "GC104" and "有条件开放" in e["message"] for e in impact)  # the removed value
    assert any(e["code"] == "GC110" for e in impact)  # internal_department deprecated
    assert not any(e["code"] in ("GC704", "GC707") for e in impact)
    assert all(e["file"].startswith("catalogs/") and isinstance(e["line"], int) for e in impact)
    markdown = govcat("diff", "--from", "1.0.0", "--impact", "--format", "markdown", "--as-of", AS_OF.isoformat(),
                      cwd=lifecycle).stdout
    assert "### 对目录的影响" in markdown and "**示范市民政局**：11 处新增 GC101" in markdown


def test_usage_errors(tmp_path: Path, lifecycle: Path) -> None:
    unknown = govcat("diff", "--from", "no-such-revision", cwd=lifecycle)
    assert unknown.returncode == 2 and "no-such-revision" in unknown.stderr
    outside = govcat("diff", "--from", "1.0.0", cwd=tmp_path)
    assert outside.returncode == 2 and "schema/govcat.yaml" in outside.stderr
    assert govcat("diff", "catalogs", cwd=lifecycle).returncode == 2  # paths without --impact


def test_a_release_folder_is_enough_without_linkml(tmp_path: Path, lifecycle: Path) -> None:
    """Two released versions compare from their model.json alone (no schema, no LinkML)."""
    folder = tmp_path / "r2"
    shutil.copytree(lifecycle / "generated", folder)
    probe = ("import sys, json; from govcat.lifecycle.sources import Edition; from govcat.standard.diff import compare\n"
             f"compare(Edition('a', __import__('pathlib').Path({str(REPO / 'releases' / '1.0.0')!r})).model, "
             f"Edition('b', __import__('pathlib').Path({str(folder)!r})).model)\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('linkml', 'linkml_runtime')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stderr


@pytest.mark.parametrize("text", ["| a |", "<script>alert(1)</script>"])
def test_markdown_keeps_schema_text_inert(text: str) -> None:
    from govcat.lifecycle import render

    base = _model(RELEASED)
    new = copy.deepcopy(base)
    new["version"] = "1.0.1"
    new["classes"]["Provider"]["attributes"]["name"]["description"] = text
    page = render.markdown(compare(base, new), None, "zh")
    assert "<script>" not in page and "| a |" not in page


def test_the_ci_template_posts_a_diff_that_runs_for_real(tmp_path: Path) -> None:
    """templates/github/govcat-repository.yml's `govcat diff` step, on a pull request that adds a
    value and bumps the minor version: the Markdown names the change and the impact, and exits 0."""
    import yaml

    template = yaml.safe_load((REPO / "templates" / "github" / "govcat-repository.yml").read_text(encoding="utf-8"))
    steps = template["jobs"]["standard-diff"]["steps"]
    command = next(s["run"] for s in steps if "govcat diff" in s.get("run", "")).split(" || ")[0]
    root = _git_repository(tmp_path)
    _edit(root / "schema" / "catalog.yaml", "      文件: {}\n", "      文件: {}\n      消息队列: {}\n")
    _edit(root / "schema" / "govcat.yaml", 'version: "1.0.0"', 'version: "1.1.0"')
    args = command.replace('"origin/$BASE"', "HEAD").split()[1:]
    result = govcat(*args, "--as-of", AS_OF.isoformat(), cwd=root)
    assert result.returncode == 0, result.stderr
    text = (root / "diff.md").read_text(encoding="utf-8")
    assert "`enum-value-added`" in text and "次版本（minor）" in text and "没有任何目录因此新增或消失校验发现" in text
