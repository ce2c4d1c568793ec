"""Every rule's cases, as data: `tests/rules/<CODE>.yaml` holds valid snippets (no finding at all)
and invalid snippets listing the exact `[file, line, column, code]` findings of that rule. Most
snippets are changes to one base catalog (`tests/cases.py` says how they are written and rendered)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from govcat.core.findings import Report
from govcat.core.workspace import Workspace
from tests.cases import RULES_DIR, load_base, load_cases, read_yaml, render, show
from tests.conftest import run, workspace_path, write_workspace


def _expected(case: dict[str, Any]) -> list[tuple[str, int, int, str]]:
    files = list(case["files"])
    out = []
    for entry in case.get("expect", []):
        if len(entry) == 3:
            assert len(files) == 1, "a case with several files names the file of each finding"
            entry = [files[0], *entry]
        out.append((workspace_path(entry[0]), int(entry[1]), int(entry[2]), str(entry[3])))
    return sorted(out)


def _report(root: Path, case: dict[str, Any], options: dict[str, Any]) -> Report:
    """The findings of the command a case names: `validate` (the default) or, for a rule only
    `govcat migrate` reports (GC708), migrate in check mode, which writes nothing."""
    paths = [root / p for p in case["paths"]] if "paths" in case else None
    if case.get("command") == "migrate":
        from govcat.lifecycle import migrate

        return migrate.run(migrate.Settings(paths=paths or [root / "catalogs"], check=True, cwd=root)).report
    return run(root, paths, **options)


@pytest.mark.parametrize(("code", "kind", "case"),
                         [pytest.param(*c, id=f"{c[0]}-{c[1]}-{c[2]['name']}") for c in load_cases()])
def test_rule_case(tmp_path: Path, code: str, kind: str, case: dict[str, Any], request: pytest.FixtureRequest) -> None:
    write_workspace(tmp_path, case["files"])
    # `standard: lifecycle`: judged by the 2.0.0 of tests/lifecycle_fixture.py, with 1.0.0 released.
    options: dict[str, Any] = {"workspace": Workspace(request.getfixturevalue("lifecycle"))} if case.get("standard") == "lifecycle" else {}
    if "as_of" in case:
        options["as_of"] = date.fromisoformat(str(case["as_of"]))
    report = _report(tmp_path, case, options)
    found = [(f.file, f.line, f.column, f.code) for f in report.findings]
    messages = "\n".join(f"{f.file}:{f.line}:{f.column} {f.code} {f.message}" for f in report.findings)
    if kind == "valid":
        assert found == [], f"a valid case must give no finding at all:\n{messages}\n{show(case)}"
    else:
        mine = sorted(x for x in found if x[3] == code)
        assert mine == _expected(case), f"\n{messages}\n{show(case)}"


def test_the_base_renders_as_written() -> None:
    """The renderer's layout is the example's: a case that changes nothing validates the base's own
    text, and a change moves only the lines it touches."""
    base = load_base()
    assert render(base.data) == base.text
    # the other resources are written in _base.yaml as they render, so reading one is reading the case
    others = [r for r in base.resources.values() if r not in base.data["resources"]]
    written = (RULES_DIR / "_base.yaml").read_text(encoding="utf-8")
    assert written.endswith("\n" + render({"resources": others}))


def test_changed_files_read_back_as_changed() -> None:
    """Quoting is right: every rendered file reads back as the data the case meant (the validator's
    typing, so `"1.0"` stays text and `2025-02-30` is not a date)."""
    for _, _, case in load_cases():
        for name, data in case["changed"].items():
            # as JSON, so that order and type count too (1 is not true, "1" is not 1)
            assert json.dumps(read_yaml(case["files"][name])) == json.dumps(data), (case["name"], name)


@pytest.mark.parametrize("text", ["1.0", "307001001/000001", "010100", "2025-02-30", "yes", "null", "", " 首尾空格 ",
                                  "a: b", "- x", "#x", "https://x", "a,b", "婚姻\x00登记", "a\x85b", "x\u2028y"])
def test_a_text_renders_as_text(text: str) -> None:
    """Text a case sets stays that text, whether it lands in block or flow context."""
    data = {"k": text, "resources": [{"items": [{"v": text}]}]}
    assert read_yaml(render(data)) == data
