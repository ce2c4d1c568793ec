"""Rule cases as data: `tests/rules/<CODE>.yaml`, and the base catalog most of them change.

A case's file is literal text, or a change to the example catalog of `tests/rules/_base.yaml`:

    catalog.yaml:
      resources: [婚姻登记信息, 收养登记信息]   # the base resources to start from, by name (default: the example's)
      set:                                      # JSON Pointer -> value, in the order written: an existing
        /resources/0/opening/type: 无条件开放    #   key or index is replaced in place; a new key goes where
        /resources/1/keywords: [收养]           #   the base's `order` puts it, else last; index len() appends
      remove: [/resources/1/summary]            # places as they stand after `set`
    other.yaml: {}                              # the example catalog as it is

Literal text stays for what is about the text itself: syntax, encodings, duplicate keys, comments,
quoting, block layouts, workbooks, registries, configuration.

A change is rendered in the example's own layout (block document and resources, flow inside a
resource, one line per item), so an expected `[line, column]` is a place in that text. To read it:
`python -m tests.cases GC406 [case name]` prints the files with line numbers, and a failing case shows
the numbered text it validated. Case files are read with the validator's typing (YAML 1.2 core: dates
and zero-padded codes stay text), so a value in `set` means what it would mean in a catalog.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from govcat.core.pointer import split

RULES_DIR = Path(__file__).parent / "rules"
CHANGE_KEYS = frozenset({"resources", "set", "remove"})


class CaseLoader(yaml.CSafeLoader):  # type: ignore[misc]
    """YAML 1.2 core typing, as the validator reads a catalog: no timestamps, no `yes`/`on` booleans,
    no octal or sexagesimal numbers; a leading zero keeps a number text (codes like 010100)."""


CaseLoader.yaml_implicit_resolvers = {}  # none of PyYAML's YAML 1.1 ones, only these:
for _tag, _pattern, _first in (
        ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
        ("bool", r"true|True|TRUE|false|False|FALSE", list("tTfF")),
        ("int", r"[-+]?(0|[1-9][0-9]*)", list("-+0123456789")),
        ("float", r"[-+]?(0|[1-9][0-9]*)?\.[0-9]+([eE][-+]?[0-9]+)?|[-+]?(0|[1-9][0-9]*)[eE][-+]?[0-9]+",
         list("-+.0123456789"))):
    CaseLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(rf"^(?:{_pattern})$"), _first)


def read_yaml(text: str) -> Any:
    return yaml.load(text, Loader=CaseLoader)  # a SafeLoader with fewer implicit types


# -- rendering: one layout, the example catalog's ------------------------------------------------

_INDICATORS = tuple("-?:,[]{}#&*!|>'\"%@`")
# Plain text the validator would read as another type, or a code-like text: both are quoted, as
# catalogs quote codes and versions ("1.0", "307001001/000001"); dates stay plain, as departments write them.
_NOT_TEXT = re.compile(r"~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?\.?[0-9].*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_FLOW_SPECIAL = re.compile(r"[,\[\]{}:]")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # controls and YAML 1.1 line breaks


def _plain(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or text.startswith(_INDICATORS) or text.endswith(":"):
        return False
    if ": " in text or " #" in text or _UNPRINTABLE.search(text) or (flow and _FLOW_SPECIAL.search(text)):
        return False
    return not _NOT_TEXT.fullmatch(text) or bool(_DATE.fullmatch(text))


def scalar(value: Any, flow: bool = True) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _plain(text, flow):
        return text
    # a JSON string is a YAML double-quoted scalar once DEL, the C1 controls and U+2028/9 are escaped too
    return re.sub("[\x7f-\x9f\u2028\u2029]", lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def _block(mapping: dict[str, Any], indent: int, depth: int) -> list[str]:
    """The document, its mappings (provider) and each resource are block mappings; a list holding
    mappings (resources, items) is a block list; everything else inside a resource is flow."""
    pad = " " * indent
    lines = []
    for key, value in mapping.items():
        head = f"{pad}{scalar(key, flow=False)}:"
        if isinstance(value, dict) and value and depth == 0:
            lines += [head, *_block(value, indent + 2, depth + 1)]
        elif isinstance(value, list) and depth <= 1 and any(isinstance(v, dict) for v in value):
            lines.append(head)
            for element in value:
                if isinstance(element, dict) and element and depth == 0:
                    first, *rest = _block(element, indent + 4, depth + 1)
                    lines += [f"{pad}  - {first.lstrip()}", *rest]
                else:
                    lines.append(f"{pad}  - {flow(element)}")
        elif value is None:
            lines.append(head)  # a field left empty, as departments leave one
        else:
            lines.append(f"{head} {flow(value) if isinstance(value, dict | list) else scalar(value, flow=False)}")
    return lines


def render(data: Any) -> str:
    if not isinstance(data, dict) or not data:
        return flow(data) + "\n"
    return "\n".join(_block(data, 0, 0)) + "\n"


# -- changes to the base -------------------------------------------------------------------------

@dataclass(frozen=True)
class Base:
    text: str  # the example catalog, validated as written when a case changes nothing
    data: dict[str, Any]
    resources: dict[str, dict[str, Any]]  # by name: the example's own, then the others
    order: dict[str, list[str]]  # "document", "resource": where a new key goes


def load_base(path: Path = RULES_DIR / "_base.yaml") -> Base:
    spec = read_yaml(path.read_text(encoding="utf-8"))
    data = read_yaml(spec["catalog"])
    library = {r["name"]: r for r in [*data["resources"], *spec["resources"]]}
    assert len(library) == len(data["resources"]) + len(spec["resources"]), "resource names are unique"
    return Base(spec["catalog"], data, library, spec["order"])


def place(keys: list[str], new: str, order: list[str]) -> int:
    """Where a new key goes among a mapping's keys: before the first one the order lists after it;
    last when the order does not list it."""
    if new in order:
        rank = order.index(new)
        for at, key in enumerate(keys):
            if key in order and order.index(key) > rank:
                return at
    return len(keys)


_RESOURCE = re.compile(r"/resources/[0-9]+")


def _parent(doc: Any, pointer: str) -> tuple[Any, str]:
    *path, last = split(pointer)
    node = doc
    for token in path:
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node, last


def _set(doc: Any, pointer: str, value: Any, base: Base) -> None:
    node, last = _parent(doc, pointer)
    if isinstance(node, list):
        index = int(last)
        assert index <= len(node), f"{pointer}: past the end of a list of {len(node)}"
        assert index == len(node) or node[index] != value, f"{pointer}: already {value!r}"
        node[index:index + 1] = [value]
    elif last in node:
        assert node[last] != value or type(node[last]) is not type(value), f"{pointer}: already {value!r}"
        node[last] = value
    else:
        above = pointer.rsplit("/", 1)[0]
        kind = "document" if not above else "resource" if _RESOURCE.fullmatch(above) else ""
        items = list(node.items())
        items.insert(place(list(node), last, base.order.get(kind, [])), (last, value))
        node.clear()
        node.update(items)


def changed(base: Base, change: dict[str, Any]) -> dict[str, Any]:
    """The base catalog's data with one case's change."""
    unknown = set(change) - CHANGE_KEYS
    assert not unknown, f"a change has {sorted(CHANGE_KEYS)}, not {sorted(unknown)}"
    doc = copy.deepcopy(base.data)
    if "resources" in change:
        doc["resources"] = [copy.deepcopy(base.resources[name]) for name in change["resources"]]
    for pointer, value in (change.get("set") or {}).items():
        _set(doc, pointer, value, base)
    # the last place first, so that one removal never moves the index of another
    for pointer in sorted(change.get("remove") or [], reverse=True,
                          key=lambda p: [int(t) if t.isdigit() else -1 for t in split(p)]):
        node, last = _parent(doc, pointer)
        del node[int(last) if isinstance(node, list) else last]
    return doc


# -- the cases -----------------------------------------------------------------------------------

def is_change(content: Any) -> bool:
    return isinstance(content, dict) and set(content) <= CHANGE_KEYS


@functools.cache
def load_cases(rules_dir: Path = RULES_DIR) -> tuple[tuple[str, str, dict[str, Any]], ...]:
    """(code, "valid" | "invalid", case) for every case, each changed file rendered to its text;
    `case["changed"]` keeps the data each was rendered from."""
    base = load_base(rules_dir / "_base.yaml")
    out = []
    for path in sorted(rules_dir.glob("GC*.yaml")):
        spec = read_yaml(path.read_text(encoding="utf-8"))
        for kind in ("valid", "invalid"):
            for case in spec.get(kind) or []:
                try:
                    data = {name: changed(base, c) for name, c in case["files"].items() if is_change(c)}
                except (AssertionError, LookupError, ValueError) as error:  # a stale or mistyped change
                    raise ValueError(f"{path.name}: {case['name']}: {error!r}") from error
                files = {name: render(data[name]) if name in data else c for name, c in case["files"].items()}
                out.append((path.stem, kind, {**case, "files": files, "changed": data}))
    return tuple(out)


def numbered(text: str) -> str:
    return "\n".join(f"{n:4} | {line}" for n, line in enumerate(text.splitlines(), 1))


def show(case: dict[str, Any]) -> str:
    """A case's text files with line numbers: what a reader checks an expected position against."""
    return "\n".join(f"--- {name}\n{numbered(text)}" for name, text in case["files"].items() if isinstance(text, str))


if __name__ == "__main__":  # python -m tests.cases GC406 [case name]
    for code, kind, case in load_cases():
        if code == sys.argv[1] and (len(sys.argv) < 3 or case["name"] == sys.argv[2]):
            print(f"=== {code} {kind}: {case['name']}  expect {case.get('expect', [])}\n{show(case)}\n")
