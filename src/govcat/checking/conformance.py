"""Schema conformance: the generated JSON Schema, run by jsonschema-rs, errors kept as plain data.

The GC1xx rules turn these errors into findings, one vocabulary for departments. Numbers written
where the standard wants text (``division: 330100``, ``standard_version: 1.0``) are read as the text
the department typed — YAML typed them, the department did not — so codes stay strings.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import time
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

from govcat.core.document import Document
from govcat.core.pointer import join
from govcat.reading.yamlread import reread_precisely
from govcat.standard import Standard

SCHEMA_FILES = {"catalog": "catalog.schema.json", "registry": "registry.schema.json"}


@dataclass(frozen=True)
class SchemaError:
    keyword: str
    pointer: str
    value: Any
    detail: dict[str, Any] = field(default_factory=dict)


def schema(std: Standard, role: str) -> dict[str, Any]:
    """The JSON Schema generated beside the standard's index."""
    return _schema(std.folder or Path("."), role)


@cache
def _schema(folder: Path, role: str) -> dict[str, Any]:
    with open(folder / SCHEMA_FILES[role], encoding="utf-8") as fh:
        return json.load(fh)  # type: ignore[no-any-return]


@cache
def _validator(folder: Path, role: str) -> Any:
    return jsonschema_rs.validator_for(_schema(folder, role), validate_formats=True)


def _pointer(path: list[str | int]) -> str:
    return join("", *path)


def _set(data: Any, path: list[str | int], value: Any) -> None:
    for token in path[:-1]:
        data = data[token]
    data[path[-1]] = value


def check(doc: Document, std: Standard) -> list[SchemaError]:
    """Validate the document; store and return its normalised schema errors."""
    foreign = [] if doc.plain or doc.data is None else _replace_foreign(doc.data, schema(std, doc.role))
    raw = _errors(doc, std)
    if raw is None:  # no reader leaves a value jsonschema-rs refuses in a plain document; should one, it is found
        foreign += _replace_foreign(doc.data, schema(std, doc.role))
        raw = _errors(doc, std) or []  # nothing is left that it could refuse
    # Numbers written where the standard wants text (`division: 330100`) are read as the text the
    # department typed, then the document is checked again.
    coerced = False
    for error in raw:
        if type(error.kind).__name__ == "Type" and "string" in error.kind.as_dict().get("types", []):
            path = list(error.instance_path)
            typed = doc.numbers.get(_pointer(path))
            if typed is not None:
                _set(doc.data, path, typed)
                coerced = True
    if coerced:
        raw = _errors(doc, std) or []
    replaced = {error.pointer for error in foreign}
    doc.schema_errors = [
        SchemaError(_keyword(e.kind), _pointer(list(e.instance_path)), e.instance, e.kind.as_dict())
        for e in raw if _pointer(list(e.instance_path)) not in replaced  # said by the foreign value's own error
    ] + foreign
    return doc.schema_errors


def _errors(doc: Document, std: Standard) -> list[Any] | None:
    """The raw errors; a fast-read document whose errors may come from YAML 1.2 typing (or whose
    keys are not all text) is read again on the precise path first. None: jsonschema-rs refused a
    value as no JSON data."""
    if doc.data is None:
        return []
    checker = _validator(std.folder or Path("."), doc.role)
    try:
        raw = list(checker.iter_errors(doc.data))
    except ValueError:  # a key that is not text (`1:`, `~:`): only the fast path lets one through
        raw = None
    if doc.fast and (raw is None or any(_typed_differently(e) for e in raw)):
        reread_precisely(doc)
        return _errors(doc, std)
    return raw


# What JSON Schema can check: everything else a reader might leave (a workbook's time-of-day and
# duration cells, NaN and infinities, ints too long to write as text) is a value of the wrong type.
_JSON_SCALARS = (str, bool, type(None))


def _replace_foreign(data: Any, root: dict[str, Any]) -> list[SchemaError]:
    """Replace every value that is not JSON data by its text, in place, and return a type error for
    each (GC103 at its position, naming the type the schema expects there); keys that are not
    text become text. Iterative: no depth limit of its own."""
    found: list[SchemaError] = []
    stack: list[tuple[Any, list[str | int]]] = [(data, [])]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            if not all(isinstance(k, str) for k in node):
                _text_keys(node)
            items: Any = node.items()
        elif isinstance(node, list):
            items = enumerate(node)
        else:
            continue
        for key, value in items:
            if isinstance(value, dict | list):
                stack.append((value, [*path, key]))
            elif not _is_json_scalar(value):
                node[key] = _text_of(value)
                expected = _expected_types(root, [*path, key])
                if expected:  # none: a field the standard does not have, which GC102 reports
                    found.append(SchemaError("type", _pointer([*path, key]), value, {"types": expected}))
    return found


def _is_json_scalar(value: Any) -> bool:
    if isinstance(value, _JSON_SCALARS):
        return True
    if isinstance(value, int):
        return value.bit_length() <= 14_000  # < 4300 decimal digits: can still be written as text
    return isinstance(value, float) and math.isfinite(value)


def _text_of(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 14_000:
        return f"（{value.bit_length() * 30103 // 100000 + 1} 位数字）"  # str() would refuse it
    if isinstance(value, time):
        return value.isoformat(timespec="minutes" if not value.second and not value.microsecond else "auto")
    return str(value)


def _text_keys(node: dict[Any, Any]) -> None:
    """Keys as text, in order (a key already written as that text keeps its place)."""
    pairs = list(node.items())
    node.clear()
    for key, value in pairs:
        text = key if isinstance(key, str) else _text_of(key)
        while text in node:
            text += "′"
        node[text] = value


def _expected_types(node: dict[str, Any], path: list[str | int]) -> list[str]:
    """The JSON types the schema allows at ``path`` (properties, items and local $refs followed)."""
    root = node
    for token in path:
        node = _deref(root, node)
        if isinstance(token, int) or node.get("type") == "array":
            node = node.get("items", {}) if isinstance(token, int) else {}
        else:
            node = node.get("properties", {}).get(token, {})
    node = _deref(root, node)
    types = node.get("type")
    if types is None and "enum" in node:
        types = sorted({_json_type(v) for v in node["enum"]})
    return [types] if isinstance(types, str) else list(types or [])


def _deref(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    for _ in range(32):  # a cycle of $refs would be a broken schema; never loop on it
        ref = node.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return node
        target: Any = root
        for token in ref[2:].split("/"):
            target = target.get(token, {}) if isinstance(target, dict) else {}
        node = target if isinstance(target, dict) else {}
    return node


def _json_type(value: Any) -> str:
    kinds = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"))
    return next((name for base, name in kinds if isinstance(value, base)), "null")


def _typed_differently(error: Any) -> bool:
    """An error that may come from YAML 1.2 typing a scalar as a number (or infinity, which
    arrives as null) where our typing keeps the text."""
    instance = error.instance
    return instance is None or (isinstance(instance, int | float) and not isinstance(instance, bool))


def _keyword(kind: Any) -> str:
    name = type(kind).__name__
    return name[0].lower() + name[1:]
