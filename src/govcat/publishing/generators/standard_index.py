"""``generated/standard.json``: the standard as compact data for the validator's run time.

The validator must start fast and never import LinkML, so everything the rules need from the
schema — field titles and obligations, the frequency table and policy, the classification and
format tables, the data elements with their parsed 表示格式 — is resolved here once, at
generation time, through LinkML's SchemaView.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from govcat.publishing.generators import header, model
from govcat.publishing.generators import notes as _notes

_FORMAT = re.compile(r"^(?P<chars>an|a|n|c|ul)?(?P<min>\d+)?(?:\.\.(?P<max>\d+))?(?:,(?P<scale>\d+))?")


def parse_format(fmt: str) -> dict[str, Any]:
    """GB/T 39046 §5.3 表示格式: `an18` fixed 18, `c..50` up to 50, `n..18,4` up to 18 with 4 decimals."""
    m = _FORMAT.match(fmt or "")
    out: dict[str, Any] = {"chars": None, "fixed_length": None, "max_length": None, "scale": None}
    if not m:
        return out
    out["chars"] = m["chars"]
    if m["max"]:
        out["max_length"] = int(m["max"])
    elif m["min"]:
        out["fixed_length"] = int(m["min"])
    if m["scale"]:
        out["scale"] = int(m["scale"])
    return out


def _classes(view: Any) -> dict[str, Any]:
    classes = {}
    enums = set(view.all_enums())
    for name in sorted(view.all_classes()):  # every class: a version may add, rename or remove one
        cls = view.get_class(name)
        fields = {}
        for slot in view.class_induced_slots(name):
            notes = _notes(slot)
            replaced = slot.deprecated_element_has_exact_replacement or notes.get("replaced_by")
            fields[slot.name] = {
                "title": slot.title,
                "obligation": notes.get("obligation", "O"),
                "range": slot.range if slot.range in view.all_classes() else None,
                "multivalued": bool(slot.multivalued),
                "enum": slot.range if slot.range in enums else None,
                # Deprecated fields (GC110) and what replaces them (`govcat migrate` renames them).
                "deprecated": str(slot.deprecated) if slot.deprecated else None,
                "replaced_by": str(replaced) if replaced else None,
            }
        # `order` keeps the standard's field order, which sorted JSON keys lose (YAML output uses it).
        classes[name] = {"title": cls.title, "fields": fields, "order": list(fields)}
    return classes


def _enum_values(view: Any, name: str) -> dict[str, dict[str, Any]]:
    enum = view.get_enum(name)
    return {pv_name: {"title": pv.title, "aliases": list(pv.aliases or []), **_notes(pv)}
            for pv_name, pv in enum.permissible_values.items()}


def _frequencies(view: Any) -> dict[str, Any]:
    out = {}
    for value, pv in _enum_values(view, "UpdateFrequency").items():
        out[value] = {
            "code": pv["code"], "rank": int(pv["rank"]), "aliases": pv["aliases"],
            "max_interval_days": int(pv["max_interval_days"]) if "max_interval_days" in pv else None,
            "eu_frequency": pv.get("eu_frequency"), "dcmi": pv.get("dcmi"), "iso8601": pv.get("iso8601"),
        }
    return out


def _deprecated_values(view: Any) -> dict[str, dict[str, str | None]]:
    """Enum -> deprecated value -> the value replacing it (None: no replacement), for GC111."""
    out: dict[str, dict[str, str | None]] = {}
    for name, enum in view.all_enums().items():
        for value, pv in (enum.permissible_values or {}).items():
            if pv.deprecated:
                replaced = pv.deprecated_element_has_exact_replacement or _notes(pv).get("replaced_by")
                out.setdefault(name, {})[str(value)] = str(replaced) if replaced else None
    return out


def _elements(view: Any) -> dict[str, Any]:
    elements = {}
    slot_ids = {}
    for slot in view.all_slots().values():
        notes = _notes(slot)
        if "identifier" in notes:
            slot_ids[slot.name] = notes["identifier"]
    for slot in view.all_slots().values():
        notes = _notes(slot)
        if "identifier" not in notes:
            continue
        replacement = slot.deprecated_element_has_exact_replacement
        elements[notes["identifier"]] = {
            "slot": slot.name,
            "title": slot.title,
            "aliases": sorted(slot.aliases or []),
            "description": slot.description,
            "range": slot.range,
            "pattern": slot.pattern,
            "data_type": notes.get("data_type"),
            "format": notes.get("format"),
            **parse_format(notes.get("format", "")),
            "category": notes.get("category"),
            # The remaining GB/T 19488.1 attributes, for the database and the docs (not the rules).
            **{key: notes.get(key) for key in ("short_name", "object_class", "property", "representation_term",
                                               "value_domain", "unit", "source", "version")},
            "sensitivity": notes.get("sensitivity", "一般"),
            "steward": notes.get("steward"),
            "checksum": notes.get("checksum"),
            "status": notes.get("status", "标准"),
            "replaced_by": slot_ids.get(str(replacement)) if replacement else None,
        }
    return dict(sorted(elements.items()))


def build(root: Path) -> dict[str, Any]:
    from govcat.publishing.generators import schema_view

    view = schema_view(root / "schema" / "govcat.yaml")
    frequency_enum = view.get_enum("UpdateFrequency")
    elements = _elements(view)
    classes = _enum_values(view, "ResourceClass")
    items = _enum_values(view, "ResourceItem")
    return {
        "_generated": header("standard"),
        "version": str(view.schema.version),
        "supported_versions": model.versions(view),
        "rules": {code: {"severity": rule["severity"], "enforce_from": rule["enforce_from"],
                         "summary": rule["description"], "summary_en": rule["en"]}
                  for code, rule in model.rules(view).items()},
        "deprecated_values": _deprecated_values(view),
        "classes": _classes(view),
        "frequencies": _frequencies(view),
        "grace_days": int(frequency_enum.annotations["grace_days"].value),
        "resource_classes": {k: {"code": v["code"], "min_frequency": v.get("min_frequency")}
                             for k, v in classes.items()},
        "resource_items": {k: {"class": v["class"], "code": v["code"], "min_frequency": v.get("min_frequency")}
                           for k, v in items.items()},
        "formats": {k: v["types"].split("|") for k, v in _enum_values(view, "FormatCategory").items()},
        "data_types": {k: v["title"] for k, v in _enum_values(view, "DataType").items()},
        "elements": elements,
        # The code sets data elements take their values from (by enum name), for `govcat data check`.
        "code_sets": {name: sorted(view.get_enum(name).permissible_values)
                      for name in sorted({e["range"] for e in elements.values()}) if name in view.all_enums()},
        # GB/T 2260 codes, for the registry's `division` (the catalog schema stays free of 3 000 values).
        "divisions": sorted(view.get_enum("AdministrativeDivisionCode").permissible_values),
    }


def generate(root: Path) -> dict[str, str]:
    text = json.dumps(build(root), ensure_ascii=False, indent=1, sort_keys=True)
    return {"generated/standard.json": text + "\n"}
