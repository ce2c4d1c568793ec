"""The docs site's versions pages: one page per release — its hand-written notes (`CHANGES.md`)
and the changes since the previous release, as `govcat diff` classifies them — an overview with
the supported versions and what changed since the last release, and the reference of change codes.

Everything comes from `releases/<version>/` and `generated/model.json`: no LinkML, no git.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from govcat.publishing.generators import header
from govcat.standard.diff import CLASSES, CODES, compare
from govcat.standard.library import releases

FOLDER = "docs/reference/releases"
CODES_PAGE = "docs/reference/change-codes.md"
_CLASS_ZH = {"breaking": "破坏性", "compatible": "兼容", "editorial": "编辑性"}
_BUMP_ZH = {"major": "主版本", "minor": "次版本", "patch": "修订号", "none": "无需升级"}


def _front(title: str) -> str:
    return f"---\n# {header('docs')}\ntitle: {title}\n---\n\n"


def _cell(value: object) -> str:
    """Schema text in a Markdown table: no pipe, no markup, one line."""
    return (str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "&#124;")
            .replace("\n", " "))


def _model(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)  # type: ignore[no-any-return]


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    result = compare(old, new)
    if not result.changes:
        return ["没有变更。", ""]
    counts = "，".join(f"{_CLASS_ZH[k]} {sum(1 for c in result.changes if c.klass == k)} 项" for k in CLASSES)
    lines = [f"要求的版本升级：**{_BUMP_ZH[result.required_bump]}**；{counts}。", "",
             "| 类别 | 代码 | 位置 | 说明 |", "|---|---|---|---|"]
    for change in sorted(result.changes, key=lambda c: (CLASSES.index(c.klass), c.path, c.code)):
        lines.append(f"| {_CLASS_ZH[change.klass]} | [`{change.code}`](../change-codes.md#{change.code}) | "
                     f"`{_cell(change.path)}` | {_cell(change.zh)} |")
    return [*lines, ""]


def pages(root: Path) -> dict[str, str]:
    found = releases(root)
    out: dict[str, str] = {}
    ordered = sorted(found)
    current_path = root / "generated" / "model.json"
    current = _model(current_path) if current_path.is_file() else None
    overview = [_front("版本与变更"), "# 版本与变更", "",
                "标准按语义化版本（MAJOR.MINOR.PATCH）发布：破坏性变更升级主版本，兼容的变更升级次版本，"
                "编辑性修改升级修订号（见[变更代码](../change-codes.md)）。每个发布的版本保存在 `releases/<版本>/`，"
                "目录按其 `standard_version` 所声明的版本校验。", ""]
    if current is not None:
        overview += ["## 受支持的版本", "", "| 版本 | 发布日期 | 停止支持日期 |", "|---|---|---|"]
        for entry in current.get("supported_versions") or []:
            overview.append(f"| {_cell(entry.get('version'))} | {_cell(entry.get('released_on') or '—')} | "
                            f"{_cell(entry.get('sunset') or '—')} |")
        overview.append("")
    overview += ["## 已发布的版本", ""]
    for version in reversed(ordered):
        overview.append(f"- [{version}]({version}.md)")
    overview.append("")
    if current is not None and ordered:
        latest = _model(found[ordered[-1]] / "model.json")
        if current.get("version") != latest.get("version") or compare(latest, current).changes:
            overview += [f"## 自 {ordered[-1]} 以来尚未发布的变更（当前 {_cell(current.get('version'))}）", ""]
            overview += _changes(latest, current)
    out[f"{FOLDER}/index.md"] = "\n".join(overview)
    for i, version in enumerate(ordered):
        folder = found[version]
        notes_path = folder / "CHANGES.md"
        notes = notes_path.read_text(encoding="utf-8").strip() if notes_path.is_file() else f"# 标准 {version}"
        # The release's own list of changes is regenerated from the models (same classification as today's diff).
        notes = notes.split("\n## 自 ", 1)[0].split("\n## 变更", 1)[0].rstrip()
        body = [_front(f"标准 {version}"), notes, ""]
        if i:
            previous = ordered[i - 1]
            body += [f"## 自 {previous} 以来的变更", "", *_changes(_model(found[previous] / "model.json"),
                                                                _model(folder / "model.json"))]
        else:
            body += ["## 变更", "", "第一个发布的版本。", ""]
        out[f"{FOLDER}/{version}.md"] = "\n".join(body)
    codes = [_front("变更代码"), "# 变更代码", "",
             "`govcat diff` 报告的每一项变更都有一个稳定的代码和类别。**破坏性**：按旧版本有效的目录在新版本下可能无效，"
             "或生成物的使用方会出错，要求升级主版本；**兼容**：新增、放宽、附替代项的废止，要求升级次版本；"
             "**编辑性**：名称、说明、来源、注释、示例，要求升级修订号。", "",
             "| 代码 | 类别 | 含义 | Meaning |", "|---|---|---|---|"]
    for code, info in CODES.items():
        codes.append(f'| <span id="{code}"></span>`{code}` | {_CLASS_ZH[info.klass]} | {_cell(info.zh)} | {_cell(info.en)} |')
    out[CODES_PAGE] = "\n".join([*codes, ""])
    return out
