"""Schema conformance: the generated JSON Schema, run by jsonschema-rs, errors kept as plain data.

The GC1xx rules turn these errors into findings, one vocabulary for departments. Numbers written
where the standard wants text (``division: 330100``, ``standard_version: 1.0``) are read as the text
the department typed — YAML typed them, the department did not — so codes stay strings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
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
    raw = _errors(doc, std)
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
        raw = _errors(doc, std)
    doc.schema_errors = [
        SchemaError(_keyword(e.kind), _pointer(list(e.instance_path)), e.instance, e.kind.as_dict())
        for e in raw
    ]
    return doc.schema_errors


def _errors(doc: Document, std: Standard) -> list[Any]:
    """The raw errors; a fast-read document whose errors may come from YAML 1.2 typing (or whose
    keys are not all text) is read again on the precise path first."""
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
    return raw or []


def _typed_differently(error: Any) -> bool:
    """An error that may come from YAML 1.2 typing a scalar as a number (or infinity, which
    arrives as null) where our typing keeps the text."""
    instance = error.instance
    return instance is None or (isinstance(instance, int | float) and not isinstance(instance, bool))


def _keyword(kind: Any) -> str:
    name = type(kind).__name__
    return name[0].lower() + name[1:]
