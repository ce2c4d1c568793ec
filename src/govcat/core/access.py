"""Defensive accessors: rules and the index read documents that may be wrong in any way,
so every read tolerates a list where a mapping was expected, a number where text was, and so on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from govcat.core.document import Document


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str | None:
    """A non-empty string value, or None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def items_of(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def resources(doc: Document) -> list[tuple[str, dict[str, Any]]]:
    """(pointer, resource) for every resource mapping of a catalog document; listed once per
    document, since every rule walks them."""
    return memo(doc, "resources", lambda: [
        (f"/resources/{i}", res)  # no token here needs JSON Pointer escaping
        for i, res in enumerate(items_of(obj(doc.data).get("resources"))) if isinstance(res, dict)])


def all_items(doc: Document) -> list[tuple[str, dict[str, Any]]]:
    """(pointer, item) for every item of every resource, listed once per document."""
    return memo(doc, "items", lambda: [row for pointer, res in resources(doc) for row in items(res, pointer)])


def memo(doc: Document, key: str, make: Callable[[], list[Any]]) -> list[Any]:
    """A list made once per document and shared by the rules (and the index)."""
    # Keyed by the data too: a document read again (the precise path) lists afresh.
    found = doc.memo.get(key)
    if found is None or found[0] is not doc.data:
        found = doc.memo[key] = (doc.data, make())
    return found[1]  # type: ignore[no-any-return]


def items(res: dict[str, Any], pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for i, item in enumerate(items_of(res.get("items"))):
        if isinstance(item, dict):
            yield f"{pointer}/items/{i}", item


def provider_code(doc: Document) -> str | None:
    return text(obj(obj(doc.data).get("provider")).get("code"))
