"""The web application: the page, the API (SPEC §6.4) and the headers that keep both safe.

Every answer the server gives on its own account is JSON `{"error": {"code", "status", "message"}}`
in the request's language (`?lang=`, else the browser's Accept-Language, else Chinese). Validation
itself runs in the worker pool (pool.py); this process admits requests, reads uploads into memory
within the limits, and passes the workers' answers on.
"""

from __future__ import annotations

import asyncio
import html
import os
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govcat import __version__, standard
from govcat.core.workspace import Workspace
from govcat.serve import messages, openapi
from govcat.serve.pool import Pool, Saturated
from govcat.serve.uploads import Upload, UploadError, ZipLimits, check_declared, read_body, read_multipart, safe_name
from govcat.serve.worker import FORMATS, Job, Reply, WorkerSettings

STATIC = Path(__file__).parent / "static"
STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                ".svg": "image/svg+xml"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]


@dataclass(frozen=True)
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    queue: int = 16  # requests that may wait for a worker; more are refused with 429
    max_pending_mb: int = 160  # bodies of the admitted requests together
    max_upload_mb: int = 20
    time_limit: float = 60.0  # seconds one validation may take
    max_unzipped_mb: int = 200
    max_parts: int = 2000
    max_rows: int = 100_000
    annotate_max_mb: int = 64
    worker_memory_mb: int | None = None
    tmp_dir: str | None = None
    docs_url: str | None = None  # the docs site: rule links point to its rule pages
    workspace: Workspace = field(default_factory=lambda: Workspace(None))

    @property
    def max_upload(self) -> int:
        return self.max_upload_mb << 20

    @property
    def zip_limits(self) -> ZipLimits:
        return ZipLimits(max_parts=self.max_parts, max_unzipped=self.max_unzipped_mb << 20, max_rows=self.max_rows)

    def worker_settings(self) -> WorkerSettings:
        return WorkerSettings(workspace=self.workspace, tmp_dir=self.tmp_dir, zip_limits=self.zip_limits,
                              annotate_max_bytes=self.annotate_max_mb << 20, memory_mb=self.worker_memory_mb,
                              docs_url=self.docs_url)


