"""What `govcat migrate` changes in a catalog, and what it leaves to a person.

A catalog is read into a small tree (`Map`, `Seq`, `Text`) whose keys and scalars know where they
are written — a YAML span, a workbook cell — so that the same plan serves YAML files and workbooks.
The plan walks the tree with the class of every object, edition by edition, from the version the
catalog declares to the target:

1. in the declared edition, every deprecated thing in use that the edition names a replacement for
   (a field, a vocabulary value, a data element) is replaced — the fix GC110, GC111 and GC306 ask for;
2. for each next edition, the changes `standard.diff.compare` finds between the two are applied:
   renamed fields and values are rewritten; a removed field, value or data element still in use, a
   required field the catalog lacks, a field whose type or cardinality changed, a data-element
   identifier reused for another meaning become decisions; then that edition's own replacements
   are applied as in 1. Renames across several editions compose, since each step reads the names
   the previous one left.

Decisions are `Hit`s of GC708 (migration-needs-decision): a pointer into the original document and
the text of what a person must decide. Nothing here knows about files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from govcat.checking.rules.base import Hit
from govcat.checking.rules.element import COMPATIBLE
from govcat.core.document import Span
from govcat.core.i18n import L10n
from govcat.standard import Standard
from govcat.standard.diff import compare
from govcat.standard.versions import Version

ROOT = "Catalog"
# The field that holds a data-element identifier (SPEC §2.3 InformationItem.element): element
# replacements and removals apply to its values.
ELEMENT_FIELD = ("InformationItem", "element")
# A deprecated thing may be replaced by one that is itself deprecated later; a chain longer than
# this is a cycle in the standard, and nothing is replaced.
_MAX_CHAIN = 32


# --- the tree a plan works on ----------------------------------------------------------------------

@dataclass(eq=False)
class Text:
    """A mapping key or a scalar value: what it holds now, what it held, and where it is written."""

    value: Any
    pointer: str  # its place in the original document (a key: the pointer of its value)
    handle: Any = None  # where it is written (yamledit.Span, xlsxedit.CellRef); None: nowhere
    fixed: L10n | None = None  # why migrate may not rewrite it (an anchor, a block scalar …)
    span: Span | None = None  # its position when the pointer cannot locate it (a workbook header)
    absent: bool = False  # an empty workbook cell: the column exists, this row holds nothing
    original: Any = field(init=False)

    def __post_init__(self) -> None:
        self.original = self.value

    @property
    def changed(self) -> bool:
        return type(self.value) is not type(self.original) or self.value != self.original


@dataclass(eq=False)
class Map:
    entries: list[tuple[Text, Node]]
    pointer: str
    # A workbook's header row: every column with no value. Renames reach the headers through it
    # even when no row fills the column; decisions about a column are reported at the header.
    synthetic: bool = False


@dataclass(eq=False)
class Seq:
    items: list[Node]
    pointer: str


Node = Map | Seq | Text


def texts(root: Node) -> Iterator[Text]:
    """Every key and scalar of the tree, each once (a YAML alias shares its anchor's nodes)."""
    seen: set[int] = set()
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Text):
            yield node
        elif isinstance(node, Map):
            for key, value in node.entries:
                stack.extend((value, key))
        else:
            stack.extend(reversed(node.items))


def plain(node: Node) -> Any:
    """The data the tree stands for now, as the loader would give it (the first of repeated keys wins)."""
    if isinstance(node, Text):
        return node.value
    if isinstance(node, Seq):
        return [plain(item) for item in node.items]
    out: dict[str, Any] = {}
    for key, value in node.entries:
        name = "" if key.value is None else str(key.value)
        if name not in out:
            out[name] = plain(value)
    return out


# --- editions and steps --------------------------------------------------------------------------

@dataclass(frozen=True)
class Edition:
    """One version of the standard as migrate reads it: its model (model.json) and its index."""

    version: Version
    model: dict[str, Any]
    std: Standard

    @property
    def label(self) -> str:
        return str(self.version)

    def attributes(self, cls: str) -> dict[str, Any]:
        return ((self.model.get("classes") or {}).get(cls) or {}).get("attributes") or {}

    def values(self, enum: str) -> dict[str, Any]:
        found = (self.model.get("enums") or {}).get(enum) or (self.model.get("code_sets") or {}).get(enum) or {}
        return found.get("values") or {}


