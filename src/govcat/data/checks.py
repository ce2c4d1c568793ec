"""The checks of a resource's data, each one sqlglot expression tree, written once for every engine.

A check is a boolean expression over the columns of one row (`c1`, `c2`, … as text) that is true
when the row fails. Everything here is plain, portable SQL: anchored regular expressions
(`REGEXP_LIKE`, which sqlglot writes as DuckDB `REGEXP_MATCHES`, PostgreSQL `~`, Spark `RLIKE`),
`SUBSTRING`, `LENGTH`, `STRPOS` and integer arithmetic. No cast that could raise on bad data is used
outside a guard of its own: a calendar date is a regular expression (`DATE`), a character's value is
its position in an alphabet (`STRPOS('0123456789', c) - 1`), and a citizen ID's 17 digits are cast to
one integer only when the ID has its shape, so a check digit or a date is judged the same way, without
errors, in DuckDB, PostgreSQL and Spark (ANSI). What several checks ask of a column (is it blank, has
it its shape) is marked `shared` and computed once per row (queries.with_shared).
Check digits are hand-written as SQL because no SQL library computes them; python-stdnum gives the
reference values in the tests.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlglot import exp

from govcat.core.i18n import L10n
from govcat.data.resource import Item, Mapping, Resource
from govcat.standard import Standard

SQL = Any  # a sqlglot tree: its builders are typed with several base classes
DIGITS = "0123456789"
GB32100_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: I, O, S, V, Z are not used
GB11714_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
GB32100_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
GB11643_SHAPE = r"[0-9]{17}[0-9X]"
GB32100_SHAPE = r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}"
GB32100_DIGITS = r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{15}[0-9A-HJ-NPQRTUWXY]"  # the common case: 3-17 all digits
CHECKSUMS = {"gb11643": "GB 11643-1999", "gb32100": "GB 32100-2015", "gb11714": "GB 11714-1997"}
ID_ELEMENT, BIRTH_ELEMENT, GENDER_ELEMENT, UPDATED_ELEMENT = "DE00001", "DE00004", "DE00003", "DE00305"
# Dates that lie in the future by nature (有效期截止日期, 到期日期…) are not checked against the as-of date.
_FUTURE_BY_NATURE = re.compile("截止|到期|届满|终止|失效|预计|计划")

# GB/T 36344-2018 dimensions the checks measure
COMPLETENESS, CONFORMITY, CONSISTENCY, UNIQUENESS, TIMELINESS = "完整性", "规范性", "一致性", "唯一性", "时效性"
DIMENSIONS = (COMPLETENESS, CONFORMITY, CONSISTENCY, UNIQUENESS, TIMELINESS)
DIMENSION_EN = {COMPLETENESS: "completeness", CONFORMITY: "conformity", CONSISTENCY: "consistency",
                UNIQUENESS: "uniqueness", TIMELINESS: "timeliness"}


# --- expression helpers ----------------------------------------------------------------------------

def col(index: int) -> SQL:
    """The data column ``index`` (0-based) as every engine's relation names it."""
    return exp.column(f"c{index + 1}")


def lit(value: str | int) -> SQL:
    return exp.Literal.number(value) if isinstance(value, int) else exp.Literal.string(value)


def substr(value: SQL, start: int, length: int) -> SQL:
    return exp.Substring(this=value.copy(), start=lit(start), length=lit(length))


def shared(node: SQL) -> SQL:
    """Mark ``node`` as worth computing once per row when several checks ask for it (queries.with_shared).
    Only what cannot raise on any value is marked: it may be computed outside the guard that holds it."""
    node.meta["shared"] = True
    return node


def full_match(value: SQL, pattern: str) -> SQL:
    """The whole value matches ``pattern``: engines' regex functions match anywhere, so anchor it. A shape
    that a stricter pattern implies (_STRICTER) is matched only where the stricter one fails: the checks
    ask for both (a date's digits and the real date), and a regex costs about as much as the CSV parse
    of its column, while the stricter match is shared with the check that asks for it."""
    pattern = anchored(pattern)
    match = exp.RegexpLike(this=value.copy(), expression=lit(pattern))
    if pattern in _STRICTER:
        stricter = exp.RegexpLike(this=value.copy(), expression=lit(anchored(_STRICTER[pattern])))
        match = case(shared(stricter), exp.true(), match)
    return shared(match)


