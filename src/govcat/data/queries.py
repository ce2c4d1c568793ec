"""The two queries a table is checked with, as sqlglot trees generated per dialect.

1. One aggregate scan: a filtered count per check, the key's count and distinct count, the newest
   update time, and a count of every column (so that the reader parses them all).
2. One bounded query for the samples: the failing rows of each check (at most N each, the first ones
   in row order), unpivoted so that a single scan serves every check, plus the first rows that repeat
   an earlier key; over the first rows of the table only, when those are likely to hold them all.
"""

from __future__ import annotations

from sqlglot import exp

from govcat.data.checks import SQL, Check, Plan, case, col, lit

DIALECTS = {"duckdb": "duckdb", "postgres": "postgres", "spark": "spark"}
SOURCE = "src"
DUPLICATE = -1  # the sample rows of the key-uniqueness check carry this check number


def with_shared(source: SQL, fails: list[SQL]) -> tuple[SQL, list[SQL]]:
    """``source`` with a column for each sub-expression marked shared (checks.shared) that ``fails`` ask
    for more than once, and ``fails`` reading those columns: engines do not share them between checks
    themselves (DuckDB evaluates each CASE on its own), and most checks of a column first ask whether it
    is blank, then whether it has its shape."""
    seen: dict[str, int] = {}
    for tree in fails:
        for node in tree.find_all(exp.Expression):
            if node.meta.get("shared"):
                seen[shared_key(node)] = seen.get(shared_key(node), 0) + 1
    names: dict[str, str] = {}
    columns: list[SQL] = []
    rewritten = []
    for tree in fails:
        tree = tree.copy()
        for node in list(tree.find_all(exp.Expression, bfs=True)):  # the outer ones first
            key = shared_key(node) if node.meta.get("shared") else ""
            if seen.get(key, 0) > 1:
                if key not in names:
                    names[key] = f"s{len(names)}"
                    columns.append(exp.alias_(node.copy(), names[key]))
                replaced = exp.column(names[key])
                if node is tree:
                    tree = replaced
                else:
                    node.replace(replaced)
        rewritten.append(tree)
    if not columns:
        return source, rewritten
    return _derived(exp.select(exp.Star(), *columns, copy=False).from_(source, copy=False), SOURCE), rewritten


def shared_key(node: SQL) -> str:
    """What tells two shared sub-expressions apart: their SQL, generated once per node (a copy of the node
    keeps it) rather than at every query built from the checks."""
    if "shared_key" not in node.meta:
        node.meta["shared_key"] = node.sql()
    key: str = node.meta["shared_key"]
    return key


def aggregate(plan: Plan) -> SQL:
    # Each check's verdict is a column of a projection, summed outside it: DuckDB rewrites a long IN
    # list (a code set of 3,216 divisions) into a hash join only in a projection or filter, and
    # inside an aggregate compared each value with every code (25 times slower on 1 M rows).
    newest = plan.newest_expression()
    trees = [check.fails for check in plan.checks] + ([newest] if newest is not None else [])
    source, fails = with_shared(exp.to_table(SOURCE), trees)  # the newest time's real-time test is GC818's
    if newest is not None:
        newest = fails.pop()
    flags = [exp.alias_(case(f, lit(1), lit(0)), f"f{i}", copy=False) for i, f in enumerate(fails)]
    judged = _derived(exp.select(exp.Star(), *flags, copy=False).from_(source, copy=False), SOURCE)
    columns: list[SQL] = [exp.alias_(exp.Count(this=exp.Star()), "n")]
    columns += [exp.alias_(exp.Sum(this=exp.column(f"f{i}")), f"k{i}") for i in range(len(plan.checks))]
    key = plan.key_expression()
    if key is not None:
        columns.append(exp.alias_(exp.Count(this=key), "key_n"))
        columns.append(exp.alias_(exp.Count(this=exp.Distinct(expressions=[key.copy()])), "key_d"))
    if newest is not None:
        columns.append(exp.alias_(newest, "newest"))
    # every column is named, so the reader parses all of them and reports the rows it rejects (it skips
    # the columns a query does not ask for): a column no check reads is counted
    checked = {check.column for check in plan.checks}
    columns += [exp.alias_(exp.Count(this=col(c)), f"n{c}") for c in range(plan.columns) if c not in checked]
    return exp.select(*columns, copy=False).from_(judged, copy=False)


