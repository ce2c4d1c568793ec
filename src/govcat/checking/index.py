"""The workspace index: built once over every catalog of a run, so cross-catalog rules (unique
codes and names, related codes, 一数多源) are lookups instead of pairwise loops."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from hashlib import blake2b
from itertools import combinations
from typing import Any, NamedTuple

from govcat.core.access import items_of, memo, obj, provider_code, resources, text
from govcat.core.document import Document
from govcat.reading.sketch import Wanted
from govcat.standard import normalise_name

JACCARD = 0.9
MIN_ELEMENTS = 5


class Ref(NamedTuple):  # a tuple: tens of thousands are made per run, and tuples are made fastest
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


def build(docs: list[Document], focus: list[Document] | None = None) -> Index:
    """The index over every catalog of a run; whole documents and summaries (summary.py) alike.
    ``focus``: the documents whose findings the run reports (the rest is context, issue 15); 一数多源
    is then worked out for them only, from the entries that could match them."""
    index = Index()
    refs: list[tuple[Entry, Ref]] = []
    for doc in docs:
        if doc.role != "catalog":
            continue
        provider = provider_code(doc)
        refs.extend((entry, Ref(doc, entry.pointer, entry.code, entry.name, provider)) for entry in entries(doc))
    # The first occurrence of a code or a name is the earliest published one, and 一数多源 is reported
    # on the later-published resource, whatever order the files were given or read in: a department
    # that copies a code, validating only its own folder, gets the finding on its own copy.
    refs.sort(key=_published_first)
    for entry, ref in refs:
        if entry.code:
            index.codes[entry.code].append(ref)
        if entry.normalised is not None:
            index.names[(ref.provider or "", entry.normalised)].append(ref)
    _cross_department(index, refs if focus is None else _relevant(refs, focus))
    return index


def wanted(docs: list[Document]) -> Wanted:
    """What of the rest of the workspace can matter to ``docs`` (the files a run reports): the
    resources that `build` and `_relevant` would keep for them — the same codes (theirs and those
    they relate to), the same names, a shared deletion key, or a set too large for keys."""
    mine = [(doc, entry) for doc in docs if doc.role == "catalog" for entry in entries(doc)]
    related = {code for doc in docs if doc.role == "catalog" for _, res in resources(doc)
               for code in items_of(res.get("related_codes")) if isinstance(code, str)}
    return Wanted(
        codes=frozenset({entry.code for _, entry in mine if entry.code} | related),
        names=frozenset(entry.normalised for _, entry in mine if entry.normalised is not None),
        keys=frozenset(key for _, entry in mine for key in entry.keys),
        items=frozenset(entry.item for _, entry in mine if entry.keys),
        sets=tuple((entry.elements, len(entry.elements) - len(entry.elements) // 9) for _, entry in mine if entry.keys),
        large=KEY_LIMIT - 4, normalise=normalise_name,
        keys_of=lambda item, elements: _deletion_keys(text(item), elements)
        if MIN_ELEMENTS <= len(elements) <= KEY_LIMIT else ())


def _relevant(refs: list[tuple[Entry, Ref]], focus: list[Document]) -> list[tuple[Entry, Ref]]:
    """The entries that can decide a focus resource's 一数多源, in the same order: the focus's own,
    those of the same normalised name, those sharing a deletion key, and every large set (their
    prefix order depends on all of them). `_cross_department` over these gives each focus resource
    exactly the result it has over all entries: a resource is only ever compared with entries that
    share its name or one of its keys, and each key's list of holders is kept whole."""
    chosen = {id(doc) for doc in focus}
    mine = [entry for entry, ref in refs if id(ref.doc) in chosen]
    keys = {key for entry in mine for key in entry.keys}
    names = {entry.normalised for entry in mine if entry.normalised is not None}
    return [(entry, ref) for entry, ref in refs
            if id(ref.doc) in chosen or entry.normalised in names or len(entry.elements) > KEY_LIMIT - 4
            or not keys.isdisjoint(entry.keys)]


def _published_first(row: tuple[Entry, Ref]) -> tuple[str, str, str, str, int]:
    entry, ref = row
    return (entry.published_on, ref.provider or "", ref.code or "", ref.doc.display, int(entry.pointer.rsplit("/", 1)[1]))


class Entry(NamedTuple):
    """What the index needs of one resource. It depends on the resource alone, so it is made where
    the file is read (in a worker, for a large workspace) and travels with the summary (a tuple
    pickles small and fast)."""

    pointer: str
    code: str | None
    name: str | None
    normalised: str | None  # the name without spaces and punctuation
    item: str | None  # the 项
    elements: frozenset[str]
    keys: tuple[int, ...]  # deletion keys (see _cross_department); none below MIN_ELEMENTS or above KEY_LIMIT
    published_on: str


def entries(doc: Document) -> list[Entry]:
    return memo(doc, "index", lambda: [_entry(pointer, res) for pointer, res in resources(doc)])


def _entry(pointer: str, res: dict[str, Any]) -> Entry:
    elements = frozenset(e for i in items_of(res.get("items")) if isinstance(i, dict) and isinstance(e := i.get("element"), str))
    return make_entry(pointer, res.get("code"), res.get("name"), obj(res.get("classification")).get("item"), elements,
                      res.get("published_on"))


