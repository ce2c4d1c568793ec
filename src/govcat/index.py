"""The workspace index: built once over every catalog of a run, so cross-catalog rules (unique
codes and names, related codes, 一数多源) are lookups instead of pairwise loops."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcat.access import items, obj, provider_code, resources, text
from govcat.loader import Document
from govcat.standard import normalise_name

JACCARD = 0.9
MIN_ELEMENTS = 5


@dataclass(frozen=True)
class Ref:
    """Where a resource lives: its document and pointer, and what identifies it."""

    doc: Document
    pointer: str
    code: str | None
    name: str | None
    provider: str | None


@dataclass
class Index:
    codes: dict[str, list[Ref]] = field(default_factory=lambda: defaultdict(list))
    names: dict[tuple[str, str], list[Ref]] = field(default_factory=lambda: defaultdict(list))
    registry: dict[str, dict[str, Any]] | None = None  # None: no usable registry
    registry_dir: Path | None = None
    cross_duplicates: dict[tuple[int, str], tuple[Ref, str]] = field(default_factory=dict)

    def first_of(self, refs: list[Ref], doc: Document, pointer: str) -> Ref | None:
        """The first occurrence, when (doc, pointer) is not it."""
        first = refs[0]
        return None if (first.doc is doc and first.pointer == pointer) else first


def build(docs: list[Document], registry: dict[str, dict[str, Any]] | None,
          registry_dir: Path | None) -> Index:
    index = Index(registry=registry, registry_dir=registry_dir)
    refs: list[tuple[Ref, str | None, frozenset[str], str]] = []
    for doc in docs:
        if doc.role != "catalog":
            continue
        provider = provider_code(doc)
        for pointer, res in resources(doc):
            code, name = text(res.get("code")), text(res.get("name"))
            ref = Ref(doc, pointer, code, name, provider)
            if code:
                index.codes[code].append(ref)
            if name:
                index.names[(provider or "", normalise_name(name))].append(ref)
            elements = frozenset(e for _, item in items(res, pointer)
                                 if isinstance(e := item.get("element"), str))
            refs.append((ref, text(obj(res.get("classification")).get("item")), elements,
                         text(res.get("published_on")) or "9999-12-31"))
    # 一数多源 is reported on the later-published resource, whatever order the files were given in.
    refs.sort(key=lambda r: (r[3], r[0].provider or "", r[0].code or "", r[0].doc.display, r[0].pointer))
    _cross_department(index, [(ref, item, elements) for ref, item, elements, _ in refs])
    return index


def _cross_department(index: Index, refs: list[tuple[Ref, str | None, frozenset[str]]]) -> None:
    """一数多源 candidates: equal normalised names, or the same 项 with element sets of Jaccard ≥ 0.9.

    Element sets are matched by prefix filtering (Chaudhuri et al., 2006): with tokens ordered rarest
    first, two sets with Jaccard ≥ t must share a token within their first |s| - ⌈t·|s|⌉ + 1 tokens,
    so only records sharing a prefix token are compared — linear in practice, never all pairs.
    """
    by_name: dict[str, Ref] = {}
    for ref, _, _ in refs:
        if not ref.name or not ref.provider:
            continue
        key = normalise_name(ref.name)
        first = by_name.setdefault(key, ref)
        if first.provider != ref.provider:
            index.cross_duplicates.setdefault((id(ref.doc), ref.pointer), (first, "name"))

    frequency = Counter(e for _, _, elements in refs for e in elements)
    prefix_index: dict[tuple[str | None, str], list[int]] = defaultdict(list)
    for position, (ref, item, elements) in enumerate(refs):
        if len(elements) < MIN_ELEMENTS or not ref.provider:
            continue
        ordered = sorted(elements, key=lambda e: (frequency[e], e))
        prefix = ordered[: len(ordered) - math.ceil(JACCARD * len(ordered)) + 1]
        seen: set[int] = set()
        for token in prefix:
            for other in prefix_index[(item, token)]:
                if other in seen:
                    continue
                seen.add(other)
                other_ref, _, other_elements = refs[other]
                if other_ref.provider == ref.provider:
                    continue
                union = len(elements | other_elements)
                if union and len(elements & other_elements) / union >= JACCARD:
                    index.cross_duplicates.setdefault((id(ref.doc), ref.pointer), (other_ref, "elements"))
                    break
            prefix_index[(item, token)].append(position)
