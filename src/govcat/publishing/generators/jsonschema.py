"""JSON Schema (draft 2020-12) for catalog files and the department registry, from LinkML.

Wraps ``gen-json-schema`` (closed classes, no nulls, Chinese titles) and post-processes what it
cannot express: string lengths (LinkML has no length facet, so they live in ``min_length`` /
``max_length`` annotations), non-empty required strings, the 2020-12 dialect, readable UTF-8 and
sorted keys so the output is byte-identical across runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from govcat.publishing.generators import header
from govcat.publishing.generators import notes as annotations_of

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS = {
    "generated/catalog.schema.json": ("schema/catalog.yaml", "Catalog"),
    "generated/registry.schema.json": ("schema/registry.yaml", "Registry"),
}
# The top class is inlined at the schema's root as well as in $defs; both get the same treatment.
SCHEMA_TOPS = {source.rsplit("/", 1)[1]: top for source, top in SCHEMAS.values()}


def _post_process(schema: dict[str, Any], source: Path) -> dict[str, Any]:
    from govcat.publishing.generators import schema_view

    view = schema_view(source)
    schema.pop("metamodel_version", None)
    schema["$schema"] = DIALECT
    schema["$comment"] = header("json-schema")
    top = SCHEMA_TOPS.get(source.name)
    definitions = [*schema.get("$defs", {}).items(), *([(top, schema)] if top else [])]
    for class_name, definition in definitions:
        if not definition.get("description"):
            definition.pop("description", None)
        if class_name not in view.all_classes():
            continue
        required = set(definition.get("required", []))
        for slot in view.class_induced_slots(class_name):
            prop = definition.get("properties", {}).get(slot.name)
            if prop is None:
                continue
            notes = annotations_of(slot)
            if "min_length" in notes:
                prop["minLength"] = int(notes["min_length"])
            elif slot.name in required and prop.get("type") == "string":
                prop["minLength"] = 1
            if "max_length" in notes:
                prop["maxLength"] = int(notes["max_length"])
    return schema


def generate(root: Path) -> dict[str, str]:
    from linkml.generators.jsonschemagen import JsonSchemaGenerator

    out = {}
    for rel, (source, top) in SCHEMAS.items():
        generator = JsonSchemaGenerator(str(root / source), top_class=top, include_null=False,
                                        title_from="title", mergeimports=True)
        schema = _post_process(json.loads(generator.serialize()), root / source)
        out[rel] = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return out
