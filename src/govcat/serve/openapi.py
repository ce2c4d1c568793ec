"""The API's OpenAPI 3.1 description, served at `/api/v1/openapi.json` (SPEC §6.4)."""

from __future__ import annotations

from typing import Any

from govcat import __version__

_ERROR = {"description": "错误（error）", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_LANG = {"name": "lang", "in": "query", "required": False, "description": "消息语言（message language）",
         "schema": {"type": "string", "enum": ["zh", "en"], "default": "zh"}}


def document(max_upload_mb: int) -> dict[str, Any]:
    finding = {
        "type": "object",
        "required": ["code", "name", "severity", "message", "file", "line", "column", "end_line", "end_column",
                     "pointer", "sheet", "cell", "record", "url"],
        "properties": {
            "code": {"type": "string", "pattern": "^GC\\d{3}$"}, "name": {"type": "string"},
            "severity": {"type": "string", "enum": ["error", "warning", "info"]}, "message": {"type": "string"},
            "file": {"type": "string", "description": "上传时的文件名（the uploaded file's name）"},
            "line": {"type": ["integer", "null"]}, "column": {"type": ["integer", "null"]},
            "end_line": {"type": ["integer", "null"]}, "end_column": {"type": ["integer", "null"]},
            "pointer": {"type": "string"}, "sheet": {"type": ["string", "null"]}, "cell": {"type": ["string", "null"]},
            "record": {"type": ["object", "null"]}, "url": {"type": "string"},
        },
    }
    report = {
        "type": "object", "required": ["tool", "standard", "as_of", "summary", "findings"],
        "description": "与 `govcat validate --format json` 相同的报告（SPEC §3.3）；`?include=rows` 时另有 `sheets`。",
        "properties": {
            "tool": {"type": "object"}, "standard": {"type": "object"}, "as_of": {"type": "string", "format": "date"},
            "summary": {"type": "object", "properties": {k: {"type": "integer"} for k in
                                                         ("files", "resources", "items", "error", "warning", "info")}},
            "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
            "sheets": {"type": "object", "description": "文件名 -> 工作表 -> 有发现的行（rows holding findings）"},
        },
    }
    rule = {"type": "object", "required": ["code", "name", "severity", "summary", "message", "url"],
            "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "severity": {"type": "string"},
                           "summary": {"type": "string"}, "message": {"type": "object"}, "url": {"type": "string"},
                           "doc": {"type": "string", "description": "规则说明（Markdown）"}}}
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return {
        "openapi": "3.1.0",
        "info": {"title": "govcat 在线校验 API", "version": __version__,
                 "description": "上传部门目录（.xlsx、.yaml、.yml），得到与命令行相同的校验报告。"
                                f"上传上限 {max_upload_mb} MB。Errors are JSON with a message in the request's language."},
        "paths": {
            "/api/v1/validate": {"post": {
                "summary": "校验上传的目录文件（validate uploaded catalog files）",
                "operationId": "validate",
                "parameters": [
                    {"name": "format", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": ["json", "sarif", "junit", "csv", "xlsx"], "default": "json"},
                     "description": "xlsx：带批注的工作簿（the uploaded workbook, annotated）"},
                    {"name": "as_of", "in": "query", "required": False, "schema": {"type": "string", "format": "date"}},
                    _LANG,
                    {"name": "filename", "in": "query", "required": False, "schema": {"type": "string"},
                     "description": "以原始请求体上传时的文件名（the file's name when the body is the file）"},
                    {"name": "workbook", "in": "query", "required": False, "schema": {"type": "string"},
                     "description": "format=xlsx 且上传了多个工作簿时，要批注的文件名"},
                    {"name": "include", "in": "query", "required": False, "schema": {"type": "string", "enum": ["rows"]},
                     "description": "rows：报告中附带有发现的工作表行（`sheets`），供页面显示"},
                ],
                "requestBody": {"required": True, "content": {
                    "multipart/form-data": {"schema": {"type": "object", "properties": {
                        "file": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                }},
                "responses": {
                    "200": {"description": "报告（the report）", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Report"}},
                        "application/sarif+json": {"schema": {"type": "object"}},
                        "application/xml": {"schema": {"type": "string"}},
                        "text/csv": {"schema": {"type": "string"}},
                        xlsx: {"schema": {"type": "string", "format": "binary"}}}},
                    "400": _ERROR, "413": _ERROR, "422": _ERROR, "429": _ERROR, "500": _ERROR, "503": _ERROR,
                },
            }},
            "/api/v1/rules": {"get": {"summary": "全部规则（every rule）", "operationId": "rules", "responses": {
                "200": {"description": "规则列表", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"rules": {"type": "array",
                                                               "items": {"$ref": "#/components/schemas/Rule"}}}}}}}}}},
            "/api/v1/rules/{code}": {"get": {
                "summary": "一条规则及其说明（one rule with its docs page）", "operationId": "rule",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}, _LANG],
                "responses": {"200": {"description": "规则", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Rule"}}}}, "404": _ERROR}}},
            "/api/v1/template": {"get": {"summary": "空白填报模板（the blank Excel template）", "operationId": "template",
                                         "responses": {"200": {"description": "模板", "content": {
                                             xlsx: {"schema": {"type": "string", "format": "binary"}}}},
                                             "429": _ERROR}}},
            "/api/v1/openapi.json": {"get": {"summary": "本文档（this document）", "operationId": "openapi",
                                             "responses": {"200": {"description": "OpenAPI",
                                                                   "content": {"application/json": {}}}}}},
            "/healthz": {"get": {"summary": "健康检查（health）", "operationId": "health", "responses": {
                "200": {"description": "运行中", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        },
        "components": {"schemas": {
            "Finding": finding, "Report": report, "Rule": rule,
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "status", "message"],
                "properties": {"code": {"type": "string"}, "status": {"type": "integer"},
                               "message": {"type": "string"}}}}},
        }},
    }
