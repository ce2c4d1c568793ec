"""Where the checks run: DuckDB (embedded, the default), PostgreSQL (inside the server), Spark SQL.

Every engine sees the same relation `src(rn, c1, …, cK)` of text columns. Files are always read by
DuckDB (one reader: the same rows, the same rejected rows, the same row numbers everywhere); for
PostgreSQL they are then copied into a temporary table with COPY, for Spark written as Parquet that
Spark reads. A PostgreSQL table (`postgresql://…#schema.table`) is checked in place, as is a Spark
table or path. A server that does not answer, or a Spark session that cannot start, is a usage error
(exit 2) with the reason, never a traceback.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from govcat.core.errors import UsageError
from govcat.data.sources import Table, _quote


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Engine:
    name = ""

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class Reader:
    """DuckDB, reading a file into the view `src`; also the engine `duckdb`."""

    def __init__(self, workdir: Path, threads: int | None = None, memory_limit: str | None = None) -> None:
        import duckdb

        config: dict[str, Any] = {"temp_directory": str(workdir / "duckdb.tmp"), "preserve_insertion_order": True,
                                  "memory_limit": memory_limit or os.environ.get("GOVCAT_DUCKDB_MEMORY", "1GB")}
        if threads:
            config["threads"] = threads
        self.con = duckdb.connect(":memory:", config=config)
        # No progress bar: DuckDB draws it on stdout after two seconds, into the JSON or SARIF report.
        self.con.execute("SET enable_progress_bar = false")
        self.error = duckdb.Error

    def open(self, table: Table, view: str = "src") -> None:
        """Create the view ``view`` for ``table`` (a file DuckDB reads); fills ``table.headers`` for typed files."""
        if table.kind in ("parquet", "jsonl"):
            try:
                described = self.con.execute(f"DESCRIBE SELECT * FROM {table.relation}").fetchall()
            except self.error as exc:
                raise _Unreadable(str(exc).split("\n")[0]) from None
            table.headers = [row[0] for row in described]
            projection = ", ".join(f"{_as_text(name, kind)} AS c{i + 1}" for i, (name, kind, *_) in enumerate(described))
            self.con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT row_number() OVER () AS rn, {projection} "
                             f"FROM {table.relation}")
        else:
            self.con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT row_number() OVER () AS rn, * FROM {table.relation}")

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return self.con.execute(sql).fetchall()
        except self.error as exc:
            raise _Unreadable(str(exc).split("\n")[0]) from None

    def rejects(self) -> list[tuple[int, int, str]]:
        """(line_byte_position, DuckDB's line, error type) of the rows the last scan could not read."""
        try:
            return self.con.execute(
                "SELECT line_byte_position, min(line), min(error_type) FROM reject_errors "
                "WHERE scan_id = (SELECT max(scan_id) FROM reject_scans) GROUP BY line_byte_position "
                "ORDER BY line_byte_position").fetchall()
        except self.error:
            return []  # no scan stored rejects (a typed file)

    def export(self, columns: int, target: Path, fmt: str) -> None:
        names = ", ".join(["rn", *[f"c{i + 1}" for i in range(columns)]])
        options = "(FORMAT parquet)" if fmt == "parquet" else "(FORMAT csv, HEADER false)"
        self.con.execute(f"COPY (SELECT {names} FROM src) TO {_quote(str(target))} {options}")

    def close(self) -> None:
        self.con.close()


class _Unreadable(Exception):
    """DuckDB could not read the data at all (a broken Parquet file, JSON that is not JSON Lines…)."""


def _as_text(name: str, kind: str) -> str:
    column = _ident(name)
    kind = kind.upper()
    if kind == "DATE":
        return f"strftime({column}, '%Y%m%d')"
    if kind.startswith("TIMESTAMP"):
        return f"strftime({column}, '%Y%m%d%H%M%S')"
    if kind == "BOOLEAN":
        return f"CASE WHEN {column} THEN '1' WHEN NOT {column} THEN '0' END"
    return f"CAST({column} AS VARCHAR)"


class DuckDB(Engine):
    name = "duckdb"

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.reader.query(sql)


class Postgres(Engine):
    name = "postgres"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise UsageError("--engine postgres 需要 psycopg：pip install 'govcat[postgres]'") from None
        self.psycopg = psycopg
        dsn = url.split("#", 1)[0]
        try:
            self.conn = psycopg.connect(dsn, connect_timeout=10, autocommit=True)
        except psycopg.Error as exc:
            raise UsageError(f"无法连接 PostgreSQL {dsn.split('@')[-1]}：{str(exc).strip()}") from None

    def load(self, reader: Reader, columns: int, workdir: Path) -> None:
        """The file DuckDB read, into a temporary table `src` of this session."""
        staged = Path(tempfile.mkstemp(suffix=".csv", dir=workdir)[1])
        try:
            reader.export(columns, staged, "csv")
            names = ", ".join(["rn bigint", *[f"c{i + 1} text" for i in range(columns)]])
            with self.conn.cursor() as cur:
                cur.execute(f"CREATE TEMP TABLE src ({names})")
                with cur.copy("COPY src FROM STDIN (FORMAT csv)") as copy, open(staged, "rb") as fh:
                    while chunk := fh.read(1 << 20):
                        copy.write(chunk)
                cur.execute("ANALYZE src")
        except self.psycopg.Error as exc:
            raise UsageError(f"PostgreSQL 装入数据失败：{str(exc).strip()}") from None
        finally:
            staged.unlink(missing_ok=True)

    def attach(self, table: Table) -> None:
        """A table of the server (`#schema.table`) as the view `src`, every column as text."""
        assert table.url is not None
        target = table.url.split("#", 1)[1]
        schema, _, name = target.rpartition(".")
        schema = schema or "public"
        rows = self.query(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = %s ORDER BY ordinal_position", (schema, name))
        if not rows:
            raise _Unreadable(f"PostgreSQL 中没有表 {schema}.{name}")
        table.headers = [r[0] for r in rows]
        projection = ", ".join(f"{_pg_text(n, t)} AS c{i + 1}" for i, (n, t) in enumerate(rows))
        # rows in their physical order: the order a plain SELECT returns them
        self.query(f"CREATE TEMP VIEW src AS SELECT row_number() OVER (ORDER BY ctid) AS rn, {projection} "
                   f"FROM {_ident(schema)}.{_ident(name)}")

    def query(self, sql: str, params: tuple[Any, ...] | None = None) -> list[tuple[Any, ...]]:
        try:
            with self.conn.cursor() as cur:
                cur.execute(sql, params)  # type: ignore[arg-type]  # built by sqlglot, not from user text
                return cur.fetchall() if cur.description else []
        except self.psycopg.OperationalError as exc:
            raise UsageError(f"PostgreSQL 没有应答：{str(exc).strip()}") from None

    def close(self) -> None:
        self.conn.close()


def _pg_text(name: str, kind: str) -> str:
    column = _ident(name)
    if kind == "date":
        return f"to_char({column}, 'YYYYMMDD')"
    if kind.startswith("timestamp"):
        return f"to_char({column}, 'YYYYMMDDHH24MISS')"
    if kind == "boolean":
        return f"CASE WHEN {column} THEN '1' WHEN NOT {column} THEN '0' END"
    return f"{column}::text"


_SPARK: dict[str, Any] = {}


def spark_session(master: str | None = None) -> Any:
    """One local (or `--spark-master`) Spark session per process: starting Spark takes seconds."""
    key = master or os.environ.get("GOVCAT_SPARK_MASTER") or "local[*]"
    if key in _SPARK:
        return _SPARK[key]
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError("--engine spark 需要 PySpark：pip install 'govcat[spark]'（还需要 Java 17 或更新版本）") from None
    try:
        session = (SparkSession.builder.master(key).appName("govcat-data")
                   .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                   .config("spark.driver.memory", os.environ.get("GOVCAT_SPARK_MEMORY", "2g"))
                   # the checks are large expressions: inferring constraints from them grows without bound
                   .config("spark.sql.constraintPropagation.enabled", "false")
                   .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    except Exception as exc:  # Java missing, a master that does not answer: Py4J raises several kinds
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"Spark 会话无法启动（{key}）：{reason}") from None
    session.sparkContext.setLogLevel("ERROR")
    _SPARK[key] = session
    return session


class Spark(Engine):
    name = "spark"

    def __init__(self, master: str | None = None) -> None:
        self.spark = spark_session(master)

    def load(self, reader: Reader, columns: int, workdir: Path) -> None:
        self.staged = Path(tempfile.mkdtemp(dir=workdir)) / "src.parquet"
        reader.export(columns, self.staged, "parquet")
        self.spark.read.parquet(str(self.staged)).createOrReplaceTempView("src")

    def attach(self, table: Table) -> None:
        """A Spark table name or a path Spark reads (Parquet, or CSV with a header)."""
        from pyspark.sql import functions as F
        from pyspark.sql.window import Window

        assert table.url is not None
        try:
            frame = self.spark.table(table.url) if table.kind == "spark" else self.spark.read.parquet(table.url)
        except Exception as exc:
            raise _Unreadable(str(exc).strip().splitlines()[0]) from None
        table.headers = list(frame.columns)
        ordered = frame.withColumn("__order", F.monotonically_increasing_id())
        texts = [F.col(f"`{name}`").cast("string").alias(f"c{i + 1}") for i, name in enumerate(table.headers)]
        ordered.select(F.row_number().over(Window.orderBy("__order")).alias("rn"), *texts).createOrReplaceTempView("src")

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.spark.sql(sql).collect()]

    def close(self) -> None:
        import shutil

        staged = getattr(self, "staged", None)
        if staged is not None:
            shutil.rmtree(staged.parent, ignore_errors=True)
        self.spark.catalog.dropTempView("src")
