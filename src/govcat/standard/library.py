"""The versions of the standard a workspace knows: the current one (`generated/`) and every release
(`releases/<version>/`). A catalog is validated against the release its `standard_version` names:
the latest release of that minor line (`1.0` and `1.0.2` both mean the newest 1.0.x), or the
current standard when it is of that line or when no release matches (GC704 then says so)."""

from __future__ import annotations

from pathlib import Path

from govcat.standard.model import Standard, load
from govcat.standard.versions import Version, parse

RELEASES = "releases"


def releases(data: Path) -> dict[Version, Path]:
    """Version -> folder of every release under ``data/releases`` that holds a standard index."""
    found: dict[Version, Path] = {}
    folder = data / RELEASES
    if folder.is_dir():
        for entry in folder.iterdir():
            version = parse(entry.name)
            if version is not None and (entry / "standard.json").is_file() and str(version) == entry.name:
                found[version] = entry
    return dict(sorted(found.items()))


class Library:
    def __init__(self, current: Standard, released: dict[Version, Path]) -> None:
        self.current = current
        self.released = released
        self._line = parse(current.version)
        self._chosen: dict[tuple[int, int], Standard] = {}

    def for_version(self, declared: object) -> Standard:
        version = parse(declared)
        if version is None or self._line is None or version.line == self._line.line:
            return self.current
        if version.line not in self._chosen:
            matching = [v for v in self.released if v.line == version.line]
            self._chosen[version.line] = self._policy(load(self.released[max(matching)])) if matching else self.current
        return self._chosen[version.line]

    def _policy(self, std: Standard) -> Standard:
        """A release under the workspace's frequency policy, as the current standard is."""
        return std.with_policy(self.current.policy_overrides, self.current.grace_override)
