"""Generators: pure functions from the schema to ``{relative path: text}``, run by one writer.

Each target imports LinkML lazily: generation is an authoring task (``pip install govcat[schema]``);
the validator only reads what these wrote into ``generated/``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

Generator = Callable[[Path], dict[str, str]]


def schema_view(source: Path) -> Any:
    """LinkML's SchemaView of a schema file, shared by the generators of a run: reading govcat.yaml
    with its imports takes seconds, and a view caches what it derives (induced slots) per instance."""
    stat = source.stat()
    return _view(source.resolve(), stat.st_mtime_ns, stat.st_size)


@functools.cache
def _view(source: Path, mtime_ns: int, size: int) -> Any:  # keyed by the file's state: an edit reads it again
    from linkml_runtime import SchemaView

    return SchemaView(str(source))


def _json_schema(root: Path) -> dict[str, str]:
    from govcat.publishing.generators import jsonschema

    return jsonschema.generate(root)


def _standard(root: Path) -> dict[str, str]:
    from govcat.publishing.generators import standard_index

    return standard_index.generate(root)


def _model(root: Path) -> dict[str, str]:
    from govcat.publishing.generators import model

    return model.generate(root)


def _sql(root: Path) -> dict[str, str]:
    from govcat.publishing.generators import sql

    return sql.generate(root)


def _codeowners(root: Path) -> dict[str, str]:
    from govcat.publishing.generators import codeowners

    return codeowners.generate(root)


# The explicit registry of targets, in the order `govcat generate` runs them.
TARGETS: dict[str, Generator] = {
    "json-schema": _json_schema,
    "standard": _standard,
    "model": _model,
    "sql": _sql,
    "codeowners": _codeowners,
}
# Committed, deterministic artifacts that `generate --check` compares: all of the above. The docs
# pages (`govcat generate docs`) are built from the catalogs and the build date (the dashboard), so
# they are made by the jobs layer from a validation run, at build time only.
CHECKED = tuple(TARGETS)


def notes(element: Any) -> dict[str, str]:
    """A LinkML element's annotations as plain strings (SchemaView hands back dicts or JsonObjs)."""
    annotations = element.annotations or {}
    pairs = annotations.items() if isinstance(annotations, dict) else annotations._items()
    return {str(k): str(getattr(v, "value", v)) for k, v in pairs}


def header(target: str) -> str:
    """The first-line notice every generated file carries."""
    return f"本文件由 `govcat generate {target}` 生成，请勿手工编辑。"
