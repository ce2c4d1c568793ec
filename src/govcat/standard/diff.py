"""The difference between two versions of the standard, classified like a compatibility contract.

Input: two models (`generated/model.json`, or a release's copy). Output: every change, each with a
stable kebab-case code, a class and the path of the thing changed (SPEC §6.2):

- ``breaking``: a catalog valid under the old version can be invalid under the new one, or a
  consumer of a generated artifact breaks;
- ``compatible``: additions, loosened constraints, deprecations with their replacement;
- ``editorial``: titles, descriptions, sources, comments, examples.

`CODES` is the one table of change codes: class, what it means, and its docs text (the change-code
reference page is generated from it). A renamed field, class or enum value declares
`renamed_from`; a data element keeps its DE identifier across renames; a deprecated thing may
declare `replaced_by`. Those are reported as renames and replacements, never as removal plus
addition. Anything not recognised is reported by a catch-all code of its kind, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from govcat.standard.versions import BUMPS, Version, bump, parse

CLASSES = ("breaking", "compatible", "editorial")
REQUIRED_BUMP = {"breaking": "major", "compatible": "minor", "editorial": "patch"}


class Code(NamedTuple):
    klass: str
    zh: str  # what the change means, for the reference page
    en: str


CODES: dict[str, Code] = {
    # classes
    "class-added": Code("compatible", "新增类", "a class was added"),
    "class-removed": Code("breaking", "删除类", "a class was removed"),
    "class-renamed": Code("breaking", "类改名（声明了 renamed_from）", "a class was renamed (renamed_from)"),
    "class-deprecated": Code("compatible", "类被废止", "a class was deprecated"),
    # fields
    "field-added": Code("compatible", "新增可选字段", "an optional field was added"),
    "required-field-added": Code("breaking", "新增必填字段：旧目录缺少它", "a required field was added"),
    "field-removed": Code("breaking", "删除字段：旧目录中的该字段成为未知字段", "a field was removed"),
    "field-renamed": Code("breaking", "字段改名（声明了 renamed_from）；govcat migrate 可改写",
                          "a field was renamed (renamed_from); govcat migrate rewrites it"),
    "field-deprecated": Code("compatible", "字段被废止（可附替代字段）", "a field was deprecated (with its replacement)"),
    "field-became-required": Code("breaking", "字段改为必填", "a field became required"),
    "field-became-optional": Code("compatible", "字段不再必填", "a field is no longer required"),
    "field-obligation-changed": Code("compatible", "约束性在推荐与可选之间变化（只影响警告）",
                                     "obligation changed between recommended and optional (warnings only)"),
    "field-type-changed": Code("breaking", "字段的类型（range）改变", "a field's type (range) changed"),
    "field-cardinality-changed": Code("breaking", "字段在单值与多值之间变化", "a field changed between single and multiple values"),
    "pattern-added": Code("breaking", "新增格式约束（pattern）", "a pattern was added"),
    "pattern-changed": Code("breaking", "格式约束（pattern）改变", "a pattern changed"),
    "pattern-removed": Code("compatible", "删除格式约束（pattern）", "a pattern was removed"),
    "max-length-narrowed": Code("breaking", "最大长度减小或新增", "a maximum length was lowered or added"),
    "max-length-widened": Code("compatible", "最大长度增大或取消", "a maximum length was raised or removed"),
    "min-length-raised": Code("breaking", "最小长度增大或新增", "a minimum length was raised or added"),
    "min-length-lowered": Code("compatible", "最小长度减小或取消", "a minimum length was lowered or removed"),
    "range-narrowed": Code("breaking", "数值范围收窄（下限提高、上限降低，或新增）", "a numeric range was narrowed"),
    "range-widened": Code("compatible", "数值范围放宽", "a numeric range was widened"),
    "min-items-raised": Code("breaking", "最少条目数增大", "a minimum number of entries was raised"),
    "min-items-lowered": Code("compatible", "最少条目数减小", "a minimum number of entries was lowered"),
    # vocabularies (enums)
    "enum-added": Code("compatible", "新增取值表", "a vocabulary was added"),
    "enum-removed": Code("breaking", "删除取值表", "a vocabulary was removed"),
    "enum-value-added": Code("compatible", "新增取值", "a value was added"),
    "enum-value-removed": Code("breaking", "删除取值：使用它的目录不再有效", "a value was removed"),
    "enum-value-renamed": Code("breaking", "取值改名（声明了 renamed_from）；govcat migrate 可改写",
                               "a value was renamed (renamed_from); govcat migrate rewrites it"),
    "enum-value-deprecated": Code("compatible", "取值被废止（可附替代取值）", "a value was deprecated (with its replacement)"),
    "enum-value-constraint-narrowed": Code("breaking", "取值附带的列表收窄（例如格式分类允许的格式类型减少）",
                                           "a list a value carries was narrowed (e.g. the types a format category allows)"),
    "enum-value-constraint-widened": Code("compatible", "取值附带的列表放宽（例如格式分类允许的格式类型增加）",
                                          "a list a value carries was widened (e.g. the types a format category allows)"),
    "enum-value-alias-added": Code("compatible", "新增取值的可接受别名", "an accepted alias of a value was added"),
    "enum-value-alias-removed": Code("breaking", "删除取值的可接受别名", "an accepted alias of a value was removed"),
    # data elements
    "element-added": Code("compatible", "新增数据元", "a data element was added"),
    "element-removed": Code("breaking", "删除数据元（标识符不得删除，应改为废止）", "a data element was removed"),
    "element-renamed": Code("compatible", "数据元改名（标识符不变）", "a data element was renamed (same identifier)"),
    "element-deprecated": Code("compatible", "数据元被废止（可附替代数据元）", "a data element was deprecated"),
    "element-identifier-reused": Code("breaking", "数据元标识符被用于另一含义", "a data-element identifier was reused"),
    "element-type-changed": Code("breaking", "数据元的数据类型或表示格式改变", "a data element's type or format changed"),
    "element-alias-added": Code("compatible", "新增数据元同义名称", "an alias of a data element was added"),
    "element-alias-removed": Code("compatible", "删除数据元同义名称（只影响警告）", "an alias of a data element was removed"),
    "element-sensitivity-raised": Code("breaking", "数据元敏感级别提高（可能触发 GC405）", "a data element became more sensitive"),
    "element-sensitivity-lowered": Code("compatible", "数据元敏感级别降低", "a data element became less sensitive"),
    "element-attribute-changed": Code("compatible", "数据元的其他属性改变（权威来源、值域、计量单位、校验算法等）",
                                      "another attribute of a data element changed"),
    # code sets
    "code-set-added": Code("compatible", "新增代码集", "a code set was added"),
    "code-set-removed": Code("breaking", "删除代码集", "a code set was removed"),
    "code-added": Code("compatible", "代码集新增代码", "a code was added"),
    "code-removed": Code("breaking", "代码集删除代码", "a code was removed"),
    "code-deprecated": Code("compatible", "代码被废止（可附替代代码）", "a code was deprecated"),
    # frequency policy
    "frequency-policy-tightened": Code("breaking", "更新周期政策收紧（要求更频繁、最大间隔缩短或宽限天数减少）",
                                       "the frequency policy was tightened"),
    "frequency-policy-loosened": Code("compatible", "更新周期政策放宽", "the frequency policy was loosened"),
    # rules
    "rule-added": Code("compatible", "新增规则（警告或提示，或带 enforce_from 的错误）",
                       "a rule was added (warning or info, or an error with enforce_from)"),
    "rule-added-as-error": Code("breaking", "新增错误级规则且未给出 enforce_from", "an error rule was added without enforce_from"),
    "rule-removed": Code("compatible", "删除规则", "a rule was removed"),
    "rule-raised-to-error": Code("breaking", "规则提高为错误级且未给出 enforce_from", "a rule was raised to error without enforce_from"),
    "rule-severity-raised": Code("compatible", "规则级别提高（未到错误级，或带 enforce_from）",
                                 "a rule's severity was raised (below error, or with enforce_from)"),
    "rule-severity-lowered": Code("compatible", "规则级别降低", "a rule's severity was lowered"),
    "rule-enforcement-changed": Code("compatible", "规则的 enforce_from 日期改变", "a rule's enforce_from date changed"),
    # versions
    "supported-version-added": Code("compatible", "新增受支持的版本", "a supported version was added"),
    "supported-version-removed": Code("breaking", "不再支持某个版本", "a version is no longer supported"),
    "version-sunset-changed": Code("compatible", "版本的停止支持日期改变", "a version's sunset date changed"),
    # editorial
    "title-changed": Code("editorial", "中文名称（title）改变", "a title changed"),
    "description-changed": Code("editorial", "说明改变", "a description changed"),
    "documentation-changed": Code("editorial", "来源、注释、示例或其他说明性属性改变",
                                  "sources, comments, examples or other documentation changed"),
    # the version bump itself
    "version-not-bumped": Code("breaking", "声明的版本号升级小于变更所要求的", "the declared version bump is smaller than required"),
}


@dataclass(frozen=True)
class Change:
    code: str
    path: str
    old: Any
    new: Any
    zh: str
    en: str

    @property
    def klass(self) -> str:
        return CODES[self.code].klass

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {"code": self.code, "class": self.klass, "path": self.path, "old": self.old, "new": self.new,
                "message": self.en if lang == "en" else self.zh}


@dataclass(frozen=True)
class Diff:
    old_version: str
    new_version: str
    changes: tuple[Change, ...]

    @property
    def required_bump(self) -> str:
        needed = [REQUIRED_BUMP[c.klass] for c in self.changes if c.code != "version-not-bumped"]
        return max(needed, key=BUMPS.index, default="none")

    @property
    def declared_bump(self) -> str | None:
        old, new = parse(self.old_version), parse(self.new_version)
        return bump(old, new) if old and new else None


def compare(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    changes = [*_versions(old, new), *_classes(old, new), *_enums(old, new, "enums"), *_enums(old, new, "code_sets"),
               *_elements(old, new), *_policy(old, new), *_rules(old, new)]
    result = Diff(str(old.get("version")), str(new.get("version")), tuple(changes))
    declared, required = result.declared_bump, result.required_bump
    if declared is not None and required != "none" and BUMPS.index(declared) < BUMPS.index(required):
        changes.append(Change("version-not-bumped", "version", old.get("version"), new.get("version"),
                              f"变更要求升级{_BUMP_ZH[required]}版本号，但版本号只从 {old.get('version')} 变为 {new.get('version')}",
                              f"the changes require a {required} bump, but the version went from "
                              f"{old.get('version')} to {new.get('version')}"))
    return Diff(result.old_version, result.new_version, tuple(changes))


_BUMP_ZH = {"major": "主", "minor": "次", "patch": "修订", "none": "（不需要）"}

# --- helpers -------------------------------------------------------------------------------------

_EDITORIAL = {"title": "title-changed", "description": "description-changed"}


def _c(code: str, path: str, old: Any, new: Any, zh: str, en: str) -> Change:
    return Change(code, path, old, new, zh, en)


def _editorial(path: str, old: dict[str, Any], new: dict[str, Any], keys: tuple[str, ...] = ("title", "description"),
               docs: tuple[str, ...] = ()) -> Iterator[Change]:
    for key in keys:
        if old.get(key) != new.get(key):
            code = _EDITORIAL.get(key, "documentation-changed")
            yield _c(code, path, old.get(key), new.get(key), f"{path} 的 {key} 改变", f"{key} of {path} changed")
    for key in docs:
        if old.get(key) != new.get(key):
            yield _c("documentation-changed", path, old.get(key), new.get(key), f"{path} 的 {key} 改变",
                     f"{key} of {path} changed")


def _renames(old: dict[str, Any], new: dict[str, Any]) -> dict[str, str]:
    """Old name -> new name, for new entries that declare `renamed_from` an old one now gone."""
    return {str(entry["renamed_from"]): name for name, entry in new.items()
            if isinstance(entry, dict) and entry.get("renamed_from") in old and entry["renamed_from"] not in new}


def _deprecated(path: str, code: str, old: dict[str, Any], new: dict[str, Any], what: str, what_en: str
                ) -> Iterator[Change]:
    if new.get("deprecated") and not old.get("deprecated"):
        replaced = new.get("replaced_by")
        yield _c(code, path, None, {"deprecated": new["deprecated"], "replaced_by": replaced},
                 f"{what} 被废止" + (f"，由 {replaced} 替代" if replaced else ""),
                 f"{what_en} was deprecated" + (f", replaced by {replaced}" if replaced else ""))


# --- versions ------------------------------------------------------------------------------------

def _versions(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before = {str(v["version"]): v for v in old.get("supported_versions") or []}
    after = {str(v["version"]): v for v in new.get("supported_versions") or []}
    for version in sorted(set(before) | set(after)):
        path = f"supported_versions/{version}"
        if version not in after:
            yield _c("supported-version-removed", path, version, None, f"不再支持版本 {version}",
                     f"version {version} is no longer supported")
        elif version not in before:
            yield _c("supported-version-added", path, None, version, f"新增受支持版本 {version}",
                     f"version {version} is supported")
        elif before[version].get("sunset") != after[version].get("sunset"):
            yield _c("version-sunset-changed", path, before[version].get("sunset"), after[version].get("sunset"),
                     f"版本 {version} 的停止支持日期改为 {after[version].get('sunset')}",
                     f"version {version} is supported until {after[version].get('sunset')}")
    yield from _editorial("standard", old, new)


# --- classes and their attributes ----------------------------------------------------------------

def _classes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = old.get("classes") or {}, new.get("classes") or {}
    renamed = _renames(before, after)
    for name in sorted(set(before) | set(after)):
        path = f"classes/{name}"
        if name in before and name not in after:
            if name in renamed:
                yield _c("class-renamed", path, name, renamed[name], f"类 {name} 改名为 {renamed[name]}",
                         f"class {name} was renamed to {renamed[name]}")
                yield from _attributes(f"classes/{renamed[name]}", before[name], after[renamed[name]])
            else:
                yield _c("class-removed", path, name, None, f"删除类 {name}", f"class {name} was removed")
            continue
        if name not in before:
            if after[name].get("renamed_from") not in renamed:
                yield _c("class-added", path, None, name, f"新增类 {name}", f"class {name} was added")
            continue
        yield from _deprecated(path, "class-deprecated", before[name], after[name], f"类 {name}", f"class {name}")
        yield from _editorial(path, before[name], after[name])
        yield from _attributes(path, before[name], after[name])


def _attributes(path: str, old_class: dict[str, Any], new_class: dict[str, Any]) -> Iterator[Change]:
    before, after = old_class.get("attributes") or {}, new_class.get("attributes") or {}
    renamed = _renames(before, after)
    for name in sorted(set(before) | set(after)):
        at = f"{path}/attributes/{name}"
        if name in before and name not in after:
            if name in renamed:
                yield _c("field-renamed", at, name, renamed[name], f"字段 {name} 改名为 {renamed[name]}",
                         f"field {name} was renamed to {renamed[name]}")
                yield from _field(f"{path}/attributes/{renamed[name]}", before[name], after[renamed[name]])
            else:
                yield _c("field-removed", at, name, None, f"删除字段 {name}", f"field {name} was removed")
            continue
        if name not in before:
            if name in renamed.values():
                continue
            if after[name].get("required"):
                yield _c("required-field-added", at, None, name, f"新增必填字段 {name}",
                         f"required field {name} was added")
            else:
                yield _c("field-added", at, None, name, f"新增字段 {name}", f"field {name} was added")
            continue
        yield from _field(at, before[name], after[name])


def _field(at: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    name = at.rsplit("/", 1)[-1]
    yield from _deprecated(at, "field-deprecated", old, new, f"字段 {name}", f"field {name}")
    if old.get("required") != new.get("required"):
        if new.get("required"):
            yield _c("field-became-required", at, False, True, f"字段 {name} 改为必填", f"field {name} became required")
        else:
            yield _c("field-became-optional", at, True, False, f"字段 {name} 不再必填", f"field {name} is no longer required")
    elif old.get("obligation") != new.get("obligation"):
        yield _c("field-obligation-changed", at, old.get("obligation"), new.get("obligation"),
                 f"字段 {name} 的约束性从 {old.get('obligation')} 改为 {new.get('obligation')}",
                 f"obligation of {name} changed from {old.get('obligation')} to {new.get('obligation')}")
    if old.get("range") != new.get("range"):
        yield _c("field-type-changed", at, old.get("range"), new.get("range"),
                 f"字段 {name} 的类型从 {old.get('range')} 改为 {new.get('range')}",
                 f"type of {name} changed from {old.get('range')} to {new.get('range')}")
    if old.get("multivalued") != new.get("multivalued"):
        yield _c("field-cardinality-changed", at, old.get("multivalued"), new.get("multivalued"),
                 f"字段 {name} 的多值属性改变", f"field {name} changed between single and multiple values")
    yield from _pattern(at, name, old.get("pattern"), new.get("pattern"))
    yield from _bound(at, name, "max_length", old, new, upper=True, narrowed="max-length-narrowed",
                      widened="max-length-widened", label=("最大长度", "maximum length"))
    yield from _bound(at, name, "min_length", old, new, upper=False, narrowed="min-length-raised",
                      widened="min-length-lowered", label=("最小长度", "minimum length"))
    yield from _bound(at, name, "maximum_value", old, new, upper=True, narrowed="range-narrowed",
                      widened="range-widened", label=("上限", "maximum"))
    yield from _bound(at, name, "minimum_value", old, new, upper=False, narrowed="range-narrowed",
                      widened="range-widened", label=("下限", "minimum"))
    yield from _bound(at, name, "minimum_cardinality", old, new, upper=False, narrowed="min-items-raised",
                      widened="min-items-lowered", label=("最少条目数", "minimum number of entries"))
    yield from _editorial(at, old, new, docs=("comments", "examples", "aliases"))


def _pattern(at: str, name: str, old: Any, new: Any) -> Iterator[Change]:
    if old == new:
        return
    if old is None:
        yield _c("pattern-added", at, None, new, f"字段 {name} 新增格式约束 {new}", f"pattern {new} added to {name}")
    elif new is None:
        yield _c("pattern-removed", at, old, None, f"字段 {name} 取消格式约束", f"pattern of {name} removed")
    else:
        yield _c("pattern-changed", at, old, new, f"字段 {name} 的格式约束从 {old} 改为 {new}",
                 f"pattern of {name} changed from {old} to {new}")


def _bound(at: str, name: str, key: str, old: dict[str, Any], new: dict[str, Any], *, upper: bool, narrowed: str,
           widened: str, label: tuple[str, str]) -> Iterator[Change]:
    a, b = old.get(key), new.get(key)
    if a == b:
        return
    # An upper bound narrows when it appears or falls; a lower bound when it appears or rises.
    tighter = a is None if b is not None else False
    if a is not None and b is not None:
        tighter = b < a if upper else b > a
    code = narrowed if tighter else widened
    yield _c(code, at, a, b, f"字段 {name} 的{label[0]}从 {a} 改为 {b}", f"{label[1]} of {name} changed from {a} to {b}")


# --- vocabularies and code sets ------------------------------------------------------------------

def _enums(old: dict[str, Any], new: dict[str, Any], kind: str) -> Iterator[Change]:
    before, after = old.get(kind) or {}, new.get(kind) or {}
    codes = ({"added": "enum-added", "removed": "enum-removed", "value-added": "enum-value-added",
              "value-removed": "enum-value-removed", "deprecated": "enum-value-deprecated"} if kind == "enums" else
             {"added": "code-set-added", "removed": "code-set-removed", "value-added": "code-added",
              "value-removed": "code-removed", "deprecated": "code-deprecated"})
    for name in sorted(set(before) | set(after)):
        path = f"{kind}/{name}"
        if name not in after:
            yield _c(codes["removed"], path, name, None, f"删除 {name}", f"{name} was removed")
            continue
        if name not in before:
            yield _c(codes["added"], path, None, name, f"新增 {name}", f"{name} was added")
            continue
        yield from _editorial(path, before[name], after[name])
        old_values, new_values = before[name].get("values") or {}, after[name].get("values") or {}
        renamed = _renames(old_values, new_values)
        for value in sorted(set(old_values) | set(new_values)):
            at = f"{path}/{value}"
            if value not in new_values:
                if value in renamed:
                    yield _c("enum-value-renamed" if kind == "enums" else "code-removed", at, value, renamed[value],
                             f"{name} 的取值“{value}”改为“{renamed[value]}”",
                             f"value '{value}' of {name} became '{renamed[value]}'")
                else:
                    yield _c(codes["value-removed"], at, value, None, f"{name} 删除取值“{value}”",
                             f"value '{value}' was removed from {name}")
                continue
            if value not in old_values:
                if value not in renamed.values():
                    yield _c(codes["value-added"], at, None, value, f"{name} 新增取值“{value}”",
                             f"value '{value}' was added to {name}")
                continue
            a, b = old_values[value], new_values[value]
            yield from _deprecated(at, codes["deprecated"], a, b, f"{name} 的取值“{value}”", f"value '{value}' of {name}")
            gone, came = set(a.get("aliases") or []) - set(b.get("aliases") or []), \
                set(b.get("aliases") or []) - set(a.get("aliases") or [])
            if gone and kind == "enums":
                yield _c("enum-value-alias-removed", at, sorted(gone), None, f"取值“{value}”不再接受别名 {'、'.join(sorted(gone))}",
                         f"aliases {', '.join(sorted(gone))} of '{value}' are no longer accepted")
            if came and kind == "enums":
                yield _c("enum-value-alias-added", at, None, sorted(came), f"取值“{value}”新增别名 {'、'.join(sorted(came))}",
                         f"aliases {', '.join(sorted(came))} of '{value}' are accepted")
            yield from _value_annotations(at, name, value, a.get("annotations") or {}, b.get("annotations") or {})
            yield from _editorial(at, a, b, docs=("meaning",) + (("aliases",) if kind != "enums" else ()))


# Annotations of values that are the frequency policy (reported by _policy) or a list of allowed
# things (`types` of a format category: `|`-separated); the others are documentation.
_POLICY_NOTES = ("min_frequency", "rank", "max_interval_days")
_LIST_NOTES = ("types",)


def _value_annotations(at: str, enum: str, value: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b or key in _POLICY_NOTES:
            continue
        if key in _LIST_NOTES:
            before, after = set(str(a or "").split("|")) - {""}, set(str(b or "").split("|")) - {""}
            if before - after:
                yield _c("enum-value-constraint-narrowed", at, sorted(before - after), None,
                         f"{enum} 的取值“{value}”的 {key} 不再包含 {'、'.join(sorted(before - after))}",
                         f"{key} of '{value}' no longer includes {', '.join(sorted(before - after))}")
            if after - before:
                yield _c("enum-value-constraint-widened", at, None, sorted(after - before),
                         f"{enum} 的取值“{value}”的 {key} 新增 {'、'.join(sorted(after - before))}",
                         f"{key} of '{value}' now includes {', '.join(sorted(after - before))}")
        else:
            yield _c("documentation-changed", at, a, b, f"{enum} 的取值“{value}”的 {key} 改变",
                     f"{key} of '{value}' in {enum} changed")


# --- data elements -------------------------------------------------------------------------------

_SENSITIVITY = {"一般": 0, "个人信息": 1, "敏感个人信息": 2}
_TYPE_KEYS = ("data_type", "format", "range", "pattern")
_ATTRIBUTE_KEYS = ("steward", "value_domain", "unit", "checksum", "category", "minimum_value", "maximum_value")


def _elements(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = old.get("elements") or {}, new.get("elements") or {}
    for ident in sorted(set(before) | set(after)):
        path = f"elements/{ident}"
        if ident not in after:
            yield _c("element-removed", path, before[ident].get("title"), None, f"删除数据元 {ident}（{before[ident].get('title')}）",
                     f"data element {ident} ({before[ident].get('title')}) was removed")
            continue
        if ident not in before:
            yield _c("element-added", path, None, after[ident].get("title"), f"新增数据元 {ident}（{after[ident].get('title')}）",
                     f"data element {ident} ({after[ident].get('title')}) was added")
            continue
        a, b = before[ident], after[ident]
        if _reused(a, b):
            yield _c("element-identifier-reused", path, a.get("title"), b.get("title"),
                     f"数据元标识符 {ident} 从“{a.get('title')}”改用于“{b.get('title')}”",
                     f"identifier {ident} now means '{b.get('title')}' instead of '{a.get('title')}'")
            continue
        if a.get("title") != b.get("title") or a.get("slot") != b.get("slot"):
            yield _c("element-renamed", path, a.get("title"), b.get("title"),
                     f"数据元 {ident} 改名：{a.get('title')} → {b.get('title')}",
                     f"data element {ident} was renamed: {a.get('title')} -> {b.get('title')}")
        if b.get("status") == "废止" and a.get("status") != "废止":
            replaced = b.get("replaced_by")
            yield _c("element-deprecated", path, a.get("status"), {"status": "废止", "replaced_by": replaced},
                     f"数据元 {ident} 被废止" + (f"，由 {replaced} 替代" if replaced else ""),
                     f"data element {ident} was deprecated" + (f", replaced by {replaced}" if replaced else ""))
        for key in _TYPE_KEYS:
            if a.get(key) != b.get(key):
                yield _c("element-type-changed", path, a.get(key), b.get(key),
                         f"数据元 {ident} 的 {key} 从 {a.get(key)} 改为 {b.get(key)}",
                         f"{key} of {ident} changed from {a.get(key)} to {b.get(key)}")
        gone, came = set(a.get("aliases") or []) - set(b.get("aliases") or []), set(b.get("aliases") or []) - set(a.get("aliases") or [])
        if came:
            yield _c("element-alias-added", path, None, sorted(came), f"数据元 {ident} 新增同义名称 {'、'.join(sorted(came))}",
                     f"aliases {', '.join(sorted(came))} added to {ident}")
        if gone:
            yield _c("element-alias-removed", path, sorted(gone), None, f"数据元 {ident} 删除同义名称 {'、'.join(sorted(gone))}",
                     f"aliases {', '.join(sorted(gone))} removed from {ident}")
        sa, sb = _SENSITIVITY.get(a.get("sensitivity") or "一般", 0), _SENSITIVITY.get(b.get("sensitivity") or "一般", 0)
        if sa != sb:
            yield _c("element-sensitivity-raised" if sb > sa else "element-sensitivity-lowered", path,
                     a.get("sensitivity"), b.get("sensitivity"),
                     f"数据元 {ident} 的敏感级别从 {a.get('sensitivity')} 改为 {b.get('sensitivity')}",
                     f"sensitivity of {ident} changed from {a.get('sensitivity')} to {b.get('sensitivity')}")
        for key in _ATTRIBUTE_KEYS:
            if a.get(key) != b.get(key):
                yield _c("element-attribute-changed", path, a.get(key), b.get(key),
                         f"数据元 {ident} 的 {key} 从 {a.get(key)} 改为 {b.get(key)}",
                         f"{key} of {ident} changed from {a.get(key)} to {b.get(key)}")
        yield from _editorial(path, a, b, keys=("description",), docs=("source", "short_name", "object_class", "property",
                                                                       "representation_term", "version"))


def _reused(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """The same identifier for another meaning: the slot, the title and the data type all changed
    and the old title is not kept as an alias."""
    return (a.get("slot") != b.get("slot") and a.get("title") != b.get("title")
            and a.get("data_type") != b.get("data_type") and a.get("title") not in (b.get("aliases") or []))


# --- frequency policy ----------------------------------------------------------------------------

def _policy(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    a, b = old.get("frequency_policy") or {}, new.get("frequency_policy") or {}
    rank_a, rank_b = a.get("rank") or {}, b.get("rank") or {}
    mins_a, mins_b = a.get("min_frequency") or {}, b.get("min_frequency") or {}
    for target in sorted(set(mins_a) | set(mins_b)):
        x, y = mins_a.get(target), mins_b.get(target)
        if x == y:
            continue
        # A lower rank is more frequent: requiring a more frequent minimum (or any minimum) tightens.
        tighter = y is not None and (x is None or rank_b.get(y, 99) < rank_a.get(x, 99))
        yield _c("frequency-policy-tightened" if tighter else "frequency-policy-loosened",
                 f"frequency_policy/{target}", x, y, f"{target} 的最低更新周期从 {x or '（无）'} 改为 {y or '（无）'}",
                 f"minimum frequency of {target} changed from {x} to {y}")
    if a.get("grace_days") != b.get("grace_days"):
        tighter = (b.get("grace_days") or 0) < (a.get("grace_days") or 0)
        yield _c("frequency-policy-tightened" if tighter else "frequency-policy-loosened", "frequency_policy/grace_days",
                 a.get("grace_days"), b.get("grace_days"), f"宽限天数从 {a.get('grace_days')} 改为 {b.get('grace_days')}",
                 f"grace days changed from {a.get('grace_days')} to {b.get('grace_days')}")
    days_a, days_b = a.get("max_interval_days") or {}, b.get("max_interval_days") or {}
    for frequency in sorted(set(days_a) & set(days_b)):
        if days_a[frequency] != days_b[frequency]:
            tighter = days_b[frequency] < days_a[frequency]
            yield _c("frequency-policy-tightened" if tighter else "frequency-policy-loosened",
                     f"frequency_policy/{frequency}", days_a[frequency], days_b[frequency],
                     f"{frequency} 的最大间隔从 {days_a[frequency]} 天改为 {days_b[frequency]} 天",
                     f"maximum interval of {frequency} changed from {days_a[frequency]} to {days_b[frequency]} days")


# --- rules ---------------------------------------------------------------------------------------

_LEVEL = {"info": 0, "warning": 1, "error": 2}


def _rules(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    a, b = old.get("rules") or {}, new.get("rules") or {}
    for code in sorted(set(a) | set(b)):
        path = f"rules/{code}"
        if code not in b:
            yield _c("rule-removed", path, a[code].get("severity"), None, f"删除规则 {code}", f"rule {code} was removed")
            continue
        severity, enforce = b[code].get("severity"), b[code].get("enforce_from")
        if code not in a:
            hard = severity == "error" and not enforce
            yield _c("rule-added-as-error" if hard else "rule-added", path, None, severity,
                     f"新增规则 {code}（{severity}" + (f"，自 {enforce} 起强制" if enforce else "") + "）",
                     f"rule {code} was added ({severity}" + (f", enforced from {enforce}" if enforce else "") + ")")
            continue
        before = a[code].get("severity")
        if before != severity:
            if _LEVEL.get(severity, 0) > _LEVEL.get(before, 0):
                code_ = "rule-raised-to-error" if severity == "error" and not enforce else "rule-severity-raised"
            else:
                code_ = "rule-severity-lowered"
            yield _c(code_, path, before, severity, f"规则 {code} 的级别从 {before} 改为 {severity}",
                     f"severity of {code} changed from {before} to {severity}")
        elif a[code].get("enforce_from") != enforce:
            yield _c("rule-enforcement-changed", path, a[code].get("enforce_from"), enforce,
                     f"规则 {code} 的 enforce_from 改为 {enforce}", f"enforce_from of {code} changed to {enforce}")


def at_least(klass: str, threshold: str) -> bool:
    """Whether a change of ``klass`` is at or above ``threshold`` (breaking > compatible > editorial)."""
    return CLASSES.index(klass) <= CLASSES.index(threshold)


def version_of(model: dict[str, Any]) -> Version | None:
    return parse(model.get("version"))
