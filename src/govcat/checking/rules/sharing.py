"""GC4xx — sharing, opening and security: the attributes that decide who may see the data."""

from __future__ import annotations

from collections.abc import Iterator

from govcat.checking.rules.base import Context, Hit, rule
from govcat.core.access import items, obj, resources, text
from govcat.core.document import Document
from govcat.core.i18n import L10n
from govcat.core.pointer import join


@rule("GC401", "conditional-share-without-condition", "error",
      "共享类型为“有条件共享”，但未填写共享条件 condition",
      "sharing type is 有条件共享 (conditional) but no condition is given")
def conditional_share_without_condition(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    共享类型为“有条件共享”的资源是否写明了共享条件 `sharing.condition`。

    ## 为什么
    国发〔2016〕51号要求有条件共享的资源注明共享条件；没有条件，申请方不知道要满足什么，
    提供方也无法据此审核，条件共享就变成了不共享。

    ## 示例
    ```yaml
    sharing: {type: 有条件共享, method: 共享平台, method_type: 接口}
    ```

    ## 修正
    写明使用范围和审核要求，例如“仅用于婚姻状况核验类政务服务事项”。
    """
    for pointer, res in resources(doc):
        sharing = obj(res.get("sharing"))
        if sharing.get("type") == "有条件共享" and not text(sharing.get("condition")):
            yield Hit(join(pointer, "sharing"))


@rule("GC402", "not-shared-without-basis", "error",
      "共享类型为“不予共享”，但未填写不予共享依据 basis",
      "sharing type is 不予共享 (not shared) but no legal basis is given")
def not_shared_without_basis(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    共享类型为“不予共享”的资源是否写明了依据 `sharing.basis`。

    ## 为什么
    国发〔2016〕51号规定，列为不予共享的资源必须有法律、行政法规或党中央、国务院政策依据。

    ## 示例
    ```yaml
    sharing: {type: 不予共享, method: 共享平台, method_type: 接口}
    ```

    ## 修正
    写明具体依据（法律法规名称和条款）；没有依据的，应改为有条件共享或无条件共享。
    """
    for pointer, res in resources(doc):
        sharing = obj(res.get("sharing"))
        if sharing.get("type") == "不予共享" and not text(sharing.get("basis")):
            yield Hit(join(pointer, "sharing"))


@rule("GC403", "not-shared-but-open", "error",
      "资源“不予共享”，开放类型却是“{opening}”：不予共享的资源只能“不予开放”",
      "the resource is not shared but its opening type is '{opening}': it must be 不予开放")
def not_shared_but_open(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    共享类型为“不予共享”时，开放类型是否为“不予开放”。

    ## 为什么
    不能在政府部门之间共享的数据，更不能向社会开放；二者矛盾说明其中一项填错了。

    ## 示例
    ```yaml
    sharing: {type: 不予共享, basis: 《中华人民共和国统计法》第二十五条, method: 介质}
    opening: {type: 无条件开放}
    ```

    ## 修正
    核对资源的属性，改正共享类型或开放类型。
    """
    for pointer, res in resources(doc):
        opening = obj(res.get("opening")).get("type")
        if obj(res.get("sharing")).get("type") == "不予共享" and opening in ("无条件开放", "有条件开放"):
            yield Hit(join(pointer, "opening", "type"), {"opening": opening})


@rule("GC404", "conditional-open-without-condition", "error",
      "开放类型为“有条件开放”，但未填写开放条件 condition",
      "opening type is 有条件开放 (conditional) but no condition is given")
def conditional_open_without_condition(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    开放类型为“有条件开放”的资源是否写明了开放条件 `opening.condition`。

    ## 为什么
    公众和企业需要知道满足什么条件才能获取数据；没有条件的“有条件开放”无法执行。

    ## 示例
    ```yaml
    opening: {type: 有条件开放}
    ```

    ## 修正
    写明申请主体、用途和审核方式，例如“经实名认证的科研机构，签署数据使用协议后开放”。
    """
    for pointer, res in resources(doc):
        opening = obj(res.get("opening"))
        if opening.get("type") == "有条件开放" and not text(opening.get("condition")):
            yield Hit(join(pointer, "opening"))


@rule("GC405", "sensitive-data-opened", "error",
      "资源“无条件开放”，但信息项“{name}”{why}",
      "the resource is opened unconditionally but item '{name}' {why}")
def sensitive_data_opened(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    开放类型为“无条件开放”的资源中，是否有个人信息：信息项关联的数据元敏感级别为“个人信息”或
    “敏感个人信息”，或者信息项标记了 `sensitive: true`。信息项明确写 `sensitive: false` 时
    （例如依法公示的法定代表人姓名），以该声明为准。

    ## 为什么
    《个人信息保护法》和 GB/T 35273 要求处理个人信息有合法依据；无条件开放等于向任何人公开。

    ## 示例
    ```yaml
    opening: {type: 无条件开放}
    items:
      - {name: 公民身份号码, element: DE00001, data_type: C, length: 18}
    ```

    ## 修正
    去掉个人信息项后再开放，或改为有条件开放 / 不予开放。
    """
    for pointer, res in resources(doc):
        if obj(res.get("opening")).get("type") != "无条件开放":
            continue
        for at, item in items(res, pointer):
            element = ctx.std.element_of(item)
            flag = item.get("sensitive")
            if flag is True:
                why = L10n("标记为敏感（sensitive: true）", "is marked sensitive")
            elif flag is None and element is not None and element.personal:
                why = L10n(f"关联的数据元 {element.id}（{element.title}）属于{element.sensitivity}",
                           f"maps to {element.id} ({element.title}), classified {element.sensitivity}")
            else:
                continue
            yield Hit(at, {"name": item.get("name"), "why": why})


@rule("GC406", "security-level-opening-conflict", "error",
      "数据分级为“{level}”的资源不能“{opening}”{fix}",
      "a resource classified '{level}' cannot be '{opening}'{fix}")
def security_level_opening_conflict(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    数据分级与开放类型是否相容：核心数据必须“不予开放”；重要数据不得“无条件开放”。

    ## 为什么
    GB/T 43697-2024 和《数据安全法》对重要数据、核心数据实行更严格的管理，向社会开放须经审批，
    核心数据原则上不开放。

    ## 示例
    ```yaml
    security_level: 重要数据
    opening: {type: 无条件开放}
    ```

    ## 修正
    改为有条件开放或不予开放；如分级有误，先按分类分级规则重新定级。
    """
    for pointer, res in resources(doc):
        level, opening = res.get("security_level"), obj(res.get("opening")).get("type")
        if level == "核心数据" and opening in ("无条件开放", "有条件开放"):
            fix = L10n("，必须“不予开放”", "; it must be 不予开放")
        elif level == "重要数据" and opening == "无条件开放":
            fix = L10n("，最多“有条件开放”", "; at most 有条件开放")
        else:
            continue
        yield Hit(join(pointer, "opening", "type"), {"level": level, "opening": opening, "fix": fix})


@rule("GC407", "share-method-format-mismatch", "error",
      "格式分类为“{category}”的资源不能以“{method_type}”方式共享{fix}",
      "a resource in format category '{category}' cannot be shared as '{method_type}'{fix}")
def share_method_format_mismatch(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    共享方式类型与资源格式是否相容：电子文件、电子表格类资源不能以“数据库”方式共享；
    数据库类资源不能只以“文件”方式共享。

    ## 为什么
    共享方式决定平台如何挂接资源：文件无法按库表挂接，库表导出成文件会失去实时性和字段约束。

    ## 示例
    ```yaml
    format: {category: 电子表格, type: xlsx}
    sharing: {type: 无条件共享, method: 共享平台, method_type: 数据库}
    ```

    ## 修正
    电子文件、电子表格用“文件”方式；数据库用“数据库”或“接口”方式。
    """
    for pointer, res in resources(doc):
        category = obj(res.get("format")).get("category")
        method_type = obj(res.get("sharing")).get("method_type")
        if category in ("电子文件", "电子表格") and method_type == "数据库":
            fix = L10n("，应使用“文件”", "; use 文件")
        elif category == "数据库" and method_type == "文件":
            fix = L10n("，应使用“数据库”或“接口”", "; use 数据库 or 接口")
        else:
            continue
        yield Hit(join(pointer, "sharing", "method_type"),
                  {"category": category, "method_type": method_type, "fix": fix})


@rule("GC408", "base-resource-not-unconditional", "warning",
      "基础信息资源应当无条件共享，当前为“{sharing}”",
      "base information resources should be shared unconditionally; this one is '{sharing}'")
def base_resource_not_unconditional(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    类为“基础信息资源”的资源，共享类型是否为“无条件共享”。

    ## 为什么
    《政务信息资源共享管理暂行办法》（国发〔2016〕51号）规定，人口、法人、自然资源和空间地理、
    电子证照、社会信用等基础信息资源的基础信息项是各部门开展业务的基础，原则上应无条件共享。

    ## 示例
    ```yaml
    classification: {class: 基础信息资源, item: 人口}
    sharing: {type: 有条件共享, condition: 仅限公安机关使用, method: 共享平台, method_type: 接口}
    ```

    ## 修正
    改为无条件共享；确有需要限制的个别信息项，可拆成一个部门信息资源单独登记。
    """
    for pointer, res in resources(doc):
        sharing = obj(res.get("sharing")).get("type")
        if obj(res.get("classification")).get("class") == "基础信息资源" and sharing in ("有条件共享", "不予共享"):
            yield Hit(join(pointer, "sharing", "type"), {"sharing": sharing})


@rule("GC409", "share-method-type-missing", "error",
      "共享方式为“共享平台”，但未填写共享方式类型 method_type（数据库 / 接口 / 文件）",
      "sharing method is 共享平台 (platform) but method_type (数据库 / 接口 / 文件) is missing")
def share_method_type_missing(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    共享方式为“共享平台”时，是否填写了共享方式类型 `sharing.method_type`。

    ## 为什么
    平台按方式类型挂接资源（库表、接口或文件）；不填就无法挂接，挂接率统计也会失真。

    ## 示例
    ```yaml
    sharing: {type: 无条件共享, method: 共享平台}
    ```

    ## 修正
    填写 数据库、接口 或 文件 之一。
    """
    for pointer, res in resources(doc):
        sharing = obj(res.get("sharing"))
        if sharing.get("method") == "共享平台" and not text(sharing.get("method_type")):
            yield Hit(join(pointer, "sharing"))


RULES = (conditional_share_without_condition, not_shared_without_basis, not_shared_but_open,
         conditional_open_without_condition, sensitive_data_opened, security_level_opening_conflict,
         share_method_format_mismatch, base_resource_not_unconditional, share_method_type_missing)
