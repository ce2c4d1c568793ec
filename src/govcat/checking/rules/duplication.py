"""GC6xx — one data, many sources (一数多源): the same resource catalogued by several departments."""

from __future__ import annotations

from collections.abc import Iterator

from govcat.checking.rules.base import Context, Hit, rule
from govcat.checking.rules.resource import where
from govcat.core.access import items, obj, provider_code, resources
from govcat.core.document import Document
from govcat.core.i18n import L10n
from govcat.core.pointer import join

# Steward departments (the data elements' `steward`) and the other words a provider's name may use
# for them; a steward missing here is matched by its own name (公安 in 示范市公安局).
STEWARD_NAMES = {
    "人力资源社会保障": ("人力资源社会保障", "人力资源和社会保障", "人社"),
    "卫生健康": ("卫生健康", "卫健"),
    "市场监管": ("市场监管", "市场监督管理"),
    "组织": ("组织部",),
}


@rule("GC601", "duplicate-resource-across-departments", "warning",
      "疑似一数多源：与 {provider} 的资源 {code}“{name}”（{first}）{how}",
      "possibly one data, many sources: {how} resource {code} '{name}' of {provider} ({first})",
      scope="workspace")
def duplicate_resource_across_departments(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    不同提供方是否登记了同一份数据：名称（忽略空格和标点）相同，或者属于同一个项、
    关联数据元集合（不少于 5 个数据元）的 Jaccard 相似度 ≥ 0.9。在发布日期较晚的资源上报告
    （同一天发布时按提供方代码和资源代码排序），与文件的给出顺序无关。

    ## 为什么
    同一份数据由多个部门各自登记、各自更新，就会出现口径不一、版本冲突（一数多源）。
    应当确定权威来源部门，其他部门引用而不是重复登记。

    ## 示例
    市场监管局和税务局都登记了 `企业基本信息`，信息项几乎相同。

    ## 修正
    与对方部门协商确定权威来源；非权威方删除该资源，改为在自己的资源中用 related_codes 关联。
    """
    for pointer, _ in resources(doc):
        found = ctx.workspace.cross_duplicates.get((id(doc), pointer))
        if found is None:
            continue
        other, how = found
        registered = (ctx.registry or {}).get(other.provider or "", {})
        provider = f"{registered['name']}（{other.provider}）" if registered.get("name") else other.provider
        yield Hit(pointer, {
            "provider": provider, "code": other.code, "name": other.name, "first": where(other),
            "how": L10n("名称相同", "same name as") if how == "name" else
            L10n("属于同一项且信息项的数据元几乎相同", "same item and nearly the same data elements as"),
        })


@rule("GC602", "non-authoritative-source", "info",
      "基础信息资源的主键信息项“{name}”关联的数据元 {element}（{title}）的权威来源部门是{steward}，"
      "本提供方不是其权威来源",
      "key item '{name}' maps to {element} ({title}), whose authoritative source is {steward}, not this provider")
def non_authoritative_source(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    基础信息资源中标记为主键（`is_key: true`）的信息项，其数据元的权威来源部门（steward）
    是否就是本提供方。不是时给出提示（info），供核对“一数一源”。

    ## 为什么
    基础信息资源应由权威来源部门提供；例如人口基础信息以公安为准，法人基础信息以市场监管为准。
    其他部门登记同类基础资源，通常说明存在一数多源。

    ## 示例
    民政局登记“人口基础信息”，主键为公民身份号码（权威来源：公安）。

    ## 修正
    由权威来源部门登记基础信息资源；本部门的业务数据改登记为部门信息资源，并关联权威资源。
    """
    provider = obj(obj(doc.data).get("provider"))
    registered = (ctx.registry or {}).get(provider_code(doc) or "", {})
    names = " ".join(str(n) for n in (provider.get("name"), registered.get("name"), registered.get("short_name")) if n)
    for pointer, res in resources(doc):
        if obj(res.get("classification")).get("class") != "基础信息资源":
            continue
        for at, item in items(res, pointer):
            element = ctx.std.element_of(item)
            if item.get("is_key") is not True or element is None or not element.steward or not names:
                continue
            words = STEWARD_NAMES.get(element.steward, (element.steward,))
            if not any(word in names for word in words):
                yield Hit(join(at, "element"), {"name": item.get("name"), "element": element.id,
                                                "title": element.title, "steward": element.steward})


RULES = (duplicate_resource_across_departments, non_authoritative_source)
