"""`govcat convert`: workbook -> catalog YAML and catalog YAML -> workbook, losslessly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from govcat import standard
from govcat.core.document import FATAL_CODES
from govcat.core.errors import UsageError
from govcat.core.fields import YAML_SUFFIXES
from govcat.publishing import workbook_writer
from govcat.reading import loader, workbook

_FLOW = ("classification", "format", "sharing", "opening", "mount")


class _Flow(dict):  # type: ignore[type-arg]
    """A mapping written on one line, as department catalogs write items and small objects."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_representer(_Flow, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True))


def _ordered(data: Any, class_name: str, std: standard.Standard) -> Any:
    """The data in the standard's field order (unknown keys last, as they came)."""
    if not isinstance(data, dict):
        return data
    spec = std.classes.get(class_name, {})
    order = spec.get("order", [])
    out: dict[str, Any] = {}
    for key in [*order, *(k for k in data if k not in order)]:
        if key not in data:
            continue
        value, field = data[key], spec.get("fields", {}).get(key, {})
        target = field.get("range")
        if target and isinstance(value, list):
            value = [_ordered(v, target, std) for v in value]
            if target == "InformationItem":
                value = [_Flow(v) if isinstance(v, dict) else v for v in value]
        elif target:
            value = _ordered(value, target, std)
            if key in _FLOW and isinstance(value, dict):
                value = _Flow(value)
        out[key] = value
    return out


def to_yaml(data: dict[str, Any], std: standard.Standard) -> str:
    body = yaml.dump(_ordered(data, "Catalog", std), Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=120)
    return f"# 由 govcat convert 从工作簿生成，目录标准 {std.version}\n{body}"


def run(source: Path, output: Path | None, std: standard.Standard) -> Path:
    suffix = source.suffix.lower()
    if not source.is_file():
        raise UsageError(f"文件不存在：{source}")
    doc = loader.load(source, str(source), std)
    fatal = [p for p in doc.problems if p.code in FATAL_CODES]
    if fatal or doc.data is None:
        first = fatal[0] if fatal else None
        where = f"（{first.code} {first.args.get('detail') or first.args.get('problem') or ''}）" if first else ""
        raise UsageError(f"无法读取 {source}{where}；请先运行 govcat validate {source} 查看问题")
    if suffix in workbook.WORKBOOK_SUFFIXES:
        target = output or source.with_suffix(".yaml")
        target.write_text(to_yaml(doc.data, std), encoding="utf-8")
    elif suffix in YAML_SUFFIXES:
        target = output or source.with_suffix(".xlsx")
        if target.suffix.lower() != ".xlsx":
            raise UsageError(f"输出文件应为 .xlsx：{target}")
        workbook_writer.write(doc.data, target, std)
    else:
        raise UsageError(f"只能转换 .xlsx 与 .yaml/.yml 文件：{source}")
    return target
