"""What a change of the standard does to the catalogs: validate them under both versions and list,
per department and rule, the findings the change adds and removes (`govcat diff --impact`).

Both runs are ordinary validation runs (workers, the incremental cache), each pinned to one
edition of the standard whatever the catalogs declare. Findings about `standard_version` itself
(GC704, GC707) are left out: every catalog would show the version bump, which says nothing about
what it must change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from govcat.checking import engine
from govcat.core.access import obj, text
from govcat.core.findings import Finding
from govcat.core.workspace import Workspace

VERSION_RULES = ("GC704", "GC707")


@dataclass(frozen=True)
class Effect:
    department: str
    file: str
    line: int | None
    code: str
    change: str  # "added" | "removed"
    message: str
    cell: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"department": self.department, "file": self.file, "line": self.line, "code": self.code,
                "change": self.change, "message": self.message, **({"cell": self.cell} if self.cell else {})}


def _run(paths: list[Path], edition: Path, workspace: Workspace, as_of: date, lang: str, cwd: Path
         ) -> engine.Outcome:
    settings = engine.Settings(paths=paths, as_of=as_of, lang=lang, cwd=cwd, workspace=workspace, edition=edition,
                               cache=True)
    return engine.run(settings, keep_documents=False)


def _key(f: Finding) -> tuple[str, str, str]:
    return (f.file, f.code, f.pointer)


def effects(paths: list[Path], old: Path, new: Path, workspace: Workspace, as_of: date, lang: str = "zh",
            cwd: Path | None = None) -> list[Effect]:
    where = cwd or Path.cwd()
    before = _run(paths, old, workspace, as_of, lang, where)
    after = _run(paths, new, workspace, as_of, lang, where)
    departments = _departments(after) | _departments(before)
    found_before = {_key(f): f for f in before.report.findings if f.code not in VERSION_RULES}
    found_after = {_key(f): f for f in after.report.findings if f.code not in VERSION_RULES}
    out = [_effect(f, "added", departments) for key, f in found_after.items() if key not in found_before]
    out += [_effect(f, "removed", departments) for key, f in found_before.items() if key not in found_after]
    return sorted(out, key=lambda e: (e.department, e.code, e.change, e.file, e.line or 0))


def _departments(outcome: engine.Outcome) -> dict[str, str]:
    """File -> the department's name (registered name, else the name the catalog declares, else its code)."""
    names: dict[str, str] = {}
    for doc in outcome.docs:
        provider = obj(obj(doc.data).get("provider"))
        code = text(provider.get("code")) or ""
        registered = obj((outcome.registry or {}).get(code))
        names[doc.display] = text(registered.get("name")) or text(provider.get("name")) or code or doc.display
    return names


def _effect(f: Finding, change: str, departments: dict[str, str]) -> Effect:
    return Effect(departments.get(f.file, f.file), f.file, f.line, f.code, change, f.message, f.cell)
