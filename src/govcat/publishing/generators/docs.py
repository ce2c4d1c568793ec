"""The docs site's reference pages, from the standard, the rules and the catalogs (`govcat generate docs`).

Pages are Markdown for mkdocs-material, rendered from the templates in ``govcat/templates/docs`` by
one Jinja environment. They are keyed by path relative to the repository (``docs/reference/…``,
``docs/rules/…``); both folders are wholly generated and git-ignored, because the department pages
and the dashboard depend on the catalogs and on the as-of date (``GOVCAT_AS_OF``, default today).

Catalog text is untrusted. Every value a template prints goes through `escape_text`, which turns
each ASCII punctuation character into a numeric character reference (``<`` → ``&#60;``, ``|`` →
``&#124;``). After that, nothing in the text can start Markdown syntax (links, code, tables,
emphasis, headings, attribute lists) or HTML, and the references are valid in Markdown, in HTML
text and attributes and in inline SVG alike, so one escape serves every context of these pages.
Only `Markup` built here from trusted parts (links to sanitised slugs, the rules' own docs) is
printed as is. Page titles go into mkdocs-material's ``<title>`` through ``striptags``, which
decodes references again, so front-matter titles replace ``< > & " '`` with full-width forms.

A province has hundreds of thousands of items, so the big tables (a department's resources, their
attributes and items, its findings; an element's uses) are HTML built by `html_table` inside
``govcat-html`` fences (see `govcat.publishing.site`), with the same escape for every cell: Python-Markdown
passes them through instead of parsing them. mkdocs does not rewrite links there, so they are final
directory URLs (`url`). Departments with more than `RESOURCES_PER_PAGE` resources continue on
numbered pages.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import posixpath
import re
import string
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from govcat import standard
from govcat.checking.outcome import Outcome
from govcat.checking.rules import BY_CODE, RULES
from govcat.core import paths
from govcat.core.access import items_of, obj, provider_code, text
from govcat.core.document import Document
from govcat.core.errors import UsageError
from govcat.core.findings import Finding
from govcat.publishing import metrics
from govcat.publishing.generators import changelog, header
from govcat.publishing.metrics import Dashboard, DepartmentMetrics, History, Ratio
from govcat.reading import workbook

AS_OF_ENV = "GOVCAT_AS_OF"
# The fence of pre-rendered HTML (see `govcat.publishing.site.html_fence`) and the markers of blocks
# the search index leaves out.
HTML_FENCE = "govcat-html"
NOSEARCH = ("<!--govcat:nosearch-->", "<!--/govcat:nosearch-->")
REFERENCE = "docs/reference"
USES_LIMIT = 50  # items listed under 被引用 on an element page (the total is always shown)
# Resources whose attributes and items one department page shows; a larger department continues on
# pages 2, 3 …, so that no page grows past a few hundred kilobytes (100 resources of 15 items ≈ 350 KB).
RESOURCES_PER_PAGE = 100
RULES_DIR = "docs/rules"
GENERATED_DIRS = (REFERENCE, RULES_DIR)  # wholly generated: `govcat.publishing.site.build` empties them first
TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "docs"
LARGE_CODE_SET = 300  # more values than this: one collapsible group per two-character code prefix

SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
OBLIGATION = {"M": "必选", "R": "推荐", "C": "条件必选", "O": "可选"}
FAMILIES = {
    "GC0": "文件与输入", "GC1": "结构与取值", "GC2": "信息资源代码、名称与分类", "GC3": "信息项与数据元",
    "GC4": "共享、开放与安全", "GC5": "更新周期", "GC6": "一数多源", "GC7": "提供方与标准版本",
    "GC8": "数据质量（govcat data）",
}
SCALARS = {"string": "文本", "integer": "整数", "date": "日期（YYYY-MM-DD）", "boolean": "布尔值",
           "decimal": "数值", "float": "数值", "datetime": "日期时间"}
# Semantic rules per field (class, field) -> codes. Structural rules (GC101 required, GC104 enum,
# GC105 pattern, GC106 date, GC107 bounds, GC108 recommended) are derived from the schema itself.
FIELD_RULES: dict[tuple[str, str], tuple[str, ...]] = {
    ("Catalog", "standard_version"): ("GC704",),
    ("Provider", "code"): ("GC206", "GC701", "GC702"),
    ("Provider", "name"): ("GC703",),
    ("InformationResource", "code"): ("GC201", "GC202", "GC203"),
    ("InformationResource", "name"): ("GC204", "GC601"),
    ("InformationResource", "items"): ("GC308", "GC601"),
    ("InformationResource", "update_frequency"): ("GC501", "GC503", "GC504", "GC506"),
    ("InformationResource", "update_frequency_note"): ("GC502",),
    ("InformationResource", "published_on"): ("GC505",),
    ("InformationResource", "last_updated_on"): ("GC504", "GC505"),
    ("InformationResource", "related_codes"): ("GC205",),
    ("InformationResource", "security_level"): ("GC406",),
    ("Classification", "class"): ("GC202", "GC207", "GC408", "GC503", "GC602"),
    ("Classification", "item"): ("GC202", "GC207", "GC503"),
    ("ResourceFormat", "category"): ("GC407",),
    ("InformationItem", "name"): ("GC304", "GC305", "GC308"),
    ("InformationItem", "element"): ("GC301", "GC302", "GC303", "GC306", "GC308", "GC405", "GC602"),
    ("InformationItem", "data_type"): ("GC302", "GC307"),
    ("InformationItem", "length"): ("GC303", "GC307"),
    ("InformationItem", "sensitive"): ("GC405",),
    ("InformationItem", "is_key"): ("GC602",),
    ("Sharing", "type"): ("GC401", "GC402", "GC403", "GC408"),
    ("Sharing", "condition"): ("GC401",),
    ("Sharing", "basis"): ("GC402",),
    ("Sharing", "method"): ("GC409", "GC506"),
    ("Sharing", "method_type"): ("GC407", "GC409"),
    ("Opening", "type"): ("GC403", "GC404", "GC405", "GC406"),
    ("Opening", "condition"): ("GC404",),
    ("Department", "code"): ("GC206",),
    ("Department", "parent"): ("GC206",),
    ("Department", "division"): ("GC104",),
}
CATALOG_CLASSES = ("Catalog", "Provider", "InformationResource", "Classification", "ResourceFormat",
                   "InformationItem", "Sharing", "Opening", "Mount")
REGISTRY_CLASSES = ("Registry", "Department")
ANNOTATION_LABELS = {
    "level": "层级", "replaced_by": "由…取代", "errata": "勘误", "alpha_2": "二字母代码", "numeric": "数字代码",
    "name_en": "英文名称", "letter_code": "字母代码", "romanization": "罗马字母拼写",
}

# --- escaping -----------------------------------------------------------------------------------

_ENTITIES = {ord(ch): f"&#{ord(ch)};" for ch in string.punctuation}
_HAS_PUNCTUATION = re.compile("[" + re.escape(string.punctuation) + "]")
_SAFE_HREF = re.compile(r"^[A-Za-z0-9_./-]*(#[A-Za-z0-9_-]+)?$")
_SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_FULL_WIDTH = str.maketrans({"<": "＜", ">": "＞", "&": "＆", '"': "＂", "'": "＇"})


def escape_text(value: Any) -> Markup:
    """Untrusted text as inert Markdown/HTML: whitespace collapsed (so no line can start a block),
    control characters dropped, and every ASCII punctuation character a numeric reference."""
    return Markup(_escaped(value))


def _escaped(value: Any) -> str:
    return _escape_str(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=1 << 16)  # item names, types, titles and descriptions repeat across a province
def _escape_str(value: str) -> str:
    plain = " ".join(value.split())
    if not plain.isprintable():
        plain = "".join(ch for ch in plain if ch.isprintable() or ch == " ")
    # Most catalog text is Chinese with no ASCII punctuation: skip the translation then (a province
    # prints millions of values).
    return plain.translate(_ENTITIES) if _HAS_PUNCTUATION.search(plain) else plain


def _cell(value: Any) -> str:
    """`_finalize` as a plain string, for `html_table`'s millions of cells."""
    if value is None:
        return ""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return _escaped(value)


