"""GC1xx — conformance to the standard's structure, from the generated JSON Schema.

Each JSON Schema keyword maps to one rule with a plain-language, Chinese-first message, so a
department sees one vocabulary whether a problem was found by the schema or by a Python rule.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import time, timedelta
from typing import Any

from govcat.checking.conformance import SchemaError
from govcat.checking.rules.base import Context, Hit, problems, rule
from govcat.core import suggest
from govcat.core.access import items_of, obj, resources
from govcat.core.document import Document
from govcat.core.fields import ROOT_CLASS
from govcat.core.i18n import L10n
from govcat.core.pointer import join, parent, split

BOTH = ("catalog", "registry")
_RESOURCE_CODE = re.compile(r"^/resources/\d+/code$")
_FREQUENCY = re.compile(r"^/resources/\d+/update_frequency$")
_TYPE_NAMES = {
    "string": L10n("文本", "text"), "integer": L10n("整数", "integer"), "number": L10n("数字", "number"),
    "boolean": L10n("布尔值（true/false）", "boolean (true/false)"), "array": L10n("列表", "list"),
    "object": L10n("映射（键: 值）", "mapping"), "null": L10n("空值", "null"),
}


def _type_of(value: Any) -> L10n:
    if isinstance(value, float) and not math.isfinite(value):
        return L10n(f"非有限数（{value}）", f"not a finite number ({value})")
    if isinstance(value, time):  # a workbook cell Excel took for a time of day
        return L10n(f"时刻（{value.isoformat()}，单元格被识别为时间）", f"a time of day ({value.isoformat()})")
    if isinstance(value, timedelta):
        return L10n(f"时长（{value}）", f"a duration ({value})")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 14_000:
        return L10n("位数过多（数千位）的数字", "a number of thousands of digits")
    kinds = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "array"),
             (dict, "object"), (type(None), "null"))
    found = next((_TYPE_NAMES[name] for base, name in kinds if isinstance(value, base)), None)
    return found or L10n(type(value).__name__, type(value).__name__)


def class_of(doc: Document, ctx: Context, pointer: str) -> str | None:
    return ctx.std.class_at(ROOT_CLASS[doc.role], split(pointer))


def field_label(doc: Document, ctx: Context, pointer: str) -> L10n:
    """`信息资源名称（name）` for the field a pointer ends in."""
    tokens = split(pointer)
    while tokens and tokens[-1].isdigit():
        tokens.pop()
    if not tokens:
        return L10n("文档", "document")
    name = tokens[-1]
    owner = ctx.std.class_at(ROOT_CLASS[doc.role], tokens[:-1])
    title = ctx.std.title(owner, name)
    return L10n(f"{title}（{name}）" if title != name else name, f"{name} ({title})" if title != name else name)


def _required(doc: Document, ctx: Context, pointer: str, name: str) -> bool:
    spec = ctx.std.field(class_of(doc, ctx, pointer) or "", name)
    return bool(spec and spec["obligation"] == "M")


def _errors(doc: Document, *keywords: str) -> Iterator[SchemaError]:
    for error in doc.schema_errors:
        if error.keyword in keywords:
            yield error


@rule("GC101", "missing-required-field", "error",
      "缺少必填字段 {field}", "missing required field {field}", BOTH)
def missing_required_field(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    目录标准中约束性为“必选（M）”的字段是否存在且不为空。位置指向缺少该字段的那一层映射。

    ## 为什么
    必选元数据是共享交换平台编目、检索和审核的最低要求；缺少任一项，资源就无法登记。

    ## 示例
    ```yaml
    - code: "307001001/000001"
      name: 婚姻登记信息
      # 缺少 summary、format、items ……
    ```

    ## 修正
    按目录标准补齐字段；`govcat explain` 各规则和文档站“目录标准”页列出了每个字段的约束性。
    """
    for error in _errors(doc, "required"):
        name = str(error.detail.get("property", ""))
        yield Hit(error.pointer, {"field": field_label(doc, ctx, join(error.pointer, name))})
    for error in _errors(doc, "type", "minLength", "minItems"):
        name = split(error.pointer)[-1] if error.pointer else ""
        empty = error.value is None or error.value == "" or error.value == []
        if empty and name and _required(doc, ctx, parent(error.pointer), name):
            # The field is there but empty: point at it (`key:` with nothing resolves to the key).
            yield Hit(error.pointer, {"field": field_label(doc, ctx, error.pointer)})


