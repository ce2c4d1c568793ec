"""JSON Pointer (RFC 6901), the one helper every layer uses to name a place in a document."""

from __future__ import annotations


def escape(token: object) -> str:
    text = str(token)
    return text.replace("~", "~0").replace("/", "~1") if "~" in text or "/" in text else text


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join(pointer: str, *tokens: object) -> str:
    out = pointer
    for token in tokens:
        out += "/" + escape(token)
    return out


def split(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [unescape(t) for t in pointer.split("/")[1:]]


def parent(pointer: str) -> str:
    return pointer.rsplit("/", 1)[0] if pointer else ""