def anchored(pattern: str) -> str:
    """``pattern`` as a whole-value match. A pattern written `^…` without `$` (`^1\\.2\\.156…`) fixes only
    how the value starts: the rest is free."""
    prefix_only = pattern.startswith("^") and not (pattern.endswith("$") and not pattern.endswith("\\$"))
    body = pattern[1:] if pattern.startswith("^") else pattern
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    return f"^(?:{body})[\\s\\S]*$" if prefix_only else f"^(?:{body})$"


def char_value(value: SQL, position: int, alphabet: str) -> SQL:
    """The value of the character at ``position`` (1-based): its index in ``alphabet``, -1 if absent."""
    return exp.paren(exp.Sub(this=exp.StrPosition(this=lit(alphabet), substr=substr(value, position, 1)),
                             expression=lit(1)))


def weighted_sum(value: SQL, weights: tuple[int, ...], alphabet: str) -> SQL:
    total: SQL = exp.Mul(this=char_value(value, 1, alphabet), expression=lit(weights[0]))
    for i, w in enumerate(weights[1:], start=2):
        total = exp.Add(this=total, expression=exp.Mul(this=char_value(value, i, alphabet), expression=lit(w)))
    return exp.paren(total)


def mod(value: SQL, m: int) -> SQL:
    return exp.paren(exp.Mod(this=exp.paren(value), expression=lit(m)))


def case(condition: SQL, then: SQL, default: SQL) -> SQL:
    return exp.Case(ifs=[exp.If(this=condition, true=then)], default=default)


def guarded(condition: SQL, fails: SQL) -> SQL:
    """``fails`` evaluated only where ``condition`` holds (false elsewhere, never NULL)."""
    return case(condition, fails, exp.false())


def blank(value: SQL) -> SQL:
    """NULL, empty or only spaces. TRIM makes a new string of every value (a third of a bare scan for 15
    columns): only a value that starts with a space is trimmed. A CASE, not an AND: DuckDB computes both
    sides of an AND in a projection (trimming every value cost a quarter of the aggregate)."""
    return shared(exp.paren(exp.or_(
        exp.Is(this=value.copy(), expression=exp.Null()), exp.EQ(this=value.copy(), expression=lit("")),
        guarded(exp.Like(this=value.copy(), expression=lit(" %")),
                exp.EQ(this=exp.Trim(this=value.copy()), expression=lit(""))))))


def present(value: SQL) -> SQL:
    return exp.not_(blank(value))


# A real Gregorian date YYYYMMDD and a time of day hhmmss as regular expressions: one anchored match is
# the same on every engine, cannot raise, and costs a fraction of taking the digits apart (a date built
# from STRPOS per digit cost 0.5 s per million rows). Year 0000 is no year; 29 February only in leap
# years (every 4th year; of the centuries, every 4th).
YEAR = "(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
MONTH_DAY = ("(?:(?:0[13578]|1[02])(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)(?:0[1-9]|[12][0-9]|30)"
             "|02(?:0[1-9]|1[0-9]|2[0-8]))")
DATE = f"(?:{YEAR}{MONTH_DAY}|{LEAP_YEAR}0229)"
TIME = "(?:[01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]"
GB11643_BIRTH = f"[0-9]{{6}}{DATE}[0-9]{{3}}[0-9X]"  # GB11643_SHAPE whose digits 7-14 are a real date


def digits_number(value: SQL, digits: SQL, start: int, length: int) -> SQL:
    """Characters ``start``..``start + length - 1`` as one integer where ``digits`` (a match that makes
    them all digits) holds, NULL elsewhere: guarded, as a cast of letters raises in PostgreSQL and Spark.
    One cast per row, a shared column (engines do not share what a CASE holds), instead of a substring
    per digit: check digits are taken from it by integer arithmetic (digits_weighted_sum)."""
    return shared(case(digits, exp.Cast(this=substr(value, start, length), to=exp.DataType.build("BIGINT")),
                       exp.Null()))


def gb11643_number(value: SQL) -> SQL:
    """The first 17 digits of a citizen ID as one integer, NULL unless the ID has its shape; the check
    digit and the sex digit are taken from it."""
    return digits_number(value, full_match(value, GB11643_SHAPE), 1, 17)


