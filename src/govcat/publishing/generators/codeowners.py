"""CODEOWNERS from the department registry: each `catalogs/<code>/` belongs to the department's
maintainers, and the standard's files to the standards authors (`owners.standard` in .govcat.yaml).

Together with GC701 (a catalog must declare the provider of its folder) this is what keeps one
department from publishing in another's name: the folder needs its owners' review, and the
catalog inside cannot claim to be someone else's.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from govcat.publishing.generators import header

STANDARD_PATHS = ("/schema/", "/generated/", "/scripts/", "/data/", "/src/", "/catalogs/departments.yaml",
                  "/.govcat.yaml")


def generate(root: Path) -> dict[str, str]:
    registry = yaml.safe_load((root / "catalogs" / "departments.yaml").read_text(encoding="utf-8")) or {}
    config_file = root / ".govcat.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8")) if config_file.is_file() else {}
    authors = " ".join((config or {}).get("owners", {}).get("standard", []))
    lines = [f"# {header('codeowners')}", "", "# 标准、生成物与提供方名录：标准编制人员"]
    lines += [f"{path:<40} {authors}".rstrip() for path in STANDARD_PATHS]
    lines += ["", "# 各部门目录：提供方名录中登记的维护人"]
    for dept in sorted(registry.get("departments", []), key=lambda d: str(d.get("code"))):
        owners = " ".join(str(m) for m in dept.get("maintainers") or [])
        lines.append(f"# {dept.get('name', '')}")
        lines.append(f"{'/catalogs/' + str(dept.get('code')) + '/':<40} {owners or authors}".rstrip())
    return {".github/CODEOWNERS": "\n".join(lines) + "\n"}
