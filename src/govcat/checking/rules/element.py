"""GC3xx — information items against the data-element standard (数据元)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from govcat.checking.rules.base import Context, Hit, rule
from govcat.core import suggest
from govcat.core.access import all_items, items, resources, text
from govcat.core.document import Document
from govcat.core.i18n import L10n
from govcat.core.pointer import join
from govcat.standard import normalise_name

_ELEMENT_ID = re.compile(r"^DE[0-9]{5}$")
# Item types a data element of each type may be exchanged as (数值 families and 字符/备注 interchange).
COMPATIBLE = {
    "C": {"C", "M"}, "M": {"M", "C"}, "N": {"N", "I", "F", "B", "Y"}, "Y": {"Y", "N"}, "I": {"I", "N"},
    "F": {"F", "B", "N"}, "B": {"B", "F", "N"}, "D": {"D"}, "T": {"T"}, "L": {"L"}, "G": {"G"},
}


@rule("GC301", "unknown-data-element", "error",
      "数据元“{value}”不在数据元标准中{hint}", "data element '{value}' is not in the standard{hint}")
def unknown_data_element(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    信息项的 `element` 是否是数据元标准中已有的内部标识符。按信息项名称给出可能的数据元。

    ## 为什么
    关联到不存在的数据元等于没有关联，还会让人误以为该信息项已经标准化。

    ## 示例
    ```yaml
    - {name: 公民身份号码, element: DE09999, data_type: C, length: 18}
    ```

    ## 修正
    在文档站“数据元标准”中查到正确的标识符；标准中确实没有的数据元，请提出标准修订。
    """
    for at, item in all_items(doc):
        value = item.get("element")
        if isinstance(value, str) and _ELEMENT_ID.match(value) and value not in ctx.std.elements:
            name = text(item.get("name"))
            guess = ctx.std.element_names.get(name) if name else None
            yield Hit(join(at, "element"), {"value": value, "hint": L10n(
                f"；名称“{name}”对应的标准数据元是 {guess}" if guess else "",
                f"; the standard element named '{name}' is {guess}" if guess else "")})


@rule("GC302", "item-type-mismatch", "error",
      "信息项“{name}”的数据类型 {item_type} 与数据元 {element}（{title}）的类型 {element_type} 不兼容",
      "item '{name}' has data type {item_type}, incompatible with element {element} ({title}) of type {element_type}")
