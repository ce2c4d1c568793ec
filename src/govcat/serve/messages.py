"""The server's own error messages, Chinese first with English (the report's messages come from the rules)."""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, tuple[str, str]] = {
    "upload_too_large": ("上传内容超过 {limit_mb} MB 的上限", "the upload exceeds the limit of {limit_mb} MB"),
    "no_file": ("没有收到文件：请用表单字段 file 上传（可重复），或以请求体上传并给出 ?filename=",
                "no file received: upload with the multipart field 'file' (repeatable), or send the body with ?filename="),
    "too_many_files": ("一次最多上传 {limit} 个文件", "at most {limit} files per request"),
    "bad_multipart": ("无法解析上传的表单（multipart）：{detail}", "the multipart form cannot be parsed: {detail}"),
    "bad_parameter": ("参数 {name} 的值无效：{value}（{expected}）", "invalid value for {name}: {value} ({expected})"),
    "bad_filename": ("文件名无效：{value}", "invalid file name: {value}"),
    "saturated": ("校验服务繁忙，请 {retry} 秒后重试", "the validator is busy; retry in {retry} s"),
    "time_limit": ("校验超过 {seconds} 秒的时限，已中止：文件过大或过于复杂，请拆分后再试",
                   "validation stopped after the time limit of {seconds} s: split the file and retry"),
    "worker_crashed": ("校验进程意外退出（可能内存不足）：请拆分文件后再试；服务不受影响",
                       "the validation process ended unexpectedly (out of memory?): split the file and retry; "
                       "the service is unaffected"),
    "zip_limits": ("工作簿“{file}”被拒绝：{detail}", "the workbook '{file}' is refused: {detail}"),
    "zip_parts": ("包含 {count} 个部件，超过上限 {limit}", "it holds {count} parts, more than the limit of {limit}"),
    "zip_size": ("解压后超过 {limit_mb} MB 的上限（可能是压缩炸弹）",
                 "it expands beyond the limit of {limit_mb} MB (a zip bomb?)"),
    "zip_rows": ("各工作表合计超过在线校验的上限 {limit} 行：请按信息资源拆分为几个工作簿，或在本地用 govcat validate 校验",
                 "its sheets hold more than the web validator's limit of {limit} rows: split it by resource, or "
                 "validate it locally with govcat validate"),
    "no_workbook": ("format=xlsx 需要上传一个 .xlsx 工作簿", "format=xlsx needs an uploaded .xlsx workbook"),
    "which_workbook": ("上传了多个工作簿，请用 ?workbook= 指定要返回批注版的文件：{names}",
                       "several workbooks were uploaded; choose one with ?workbook=: {names}"),
    "workbook_too_large": ("工作簿“{file}”过大（工作表共 {size_mb} MB），无法生成批注版；请下载 JSON 或 CSV 报告",
                           "the workbook '{file}' is too large ({size_mb} MB of sheets) to annotate; "
                           "download the JSON or CSV report instead"),
    "unknown_rule": ("未知的规则：{code}", "unknown rule: {code}"),
    "not_found": ("没有这个地址：{path}", "no such address: {path}"),
    "method_not_allowed": ("该地址不支持 {method} 请求", "{method} is not allowed here"),
    "usage": ("{detail}", "{detail}"),
    "internal": ("服务内部错误：{detail}。请把请求和文件报告给标准维护方",
                 "internal error: {detail}. Please report the request and file to the standard's maintainers"),
}


def message(key: str, lang: str, /, **args: Any) -> str:
    """The message of ``code``; an argument given as ``(code, args)`` is itself a message, in the same language."""
    zh, en = MESSAGES[key]
    local = {k: message(v[0], lang, **v[1]) if isinstance(v, tuple) else v for k, v in args.items()}
    return (en if lang == "en" else zh).format(**local)


def error_body(key: str, lang: str, status: int, /, **args: Any) -> dict[str, Any]:
    """The JSON every error answers with: ``{"error": {"code", "status", "message"}}``."""
    return {"error": {"code": key, "status": status, "message": message(key, lang, **args)}}
