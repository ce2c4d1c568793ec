"""`govcat release`: freeze the current standard into `releases/<version>/`.

A release holds what the validator needs at run time to validate catalogs that declare it (the
standard index and the JSON Schemas), what `govcat diff` compares (`model.json`), the database's
DDL, and `CHANGES.md`: the hand-written notes (from `releases/UNRELEASED.md`, which the release
consumes) followed by the list of changes since the previous release. It refuses when the
generated artifacts are stale, when the version is not in the standard's table of supported
versions, when it was released already, or when the version bump is smaller than the changes
since the previous release require.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from govcat.core.errors import UsageError
from govcat.core.workspace import Workspace
from govcat.lifecycle import render
from govcat.lifecycle.sources import Edition, latest_release
from govcat.standard.diff import compare
from govcat.standard.library import RELEASES
from govcat.standard.versions import BUMPS, parse

NOTES = "UNRELEASED.md"
# The files of a release, from generated/ (the sql/ folder is copied whole).
FILES = ("standard.json", "model.json", "catalog.schema.json", "registry.schema.json")


def run(workspace: Workspace, on: date, *, dry_run: bool = False) -> tuple[str, Path]:
    """Release; returns the version and its folder (not written with ``dry_run``)."""
    from govcat.publishing.generators import CHECKED, TARGETS, writer

    root = workspace.require("release")
    try:
        files = {rel: text for name in CHECKED for rel, text in TARGETS[name](root).items()}
    except ImportError as exc:
        raise UsageError(f"发布需要 LinkML：pip install 'govcat[schema]'（{exc}）") from exc
    stale = writer.stale(root, files)
    if stale:
        names = "、".join(d.split("\n", 1)[0].removeprefix("--- a/") for d in stale)
        raise UsageError(f"生成物已过期（{names}）：请先运行 govcat generate 并提交，再发布")
    model = json.loads(files["generated/model.json"])
    version = parse(model.get("version"))
    if version is None or str(version) != str(model.get("version")):
        raise UsageError(f"标准版本“{model.get('version')}”不是 MAJOR.MINOR.PATCH 形式（schema/govcat.yaml 的 version）")
    supported = {str(v.get("version")) for v in model.get("supported_versions") or []}
    if str(version) not in supported:
        raise UsageError(f"版本 {version} 不在受支持版本表中：请在 schema/lifecycle.yaml 的 StandardVersion 中登记它")
    folder = root / RELEASES / str(version)
    if (folder / "standard.json").exists():
        raise UsageError(f"版本 {version} 已经发布（{folder}）：请先在 schema/govcat.yaml 中提高版本号")
    previous = latest_release(workspace)
    changes_md = ""
    if previous is not None:
        prev_version, prev_folder = previous
        if version <= prev_version:
            raise UsageError(f"版本 {version} 不高于已发布的 {prev_version}")
        result = compare(Edition(str(prev_version), prev_folder).model, model)
        declared = result.declared_bump or "none"
        if BUMPS.index(declared) < BUMPS.index(result.required_bump):
            raise UsageError(f"自 {prev_version} 以来的变更要求升级{_ZH[result.required_bump]}，"
                             f"但版本号只升级了{_ZH[declared]}（{prev_version} → {version}）：运行 govcat diff 查看")
        changes_md = render.markdown(result, None, "zh").split("\n", 2)[2]  # without the page's own title
    notes_path = root / RELEASES / NOTES
    notes = notes_path.read_text(encoding="utf-8").strip() if notes_path.is_file() else ""
    if dry_run:
        return str(version), folder
    folder.mkdir(parents=True, exist_ok=True)
    generated = root / "generated"
    for name in FILES:
        shutil.copy2(generated / name, folder / name)
    shutil.copytree(generated / "sql", folder / "sql", dirs_exist_ok=True)
    body = [f"# 标准 {version}", "", f"发布日期：{on.isoformat()}", ""]
    body += [notes, ""] if notes else ["（本次发布没有手写说明：发布前把说明写在 releases/UNRELEASED.md 中。）", ""]
    if previous is not None:
        body += [f"## 自 {previous[0]} 以来的变更", "", changes_md.strip(), ""]
    else:
        body += ["## 变更", "", "第一个发布的版本。", ""]
    (folder / "CHANGES.md").write_text("\n".join(body), encoding="utf-8")
    if notes_path.is_file():
        notes_path.unlink()
    return str(version), folder


_ZH = {"major": "主版本", "minor": "次版本", "patch": "修订号", "none": "（无）"}
