"""Where a command stands: the standards repository it is run in, or none.

A workspace is the nearest folder at or above the current directory holding `schema/govcat.yaml`
(SPEC §6.1), or the folder `--workspace` names; never the installed package's location. Inside one,
every command works on that repository: its standard (`generated/`), its catalogs, its site.
Outside one, the standard shipped in the wheel serves `validate`, `template`, `convert` and
`explain`, and the commands that write a repository's files say what they need.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from govcat.core import paths
from govcat.core.errors import UsageError

MARKER = Path("schema") / "govcat.yaml"


def find(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds a standard."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / MARKER).is_file():
            return folder
    return None


@dataclass(frozen=True)
class Workspace:
    root: Path | None  # the standards repository; None: outside any, the shipped standard serves

    @property
    def data(self) -> Path:
        """The folder holding `schema/` and `generated/`: the repository, or the shipped data."""
        return self.root if self.root is not None else paths.data_root()

    @property
    def generated(self) -> Path:
        return self.data / "generated"

    @property
    def schema(self) -> Path:
        return self.data / "schema"

    def require(self, command: str) -> Path:
        """The repository's root, or a usage error naming what ``command`` needs."""
        if self.root is None:
            raise UsageError(f"{command} 需要在标准仓库中运行：当前目录及其上级都没有 {MARKER.as_posix()}"
                             "（可用 --workspace 指定标准仓库的文件夹）")
        return self.root


def locate(explicit: Path | None = None, cwd: Path | None = None) -> Workspace:
    """The workspace named by ``--workspace``, else the one the current directory lies in."""
    if explicit is not None:
        if not (explicit / MARKER).is_file():
            raise UsageError(f"--workspace {explicit}：该文件夹中没有 {MARKER.as_posix()}，不是标准仓库")
        return Workspace(explicit.resolve())
    return Workspace(find(cwd or Path.cwd()))