def gb11643_digit(value: SQL, position: int) -> SQL:
    """Digit ``position`` (1-17) of the ID, from gb11643_number."""
    return mod(exp.paren(exp.IntDiv(this=gb11643_number(value), expression=lit(10 ** (17 - position)))), 10)


def digits_weighted_sum(number: SQL, weights: tuple[int, ...]) -> SQL:
    """The sum of digit × weight over the len(weights) decimal digits of ``number`` (a non-negative
    integer; the first weight is the most significant digit's), from its quotients q_k = number // 10^k
    alone: digit_k = q_k - 10 q_(k+1), so the sum is that of q_k × (w_k - 10 w_(k-1)). One integer
    division per digit instead of a division and a modulo: a third of the time (0.14 -> 0.05 s per
    million IDs). Each term stays under 10^18, so the BIGINT sum cannot overflow on any engine."""
    by_power = {len(weights) - 1 - i: w for i, w in enumerate(weights)}
    total: SQL = exp.Mul(this=number.copy(), expression=lit(by_power[0]))  # q_0 = number; weights are positive
    for k in range(1, len(weights)):
        coefficient = by_power[k] - 10 * by_power[k - 1]
        quotient = exp.paren(exp.IntDiv(this=number.copy(), expression=lit(10 ** k)))
        term = exp.Mul(this=quotient, expression=lit(abs(coefficient)))
        total = (exp.Add if coefficient >= 0 else exp.Sub)(this=total, expression=term)
    return exp.paren(total)


def gb11643_wrong(value: SQL) -> SQL:
    """GB 11643-1999: ISO 7064 MOD 11-2 over the 17 digits; the check character from `10X98765432`."""
    total = exp.Cast(this=digits_weighted_sum(gb11643_number(value), GB11643_WEIGHTS),
                     to=exp.DataType.build("INT"))  # PostgreSQL's DIV gives a numeric, not an integer
    expected = exp.Substring(this=lit("10X98765432"), start=exp.Add(this=mod(total, 11), expression=lit(1)),
                             length=lit(1))
    return exp.NEQ(this=substr(value, 18, 1), expression=expected)


def gb32100_wrong(value: SQL) -> SQL:
    """GB 32100-2015: weights 3^(i-1) mod 31 over 31 characters; check = (31 - sum mod 31) mod 31.
    Characters 3-8 are the division code and 9-17 mostly a digits-only organization code: when all 15
    are digits (GB32100_DIGITS, the regex that also stands for the shape's), they are one integer cast
    and digits_weighted_sum; otherwise each character's value is looked up (a SUBSTRING and a STRPOS
    each, the dearest part of the whole aggregate before: 0.48 -> 0.2 s per million codes)."""
    all_digits = full_match(value, GB32100_DIGITS)
    fast = exp.paren(exp.Add(this=exp.Add(
        this=exp.Mul(this=char_value(value, 1, GB32100_CHARS), expression=lit(GB32100_WEIGHTS[0])),
        expression=exp.Mul(this=char_value(value, 2, GB32100_CHARS), expression=lit(GB32100_WEIGHTS[1]))),
        expression=digits_weighted_sum(digits_number(value, all_digits.copy(), 3, 15), GB32100_WEIGHTS[2:])))
    total = case(all_digits, fast, weighted_sum(value, GB32100_WEIGHTS, GB32100_CHARS))
    expected = mod(exp.Sub(this=lit(31), expression=mod(total, 31)), 31)
    return exp.NEQ(this=char_value(value, 18, GB32100_CHARS), expression=expected)


def gb11714_wrong(value: SQL) -> SQL:
    """GB 11714-1997: weights 3 7 9 10 5 8 4 2, C9 = 11 - sum mod 11 (10 -> X, 11 -> 0)."""
    r = exp.Sub(this=lit(11), expression=mod(weighted_sum(value, GB11714_WEIGHTS, GB11714_CHARS), 11))
    expected = exp.Substring(this=lit("123456789X0"), start=r, length=lit(1))
    return exp.NEQ(this=substr(value, 9, 1), expression=expected)


# Shapes (anchored) and a stricter pattern each asked of the same values by another check: every value
# the stricter one matches has the shape.
_STRICTER = {anchored("[0-9]{8}"): DATE, anchored("[0-9]{14}"): DATE + TIME, anchored(GB11643_SHAPE): GB11643_BIRTH,
             anchored(GB32100_SHAPE): GB32100_DIGITS}

