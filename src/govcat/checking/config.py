"""Workspace configuration: `.govcat.yaml` at the workspace root, or `[tool.govcat]` in pyproject.toml.

```yaml
severity:                 # rule -> error | warning | info | off
  GC408: error
ignore:                   # per-path ignores (glob patterns relative to the workspace root)
  - {path: "catalogs/11330100MB0000016A/**", rules: [GC504]}
waivers:                  # silence one finding until a date; afterwards it returns, with GC007
  - {rule: GC408, resource: "101001001/000001", reason: 待省级批复, approved_by: 张三, expires: 2027-06-30}
policy:                   # the frequency policy and grace period, overriding the standard's defaults
  min_frequency: {基础信息资源: 每月, 电子证照: 每日}
  grace_days: 3
docs_url: https://catalog.example.gov.cn   # where the docs site is published (else mkdocs.yml's site_url)
registry: https://data.example.gov.cn/catalogs/departments.yaml   # or a file; outside a workspace only
owners:                   # reviewers of the standard's files, for `govcat generate codeowners`
  standard: ["@govcat/standards-authors"]
```
A configuration that cannot be read, or is not of this shape, is a usage error (exit 2) naming the
file, line and key of every problem. The shape is one table (`_shape`, a JSON Schema run by
jsonschema-rs, as for catalogs), with the message for each kind of mismatch beside it.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import jsonschema_rs

from govcat.core.document import Document, Span, resolve
from govcat.core.errors import UsageError
from govcat.core.pointer import join, split
from govcat.reading import files, remote
from govcat.reading.sourcemap import YamlSourceMap
from govcat.reading.text import decode
from govcat.reading.yamlread import load_yaml_text

CONFIG_NAME = ".govcat.yaml"
SEVERITIES = ("error", "warning", "info", "off")
MAX_BYTES = 1 << 20  # a configuration is a few lines
MAX_GRACE_DAYS = 3660  # ten years: a longer grace period would switch timeliness off
MAX_PROBLEMS = 20  # reported at once; the rest after these are fixed


@dataclass(frozen=True)
class Waiver:
    rule: str
    resource: str | None
    path: str | None
    reason: str
    approved_by: str
    expires: date
    span: Span | None  # where it is written, for GC007 / GC008

    def matches(self, code: str, file: str, record: dict[str, Any] | None) -> bool:
        if code != self.rule:
            return False
        if self.resource is not None and (record or {}).get("code") != self.resource:
            return False
        return self.path is None or fnmatch(file, self.path)


@dataclass
class Config:
    file: Path | None = None
    display: str = ""
    severity: dict[str, str] = field(default_factory=dict)
    ignore: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    min_frequency: dict[str, str] = field(default_factory=dict)
    grace_days: int | None = None
    docs_url: str | None = None  # where the docs site is published (overrides mkdocs.yml's site_url)
    # The department registry when the run finds none (a department's folder outside the standards
    # repository): the province's published URL, or a file (its path, resolved from the configuration's folder).
    registry: str | None = None


def find(start: Path) -> Path | None:
    """The nearest `.govcat.yaml`, or pyproject.toml with a `[tool.govcat]` table, at or above ``start``.
    Anything named `.govcat.yaml` but a folder counts: a FIFO or a broken link is reported, not passed by."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if os.path.lexists(candidate) and not candidate.is_dir():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            problems: list[Any] = []
            raw = files.read(pyproject, MAX_BYTES * 16, problems)
            if raw is None:
                raise UsageError(f"无法读取 {pyproject}（{_problem_text(problems[0])}），不能确定其中是否有 [tool.govcat] 配置")
            if b"[tool.govcat" in raw or (b"govcat" in raw and _has_govcat_table(raw)):
                return pyproject
    return None


def _has_govcat_table(raw: bytes) -> bool:
    """`[tool]` with `govcat = …`, or `tool = {govcat = …}`: a pyproject.toml that only names the
    package (a dependency `govcat>=0.1`) or is broken is not a configuration."""
    try:
        tool = tomllib.loads(raw.decode("utf-8", errors="replace")).get("tool")
    except (tomllib.TOMLDecodeError, ValueError):
        return False
    return isinstance(tool, dict) and "govcat" in tool


# --- the shape ------------------------------------------------------------------------------
# Each node may carry `x-enum` (the message for a value not in `enum`), `x-unknown` (for a key
# not in `properties`) and `x-title` (what the node is, in messages). jsonschema-rs ignores them.

