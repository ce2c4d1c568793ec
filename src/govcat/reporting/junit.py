"""JUnit XML for CI test reports (GitLab, Jenkins): a suite per file, a case per finding, and a
passing case for a clean file so it shows up as green."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from govcat.core.findings import Report
from govcat.reporting.text import location


def render(report: Report, color: bool = False) -> str:
    root = ET.Element("testsuites", name="govcat")
    by_file = {file: list(fs) for file, fs in groupby(report.findings, key=lambda f: f.file)}
    total = failures = 0
    for file in sorted({*report.paths, *by_file}):
        findings = by_file.get(file, [])
        failing = [f for f in findings if f.severity in ("error", "warning")]
        suite = ET.SubElement(root, "testsuite", name=file, tests=str(max(len(findings), 1)),
                              failures=str(len(failing)), errors="0", skipped="0")
        if not findings:
            ET.SubElement(suite, "testcase", classname=file, name="govcat validate", file=file)
        for f in findings:
            case = ET.SubElement(suite, "testcase", classname=f"{f.code}.{f.name}", file=file,
                                 name=f"{location(f)} {f.code}" + (f" {f.record['code']}" if f.record and
                                                                    f.record.get("code") else ""))
            if f.line is not None:
                case.set("line", str(f.line))
            if f.severity in ("error", "warning"):
                failure = ET.SubElement(case, "failure", type=f"{f.code} {f.severity}", message=f.message)
                failure.text = f"{location(f)}: {f.code} {f.message}" + (f"\n{f.url(report.docs_url)}" if report.docs_url else "")
            else:
                ET.SubElement(case, "system-out").text = f"{location(f)}: {f.code} {f.message}"
        total += max(len(findings), 1)
        failures += len(failing)
    root.set("tests", str(total))
    root.set("failures", str(failures))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