_CHECKSUM_SQL = {"gb11643": (gb11643_wrong, GB11643_SHAPE),
                 "gb32100": (gb32100_wrong, GB32100_SHAPE),
                 "gb11714": (gb11714_wrong, r"[0-9A-Z]{8}[0-9X]")}


# --- the checks of a resource -----------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    code: str
    column: int  # 0-based data column the finding is about
    item: Item
    fails: SQL
    dimension: str
    args: dict[str, Any] = field(default_factory=dict)
    severity: str | None = None  # a milder or stronger case than the rule's default

    @property
    def key(self) -> str:
        return f"{self.code}:{self.column}:{self.args.get('variant', '')}"


@dataclass
class Plan:
    """Everything one scan computes: the row checks, the key, the freshness column."""

    checks: list[Check]
    key_columns: list[int]  # the is_key items' columns; uniqueness over their combination
    key_item: Item | None
    updated_column: int | None  # DE00305 数据更新时间, for freshness
    updated_item: Item | None
    columns: int  # how many data columns the relation has

    def key_expression(self) -> SQL | None:
        """The row's key as one text value, NULL when any part is blank (such rows fail GC811 instead)."""
        if not self.key_columns:
            return None
        parts = [col(c) for c in self.key_columns]
        joined: SQL = parts[0]
        for part in parts[1:]:
            joined = exp.DPipe(this=exp.DPipe(this=joined, expression=lit("\x1f")), expression=part)
        any_blank = exp.or_(*[exp.paren(blank(col(c))) for c in self.key_columns])
        return case(any_blank, exp.Null(), joined)

    def newest_expression(self) -> SQL | None:
        if self.updated_column is None:
            return None
        v = col(self.updated_column)
        return exp.Max(this=case(full_match(v, DATE + TIME), v.copy(), exp.Null()))


_CHARS = {"n": ("[0-9]+", DIGITS), "a": ("[A-Za-z]+", string.ascii_letters),
          "an": ("[A-Za-z0-9]+", string.ascii_letters + DIGITS)}
_PIECE = re.compile(r"(?:\[((?:[0-9A-Za-z]-[0-9A-Za-z]|[0-9A-Za-z])+)\]|([0-9A-Za-z]))(?:\{\d+(?:,\d*)?\}|[+*?])?")
_RANGE = re.compile(r"([0-9A-Za-z])-([0-9A-Za-z])|([0-9A-Za-z])")


def _chars_pattern(chars: str | None, pattern: str | None) -> str | None:
    """The pattern of the element's characters (format n, a, an), unless its pattern already allows no
    others: a sequence of character classes and letters (`[0-9A-HJ-NP…]{2}[0-9]{6}…`) of those characters
    (an empty value never gets here). One regex less per row and column."""
    regex, allowed = _CHARS.get(chars or "", (None, ""))
    body = (pattern or "").removeprefix("^").removesuffix("$")
    if regex is None or not body or anchored(pattern or "") != f"^(?:{body})$" or _PIECE.sub("", body):
        return regex  # no pattern, a pattern of a prefix only (`^12`), or one not read here
    used = set()
    for klass, single in _PIECE.findall(body):
        for low, high, one in _RANGE.findall(klass or single):
            used |= {one} if one else {chr(x) for x in range(ord(low), ord(high) + 1)}
    return None if used <= set(allowed) else regex


def _decimal_bounds(item: Item) -> tuple[int | None, int | None]:
    """(total digits, decimals) from the item (length, precision) or the element (`n..18,4`)."""
    element = item.element
    total = item.length or (element.max_length or element.fixed_length if element else None)
    scale = item.precision if item.precision is not None else (element_scale(element) if element else None)
    return total, scale


def element_scale(element: Any) -> int | None:
    match = re.search(r",(\d+)$", element.format or "")
    return int(match.group(1)) if match else None


def plan(resource: Resource, mapping: Mapping, std: Standard, as_of: date, columns: int) -> Plan:
    checks: list[Check] = []
    by_element: dict[str, int] = {}
    for c, item in sorted(mapping.columns.items()):
        if item.element is not None:
            by_element.setdefault(item.element.id, c)
        checks.extend(_item_checks(c, item, std, as_of))
    checks.extend(_cross_checks(mapping, by_element))
    keys = sorted(c for c, it in mapping.columns.items() if it.is_key)
    updated = by_element.get(UPDATED_ELEMENT)
    if updated is None:  # an update-time column not tied to DE00305: a T item named like one
        updated = next((c for c, it in sorted(mapping.columns.items())
                        if (it.data_type or (it.element.data_type if it.element else None)) == "T"
                        and "更新" in it.name), None)
    return Plan(checks=checks, key_columns=keys, key_item=mapping.columns[keys[0]] if keys else None,
                updated_column=updated, updated_item=mapping.columns.get(updated) if updated is not None else None,
                columns=columns)


