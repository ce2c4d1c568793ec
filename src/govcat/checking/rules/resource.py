"""GC2xx — the resource: its code, name, classification and the provider's credit code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from stdnum.cn import uscc

from govcat.checking.rules.base import Context, Hit, rule
from govcat.core.access import items_of, obj, provider_code, resources, text
from govcat.core.document import Document, Place
from govcat.core.i18n import L10n
from govcat.core.pointer import join
from govcat.standard import normalise_name

if TYPE_CHECKING:
    from govcat.checking.index import Ref

_CODE = re.compile(r"^[1-3][0-9]{5}([0-9]{3})?/[0-9]{6}$")


def where(ref: Ref) -> Place:
    """Another resource, for messages that point at the first occurrence (the engine locates it)."""
    return Place(ref.doc, ref.pointer)


@rule("GC201", "resource-code-format", "error",
      "信息资源代码“{value}”格式不正确：应为 类(1位)项(2位)目(3位)[细目(3位)]/顺序码(6位)，例如 307001001/000001",
      "resource code '{value}' must be class(1) item(2) subitem(3) [detail(3)] / sequence(6), e.g. 307001001/000001")
def resource_code_format(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    信息资源代码是否符合 `类(1)项(2)目(3)[细目(3)]/顺序码(6)`：第 1 位为 1–3，
    `/` 前 6 或 9 位数字，`/` 后 6 位数字（正则 `^[1-3]\\d{5}(\\d{3})?/\\d{6}$`）。

    ## 为什么
    资源代码是资源在全省唯一的标识，各平台按它关联共享申请、挂接和统计；格式不一的代码无法解析出分类。

    ## 示例
    ```yaml
    code: "30700100/1"
    ```

    ## 修正
    按分类码加顺序码重新编码，例如 `307001001/000001`，并加引号。
    """
    for pointer, res in resources(doc):
        code = res.get("code")
        if isinstance(code, str) and not _CODE.match(code):
            yield Hit(join(pointer, "code"), {"value": code})


@rule("GC202", "resource-code-classification-mismatch", "error",
      "信息资源代码“{value}”的类/项位（{actual}）与信息资源分类“{classification}”不一致，应以 {expected} 开头",
      "resource code '{value}': class/item digits {actual} disagree with the classification "
      "'{classification}'; it should start with {expected}")