class SecurityHeaders:
    """Adds the security headers to every response, and `Cache-Control: no-store` to the API's."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith("/api/") or scope["path"] == "/healthz"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"server"]
                headers.extend(SECURITY_HEADERS)
                if api or not any(h[0].lower() == b"cache-control" for h in headers):
                    headers.append((b"cache-control", b"no-store" if api else b"no-cache"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def request_lang(request: Request) -> str:
    chosen = request.query_params.get("lang")
    if chosen in ("zh", "en"):
        return chosen
    accept = request.headers.get("accept-language", "").strip().lower()
    return "en" if accept.startswith("en") else "zh"


def error(key: str, lang: str, status: int, /, headers: dict[str, str] | None = None, **args: Any) -> JSONResponse:
    return JSONResponse(messages.error_body(key, lang, status, **args), status_code=status, headers=headers)


def _reply(reply: Reply) -> Response:
    headers = {}
    if reply.filename:
        ascii_only = reply.filename.isascii() and '"' not in reply.filename and "\\" not in reply.filename
        fallback = reply.filename if ascii_only else "govcat." + reply.filename.rsplit(".", 1)[-1][:8]
        headers["content-disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(reply.filename)}"
    return Response(reply.body, status_code=reply.status, media_type=reply.media_type, headers=headers)


def create_app(config: ServeConfig) -> Starlette:
    state: dict[str, Any] = {"template": None}
    template_lock = asyncio.Lock()
    std = standard.load(config.workspace.generated)
    index_page = _index(config, std.version)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        pool = Pool(config.workers, config.queue, config.time_limit, config.worker_settings(),
                    pending_bytes=config.max_pending_mb << 20)
        await pool.start()
        state["pool"] = pool
        try:
            yield
        finally:
            pool.close()

    async def page(request: Request) -> Response:
        return Response(index_page, media_type="text/html; charset=utf-8")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        path = STATIC / name
        if "/" in name or path.suffix not in STATIC_TYPES or not path.is_file():
            raise HTTPException(404)
        return Response(path.read_bytes(), media_type=STATIC_TYPES[path.suffix])

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    async def health(request: Request) -> Response:
        pool: Pool = state["pool"]
        return JSONResponse({"status": "ok", "version": __version__, "standard": std.version,
                             "workers": pool.size, "busy": pool.busy, "admitted": pool.admitted,
                             "queue": pool.queue, "replaced": pool.replaced, "worker_pids": pool.pids,
                             "pid": os.getpid()})

    async def validate(request: Request) -> Response:
        lang = request_lang(request)
        query = request.query_params
        fmt = query.get("format", "json")
        if fmt not in FORMATS:
            return error("bad_parameter", lang, 400, name="format", value=fmt, expected="json|sarif|junit|csv|xlsx")
        if "lang" in query and query["lang"] not in ("zh", "en"):
            return error("bad_parameter", lang, 400, name="lang", value=query["lang"], expected="zh|en")
        try:
            as_of = date.fromisoformat(query["as_of"]) if query.get("as_of") else date.today()
        except ValueError:
            return error("bad_parameter", lang, 400, name="as_of", value=query["as_of"], expected="YYYY-MM-DD")
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > config.max_upload:  # refused before a byte of the body is read
            return error("upload_too_large", lang, 413, limit_mb=config.max_upload_mb, headers={"connection": "close"})
        pool: Pool = state["pool"]
        try:
            with pool.slot(int(length) if length.isdigit() else config.max_upload):
                uploads = await _uploads(request, config)
                for upload in uploads:
                    refused = check_declared(upload, config.zip_limits) if upload.is_workbook else None
                    if refused is not None:
                        raise refused
                job = Job("validate", tuple(uploads), fmt=fmt, as_of=as_of.isoformat(), lang=lang,
                          include_rows=query.get("include") == "rows", workbook=query.get("workbook"))
                return _reply(await pool.run(job))
        except Saturated as busy:
            return error("saturated", lang, 429, headers={"retry-after": str(busy.retry_after)}, retry=busy.retry_after)
        except UploadError as exc:
            headers = {"connection": "close"} if exc.status == 413 else None
            return error(exc.code, lang, exc.status, headers=headers, **exc.args_)

    async def rules(request: Request) -> Response:
        from govcat.checking.rules import RULES

        return JSONResponse({"rules": [_rule(r, config) for r in RULES]})

    async def rule(request: Request) -> Response:
        from govcat.checking.rules import BY_CODE

        code = request.path_params["code"].strip().upper()
        found = BY_CODE.get(code)
        if found is None:
            return error("unknown_rule", request_lang(request), 404, code=request.path_params["code"][:40])
        return JSONResponse({**_rule(found, config), "doc": found.doc})

    async def template(request: Request) -> Response:
        async with template_lock:
            if state["template"] is None:
                pool: Pool = state["pool"]
                try:
                    with pool.slot():
                        reply = await pool.run(Job("template", lang=request_lang(request)))
                except Saturated as busy:
                    return error("saturated", request_lang(request), 429,
                                 headers={"retry-after": str(busy.retry_after)}, retry=busy.retry_after)
                if reply.status != 200:
                    return _reply(reply)
                state["template"] = reply
        return _reply(state["template"])

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(openapi.document(config.max_upload_mb))

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        lang = request_lang(request)
        if status == 405:
            return error("method_not_allowed", lang, 405, method=request.method)
        if status == 404:
            return error("not_found", lang, 404, path=request.url.path[:200])
        return error("usage", lang, status, detail=str(getattr(exc, "detail", "")))

    async def internal(request: Request, exc: Exception) -> Response:
        return error("internal", request_lang(request), 500, detail=type(exc).__name__)

    routes = [
        Route("/", page),
        Route("/static/{name}", static),
        Route("/favicon.ico", favicon),
        Route("/healthz", health),
        Route("/api/v1/validate", validate, methods=["POST"]),
        Route("/api/v1/rules", rules),
        Route("/api/v1/rules/{code}", rule),
        Route("/api/v1/template", template),
        Route("/api/v1/openapi.json", openapi_json),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: not_found, Exception: internal})
    app.add_middleware(SecurityHeaders)
    return app


async def _uploads(request: Request, config: ServeConfig) -> list[Upload]:
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        uploads = await read_multipart(content_type, request.stream(), config.max_upload)
    else:
        filename = request.query_params.get("filename")
        if not filename:
            raise UploadError("no_file", 400)
        uploads = [Upload(safe_name(filename), await read_body(request.stream(), config.max_upload))]
    if not uploads:
        raise UploadError("no_file", 400)
    return uploads


def _rule(rule: Any, config: ServeConfig) -> dict[str, Any]:
    from govcat.core.findings import rule_url
    from govcat.core.paths import docs_url

    summary = standard.load(config.workspace.generated).rule_summary(rule.code)
    base = config.docs_url or docs_url(config.workspace.root)
    return {"code": rule.code, "name": rule.name, "severity": rule.severity, "summary": summary,
            "message": {"zh": rule.zh, "en": rule.en}, "url": rule_url(base, rule.code)}


def _index(config: ServeConfig, standard_version: str) -> bytes:
    values = {"docs_url": config.docs_url or "", "max_upload_mb": str(config.max_upload_mb),
              "version": __version__, "standard": standard_version}
    text = (STATIC / "index.html").read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
    return text.encode("utf-8")


def run(config: ServeConfig) -> int:
    import uvicorn

    app = create_app(config)
    uvicorn.run(app, host=config.host, port=config.port, log_level="info", server_header=False,
                proxy_headers=True, timeout_graceful_shutdown=10)
    return 0
