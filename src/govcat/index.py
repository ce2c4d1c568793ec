"""The workspace index: built once over every catalog of a run, so cross-catalog rules (unique
codes and names, related codes, 一数多源) are lookups instead of pairwise loops."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from hashlib import blake2b
from itertools import combinations

from govcat.access import items_of, obj, provider_code, resources, text
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
    cross_duplicates: dict[tuple[int, str], tuple[Ref, str]] = field(default_factory=dict)

    def first_of(self, refs: list[Ref], doc: Document, pointer: str) -> Ref | None:
        """The first occurrence, when (doc, pointer) is not it."""
        first = refs[0]
        return None if (first.doc is doc and first.pointer == pointer) else first


def build(docs: list[Document]) -> Index:
    """The index over every catalog of a run; whole documents and summaries (summary.py) alike."""
    index = Index()
    refs: list[_Candidate] = []
    for doc in docs:
        if doc.role != "catalog":
            continue
        provider = provider_code(doc)
        for pointer, res in resources(doc):
            code, name = text(res.get("code")), text(res.get("name"))
            ref = Ref(doc, pointer, code, name, provider)
            if code:
                index.codes[code].append(ref)
            normalised = normalise_name(name) if name else None
            if normalised is not None:
                index.names[(provider or "", normalised)].append(ref)
            elements = frozenset(e for item in items_of(res.get("items"))
                                 if isinstance(item, dict) and isinstance(e := item.get("element"), str))
            refs.append(_Candidate(ref, normalised, text(obj(res.get("classification")).get("item")), elements,
                                   text(res.get("published_on")) or "9999-12-31"))
    # 一数多源 is reported on the later-published resource, whatever order the files were given in.
    refs.sort(key=lambda c: (c.published_on, c.ref.provider or "", c.ref.code or "", c.ref.doc.display,
                             c.ref.pointer))
    _cross_department(index, refs)
    return index


@dataclass(frozen=True, slots=True)
class _Candidate:
    ref: Ref
    name: str | None  # normalised
    item: str | None  # the 项
    elements: frozenset[str]
    published_on: str


def _cross_department(index: Index, refs: list[_Candidate]) -> None:
    """一数多源 candidates: equal normalised names, or the same 项 with element sets of Jaccard ≥ 0.9.

    Two sets with Jaccard ≥ 0.9 differ in d ≤ |A∩B| / 9 elements, so each turns into their common
    part by deleting at most ⌊|S| / 9⌋ of its own elements: matching sets share a "deletion key"
    (deletion neighbourhoods, as in FastSS). A key is the sum of its elements' 64-bit fingerprints,
    so the keys of a set are its sum minus one or two fingerprints: integer arithmetic instead of
    building a set per key. For the sizes catalogs have (≤ 26 items: at most two deletions, ≤ 352
    keys, usually 16) that is a few dictionary lookups per resource, whatever the number of
    departments. Larger sets, rare, are matched by prefix filtering (Chaudhuri et al., 2006): with
    tokens ordered rarest first, they must share one of their first |S| - ⌈0.9·|S|⌉ + 1.
    Every candidate, and so every fingerprint collision, is verified exactly; no pair of resources
    is ever compared blindly.
    """
    by_name: dict[str, Ref] = {}
    for candidate in refs:
        ref = candidate.ref
        if candidate.name is None or not ref.provider:
            continue
        first = by_name.setdefault(candidate.name, ref)
        if first.provider != ref.provider:
            index.cross_duplicates.setdefault((id(ref.doc), ref.pointer), (first, "name"))

    fingerprints = _Fingerprints()
    # (项, key) -> {provider: position}: one resource per provider and a few providers suffice, since
    # a later resource needs only one earlier resource of another provider to be reported.
    buckets: dict[tuple[str | None, int], dict[str, int]] = {}
    large = [c for c in refs if len(c.elements) > KEY_LIMIT - 4 and c.ref.provider]
    frequency = Counter(e for c in large for e in c.elements)
    prefixes: dict[tuple[str | None, str], list[int]] = defaultdict(list)
    for position, candidate in enumerate(refs):
        elements, provider = candidate.elements, candidate.ref.provider
        if len(elements) < MIN_ELEMENTS or not provider:
            continue
        keys = [(candidate.item, k) for k in _deletion_keys(fingerprints.of(elements))] \
            if len(elements) <= KEY_LIMIT else []
        others: list[int] = [other for key in keys for p, other in buckets.get(key, {}).items() if p != provider]
        if len(elements) > KEY_LIMIT - 4:  # may match a set too large for deletion keys
            ordered = sorted(elements, key=lambda e: (frequency[e], e))
            tokens = [(candidate.item, t) for t in ordered[: len(ordered) - math.ceil(JACCARD * len(ordered)) + 1]]
            others += [other for token in tokens for other in prefixes[token]]
            for token in tokens:
                prefixes[token].append(position)
        for other in others:
            found = refs[other]
            if found.ref.provider != provider and _jaccard(elements, found.elements) >= JACCARD:
                ref = candidate.ref
                index.cross_duplicates.setdefault((id(ref.doc), ref.pointer), (found.ref, "elements"))
                break
        for key in keys:
            bucket = buckets.setdefault(key, {})
            if len(bucket) < BUCKET_SIZE:
                bucket.setdefault(provider, position)


KEY_LIMIT = 26  # the largest set matched by deletion keys (⌊26 / 9⌋ = 2 deletions)
BUCKET_SIZE = 3


class _Fingerprints:
    """A stable 64-bit number per data element (blake2b, not hash(): str hashes change per process)."""

    def __init__(self) -> None:
        self._known: dict[str, int] = {}

    def of(self, elements: frozenset[str]) -> list[int]:
        known = self._known
        return [known[e] if e in known else self._add(e) for e in sorted(elements)]

    def _add(self, element: str) -> int:
        value = self._known[element] = int.from_bytes(blake2b(element.encode(), digest_size=8).digest(), "big")
        return value


def _deletion_keys(values: list[int]) -> list[int]:
    """The sums of the set with up to ⌊|S| / 9⌋ of its fingerprints left out."""
    total = sum(values)
    keys = [total]
    for k in range(1, len(values) // 9 + 1):
        keys += [total - sum(drop) for drop in combinations(values, k)]
    return keys


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0
