"""Defensive accessors: rules and the index read documents that may be wrong in any way,
so every read tolerates a list where a mapping was expected, a number where text was, and so on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from govcat.loader import Document


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str | None:
    """A non-empty string value, or None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def items_of(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def resources(doc: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, resource) for every resource mapping of a catalog document."""
    for i, res in enumerate(items_of(obj(doc.data).get("resources"))):
        if isinstance(res, dict):
            yield f"/resources/{i}", res  # no token here needs JSON Pointer escaping


def items(res: dict[str, Any], pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for i, item in enumerate(items_of(res.get("items"))):
        if isinstance(item, dict):
            yield f"{pointer}/items/{i}", item


def provider_code(doc: Document) -> str | None:
    return text(obj(obj(doc.data).get("provider")).get("code"))
