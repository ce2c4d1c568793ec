"""Where a version of the standard comes from, for `govcat diff`, `release` and `migrate`.

A side of a comparison is named by a released version (`1.0.0`, `1.0`: `releases/<version>/`), a
folder holding a standards repository, or a git revision of the workspace (`main`, `HEAD~3`,
`v1.0.0`). Each resolves to an `Edition`: a folder holding the generated standard (`model.json`
for the diff, `standard.json` and the JSON Schemas for validating catalogs under it). Releases are
used as they are; a folder or a revision is generated from its `schema/` into a temporary folder
(LinkML, the authoring extra), so uncommitted or stale artifacts never decide a comparison.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcat.core.errors import UsageError
from govcat.core.workspace import MARKER, Workspace
from govcat.standard.library import releases
from govcat.standard.versions import Version, parse

# What an edition holds: enough to compare it (model) and to validate catalogs under it.
ARTIFACTS = ("model", "standard", "json-schema")


@dataclass(frozen=True)
class Edition:
    label: str  # how the user named it: `1.0.0`, `main`, a folder
    folder: Path  # standard.json, model.json, catalog.schema.json, registry.schema.json

    @property
    def model(self) -> dict[str, Any]:
        path = self.folder / "model.json"
        if not path.is_file():
            raise UsageError(f"{self.label}：缺少 model.json（该版本早于 govcat diff，请从其 git 版本比较）")
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)  # type: ignore[no-any-return]

    @property
    def version(self) -> str:
        return str(self.model.get("version"))


def latest_release(workspace: Workspace) -> tuple[Version, Path] | None:
    found = releases(workspace.data)
    return max(found.items()) if found else None


def resolve(spec: str | None, workspace: Workspace, scratch: Path, *, default: str) -> Edition:
    """The edition ``spec`` names; ``default`` when it is None: "latest" (the newest release) or
    "working" (the workspace's schema as it is now)."""
    if spec is None:
        if default == "latest":
            latest = latest_release(workspace)
            if latest is None:
                raise UsageError("还没有任何发布的版本（releases/ 为空）：请用 --from 指定 git 版本或文件夹，或先运行 govcat release")
            return Edition(str(latest[0]), latest[1])
        root = workspace.require("diff")
        return Edition("工作区", generate(root, scratch / "working"))
    path = Path(spec)
    if (path / MARKER).is_file():
        return Edition(spec, generate(path, scratch / "folder"))
    if path.is_dir() and (path / "model.json").is_file():
        return Edition(spec, path)  # a release folder given by path
    version = parse(spec)
    if version is not None:
        known = releases(workspace.data)
        matching = [v for v in known if v == version or (spec.count(".") == 1 and v.line == version.line)]
        if matching:
            chosen = max(matching)
            return Edition(str(chosen), known[chosen])
    root = workspace.require("diff")
    return Edition(spec, generate(checkout(root, spec, scratch / "revision"), scratch / f"rev-{_safe(spec)}"))


def _safe(spec: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in spec)[:40]


def checkout(root: Path, revision: str, into: Path) -> Path:
    """The revision's `schema/` (and nothing else) extracted into ``into``; a usage error when it
    is not a revision of the repository or holds no standard."""
    try:
        archive = subprocess.run(["git", "archive", "--format=tar", revision, "schema"], cwd=root,
                                 capture_output=True, timeout=120)
    except FileNotFoundError:
        raise UsageError("比较 git 版本需要 git，但找不到 git 命令") from None
    if archive.returncode != 0:
        detail = archive.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise UsageError(f"“{revision}”既不是已发布的版本、标准仓库文件夹，也不是 git 版本"
                         f"（{detail[-1] if detail else 'git archive 失败'}）")
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")  # the data filter refuses links and paths out of `into`
    if not (into / MARKER).is_file():
        raise UsageError(f"git 版本 {revision} 中没有 {MARKER.as_posix()}")
    return into


def generate(root: Path, into: Path) -> Path:
    """Generate the edition of the standards repository at ``root`` into ``into``."""
    from govcat.publishing.generators import TARGETS  # LinkML: only when a repository is compared

    into.mkdir(parents=True, exist_ok=True)
    try:
        files = {rel: text for name in ARTIFACTS for rel, text in TARGETS[name](root).items()}
    except ImportError as exc:
        raise UsageError(f"比较标准仓库需要 LinkML：pip install 'govcat[schema]'（{exc}）") from exc
    except Exception as exc:  # a schema LinkML cannot read is the user's input, not our bug
        raise UsageError(f"无法读取 {root / 'schema'} 中的标准：{type(exc).__name__}: {exc}") from exc
    for rel, text in files.items():
        (into / Path(rel).name).write_text(text, encoding="utf-8")
    return into


def scratch() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="govcat-diff-")
