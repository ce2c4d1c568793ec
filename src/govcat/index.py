"""The workspace index: built once over every catalog of a run, so cross-catalog rules (unique
codes and names, related codes, 一数多源) are lookups instead of pairwise loops."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations
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

    Two sets with Jaccard ≥ 0.9 differ in d ≤ |A∩B| / 9 elements, so each turns into their common
    part by deleting at most ⌊|S| / 9⌋ of its own elements: matching sets share a "deletion key"
    (deletion neighbourhoods, as in FastSS). For the sizes catalogs have (≤ 26 items: at most two
    deletions, ≤ 352 keys, usually 16) that is a few dictionary lookups per resource, whatever the
    number of departments. Larger sets, rare, are matched by prefix filtering (Chaudhuri et al.,
    2006): with tokens ordered rarest first, they must share one of their first |S| - ⌈0.9·|S|⌉ + 1.
    Every candidate is verified exactly; no pair of resources is ever compared blindly.
    """
    by_name: dict[str, Ref] = {}
    for ref, _, _ in refs:
        if not ref.name or not ref.provider:
            continue
        first = by_name.setdefault(normalise_name(ref.name), ref)
        if first.provider != ref.provider:
            index.cross_duplicates.setdefault((id(ref.doc), ref.pointer), (first, "name"))

    buckets: dict[tuple[str | None, frozenset[str]], list[int]] = {}
    large = [i for i, (ref, _, elements) in enumerate(refs) if len(elements) > KEY_LIMIT - 4 and ref.provider]
    frequency = Counter(e for i in large for e in refs[i][2])
    prefixes: dict[tuple[str | None, str], list[int]] = defaultdict(list)
    for position, (ref, item, elements) in enumerate(refs):
        if len(elements) < MIN_ELEMENTS or not ref.provider:
            continue
        keys = [(item, k) for k in _deletion_keys(elements)] if len(elements) <= KEY_LIMIT else []
        candidates: list[int] = [other for key in keys for other in buckets.get(key, ())]
        if len(elements) > KEY_LIMIT - 4:  # may match a set too large for deletion keys
            ordered = sorted(elements, key=lambda e: (frequency[e], e))
            tokens = [(item, t) for t in ordered[: len(ordered) - math.ceil(JACCARD * len(ordered)) + 1]]
            candidates += [other for token in tokens for other in prefixes[token]]
            for token in tokens:
                prefixes[token].append(position)
        for other in candidates:
            other_ref, _, other_elements = refs[other]
            if other_ref.provider != ref.provider and _jaccard(elements, other_elements) >= JACCARD:
                index.cross_duplicates.setdefault((id(ref.doc), ref.pointer), (other_ref, "elements"))
                break
        for deletion_key in keys:
            bucket = buckets.setdefault(deletion_key, [])
            # One resource per provider and a few providers suffice: a later resource needs only one
            # earlier resource of another provider to be reported.
            if len(bucket) < BUCKET_SIZE and all(refs[b][0].provider != ref.provider for b in bucket):
                bucket.append(position)


KEY_LIMIT = 26  # the largest set matched by deletion keys (⌊26 / 9⌋ = 2 deletions)
BUCKET_SIZE = 3


def _deletion_keys(elements: frozenset[str]) -> list[frozenset[str]]:
    ordered = sorted(elements)
    keys = [elements]
    for k in range(1, len(ordered) // 9 + 1):
        keys += [elements.difference(drop) for drop in combinations(ordered, k)]
    return keys


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0
