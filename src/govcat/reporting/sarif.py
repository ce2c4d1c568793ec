"""SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab): only the rules that matched, each with
its docs page as helpUri, and fingerprints that survive lines moving."""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath
from typing import Any

from govcat import __version__
from govcat.core.findings import Finding, Report, rule_url

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def fingerprint(f: Finding) -> str:
    """Stable across edits elsewhere in the file: the rule, the file, the record's code (or the
    pointer when there is no record) and the path inside the record — never the line number."""
    inside = f.pointer.split("/", 3)[3] if f.record and f.pointer.count("/") >= 3 else ""
    anchor = (f.record or {}).get("code") or f.pointer
    return hashlib.sha256("\x1f".join((f.code, f.file, str(anchor), inside)).encode()).hexdigest()[:32]


def _uri(file: str) -> dict[str, str]:
    path = PurePosixPath(file)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": file, "uriBaseId": "%SRCROOT%"}


def _rule(f: Finding, report: Report) -> dict[str, Any]:
    from govcat.checking.rules import BY_CODE

    rule = BY_CODE[f.code]
    out = {
        "id": rule.code, "name": rule.name,
        "shortDescription": {"text": f"{rule.code} {rule.name}"},
        "fullDescription": {"text": report.rule_summaries.get(rule.code) or f"{rule.code} {rule.name}"},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
    }
    url = rule_url(report.docs_url, rule.code)
    if url:
        out["helpUri"] = url
    return out


def _result(f: Finding, index: int) -> dict[str, Any]:
    region: dict[str, Any] = {}
    if f.line is not None:
        region = {"startLine": f.line, "startColumn": f.column}
        if f.end_line is not None:
            region["endLine"] = f.end_line
            if f.end_column is not None:
                region["endColumn"] = f.end_column
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": _uri(f.file)}}
    if region:
        location["physicalLocation"]["region"] = region
    if f.pointer:
        location["logicalLocations"] = [{"fullyQualifiedName": f.pointer, "kind": "member"}]
    result: dict[str, Any] = {
        "ruleId": f.code, "ruleIndex": index, "level": _LEVEL[f.severity],
        "message": {"text": f.message}, "locations": [location],
        "partialFingerprints": {"govcatFindingHash/v1": fingerprint(f)},
    }
    properties = {k: v for k, v in (("sheet", f.sheet), ("cell", f.cell), ("record", f.record)) if v}
    if properties:
        result["properties"] = properties
    return result


def render(report: Report, color: bool = False) -> str:
    codes = sorted({f.code for f in report.findings})
    index = {code: i for i, code in enumerate(codes)}
    first = {code: next(f for f in report.findings if f.code == code) for code in codes}
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "govcat", "version": __version__,
                                **({"informationUri": report.docs_url} if report.docs_url else {}),
                                "rules": [_rule(first[c], report) for c in codes]}},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the directory govcat ran in"}}},
            "properties": {"standardVersion": report.standard_version, "asOf": report.as_of},
            "results": [_result(f, index[f.code]) for f in report.findings],
        }],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"
