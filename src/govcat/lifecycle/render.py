"""`govcat diff` output: text for a terminal, Markdown for a pull-request comment, JSON (SPEC §6.2)."""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import groupby
from typing import Any

from govcat.lifecycle.impact import Effect
from govcat.standard.diff import CLASSES, Diff

_CLASS_ZH = {"breaking": "破坏性", "compatible": "兼容", "editorial": "编辑性"}
_BUMP_ZH = {"major": "主版本（major）", "minor": "次版本（minor）", "patch": "修订号（patch）", "none": "无需升级"}
_CHANGE_ZH = {"added": "新增", "removed": "消失"}


def as_dict(diff: Diff, effects: list[Effect] | None, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "from": diff.old_version, "to": diff.new_version, "required_bump": diff.required_bump,
        "declared_bump": diff.declared_bump, "changes": [c.as_dict(lang) for c in diff.changes],
        "counts": {k: sum(1 for c in diff.changes if c.klass == k) for k in CLASSES},
    }
    if effects is not None:
        out["impact"] = [e.as_dict() for e in effects]
    return out


def render(fmt: str, diff: Diff, effects: list[Effect] | None, lang: str) -> str:
    if fmt == "json":
        return json.dumps(as_dict(diff, effects, lang), ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        return markdown(diff, effects, lang)
    return text(diff, effects, lang)


def _escape(value: object) -> str:
    """A table cell: catalog and schema text must not break the table or become markup."""
    return (str(value).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", " "))


def _bump_line(diff: Diff, lang: str) -> str:
    declared = diff.declared_bump or "—"
    if lang == "en":
        return f"required bump: {diff.required_bump}; declared: {declared}"
    return f"要求的版本升级：{_BUMP_ZH[diff.required_bump]}；声明的升级：{_BUMP_ZH.get(declared, declared)}"


def text(diff: Diff, effects: list[Effect] | None, lang: str) -> str:
    lines = [f"{diff.old_version} -> {diff.new_version}  ({_bump_line(diff, lang)})"]
    for change in diff.changes:
        klass = change.klass if lang == "en" else _CLASS_ZH[change.klass]
        lines.append(f"{klass:<10} {change.code:<28} {change.path}: {change.en if lang == 'en' else change.zh}")
    counts = {k: sum(1 for c in diff.changes if c.klass == k) for k in CLASSES}
    lines.append(", ".join(f"{n} {k}" for k, n in counts.items()) if lang == "en" else
                 "，".join(f"{_CLASS_ZH[k]} {n} 项" for k, n in counts.items()))
    if effects is not None:
        lines.append("")
        lines.append("impact on the catalogs:" if lang == "en" else "对目录的影响：")
        if not effects:
            lines.append("  (none)" if lang == "en" else "  （无）")
        for effect in effects:
            where = f"{effect.file}[{effect.cell}]" if effect.cell else f"{effect.file}:{effect.line}"
            verb = effect.change if lang == "en" else _CHANGE_ZH[effect.change]
            lines.append(f"  {effect.department}  {verb} {effect.code}  {where}  {effect.message}")
    return "\n".join(lines) + "\n"


def markdown(diff: Diff, effects: list[Effect] | None, lang: str) -> str:
    en = lang == "en"
    counts = {k: sum(1 for c in diff.changes if c.klass == k) for k in CLASSES}
    title = "Standard changes: " if en else "标准变更："
    out = [f"## {title}{diff.old_version} → {diff.new_version}", ""]
    warn = " ⚠️" if any(c.code == "version-not-bumped" for c in diff.changes) else ""
    out += [f"**{_bump_line(diff, lang)}**{warn}", ""]
    out.append(" · ".join(f"{n} {k}" for k, n in counts.items()) if en else
               " · ".join(f"{_CLASS_ZH[k]} {n} 项" for k, n in counts.items()))
    out.append("")
    if diff.changes:
        head = ("| class | code | path | change |" if en else "| 类别 | 代码 | 位置 | 说明 |")
        out += [head, "|---|---|---|---|"]
        for change in sorted(diff.changes, key=lambda c: (CLASSES.index(c.klass), c.path, c.code)):
            klass = change.klass if en else _CLASS_ZH[change.klass]
            out.append(f"| {klass} | `{change.code}` | `{_escape(change.path)}` | "
                       f"{_escape(change.en if en else change.zh)} |")
        out.append("")
    if effects is not None:
        out += ["### Impact on the catalogs" if en else "### 对目录的影响", ""]
        if not effects:
            out += ["No catalog gains or loses a finding." if en else "没有任何目录因此新增或消失校验发现。", ""]
        grouped: dict[str, list[Effect]] = defaultdict(list)
        for effect in effects:
            grouped[effect.department].append(effect)
        for department, found in sorted(grouped.items()):
            for (code, change), same in groupby(sorted(found, key=lambda e: (e.code, e.change)),
                                                key=lambda e: (e.code, e.change)):
                group = list(same)
                messages = list(dict.fromkeys(e.message for e in group))
                sample = "；".join(messages[:3]) + (" …" if len(messages) > 3 else "")
                places = "、".join(f"`{_escape(e.file)}:{e.line}`" for e in group[:5]) + (" …" if len(group) > 5 else "")
                if en:
                    verb = "newly fail" if change == "added" else "no longer fail"
                    out.append(f"- **{_escape(department)}**: {len(group)} findings {verb} {code} "
                               f"({_escape(sample)}) — {places}")
                else:
                    verb = "新增" if change == "added" else "不再出现"
                    out.append(f"- **{_escape(department)}**：{len(group)} 处{verb} {code}（{_escape(sample)}）"
                               f"— {places}")
        out.append("")
    return "\n".join(out)
