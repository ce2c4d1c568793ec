"""JUnit XML for CI test reports (GitLab, Jenkins): a suite per file, a case per finding, and a
passing case for a clean file so it shows up as green."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from govcat.core.findings import Report
from govcat.reporting.text import location

# Characters XML 1.0 cannot hold, not even escaped: catalog text with one (a `"\x07"` in YAML, a
# U+FFFF) would make the whole report unreadable for the CI that parses it. Written as `\uXXXX`.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render(report: Report, color: bool = False) -> str:
    root = ET.Element("testsuites", name="govcat")
    by_file = {file: list(fs) for file, fs in groupby(report.findings, key=lambda f: f.file)}
    total = failures = 0
    for file in sorted({*report.paths, *by_file}):
        findings = by_file.get(file, [])
        failing = [f for f in findings if f.severity in ("error", "warning")]
        name = _xml(file)
        suite = ET.SubElement(root, "testsuite", name=name, tests=str(max(len(findings), 1)),
                              failures=str(len(failing)), errors="0", skipped="0")
        if not findings:
            ET.SubElement(suite, "testcase", classname=name, name="govcat validate", file=name)
        for f in findings:
            where, message = _xml(location(f)), _xml(f.message)
            record = f" {_xml(str(f.record['code']))}" if f.record and f.record.get("code") else ""
            case = ET.SubElement(suite, "testcase", classname=f"{f.code}.{f.name}", file=name,
                                 name=f"{where} {f.code}{record}")
            if f.line is not None:
                case.set("line", str(f.line))
            if f.severity in ("error", "warning"):
                failure = ET.SubElement(case, "failure", type=f"{f.code} {f.severity}", message=message)
                failure.text = f"{where}: {f.code} {message}" + (f"\n{f.url(report.docs_url)}" if report.docs_url else "")
            else:
                ET.SubElement(case, "system-out").text = f"{where}: {f.code} {message}"
        total += max(len(findings), 1)
        failures += len(failing)
    root.set("tests", str(total))
    root.set("failures", str(failures))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