def make_entry(pointer: str, code: Any, name: Any, item: Any, elements: frozenset[str], published_on: Any) -> Entry:
    """The entry of a resource from the values it holds (as read: any type)."""
    name, item = text(name), text(item)
    keys = _deletion_keys(item, elements) if MIN_ELEMENTS <= len(elements) <= KEY_LIMIT else ()
    return Entry(pointer, text(code), name, normalise_name(name) if name else None, item, elements, keys,
                 text(published_on) or "9999-12-31")


def _cross_department(index: Index, refs: list[tuple[Entry, Ref]]) -> None:
    """一数多源 candidates: equal normalised names, or the same 项 with element sets of Jaccard ≥ 0.9.

    Two sets with Jaccard ≥ 0.9 differ in d ≤ |A∩B| / 9 elements, so each turns into their common
    part by deleting at most ⌊|S| / 9⌋ of its own elements: matching sets share a "deletion key"
    (deletion neighbourhoods, as in FastSS). A key is a number: the sum of the 项's and the kept
    elements' 64-bit fingerprints, so the keys of a set are its sum minus one or two fingerprints.
    For the sizes catalogs have (≤ 26 items: at most two deletions, ≤ 352 keys, usually 16) that is
    a few dictionary lookups per resource, whatever the number of departments. Larger sets, rare,
    are matched by prefix filtering (Chaudhuri et al., 2006): with tokens ordered rarest first, they
    must share one of their first |S| - ⌈0.9·|S|⌉ + 1. Every candidate, and so every fingerprint
    collision, is verified exactly; no pair of resources is ever compared blindly.
    """
    by_name: dict[str, Ref] = {}
    for entry, ref in refs:
        if entry.normalised is None or not ref.provider:
            continue
        named = by_name.setdefault(entry.normalised, ref)
        if named.provider != ref.provider:
            index.cross_duplicates.setdefault((id(ref.doc), ref.pointer), (named, "name"))

    # key -> the first resource with it, and up to BUCKET_SIZE - 1 later ones of other providers: a
    # few providers suffice, since a later resource needs only one earlier resource of another
    # provider to be reported. Almost every key belongs to one resource, so that case is one int.
    first: dict[int, int] = {}
    later: dict[int, list[int]] = {}
    large = [entry for entry, ref in refs if len(entry.elements) > KEY_LIMIT - 4 and ref.provider]
    frequency = Counter(e for entry in large for e in entry.elements)
    prefixes: dict[tuple[str | None, str], list[int]] = defaultdict(list)
    for position, (entry, ref) in enumerate(refs):
        elements, provider = entry.elements, ref.provider
        if len(elements) < MIN_ELEMENTS or not provider:
            continue
        others = [hit for key in entry.keys if (hit := first.get(key)) is not None]
        if others:
            others += [other for key in entry.keys for other in later.get(key, ())]
        if len(elements) > KEY_LIMIT - 4:  # may match a set too large for deletion keys
            ordered = sorted(elements, key=lambda e: (frequency[e], e))
            tokens = [(entry.item, t) for t in ordered[: len(ordered) - math.ceil(JACCARD * len(ordered)) + 1]]
            others += [other for token in tokens for other in prefixes[token]]
            for token in tokens:
                prefixes[token].append(position)
        for other in others:
            other_entry, other_ref = refs[other]
            if other_ref.provider != provider and other_entry.item == entry.item \
                    and _jaccard(elements, other_entry.elements) >= JACCARD:
                index.cross_duplicates.setdefault((id(ref.doc), ref.pointer), (other_ref, "elements"))
                break
        for key in entry.keys:
            earlier = first.setdefault(key, position)
            if earlier != position:
                kept = later.setdefault(key, [])
                if len(kept) < BUCKET_SIZE - 1 and all(refs[k][1].provider != provider for k in (earlier, *kept)):
                    kept.append(position)


KEY_LIMIT = 26  # the largest set matched by deletion keys (⌊26 / 9⌋ = 2 deletions)
BUCKET_SIZE = 3


@cache
def _fingerprint(value: str) -> int:
    """A stable 64-bit number (blake2b, not hash(): str hashes change from process to process)."""
    return int.from_bytes(blake2b(value.encode(), digest_size=8).digest(), "big")


def _deletion_keys(item: str | None, elements: frozenset[str]) -> tuple[int, ...]:
    """The sums of the 项 and the set with up to ⌊|S| / 9⌋ of the set's fingerprints left out."""
    values = [_fingerprint(e) for e in sorted(elements)]
    total = sum(values) + _fingerprint(item or "")
    keys = [total]
    for k in range(1, len(values) // 9 + 1):
        keys += [total - sum(drop) for drop in combinations(values, k)]
    # Modulo 2**64: a key stays one machine word (and one JSON number in the cache); matching sets
    # still share their keys, and every candidate is verified exactly, so wrap-around costs nothing.
    return tuple(key & _WORD for key in keys)


_WORD = (1 << 64) - 1


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0
