"""What a rule is: a stable code, a kebab-case name, a default severity, zh and en message
templates, and a check function whose docstring is the rule's docs page
(headings 检查内容 / 为什么 / 示例 / 修正).

A check looks at plain data and yields Hits — a JSON Pointer and template arguments. It never
computes positions: the engine resolves pointers through the document's SourceMap.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govcat.core.document import Document, Span
from govcat.core.i18n import L10n

if TYPE_CHECKING:
    from govcat.checking.index import Index
    from govcat.reading.sketch import Wanted
    from govcat.standard import Standard
    from govcat.standard.library import Library

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Hit:
    pointer: str
    args: dict[str, Any] = field(default_factory=dict)
    span: Span | None = None  # only load-time problems know their span up front
    severity: str | None = None  # a rule may report a milder case below its default


@dataclass
class Context:
    """What every check may look at besides its document: one per validation run."""

    std: Standard
    as_of: date
    registry: dict[str, dict[str, Any]] | None = None  # the registry's departments by code; None: unusable
    registry_dir: Path | None = None
    index: Index | None = None  # set for the workspace stage only
    library: Library | None = None  # every version of the standard the workspace knows (GC704, GC707)
    # When part of a workspace is validated: what of the files read as context can matter to the
    # files reported (issue 15); the rest of them is not read (the cache keeps what is, under this).
    wanted: Wanted | None = None

    @property
    def current(self) -> Standard:
        """The current standard (``std`` is the version the document declares, when it is released)."""
        return self.library.current if self.library is not None else self.std

    @property
    def workspace(self) -> Index:
        """The index over every catalog of the run: only rules of scope "workspace" may read it, since
        file-scope rules run file by file (in worker processes) before it exists."""
        if self.index is None:
            raise RuntimeError("a file-scope rule read the workspace index: declare it with scope=\"workspace\"")
        return self.index


Check = Callable[[Document, Context], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    zh: str
    en: str
    check: Check
    roles: tuple[str, ...] = ("catalog",)
    # "file": looks at one document (and the registry) only, so it runs where the file is read;
    # "workspace": reads ctx.workspace, so it runs after every file is read, on the catalog's
    # summary (see summary.py for the fields a summary keeps).
    scope: str = "file"

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.check) or ""

    def message(self, lang: str, args: dict[str, Any]) -> str:
        template = self.en if lang == "en" else self.zh
        local = {k: (v.en if lang == "en" else v.zh) if isinstance(v, L10n) else v for k, v in args.items()}
        return template.format_map(_Args(local))


class _Args(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def problems(doc: Document, code: str) -> Iterator[Hit]:
    """Hits for what the loader already found under this rule's code (it knows their spans)."""
    for p in doc.problems:
        if p.code == code:
            yield Hit(p.pointer, p.args, p.span)


def rule(code: str, name: str, severity: str, zh: str, en: str,
         roles: tuple[str, ...] = ("catalog",), scope: str = "file") -> Callable[[Check], Rule]:
    def wrap(check: Check) -> Rule:
        return Rule(code, name, severity, zh, en, check, roles, scope)

    return wrap
