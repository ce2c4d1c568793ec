"""Validating part of a workspace judges it against the whole workspace (issue: a department's
folder, or the files pre-commit passes, see every other catalog as context), and a lone file
outside any workspace is not judged against the shipped example registry."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, ClassVar

import openpyxl
import pytest
import yaml
from stdnum.cn import uscc

from tests.conftest import AS_OF, REPO, govcat, make_corpus, run
from tests.test_ci import GIT_ENV


def _findings(report: Any) -> list[dict[str, Any]]:
    return [f.as_dict() for f in report.findings]


def _invariant(root: Path, **settings: Any) -> int:
    """For every department folder: `validate <folder>` gives exactly the findings that
    `validate catalogs` gives for that folder's files. Returns how many findings were compared."""
    whole = run(root, [root / "catalogs"], **settings)
    compared = 0
    for folder in sorted(p for p in (root / "catalogs").iterdir() if p.is_dir()):
        prefix = folder.relative_to(root).as_posix() + "/"
        part = run(root, [folder], **settings)
        expected = [f for f in _findings(whole) if f["file"].startswith(prefix)]
        assert _findings(part) == expected, folder.name
        assert part.context_files > 0
        compared += len(expected)
    return compared


def test_each_example_folder_is_judged_as_in_the_whole_workspace(tmp_path: Path) -> None:
    shutil.copytree(REPO / "catalogs", tmp_path / "catalogs")
    _invariant(tmp_path)
    # Four of the eight departments relate to another department's resources: no false GC205.
    for folder in (tmp_path / "catalogs").iterdir():
        if folder.is_dir():
            assert run(tmp_path, [folder]).findings == [], folder.name


def test_the_invariant_holds_on_the_defective_corpus(tmp_path: Path) -> None:
    make_corpus(tmp_path, 12, 8, 6, 0.4)
    whole = run(tmp_path, [tmp_path / "catalogs"])
    workspace_codes = {"GC203", "GC204", "GC205", "GC601"}
    assert workspace_codes <= {f.code for f in whole.findings}  # the corpus exercises every workspace rule
    assert _invariant(tmp_path) > 0


def test_the_invariant_holds_with_the_cache_whatever_ran_before(tmp_path: Path) -> None:
    """With the incremental cache: each folder first (its context read for what it wants and kept
    so), then the whole workspace, then each folder again (from the whole run's entries and from its
    own record), then after an edit of another department's file the folder's record is not replayed."""
    make_corpus(tmp_path / "ws", 8, 8, 6, 0.4)
    root, cached = tmp_path / "ws", {"cache": True, "cache_dir": tmp_path / "cache"}
    folders = sorted(p for p in (root / "catalogs").iterdir() if p.is_dir())
    first = {folder.name: _findings(run(root, [folder], **cached)) for folder in folders}
    assert _invariant(root, **cached) > 0
    assert _invariant(root, **cached) > 0  # replayed from the records
    assert {folder.name: _findings(run(root, [folder], **cached)) for folder in folders} == first
    # Another department copies this one's first resource code: the folder's record is not replayed blindly.
    mine, other = folders[0], folders[1]
    resource_code = re.compile(r'code: "([0-9]{9}/[0-9]{6})"')  # (the corpus writes them so; some dates it does not)
    code = resource_code.findall(next(mine.glob("*.yaml")).read_text(encoding="utf-8"))[0]
    target = next(other.glob("*.yaml"))
    text = target.read_text(encoding="utf-8")
    taken = resource_code.findall(text)[0]
    target.write_text(text.replace(f'"{taken}"', f'"{code}"', 1), encoding="utf-8")
    assert _invariant(root, **cached) > 0
    assert _invariant(root) > 0  # and without the cache


def test_isolated_validates_the_files_alone(tmp_path: Path) -> None:
    shutil.copytree(REPO / "catalogs", tmp_path / "catalogs")
    folder = next(p for p in sorted((tmp_path / "catalogs").iterdir())
                  if p.is_dir() and "related_codes" in "".join(f.read_text(encoding="utf-8") for f in p.glob("*.yaml")))
    alone = run(tmp_path, [folder], isolated=True)
    assert alone.context_files == 0
    assert {f.code for f in alone.findings} == {"GC205"}  # the related resources are elsewhere


def _resource(code: str, name: str, published: str) -> dict[str, Any]:
    return {"code": code, "name": name,
            "classification": {"class": "部门信息资源", "item": "省（自治区、直辖市）及其下各级政务部门"},
            "summary": "用于检验跨部门上下文的示例信息资源说明。", "format": {"category": "数据库", "type": "达梦"},
            "items": [{"name": "统一社会信用代码", "element": "DE00101", "data_type": "C", "length": 18}],
            "sharing": {"type": "无条件共享", "method": "共享平台", "method_type": "接口"},
            "opening": {"type": "不予开放"}, "update_frequency": "不定期", "published_on": published,
            "last_updated_on": published,
            "security_level": "一般数据"}


def _catalog(code: str, name: str, resources: list[dict[str, Any]]) -> str:
    return yaml.safe_dump({"standard_version": "1.0", "provider": {"code": code, "name": name},
                           "resources": resources}, allow_unicode=True, sort_keys=False)