def _shape(rules: set[str], frequencies: set[str], targets: set[str]) -> dict[str, Any]:
    text = {"type": "string", "minLength": 1}
    code = {"type": "string", "enum": sorted(rules), "x-enum": "未知的规则“{value}”（`govcat rules` 列出全部规则）"}
    level = {"type": "string", "enum": list(SEVERITIES), "x-enum": f"级别应为 {'、'.join(SEVERITIES)} 之一，而不是“{{value}}”"}
    frequency = {"type": "string", "enum": sorted(frequencies), "x-enum": "“{value}”不是标准的更新周期"}
    return {
        "type": "object", "additionalProperties": False, "x-title": "配置",
        "properties": {
            "severity": {"type": "object", "additionalProperties": False, "properties": dict.fromkeys(sorted(rules), level),
                         "x-unknown": "未知的规则“{key}”（`govcat rules` 列出全部规则）"},
            "ignore": {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "required": ["path"], "x-title": "忽略项",
                "properties": {"path": text, "rules": {"type": "array", "items": code}}}},
            "waivers": {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "x-title": "豁免",
                "required": ["rule", "reason", "approved_by", "expires"],
                "anyOf": [{"required": ["resource"]}, {"required": ["path"]}],
                "x-any": "豁免必须指明 resource（信息资源代码）或 path（文件通配路径）",
                "properties": {"rule": code, "resource": text, "path": text, "reason": text, "approved_by": text,
                               "expires": {"type": "string", "format": "date"}}}},
            "policy": {"type": "object", "additionalProperties": False, "properties": {
                "min_frequency": {"type": "object", "additionalProperties": False,
                                  "properties": dict.fromkeys(sorted(targets), frequency),
                                  "x-unknown": "“{key}”不是信息资源的类或项（频率政策按类或项设定）"},
                "grace_days": {"type": "integer", "minimum": 0, "maximum": MAX_GRACE_DAYS}}},
            "owners": {"type": "object", "additionalProperties": False, "properties": {
                "standard": {"type": "array", "items": text}}},
            "docs_url": {"type": "string", "pattern": "^https?://[^\\s]+$",
                         "x-pattern": "文档站地址应为 https:// 或 http:// 开头的网址，而不是“{value}”"},
            "registry": text,
        },
    }


_TYPES = {"object": "映射（键: 值）", "array": "列表", "string": "文本", "integer": "整数", "number": "数字",
          "boolean": "布尔值", "null": "空值"}


def _kind(value: Any) -> str:
    kinds = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "array"),
             (dict, "object"))
    return _TYPES[next((name for base, name in kinds if isinstance(value, base)), "null")]


def _messages(error: Any, shape: dict[str, Any]) -> list[tuple[str, str]]:
    """(pointer, message) for one jsonschema-rs error, in the words of the node it failed."""
    pointer = join("", *error.instance_path)
    node: Any = shape
    for token in list(error.schema_path)[:-1]:
        node = node[token] if isinstance(node, dict) else node[int(token)]
    detail, keyword = error.kind.as_dict(), type(error.kind).__name__
    value = error.instance
    if keyword == "AdditionalProperties":
        unknown = node.get("x-unknown", "未知的配置项“{key}”，可用：" + "、".join(node.get("properties", {})))
        return [(join(pointer, key), unknown.format(key=key)) for key in detail.get("unexpected", [])]
    if keyword == "Enum":
        return [(pointer, node.get("x-enum", "取值“{value}”不允许").format(value=value))]
    if keyword == "Type":
        expected = "或".join(_TYPES.get(t, t) for t in detail.get("types", []))
        return [(pointer, f"应为{expected}，而不是{_kind(value)}")]
    if keyword == "Required":
        return [(pointer, f"{node.get('x-title', '')}缺少 {detail.get('property')}")]
    if keyword == "AnyOf":
        return [(pointer, node.get("x-any", "不符合要求"))]
    if keyword == "MinLength":
        return [(pointer, "不能为空")]
    if keyword in ("Minimum", "Maximum"):
        return [(pointer, f"应为 0–{MAX_GRACE_DAYS} 之间的整数（天），而不是 {value}")]
    if keyword == "Pattern":
        return [(pointer, node.get("x-pattern", "“{value}”的格式不对").format(value=value))]
    if keyword == "Format":
        return [(pointer, f"“{value}”应为 YYYY-MM-DD 格式的真实日期")]
    return [(pointer, error.message)]


# --- reading --------------------------------------------------------------------------------

class _Located:
    """Where a pointer of the configuration is written: its line, for messages."""

    def __init__(self, display: str, doc: Document | None, text: str) -> None:
        self.display, self.doc, self.text = display, doc, text

    def line(self, pointer: str) -> int | None:
        if self.doc is not None:
            span = resolve(self.doc.sourcemap, pointer)
            return span.line if span else None
        return _toml_line(self.text, pointer)

    def message(self, pointer: str, message: str) -> str:
        line = self.line(pointer)
        where = f"{self.display}:{line}" if line else self.display
        return f"配置文件 {where}：{message}（配置项 {pointer or '/'}）"

    def span(self, pointer: str) -> Span | None:
        return resolve(self.doc.sourcemap, pointer) if self.doc is not None else None