def _type_of(item: Item) -> str:
    element_type = item.element.data_type if item.element else None
    return (item.data_type or element_type or "C").upper()


def _item_checks(c: int, item: Item, std: Standard, as_of: date) -> list[Check]:
    v = col(c)
    out = [Check("GC811" if item.is_key else "GC812", c, item, blank(v), COMPLETENESS)]
    element, kind = item.element, _type_of(item)
    ok = present(v)
    if kind in ("D", "T"):
        digits = 8 if kind == "D" else 14
        shape = full_match(v, f"[0-9]{{{digits}}}")
        expected = L10n("日期 YYYYMMDD", "a date YYYYMMDD") if kind == "D" else L10n(
            "日期时间 YYYYMMDDhhmmss", "a date-time YYYYMMDDhhmmss")
        out.append(Check("GC813", c, item, guarded(ok, exp.not_(shape)), CONFORMITY, {"expected": expected}))
        real = full_match(v, DATE if kind == "D" else DATE + TIME)
        out.append(Check("GC818", c, item, guarded(exp.and_(ok.copy(), shape.copy()), exp.not_(real)), CONFORMITY))
        title = element.title if element else item.name
        if not _FUTURE_BY_NATURE.search(title) and not _FUTURE_BY_NATURE.search(item.name):
            valid = exp.and_(ok.copy(), real.copy())
            out.append(Check("GC819", c, item, guarded(valid, exp.GT(this=substr(v, 1, 8), expression=lit(
                as_of.strftime("%Y%m%d")))), CONFORMITY, {"as_of": as_of.isoformat()}))
        return out
    if kind == "I":
        out.append(Check("GC813", c, item, guarded(ok, exp.not_(full_match(v, "[+-]?[0-9]+"))), CONFORMITY,
                         {"expected": L10n("整数", "an integer")}))
        limit = item.length or (element.max_length or element.fixed_length if element else None)
        if limit:
            out.append(Check("GC814", c, item, guarded(exp.and_(ok.copy(), full_match(v, "[+-]?[0-9]+")),
                                                       exp.not_(full_match(v, f"[+-]?[0-9]{{1,{limit}}}"))),
                             CONFORMITY, {"expected": L10n(f"至多 {limit} 位数字", f"at most {limit} digits")}))
        return out
    if kind in ("N", "Y", "F", "B"):
        exponent = "([eE][+-]?[0-9]+)?" if kind in ("F", "B") else ""
        number_re = f"[+-]?[0-9]+([.][0-9]+)?{exponent}"
        out.append(Check("GC813", c, item, guarded(ok, exp.not_(full_match(v, number_re))), CONFORMITY,
                         {"expected": L10n("十进制数", "a decimal number")}))
        total, scale = _decimal_bounds(item)
        if total and kind in ("N", "Y"):
            whole = max(total - (scale or 0), 1)
            bounded = f"[+-]?[0-9]{{1,{whole}}}" + (f"([.][0-9]{{1,{scale}}})?" if scale else "")
            out.append(Check("GC814", c, item, guarded(exp.and_(ok.copy(), full_match(v, number_re)),
                                                       exp.not_(full_match(v, bounded))), CONFORMITY,
                             {"expected": L10n(f"整数部分至多 {whole} 位、小数至多 {scale or 0} 位",
                                               f"at most {whole} integer and {scale or 0} decimal digits")}))
        return out
    if kind == "L":
        digits_only = element is not None and (element.format or "").startswith("n")
        allowed = ["0", "1"] if digits_only else ["0", "1", "true", "false", "是", "否", "y", "n"]
        test = v.copy() if digits_only else exp.Lower(this=exp.Trim(this=v.copy()))
        out.append(Check("GC813", c, item, guarded(ok, exp.not_(exp.In(this=test, expressions=[lit(a) for a in allowed]))),
                         CONFORMITY, {"expected": L10n("逻辑值（" + "/".join(allowed) + "）",
                                                       "a boolean (" + "/".join(allowed) + ")")}))
        return out
    # C, M, G: text. Length, characters and pattern, code set, check digit.
    fixed = element.fixed_length if element else None
    limit = None if fixed else (item.length or (element.max_length if element else None))
    if fixed:
        out.append(Check("GC814", c, item, guarded(ok, exp.NEQ(this=exp.Length(this=v.copy()), expression=lit(fixed))),
                         CONFORMITY, {"expected": L10n(f"恰为 {fixed} 个字符", f"exactly {fixed} characters")}))
    elif limit:
        out.append(Check("GC814", c, item, guarded(ok, exp.GT(this=exp.Length(this=v.copy()), expression=lit(limit))),
                         CONFORMITY, {"expected": L10n(f"至多 {limit} 个字符", f"at most {limit} characters")}))
    if element is None:
        return out
    pattern = attr(std, element, "pattern")
    patterns = [p for p in (_chars_pattern(attr(std, element, "chars"), pattern), pattern) if p]
    code_set = std.code_sets.get(attr(std, element, "range") or "")
    if patterns and not code_set:  # a code set is stricter than any pattern: GC816 alone says it
        conforms = exp.and_(*[full_match(v, p) for p in patterns])
        out.append(Check("GC815", c, item, guarded(ok, exp.not_(exp.paren(conforms))), CONFORMITY,
                         {"expected": " ".join(x for x in (element.format, pattern) if x)}))
    if code_set:
        out.append(Check("GC816", c, item, guarded(ok, exp.not_(exp.In(this=v.copy(), expressions=[lit(x) for x in code_set]))),
                         CONFORMITY, {"code_set": attr(std, element, "range")}))
    algorithm = attr(std, element, "checksum")
    if algorithm in _CHECKSUM_SQL:
        wrong, shape = _CHECKSUM_SQL[algorithm]
        out.append(Check("GC817", c, item, guarded(exp.and_(ok.copy(), full_match(v, shape)), wrong(v)), CONFORMITY,
                         {"algorithm": CHECKSUMS[algorithm]}))
        if algorithm == "gb11643":  # the birth date inside the number is a real date
            out.append(Check("GC818", c, item, guarded(exp.and_(ok.copy(), full_match(v, shape)),
                                                       exp.not_(full_match(v, GB11643_BIRTH))),
                             CONFORMITY,
                             {"variant": "birth"}))
    return out