def resource_code_classification_mismatch(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    信息资源代码第 1 位（类）和第 2–3 位（项）是否与 `classification` 中的类、项一致。
    类：1 基础信息资源、2 主题信息资源、3 部门信息资源；项的编号见目录标准的分类表。

    ## 为什么
    代码和分类是同一件事的两种写法；二者不一致时，按代码统计和按分类统计会得出不同的结论。

    ## 示例
    ```yaml
    code: "101001001/000001"        # 1 01 = 基础信息资源 / 人口
    classification: {class: 部门信息资源, item: 省（自治区、直辖市）及其下各级政务部门}   # 3 07
    ```

    ## 修正
    核对资源的分类；分类正确时改代码前三位，代码正确时改分类。
    """
    for pointer, res in resources(doc):
        code = res.get("code")
        cls = obj(res.get("classification"))
        klass, item = cls.get("class"), cls.get("item")
        if not (isinstance(code, str) and _CODE.match(code)):
            continue
        class_info = ctx.std.resource_classes.get(klass) if isinstance(klass, str) else None
        item_info = ctx.std.resource_items.get(item) if isinstance(item, str) else None
        if class_info is None or item_info is None or item_info["class"] != klass:
            continue  # unknown or inconsistent classification: GC104 / GC207
        expected = class_info["code"] + item_info["code"]
        if code[:3] != expected:
            yield Hit(join(pointer, "code"), {"value": code, "actual": code[:3], "expected": expected,
                                              "classification": f"{klass} / {item}"})


@rule("GC203", "duplicate-resource-code", "error",
      "信息资源代码“{value}”重复：已在 {first} 使用", "resource code '{value}' is already used at {first}",
      scope="workspace")
def duplicate_resource_code(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    信息资源代码在工作区的所有目录（所有部门、所有文件）中是否唯一。以发布日期最早的一处为准
    （同一天发布时按提供方代码和文件排序），其余每一处都会报告，并指出最早的那一处。
    只校验部分文件时（例如本部门的文件夹），工作区其余目录同样参与比较。

    ## 为什么
    代码是资源的唯一标识；重复的代码让共享申请、挂接和统计指向错误的资源。

    ## 示例
    两个文件中都有 `code: "307001001/000001"`。

    ## 修正
    为后登记的资源分配新的顺序码；照抄其他部门的资源时，改为用 related_codes 关联它。
    """
    for pointer, res in resources(doc):
        code = text(res.get("code"))
        first = ctx.workspace.first_of(ctx.workspace.codes.get(code, []), doc, pointer) if code else None
        if first is not None:
            yield Hit(join(pointer, "code"), {"value": code, "first": where(first)})


@rule("GC204", "duplicate-resource-name", "error",
      "信息资源名称“{value}”在本提供方内重复（忽略空格和标点后与 {first} 相同）",
      "resource name '{value}' is used twice by this provider (ignoring spaces and punctuation; first at {first})",
      scope="workspace")
def duplicate_resource_name(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    同一提供方的信息资源名称在去除空格和标点后是否唯一（跨该部门的所有目录文件）。

    ## 为什么
    “婚姻登记信息”和“婚姻登记 信息”是同一资源被登记了两次：使用方无从选择，统计也会重复计数。

    ## 示例
    ```yaml
    - name: 婚姻登记信息
    - name: 婚姻登记（信息）
    ```

    ## 修正
    合并重复登记的资源，或把名称改得能区分内容，例如“婚姻登记信息（历史）”。
    """
    provider = provider_code(doc) or ""
    for pointer, res in resources(doc):
        name = text(res.get("name"))
        if not name:
            continue
        refs = ctx.workspace.names.get((provider, normalise_name(name)), [])
        first = ctx.workspace.first_of(refs, doc, pointer)
        if first is not None:
            yield Hit(join(pointer, "name"), {"value": name, "first": where(first)})


@rule("GC205", "unknown-related-resource", "error",
      "关联资源代码“{value}”在所有目录中都不存在", "related code '{value}' is not defined by any catalog",
      scope="workspace")
def unknown_related_resource(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    `related_codes` 中的每个代码是否是本次校验的某个目录中登记的信息资源代码。

    ## 为什么
    指向不存在资源的关联是断链：使用方顺着关联找不到任何东西。

    ## 示例
    ```yaml
    related_codes: ["101001001/999999"]
    ```

    ## 修正
    改成正确的代码，或删除已撤销资源的关联。只校验部分文件（例如本部门的文件夹）时，
    所在工作区的其余目录自动作为上下文参与判断；`--isolated` 则只看给出的文件。
    """
    for pointer, res in resources(doc):
        for i, code in enumerate(items_of(res.get("related_codes"))):
            if isinstance(code, str) and _CODE.match(code) and code not in ctx.workspace.codes:
                yield Hit(join(pointer, "related_codes", i), {"value": code})


@rule("GC206", "invalid-credit-code", "error",
      "统一社会信用代码“{value}”无效：{reason}", "unified social credit code '{value}' is invalid: {reason}",
      ("catalog", "registry"))
def invalid_credit_code(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    提供方代码（以及提供方名录中各部门的代码和上级部门代码）是否为有效的统一社会信用代码：
    18 位，字符取自 `0-9A-HJ-NPQRTUWXY`，第 18 位校验码符合 GB 32100-2015 的 MOD 31 算法。

    ## 为什么
    提供方代码决定目录归属和文件夹名；抄错一位的代码会把目录挂到一个不存在的部门名下。

    ## 示例
    ```yaml
    provider: {code: "11330100MB00000123", name: 示范市民政局}   # 校验码应为 X
    ```

    ## 修正
    从营业执照或统一社会信用代码证书上核对代码，不要手工推算校验码。
    """
    targets: list[tuple[str, object]] = []
    if doc.role == "catalog":
        targets.append(("/provider/code", obj(obj(doc.data).get("provider")).get("code")))
    else:
        for i, dept in enumerate(items_of(obj(doc.data).get("departments"))):
            for key in ("code", "parent"):
                targets.append((join("/departments", i, key), obj(dept).get(key)))
    for pointer, value in targets:
        if not isinstance(value, str) or not value:
            continue
        reason = _credit_code_problem(value)
        if reason:
            yield Hit(pointer, {"value": value, "reason": reason})


def _credit_code_problem(value: str) -> L10n | None:
    if len(value) != 18:
        return L10n(f"应为 18 位，实际 {len(value)} 位", f"must have 18 characters, has {len(value)}")
    if value != value.upper():
        return L10n("字母必须大写", "letters must be upper case")
    try:
        uscc.validate(value)
    except uscc.InvalidChecksum:
        right = uscc.calc_check_digit(value[:17])
        return L10n(f"校验码应为“{right}”", f"the check character should be '{right}'")
    except Exception:  # stdnum's InvalidFormat / InvalidComponent
        return L10n("含有不允许的字符（I、O、S、V、Z 不用于代码）或结构错误",
                    "contains characters that are not allowed (I, O, S, V, Z) or has the wrong structure")
    return None


@rule("GC207", "classification-item-invalid", "error",
      "项“{item}”不属于类“{klass}”；该类下可选：{allowed}",
      "item '{item}' does not belong to class '{klass}'; allowed: {allowed}")
def classification_item_invalid(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    `classification.item`（项）是否是 `classification.class`（类）下的项。

    ## 为什么
    类和项构成一棵分类树；“部门信息资源 / 人口”这样的组合不存在，资源在目录树中就没有位置。

    ## 示例
    ```yaml
    classification: {class: 部门信息资源, item: 人口}
    ```

    ## 修正
    选所选类下的项，或改正类。基础信息资源的项是 人口、法人单位、自然资源和空间地理、社会信用、电子证照。
    """
    for pointer, res in resources(doc):
        cls = obj(res.get("classification"))
        klass, item = cls.get("class"), cls.get("item")
        if not (isinstance(klass, str) and isinstance(item, str)):
            continue
        info = ctx.std.resource_items.get(item)
        if klass in ctx.std.resource_classes and info and info["class"] != klass:
            allowed = sorted((k for k, v in ctx.std.resource_items.items() if v["class"] == klass),
                             key=lambda k: ctx.std.resource_items[k]["code"])
            yield Hit(join(pointer, "classification", "item"),
                      {"item": item, "klass": klass, "allowed": "、".join(allowed)})


RULES = (resource_code_format, resource_code_classification_mismatch, duplicate_resource_code,
         duplicate_resource_name, unknown_related_resource, invalid_credit_code, classification_item_invalid)
