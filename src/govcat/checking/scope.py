"""Which files a run validates, and which department registry it uses (SPEC §2.5)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from govcat.core.errors import UsageError
from govcat.core.fields import REGISTRY_NAME, WORKBOOK_SUFFIXES, YAML_SUFFIXES
from govcat.core.paths import real


@dataclass
class Workspace:
    catalogs: list[Path]
    registry: Path | None  # None: no registry found, registration is not judged
    registry_in_scope: bool  # validate the registry itself and report its findings
    start: Path  # the deepest folder holding every validated path: config and registry are searched upward
    # The workspace's other catalogs, read as context for the cross-catalog rules when only part of
    # the workspace is validated (a department's folder, the files pre-commit passes).
    context: list[Path] = field(default_factory=list)
    # Folders that could not be listed (no permission, vanished): the catalogs in them went unchecked (GC009).
    unreadable: list[tuple[Path, OSError]] = field(default_factory=list)

    @property
    def registry_dir(self) -> Path | None:
        return real(self.registry).parent if self.registry is not None else None


def _files_in(folder: Path, unreadable: list[tuple[Path, OSError]]) -> list[Path]:
    """Catalog files under ``folder``; folders that cannot be listed go to ``unreadable`` (os.walk
    would skip them silently, and with them every catalog inside)."""
    found = []

    def failed(exc: OSError) -> None:
        unreadable.append((Path(exc.filename) if exc.filename else folder, exc))

    for root, dirs, files in os.walk(folder, onerror=failed):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if name.startswith(".") or path.suffix.lower() not in YAML_SUFFIXES + WORKBOOK_SUFFIXES:
                continue
            if name.startswith("~$"):  # Excel's lock file beside an open workbook
                continue
            found.append(path)
    return found


def _nearest_registry(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        for candidate in (folder / REGISTRY_NAME, folder / "catalogs" / REGISTRY_NAME):
            if candidate.is_file():
                return candidate
    return None


def discover(paths: list[Path], registry: Path | None, *, isolated: bool = False) -> Workspace:
    """The files to check and the registry to use. Paths inside a workspace (the folder holding
    `departments.yaml`, usually `catalogs/`) get the workspace's other catalogs as context, unless
    ``isolated`` or an explicit ``registry`` says that they stand alone."""
    catalogs: list[Path] = []
    registries: list[Path] = []
    unreadable: list[tuple[Path, OSError]] = []
    for path in paths:
        if not os.path.lexists(path):  # a dangling or looping link is there: reading it says why (GC009)
            raise UsageError(f"路径不存在：{path}")
        if path.is_dir():
            for file in _files_in(path, unreadable):
                (registries if file.name == REGISTRY_NAME and file.parent == path else catalogs).append(file)
        elif path.name == REGISTRY_NAME:
            registries.append(path)
        else:
            catalogs.append(path)
    if not catalogs and not registries and not unreadable:
        shown = "、".join(str(p) for p in paths)
        raise UsageError(f"在 {shown} 中没有找到目录文件（.yaml、.yml 或 .xlsx）")
    starts = [real(p) if p.is_dir() else real(p).parent for p in paths]
    common = Path(os.path.commonpath([str(s) for s in starts]))
    if registry is not None:
        if not registry.is_file():
            raise UsageError(f"--registry 指定的提供方名录不存在：{registry}")
        return Workspace(_unique(catalogs), registry, True, common, unreadable=unreadable)
    if registries:
        return Workspace(_unique(catalogs), registries[0], True, common, unreadable=unreadable)
    found = _nearest_registry(common)
    selected = _unique(catalogs)
    context: list[Path] = []
    if found is not None and not isolated:
        # Absolute paths, not resolved ones: a province has thousands of files, and resolving each costs
        # a system call per path component. Both sides are listed the same way, so they compare alike.
        chosen = {os.path.abspath(p) for p in selected} | {os.path.abspath(found)}
        # A folder of the context that cannot be listed is reported too: its catalogs were not compared.
        context = [p for p in _files_in(found.parent, unreadable) if os.path.abspath(p) not in chosen]
    return Workspace(selected, found, False, common, context, unreadable)


def _unique(paths: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    out = []
    for path in paths:
        key = real(path)
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out
