"""A validation worker: one process of the pool (pool.py), running the same engine as `govcat validate`.

Each job's files are written to a private temporary folder (mode 0700) so that the engine reads them
as it reads a department's files, and the folder is deleted before the answer is sent back: nothing
uploaded outlives the request. The report shows the uploaded names, never the temporary path.
Beside the uploads the folder holds only links to the served workspace's registry and a copy of
its `.govcat.yaml`, so uploads are checked against that workspace's standard, registry, severities
and policy — unless the upload includes a `departments.yaml`, which then serves as the registry.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from govcat.checking.engine import Settings
from govcat.checking.engine import validate as run_validation
from govcat.core.errors import UsageError
from govcat.core.fields import REGISTRY_NAME
from govcat.core.findings import Report
from govcat.core.workspace import Workspace
from govcat.reporting import REPORTERS
from govcat.serve import csv_format, messages
from govcat.serve.uploads import Upload, UploadError, ZipLimits, check_inflated

FORMATS = {
    "json": ("application/json", "json"),
    "sarif": ("application/sarif+json", "sarif"),
    "junit": ("application/xml", "xml"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
CONFIG_NAME = ".govcat.yaml"
ROWS_MAX_BYTES = 32 << 20  # workbooks with more sheet XML than this get no row view (`sheets` stays empty)


@dataclass(frozen=True)
class WorkerSettings:
    workspace: Workspace
    tmp_dir: str | None = None  # where the private folders are made; None: memory (/dev/shm) where there is one
    zip_limits: ZipLimits = field(default_factory=lambda: ZipLimits(max_parts=2000, max_unzipped=200 << 20))
    annotate_max_bytes: int = 64 << 20  # uncompressed sheet XML beyond which no annotated copy is made
    memory_mb: int | None = None  # address-space limit of each worker
    # A worker that grew beyond this (a big workbook) is replaced after answering: Python keeps freed
    # memory in its arenas, so without this one large upload would leave the server large for good.
    recycle_mb: int = 300
    docs_url: str | None = None  # `--docs-url`: overrides the workspace's site_url in the reports


@dataclass(frozen=True)
class Job:
    kind: str  # "validate", "template" or "ping"
    uploads: tuple[Upload, ...] = ()
    fmt: str = "json"
    as_of: str = ""
    lang: str = "zh"
    include_rows: bool = False
    workbook: str | None = None  # with fmt xlsx: which uploaded workbook to annotate


@dataclass(frozen=True)
class Reply:
    status: int
    media_type: str
    body: bytes
    filename: str | None = None  # offered as an attachment under this name
    retire: bool = False  # the worker should be replaced (after running out of memory)


def error_reply(key: str, lang: str, status: int, /, **args: Any) -> Reply:
    body = json.dumps(messages.error_body(key, lang, status, **args), ensure_ascii=False).encode()
    return Reply(status, "application/json", body)


def main(conn: Any, settings: WorkerSettings) -> None:
    """The worker's loop: a job in, a reply out, until the pool closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops the workers
    if settings.memory_mb:
        limit = settings.memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    warm_up(settings)
    conn.send(os.getpid())
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = handle(job, settings)
        except MemoryError:
            reply = replace(error_reply("worker_crashed", job.lang, 500), retire=True)
        except UploadError as exc:
            reply = error_reply(exc.code, job.lang, exc.status, **exc.args_)
        except UsageError as exc:
            reply = error_reply("usage", job.lang, 500, detail=str(exc))
        except Exception as exc:  # a bug in one validation: answered, and the worker goes on
            reply = error_reply("internal", job.lang, 500, detail=f"{type(exc).__name__}: {exc}")
        if _rss_mb() > settings.recycle_mb:
            reply = replace(reply, retire=True)
        conn.send(reply)
        if reply.retire:
            return


def _rss_mb() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def warm_up(settings: WorkerSettings) -> None:
    """Load the standard and compile the schema once, before the first upload waits for them."""
    from govcat.publishing.workbook_writer import EXAMPLE

    text = json.dumps(EXAMPLE, ensure_ascii=False).encode()
    handle(Job("validate", (Upload("warm-up.yaml", text),), as_of=date.today().isoformat()), settings)