def first_rows(rows: int | None, source: SQL | None = None) -> SQL:
    """``source`` (the relation), or its first ``rows`` rows. The LIMIT is what lets DuckDB stop reading
    the file there (a filter on rn alone reads it all); the filter makes them the first rows on every
    engine."""
    source = exp.select(exp.Star()).from_(SOURCE) if source is None else source
    if rows is None:
        return _derived(source, SOURCE)
    prefix = source.where(exp.LTE(this=exp.column("rn"), expression=lit(rows)), copy=False).limit(rows, copy=False)
    return _derived(prefix, SOURCE)


def samples(plan: Plan, failing: list[int], limit: int, with_duplicates: bool, rows: int | None = None) -> SQL | None:
    """The sample rows (check number, rn, value) of the checks numbered in ``failing``, among the first
    ``rows`` rows (every row: None)."""
    parts: list[SQL] = []
    if failing and limit > 0:
        checks = [(i, plan.checks[i]) for i in failing]
        judged, fails = with_shared(exp.to_table(SOURCE), [c.fails for _, c in checks])
        # The verdicts are computed below the LIMIT, in the scan's own parallel pipeline; above it, DuckDB
        # reads the rows the LIMIT collected on one thread (twice the time on two cores).
        values = sorted({c.column for _, c in checks})
        verdicts = first_rows(rows, exp.select(
            "rn", *[col(c) for c in values],
            *[exp.alias_(case(f, lit(1), lit(0)), f"f{i}", copy=False) for (i, _), f in zip(checks, fails, strict=True)],
            copy=False,
        ).from_(judged, copy=False))
        flagged = exp.select(
            "rn", *[exp.alias_(col(c.column), f"v{i}") for i, c in checks], *[exp.column(f"f{i}") for i, _ in checks],
            copy=False,
        ).from_(verdicts, copy=False).where(exp.GT(this=_sum_of([exp.column(f"f{i}") for i, _ in checks]),
                                                   expression=lit(0)), copy=False)  # a sum, not an OR: Spark's optimizer turns ORs of CASEs into CNF
        numbers = exp.Values(expressions=[exp.Tuple(expressions=[lit(i)]) for i, _ in checks],
                             alias=exp.TableAlias(this=exp.to_identifier("ks"), columns=[exp.to_identifier("chk")]))
        pick = exp.column("chk", "ks")

        def by_check(prefix: str) -> SQL:
            return exp.Case(this=pick.copy(), ifs=[exp.If(this=lit(i), true=exp.column(f"{prefix}{i}", "f"))
                                                   for i, _ in checks])

        unpivot = (exp.select(exp.alias_(pick.copy(), "chk"), exp.column("rn", "f"), exp.alias_(by_check("v"), "v"))
                   .from_(_derived(flagged, "f"), copy=False)
                   .join(numbers, join_type="cross", copy=False)
                   .where(exp.EQ(this=by_check("f"), expression=lit(1)), copy=False))
        ranked = exp.select("chk", "rn", "v", exp.alias_(exp.Window(
            this=exp.RowNumber(), partition_by=[exp.column("chk")], order=exp.Order(expressions=[
                exp.Ordered(this=exp.column("rn"))])), "pos")).from_(_derived(unpivot, "u"), copy=False)
        parts.append(exp.select("chk", "rn", "v").from_(_derived(ranked, "r"), copy=False)
                     .where(exp.LTE(this=exp.column("pos"), expression=lit(limit)), copy=False))
    key = plan.key_expression()
    source = first_rows(rows)
    if with_duplicates and key is not None and limit > 0:
        repeated = (exp.select(exp.alias_(key.copy(), "key")).from_(source.copy()).where(exp.Not(this=exp.Is(
            this=key.copy(), expression=exp.Null()))).group_by(key.copy())
            .having(exp.GT(this=exp.Count(this=exp.Star()), expression=lit(1))))
        # A row whose key came before (seen > 1) repeats it whatever the other rows: the repeated keys
        # only spare the window the rows of unique keys. Over the first rows that costs less than their
        # second read (0.19 s -> 0.14 s for 192 k rows); over every row, where duplicates are few (or
        # they would be looked for in the first rows), the window sees only theirs.
        repeats = (exp.Not(this=exp.Is(this=key.copy(), expression=exp.Null())) if rows is not None
                   else exp.In(this=key.copy(), query=repeated.subquery()))
        within = (exp.select("rn", exp.alias_(key.copy(), "v"), exp.alias_(exp.Window(
            this=exp.RowNumber(), partition_by=[key.copy()], order=exp.Order(expressions=[
                exp.Ordered(this=exp.column("rn"))])), "seen")).from_(source.copy())
            .where(repeats))
        first = (exp.select(exp.alias_(lit(DUPLICATE), "chk"), "rn", "v").from_(exp.alias_(exp.paren(within), "d"))
                 .where(exp.GT(this=exp.column("seen"), expression=lit(1)))
                 .order_by("rn").limit(limit))
        parts.append(exp.select("chk", "rn", "v").from_(exp.alias_(exp.paren(first), "dd")))
    if not parts:
        return None
    query = parts[0]
    for part in parts[1:]:
        query = exp.union(query, part, distinct=False, copy=False)
    return query


