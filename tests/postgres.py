"""A real PostgreSQL server for the tests, started once per session in a ``mktemp -d`` directory.

As root (this project's machines), ``initdb`` and ``pg_ctl`` refuse to run, so they run as the
``postgres`` system user through ``runuser`` (research/recipes.md §1); as another user they run
directly. Import the fixtures into a test module: ``from tests.postgres import pg_db, pg_url  # noqa: F401``.

The server is required, not optional: a missing PostgreSQL fails the tests that need it
(``make test`` installs it). Set ``GOVCAT_SKIP_POSTGRES=1`` to skip them deliberately.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def _bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """``postgresql://postgres@127.0.0.1:PORT/postgres`` of a server that lives for the session."""
    if os.environ.get("GOVCAT_SKIP_POSTGRES") == "1":
        pytest.skip("GOVCAT_SKIP_POSTGRES=1")
    pg_bin = _bin()
    if pg_bin is None:
        pytest.fail("PostgreSQL is not installed (apt-get install postgresql, or `make system-deps`)")
    as_root = os.geteuid() == 0
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    tmp = Path(tempfile.mkdtemp(prefix="pg.", dir="/tmp"))  # short: the socket path limit is 107 bytes
    if as_root:
        shutil.chown(tmp, "postgres", "postgres")
    data, port = tmp / "data", _free_port()

    def pg(*args: str) -> None:
        subprocess.run([*run_as, *args], check=True, capture_output=True, timeout=60)

    try:
        pg(str(pg_bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
           "--locale=C.UTF-8", "--no-sync")
        pg(str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(tmp / "server.log"), "-w", "-t", "30", "-o",
           f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
           "-c full_page_writes=off", "start")
    except subprocess.CalledProcessError as exc:
        log = (tmp / "server.log").read_text(errors="replace") if (tmp / "server.log").exists() else ""
        shutil.rmtree(tmp, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {exc.stderr.decode(errors='replace')}\n{log}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[str]:
    """A fresh, empty database on the session's server, dropped after the test."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield pg_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