def _attribute_of(path: str) -> tuple[str, str] | None:
    """`classes/<Class>/attributes/<field>` -> (Class, field)."""
    parts = path.split("/")
    if len(parts) == 4 and parts[0] == "classes" and parts[2] == "attributes":
        return parts[1], parts[3]
    return None


def _value_of(path: str) -> str | None:
    """`enums/<Enum>/<value>` or `code_sets/<Enum>/<value>` -> Enum (a value may hold a slash)."""
    parts = path.split("/", 2)
    return parts[1] if len(parts) == 3 and parts[0] in ("enums", "code_sets") else None


class Step:
    """What migrate acts on between two consecutive editions, read from the diff of their models.
    Field changes are keyed by the class's name in the newer edition and, except renames and
    removals, by the field's newer name (as the diff reports them)."""

    def __init__(self, old: Edition, new: Edition) -> None:
        self.old, self.new = old, new
        self.classes: dict[str, str] = {}  # old class name -> new (renamed classes)
        self.renamed: dict[tuple[str, str], str] = {}  # (new class, old field) -> new field
        self.removed: set[tuple[str, str]] = set()  # (new class, old field)
        self.retyped: dict[tuple[str, str], tuple[Any, Any]] = {}  # (new class, new field) -> (old, new range)
        self.cardinality: dict[tuple[str, str], bool] = {}  # (new class, new field) -> multivalued now
        self.required: dict[str, list[str]] = {}  # new class -> fields now required
        self.value_renamed: dict[tuple[str, str], str] = {}  # (enum, old value) -> new value
        self.value_removed: set[tuple[str, str]] = set()
        self.element_removed: set[str] = set()
        self.element_reused: set[str] = set()
        for change in compare(old.model, new.model).changes:
            code, path = change.code, change.path
            if code == "class-renamed":
                self.classes[str(change.old)] = str(change.new)
            elif code in ("field-renamed", "field-removed", "field-type-changed", "field-cardinality-changed",
                          "required-field-added", "field-became-required"):
                where = _attribute_of(path)
                if where is None:
                    continue
                if code == "field-renamed":
                    self.renamed[where] = str(change.new)
                elif code == "field-removed":
                    self.removed.add(where)
                elif code == "field-type-changed":
                    self.retyped[where] = (change.old, change.new)
                elif code == "field-cardinality-changed":
                    self.cardinality[where] = bool(change.new)
                else:
                    self.required.setdefault(where[0], []).append(where[1])
            elif code in ("enum-value-renamed", "enum-value-removed", "code-removed"):
                enum = _value_of(path)
                if enum is None:
                    continue
                if change.new is not None:  # a renamed code is reported as removed, naming its successor
                    self.value_renamed[(enum, str(change.old))] = str(change.new)
                else:
                    self.value_removed.add((enum, str(change.old)))
            elif code == "element-removed":
                self.element_removed.add(path.split("/", 1)[1])
            elif code == "element-identifier-reused":
                self.element_reused.add(path.split("/", 1)[1])


# --- running a plan on one catalog ---------------------------------------------------------------

def _objects(root: Map, edition: Edition) -> Iterator[tuple[Map, str]]:
    """Every object of the tree with its class in ``edition``, read by the names the tree holds
    now. Each object's children are listed before it is handed out, so renaming its keys cannot
    hide them."""
    stack: list[tuple[Node, str]] = [(root, ROOT)]
    while stack:
        node, cls = stack.pop()
        if not isinstance(node, Map):
            continue
        attributes = edition.attributes(cls)
        for key, value in reversed(node.entries):
            spec = attributes.get(key.value) if isinstance(key.value, str) else None
            if spec and spec.get("kind") == "class" and spec.get("range"):
                children = value.items if isinstance(value, Seq) else [value]
                stack.extend((child, str(spec["range"])) for child in reversed(children))
        yield node, cls


def _scalars(value: Node) -> list[Text]:
    if isinstance(value, Text):
        return [value]
    if isinstance(value, Seq):
        return [item for item in value.items if isinstance(item, Text)]
    return []


