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
owners:                   # reviewers of the standard's files, for `govcat generate codeowners`
  standard: ["@govcat/standards-authors"]
```
A configuration that cannot be read is a usage error (exit 2) naming the file, line and key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, NoReturn

from govcat.core.document import Span, resolve
from govcat.core.errors import UsageError
from govcat.reading import loader
from govcat.reading.sourcemap import YamlSourceMap

CONFIG_NAME = ".govcat.yaml"
SEVERITIES = ("error", "warning", "info", "off")
_KEYS = {"severity", "ignore", "waivers", "policy", "owners", "docs_url"}  # owners: read by `generate codeowners`
_WAIVER_KEYS = {"rule", "resource", "path", "reason", "approved_by", "expires"}


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


def find(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder / CONFIG_NAME
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.govcat" in pyproject.read_text(encoding="utf-8", errors="replace"):
            return pyproject
    return None


class _Located:
    """Raise usage errors at the line of the offending key."""

    def __init__(self, display: str, doc: loader.Document | None, text: str) -> None:
        self.display, self.doc, self.text = display, doc, text

    def fail(self, pointer: str, message: str) -> NoReturn:
        line = None
        if self.doc is not None:
            span = resolve(self.doc.sourcemap, pointer)
            line = span.line if span else None
        else:  # TOML: find the key's line by its name
            key = pointer.rsplit("/", 1)[-1]
            line = next((i for i, text in enumerate(self.text.splitlines(), 1) if text.strip().startswith(key)), None)
        where = f"{self.display}:{line}" if line else self.display
        raise UsageError(f"配置文件 {where}：{message}（配置项 {pointer or '/'}）")

    def span(self, pointer: str) -> Span | None:
        return resolve(self.doc.sourcemap, pointer) if self.doc is not None else None


def load(path: Path | None, display: str, known_rules: set[str], std_frequencies: set[str]) -> Config:
    if path is None:
        return Config()
    text = path.read_text(encoding="utf-8")
    if path.name == "pyproject.toml":
        try:
            data = tomllib.loads(text).get("tool", {}).get("govcat", {})
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"配置文件 {display}：TOML 语法错误：{exc}") from None
        where = _Located(display, None, text)
    else:
        doc = loader.Document(path=path, display=display, role="config")
        loader.load_yaml_text(text, doc)
        if doc.problems:
            problem = doc.problems[0]
            line = problem.span.line if problem.span else "?"
            raise UsageError(f"配置文件 {display}:{line}：无法读取（{problem.code} {problem.args.get('problem', '')}）")
        doc.sourcemap = YamlSourceMap(text)
        data = doc.data or {}
        where = _Located(display, doc, text)
    if not isinstance(data, dict):
        where.fail("", "应为映射（键: 值）")
    config = Config(file=path, display=display)
    for key in data:
        if key not in _KEYS:
            where.fail(f"/{key}", f"未知的配置项“{key}”，可用：{'、'.join(sorted(_KEYS))}")
    for code, level in (data.get("severity") or {}).items():
        if code not in known_rules:
            where.fail(f"/severity/{code}", f"未知的规则“{code}”")
        if level not in SEVERITIES:
            where.fail(f"/severity/{code}", f"级别应为 {'、'.join(SEVERITIES)} 之一，而不是“{level}”")
        config.severity[code] = level
    for i, entry in enumerate(data.get("ignore") or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            where.fail(f"/ignore/{i}", "每一项应为 {path: 通配路径, rules: [规则代码]}")
        rules = tuple(entry.get("rules") or ())
        for code in rules:
            if code not in known_rules:
                where.fail(f"/ignore/{i}/rules", f"未知的规则“{code}”")
        config.ignore.append((entry["path"], rules))
    for i, entry in enumerate(data.get("waivers") or []):
        config.waivers.append(_waiver(where, f"/waivers/{i}", entry, known_rules))
    if "docs_url" in data:
        url = data["docs_url"]
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            where.fail("/docs_url", "文档站地址应为 https:// 或 http:// 开头的网址")
        config.docs_url = url.rstrip("/")
    policy = data.get("policy") or {}
    for target, minimum in (policy.get("min_frequency") or {}).items():
        if minimum not in std_frequencies:
            where.fail(f"/policy/min_frequency/{target}", f"“{minimum}”不是标准的更新周期")
        config.min_frequency[target] = minimum
    if "grace_days" in policy:
        if not isinstance(policy["grace_days"], int) or policy["grace_days"] < 0:
            where.fail("/policy/grace_days", "宽限天数应为非负整数")
        config.grace_days = policy["grace_days"]
    return config


def _waiver(where: _Located, pointer: str, entry: Any, known_rules: set[str]) -> Waiver:
    if not isinstance(entry, dict):
        where.fail(pointer, "每条豁免应为映射：rule、resource 或 path、reason、approved_by、expires")
    for key in entry:
        if key not in _WAIVER_KEYS:
            where.fail(f"{pointer}/{key}", f"未知的豁免字段“{key}”，可用：{'、'.join(sorted(_WAIVER_KEYS))}")
    for key in ("rule", "reason", "approved_by", "expires"):
        if not entry.get(key):
            where.fail(pointer, f"豁免缺少 {key}")
    if entry["rule"] not in known_rules:
        where.fail(f"{pointer}/rule", f"未知的规则“{entry['rule']}”")
    if not entry.get("resource") and not entry.get("path"):
        where.fail(pointer, "豁免必须指明 resource（信息资源代码）或 path（文件通配路径）")
    try:
        expires = date.fromisoformat(str(entry["expires"]))
    except ValueError:
        where.fail(f"{pointer}/expires", f"到期日“{entry['expires']}”应为 YYYY-MM-DD")
    return Waiver(rule=entry["rule"], resource=entry.get("resource"), path=entry.get("path"),
                  reason=str(entry["reason"]), approved_by=str(entry["approved_by"]), expires=expires,
                  span=where.span(pointer))
