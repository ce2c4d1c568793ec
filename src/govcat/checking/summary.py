"""A catalog's summary: what the workspace stage reads, so that the full document can be dropped
(or stay in a worker process) once its file-scope rules have run.

The workspace-scope rules (GC203 codes, GC204 names, GC205 related codes, GC601 一数多源) and the
report's record names read only the fields below; the workspace index reads the index entries,
made here from the whole document (index.entries). A summary keeps the document's shape and every
list position, so pointers and rules are the same on a summary as on the full document; tests run
both and compare. A workspace rule that needs another field adds it here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govcat.checking import index
from govcat.core.access import items_of, memo, obj
from govcat.reading import loader
from govcat.reading.sketch import Sketch
from govcat.reading.sourcemap import YamlSourceMap

RESOURCE_FIELDS = ("code", "name", "related_codes")


def of(doc: loader.Document) -> loader.Document:
    data = obj(doc.data)
    summary: dict[str, Any] = {"provider": {"code": obj(data.get("provider")).get("code")},
                               "resources": [_resource(r) for r in items_of(data.get("resources"))]}
    # Positions are found again from the file, and only for the few findings of the workspace stage.
    smap = YamlSourceMap(path=doc.path) if isinstance(doc.sourcemap, YamlSourceMap) else doc.sourcemap
    short = loader.Document(path=doc.path, display=doc.display, role=doc.role,
                            data=summary if doc.data is not None else None, sourcemap=smap, summary=True)
    entries = index.entries(doc)
    memo(short, "index", lambda: entries)
    return short


def sketched(path: Path, display: str, sketch: Sketch) -> loader.Document:
    """The summary of a file from its sketch (reading/sketch.py): the same data and index entries
    as `of` gives for the whole document, without building it."""
    data = {"provider": {"code": sketch.provider_code},
            "resources": [None if r is None else {k: r.fields[k] for k in RESOURCE_FIELDS if k in r.fields}
                          for r in sketch.resources]}
    short = loader.Document(path=path, display=display, role="catalog", data=data,
                            sourcemap=YamlSourceMap(path=path), summary=True)
    entries = [index.make_entry(f"/resources/{i}", r.fields.get("code"), r.fields.get("name"), r.item, r.elements,
                                r.published_on) for i, r in enumerate(sketch.resources) if r is not None]
    memo(short, "index", lambda: entries)
    return short


def _resource(res: Any) -> dict[str, Any] | None:
    if not isinstance(res, dict):
        return None  # keeps the positions of the resources after it
    return {key: res[key] for key in RESOURCE_FIELDS if key in res}