def _cross_checks(mapping: Mapping, by_element: dict[str, int]) -> list[Check]:
    out: list[Check] = []
    id_col = by_element.get(ID_ELEMENT)
    if id_col is None:
        return out
    idv = col(id_col)
    id_ok = exp.and_(present(idv), full_match(idv, GB11643_SHAPE))
    birth = by_element.get(BIRTH_ELEMENT)
    if birth is not None:
        bv = col(birth)
        out.append(Check("GC821", birth, mapping.columns[birth],
                         guarded(exp.and_(id_ok.copy(), present(bv)), exp.NEQ(this=substr(idv, 7, 8), expression=bv.copy())),
                         CONSISTENCY, {"other": mapping.columns[id_col].name,
                                       "what": L10n("出生日期与身份号码第 7–14 位不同",
                                                    "the birth date differs from digits 7-14 of the ID number")}))
    gender = by_element.get(GENDER_ELEMENT)
    if gender is not None:
        gv = col(gender)
        from_id = case(exp.EQ(this=mod(gb11643_digit(idv, 17), 2), expression=lit(1)), lit("1"), lit("2"))
        out.append(Check("GC821", gender, mapping.columns[gender],
                         guarded(exp.and_(id_ok.copy(), exp.In(this=gv.copy(), expressions=[lit("1"), lit("2")])),
                                 exp.NEQ(this=from_id, expression=gv.copy())),
                         CONSISTENCY, {"other": mapping.columns[id_col].name,
                                       "what": L10n("性别代码与身份号码第 17 位的奇偶不符",
                                                    "the gender code disagrees with digit 17 of the ID number")}))
    return out


def attr(std: Standard, element: Any, key: str) -> Any:
    """An attribute of the element the run-time model keeps only in its raw table (pattern, range, …)."""
    return std.raw["elements"].get(element.id, {}).get(key)
