"""`govcat serve` over real HTTP: a server process on loopback, driven with httpx and raw sockets.

The API must give the CLI's own report, every format, and stand up to whatever is uploaded:
oversize bodies, zip bombs, non-zip workbooks, empty and binary files, a file slower than the time
limit, a worker killed mid-validation, and many requests at once."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import socket
import threading
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
import yaml
from sarif_kit.validate import validation_errors

from govcat.checking.rules import RULES
from govcat.publishing.workbook_writer import EXAMPLE
from govcat.serve.annotate import RESULT_SHEET
from tests.conftest import REPO, govcat
from tests.serve_helpers import AS_OF, FORMULA, XSS, Server, faulty_workbook

EXAMPLE_YAML = REPO / "catalogs" / "11330100MB0000012X" / "catalog.yaml"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("serve"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One worker, no queue, 1 MB uploads, a 0.5 s time limit, 5 MB unzipped and 5,000 rows."""
    running = Server(tmp_path_factory.mktemp("limited"), "--workers", "1", "--queue", "0", "--max-upload-mb", "1",
                     "--time-limit", "0.5", "--max-unzipped-mb", "5", "--max-rows", "5000")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[str, str]]]:
    path = tmp_path_factory.mktemp("workbook") / "示范市民政局目录.xlsx"
    return path, faulty_workbook(path)


def post(server: Server, files: list[tuple[str, bytes]], **params: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/v1/validate", params={"as_of": AS_OF, **params},
                      files=[("file", (name, data)) for name, data in files], timeout=120)


def cli_report(tmp: Path, files: list[tuple[str, bytes]]) -> dict[str, Any]:
    for name, data in files:
        (tmp / name).write_bytes(data)
    run = govcat("validate", *[name for name, _ in files], "--format", "json", "--as-of", AS_OF,
                 "--workspace", str(REPO), cwd=tmp)
    assert run.returncode in (0, 1), run.stderr
    report = dict(json.loads(run.stdout))
    # The one difference: the server judges uploads against its workspace's registry, which the CLI,
    # run on loose files outside the workspace's catalogs, does not find (issue 15).
    assert report["summary"]["registry"] is None
    report["summary"]["registry"] = "catalogs/departments.yaml"
    return report


# ---- the report is the CLI's ----

def test_json_report_is_the_cli_report(server: Server, workbook: tuple[Path, Any], tmp_path: Path) -> None:
    path, planted = workbook
    files = [(path.name, path.read_bytes()), ("catalog.yaml", EXAMPLE_YAML.read_bytes())]
    response = post(server, files)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    report = response.json()
    expected = cli_report(tmp_path, files)
    assert report["summary"] == expected["summary"]
    assert report == expected
    located = {(f["code"], f"{f['sheet']}!{f['cell']}") for f in report["findings"]}
    assert set(planted.values()) <= located
    assert {f["file"] for f in report["findings"]} <= {path.name, "catalog.yaml"}
    assert str(server.tmp) not in response.text and "govcat-serve-" not in response.text


def test_raw_body_with_filename(server: Server) -> None:
    response = httpx.post(f"{server.url}/api/v1/validate", params={"filename": "../../etc/目录.yaml", "as_of": AS_OF},
                          content=EXAMPLE_YAML.read_bytes(), timeout=60)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["summary"]["files"] == 1 and report["summary"]["resources"] > 0
    assert all(f["file"] == "目录.yaml" for f in report["findings"])


def test_a_registry_upload_serves_as_the_registry(server: Server) -> None:
    registry = "departments:\n  - {code: \"11330100MB0000010P\", name: 示范市公安局, level: 市级, division: \"330100\"}\n"
    response = post(server, [("catalog.yaml", EXAMPLE_YAML.read_bytes()), ("departments.yaml", registry.encode())])
    codes = {f["code"] for f in response.json()["findings"]}
    assert "GC702" in codes  # 示范市民政局 is not in the uploaded registry, though it is in the workspace's
    assert "GC702" not in {f["code"] for f in post(server, [("catalog.yaml", EXAMPLE_YAML.read_bytes())]).json()["findings"]}


