"""How a YAML scalar becomes a value: our typing (YAML 1.2 core schema, codes stay text) and the
control characters a catalog may not hold. Shared by the precise reader and the source maps, so a
key is filed the same way by both."""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

# C0 controls and DEL, except tab and line breaks: invisible, and refused by databases (NUL).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_name(text: str) -> str:
    found = CONTROL.search(text)
    return f"U+{ord(found.group()):04X}" if found else ""


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
# YAML 1.2 core schema, except that a leading zero keeps the scalar a string (codes like 010100).
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(0|[1-9][0-9]*)?\.[0-9]+([eE][-+]?[0-9]+)?|[-+]?(0|[1-9][0-9]*)[eE][-+]?[0-9]+")

# A number with a run of more digits than this stays text, and the schema reports its type: no
# catalog field needs one, and Python refuses to turn ints of more than 4300 digits into text and
# back (int_max_str_digits), which later rules and reports do. The fast path's screen uses the same
# pattern (yamlread). Written out digit by digit: re matches that about 3x faster than `[0-9]{101}`.
MAX_DIGITS = 100
LONG_NUMBER = re.compile("[0-9]" * (MAX_DIGITS + 1))


def plain_scalar(text: str) -> Any:
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if len(text) > MAX_DIGITS and LONG_NUMBER.search(text):
        return text
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        number = float(text)
        return number if math.isfinite(number) else text  # 1e400 is not a number a catalog can hold
    return text


def scalar(event: yaml.ScalarEvent) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        return plain_scalar(event.value) if not event.style else event.value
    if tag.endswith((":int", ":float")) and len(event.value) > MAX_DIGITS and LONG_NUMBER.search(event.value):
        return event.value
    if tag.endswith(":int"):
        try:
            return int(event.value)
        except ValueError:
            return event.value
    if tag.endswith(":float"):
        try:
            number = float(event.value)
        except ValueError:
            return event.value
        return number if math.isfinite(number) else event.value  # `!!float nan` is no JSON number either
    if tag.endswith(":bool"):
        return event.value in _TRUE or event.value in ("yes", "on")
    if tag.endswith(":null"):
        return None
    return event.value


def key(value: Any) -> str:
    """A mapping key as text: `1:` is "1", `~:` and `null:` are ""."""
    return "" if value is None else str(value)


def mapping_key(event: yaml.ScalarEvent) -> str:
    """The key a scalar event stands for, exactly as the loader files it (the sourcemap agrees)."""
    return key(scalar(event))