def _finalize(value: Any) -> Any:
    """Every ``{{ … }}`` of every template: trusted Markup as is, None as nothing, the rest escaped."""
    if value is None:
        return Markup("")
    if hasattr(value, "__html__"):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Markup(value)  # digits, point and sign: inert everywhere (chart geometry, counts)
    return escape_text(value)


def link(label: Any, href: str) -> Markup:
    """A Markdown link: the label escaped; the target must be a path built here from safe slugs."""
    if not _SAFE_HREF.match(href):
        raise ValueError(f"unsafe link target: {href!r}")
    return Markup(f"[{_finalize(label)}]({href})")


def html_link(label: Any, href: str) -> Markup:
    """An HTML link for the pre-rendered blocks (see `site.HTML_FENCE`): mkdocs does not rewrite
    links there, so the target is a final site URL (`url`), checked like `link`'s."""
    if not _SAFE_HREF.match(href):
        raise ValueError(f"unsafe link target: {href!r}")
    return Markup(f'<a href="{href}">{_finalize(label)}</a>')


def code(value: Any) -> Markup:
    return Markup(f"<code>{escape_text(value)}</code>") if value not in (None, "") else Markup("")


def anchor(identifier: str) -> Markup:
    """A heading's attribute list ``{#id}`` (attr_list); only for ids built by `slug`."""
    if not _SAFE_ID.match(identifier):
        raise ValueError(f"unsafe anchor: {identifier!r}")
    return Markup(f"{{#{identifier}}}")


def front_title(value: Any) -> Markup:
    """A YAML front-matter title that stays text after mkdocs-material's ``striptags``."""
    plain = " ".join(str(value).split()).translate(_FULL_WIDTH)
    return Markup(json.dumps(plain, ensure_ascii=False))


def _join(values: Iterable[Any], separator: str = "、") -> Markup:
    """`join` that escapes each part the way `_finalize` does (Jinja's own join only HTML-escapes).
    The separator comes from code or a template, never from data, and is kept as written."""
    return Markup(separator).join(_finalize(v) for v in values)


def percent(ratio: Ratio) -> str:
    rate = ratio.rate
    return "—" if rate is None else f"{rate * 100:.1f}%"


def slug(value: str | None, prefix: str) -> str:
    """A file or anchor name: the value when it is plainly safe, else a stable digest of it."""
    if value and re.fullmatch(r"[0-9A-Za-z]{1,40}", value):
        return value
    if value and re.fullmatch(r"[0-9A-Za-z/._-]{1,40}", value):
        return f"{prefix}-" + re.sub(r"[^0-9A-Za-z]+", "-", value).strip("-")
    return f"{prefix}-" + hashlib.sha1((value or "").encode("utf-8")).hexdigest()[:10]


def environment() -> Environment:
    """The one Jinja environment of the docs pages."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=True,
                      finalize=_finalize, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(join=_join, front_title=front_title, percent=percent)
    env.globals.update(link=link, code=code, anchor=anchor, html_table=html_table, SEVERITY=SEVERITY,
                       OBLIGATION=OBLIGATION, GENERATED=header("docs"), HTML_FENCE=HTML_FENCE, NOSEARCH=NOSEARCH)
    return env


# --- the as-of date -----------------------------------------------------------------------------

def as_of_date(value: date | None = None) -> date:
    """The dashboard's as-of date: the argument, else ``GOVCAT_AS_OF`` (YYYY-MM-DD), else today."""
    if value is not None:
        return value
    raw = os.environ.get(AS_OF_ENV)
    if not raw:
        return date.today()
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise UsageError(f"环境变量 {AS_OF_ENV} 应为 YYYY-MM-DD 格式的日期：{raw}") from None


# --- the standard, read from the schema ---------------------------------------------------------

def schema_dir(root: Path) -> Path:
    own = root / "schema"
    return own if (own / "govcat.yaml").is_file() else paths.data_root() / "schema"