def _label(name: str, spec: dict[str, Any] | None) -> tuple[str, str]:
    """How a message names a field: `keywords（关键字）`, `keywords (关键字)`."""
    title = (spec or {}).get("title")
    # no space follows a full-width bracket; one separates a bare ASCII name from Chinese
    return (f"{name}（{title}）", f"{name} ({title})") if title else (f"{name} ", name)


def _in_use(value: Node) -> bool:
    return not (isinstance(value, Text) and (value.absent or value.value is None or value.value == ""))


def _filled(node: Map, name: str) -> bool:
    """Whether ``node`` holds ``name`` with a value (an empty list or mapping is no value either)."""
    for key, value in node.entries:
        if key.value == name and _in_use(value):
            return not ((isinstance(value, Map) and not value.entries) or (isinstance(value, Seq) and not value.items))
    return False


def _chain(start: str, table: dict[str, tuple[bool, str | None]]) -> str | None:
    """The end of a replacement chain: `a` replaced by `b`, `b` deprecated and replaced by `c` -> `c`."""
    current, seen = start, {start}
    for _ in range(_MAX_CHAIN):
        deprecated, replacement = table.get(current, (False, None))
        if not deprecated or replacement is None:
            return current if current != start else None
        if replacement in seen or replacement not in table:
            return None
        seen.add(replacement)
        current = replacement
    return None


