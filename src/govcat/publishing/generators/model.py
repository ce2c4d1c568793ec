"""``generated/model.json``: the whole standard as plain data, the input of `govcat diff`.

Every release keeps one (``releases/<version>/model.json``), so two versions of the standard are
compared without LinkML and without the schema files of the older one. It is a faithful projection
of the LinkML model: each class with every attribute and its constraints, each vocabulary (enum)
and code set with every value, each data element with every GB/T 19488.1 attribute, the frequency
policy, the supported versions and the rule table. Deprecation is kept where LinkML keeps it
(`deprecated`, `deprecated_element_has_exact_replacement`) plus the annotations `deprecated_in`,
`replaced_by` and `renamed_from`, so the diff can tell a rename or a replacement from a removal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from govcat.publishing.generators import header, notes

CODE_SETS = "/code_sets/"  # enums defined in schema/code_sets/ are code sets; the others are vocabularies
_OMIT_ENUMS = ("StandardVersion", "ValidationRule")  # the lifecycle tables, exported on their own


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _number(value: Any) -> int | float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else number


def _deprecation(element: Any, extra: dict[str, str]) -> dict[str, Any]:
    replaced = element.deprecated_element_has_exact_replacement or extra.get("replaced_by")
    deprecated = _text(element.deprecated) or ("废止" if extra.get("status") == "废止" else None)
    return {"deprecated": deprecated, "deprecated_in": extra.get("deprecated_in"), "replaced_by": _text(replaced),
            "renamed_from": extra.get("renamed_from")}


def _attribute(view: Any, slot: Any, enums: set[str], classes: set[str]) -> dict[str, Any]:
    extra = notes(slot)
    rng = slot.range
    return {
        "title": _text(slot.title), "description": _text(slot.description),
        "range": rng, "kind": "class" if rng in classes else "enum" if rng in enums else "type",
        "required": bool(slot.required), "recommended": bool(slot.recommended),
        "obligation": extra.get("obligation", "O"), "multivalued": bool(slot.multivalued),
        "pattern": _text(slot.pattern), "minimum_value": _number(slot.minimum_value),
        "maximum_value": _number(slot.maximum_value), "min_length": _number(extra.get("min_length")),
        "max_length": _number(extra.get("max_length")),
        "minimum_cardinality": _number(slot.minimum_cardinality),
        "aliases": sorted(str(a) for a in slot.aliases or []),
        "examples": sorted(str(getattr(e, "value", e)) for e in slot.examples or []),
        "comments": [str(c) for c in slot.comments or []],
        **_deprecation(slot, extra),
    }


def _classes(view: Any) -> dict[str, Any]:
    classes = set(view.all_classes())
    enums = set(view.all_enums())
    out = {}
    for name in sorted(classes):
        cls = view.get_class(name)
        out[name] = {"title": _text(cls.title), "description": _text(cls.description),
                     **_deprecation(cls, notes(cls)),
                     "attributes": {slot.name: _attribute(view, slot, enums, classes)
                                    for slot in view.class_induced_slots(name)}}
    return out


def _values(enum: Any) -> dict[str, Any]:
    values = {}
    for name, pv in (enum.permissible_values or {}).items():
        extra = notes(pv)
        values[str(name)] = {
            "title": _text(pv.title), "description": _text(pv.description), "meaning": _text(pv.meaning),
            "aliases": sorted(str(a) for a in pv.aliases or []),
            "annotations": {k: v for k, v in sorted(extra.items())
                            if k not in ("deprecated_in", "replaced_by", "renamed_from")},
            **_deprecation(pv, extra),
        }
    return values


def _enums(view: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    vocabularies: dict[str, Any] = {}
    code_sets: dict[str, Any] = {}
    for name, enum in sorted(view.all_enums().items()):
        if name in _OMIT_ENUMS:
            continue
        entry = {"title": _text(enum.title), "description": _text(enum.description),
                 "annotations": dict(sorted(notes(enum).items())), "values": _values(enum)}
        (code_sets if CODE_SETS in str(enum.from_schema or "") else vocabularies)[name] = entry
    return vocabularies, code_sets


def _elements(view: Any) -> dict[str, Any]:
    by_slot = {slot.name: notes(slot).get("identifier") for slot in view.all_slots().values()}
    out = {}
    for slot in view.all_slots().values():
        extra = notes(slot)
        identifier = extra.get("identifier")
        if not identifier:
            continue
        replaced = slot.deprecated_element_has_exact_replacement
        out[identifier] = {
            "slot": slot.name, "title": _text(slot.title), "description": _text(slot.description),
            "aliases": sorted(str(a) for a in slot.aliases or []), "range": slot.range,
            "pattern": _text(slot.pattern), "minimum_value": _number(slot.minimum_value),
            "maximum_value": _number(slot.maximum_value),
            **{key: extra.get(key) for key in ("short_name", "object_class", "property", "representation_term",
                                               "data_type", "format", "value_domain", "unit", "category",
                                               "sensitivity", "steward", "checksum", "source", "version",
                                               "status", "deprecated_in")},
            "replaced_by": by_slot.get(str(replaced)) if replaced else extra.get("replaced_by"),
        }
    return dict(sorted(out.items()))


def _policy(view: Any) -> dict[str, Any]:
    def minimum(enum: str) -> dict[str, str]:
        values = view.get_enum(enum).permissible_values
        return {str(k): notes(pv)["min_frequency"] for k, pv in values.items() if "min_frequency" in notes(pv)}

    frequencies = view.get_enum("UpdateFrequency")
    return {
        "min_frequency": {**minimum("ResourceClass"), **minimum("ResourceItem")},
        "grace_days": int(notes(frequencies)["grace_days"]),
        "rank": {str(k): int(notes(pv)["rank"]) for k, pv in frequencies.permissible_values.items()},
        "max_interval_days": {str(k): int(notes(pv)["max_interval_days"])
                              for k, pv in frequencies.permissible_values.items()
                              if "max_interval_days" in notes(pv)},
    }


def versions(view: Any) -> list[dict[str, Any]]:
    """The supported versions and their sunsets, from the StandardVersion table."""
    enum = view.get_enum("StandardVersion")
    table = enum.permissible_values if enum is not None else {}
    return [{"version": str(k), "sunset": notes(pv).get("sunset"), "released_on": notes(pv).get("released_on")}
            for k, pv in table.items()]


def rules(view: Any) -> dict[str, Any]:
    """Rule code -> name, default severity and enforce_from, from the ValidationRule table."""
    enum = view.get_enum("ValidationRule")
    table = enum.permissible_values if enum is not None else {}
    return {str(code): {"name": _text(pv.title), "severity": notes(pv).get("severity", "error"),
                        "enforce_from": notes(pv).get("enforce_from"), "description": _text(pv.description),
                        "en": notes(pv).get("en")}
            for code, pv in sorted(table.items())}


def build(view: Any) -> dict[str, Any]:
    vocabularies, code_sets = _enums(view)
    return {
        "_generated": header("model"),
        "version": str(view.schema.version), "title": _text(view.schema.title),
        "description": _text(view.schema.description),
        "supported_versions": versions(view), "classes": _classes(view), "enums": vocabularies,
        "code_sets": code_sets, "elements": _elements(view), "frequency_policy": _policy(view), "rules": rules(view),
    }


def generate(root: Path) -> dict[str, str]:
    from govcat.publishing.generators import schema_view

    text = json.dumps(build(schema_view(root / "schema" / "govcat.yaml")), ensure_ascii=False, indent=1,
                      sort_keys=True)
    return {"generated/model.json": text + "\n"}
