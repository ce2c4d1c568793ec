"""Reading: a file -> Document (plain data + SourceMap), with every problem as data, never an exception.

YAML files go through `yamlread`, workbooks through `workbook`; both give the same Document, so the
rules never know which one they look at.
"""

from __future__ import annotations

from pathlib import Path

from govcat.core.document import Document, Problem, Span
from govcat.core.fields import WORKBOOK_SUFFIXES, YAML_SUFFIXES
from govcat.reading import files
from govcat.reading.sourcemap import YamlSourceMap
from govcat.reading.text import decode
from govcat.reading.yamlread import load_yaml_text
from govcat.standard import Standard

MAX_BYTES = 64 * 1024 * 1024


def load(path: Path, display: str, std: Standard, role: str = "catalog") -> Document:
    """Read one file; ``std`` gives a workbook's column titles."""
    doc = Document(path=path, display=display, role=role)
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        from govcat.reading import workbook  # calamine and openpyxl only when a workbook is validated

        return workbook.load(doc, std)
    if suffix not in YAML_SUFFIXES:
        doc.problems.append(Problem("GC005", "", {"suffix": path.suffix or "（无）"}, Span(1, 1)))
        return doc
    raw = files.read(path, MAX_BYTES, doc.problems)
    if raw is None:
        return doc
    text, problem = decode(raw)
    if problem is not None:
        doc.problems.append(problem)
        return doc
    assert text is not None
    load_yaml_text(text, doc)
    if doc.data is not None:
        doc.sourcemap = YamlSourceMap(text)
    return doc