def _yaml(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the GB/T 2260 file is 13k lines
    with open(path, encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=loader)
    return data if isinstance(data, dict) else {}


@dataclass
class CodeSet:
    name: str
    title: str
    description: str
    annotations: dict[str, str]
    values: list[tuple[str, dict[str, Any]]]
    used_by: list[Element] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{REFERENCE}/code-sets/{self.name}.md"


@dataclass
class Element:
    slot: str
    spec: dict[str, Any]
    group: str  # the data-element file's title

    @cached_property
    def notes(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in (self.spec.get("annotations") or {}).items()}

    @property
    def id(self) -> str:
        return self.notes["identifier"]

    @property
    def title(self) -> str:
        return str(self.spec.get("title") or self.slot)

    @property
    def path(self) -> str:
        return f"{REFERENCE}/elements/{self.id}.md"


@dataclass
class Schema:
    elements: dict[str, Element]  # by identifier, in identifier order
    code_sets: dict[str, CodeSet]  # by enum name
    classes: dict[str, dict[str, Any]]  # catalog and registry classes, by name
    enums: dict[str, dict[str, Any]]  # catalog, frequency and registry enums, by name


def read_schema(root: Path) -> Schema:
    folder = schema_dir(root)
    code_sets: dict[str, CodeSet] = {}
    for path in sorted((folder / "code_sets").glob("*.yaml")):
        for name, enum in (_yaml(path).get("enums") or {}).items():
            values = [(str(k), v or {}) for k, v in (enum.get("permissible_values") or {}).items()]
            code_sets[name] = CodeSet(name, str(enum.get("title") or name), str(enum.get("description") or ""),
                                      {str(k): str(v) for k, v in (enum.get("annotations") or {}).items()},
                                      values)
    elements: dict[str, Element] = {}
    for path in sorted((folder / "data_elements").glob("*.yaml")):
        data = _yaml(path)
        group = str(data.get("title") or path.stem).split("：")[-1]
        for slot, spec in (data.get("slots") or {}).items():
            element = Element(slot, spec or {}, group)
            if "identifier" in element.notes:
                elements[element.id] = element
    elements = dict(sorted(elements.items()))
    for element in elements.values():
        if element.spec.get("range") in code_sets:
            code_sets[element.spec["range"]].used_by.append(element)
    classes: dict[str, dict[str, Any]] = {}
    enums: dict[str, dict[str, Any]] = {}
    for name in ("catalog", "update_frequency", "registry"):
        data = _yaml(folder / f"{name}.yaml")
        classes.update(data.get("classes") or {})
        enums.update(data.get("enums") or {})
    return Schema(elements, code_sets, classes, enums)


# --- the pages ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Placed:
    """A resource, its anchor, and the page that shows it (a department page or its continuation)."""

    res: dict[str, Any]
    anchor: str
    page: str
    provider: str | None


def _rel(source: str, target: str) -> str:
    """A relative Markdown link from one generated page to another (both repository-relative)."""
    return os.path.relpath(target, os.path.dirname(source)).replace(os.sep, "/")


def page_url(path: str) -> str:
    """A docs page's URL under the site root, as mkdocs writes it with ``use_directory_urls``."""
    page = path.removeprefix("docs/").removesuffix(".md")
    return page.removesuffix("index") if page == "index" or page.endswith("/index") else page + "/"


def url(source: str, target: str, fragment: str = "") -> str:
    """A relative URL from one page to another (or to an anchor), for the pre-rendered HTML blocks."""
    path = _relative_url(source, target)
    if fragment:
        return f"{'' if path == './' else path}#{fragment}"
    return path


@lru_cache(maxsize=65536)  # a department page links to the same few hundred elements thousands of times
def _relative_url(source: str, target: str) -> str:
    here, there = page_url(source), page_url(target)
    return "./" if here == there else posixpath.relpath(there or ".", here or ".") + "/"


def html_table(head: Sequence[Any], rows: Sequence[Sequence[Any]], empty: Any = "（无）") -> Markup:
    """An HTML table for the pre-rendered blocks, one row a line; cells are escaped like every
    template value (`_finalize`). Built here rather than in a macro: a province has millions of cells."""
    if not rows:
        return Markup(f"<p>{_finalize(empty)}</p>")
    cell, escape = _cell, _escape_str
    lines = ["<table>", "<thead><tr>" + "".join(f"<th>{cell(h)}</th>" for h in head) + "</tr></thead>", "<tbody>"]
    # Plain text and absent values first, inline: they are most of a province's millions of cells.
    lines.extend("<tr><td>" + "</td><td>".join([escape(v) if type(v) is str else "" if v is None else cell(v)
                                                for v in row]) + "</td></tr>" for row in rows)
    lines.append("</tbody>\n</table>")
    return Markup("\n".join(lines))


@dataclass
class Site:
    """Everything the pages are made from, and the links between them."""

    root: Path
    as_of: date
    std: standard.Standard
    schema: Schema
    outcome: Outcome  # the validation run: the catalogs' summaries, the findings, the metrics product
    board: Dashboard | None = None  # the metrics with data quality, when the caller has them (govcat build)
    history: History | None = None  # the snapshots `govcat load` recorded, for the trend
    # Element id -> the first USES_LIMIT items naming it, as (provider, resource position, item name),
    # and how many there are: gathered from the department parts (`add_uses`).
    uses: dict[str, list[tuple[str | None, int, Any]]] = field(default_factory=dict)
    uses_total: dict[str, int] = field(default_factory=dict)

    @cached_property
    def dashboard(self) -> Dashboard:
        return self.board if self.board is not None else metrics.dashboard(self.outcome, self.as_of)

    @cached_property
    def files(self) -> dict[str | None, list[Document]]:
        """Each provider's catalog files (their summaries), in the run's order."""
        out: dict[str | None, list[Document]] = defaultdict(list)
        for doc in self.outcome.docs:
            if doc.role == "catalog":
                out[provider_code(doc)].append(doc)
        return out

    def add_uses(self, provider: str | None, parts: DepartmentParts) -> None:
        """A department's uses of the elements, after those of the departments before it."""
        for element_id, found in parts.uses.items():
            kept = self.uses.setdefault(element_id, [])
            kept.extend((provider, index, item) for index, item in found[:USES_LIMIT - len(kept)])
            self.uses_total[element_id] = self.uses_total.get(element_id, 0) + parts.totals[element_id]

    @cached_property
    def divisions(self) -> dict[str, str]:
        cs = self.schema.code_sets.get("AdministrativeDivisionCode")
        return {k: str(v.get("title") or "") for k, v in cs.values} if cs else {}

    # links --------------------------------------------------------------------------------------
    def element_link(self, source: str, element_id: Any, label: Any = None) -> Any:
        if isinstance(element_id, str) and element_id in self.schema.elements:
            element = self.schema.elements[element_id]
            return link(label if label is not None else element_id, _rel(source, element.path))
        return element_id

    def rule_link(self, source: str, code_: str, label: Any = None) -> Any:
        return link(label if label is not None else code_, _rel(source, rule_path(code_)))

    def department_path(self, code_: str | None, part: int = 1) -> str:
        """A department's page; part 2, 3 … continue its resources (`RESOURCES_PER_PAGE` per page)."""
        name = slug(code_, "provider")
        return f"{REFERENCE}/departments/{name}.md" if part == 1 else f"{REFERENCE}/departments/{name}/{part}.md"

    def resource_anchor(self, res: Mapping[str, Any], position: int) -> str:
        value = text(res.get("code"))
        return "res-" + (slug(value, "r").removeprefix("r-") if value else f"n{position}")

    @cached_property
    def resources(self) -> dict[str | None, list[Placed]]:
        """Every resource of each provider, across the provider's catalog files in file order, with
        its anchor and the page that shows it. Made from the summaries (code and name are all a page
        needs of a resource besides its own department's page), so for every department at once."""
        out: dict[str | None, list[Placed]] = defaultdict(list)
        taken: dict[str | None, set[str]] = defaultdict(set)
        for doc in self.outcome.docs:
            if doc.role != "catalog":
                continue
            provider = provider_code(doc)
            for res in metrics.catalog_resources(doc):
                placed = out[provider]
                anchor_id = self.resource_anchor(res, len(placed) + 1)
                while anchor_id in taken[provider]:
                    anchor_id += "-x"
                taken[provider].add(anchor_id)
                page = self.department_path(provider, len(placed) // RESOURCES_PER_PAGE + 1)
                placed.append(Placed(res, anchor_id, page, provider))
        return out

    @cached_property
    def by_code(self) -> dict[str, Placed]:
        """Resource code -> where it is shown (the first one, when a code is not unique)."""
        out: dict[str, Placed] = {}
        for placed in self.resources.values():
            for p in placed:
                value = text(p.res.get("code"))
                if value is not None:
                    out.setdefault(value, p)
        return out

    @cached_property
    def department_names(self) -> dict[str | None, str]:
        return {d.code: d.name for d in self.dashboard.departments}


def rule_path(code_: str) -> str:
    return f"{RULES_DIR}/{code_}.md"


def _field_rules(class_name: str, name: str, spec: Mapping[str, Any]) -> list[str]:
    notes = {str(k): str(v) for k, v in (spec.get("annotations") or {}).items()}
    codes = {"M": ["GC101"], "R": ["GC108"]}.get(notes.get("obligation", "O"), [])
    if spec.get("range") and spec["range"] not in SCALARS and spec["range"] not in CATALOG_CLASSES:
        codes.append("GC104")
    if spec.get("pattern"):
        codes.append("GC105")
    if spec.get("range") == "date":
        codes.append("GC106")
    if any(k in notes for k in ("min_length", "max_length")) or any(
            k in spec for k in ("minimum_value", "maximum_value", "minimum_cardinality")):
        codes.append("GC107")
    codes.extend(FIELD_RULES.get((class_name, name), ()))
    return sorted({c for c in codes if c in BY_CODE})


def _bounds(spec: Mapping[str, Any]) -> list[str]:
    notes = {str(k): str(v) for k, v in (spec.get("annotations") or {}).items()}
    out = []
    if "min_length" in notes or "max_length" in notes:
        out.append(f"{notes.get('min_length', '0')}–{notes.get('max_length', '')} 个字符")
    if "minimum_value" in spec:
        out.append(f"≥ {spec['minimum_value']}")
    if "maximum_value" in spec:
        out.append(f"≤ {spec['maximum_value']}")
    if "minimum_cardinality" in spec:
        out.append(f"至少 {spec['minimum_cardinality']} 项")
    return out


# --- a department's parts: what its pages show of its whole catalogs ---------------------------

# A placeholder in a department page for one of its parts, filled when the page is written
# (`govcat.publishing.site`): <!--govcat:part:SLUG/PAGE#KEY-->. Catalog text is escaped before it
# reaches a page, so no catalog can write one.
PART = re.compile(r"<!--govcat:part:([A-Za-z0-9-]+)/([0-9]+)#(overview|[0-9]+)-->")
OVERVIEW_HEAD = ["信息资源代码", "名称", "类 / 项", "更新周期", "共享类型", "开放类型", "最近更新"]
ITEM_HEAD = ["信息项名称", "关联数据元", "数据类型", "长度", "小数位数", "主键", "敏感", "说明"]


def placeholder(name: str, page: int, key: int | str) -> str:
    return f"<!--govcat:part:{name}/{page}#{key}-->"


@dataclass
class DepartmentParts:
    """What a department's pages show of its whole catalogs: the overview table of page 1, each
    page's resources (attributes and items), and its items' uses of the data elements. Rendered
    where the department's files are read (a worker, for a province), one department at a time."""

    overview: str
    pages: list[list[str]]  # per page of the department, each resource's HTML
    uses: dict[str, list[tuple[int, Any]]]  # element id -> (resource position, item name), at most USES_LIMIT
    totals: dict[str, int]  # element id -> how many of the department's items name it

    def as_json(self) -> dict[str, Any]:
        return {"overview": self.overview, "pages": self.pages, "uses": self.uses, "totals": self.totals}


def department_parts(site: Site, provider: str | None, docs: Sequence[Document]) -> DepartmentParts:
    """The parts of one department from its whole catalog files, read again in the run's order."""
    placed = site.resources.get(provider, [])
    whole = [res for doc in docs for res in metrics.catalog_resources(doc)]
    if len(whole) != len(placed) or any(text(r.get("code")) != text(p.res.get("code"))
                                        for r, p in zip(whole, placed, strict=False)):
        raise UsageError(f"提供方 {provider} 的目录文件在校验之后被改动了：请重新运行")
    bodies = _Bodies(site)
    first = site.department_path(provider)
    overview = []
    pages: list[list[str]] = []
    uses: dict[str, list[tuple[int, Any]]] = {}
    totals: dict[str, int] = {}
    for position, (p, res) in enumerate(zip(placed, whole, strict=True)):
        classification, sharing, opening = (obj(res.get(k)) for k in ("classification", "sharing", "opening"))
        overview.append([html_link(text(res.get("code")) or "—", url(first, p.page, p.anchor)), res.get("name"),
                         _join([v for v in (classification.get("class"), classification.get("item")) if v], " / "),
                         res.get("update_frequency"), sharing.get("type"), opening.get("type"),
                         res.get("last_updated_on")])
        if position % RESOURCES_PER_PAGE == 0:
            pages.append([])
        pages[-1].append(bodies.resource(p, res))
        for item in items_of(res.get("items")):
            element_id = obj(item).get("element")
            if isinstance(element_id, str) and element_id in site.schema.elements:
                totals[element_id] = totals.get(element_id, 0) + 1
                found = uses.setdefault(element_id, [])
                if len(found) < USES_LIMIT:
                    found.append((position, obj(item).get("name")))
    table = html_table(OVERVIEW_HEAD, overview)
    return DepartmentParts(_nosearch("div", "govcat-overview", table), pages, uses, totals)


def _nosearch(tag: str, class_name: str, inner: str) -> str:
    """A block the search index leaves out (`data-search-exclude`), marked for `govcat build`'s lean
    search too (see `govcat.publishing.site`)."""
    return f'{NOSEARCH[0]}<{tag} class="{class_name}" data-search-exclude>\n{inner}\n</{tag}>{NOSEARCH[1]}'


class _Bodies:
    """Each resource's attributes and items as HTML (HTML built here, not in a template: a province
    has hundreds of thousands of items)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._links: dict[tuple[str, str], Markup] = {}

    def _element_link(self, page: str, element_id: str) -> Any:
        """An item's element as an HTML link to its page (the id alone when it is not in the standard)."""
        key = (page, element_id)
        found = self._links.get(key)
        if found is None:
            known = self.site.schema.elements.get(element_id)
            found = self._links[key] = (html_link(f"{element_id} {known.title}", url(page, known.path))
                                        if known else escape_text(element_id))
        return found

    def resource(self, placed: Placed, res: dict[str, Any]) -> str:
        site, page = self.site, placed.page
        classification, sharing, opening = (obj(res.get(k)) for k in ("classification", "sharing", "opening"))
        mount, fmt = obj(res.get("mount")), obj(res.get("format"))
        related = []
        for value in items_of(res.get("related_codes")):
            where = site.by_code.get(value) if isinstance(value, str) else None
            related.append(html_link(value, url(page, where.page, where.anchor)) if where else value)
        attributes = [[label, value] for label, value in (
            ("信息资源代码", code(res.get("code"))),
            ("信息资源分类", _join([v for v in (classification.get("class"), classification.get("item")) if v], " / ")),
            ("提供方内部部门", res.get("internal_department")),
            ("信息资源格式", _join([v for v in (fmt.get("category"), fmt.get("type")) if v], " / ")),
            ("共享类型", sharing.get("type")),
            ("共享条件", sharing.get("condition")),
            ("不予共享依据", sharing.get("basis")),
            ("共享方式", _join([v for v in (sharing.get("method"), sharing.get("method_type")) if v], " / ")),
            ("开放类型", opening.get("type")),
            ("开放条件", opening.get("condition")),
            ("更新周期", res.get("update_frequency")),
            ("更新周期说明", res.get("update_frequency_note")),
            ("发布日期", res.get("published_on")),
            ("最近更新日期", res.get("last_updated_on")),
            ("数据分级", res.get("security_level")),
            ("所属信息系统", res.get("source_system")),
            ("关键字", _join(items_of(res.get("keywords")))),
            ("关联资源", _join(related, " ")),
            ("资源挂接", _join([v for v in (mount.get("kind"), mount.get("status")) if v], " / ")),
            ("挂接地址", code(mount.get("endpoint"))),
        ) if value not in (None, "", [])]
        items = []
        for item in items_of(res.get("items")):
            item = obj(item)
            element = item.get("element")
            items.append([item.get("name"), self._element_link(page, element) if isinstance(element, str) else element,
                          item.get("data_type"), item.get("length"), item.get("precision"),
                          _flag(item.get("is_key")), _flag(item.get("sensitive")), item.get("description")])
        summary = res.get("summary")
        lead = f"<p>{_cell(summary)}</p>\n" if summary else ""
        inner = (f"{lead}{html_table(['属性', '值'], attributes)}\n<details class=\"govcat-items\">\n"
                 f"<summary>信息项（{len(items)} 项）</summary>\n{html_table(ITEM_HEAD, items, '（没有信息项）')}\n</details>")
        return _nosearch("div", "govcat-resource", inner)


class Pages:
    """Page name -> Markdown, rendered by one environment from `Site`."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.env = environment()
        self.pages: dict[str, str] = {}
        self._links: dict[tuple[str, str], Markup] = {}

    def render(self, path: str, template: str, **context: Any) -> None:
        self.pages[path] = self.env.get_template(template).render(page=path, as_of=self.site.as_of, **context)

    def all(self, parts: Mapping[str | None, DepartmentParts] | None = None) -> dict[str, str]:
        """Every page. ``parts``: see `departments`; the site's uses must be gathered before (they
        are listed on the element pages)."""
        self.departments(parts)
        self.elements()
        self.code_sets()
        self.catalog_standard()
        self.frequency_standard()
        self.rules()
        self.dashboard()
        self.pages.update(changelog.pages(self.site.root))
        return dict(sorted(self.pages.items()))

    # 数据元标准 ----------------------------------------------------------------------------------
    def elements(self) -> None:
        site = self.site
        index = f"{REFERENCE}/elements/index.md"
        rows = []
        for element in site.schema.elements.values():
            n = element.notes
            rows.append([site.element_link(index, element.id), element.title, code(element.slot),
                         f"{n.get('data_type', '')} {site.std.data_types.get(n.get('data_type', ''), '')}",
                         code(n.get("format")), n.get("category"), n.get("sensitivity"), n.get("status")])
        categories: dict[str, int] = defaultdict(int)
        for element in site.schema.elements.values():
            categories[element.notes.get("category", "")] += 1
        self.render(index, "elements.md.j2", rows=rows, categories=sorted(categories.items()),
                    count=len(rows))
        for element in site.schema.elements.values():
            self.render(element.path, "element.md.j2", element=element, attributes=self._element_rows(element),
                        code_set=self._element_code_set(element), uses=self._element_uses(element),
                        uses_total=self.site.uses_total.get(element.id, 0), uses_limit=USES_LIMIT)

    def _element_rows(self, element: Element) -> list[list[Any]]:
        site, n, spec, page = self.site, element.notes, element.spec, element.path
        data_type = n.get("data_type", "")
        replaced = element.spec.get("deprecated_element_has_exact_replacement")
        replacement = next((e for e in site.schema.elements.values() if e.slot == replaced), None)
        code_set = site.schema.code_sets.get(spec.get("range", ""))
        value_domain = [v for v in (
            link(f"{code_set.title}（{code_set.name}）", _rel(page, code_set.path)) if code_set else None,
            n.get("value_domain")) if v]
        rows: list[tuple[str, Any]] = [
            ("内部标识符", code(element.id)),
            ("中文名称", element.title),
            ("英文名称", code(element.slot)),
            ("标识符（拼音首字母）", code(n.get("short_name"))),
            ("同义名称", _join(spec.get("aliases") or [])),
            ("说明（定义）", spec.get("description")),
            ("对象类词", n.get("object_class")),
            ("特性词", n.get("property")),
            ("表示词", n.get("representation_term")),
            ("数据类型", _join([v for v in (f"{data_type} {site.std.data_types.get(data_type, '')}".strip(),
                                           code(spec.get("range", "string"))) if v], " · ")),
            ("表示格式", _join([v for v in (code(n.get("format")), code(spec.get("pattern"))) if v], " · ")),
            ("值域", _join(value_domain, " · ")),
            ("取值范围", _join(_bounds(spec))),
            ("计量单位", n.get("unit")),
            ("分类", n.get("category")),
            ("敏感级别", n.get("sensitivity")),
            ("权威来源部门", n.get("steward")),
            ("校验算法", code(n.get("checksum"))),
            ("来源", n.get("source")),
            ("版本", n.get("version")),
            ("状态", n.get("status")),
            ("废止说明", spec.get("deprecated")),
            ("替代数据元", site.element_link(page, replacement.id, f"{replacement.id} {replacement.title}")
             if replacement else None),
        ]
        return [[label, value] for label, value in rows if value not in (None, "")]

    def _element_code_set(self, element: Element) -> dict[str, Any] | None:
        code_set = self.site.schema.code_sets.get(element.spec.get("range", ""))
        if code_set is None:
            return None
        shown = code_set.values if len(code_set.values) <= 30 else []
        return {"link": link(f"{code_set.title}（{code_set.name}）", _rel(element.path, code_set.path)),
                "count": len(code_set.values),
                "rows": [[code(k), v.get("title")] for k, v in shown]}

    def _element_uses(self, element: Element) -> list[list[Any]]:
        """The first USES_LIMIT items that use the element: a province's catalogs use 公民身份号码
        thousands of times, and listing them all made each element page megabytes."""
        site, page = self.site, element.path
        rows = []
        for provider, index, item in site.uses.get(element.id, [])[:USES_LIMIT]:
            placed = site.resources[provider][index]
            res = placed.res
            rows.append([html_link(site.department_names.get(placed.provider, placed.provider or "—"),
                                   url(page, site.department_path(placed.provider))),
                         html_link(text(res.get("code")) or "—", url(page, placed.page, placed.anchor)),
                         res.get("name"), item])
        return rows

    # 代码集 ------------------------------------------------------------------------------------
    def code_sets(self) -> None:
        site = self.site
        index = f"{REFERENCE}/code-sets/index.md"
        rows = [[link(cs.title, _rel(index, cs.path)), code(cs.name), cs.annotations.get("standard"),
                 len(cs.values), _join(site.element_link(index, e.id) for e in cs.used_by)]
                for cs in site.schema.code_sets.values()]
        self.render(index, "code_sets.md.j2", rows=rows)
        for cs in site.schema.code_sets.values():
            keys = sorted({str(k) for _, v in cs.values for k in (v.get("annotations") or {})},
                          key=lambda k: (k not in ANNOTATION_LABELS, list(ANNOTATION_LABELS).index(k)
                                         if k in ANNOTATION_LABELS else 0, k))
            has_description = any(v.get("description") for _, v in cs.values)
            head = ["代码", "名称", *(["说明"] if has_description else []),
                    *[ANNOTATION_LABELS.get(k, k) for k in keys], "状态"]

            def row(key: str, value: dict[str, Any], keys: list[str] = keys,
                    has_description: bool = has_description) -> list[Any]:
                notes = value.get("annotations") or {}
                return [code(key), value.get("title"), *([value.get("description")] if has_description else []),
                        *[notes.get(k) for k in keys], "已撤销" if value.get("deprecated") else "现行"]

            groups = []
            if len(cs.values) > LARGE_CODE_SET:
                grouped: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
                for key, value in cs.values:
                    grouped[key[:2]].append((key, value))
                for prefix, values in sorted(grouped.items()):
                    first_key, first = values[0]
                    groups.append({"label": f"{prefix} · {first_key} {first.get('title') or ''}（{len(values)} 项）",
                                   "rows": [row(k, v) for k, v in values]})
            notes = [[label, cs.annotations.get(key)] for key, label in (
                ("standard", "标准"), ("source", "来源"), ("data_vintage", "数据版本"), ("errata", "勘误"),
                ("generated_by", "生成脚本")) if cs.annotations.get(key)]
            used = _join(site.element_link(cs.path, e.id, f"{e.id} {e.title}") for e in cs.used_by)
            about = [["模式中的名称", code(cs.name)], ["值的个数", len(cs.values)], *notes, ["使用它的数据元", used]]
            self.render(cs.path, "code_set.md.j2", cs=cs, about=about, head=head, groups=groups,
                        rows=[] if groups else [row(k, v) for k, v in cs.values])

    # 目录标准 ----------------------------------------------------------------------------------
    def _field_table(self, page: str, class_name: str) -> dict[str, Any]:
        schema = self.site.schema
        cls = schema.classes[class_name]
        rows = []
        for name, spec in (cls.get("attributes") or {}).items():
            spec = spec or {}
            notes = {str(k): str(v) for k, v in (spec.get("annotations") or {}).items()}
            rng = spec.get("range") or "string"
            if rng in schema.classes:
                kind: Any = link(f"对象：{schema.classes[rng].get('title', rng)}", f"#{class_anchor(rng)}")
            elif rng in schema.enums:
                kind = "取值列表"
            else:
                kind = SCALARS.get(rng, rng)
            if spec.get("multivalued"):
                kind = _join(["列表", kind], "：")
            rows.append([code(name), spec.get("title"), OBLIGATION.get(notes.get("obligation", "O"), ""), kind,
                         self._allowed(page, rng, spec), spec.get("description"),
                         _join((self.site.rule_link(page, c) for c in _field_rules(class_name, name, spec)), " ")])
        return {"name": class_name, "title": cls.get("title", class_name), "anchor": anchor(class_anchor(class_name)),
                "description": cls.get("description"), "rows": rows}

    def _allowed(self, page: str, rng: str, spec: Mapping[str, Any]) -> Any:
        parts: list[Any] = []
        if rng == "UpdateFrequency":
            parts.append(link("见更新周期标准", _rel(page, f"{REFERENCE}/frequency.md")))
        elif rng == "ResourceItem":
            parts.append(link("见分类表（项须属于所选的类）", "#classification"))
        elif rng == "FormatType":
            parts.append(link("见格式表（类型须属于所选的格式分类）", "#formats"))
        elif rng in self.site.schema.enums:
            parts.append(_join(self.site.schema.enums[rng].get("permissible_values") or {}))
        if spec.get("pattern"):
            parts.append(code(spec["pattern"]))
        parts.extend(_bounds(spec))
        return _join(parts, "；")

    def catalog_standard(self) -> None:
        site, page = self.site, f"{REFERENCE}/catalog.md"
        std = site.std
        classification = []
        for klass, spec in sorted(std.resource_classes.items(), key=lambda p: p[1]["code"]):
            members = sorted(((n, i) for n, i in std.resource_items.items() if i["class"] == klass),
                             key=lambda p: p[1]["code"])
            policy = [f"{klass}：至少{spec['min_frequency']}"] if spec["min_frequency"] else []
            policy += [f"{n}：至少{i['min_frequency']}" for n, i in members if i["min_frequency"]]
            classification.append([spec["code"], klass, _join(f"{i['code']} {n}" for n, i in members),
                                   _join(policy, "；")])
        formats = [[category, _join(types)] for category, types in std.formats.items()]
        excel = [
            {"sheet": workbook.PROVIDER_SHEET, "layout": "A 列为标签，B 列为值",
             "rows": [[title, code(".".join(path)), self._obligation(("Catalog", *path))]
                      for title, path in workbook.provider_rows(std).items()]},
            {"sheet": workbook.RESOURCE_SHEET, "layout": "第 1 行为表头，每行一条信息资源",
             "rows": [[title, code(".".join(path)), self._obligation(("InformationResource", *path))]
                      for title, path in workbook.resource_columns(std).items()]},
            {"sheet": workbook.ITEM_SHEET, "layout": f"第 1 行为表头，每行一个信息项；第一列“{workbook.LINK_HEADER}”关联信息资源",
             "rows": [[workbook.LINK_HEADER, code("code"), "必选"],
                      *[[title, code(name), self._obligation(("InformationItem", name))]
                        for title, name in workbook.item_columns(std).items()]]},
        ]
        self.render(page, "catalog.md.j2", classes=[self._field_table(page, c) for c in CATALOG_CLASSES if c in self.site.std.classes],
                    registry=[self._field_table(page, c) for c in REGISTRY_CLASSES if c in self.site.std.classes],
                    classification=classification, formats=formats, excel=excel,
                    generic=[self.site.rule_link(page, c) for c in ("GC102", "GC103") if c in BY_CODE])

    def _obligation(self, path: Sequence[str]) -> str:
        current, spec = path[0], None
        for name in path[1:]:
            spec = self.site.std.field(current, name)
            if spec is None:
                return ""
            current = spec["range"] or ""
        return OBLIGATION.get(spec["obligation"], "") if spec else ""

    # 更新周期标准 ------------------------------------------------------------------------------
    def frequency_standard(self) -> None:
        site, page = self.site, f"{REFERENCE}/frequency.md"
        enum = site.schema.enums.get("UpdateFrequency", {})
        values = enum.get("permissible_values") or {}
        rows = [[value, code(f["code"]), f["max_interval_days"] if f["max_interval_days"] is not None else "—",
                 code(f["eu_frequency"]), code(f["dcmi"]), code(f["iso8601"]), _join(f["aliases"]),
                 obj(values.get(value)).get("description")]
                for value, f in sorted(site.std.frequencies.items(), key=lambda p: p[1]["rank"])]
        policy = [["类", klass, v["min_frequency"]] for klass, v in site.std.resource_classes.items()
                  if v["min_frequency"]]
        policy += [["项", item, v["min_frequency"]] for item, v in site.std.resource_items.items()
                   if v["min_frequency"]]
        self.render(page, "frequency.md.j2", rows=rows, policy=policy, grace=site.std.grace_days,
                    rules=[[self.site.rule_link(page, r.code), code(r.name), SEVERITY[r.severity],
                            site.std.rule_summary(r.code)] for r in RULES if r.code.startswith("GC5")])

    # 校验规则 ----------------------------------------------------------------------------------
    def rules(self) -> None:
        page = f"{RULES_DIR}/index.md"
        families: dict[str, list[list[Any]]] = defaultdict(list)
        for r in RULES:
            families[r.code[:3]].append([self.site.rule_link(page, r.code), code(r.name), SEVERITY[r.severity],
                                         self.site.std.rule_summary(r.code)])
        self.render(page, "rules.md.j2", families=[
            {"prefix": prefix, "title": FAMILIES.get(prefix, prefix), "rows": rows}
            for prefix, rows in sorted(families.items())])
        fields: dict[str, list[Any]] = defaultdict(list)
        catalog = f"{REFERENCE}/catalog.md"
        for class_name in (c for c in (*CATALOG_CLASSES, *REGISTRY_CLASSES) if c in self.site.std.classes):
            for name, spec in (self.site.schema.classes[class_name].get("attributes") or {}).items():
                for c in _field_rules(class_name, name, spec or {}):
                    fields[c].append((class_name, name))
        for r in RULES:
            path = rule_path(r.code)
            checked = [link(f"{cls}.{name}", _rel(path, catalog) + "#" + class_anchor(cls))
                       for cls, name in fields.get(r.code, [])]
            entry = self.site.std.rules.get(r.code) or {}
            enforce = entry.get("enforce_from")
            severity = SEVERITY[entry.get("severity") or r.severity]
            if enforce:
                severity += f"（{enforce} 之前按警告报告）"
            self.render(path, "rule.md.j2", rule=r, severity=severity, doc=Markup(r.doc),
                        family=FAMILIES.get(r.code[:3], ""), fields=_join(checked, " ") if checked else None)

    # 部门目录 ----------------------------------------------------------------------------------
    def departments(self, parts: Mapping[str | None, DepartmentParts] | None = None) -> None:
        """The departments' index and pages. ``parts``: every department's parts, inlined into its
        pages (`govcat generate docs`); None: the pages hold placeholders that `govcat build` fills
        from the parts its workers wrote (see `govcat.publishing.site`)."""
        site = self.site
        index = f"{REFERENCE}/departments/index.md"
        registry = site.outcome.registry or {}
        rows = []
        for dept in site.dashboard.departments:
            entry = obj(registry.get(dept.code or ""))
            division = text(entry.get("division"))
            rows.append([link(dept.name, _rel(index, site.department_path(dept.code))), entry.get("short_name"),
                         code(dept.code), entry.get("level"),
                         _join([v for v in (division, site.divisions.get(division or "")) if v], " "),
                         dept.metrics.resources, dept.metrics.items])
        self.render(index, "departments.md.j2", rows=rows)
        findings = self._findings_by_department()
        for dept in site.dashboard.departments:
            self._department(dept, findings.get(dept.code, []), parts.get(dept.code) if parts is not None else None)

    def _findings_by_department(self) -> dict[str | None, list[Finding]]:
        owner = {doc.display: provider_code(doc) for doc in self.site.outcome.docs}
        out: dict[str | None, list[Finding]] = defaultdict(list)
        for finding in self.site.outcome.report.findings:
            if finding.file in owner:
                out[owner[finding.file]].append(finding)
        return out

    def _department(self, dept: DepartmentMetrics, findings: list[Finding], parts: DepartmentParts | None) -> None:
        """A department's page, and its continuation pages when it has more than RESOURCES_PER_PAGE
        resources. The resource headings are Markdown, so they are in the page's table of contents
        and the search index; the big tables (the overview, each resource's attributes and items)
        are the department's parts: inlined from ``parts``, or placeholders (`placeholder`)."""
        site = self.site
        first = site.department_path(dept.code)
        entry = obj((site.outcome.registry or {}).get(dept.code or ""))
        division = text(entry.get("division"))
        parent = text(entry.get("parent"))
        about = [[label, value] for label, value in (
            ("统一社会信用代码", code(dept.code)),
            ("简称", entry.get("short_name")),
            ("层级", entry.get("level")),
            ("行政区划", _join([v for v in (division, site.divisions.get(division or "")) if v], " ")),
            ("上级部门", link(site.department_names.get(parent, parent), _rel(first, site.department_path(parent)))
             if parent and parent in site.department_names else parent),
            ("维护人", _join(items_of(entry.get("maintainers")))),
            ("登记状态", "已登记" if dept.registered else "未在提供方名录中登记"),
        ) if value not in (None, "")]
        placed = site.resources.get(dept.code, [])
        chunks = [placed[i:i + RESOURCES_PER_PAGE] for i in range(0, len(placed), RESOURCES_PER_PAGE)] or [[]]
        pages = [site.department_path(dept.code, n) for n in range(1, len(chunks) + 1)]
        name = slug(dept.code, "provider")
        found = [[html_link(f.code, url(first, rule_path(f.code))), SEVERITY.get(f.severity, f.severity),
                  f"{f.file}:{f.line}" if f.line else f.file, f.message] for f in findings]
        spans = [(n * RESOURCES_PER_PAGE + 1, n * RESOURCES_PER_PAGE + len(part)) for n, part in enumerate(chunks)]
        labels = [f"第 {n} 页（第 {a} 条）" if a == b else f"第 {n} 页（第 {a}–{b} 条）"
                  for n, (a, b) in enumerate(spans, start=1)]
        for number, (page, part) in enumerate(zip(pages, chunks, strict=True), start=1):
            pager = [link(label, _rel(page, target)) if n != number else Markup(f"**{escape_text(label)}**")
                     for n, (label, target) in enumerate(zip(labels, pages, strict=True), start=1)
                     ] if len(pages) > 1 else []
            bodies = (parts.pages[number - 1] if parts is not None
                      else [placeholder(name, number, i) for i in range(len(part))])
            resources = [{"name": text(p.res.get("name")) or "（未命名信息资源）", "anchor": anchor(p.anchor),
                          "code": p.res.get("code"), "body": Markup(body)} for p, body in zip(part, bodies, strict=True)]
            overview = (parts.overview if parts is not None else placeholder(name, 1, "overview")) if placed else ""
            self.render(page, "department.md.j2", dept=dept, part=number, parts=len(pages), pager=pager,
                        home=link(dept.name, _rel(page, first)), about=about, overview=Markup(overview),
                        count=len(placed), resources=resources, metrics=metric_rows(dept.metrics, dept.quality),
                        findings=found)

    # 合规看板 ----------------------------------------------------------------------------------
    def dashboard(self) -> None:
        site, page = self.site, f"{REFERENCE}/dashboard.md"
        board = site.dashboard
        departments = board.departments
        quality = board.quality is not None  # the 数据质量 column and chart, when results are recorded
        rows = [[link(d.label, _rel(page, site.department_path(d.code))), *metric_cells(d.metrics, d, quality)]
                for d in departments]
        charts = [chart(definition.title, lowest([(d.label, d.metrics.ratio(definition.key)) for d in departments]),
                      len(departments)) for definition in metrics.RATES]
        if quality:
            charts.append(chart(metrics.QUALITY_TITLE, lowest([(d.label, d.quality) for d in departments]),
                                len(departments)))
        findings_chart = stacked_chart("校验发现（按级别）", most([(d.label, d.metrics.severities) for d in departments]),
                                       len(departments))
        # A column per department while they fit on a screen; for a province, how many and which.
        wide = len(departments) <= CHART_LIMIT
        rule_head = ["规则", "名称", "默认级别", "合计",
                     *([d.label for d in departments] if wide else ["涉及部门", "最多的部门"])]
        by_rule = []
        for c in sorted(board.total.rules):
            counts = [(d.label, d.metrics.rules.get(c, 0)) for d in departments]
            per_department = [n for _, n in counts] if wide else [sum(1 for _, n in counts if n), top_counts(counts)]
            by_rule.append([site.rule_link(page, c), code(BY_CODE[c].name) if c in BY_CODE else "",
                            SEVERITY.get(BY_CODE[c].severity, "") if c in BY_CODE else "", board.total.rules[c],
                            *per_department])
        head = metric_head(quality)
        self.render(page, "dashboard.md.j2", board=board, head=head, rows=rows,
                    total=["合计", *metric_cells(board.total, board.quality, quality)], total_head=["全部部门", *head[1:]],
                    definitions=metrics.RATES, charts=charts, findings_chart=findings_chart, by_rule=by_rule,
                    rule_head=rule_head, quality=Markup(f"- **{metrics.QUALITY_TITLE}** = ") + metrics.QUALITY_DEFINITION
                    if quality else None, trend=self._trend(page))

    def _trend(self, page: str) -> dict[str, Any] | None:
        """The dashboard's trend: a line chart per metric over the snapshots `govcat load` recorded,
        each with its data table beside it, and the departments that moved most since the snapshot
        before the last."""
        history = self.site.history
        if history is None or not history.snapshots:
            return None
        dates = history.dates
        names = history.names()
        charts = []
        for key, title in metrics.trend_keys(history):
            lines = trend_lines(history, key, names)
            charts.append({"title": title, "svg": Markup(line_chart(title, dates, lines, key in metrics.SEVERITIES)),
                           "table": Markup(trend_table(dates, lines, key))})
        movers = []
        if len(dates) > 1:
            for key, title in metrics.trend_keys(history):
                improved, slipped = history.movers(key)
                movers.append([title, *(_join([f"{m.label} {_change(key, m.change)}" for m in moved]) or "—"
                                        for moved in (improved, slipped))])
        return {"dates": dates, "first": dates[0], "last": dates[-1], "previous": dates[-2] if len(dates) > 1 else None,
                "charts": charts, "movers": movers, "count": len(dates)}


def metric_head(quality: bool = False) -> list[str]:
    return ["部门", "信息资源", "信息项", *[d.title for d in metrics.RATES],
            *([metrics.QUALITY_TITLE] if quality else []), "错误", "警告", "提示"]


METRIC_HEAD = metric_head()


def metric_cells(m: metrics.Metrics, dept: DepartmentMetrics | metrics.Quality | None = None,
                 quality: bool = False) -> list[Any]:
    score = dept.quality if isinstance(dept, DepartmentMetrics) else dept.total if dept is not None else None
    return [m.resources, m.items, *[percent(m.ratio(d.key)) for d in metrics.RATES],
            *([metrics.score(score)] if quality else []),
            m.findings("error"), m.findings("warning"), m.findings("info")]


def metric_rows(m: metrics.Metrics, quality: float | None = None) -> list[list[Any]]:
    """A department's metrics as label / value / formula-with-counts rows."""
    rows: list[list[Any]] = [["信息资源", m.resources, ""], ["信息项", m.items, ""]]
    for d in metrics.RATES:
        ratio = m.ratio(d.key)
        rows.append([d.title, percent(ratio), f"{ratio.numerator} / {ratio.denominator}"])
    if quality is not None:
        rows.append([metrics.QUALITY_TITLE, metrics.score(quality), "govcat data check 记录的得分"])
    rows.append(["校验发现", f"错误 {m.findings('error')}，警告 {m.findings('warning')}，提示 {m.findings('info')}", ""])
    return rows


def _flag(value: Any) -> str:
    return {True: "是", False: "否"}.get(value, "") if isinstance(value, bool) else ""


def class_anchor(name: str) -> str:
    return "class-" + re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


# --- charts (static inline SVG) ----------------------------------------------------------------

CHART_WIDTH, LABEL_WIDTH, BAR_WIDTH, ROW = 640, 170, 380, 26
# Departments a chart shows one bar each. A province has hundreds: then each chart shows those that
# need attention (the lowest rates, the most findings) and says so; the sortable table has them all.
CHART_LIMIT = 20


Value = Ratio | float | None  # a rate with its counts, or a score (data quality); None: not measured


def _rate(value: Value) -> float | None:
    return value.rate if isinstance(value, Ratio) else value


def lowest(values: list[tuple[str, Value]]) -> list[tuple[str, Value]]:
    """All departments in registry order, or the CHART_LIMIT lowest rates (no denominator last)."""
    if len(values) <= CHART_LIMIT:
        return values
    return sorted(values, key=lambda v: (_rate(v[1]) is None, _rate(v[1]) or 0.0))[:CHART_LIMIT]


def most(values: list[tuple[str, Mapping[str, int]]]) -> list[tuple[str, Mapping[str, int]]]:
    """All departments, or the CHART_LIMIT with the most findings, errors weighing first."""
    if len(values) <= CHART_LIMIT:
        return values
    return sorted(values, key=lambda v: tuple(-v[1].get(s, 0) for s in metrics.SEVERITIES))[:CHART_LIMIT]


def top_counts(counts: list[tuple[str, int]], n: int = 3) -> str:
    """`民政局 12、公安局 5、…` — the departments with the most findings of one rule."""
    ranked = sorted((c for c in counts if c[1]), key=lambda c: -c[1])
    shown = "、".join(f"{label} {count}" for label, count in ranked[:n])
    return shown + ("、…" if len(ranked) > n else "")


def _chart_title(title: str, shown: int, total: int, which: str) -> str:
    return title if shown >= total else f"{title}：{which}的 {shown} 个部门（共 {total} 个，全部见上表）"


def chart(title: str, values: list[tuple[str, Value]], total: int | None = None) -> dict[str, Any]:
    title = _chart_title(title, len(values), total or len(values), "最低")
    bars = []
    for i, (label, value) in enumerate(values):
        rate = _rate(value)
        shown = percent(value) if isinstance(value, Ratio) else metrics.score(value)
        detail = f"{label}：{shown}" + (f"（{value.numerator}/{value.denominator}）" if isinstance(value, Ratio) else "")
        bars.append({"label": label, "y": 30 + i * ROW, "width": round((rate or 0) * BAR_WIDTH, 1),
                     "value": shown, "detail": detail})
    return {"title": title, "bars": bars, "height": 40 + len(values) * ROW, "width": CHART_WIDTH,
            "label_width": LABEL_WIDTH, "bar_width": BAR_WIDTH, "row": ROW, "kind": "rate"}


def stacked_chart(title: str, values: list[tuple[str, Mapping[str, int]]], total: int | None = None) -> dict[str, Any]:
    title = _chart_title(title, len(values), total or len(values), "发现最多")
    peak = max((sum(v.get(s, 0) for s in metrics.SEVERITIES) for _, v in values), default=0) or 1
    bars = []
    for i, (label, counts) in enumerate(values):
        x, segments = 0.0, []
        for severity in metrics.SEVERITIES:
            width = round(counts.get(severity, 0) / peak * BAR_WIDTH, 1)
            if width:
                segments.append({"severity": severity, "x": x, "width": width})
            x += width
        total = sum(counts.get(s, 0) for s in metrics.SEVERITIES)
        bars.append({"label": label, "y": 30 + i * ROW, "segments": segments, "width": x, "value": total,
                     "detail": f"{label}：" + "，".join(f"{SEVERITY[s]} {counts.get(s, 0)}" for s in metrics.SEVERITIES)})
    return {"title": title, "bars": bars, "height": 60 + len(values) * ROW, "width": CHART_WIDTH,
            "label_width": LABEL_WIDTH, "bar_width": BAR_WIDTH, "row": ROW, "kind": "stacked",
            "legend_y": 44 + len(values) * ROW}


# --- the trend: line charts over the snapshots (static inline SVG) -----------------------------------

TREND_WIDTH, TREND_HEIGHT = 560, 250
TREND_PLOT = (52, 24, 16, 40)  # left, top, right, bottom margins
TREND_LINES = 8  # departments drawn besides the total; for more, those that moved most over the period


class Line(NamedTuple):
    label: str
    values: list[float | None]  # one per snapshot; None: the department had no value then
    total: bool = False


def trend_lines(history: History, key: str, names: Mapping[str, str]) -> list[Line]:
    """The total, and every department while they fit (TREND_LINES), else those whose value changed most
    between their first and last snapshot."""
    lines = [Line("合计", [history.value(s, key) for s in history.snapshots], total=True)]
    departments = [Line(name, [history.value(s, key, code) for s in history.snapshots]) for code, name in names.items()]
    if len(departments) > TREND_LINES:

        def moved(line: Line) -> float:
            known = [v for v in line.values if v is not None]
            return abs(known[-1] - known[0]) if len(known) > 1 else -1.0

        departments = sorted(departments, key=lambda line: -moved(line))[:TREND_LINES]
    return lines + departments


def _change(key: str, change: float) -> str:
    return f"{int(change):+d}" if key in metrics.SEVERITIES else f"{change * 100:+.1f} 个百分点"


def _trend_value(value: float | None, count: bool) -> str:
    if value is None:
        return "—"
    return str(int(value)) if count else f"{value * 100:.1f}%"


def line_chart(title: str, dates: Sequence[date], lines: Sequence[Line], count: bool) -> str:
    """A line chart: x the snapshots' dates (placed by time), y the rate 0–100 % (or the count from 0);
    a point per snapshot with its value as a tooltip. Labels are catalog text: escaped."""
    left, top, right, bottom = TREND_PLOT
    width, height = TREND_WIDTH - left - right, TREND_HEIGHT - top - bottom
    most = max((v for line in lines for v in line.values if v is not None), default=0.0)
    peak = 4 * _nice_step(most / 4) if count else 1.0
    first, last = dates[0].toordinal(), dates[-1].toordinal()

    def x(day: date) -> float:
        return round(left + (width / 2 if last == first else (day.toordinal() - first) / (last - first) * width), 1)

    def y(value: float) -> float:
        return round(top + height - value / peak * height, 1)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{TREND_WIDTH}" height="{TREND_HEIGHT}" '
           f'viewBox="0 0 {TREND_WIDTH} {TREND_HEIGHT}" aria-label="{_cell(title)}（趋势）">',
           f"<title>{_cell(title)}（趋势）</title>"]
    for step in range(5):
        value = peak * step / 4
        label = str(round(value)) if count else f"{step * 25}%"
        out.append(f'<line class="govcat-trend__grid" x1="{left}" y1="{y(value)}" x2="{left + width}" y2="{y(value)}"/>'
                   f'<text class="govcat-trend__axis" x="{left - 6}" y="{y(value) + 4}" text-anchor="end">{label}</text>')
    for i, day in enumerate(dates):
        if len(dates) <= 6 or i in (0, len(dates) - 1) or i % max(1, len(dates) // 5) == 0:
            align = "start" if i == 0 and len(dates) > 1 else "end" if i == len(dates) - 1 and len(dates) > 1 else "middle"
            out.append(f'<text class="govcat-trend__axis" x="{x(day)}" y="{top + height + 18}" text-anchor="{align}">'
                       f"{day.isoformat()}</text>")
    for n, line in enumerate(lines):
        style = f"govcat-trend__line govcat-trend__line--{n}" + (" govcat-trend__line--total" if line.total else "")
        points = [(x(day), y(v), day, v) for day, v in zip(dates, line.values, strict=True) if v is not None]
        segments: list[list[str]] = [[]]
        for day, v in zip(dates, line.values, strict=True):  # a department missing from a snapshot breaks its line
            if v is None:
                segments.append([])
            else:
                segments[-1].append(f"{x(day)},{y(v)}")
        out.append(f'<g class="{style}"><title>{_cell(line.label)}</title>')
        out += [f'<polyline points="{" ".join(seg)}"/>' for seg in segments if len(seg) > 1]
        out += [f'<circle cx="{px}" cy="{py}" r="3"><title>{_cell(line.label)} {day.isoformat()}：'
                f"{_trend_value(v, count)}</title></circle>" for px, py, day, v in points]
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def _nice_step(value: float) -> int:
    """The gridline step of a count axis: 1, 2, 5 or 10 times a power of ten (25 from 10 up)."""
    power = 10 ** max(0, math.floor(math.log10(value))) if value >= 1 else 1
    return next(int(m * power) for m in (1, 2, 2.5, 5, 10) if m * power >= value and float(m * power).is_integer())


def trend_table(dates: Sequence[date], lines: Sequence[Line], key: str) -> str:
    """The data beside a line chart: a row per line (with its colour), a column per snapshot."""
    count = key in metrics.SEVERITIES
    head = "".join(f"<th>{day.isoformat()}</th>" for day in dates)
    rows = [f'<tr><td><span class="govcat-trend__key govcat-trend__key--{n}"></span>{_cell(line.label)}</td>'
            + "".join(f"<td>{_trend_value(v, count)}</td>" for v in line.values) + "</tr>"
            for n, line in enumerate(lines)]
    return f"<table><thead><tr><th>部门</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


# --- entry point --------------------------------------------------------------------------------

def build_site(root: Path, outcome: Outcome, as_of: date | None = None, board: Dashboard | None = None,
               history: History | None = None) -> Site:
    """The site's data; ``outcome`` is the validation of ``root/catalogs`` (its summaries and the
    metrics product), ``board`` the metrics with data quality and ``history`` the snapshots when the
    caller has them."""
    day = as_of_date(as_of)
    return Site(root=root, as_of=day, std=outcome.std, schema=read_schema(root), outcome=outcome, board=board,
                history=history)


def read_department(site: Site, provider: str | None) -> list[Document]:
    """A department's whole catalog files, read again (the validation kept only their summaries)."""
    from govcat.reading import loader

    return [loader.load(doc.path, doc.display, site.std, role=doc.role) for doc in site.files.get(provider, [])]


def generate(root: Path, outcome: Outcome, as_of: date | None = None, board: Dashboard | None = None,
             history: History | None = None) -> dict[str, str]:
    """Every generated page, keyed by its path relative to ``root``, the departments' parts inlined
    (`govcat generate docs`): every department is read again here, one after the other."""
    site = build_site(root, outcome, as_of, board, history)
    parts: dict[str | None, DepartmentParts] = {}
    for provider in site.files:
        parts[provider] = department_parts(site, provider, read_department(site, provider))
        site.add_uses(provider, parts[provider])
    return Pages(site).all(parts)
