"""`govcat data`: the rows a department shares, checked against the standard (rules GC8xx).

Each check is one sqlglot expression tree (`checks.py`), written once and generated for DuckDB (the
default, embedded), PostgreSQL (inside the server) and Spark SQL (`engines.py`). A table is checked in
one aggregate scan plus one bounded query for the samples; rows reach Python only as samples.

The package computes results; `govcat.publishing` stores and shows them (`--record`, the 数据质量
column), taking the summary `quality.py` makes — data never imports publishing.
"""