def test_include_rows_gives_the_offending_rows(server: Server, workbook: tuple[Path, Any]) -> None:
    path, _planted = workbook
    report = post(server, [(path.name, path.read_bytes())], include="rows").json()
    sheets = report["sheets"][path.name]
    assert [r["row"] for r in sheets["信息资源"]["rows"]] == [1, 2]
    assert [r["row"] for r in sheets["信息项"]["rows"]] == [1, 3]
    row2 = sheets["信息资源"]["rows"][1]["cells"]
    assert XSS in row2 and "2025-02-30" in row2


# ---- the other formats ----

def test_sarif_is_valid_sarif(server: Server, workbook: tuple[Path, Any]) -> None:
    path, _ = workbook
    response = post(server, [(path.name, path.read_bytes())], format="sarif")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/sarif+json")
    log = response.json()
    assert validation_errors(log) == []
    assert len(log["runs"][0]["results"]) == len(post(server, [(path.name, path.read_bytes())]).json()["findings"])


def test_junit_lists_every_finding(server: Server, workbook: tuple[Path, Any]) -> None:
    path, planted = workbook
    response = post(server, [(path.name, path.read_bytes())], format="junit")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    failures = [case.find("failure") for case in root.iter("testcase") if case.find("failure") is not None]
    assert {code for code, _ in planted.values()} <= {f.get("type", "").split()[0] for f in failures if f is not None}