class Migration:
    """One catalog's tree through a plan: edits made in place, decisions collected."""

    def __init__(self, root: Map) -> None:
        self.root = root
        self.hits: list[Hit] = []
        self._seen: set[tuple[str, Span | None, str]] = set()

    def decide(self, pointer: str, target: str, zh: str, en: str, span: Span | None = None) -> None:
        key = (pointer, span, zh)
        if key not in self._seen:
            self._seen.add(key)
            self.hits.append(Hit(pointer, {"target": target, "decision": L10n(zh, en)}, span))

    def rewrite(self, text: Text, new: Any, target: str) -> bool:
        """Set ``text`` to ``new``, or say why a person must (an anchor, a block scalar …)."""
        if text.value == new:
            return False
        if text.fixed is not None:
            self.decide(text.pointer, target, f"请手工把“{text.value}”改为“{new}”：{text.fixed.zh}",
                        f"change '{text.value}' to '{new}' by hand: {text.fixed.en}", text.span)
            return False
        text.value = new
        return True

    # -- one edition's own replacements ----------------------------------------------------------
    def replacements(self, edition: Edition) -> None:
        target = edition.label
        elements = {i: (e.get("status") == "废止", e.get("replaced_by")) for i, e in
                    (edition.model.get("elements") or {}).items()}
        for node, cls in _objects(self.root, edition):
            attributes = edition.attributes(cls)
            present = {key.value for key, _ in node.entries}
            for key, value in node.entries:
                spec = attributes.get(key.value) if isinstance(key.value, str) else None
                if spec is None:
                    continue
                name = str(key.value)
                if spec.get("deprecated") and spec.get("replaced_by"):
                    self._replace_field(node, key, value, spec, attributes, present, target)
                if spec.get("kind") == "enum" and spec.get("range"):
                    table = {v: (bool(s.get("deprecated")), s.get("replaced_by"))
                             for v, s in edition.values(str(spec["range"])).items()}
                    for text in _scalars(value):
                        if isinstance(text.value, str) and (end := _chain(text.value, table)) is not None:
                            self.rewrite(text, end, target)
                if (cls, name) == ELEMENT_FIELD:
                    for text in _scalars(value):
                        if isinstance(text.value, str) and (end := _chain(text.value, elements)) is not None:
                            old = text.value
                            if self.rewrite(text, end, target):
                                self._element_fit(node, text, old, end, edition)

    def _replace_field(self, node: Map, key: Text, value: Node, spec: dict[str, Any], attributes: dict[str, Any],
                       present: set[Any], target: str) -> None:
        name, replacement = str(key.value), str(spec["replaced_by"])
        zh, en = _label(name, spec)
        other = attributes.get(replacement)
        same = other is not None and all(other.get(k) == spec.get(k) for k in ("range", "kind", "multivalued"))
        where = (key.span if node.synthetic else None)
        used = _in_use(value) or node.synthetic
        if not same:
            if used:
                self.decide(value.pointer, target,
                            f"字段 {zh}已废止，替代字段 {replacement} 的类型不同，不能直接改名：请把内容按 {replacement} 的要求改写",
                            f"field {en} is deprecated and its replacement {replacement} has another type: "
                            f"rewrite the value as {replacement} by hand", where)
            return
        if replacement in present:
            if used:
                self.decide(value.pointer, target,
                            f"字段 {zh}已废止、由 {replacement} 替代，但这里已有 {replacement}：请把两者合并到 {replacement}，再删除 {name}",
                            f"field {en} is deprecated in favour of {replacement}, which is already there: "
                            f"merge them into {replacement} and remove {name}", where)
            return
        if self.rewrite(key, replacement, target):
            present.discard(name)
            present.add(replacement)

    def _element_fit(self, item: Map, text: Text, old_id: str, new_id: str, edition: Edition) -> None:
        """After an element was replaced: what of the item still describes the old one."""
        old, new = edition.std.elements.get(old_id), edition.std.elements.get(new_id)
        if old is None or new is None:
            return
        values = {str(k.value): v.value for k, v in item.entries if isinstance(v, Text)}
        name, data_type, length = values.get("name"), values.get("data_type"), values.get("length")
        zh: list[str] = []
        en: list[str] = []
        if isinstance(name, str) and name in (old.title, *old.aliases) and name not in (new.title, *new.aliases):
            zh.append(f"名称“{name}”是原数据元的名称（新数据元为“{new.title}”）")
            en.append(f"the name '{name}' is the old element's (the new one is '{new.title}')")
        if isinstance(data_type, str) and new.data_type and data_type not in COMPATIBLE.get(new.data_type,
                                                                                             {new.data_type}):
            zh.append(f"数据类型 {data_type} 与新数据元的类型 {new.data_type} 不兼容")
            en.append(f"the data type {data_type} does not fit the new element's {new.data_type}")
        if isinstance(length, int) and not isinstance(length, bool):
            if new.fixed_length is not None and length != new.fixed_length:
                zh.append(f"长度 {length} 与新数据元的定长 {new.fixed_length} 不一致")
                en.append(f"the length {length} differs from the new element's fixed length {new.fixed_length}")
            elif new.max_length is not None and length > new.max_length:
                zh.append(f"长度 {length} 超过新数据元的最大长度 {new.max_length}")
                en.append(f"the length {length} exceeds the new element's maximum {new.max_length}")
        if zh:
            self.decide(text.pointer, edition.label,
                        f"数据元 {old_id}（{old.title}）已废止，已改为 {new_id}（{new.title}），但{'；'.join(zh)}："
                        "请核对该信息项的数据是否就是新数据元，并相应改正名称、类型和长度",
                        f"data element {old_id} ({old.title}) is retired and was replaced by {new_id} ({new.title}), "
                        f"but {'; '.join(en)}: check that the item holds the new element and correct it", text.span)

    # -- the changes between two editions --------------------------------------------------------
    def step(self, step: Step) -> None:
        target = step.new.label
        for node, cls in _objects(self.root, step.old):
            new_cls = step.classes.get(cls, cls)
            attributes = step.old.attributes(cls)
            present = {key.value for key, _ in node.entries}
            for key, value in node.entries:
                spec = attributes.get(key.value) if isinstance(key.value, str) else None
                if spec is None:
                    continue
                name = str(key.value)  # as the older edition names it (the field change may rename it)
                self._field_change(step, node, new_cls, key, value, spec, present, target)
                if spec.get("kind") == "enum" and spec.get("range"):
                    self._value_change(step, str(spec["range"]), _label(name, spec), value, target)
                if (cls, name) == ELEMENT_FIELD:
                    self._element_change(step, value, target)
            if not node.synthetic:
                for name in step.required.get(new_cls, ()):
                    if not _filled(node, name):
                        title = step.new.attributes(new_cls).get(name, {}).get("title") or name
                        self.decide(node.pointer, target, f"标准 {target} 新增必填字段 {name}（{title}）：请填写",
                                    f"{name} ({title}) is required from {target} on: fill it in")

    def _field_change(self, step: Step, node: Map, new_cls: str, key: Text, value: Node, spec: dict[str, Any],
                      present: set[Any], target: str) -> None:
        name = str(key.value)
        zh, en = _label(name, spec)
        where = key.span if node.synthetic else None
        used = _in_use(value) or node.synthetic
        renamed = step.renamed.get((new_cls, name))
        if renamed is not None:
            if renamed in present:
                if used:
                    self.decide(value.pointer, target,
                                f"字段 {zh}在 {target} 中改名为 {renamed}，但这里已有 {renamed}：请把两者合并到 {renamed}，再删除 {name}",
                                f"field {en} is renamed {renamed} in {target}, which is already there: merge them "
                                f"into {renamed} and remove {name}", where)
                return
            if self.rewrite(key, renamed, target):
                present.discard(name)
                present.add(renamed)
            name = renamed
        elif (new_cls, name) in step.removed:
            if used:
                self.decide(value.pointer, target,
                            f"字段 {zh}在 {target} 中已删除，且标准没有给出替代字段：请决定删除它，或把内容移到其他字段",
                            f"field {en} is removed in {target} and the standard names no replacement: remove it, "
                            "or move its content to another field", where)
            return
        if not _in_use(value) or node.synthetic:
            return
        if (new_cls, name) in step.retyped:
            before, after = step.retyped[(new_cls, name)]
            self.decide(value.pointer, target,
                        f"字段 {zh}的类型在 {target} 中从 {before} 改为 {after}：请按新类型改写该值",
                        f"the type of {en} changes from {before} to {after} in {target}: rewrite the value", None)
        if (new_cls, name) in step.cardinality:
            multiple = step.cardinality[(new_cls, name)]
            if multiple != isinstance(value, Seq):
                how = ("多值（列表）", "a list") if multiple else ("单值", "a single value")
                self.decide(value.pointer, target,
                            f"字段 {zh}在 {target} 中改为{how[0]}：请改写该值",
                            f"field {en} holds {how[1]} from {target} on: rewrite the value", None)

    def _value_change(self, step: Step, enum: str, label: tuple[str, str], value: Node, target: str) -> None:
        for text in _scalars(value):
            if not isinstance(text.value, str) or text.absent:
                continue
            renamed = step.value_renamed.get((enum, text.value))
            if renamed is not None:
                self.rewrite(text, renamed, target)
            elif (enum, text.value) in step.value_removed:
                allowed = [v for v, s in step.new.values(enum).items() if not s.get("deprecated")]
                listed = "、".join(allowed[:8]) + ("……" if len(allowed) > 8 else "")
                self.decide(text.pointer, target,
                            f"{label[0]}的取值“{text.value}”在 {target} 中已删除：请从 {listed} 中选择",
                            f"the value '{text.value}' of {label[1]} is removed in {target}: choose one of "
                            f"{', '.join(allowed[:8])}", text.span)

    def _element_change(self, step: Step, value: Node, target: str) -> None:
        before = step.old.model.get("elements") or {}
        after = step.new.model.get("elements") or {}
        for text in _scalars(value):
            ident = text.value
            if not isinstance(ident, str):
                continue
            title = (before.get(ident) or {}).get("title")
            if ident in step.element_removed:
                self.decide(text.pointer, target,
                            f"数据元 {ident}（{title}）在 {target} 中已删除：请改为关联其他数据元，或删除 element",
                            f"data element {ident} ({title}) is removed in {target}: refer to another element, or "
                            "remove element", text.span)
            elif ident in step.element_reused:
                now = (after.get(ident) or {}).get("title")
                self.decide(text.pointer, target,
                            f"数据元标识符 {ident} 在 {target} 中改指“{now}”（原为“{title}”）：请为该信息项改选正确的数据元",
                            f"the identifier {ident} means '{now}' in {target} (it meant '{title}'): choose the right "
                            "element for this item", text.span)


@dataclass(frozen=True)
class Plan:
    """The editions a catalog goes through, from the one it declares to the target."""

    chain: tuple[Edition, ...]
    steps: tuple[Step, ...]

    @classmethod
    def through(cls, chain: list[Edition]) -> Plan:
        return cls(tuple(chain), tuple(Step(a, b) for a, b in pairwise(chain)))

    @property
    def source(self) -> Edition:
        return self.chain[0]

    @property
    def target(self) -> Edition:
        return self.chain[-1]

    def run(self, root: Map) -> Migration:
        migration = Migration(root)
        migration.replacements(self.chain[0])
        for step in self.steps:
            migration.step(step)
            migration.replacements(step.new)
        return migration