@rule("GC102", "unknown-field", "error",
      "字段“{key}”不在目录标准中{hint}", "field '{key}' is not in the standard{hint}", BOTH)
def unknown_field(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    每个映射中的键是否都是目录标准定义的字段。给出最接近的标准字段名（也能按中文名称匹配）。

    ## 为什么
    拼错的字段名不会被任何系统读取，填写的内容实际上丢失了；自行增加的字段会破坏各部门之间的一致性。

    ## 示例
    ```yaml
    sumary: 本市婚姻登记信息……        # 应为 summary
    信息资源名称: 婚姻登记信息          # 应为 name
    ```

    ## 修正
    改用提示的标准字段名；确需扩展的元数据请通过标准修订的合并请求提出。
    """
    yield from problems(doc, "GC102")  # workbook headers that are not standard columns
    for error in _errors(doc, "additionalProperties"):
        fields = (ctx.std.classes.get(class_of(doc, ctx, error.pointer) or "", {})).get("fields", {})
        by_title = {spec["title"]: name for name, spec in fields.items() if spec.get("title")}
        for key in error.detail.get("unexpected", []):
            guess = by_title.get(key) or suggest.nearest(key, fields) or suggest.nearest(key, by_title)
            guess = by_title.get(guess, guess) if guess else None
            yield Hit(join(error.pointer, key), {"key": key or "~", "hint": suggest.did_you_mean(guess)})


@rule("GC103", "wrong-type", "error",
      "{field} 应为{expected}，实际是{actual}", "{field} must be {expected}, found {actual}", BOTH)
def wrong_type(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    字段值的类型是否正确：文本、整数、布尔值、列表或映射。

    ## 为什么
    类型错误的值无法入库，也说明填写者对字段含义有误解（例如把多个信息项写成一段文本）。

    ## 示例
    ```yaml
    items: 公民身份号码、姓名      # 应为信息项列表
    length: 十八                    # 应为整数
    ```

    ## 修正
    按目录标准的类型填写；列表用 `- ` 开头的多行，映射用 `键: 值`。空值的可选字段直接删除即可。
    """
    yield from problems(doc, "GC103")  # workbook codes typed into number cells
    for error in _errors(doc, "type"):
        if error.value is None:
            continue  # empty: a required field is GC101, an optional one is simply absent
        expected = [_TYPE_NAMES.get(t, L10n(t, t)) for t in error.detail.get("types", [])]
        yield Hit(error.pointer, {
            "field": field_label(doc, ctx, error.pointer),
            "expected": L10n("或".join(t.zh for t in expected), " or ".join(t.en for t in expected)),
            "actual": _type_of(error.value),
        })


@rule("GC104", "value-not-in-vocabulary", "error",
      "{field} 的取值“{value}”不在允许的取值范围内{hint}",
      "{field}: '{value}' is not an allowed value{hint}", BOTH)
def value_not_in_vocabulary(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    枚举字段（共享类型、开放类型、格式分类、数据类型、数据分级等）的取值是否在标准取值范围内，
    格式类型是否属于所选的格式分类，以及提供方名录中的行政区划代码是否在 GB/T 2260 代码集中。
    给出最接近的标准取值。更新周期由 GC501 单独检查。

    ## 为什么
    自由填写的取值无法统计和比对，共享平台也无法据此自动授权。

    ## 示例
    ```yaml
    sharing: {type: 有条件, method: 共享平台, method_type: 接口}   # 应为 有条件共享
    format: {category: 电子表格, type: KingbaseES}                 # 电子表格 下没有 KingbaseES
    ```

    ## 修正
    改用提示的标准取值；完整取值表见文档站“目录标准”页。
    """
    for error in _errors(doc, "enum"):
        if error.value is None or (doc.role == "catalog" and _FREQUENCY.match(error.pointer)):
            continue  # empty: GC101 / GC108 say so; frequencies: GC501
        value = error.value if isinstance(error.value, str) else str(error.value)
        yield Hit(error.pointer, {"field": field_label(doc, ctx, error.pointer), "value": value,
                                  "hint": suggest.did_you_mean(_suggestion(doc, ctx, error, value))})
    if doc.role == "registry":
        for i, dept in enumerate(items_of(obj(doc.data).get("departments"))):
            division = obj(dept).get("division")
            if isinstance(division, str) and division.isdigit() and len(division) == 6 \
                    and division not in ctx.std.divisions:
                at = join("/departments", i, "division")
                yield Hit(at, {"field": field_label(doc, ctx, at), "value": division,
                               "hint": L10n("（GB/T 2260 行政区划代码中没有这个代码）", " (not a GB/T 2260 code)")})
        return
    for pointer, res in resources(doc):
        fmt = obj(res.get("format"))
        category, kind = fmt.get("category"), fmt.get("type")
        allowed = ctx.std.formats.get(category) if isinstance(category, str) else None
        if allowed and isinstance(kind, str) and kind not in allowed and kind in _all_format_types(ctx):
            at = join(pointer, "format", "type")
            yield Hit(at, {"field": field_label(doc, ctx, at), "value": kind,
                           "hint": L10n(f"；格式分类“{category}”下可选：{'、'.join(allowed)}",
                                        f"; allowed under '{category}': {', '.join(allowed)}")})


def _suggestion(doc: Document, ctx: Context, error: SchemaError, value: str) -> str | None:
    """The nearest allowed value: a data type's letter from its Chinese name (日期型 -> D); a format
    type among those of the resource's format category; otherwise the nearest enum value."""
    name = split(error.pointer)[-1]
    options = [str(o) for o in error.detail.get("options", [])]
    if name == "data_type":
        by_title = {title: letter for letter, title in ctx.std.data_types.items()}
        if value in by_title:
            return by_title[value]
    if name == "type" and split(error.pointer)[-2:-1] == ["format"]:
        category = obj(_at(doc.data, split(parent(error.pointer)))).get("category")
        options = ctx.std.formats.get(category, options) if isinstance(category, str) else options
    return suggest.nearest(value, options, cutoff=60)


def _at(data: Any, tokens: list[str]) -> Any:
    for token in tokens:
        data = data[int(token)] if isinstance(data, list) else obj(data).get(token)
    return data


def _all_format_types(ctx: Context) -> set[str]:
    return {t for types in ctx.std.formats.values() for t in types}


@rule("GC105", "pattern-mismatch", "error",
      "{field} 的值“{value}”不符合规定格式 {pattern}", "{field}: '{value}' does not match {pattern}", BOTH)
def pattern_mismatch(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    有格式要求的字段是否符合其正则表达式，例如关联数据元必须是 `DE` 加 5 位数字，
    行政区划代码必须是 6 位数字。信息资源代码的格式由 GC201 检查。

    ## 为什么
    格式错误的标识符无法与数据元标准、代码集和其他目录关联。

    ## 示例
    ```yaml
    items:
      - {name: 公民身份号码, element: DE1, data_type: C, length: 18}   # 应为 DE00001
    ```

    ## 修正
    按提示的格式改正；代码类字段请加引号，避免被当作数字。
    """
    for error in _errors(doc, "pattern"):
        if doc.role == "catalog" and _RESOURCE_CODE.match(error.pointer):
            continue
        yield Hit(error.pointer, {"field": field_label(doc, ctx, error.pointer), "value": error.value,
                                  "pattern": error.detail.get("pattern", "")})


@rule("GC106", "invalid-date", "error",
      "{field} 的值“{value}”不是有效日期，应为 YYYY-MM-DD 格式的真实日期",
      "{field}: '{value}' is not a real date in YYYY-MM-DD form", BOTH)
def invalid_date(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    日期字段（发布日期、最近更新日期）是否为 `YYYY-MM-DD` 格式的真实日期。

    ## 为什么
    `2025-02-30`、`2025/3/1`、`2025年3月1日` 之类的写法无法比较先后，更新及时性也就无从判定。

    ## 示例
    ```yaml
    published_on: 2025-02-30
    last_updated_on: 2025/11/20
    ```

    ## 修正
    写成真实存在的日期，例如 `2025-02-28`、`2025-11-20`。
    """
    for error in _errors(doc, "format"):
        if error.value in ("", None):
            continue  # empty: GC101 says so
        yield Hit(error.pointer, {"field": field_label(doc, ctx, error.pointer), "value": error.value})


@rule("GC107", "out-of-bounds", "error",
      "{field} 超出范围：{problem}", "{field} is out of bounds: {problem}", BOTH)
def out_of_bounds(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    长度和数值是否在标准规定的范围内：信息资源名称 2–100 个字符，摘要 10–1000 个字符，
    至少一条信息资源和信息项，数据长度 ≥ 1，小数位数 ≥ 0。

    ## 为什么
    过短的名称和摘要无法让使用方判断资源内容；超长的文本会被平台截断。

    ## 示例
    ```yaml
    summary: 婚姻信息        # 只有 4 个字符
    ```

    ## 修正
    按范围改写；摘要应说明资源覆盖的对象、范围和主要内容。
    """
    for error in _errors(doc, "minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum"):
        if error.value in ("", [], None):
            continue  # empty required values are GC101
        limit = error.detail.get("limit")
        size = len(error.value) if isinstance(error.value, str | list) else error.value
        problem = {
            "minLength": L10n(f"长度为 {size} 个字符，至少应为 {limit} 个", f"{size} characters, at least {limit}"),
            "maxLength": L10n(f"长度为 {size} 个字符，超过上限 {limit} 个", f"{size} characters, more than {limit}"),
            "minItems": L10n(f"至少应有 {limit} 条", f"at least {limit} entries needed"),
            "maxItems": L10n(f"最多 {limit} 条", f"at most {limit} entries allowed"),
            "minimum": L10n(f"值 {size} 小于下限 {limit}", f"{size} is below {limit}"),
            "maximum": L10n(f"值 {size} 大于上限 {limit}", f"{size} is above {limit}"),
        }[error.keyword]
        yield Hit(error.pointer, {"field": field_label(doc, ctx, error.pointer), "problem": problem})


@rule("GC108", "missing-recommended-field", "warning",
      "建议填写 {field}", "recommended field {field} is missing", BOTH)
def missing_recommended_field(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    约束性为“推荐（R）”的字段是否填写：信息资源的最近更新日期（last_updated_on）和数据分级（security_level），
    信息项的关联数据元（element）。

    ## 为什么
    缺少最近更新日期就无法判定更新是否及时；缺少数据分级就无法核对开放是否合规；
    信息项不关联数据元，“一数一源”的比对和数据元映射率都无从谈起。

    ## 示例
    ```yaml
    items:
      - {name: 公民身份号码, data_type: C, length: 18}     # 缺少 element: DE00001
    ```

    ## 修正
    补填这些字段。信息项应关联的数据元可在文档站“数据元标准”中按名称查找。
    """
    yield from _walk_recommended(doc, ctx, ROOT_CLASS[doc.role], doc.data, "")


def _walk_recommended(doc: Document, ctx: Context, class_name: str, data: Any, pointer: str) -> Iterator[Hit]:
    """Only classes that hold recommended fields, and the paths leading to them, are visited."""
    plan = ctx.std.recommended_plan
    stack = [(class_name, data, pointer)]
    while stack:
        name, value, at = stack.pop()
        if not isinstance(value, dict) or name not in plan:
            continue
        recommended, children = plan[name]
        for field in recommended:
            present = value.get(field)
            if present is None or present == "" or present == []:
                yield Hit(at, {"field": field_label(doc, ctx, join(at, field))})
        for field, target, multivalued in children:
            child = value.get(field)
            if multivalued and isinstance(child, list):
                stack.extend((target, c, f"{at}/{field}/{i}") for i, c in enumerate(child))
            elif child is not None:
                stack.append((target, child, f"{at}/{field}"))


@rule("GC109", "control-character", "error",
      "值中含不可见的控制字符 {char}", "the value contains the invisible control character {char}", BOTH)
def control_character(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    文本值中是否含有控制字符（U+0000–U+001F 中除制表符和换行以外的字符，以及 U+007F）。
    它们只能通过双引号字符串的转义（如 `"\x00"`）或从其他系统复制粘贴进入目录。

    ## 为什么
    控制字符不可见：屏幕上看起来相同的两个名称实际不同，检索和比对都会失败；
    PostgreSQL 等数据库拒绝保存含 NUL 的文本，目录将无法入库。

    ## 示例
    ```yaml
    name: "婚姻登记\x00信息"
    ```

    ## 修正
    删除该字符；从网页或其他系统复制的文本，先粘贴到纯文本编辑器中再复制。
    """
    return problems(doc, "GC109")


def _deprecated_fields(std: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """Class -> field -> spec, for the fields that are deprecated or hold an enum with deprecated values."""
    return {name: found for name, spec in std.classes.items()
            if (found := {field: f for field, f in spec["fields"].items()
                          if f.get("deprecated") or (f.get("enum") and f["enum"] in std.deprecated_values)})}


def _walk_fields(doc: Document, ctx: Context) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(pointer, spec, value) of every present field that is deprecated or may hold a
    deprecated value. Nothing is walked while the standard deprecates nothing."""
    wanted = _deprecated_fields(ctx.std)
    if not wanted:
        return
    stack = [(ROOT_CLASS[doc.role], doc.data, "")]
    while stack:
        name, value, at = stack.pop()
        if not isinstance(value, dict) or name not in ctx.std.classes:
            continue
        fields = ctx.std.classes[name]["fields"]
        for field, child in value.items():
            spec = fields.get(field)
            if spec is None:
                continue
            if field in wanted.get(name, {}):
                yield join(at, field), spec, child
            target = spec.get("range")
            if target and spec.get("multivalued") and isinstance(child, list):
                stack.extend((target, c, join(at, field, i)) for i, c in enumerate(child))
            elif target:
                stack.append((target, child, join(at, field)))


@rule("GC110", "deprecated-field", "warning",
      "字段 {field} 已废止{replacement}", "field {field} is deprecated{replacement}", BOTH)
def deprecated_field(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    目录中是否使用了标准已废止（deprecated）的字段。标准为它指定了替代字段时，一并给出。

    ## 为什么
    废止的字段会在下一个主版本中删除；届时仍使用它的目录将无法通过校验（GC102）。
    在废止期内改用替代字段，升级时就不会出错。

    ## 示例
    标准 1.1 把 `source_system` 改名为 `system` 后，仍写 `source_system: 婚姻登记系统`。

    ## 修正
    运行 `govcat migrate`：它把废止的字段改写为替代字段，其余内容一字不改。没有替代字段的，按说明删除。
    """
    for pointer, spec, _ in _walk_fields(doc, ctx):
        if not spec.get("deprecated"):
            continue
        replacement = spec.get("replaced_by")
        yield Hit(pointer, {
            "field": field_label(doc, ctx, pointer),
            "replacement": L10n(f"，请改用 {replacement}（可运行 govcat migrate 自动改写）",
                                f"; use {replacement} instead (govcat migrate rewrites it)") if replacement else
            L10n("，请删除", "; remove it"),
        })


@rule("GC111", "deprecated-value", "warning",
      "{field} 的取值“{value}”已废止{replacement}", "value '{value}' of {field} is deprecated{replacement}", BOTH)
def deprecated_value(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    枚举字段（共享类型、更新周期、格式类型等）是否使用了标准已废止的取值。标准为它指定了替代取值时，一并给出。

    ## 为什么
    废止的取值会在下一个主版本中删除；届时仍使用它的目录将无法通过校验（GC104）。

    ## 示例
    标准把格式类型 `wps` 废止、由 `OFD` 替代后，仍写 `format: {category: 电子文件, type: wps}`。

    ## 修正
    运行 `govcat migrate`：它把废止的取值改写为替代取值。没有替代取值的，按标准的说明改选其他取值。
    """
    for pointer, spec, value in _walk_fields(doc, ctx):
        table = ctx.std.deprecated_values.get(spec.get("enum") or "", {})
        values = value if isinstance(value, list) else [value]
        for i, one in enumerate(values):
            if not isinstance(one, str) or one not in table:
                continue
            replacement = table[one]
            at = join(pointer, i) if isinstance(value, list) else pointer
            yield Hit(at, {
                "field": field_label(doc, ctx, pointer), "value": one,
                "replacement": L10n(f"，请改为“{replacement}”（可运行 govcat migrate 自动改写）",
                                    f"; use '{replacement}' (govcat migrate rewrites it)") if replacement else "",
            })


RULES = (missing_required_field, unknown_field, wrong_type, value_not_in_vocabulary, pattern_mismatch,
         invalid_date, out_of_bounds, missing_recommended_field, control_character, deprecated_field,
         deprecated_value)