def _toml_line(text: str, pointer: str) -> int | None:
    """The line of a key in `[tool.govcat]` (tomllib gives no positions): the first line after the
    table's header that sets or opens the pointer's last named key."""
    names = [t for t in split(pointer) if not t.isdigit()]
    lines = text.splitlines()
    table = re.compile(r"^\s*\[+\s*tool\.govcat|^\s*govcat\s*=|\{\s*govcat\s*=")  # [tool.govcat], [tool] govcat =, tool = {govcat =
    start = next((i for i, line in enumerate(lines) if table.search(line)), 0)
    if not names:
        return start + 1
    key = re.escape(names[-1])
    pattern = re.compile(rf"""(?:^|[{{,\s.])["']?{key}["']?\s*(?:=|\]|\.)""")
    return next((i + 1 for i in range(start, len(lines)) if pattern.search(lines[i])), start + 1)


def _problem_text(problem: Any) -> str:
    from govcat.checking.rules import BY_CODE  # the rule's own message for a file problem

    rule = BY_CODE.get(problem.code)
    return f"{problem.code} {rule.message('zh', problem.args)}" if rule else problem.code


def _read(path: Path, display: str) -> tuple[Any, _Located]:
    problems: list[Any] = []
    raw = files.read(path, MAX_BYTES, problems)
    text, problem = decode(raw) if raw is not None else (None, problems[0])
    if text is None:
        line = problem.span.line if problem and problem.span else 1
        raise UsageError(f"配置文件 {display}:{line}：无法读取（{_problem_text(problem)}）")
    if path.name == "pyproject.toml":
        try:
            tool = tomllib.loads(text).get("tool", {})
        except (tomllib.TOMLDecodeError, ValueError) as exc:  # ValueError: an int of more than 4300 digits
            raise UsageError(f"配置文件 {display}：TOML 语法错误：{exc}") from None
        where = _Located(display, None, text)
        if not isinstance(tool, dict):
            raise UsageError(where.message("/tool", f"tool 应为表（table），而不是{_kind(tool)}"))
        return _plain(tool.get("govcat", {})), where
    doc = Document(path=path, display=display, role="config")
    load_yaml_text(text, doc, precise=True)  # keys always text (`408:` too), every problem found; a few lines
    if doc.problems:
        first = doc.problems[0]
        line = first.span.line if first.span else "?"
        raise UsageError(f"配置文件 {display}:{line}：无法读取（{_problem_text(first)}）")
    doc.sourcemap = YamlSourceMap(text)
    return doc.data, _Located(display, doc, text)


def _without_empty(value: Any) -> Any:
    """Keys written with no value (`severity:`, `resource:`) are as good as absent."""
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """TOML's dates and times as the text YAML gives them (the shape is checked on JSON values)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    return value


def load(path: Path | None, display: str, known_rules: set[str], std_frequencies: set[str],
         policy_targets: set[str] | None = None) -> Config:
    """The configuration at ``path``; ``policy_targets``: the 类 and 项 a frequency policy may name."""
    if path is None:
        return Config()
    data, where = _read(path, display)
    data = _without_empty({} if data is None else data)  # an empty file, `policy:` with nothing: not set
    ignore = data.get("ignore") if isinstance(data, dict) else None
    for entry in ignore if isinstance(ignore, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("rules"), str):
            entry["rules"] = [entry["rules"]]  # `rules: GC408`: one code
    shape = _shape(known_rules, std_frequencies, policy_targets or set())
    found: dict[str, str] = {}
    for error in jsonschema_rs.validator_for(shape, validate_formats=True).iter_errors(data):
        for pointer, message in _messages(error, shape):
            if pointer not in found or type(error.kind).__name__ == "Type":  # `rule: [GC408]`: its type says it
                found[pointer] = message
    if found:
        ordered = sorted(found.items(), key=lambda m: (where.line(m[0]) or 0, m[0]))
        shown = [where.message(pointer, message) for pointer, message in ordered[:MAX_PROBLEMS]]
        more = f"\n……另有 {len(found) - MAX_PROBLEMS} 处" if len(found) > MAX_PROBLEMS else ""
        raise UsageError("\n".join(shown) + more)
    # The shape holds from here on.
    registry = data.get("registry")
    if registry is not None and not remote.is_url(registry):
        registry = str(path.parent / registry)
        if not Path(registry).is_file():
            raise UsageError(where.message("/registry", f"提供方名录不存在：{registry}"))
    policy = data.get("policy", {})
    return Config(
        file=path, display=display, severity=dict(data.get("severity", {})),
        ignore=[(entry["path"], tuple(entry.get("rules", ()))) for entry in data.get("ignore", [])],
        waivers=[_waiver(where, f"/waivers/{i}", entry) for i, entry in enumerate(data.get("waivers", []))],
        min_frequency=dict(policy.get("min_frequency", {})),
        grace_days=int(policy["grace_days"]) if "grace_days" in policy else None,  # 3.0 is an integer to JSON Schema
        docs_url=str(data["docs_url"]).rstrip("/") if "docs_url" in data else None,
        registry=registry)


def _waiver(where: _Located, pointer: str, entry: dict[str, Any]) -> Waiver:
    return Waiver(rule=entry["rule"], resource=entry.get("resource"), path=entry.get("path"),
                  reason=entry["reason"], approved_by=entry["approved_by"],
                  expires=date.fromisoformat(entry["expires"]), span=where.span(pointer))