def line_breaks_before(rows: list[int], columns: int) -> SQL:
    """For each sample row: the line breaks inside the values of the rows before it (CSV lines); only
    the rows before the last sample row are read."""
    def breaks(c: int) -> SQL:
        """The value's line breaks; only a value that holds one is measured (LENGTH counts characters,
        which costs a pass over the value)."""
        v = col(c)
        counted = exp.Sub(this=exp.Length(this=v), expression=exp.Length(this=exp.func(
            "REPLACE", v.copy(), lit("\n"), lit(""))))
        return case(exp.GT(this=exp.StrPosition(this=v.copy(), substr=lit("\n")), expression=lit(0)), counted, lit(0))

    return exp.select(*[exp.alias_(exp.Sum(this=case(exp.LT(this=exp.column("rn"), expression=lit(r)),
                                                       exp.column("nl"), lit(0))), f"b{i}")
                        for i, r in enumerate(rows)]).from_(exp.alias_(exp.paren(
                            exp.select("rn", exp.alias_(_sum_of([breaks(c) for c in range(columns)]), "nl"))
                            .from_(first_rows(max(rows)))), "x"))



def _derived(query: SQL, name: str) -> SQL:
    """``(query) AS name``, without copying ``query``: sqlglot's builders copy their arguments by default,
    and copying the code sets (3,216 divisions) at every step cost most of a second per run."""
    return exp.alias_(exp.paren(query, copy=False), name, copy=False)


def _sum_of(parts: list[SQL]) -> SQL:
    total = parts[0]
    for p in parts[1:]:
        total = exp.Add(this=total, expression=p)
    return total


def failing_checks(counts: dict[int, int], plan: Plan) -> list[int]:
    return [i for i, _ in enumerate(plan.checks) if counts.get(i, 0) > 0]


def sql(tree: SQL, engine: str) -> str:
    """``tree`` in the engine's dialect. Each query's tree is built for one generation, so the generator
    may keep it rather than copy it first (the copy of the code sets cost 0.2 s per run)."""
    return tree.sql(dialect=DIALECTS[engine], copy=False)


__all__ = ["Check", "aggregate", "failing_checks", "line_breaks_before", "samples", "sql"]
