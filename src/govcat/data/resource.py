"""The resource a dataset claims to be, and which column holds which of its items.

A resource is found by its code in the workspace's catalogs (or one `--catalog FILE`). Columns map
to items by the item's name, then its element's Chinese name, aliases and English name (slot), all
compared without spaces and punctuation; a `--mapping FILE` (YAML `信息项名称: 列名`) maps explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from govcat.core import access
from govcat.core.errors import UsageError
from govcat.core.fields import CATALOG_SUFFIXES, CATALOGS_DIR, REGISTRY_NAME
from govcat.core.workspace import Workspace
from govcat.reading import loader
from govcat.standard import Element, Standard, normalise_name


@dataclass(frozen=True)
class Item:
    """An information item of the resource, with its element (if the standard has it)."""

    index: int
    name: str
    data_type: str | None
    length: int | None
    precision: int | None
    is_key: bool
    sensitive: bool
    element: Element | None


@dataclass
class Resource:
    code: str
    name: str
    provider: str | None
    provider_name: str | None
    update_frequency: str | None
    items: list[Item]
    file: Path

    @property
    def record(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _resource(res: dict[str, Any], doc_data: Any, std: Standard, file: Path) -> Resource:
    items = []
    for i, (_, raw) in enumerate(access.items(res, "")):
        element = std.element_of(raw)
        sensitive = raw.get("sensitive")
        items.append(Item(
            index=i, name=access.text(raw.get("name")) or f"#{i + 1}", data_type=access.text(raw.get("data_type")),
            length=_int(raw.get("length")), precision=_int(raw.get("precision")), is_key=raw.get("is_key") is True,
            sensitive=sensitive if isinstance(sensitive, bool) else bool(element and element.personal),
            element=element))
    provider = access.obj(access.obj(doc_data).get("provider"))
    return Resource(code=str(res.get("code")), name=access.text(res.get("name")) or "", items=items,
                    provider=access.text(provider.get("code")), provider_name=access.text(provider.get("name")),
                    update_frequency=std.frequency(res.get("update_frequency")), file=file)


def find(code: str, std: Standard, workspace: Workspace, catalog: Path | None, cwd: Path) -> Resource:
    """The resource ``code`` from ``--catalog`` or from the workspace's catalogs."""
    if catalog is not None:
        if not catalog.is_file():
            raise UsageError(f"--catalog {catalog}：文件不存在")
        files = [catalog]
    else:
        root = workspace.root or cwd
        folder = root / CATALOGS_DIR
        if not folder.is_dir():
            raise UsageError(f"找不到目录文件夹 {folder}：请在标准仓库中运行，或用 --catalog 指定目录文件")
        files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in CATALOG_SUFFIXES
                       and p.name != REGISTRY_NAME and p.is_file())
    for path in files:
        doc = loader.load(path, path.as_posix(), std)
        for _, res in access.resources(doc):
            if str(res.get("code", "")).strip() == code.strip():
                return _resource(res, doc.data, std, path)
    where = catalog or "工作区的目录"
    raise UsageError(f"在 {where} 中找不到信息资源 {code}（信息资源代码形如 101001001/000001）")


@dataclass
class Mapping:
    """Data column (0-based) -> item, and what could not be mapped."""

    columns: dict[int, Item] = field(default_factory=dict)
    unknown: list[tuple[int, str | None]] = field(default_factory=list)  # (column, nearest item name)
    duplicates: list[tuple[int, int, Item]] = field(default_factory=list)  # (column, first column, item)
    unmapped: list[Item] = field(default_factory=list)

    def column_of(self, item: Item) -> int | None:
        return next((c for c, it in self.columns.items() if it is item), None)


def _names(item: Item) -> list[str]:
    names = [item.name]
    if item.element is not None:
        names += [item.element.title, *item.element.aliases, item.element.slot]
    return [normalise_name(n) for n in names if n]


def read_mapping(path: Path) -> dict[str, str]:
    """`--mapping FILE`: YAML mapping 信息项名称 -> 列名 (or a list of {item, column})."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"--mapping {path}：无法读取（{exc}）") from None
    if isinstance(data, list):
        data = {access.text(access.obj(e).get("item")): access.text(access.obj(e).get("column")) for e in data}
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise UsageError(f"--mapping {path}：应为“信息项名称: 列名”的映射")
    return data


def map_columns(headers: list[str], resource: Resource, explicit: dict[str, str] | None = None) -> Mapping:
    from govcat.core import suggest

    out = Mapping()
    taken: dict[int, int] = {}  # item index -> column
    by_item = {it.name: it for it in resource.items}
    explicit = explicit or {}
    for name in explicit:
        if name not in by_item:
            guess = suggest.nearest(name, by_item)
            hint = f"；是否应为“{guess}”？" if guess else ""
            raise UsageError(f"--mapping：信息资源 {resource.code} 没有信息项“{name}”{hint}")
    column_for = {col: by_item[name] for name, col in explicit.items()}
    ranks: list[tuple[int, Item]] = []
    for c, header in enumerate(headers):
        item = column_for.get(header)
        if item is None and header not in explicit.values():
            key = normalise_name(header)
            # the item's own name first, then its element's names: an item named 身份证号 wins over
            # another item whose element merely has 身份证号 as an alias
            item = next((it for it in resource.items if normalise_name(it.name) == key), None) or next(
                (it for it in resource.items if key and key in _names(it)), None)
        if item is None:
            out.unknown.append((c, suggest.nearest(header, [it.name for it in resource.items]) if header else None))
            continue
        ranks.append((c, item))
    for c, item in ranks:
        if item.index in taken:
            out.duplicates.append((c, taken[item.index], item))
            continue
        taken[item.index] = c
        out.columns[c] = item
    out.unmapped = [it for it in resource.items if it.index not in taken]
    return out
