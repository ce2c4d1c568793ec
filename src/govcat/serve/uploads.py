"""The upload boundary: a request body -> named files in memory, and the checks made before any parsing.

Files are read into memory only, never spooled to disk (Starlette's own form parser would roll big
parts over into temporary files): the request's size is bounded before and while it is read, so
memory is bounded too. A workbook is a zip; its part count and uncompressed size are checked here,
from the central directory in the main process and again by really inflating each part in the
worker (worker.py), so neither a lying header nor a zip bomb ever reaches the workbook reader.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from govcat.core.fields import WORKBOOK_SUFFIXES

MAX_FILES = 20
MAX_NAME = 120
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


@dataclass(frozen=True)
class Upload:
    name: str  # as the report shows it: the uploaded file's own name, made safe
    data: bytes

    @property
    def is_workbook(self) -> bool:
        return self.name.lower().endswith(WORKBOOK_SUFFIXES)


class UploadError(Exception):
    """A request the server refuses: an error code of messages.py, an HTTP status and the message's arguments."""

    def __init__(self, code: str, status: int, **args: Any) -> None:
        super().__init__(code)
        self.code, self.status, self.args_ = code, status, args


def safe_name(raw: str) -> str:
    """The base name of an uploaded file, without folders, control characters or a leading dot
    (a name like `.govcat.yaml` would otherwise be taken for a configuration file)."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: MAX_NAME - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 10 else name[:MAX_NAME]
    return name or "upload"


def unique_names(uploads: list[Upload]) -> list[Upload]:
    """Two uploads of the same name are both kept: the second becomes `name (2).xlsx`."""
    seen: set[str] = set()
    out = []
    for upload in uploads:
        name, n = upload.name, 1
        while name.lower() in seen:
            n += 1
            stem, dot, suffix = upload.name.rpartition(".")
            name = f"{stem} ({n}){dot}{suffix}" if dot else f"{upload.name} ({n})"
        seen.add(name.lower())
        out.append(Upload(name, upload.data))
    return out


async def read_body(stream: AsyncIterator[bytes], limit: int) -> bytes:
    """The whole body, refused with 413 as soon as it passes ``limit`` (a chunked body has no length)."""
    body = bytearray()
    async for chunk in stream:
        body += chunk
        if len(body) > limit:
            raise UploadError("upload_too_large", 413, limit_mb=limit // (1 << 20))
    return bytes(body)


async def read_multipart(content_type: str, stream: AsyncIterator[bytes], limit: int) -> list[Upload]:
    """The parts named `file` of a multipart/form-data body, in memory; other fields are ignored."""
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise UploadError("bad_multipart", 400, detail="no boundary")
    parts: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    header: dict[str, bytearray] = {"name": bytearray(), "value": bytearray()}

    def on_part_begin() -> None:
        current.clear()
        current.update(headers={}, data=bytearray())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header["name"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header["value"] += data[start:end]

    def on_header_end() -> None:
        current["headers"][bytes(header["name"]).lower()] = bytes(header["value"])
        header["name"], header["value"] = bytearray(), bytearray()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        current["data"] += data[start:end]

    def on_part_end() -> None:
        _, options = parse_options_header(current["headers"].get(b"content-disposition", b"").decode("latin-1"))
        if options.get(b"name") != b"file":
            return
        if len(parts) >= MAX_FILES:
            raise UploadError("too_many_files", 400, limit=MAX_FILES)
        raw = options.get(b"filename", b"")
        try:
            filename = raw.decode("utf-8")  # browsers send the name as UTF-8 bytes
        except UnicodeDecodeError:
            filename = raw.decode("latin-1")
        parts.append({"name": filename, "data": bytes(current["data"])})

    parser = MultipartParser(boundary, {  # type: ignore[arg-type]
        "on_part_begin": on_part_begin, "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_part_data": on_part_data, "on_part_end": on_part_end})
    size = 0
    try:
        async for chunk in stream:
            size += len(chunk)
            if size > limit:
                raise UploadError("upload_too_large", 413, limit_mb=limit // (1 << 20))
            parser.write(chunk)
        parser.finalize()
    except FormParserError as exc:
        raise UploadError("bad_multipart", 400, detail=type(exc).__name__) from None
    return unique_names([Upload(safe_name(p["name"]), p["data"]) for p in parts])


@dataclass(frozen=True)
class ZipLimits:
    max_parts: int
    max_unzipped: int  # bytes, all parts together
    max_rows: int = 100_000  # rows of all worksheets together: what a worker's memory is proportional to


def _rows_in(xml: bytes) -> int:
    """Row elements (`<row …>`, or `<x:row …>` with a prefix); `<rowBreaks>` counts too, harmlessly."""
    return xml.count(b"<row") + xml.count(b":row")


def check_declared(upload: Upload, limits: ZipLimits) -> UploadError | None:
    """What the zip's central directory says, without inflating anything. A file that is not a zip
    at all passes: the workbook reader reports it as a finding (GC006), as `govcat validate` does."""
    try:
        with zipfile.ZipFile(io.BytesIO(upload.data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    return _over(upload.name, len(infos), sum(i.file_size for i in infos), limits)


def check_inflated(upload: Upload, limits: ZipLimits) -> UploadError | None:
    """Inflate every part, counting bytes and stopping at the limit: a header may lie about sizes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(upload.data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    total = rows = 0
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_parts:
            return _over(upload.name, len(infos), 0, limits)
        for info in infos:
            sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            carry = b""
            try:
                with archive.open(info) as part:
                    while chunk := part.read(1 << 20):
                        total += len(chunk)
                        if total > limits.max_unzipped:
                            return _over(upload.name, len(infos), total, limits)
                        if sheet:  # a tag split between two reads is counted once: what the carry held is taken off
                            rows += _rows_in(carry + chunk) - _rows_in(carry)
                            carry = chunk[-8:]
                            if rows > limits.max_rows:
                                return UploadError("zip_limits", 422, file=upload.name, detail=(
                                    "zip_rows", {"limit": f"{limits.max_rows:,}"}))
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
                return None  # a damaged or encrypted part: the reader reports the workbook as unreadable
    return None


def _over(name: str, parts: int, size: int, limits: ZipLimits) -> UploadError | None:
    if parts > limits.max_parts:
        return UploadError("zip_limits", 422, file=name, detail=("zip_parts", {"count": parts, "limit": limits.max_parts}))
    if size > limits.max_unzipped:
        return UploadError("zip_limits", 422, file=name,
                           detail=("zip_size", {"limit_mb": limits.max_unzipped // (1 << 20)}))
    return None