def test_a_copied_code_is_reported_on_the_copy_whatever_the_folder_order(tmp_path: Path) -> None:
    """The department that copies a code sees GC203 when it validates only its own folder, even
    though its folder sorts first: the earliest published resource holds the code."""
    catalogs = tmp_path / "catalogs"
    shutil.copytree(REPO / "catalogs", catalogs)
    registry = yaml.safe_load((catalogs / "departments.yaml").read_text(encoding="utf-8"))["departments"]
    owner, copier = registry[-1], registry[0]
    assert copier["code"] < owner["code"]
    owned = _resource("307009001/000001", "上下文测试资源甲", "2025-01-01")
    (catalogs / owner["code"] / "context.yaml").write_text(_catalog(owner["code"], owner["name"], [owned]),
                                                           encoding="utf-8")
    copied = _resource("307009001/000001", "上下文测试资源乙", "2026-06-01")
    (catalogs / copier["code"] / "context.yaml").write_text(_catalog(copier["code"], copier["name"], [copied]),
                                                            encoding="utf-8")
    part = run(tmp_path, [catalogs / copier["code"]])
    assert [(f.code, f.file) for f in part.findings] == [("GC203", f"catalogs/{copier['code']}/context.yaml")]
    assert f"catalogs/{owner['code']}/context.yaml:" in part.findings[0].message
    assert run(tmp_path, [catalogs / owner["code"]]).findings == []  # the owner's commit is not blocked


def test_pre_commit_judges_the_changed_files_against_the_workspace(tmp_path: Path) -> None:
    """The real pre-commit, passing only the changed files: a reference to another department's
    resource is no GC205; a code copied from another department is a GC203."""
    repo = tmp_path / "dept"
    shutil.copytree(REPO / "catalogs", repo / "catalogs")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    git = {"cwd": repo, "check": True, "capture_output": True, "env": env}
    subprocess.run(["git", "init", "-q", "-b", "main"], **git)  # type: ignore[call-overload]
    subprocess.run(["git", "add", "-A"], **git)  # type: ignore[call-overload]
    subprocess.run(["git", "commit", "-qm", "catalogs"], **git)  # type: ignore[call-overload]
    registry = yaml.safe_load((repo / "catalogs" / "departments.yaml").read_text(encoding="utf-8"))["departments"]
    mine, other = registry[0], registry[-1]
    other_code = yaml.safe_load(next((repo / "catalogs" / other["code"]).glob("*.yaml")).read_text(
        encoding="utf-8"))["resources"][0]["code"]
    target = next((repo / "catalogs" / mine["code"]).glob("*.yaml"))
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    data["resources"][0]["related_codes"] = [other_code]
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    subprocess.run(["git", "add", "-A"], **git)  # type: ignore[call-overload]
    hook = [str(Path(sys.executable).with_name("pre-commit")), "try-repo", str(REPO), "govcat-validate",
            "--files", str(target.relative_to(repo))]
    related = subprocess.run(hook, cwd=repo, capture_output=True, text=True, env=env, timeout=900)
    assert related.returncode == 0 and "GC205" not in related.stdout, related.stdout[-3000:]

    data["resources"][1]["code"] = other_code  # copied, and published later than the original
    data["resources"][1]["published_on"] = "2026-11-01"
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    subprocess.run(["git", "add", "-A"], **git)  # type: ignore[call-overload]
    copied = subprocess.run(hook, cwd=repo, capture_output=True, text=True, env=env, timeout=900)
    assert copied.returncode == 1 and "GC203" in copied.stdout, copied.stdout[-3000:]


def _credit_code(division: str) -> str:
    """A valid 统一社会信用代码 of a government body (11) in ``division`` that no example uses."""
    body = f"11{division}MB2468{13:03d}"[:17]
    return body + uscc.calc_check_digit(body)