def test_csv_one_row_per_finding_and_formulas_inert(server: Server, workbook: tuple[Path, Any]) -> None:
    path, planted = workbook
    response = post(server, [(path.name, path.read_bytes())], format="csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {(r["code"], f"{r['sheet']}!{r['cell']}") for r in rows} >= set(planted.values())
    names = {r["record_name"] for r in rows}
    assert "'" + FORMULA in names and FORMULA not in names


def test_annotated_workbook(server: Server, workbook: tuple[Path, Any]) -> None:
    path, planted = workbook
    response = post(server, [(path.name, path.read_bytes())], format="xlsx")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    assert "attachment" in response.headers["content-disposition"]
    findings = post(server, [(path.name, path.read_bytes())]).json()["findings"]
    original = openpyxl.load_workbook(path)
    annotated = openpyxl.load_workbook(io.BytesIO(response.content))
    assert annotated.sheetnames == [*original.sheetnames, RESULT_SHEET]
    assert annotated.active.title == RESULT_SHEET
    for code, where in planted.values():
        sheet, ref = where.split("!")
        cell = annotated[sheet][ref]
        assert cell.comment is not None and code in cell.comment.text, where
        assert cell.fill.fgColor.rgb.endswith(("FFC7CE", "FFEB9C", "DDEBF7")), where
    # the department's content is untouched: every value of every original sheet, formulas as typed text
    for sheet in original.sheetnames:
        before = [[c.value for c in row] for row in original[sheet].iter_rows()]
        after = [[c.value for c in row] for row in annotated[sheet].iter_rows()]
        assert before == after, sheet
    name_cell = next(c for c in annotated["信息资源"][2] if c.value == FORMULA)
    assert name_cell.data_type == "s"
    # the results sheet: one row per finding, each located finding linked to its cell
    results = annotated[RESULT_SHEET]
    rows = list(results.iter_rows(min_row=2))
    assert len(rows) == len(findings)
    for row in rows:
        assert all(c.data_type != "f" for c in row)
        code, sheet, ref, link = row[2].value, row[5].value, row[6].value, row[6].hyperlink
        if sheet and ref:
            assert link is not None and link.location == f"'{sheet}'!{ref}", code
    assert any(r[8].value == FORMULA and r[8].data_type == "s" for r in rows)


def test_xlsx_needs_a_workbook(server: Server) -> None:
    response = post(server, [("catalog.yaml", EXAMPLE_YAML.read_bytes())], format="xlsx", lang="en")
    assert response.status_code == 400
    assert "workbook" in response.json()["error"]["message"]


# ---- bad uploads: findings or a clear refusal, never a crash ----

def test_non_zip_empty_and_binary_uploads_are_findings(server: Server) -> None:
    files = [("不是工作簿.xlsx", b"PK this is not a zip at all"), ("空.xlsx", b""), ("空.yaml", b""),
             ("二进制.yaml", bytes(range(256)) * 64), ("程序.exe", b"MZ\x90\x00"),
             ("gbk.yaml", "standard_version: 1.0\nprovider: {name: 示范市民政局}\n".encode("gbk"))]
    response = post(server, files)
    assert response.status_code == 200, response.text
    by_file: dict[str, set[str]] = {}
    for f in response.json()["findings"]:
        by_file.setdefault(f["file"], set()).add(f["code"])
    assert "GC006" in by_file["不是工作簿.xlsx"] and "GC006" in by_file["空.xlsx"]
    assert by_file["空.yaml"] and "GC003" in by_file["gbk.yaml"]
    assert by_file["二进制.yaml"] & {"GC001", "GC003"}
    assert by_file["程序.exe"] == {"GC005"}
    assert post(server, [("catalog.yaml", EXAMPLE_YAML.read_bytes())]).status_code == 200  # still serving


def test_no_file_and_bad_parameters_are_json_errors_in_the_request_language(server: Server) -> None:
    response = httpx.post(f"{server.url}/api/v1/validate", files={"other": ("x.yaml", b"a: 1")}, timeout=30)
    assert response.status_code == 400 and response.json()["error"]["code"] == "no_file"
    assert "没有收到文件" in response.json()["error"]["message"]
    response = httpx.post(f"{server.url}/api/v1/validate?format=pdf&lang=en", content=b"x", timeout=30)
    assert response.status_code == 400 and "invalid value for format" in response.json()["error"]["message"]
    response = httpx.post(f"{server.url}/api/v1/validate?as_of=2026-13-01&filename=a.yaml", content=b"x", timeout=30,
                          headers={"accept-language": "en-US,en;q=0.9"})
    assert response.status_code == 400 and "as_of" in response.json()["error"]["message"]
    missing = httpx.get(f"{server.url}/nothing-here", headers={"accept-language": "en"}, timeout=30)
    assert missing.status_code == 404 and missing.json()["error"]["message"].startswith("no such address")
    assert "没有这个地址" in httpx.get(f"{server.url}/nothing-here", timeout=30).json()["error"]["message"]
    wrong = httpx.get(f"{server.url}/api/v1/validate", timeout=30)
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"
    broken = httpx.post(f"{server.url}/api/v1/validate", content=b"--x\r\nnonsense",
                        headers={"content-type": "multipart/form-data; boundary=x"}, timeout=30)
    assert broken.status_code in (400, 200) and broken.headers["content-type"].startswith("application/json")


def _raw(server: Server, request: bytes, body_chunks: list[bytes] | None = None) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(request)
        try:
            for chunk in body_chunks or []:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before taking the rest: what a limit should do
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + _length(data):
            part = sock.recv(65536)
            if not part:
                break
            data += part
    return int(data.split(b" ", 2)[1]), data.split(b"\r\n\r\n", 1)[1]


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


def test_oversize_is_refused_before_the_body_is_read(limited: Server) -> None:
    head = (f"POST /api/v1/validate?filename=big.yaml HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Length: {50 << 20}\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    started = time.monotonic()
    status, body = _raw(limited, head)  # no byte of the 50 MB body is ever sent
    assert status == 413 and time.monotonic() - started < 5
    assert "1 MB" in json.loads(body)["error"]["message"]


def test_oversize_chunked_and_multipart_bodies(limited: Server) -> None:
    head = (b"POST /api/v1/validate?filename=big.yaml&lang=en HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"a" * 65536
    status, body = _raw(limited, head, [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * 40 + [b"0\r\n\r\n"])
    assert status == 413 and "exceeds the limit" in json.loads(body)["error"]["message"]
    response = post(limited, [("big.yaml", b"#" * (2 << 20))])
    assert response.status_code == 413 and response.json()["error"]["code"] == "upload_too_large"


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_zip_bombs_are_refused_with_a_message(limited: Server) -> None:
    bomb = _zip({"xl/worksheets/sheet1.xml": b"\0" * (64 << 20)})
    assert len(bomb) < 1 << 20
    response = post(limited, [("炸弹.xlsx", bomb)])
    assert response.status_code == 422, response.text
    assert "炸弹.xlsx" in response.json()["error"]["message"] and "压缩炸弹" in response.json()["error"]["message"]
    parts = _zip({f"xl/p{i}.xml": b"" for i in range(2500)})
    response = post(limited, [("parts.xlsx", parts)], lang="en")
    assert response.status_code == 422 and "2500 parts" in response.json()["error"]["message"]


def test_too_many_rows_is_a_clear_limit_message(limited: Server, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "信息项"
    for n in range(5200):
        book.active.append(["307001001/000001", "C", f"项{n}"])
    book.save(tmp_path / "大.xlsx")
    response = post(limited, [("大.xlsx", (tmp_path / "大.xlsx").read_bytes())])
    assert response.status_code == 422, response.text
    assert "5,000 行" in response.json()["error"]["message"]
    small = faulty_workbook(tmp_path / "小.xlsx")  # the template's 2 × 2,000 styled rows pass
    assert small and post(limited, [("小.xlsx", (tmp_path / "小.xlsx").read_bytes())]).status_code == 200


@pytest.fixture(scope="module")
def slow_file() -> bytes:
    """A catalog that takes the limited server well past its 0.5 s time limit (about 1.5 s on this
    machine: 8,800 unknown data elements, each looked up for a suggestion), within its 1 MB."""
    base = EXAMPLE["resources"][0]
    items = [{"name": f"项{j}", "element": "DE99999", "data_type": "C", "length": 5} for j in range(4)]
    catalog = {**EXAMPLE, "resources": [{**base, "items": items, "code": f"307001001/{i:06d}", "name": f"登记信息{i}"}
                                        for i in range(1, 2201)]}
    return yaml.safe_dump(catalog, allow_unicode=True, sort_keys=False).encode()


def test_a_slow_file_hits_the_time_limit_and_the_server_goes_on(limited: Server, slow_file: bytes) -> None:
    assert len(slow_file) < 1 << 20
    replaced = limited.health()["replaced"]
    started = time.monotonic()
    response = post(limited, [("慢.yaml", slow_file)])
    assert response.status_code == 503, response.text[:500]
    assert response.json()["error"]["code"] == "time_limit" and time.monotonic() - started < 10
    assert limited.health()["replaced"] == replaced + 1
    assert post(limited, [("catalog.yaml", EXAMPLE_YAML.read_bytes())]).status_code == 200


def _while_busy(server: Server, slow_file: bytes) -> tuple[threading.Thread, list[httpx.Response]]:
    answers: list[httpx.Response] = []
    thread = threading.Thread(target=lambda: answers.append(post(server, [("慢.yaml", slow_file)])))
    thread.start()
    deadline = time.monotonic() + 10
    while server.health()["busy"] < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    return thread, answers


def test_saturated_is_429_with_retry_after(limited: Server, slow_file: bytes) -> None:
    thread, answers = _while_busy(limited, slow_file)
    response = post(limited, [("catalog.yaml", EXAMPLE_YAML.read_bytes())], lang="en")
    thread.join()
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) >= 1
    assert "busy" in response.json()["error"]["message"]
    assert answers[0].status_code == 503


def test_a_worker_killed_mid_validation_costs_one_request(limited: Server, slow_file: bytes) -> None:
    thread, answers = _while_busy(limited, slow_file)
    [pid] = limited.health()["worker_pids"]
    os.kill(pid, signal.SIGKILL)
    thread.join()
    assert answers[0].status_code == 500 and answers[0].json()["error"]["code"] == "worker_crashed"
    assert post(limited, [("catalog.yaml", EXAMPLE_YAML.read_bytes())]).status_code == 200
    assert limited.health()["worker_pids"] != [pid]


# ---- many at once ----

def _catalog_for(n: int) -> bytes:
    resource = {**EXAMPLE["resources"][0], "code": f"307001001/{n:06d}", "name": f"登记信息{n}",
                "items": [{"name": f"信息项{n}", "element": f"DE9{n:04d}", "data_type": "C", "length": 10}]}
    return yaml.safe_dump({**EXAMPLE, "resources": [resource]}, allow_unicode=True).encode()


def test_many_simultaneous_uploads_each_get_their_own_report(server: Server) -> None:
    count = 24
    peak = [server.rss_kb()]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak.append(server.rss_kb())
            time.sleep(0.05)

    def one(n: int) -> tuple[int, httpx.Response]:
        for _ in range(20):  # 2 workers and a queue of 4: the rest are told to come back
            response = post(server, [(f"部门{n}.yaml", _catalog_for(n))])
            if response.status_code != 429:
                return n, response
            time.sleep(float(response.headers["retry-after"]) / 4)
        return n, response

    watcher = threading.Thread(target=sample)
    watcher.start()
    try:
        with ThreadPoolExecutor(count) as threads:
            answers = list(threads.map(one, range(1, count + 1)))
    finally:
        done.set()
        watcher.join()
    for n, response in answers:
        assert response.status_code == 200, (n, response.text)
        report = response.json()
        assert {f["file"] for f in report["findings"]} == {f"部门{n}.yaml"}
        unknown = [f for f in report["findings"] if f["code"] == "GC301"]
        assert len(unknown) == 1 and f"DE9{n:04d}" in unknown[0]["message"]
        assert report["findings"][0]["record"]["code"] == f"307001001/{n:06d}"
    assert max(peak) < 500 * 1024, f"server RSS peaked at {max(peak) // 1024} MB"


# ---- the other endpoints ----

def test_rules_template_openapi_and_health(server: Server) -> None:
    rules = httpx.get(f"{server.url}/api/v1/rules", timeout=30).json()["rules"]
    assert [r["code"] for r in rules] == [r.code for r in RULES]
    one = httpx.get(f"{server.url}/api/v1/rules/gc401", timeout=30).json()
    assert one["code"] == "GC401" and "## 检查内容" in one["doc"] and one["url"].endswith("/rules/GC401/")
    unknown = httpx.get(f"{server.url}/api/v1/rules/GC999?lang=en", timeout=30)
    assert unknown.status_code == 404 and unknown.json()["error"]["message"] == "unknown rule: GC999"
    template = httpx.get(f"{server.url}/api/v1/template", timeout=60)
    assert template.status_code == 200 and template.headers["content-type"] == XLSX
    assert {"提供方", "信息资源", "信息项"} <= set(openpyxl.load_workbook(io.BytesIO(template.content)).sheetnames)
    spec = httpx.get(f"{server.url}/api/v1/openapi.json", timeout=30).json()
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {"/api/v1/validate", "/api/v1/rules", "/api/v1/rules/{code}", "/api/v1/template",
                                  "/api/v1/openapi.json", "/healthz"}
    health = server.health()
    assert health["status"] == "ok" and health["workers"] == 2


def test_security_headers_and_no_listing(server: Server) -> None:
    page = httpx.get(server.url + "/", timeout=30)
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"
    assert "server" not in page.headers
    assert "<script>" not in page.text and " on" not in page.text.split("<body", 1)[1].split(">", 1)[0]
    for path in ("/static/", "/static/..%2Fapp.py", "/static/app.py", "/static/../app.py", "/static/%2e%2e/worker.py"):
        response = httpx.get(server.url + path, timeout=30)
        assert response.status_code == 404, path
    assert httpx.get(server.url + "/static/app.js", timeout=30).headers["content-type"].startswith("text/javascript")


def test_nothing_uploaded_is_kept(server: Server, workbook: tuple[Path, Any]) -> None:
    path, _ = workbook
    for fmt in ("json", "xlsx", "csv"):
        assert post(server, [(path.name, path.read_bytes())], format=fmt).status_code == 200
    assert list(server.tmp.iterdir()) == []


def test_workspace_without_standard_is_a_usage_error(tmp_path: Path) -> None:
    run = govcat("serve", "--workspace", str(tmp_path), cwd=tmp_path)
    assert run.returncode == 2 and "schema/govcat.yaml" in run.stderr


def test_shutdown_leaves_no_worker(tmp_path: Path) -> None:
    running = Server(tmp_path)
    pids = running.health()["worker_pids"]
    running.stop()
    assert running.process.returncode == 0
    time.sleep(0.5)
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)]
    shutil.rmtree(running.tmp)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0]
    except OSError:
        return "Z"
