"""Every rule's cases, as data: `tests/rules/<CODE>.yaml` holds valid snippets (no finding at all)
and invalid snippets listing the exact `[file, line, column, code]` findings of that rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import DEFAULT_PROVIDER, run, write_workspace

CASES_DIR = Path(__file__).parent / "rules"


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("GC*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind in ("valid", "invalid"):
            for case in spec.get(kind) or []:
                params.append(pytest.param(path.stem, kind, case, id=f"{path.stem}-{kind}-{case['name']}"))
    return params


def _expected(case: dict[str, Any]) -> list[tuple[str, int, int, str]]:
    files = list(case["files"])
    out = []
    for entry in case.get("expect", []):
        if len(entry) == 3:
            assert len(files) == 1, "a case with several files names the file of each finding"
            entry = [files[0], *entry]
        at_root = "/" in entry[0] or entry[0] in (".govcat.yaml", "pyproject.toml")
        name = entry[0] if at_root else f"catalogs/{DEFAULT_PROVIDER}/{entry[0]}"
        out.append((name, int(entry[1]), int(entry[2]), str(entry[3])))
    return sorted(out)


@pytest.mark.parametrize(("code", "kind", "case"), _cases())
def test_rule_case(tmp_path: Path, code: str, kind: str, case: dict[str, Any]) -> None:
    write_workspace(tmp_path, case["files"])
    paths = [tmp_path / p for p in case["paths"]] if "paths" in case else None
    report = run(tmp_path, paths)
    found = [(f.file, f.line, f.column, f.code) for f in report.findings]
    if kind == "valid":
        assert found == [], f"a valid case must give no finding at all: {[f.message for f in report.findings]}"
    else:
        mine = sorted(x for x in found if x[3] == code)
        assert mine == _expected(case), [f"{f.file}:{f.line}:{f.column} {f.code} {f.message}"
                                          for f in report.findings]