def test_the_readme_department_flow_with_a_real_credit_code(tmp_path: Path) -> None:
    """`govcat template`, fill it in, `govcat validate 目录.xlsx`, outside any workspace, with a
    credit code of division 440300 that is in no example: no GC702 from the shipped example
    registry; the report says once that registration was not checked."""
    code = _credit_code("440300")
    assert uscc.is_valid(code) and code not in (REPO / "catalogs" / "departments.yaml").read_text(encoding="utf-8")
    assert govcat("template", "-o", "目录.xlsx", cwd=tmp_path).returncode == 0
    book = openpyxl.load_workbook(tmp_path / "目录.xlsx")
    sheet = book["提供方"]
    for row in sheet.iter_rows(min_row=1, max_col=2):
        if row[0].value == "提供方代码":
            row[1].value = code
        elif row[0].value == "提供方名称":
            row[1].value = "深圳市示例管理局"
    book.save(tmp_path / "目录.xlsx")
    result = govcat("validate", "目录.xlsx", "--as-of", AS_OF.isoformat(), cwd=tmp_path)
    assert "GC702" not in result.stdout and result.returncode == 0, result.stdout
    assert result.stdout.count("未检查提供方登记") == 1
    report = json.loads(govcat("validate", "目录.xlsx", "--format", "json", "--as-of", AS_OF.isoformat(),
                               cwd=tmp_path).stdout)
    assert report["summary"]["registry"] is None
    # With the province's registry given, registration is judged as before.
    registry = tmp_path / "departments.yaml"
    registry.write_text((REPO / "catalogs" / "departments.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    judged = govcat("validate", "目录.xlsx", "--registry", str(registry), "--as-of", AS_OF.isoformat(), cwd=tmp_path)
    assert judged.returncode == 1 and "GC702" in judged.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_summary_says_how_many_files_were_context(tmp_path: Path, lang: str) -> None:
    shutil.copytree(REPO / "catalogs", tmp_path / "catalogs")
    folder = next(p for p in sorted((tmp_path / "catalogs").iterdir()) if p.is_dir())
    out = govcat("validate", str(folder), "--lang", lang, "--as-of", AS_OF.isoformat(), cwd=tmp_path).stdout
    others = sum(1 for p in (tmp_path / "catalogs").rglob("*.yaml") if p.parent != folder and p.parent.name != "catalogs")
    assert (f"另读取工作区其余 {others} 个文件作为上下文" if lang == "zh" else f"with {others} other files") in out


class _Registry(http.server.BaseHTTPRequestHandler):
    """The province's published registry on a loopback port: the body, an ETag, 304 when unchanged."""

    body = b""
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.requests.append(self.headers.get("If-None-Match") or "")
        etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


def test_a_department_validates_against_the_registry_its_configuration_names(tmp_path: Path) -> None:
    """`registry:` in a department's .govcat.yaml, outside any workspace: a file beside it, or the
    province's URL — fetched, kept in the cache, revalidated by ETag, an older copy used (and said)
    when the site is down, exit 2 naming the URL when there is no copy at all."""
    code = _credit_code("440300")
    registry = yaml.safe_load((REPO / "catalogs" / "departments.yaml").read_text(encoding="utf-8"))
    listed = {**registry, "departments": [*registry["departments"], {**registry["departments"][0], "code": code,
                                                                    "name": "深圳市示例管理局"}]}
    folder = tmp_path / "dept"
    folder.mkdir()
    assert govcat("template", "-o", str(folder / "目录.xlsx"), cwd=tmp_path).returncode == 0
    book = openpyxl.load_workbook(folder / "目录.xlsx")
    for row in book["提供方"].iter_rows(min_row=1, max_col=2):
        if row[0].value == "提供方代码":
            row[1].value = code
        elif row[0].value == "提供方名称":
            row[1].value = "深圳市示例管理局"
    book.save(folder / "目录.xlsx")
    env = {**os.environ, "GOVCAT_CACHE_DIR": str(tmp_path / "cache")}

    def check(*extra: str) -> subprocess.CompletedProcess[str]:
        return govcat("validate", "目录.xlsx", "--as-of", AS_OF.isoformat(), *extra, cwd=folder, env=env)

    # A file beside the configuration.
    (folder / "province.yaml").write_text(yaml.safe_dump(listed, allow_unicode=True), encoding="utf-8")
    (folder / ".govcat.yaml").write_text("registry: province.yaml\n", encoding="utf-8")
    assert check().returncode == 0
    (folder / "province.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    assert "GC702" in check().stdout
    (folder / ".govcat.yaml").write_text("# 省级名录\nregistry: missing.yaml\n", encoding="utf-8")
    missing = check()
    assert missing.returncode == 2 and ".govcat.yaml:2" in missing.stderr and "missing.yaml" in missing.stderr

    # The province's URL.
    _Registry.body = yaml.safe_dump(listed, allow_unicode=True).encode("utf-8")
    _Registry.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/catalogs/departments.yaml"
    (folder / ".govcat.yaml").write_text(f"registry: {url}\n", encoding="utf-8")
    try:
        first = check("--format", "json")
        assert first.returncode == 0, first.stdout + first.stderr
        assert json.loads(first.stdout)["summary"]["registry"] == url
        assert check().returncode == 0 and len(_Registry.requests) == 1  # within the hour: the kept copy
        metas = list((tmp_path / "cache" / "registry").glob("*.json"))
        assert len(metas) == 1
        meta = json.loads(metas[0].read_text(encoding="utf-8"))
        metas[0].write_text(json.dumps({**meta, "fetched": meta["fetched"] - 7200}), encoding="utf-8")
        assert check().returncode == 0 and _Registry.requests[-1] == meta["etag"]  # revalidated: 304
        metas[0].write_text(json.dumps({**meta, "fetched": meta["fetched"] - 7200}), encoding="utf-8")
    finally:
        server.shutdown()
        server.server_close()
    down = check()
    assert down.returncode == 0 and f"提供方名录 {url} 无法访问" in down.stdout  # the older copy, said once
    nothing = govcat("validate", "目录.xlsx", cwd=folder, env={**env, "GOVCAT_CACHE_DIR": str(tmp_path / "empty")})
    assert nothing.returncode == 2 and f"无法获取提供方名录 {url}" in nothing.stderr
    assert "Traceback" not in nothing.stderr
