"""The standard at run time: ``generated/standard.json`` loaded into lookups the rules use."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

from govcat.core import paths
from govcat.core.errors import UsageError

_PUNCT = re.compile(r"[\s\u3000\W_]+", re.UNICODE)


@lru_cache(maxsize=1 << 16)  # a province's catalogs repeat a few thousand item names
def normalise_name(name: str) -> str:
    """A name without spaces and punctuation (ASCII and full-width), for uniqueness comparisons."""
    return _PUNCT.sub("", name).casefold()


@dataclass(frozen=True)
class Element:
    id: str
    slot: str
    title: str
    aliases: tuple[str, ...]
    data_type: str | None
    format: str | None
    fixed_length: int | None
    max_length: int | None
    sensitivity: str
    steward: str | None
    status: str
    replaced_by: str | None
    category: str | None

    @property
    def personal(self) -> bool:
        return self.sensitivity in ("个人信息", "敏感个人信息")

    @property
    def retired(self) -> bool:
        return self.status == "废止"


class Standard:
    def __init__(self, raw: dict[str, Any], folder: Path | None = None) -> None:
        self.raw = raw
        self.folder = folder  # where it was generated: the JSON Schemas lie beside the index
        # The workspace's policy applied by `with_policy` (so a release can be given the same).
        self.policy_overrides: dict[str, str] = {}
        self.grace_override: int | None = None
        self.version: str = raw["version"]
        # [{"version", "sunset", "released_on"}]: the versions a catalog may declare, and until when.
        self.supported_versions: list[dict[str, Any]] = raw["supported_versions"]
        # Rule code -> {"severity", "enforce_from"}: the standard decides how its rules are enforced.
        self.rules: dict[str, dict[str, Any]] = raw.get("rules", {})
        # Enum -> deprecated value -> its replacement (None: none declared).
        self.deprecated_values: dict[str, dict[str, str | None]] = raw.get("deprecated_values", {})
        self.classes: dict[str, Any] = raw["classes"]
        self.frequencies: dict[str, Any] = raw["frequencies"]
        self.grace_days: int = raw["grace_days"]
        self.resource_classes: dict[str, Any] = raw["resource_classes"]
        self.resource_items: dict[str, Any] = raw["resource_items"]
        self.formats: dict[str, list[str]] = raw["formats"]
        self.data_types: dict[str, str] = raw["data_types"]
        self.divisions: frozenset[str] = frozenset(raw["divisions"])
        # enum name -> its codes, for the data elements whose range is a code set (`govcat data check`)
        self.code_sets: dict[str, list[str]] = raw.get("code_sets", {})
        self.elements: dict[str, Element] = {
            key: Element(
                id=key, slot=e["slot"], title=e["title"], aliases=tuple(e["aliases"]),
                data_type=e["data_type"], format=e["format"], fixed_length=e["fixed_length"],
                max_length=e["max_length"], sensitivity=e["sensitivity"], steward=e["steward"],
                status=e["status"], replaced_by=e["replaced_by"], category=e["category"],
            )
            for key, e in raw["elements"].items()
        }

    def with_policy(self, min_frequency: dict[str, str], grace_days: int | None) -> Standard:
        """This standard with a workspace's frequency policy (keys: a 类 or a 项) and grace period."""
        if not min_frequency and grace_days is None:
            return self
        raw = json.loads(json.dumps(self.raw))
        for target, minimum in min_frequency.items():
            for table in ("resource_classes", "resource_items"):
                if target in raw[table]:
                    raw[table][target]["min_frequency"] = minimum
        if grace_days is not None:
            raw["grace_days"] = grace_days
        std = Standard(raw, self.folder)
        std.policy_overrides, std.grace_override = dict(min_frequency), grace_days
        return std

    def rule_summary(self, code: str, lang: str = "zh") -> str:
        """What a rule checks, in one line, from the standard's rule table (the docs page is the rule's own)."""
        entry = self.rules.get(code) or {}
        return str(entry.get("summary_en" if lang == "en" else "summary") or entry.get("summary") or "")

    # --- frequencies -------------------------------------------------------------------------
    @cached_property
    def frequency_aliases(self) -> dict[str, str]:
        return {alias: value for value, f in self.frequencies.items() for alias in f["aliases"]}

    def frequency(self, value: object) -> str | None:
        """The standard frequency a declared value means (itself or an accepted alias), or None."""
        if not isinstance(value, str):
            return None
        value = value.strip()
        if value in self.frequencies:
            return value
        return self.frequency_aliases.get(value)

    def rank(self, frequency: str) -> int:
        return int(self.frequencies[frequency]["rank"])

    # --- elements ----------------------------------------------------------------------------
    def element_of(self, item: dict[str, Any]) -> Element | None:
        """The data element an item names, if it names one the standard has."""
        value = item.get("element")
        return self.elements.get(value) if isinstance(value, str) else None

    @cached_property
    def element_names(self) -> dict[str, str]:
        """Every element title and alias -> element id (titles win over aliases)."""
        names: dict[str, str] = {}
        for element in self.elements.values():
            for alias in element.aliases:
                names.setdefault(alias, element.id)
        for element in self.elements.values():
            names[element.title] = element.id
        return names

    @cached_property
    def recommended_plan(self) -> dict[str, tuple[list[str], list[tuple[str, str, bool]]]]:
        """Class -> (its recommended fields, the fields that lead to classes holding some): the
        walk GC108 needs, so it visits nothing else."""

        def relevant(name: str, seen: frozenset[str] = frozenset()) -> bool:
            fields = self.classes.get(name, {}).get("fields", {})
            return any(f["obligation"] == "R" for f in fields.values()) or any(
                f["range"] and f["range"] not in seen and relevant(f["range"], seen | {name})
                for f in fields.values())

        plan = {}
        for name, spec in self.classes.items():
            if relevant(name):
                fields = spec["fields"]
                plan[name] = ([f for f, v in fields.items() if v["obligation"] == "R"],
                              [(f, v["range"], v["multivalued"]) for f, v in fields.items()
                               if v["range"] and relevant(v["range"])])
        return plan

    # --- fields ------------------------------------------------------------------------------
    def field(self, class_name: str, name: str) -> dict[str, Any] | None:
        return self.classes.get(class_name, {}).get("fields", {}).get(name)

    def class_at(self, root_class: str, tokens: list[str]) -> str | None:
        """The class of the object a pointer's tokens lead to (``resources/3/sharing`` -> Sharing)."""
        current: str | None = root_class
        expect_index = False
        for token in tokens:
            if current is None:
                return None
            if expect_index:
                expect_index = False
                if token.isdigit():
                    continue
            spec = self.field(current, token)
            if spec is None:
                return None
            current = spec["range"]
            expect_index = spec["multivalued"]
        return current

    def title(self, class_name: str | None, name: str) -> str:
        spec = self.field(class_name, name) if class_name else None
        return spec["title"] if spec and spec.get("title") else name


def load(folder: Path | None = None) -> Standard:
    """The standard generated into ``folder`` (a workspace's `generated/` or a release's folder);
    by default the one shipped with govcat."""
    return _load((folder or paths.data_root() / "generated").resolve())


@cache
def _load(folder: Path) -> Standard:
    path = folder / "standard.json"
    try:
        with open(path, encoding="utf-8") as fh:
            return Standard(json.load(fh), folder)
    except FileNotFoundError:
        raise UsageError(f"找不到生成的标准索引 {path}：请先运行 govcat generate") from None