def handle(job: Job, settings: WorkerSettings) -> Reply:
    if job.kind == "ping":
        return Reply(200, "text/plain", b"pong")
    if job.kind == "template":
        return template(settings)
    for upload in job.uploads:
        if upload.is_workbook:
            refused = check_inflated(upload, settings.zip_limits)
            if refused is not None:
                return error_reply(refused.code, job.lang, refused.status, **refused.args_)
    private = Path(tempfile.mkdtemp(prefix="govcat-serve-", dir=settings.tmp_dir or _memory_dir()))
    try:
        return _validate(job, settings, private)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _memory_dir() -> str | None:
    """/dev/shm when it is a writable folder (a tmpfs on Linux): uploads then never touch a disk."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def _validate(job: Job, settings: WorkerSettings, private: Path) -> Reply:
    folder = private / "upload"
    folder.mkdir()
    paths = []
    for upload in job.uploads:
        path = folder / upload.name
        path.write_bytes(upload.data)
        paths.append(path)
    workspace = settings.workspace
    if workspace.root is not None and (workspace.root / CONFIG_NAME).is_file():
        shutil.copyfile(workspace.root / CONFIG_NAME, private / CONFIG_NAME)
    if not any(u.name == REGISTRY_NAME for u in job.uploads):
        (private / "catalogs").mkdir()
        registry = workspace.root / "catalogs" / REGISTRY_NAME if workspace.root is not None else None
        if registry is not None and registry.is_file():  # without one, registration is not judged (issue 15)
            (private / "catalogs" / REGISTRY_NAME).symlink_to(registry)
    report = run_validation(Settings(paths=paths, as_of=date.fromisoformat(job.as_of), lang=job.lang, cwd=folder,
                                     workspace=workspace, jobs=1))
    if settings.docs_url:
        report.docs_url = settings.docs_url
    if report.registry is not None and not any(u.name == REGISTRY_NAME for u in job.uploads):
        report.registry = f"catalogs/{REGISTRY_NAME}"  # the workspace's, named as in it (never our private path)
    uploaded = {u.name for u in job.uploads}
    # Only the uploads' findings: the copied configuration's waivers match nothing here, by design.
    report.findings = [f for f in report.findings if f.file in uploaded]
    report.paths = [p for p in report.paths if p in uploaded]
    if job.fmt == "xlsx":
        return _annotated(job, settings, folder, report)
    media_type, suffix = FORMATS[job.fmt]
    if job.fmt == "csv":
        text = csv_format.render(report)
    elif job.fmt == "json":
        text = _json(report, folder, job) if job.include_rows else REPORTERS["json"](report, False)
    else:
        text = REPORTERS[job.fmt](report, False)
    return Reply(200, media_type, text.encode("utf-8"), filename=f"govcat-report.{suffix}")


def _json(report: Report, folder: Path, job: Job) -> str:
    """The JSON report with one more key, `sheets`: the rows of each workbook that hold findings."""
    from govcat.serve.rows import sheet_rows

    data = report.as_dict()
    sheets: dict[str, Any] = {}
    for upload in job.uploads:
        if upload.is_workbook and _sheet_bytes(folder / upload.name) <= ROWS_MAX_BYTES:
            found = [f for f in report.findings if f.file == upload.name]
            try:
                sheets[upload.name] = sheet_rows(folder / upload.name, found)
            except Exception:  # an unreadable workbook: its findings already say so
                continue
    data["sheets"] = sheets
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _sheet_bytes(path: Path) -> int:
    """The uncompressed size of a workbook's sheets (0 when it is no zip)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return sum(i.file_size for i in archive.infolist() if i.filename.startswith("xl/worksheets/"))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return 0


def _annotated(job: Job, settings: WorkerSettings, folder: Path, report: Report) -> Reply:
    from govcat.serve.annotate import annotate

    workbooks = [u.name for u in job.uploads if u.is_workbook]
    chosen = [name for name in workbooks if name == job.workbook] if job.workbook is not None else workbooks
    if not workbooks or (job.workbook is not None and not chosen):
        return error_reply("no_workbook", job.lang, 400)
    if len(chosen) > 1:
        return error_reply("which_workbook", job.lang, 400, names="、".join(chosen))
    name = chosen[0]
    size = _sheet_bytes(folder / name)
    if size > settings.annotate_max_bytes:
        return error_reply("workbook_too_large", job.lang, 413, file=name, size_mb=size >> 20)
    findings = [f for f in report.findings if f.file == name]
    try:
        body = annotate(folder / name, findings, job.lang, report.docs_url)
    except Exception as exc:  # not a workbook openpyxl can open: the report says why
        raise UploadError("usage", 422, detail=f"{name}: {type(exc).__name__}") from exc
    stem = name.rsplit(".", 1)[0]
    suffix = "（校验结果）" if job.lang != "en" else " (checked)"
    return Reply(200, FORMATS["xlsx"][0], body, filename=f"{stem}{suffix}.xlsx")


def template(settings: WorkerSettings) -> Reply:
    from govcat import standard
    from govcat.publishing import workbook_writer

    private = Path(tempfile.mkdtemp(prefix="govcat-serve-", dir=settings.tmp_dir or _memory_dir()))
    try:
        path = private / "template.xlsx"
        workbook_writer.template(path, standard.load(settings.workspace.generated))
        return Reply(200, FORMATS["xlsx"][0], path.read_bytes(), filename="目录填报模板.xlsx")
    finally:
        shutil.rmtree(private, ignore_errors=True)