def item_type_mismatch(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    信息项的 `data_type` 是否与所关联数据元的数据类型兼容。字符型（C）与备注型（M）可互换；
    数值型（N）与整型、浮点型、双精度型、货币型可互换；日期型（D）、日期时间型（T）、逻辑型（L）必须一致。

    ## 为什么
    类型不一致的信息项在交换时会被截断或转换失败，例如把出生日期作为数值交换会丢失前导零。

    ## 示例
    ```yaml
    - {name: 出生日期, element: DE00004, data_type: N, length: 8}    # 数据元为日期型 D
    ```

    ## 修正
    按数据元的类型填写数据类型。
    """
    for at, item in all_items(doc):
        element, item_type = ctx.std.element_of(item), item.get("data_type")
        if element is None or not isinstance(item_type, str) or item_type not in ctx.std.data_types:
            continue
        if element.data_type and item_type not in COMPATIBLE.get(element.data_type, {element.data_type}):
            yield Hit(join(at, "data_type"), {"name": item.get("name"), "item_type": item_type,
                                              "element": element.id, "title": element.title,
                                              "element_type": element.data_type})


@rule("GC303", "item-length-mismatch", "warning",
      "信息项“{name}”的数据长度 {length} {problem}",
      "item '{name}': length {length} {problem}")
def item_length_mismatch(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    信息项的 `length` 是否符合数据元的表示格式：格式为定长（如 `an18`）时必须相等，
    为最大长度（如 `c..50`）时不得超过。

    ## 为什么
    长度不一致的字段在交换时会截断数据（过短）或放进不合规的值（过长）。

    ## 示例
    ```yaml
    - {name: 公民身份号码, element: DE00001, data_type: C, length: 20}   # 表示格式 an18
    ```

    ## 修正
    按数据元的表示格式填写长度；确需更长的字段，说明原因并提出标准修订。
    """
    for at, item in all_items(doc):
        element, length = ctx.std.element_of(item), item.get("length")
        if element is None or not isinstance(length, int) or isinstance(length, bool):
            continue
        problem = None
        if element.fixed_length is not None and length != element.fixed_length:
            problem = L10n(f"与数据元 {element.id}（{element.title}）的定长 {element.fixed_length}"
                           f"（表示格式 {element.format}）不一致",
                           f"differs from the fixed length {element.fixed_length} of element "
                           f"{element.id} ({element.format})")
        elif element.max_length is not None and length > element.max_length:
            problem = L10n(f"超过数据元 {element.id}（{element.title}）的最大长度 {element.max_length}"
                           f"（表示格式 {element.format}）",
                           f"exceeds the maximum {element.max_length} of element {element.id} ({element.format})")
        if problem:
            yield Hit(join(at, "length"), {"name": item.get("name"), "length": length, "problem": problem})


@rule("GC304", "non-standard-item-name", "warning",
      "信息项名称“{name}”{problem}", "item name '{name}' {problem}")
def non_standard_item_name(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    关联了数据元的信息项，名称是否使用数据元的中文名称。使用同义名称时给出提示（info），
    既不是中文名称也不是同义名称时给出警告。

    ## 为什么
    同一个数据元在各部门叫法不一（身份证号、公民身份号码、居民身份证号码），
    读者和检索都会把它们当作不同的东西。统一名称是数据元标准化的目的。

    ## 示例
    ```yaml
    - {name: 身份证号, element: DE00001, data_type: C, length: 18}    # 应为 公民身份号码
    ```

    ## 修正
    把名称改为数据元的中文名称。
    """
    for at, item in all_items(doc):
        element, name = ctx.std.element_of(item), item.get("name")
        if element is None or not isinstance(name, str) or name.strip() == element.title:
            continue
        if name.strip() in element.aliases:
            yield Hit(join(at, "name"), {"name": name, "problem": L10n(
                f"是数据元 {element.id} 的同义名称，建议使用中文名称“{element.title}”",
                f"is an alias of element {element.id}; prefer its title '{element.title}'")}, severity="info")
        else:
            yield Hit(join(at, "name"), {"name": name, "problem": L10n(
                f"既不是数据元 {element.id} 的中文名称“{element.title}”，也不是其同义名称",
                f"is neither the title '{element.title}' of element {element.id} nor an alias")})


@rule("GC305", "unmapped-standard-item", "warning",
      "信息项“{name}”未关联数据元，但它{match}：建议填写 element: {element}",
      "item '{name}' has no element but {match}: add element: {element}")
def unmapped_standard_item(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    没有 `element` 的信息项，其名称是否就是某个数据元的中文名称或同义名称，或与之非常接近（相似度 ≥ 90%）。

    ## 为什么
    标准里已经有的数据元没有被引用，数据元映射率就偏低，跨部门比对（一数一源）也找不到它。

    ## 示例
    ```yaml
    - {name: 身份证号码, data_type: C, length: 18}     # 应关联 DE00001 公民身份号码
    ```

    ## 修正
    填写提示的 `element`，并把名称改为数据元的中文名称。
    """
    names = ctx.std.element_names
    for at, item in all_items(doc):
        name = text(item.get("name"))
        if not name or item.get("element") is not None:
            continue
        found = names.get(name)
        if found is not None and ctx.std.elements[found].title == name:
            how = L10n("正是该数据元的中文名称", "is that element's title")
        else:
            how = L10n("是该数据元的同义名称", "is an alias of that element")
        if found is None:
            close = suggest.nearest(name, names, cutoff=90)
            found = names.get(close) if close else None
            how = L10n(f"与数据元名称“{close}”非常接近", f"is close to the element name '{close}'")
        if found:
            element = ctx.std.elements[found]
            yield Hit(at, {"name": name, "match": how, "element": f"{found}（{element.title}）"})


@rule("GC306", "deprecated-data-element", "warning",
      "数据元 {element}（{title}）已废止{replacement}", "data element {element} ({title}) is retired{replacement}")
def deprecated_data_element(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    信息项关联的数据元是否处于“废止”状态，并给出替代它的数据元。

    ## 为什么
    废止的数据元不再维护，例如组织机构代码（DE00104）已被统一社会信用代码（DE00101）取代；
    继续使用会让数据无法与新系统对接。

    ## 示例
    ```yaml
    - {name: 组织机构代码, element: DE00104, data_type: C, length: 9}
    ```

    ## 修正
    改为关联替代数据元，并相应调整名称、类型和长度。
    """
    for at, item in all_items(doc):
        element = ctx.std.element_of(item)
        if element is None or not element.retired:
            continue
        new = ctx.std.elements.get(element.replaced_by or "")
        replacement = L10n(f"，请改用 {new.id}（{new.title}）", f"; use {new.id} ({new.title})") if new \
            else L10n("", "")
        yield Hit(join(at, "element"), {"element": element.id, "title": element.title,
                                        "replacement": replacement})


@rule("GC307", "missing-item-length", "error",
      "信息项“{name}”的数据类型为 {data_type}，必须填写数据长度 length",
      "item '{name}' of type {data_type} needs a length")
def missing_item_length(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    数据类型为字符型（C）或数值型（N）的信息项是否填写了 `length`。

    ## 为什么
    没有长度，交换库表就无法建表，接收方也无法判断数据是否被截断。

    ## 示例
    ```yaml
    - {name: 姓名, element: DE00002, data_type: C}
    ```

    ## 修正
    按数据元的表示格式填写长度，例如 `c..50` 填 50。
    """
    for at, item in all_items(doc):
        data_type = item.get("data_type")
        if data_type in ("C", "N") and item.get("length") is None:
            yield Hit(at, {"name": item.get("name"), "data_type": data_type})


@rule("GC308", "duplicate-item", "error",
      "信息项“{name}”重复：{what}已在第 {first} 个信息项出现",
      "item '{name}' is a duplicate: {what} already appears in item {first}")
def duplicate_item(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    同一信息资源中是否有两个信息项关联同一个数据元，或名称（忽略空格和标点）相同。

    ## 为什么
    重复的信息项让交换表出现同名列，使用方也无法判断以哪一个为准。

    ## 示例
    ```yaml
    - {name: 公民身份号码, element: DE00001, data_type: C, length: 18}
    - {name: 身份证号, element: DE00001, data_type: C, length: 18}
    ```

    ## 修正
    删除重复的信息项；确实是两个不同含义的字段时，用不同的名称并关联各自的数据元。
    """
    for pointer, res in resources(doc):
        by_element: dict[str, int] = {}
        by_name: dict[str, int] = {}
        for number, (at, item) in enumerate(items(res, pointer), start=1):
            element, name = item.get("element"), text(item.get("name"))
            normalised = normalise_name(name) if name else None
            if isinstance(element, str) and element in by_element:
                yield Hit(join(at, "element"), {"name": name, "first": by_element[element],
                                                "what": L10n(f"数据元 {element} ", f"element {element}")})
            elif normalised is not None and normalised in by_name:
                yield Hit(join(at, "name"), {"name": name, "first": by_name[normalised],
                                             "what": L10n("同名信息项", "an item of the same name")})
            if isinstance(element, str):
                by_element.setdefault(element, number)
            if normalised is not None:
                by_name.setdefault(normalised, number)


RULES = (unknown_data_element, item_type_mismatch, item_length_mismatch, non_standard_item_name,
         unmapped_standard_item, deprecated_data_element, missing_item_length, duplicate_item)
