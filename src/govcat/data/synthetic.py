"""`govcat data sample`: realistic synthetic rows for a resource, and planted defects listed in a side file.

Values follow each item's data element: 公民身份号码 with a real county code, a real birth date, a
sequence number whose parity is the sex and the GB 11643 check digit (python-stdnum); 统一社会信用代码
with a GB 11714 organisation code inside and the GB 32100 check character (python-stdnum); codes from
the standard's code sets; dates no later than today; names, addresses and phone numbers that look real.
Rows depend only on the seed. With `--defects RATE`, that share of the rows gets one defect each, and
`FILE.defects.csv` lists every one: row, line, column, kind and the rule expected to find it.
"""

from __future__ import annotations

import csv
import random
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from stdnum.cn import ric, uscc

from govcat.core.errors import UsageError
from govcat.core.workspace import Workspace
from govcat.data import checks
from govcat.data.resource import Item, Resource, find
from govcat.standard import Standard
from govcat.standard import load as load_standard

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅海燕晓东文斌宇浩然子涵欣怡梓轩雨萱一诺佳琪思远"
ROADS = ("解放路", "人民路", "中山路", "建设路", "文化路", "湖滨路", "延安路", "钱江路", "学院路", "新华路")
COMPANY = ("科技", "贸易", "建设", "信息", "食品", "物流", "文化", "医药", "环保", "咨询")
KINDS = ("blank-key", "check-digit", "format", "code-set", "invalid-date", "future-date", "duplicate-key",
         "cross-field", "too-long")


def defects_path(output: Path) -> Path:
    return output.with_name(output.name + ".defects.csv")


def _gb11714(body: str) -> str:
    """The GB 11714-1997 check character of an 8-character organisation code body (no library has it)."""
    total = sum(checks.GB11714_CHARS.index(c) * w for c, w in zip(body, checks.GB11714_WEIGHTS, strict=True))
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


class Generator:
    def __init__(self, resource: Resource, std: Standard, seed: int, today: date) -> None:
        self.resource, self.std, self.today = resource, std, today
        self.rnd = random.Random(seed)
        self.counties = sorted(d for d in std.divisions if not d.endswith("00"))
        self.serial = 0
        self.by_element = {it.element.id: it for it in resource.items if it.element}
        self.makers: list[Callable[[dict[str, Any]], str]] = [self._maker(it) for it in resource.items]

    # one row: the person (or organisation) first, so the ID, birth date and sex agree
    def row(self, index: int) -> list[str]:
        rnd = self.rnd
        birth = date(1940, 1, 1) + timedelta(days=rnd.randrange(0, 365 * 80))
        male = rnd.random() < 0.5
        seq = rnd.randrange(0, 500) * 2 + (1 if male else 0)
        body = f"{rnd.choice(self.counties)}{birth:%Y%m%d}{seq:03d}"
        context = {"index": index, "birth": birth, "male": male, "id": body + ric.calc_check_digit(body + "0")}
        return [make(context) for make in self.makers]

    def _maker(self, item: Item) -> Callable[[dict[str, Any]], str]:
        rnd, element = self.rnd, item.element
        eid = element.id if element else ""
        kind = (item.data_type or (element.data_type if element else None) or "C").upper()
        code_set = self.std.code_sets.get(checks.attr(self.std, element, "range") or "") if element else None
        checksum = checks.attr(self.std, element, "checksum") if element else None
        title = element.title if element else item.name
        if eid == checks.ID_ELEMENT:
            return lambda ctx: ctx["id"]
        if eid == checks.BIRTH_ELEMENT:
            return lambda ctx: f"{ctx['birth']:%Y%m%d}"
        if eid == checks.GENDER_ELEMENT:
            return lambda ctx: "1" if ctx["male"] else "2"
        if checksum == "gb32100":
            return lambda ctx: self.credit_code(ctx["index"] if item.is_key else rnd.randrange(10**7))
        if checksum == "gb11714":
            return lambda ctx: self.org_code(ctx["index"] if item.is_key else rnd.randrange(10**7))
        if code_set:
            values = [v for v in code_set if v in self.std.divisions and not v.endswith("00")] or list(code_set)
            return lambda ctx: rnd.choice(values)
        if kind == "D":
            ends = checks._FUTURE_BY_NATURE.search(title) is not None
            return lambda ctx: f"{self.today + timedelta(days=rnd.randrange(30, 3650) * (1 if ends else -1)):%Y%m%d}"
        if kind == "T":
            recent = eid == checks.UPDATED_ELEMENT or "更新" in item.name
            span = 2 if recent else 3650
            return lambda ctx: (f"{self.today - timedelta(days=rnd.randrange(0, span)):%Y%m%d}"
                                f"{rnd.randrange(24):02d}{rnd.randrange(60):02d}{rnd.randrange(60):02d}")
        if kind == "I":
            return lambda ctx: str(ctx["index"] if item.is_key else rnd.randrange(0, 1000))
        if kind in ("N", "Y", "F", "B"):
            scale = min(2, checks.element_scale(element) or 2) if element else 2
            return lambda ctx: f"{rnd.uniform(0, 10000):.{scale}f}"
        if kind == "L":
            return lambda ctx: rnd.choice("01")
        fixed = element.fixed_length if element else None
        limit = item.length or (element.max_length if element else None) or 50
        chars = checks.attr(self.std, element, "chars") if element else None
        if fixed and chars in ("n", "an"):
            alphabet = "0123456789" if chars == "n" else "0123456789ABCDEFGHJKLMNPQRTUWXY"
            if item.is_key:
                return lambda ctx: str(ctx["index"]).zfill(fixed)[-fixed:]
            return lambda ctx: "".join(rnd.choice(alphabet) for _ in range(fixed))
        if chars in ("n", "an", "a"):
            alphabet = {"n": "0123456789", "an": "0123456789ABCDEFGHJKLMNPQRTUWXY", "a": "ABCDEFGHJKLMNPQRTUWXY"}[chars]
            if item.is_key:
                return lambda ctx: str(ctx["index"]).zfill(min(limit, 8))[-limit:]
            return lambda ctx: "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, min(limit, 12))))
        if "姓名" in title or title.endswith("人"):
            return lambda ctx: self.person_name()[:limit]
        if "地址" in title or "住所" in title:
            return lambda ctx: f"示范市{rnd.choice(ROADS)}{rnd.randrange(1, 999)}号"[:limit]
        if "电话" in title:
            return lambda ctx: f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}"[:limit]
        if "名称" in title or "机关" in title or "单位" in title:
            return lambda ctx: f"示范{rnd.choice(COMPANY)}有限公司"[:limit]
        if item.is_key:
            return lambda ctx: f"{ctx['index']:08d}"[:limit]
        return lambda ctx: f"{item.name}{rnd.randrange(1000)}"[:limit]

    def person_name(self) -> str:
        return self.rnd.choice(SURNAMES) + "".join(self.rnd.choice(GIVEN) for _ in range(self.rnd.choice((1, 2))))

    def credit_code(self, n: int) -> str:
        body = f"{n % 10**8:08d}"
        org = body + _gb11714(body)
        first17 = "91" + self.counties[(n * 7919) % len(self.counties)] + org  # the same n, the same code
        return first17 + uscc.calc_check_digit(first17)

    def org_code(self, n: int) -> str:
        body = f"{n % 10**8:08d}"
        return body + _gb11714(body)


def _plant(gen: Generator, row: list[str], previous: list[str] | None, rnd: random.Random) -> tuple[int, str] | None:
    """One defect in ``row``: (column, kind), or None when the resource has nothing of that kind."""
    items = gen.resource.items
    keys = [i for i, it in enumerate(items) if it.is_key]
    by_eid = {it.element.id: i for i, it in enumerate(items) if it.element}
    checksummed = [i for i, it in enumerate(items) if it.element and checks.attr(gen.std, it.element, "checksum")]
    coded = [i for i, it in enumerate(items) if it.element and gen.std.code_sets.get(
        checks.attr(gen.std, it.element, "range") or "")]
    dated = [i for i, it in enumerate(items) if (it.data_type or "") == "D"
             and not checks._FUTURE_BY_NATURE.search(it.element.title if it.element else it.name)
             and not (it.element and it.element.id == checks.BIRTH_ELEMENT and checks.ID_ELEMENT in by_eid)]
    limited = [i for i, it in enumerate(items) if (it.data_type or "C") == "C" and (
        it.length or (it.element.max_length if it.element else None))]
    options: list[tuple[str, list[int]]] = [
        ("blank-key", keys), ("check-digit", checksummed), ("format", checksummed), ("code-set", coded),
        ("invalid-date", dated), ("future-date", dated), ("duplicate-key", keys if previous else []),
        ("cross-field", [by_eid[checks.BIRTH_ELEMENT]] if {checks.ID_ELEMENT, checks.BIRTH_ELEMENT} <= by_eid.keys()
         else []), ("too-long", [i for i in limited if i not in checksummed and i not in coded])]
    options = [(k, cols) for k, cols in options if cols]
    if not options:
        return None
    kind, cols = rnd.choice(options)
    c = rnd.choice(cols)
    value = row[c]
    if kind == "blank-key":
        row[c] = ""
    elif kind == "check-digit":
        last = value[-1]
        row[c] = value[:-1] + ("0" if last != "0" else "1")
    elif kind == "format":
        row[c] = value[:-2] + "*" + value[-1]
    elif kind == "code-set":
        row[c] = "X" * max(len(value), 1)  # no code set of the standard has such a code
    elif kind == "invalid-date":
        row[c] = value[:4] + "13" + value[6:]
    elif kind == "future-date":
        row[c] = f"{gen.today.year + 5}{value[4:]}"[:8] if value[4:8] != "0229" else f"{gen.today.year + 5}0301"
    elif kind == "duplicate-key":  # the previous record again, as a double export gives it
        assert previous is not None
        row[:] = previous
        c = keys[0]
    elif kind == "cross-field":
        day = date(int(value[:4]), int(value[4:6]), int(value[6:8])) + timedelta(days=1)
        row[c] = f"{day:%Y%m%d}"
    elif kind == "too-long":
        item = items[c]
        limit = item.length or (item.element.max_length if item.element else 50) or 50
        row[c] = (value + "长" * (limit + 1))[: limit + 1]
    return c, kind


EXPECTED = {"blank-key": "GC811", "check-digit": "GC817", "format": "GC815", "code-set": "GC816",
            "invalid-date": "GC813/GC818", "future-date": "GC819", "duplicate-key": "GC820", "cross-field": "GC821",
            "too-long": "GC814"}


def rows(resource: Resource, std: Standard, n: int, defects: float, seed: int, today: date,
         planted: list[tuple[int, int, str]]) -> Iterator[list[str]]:
    gen = Generator(resource, std, seed, today)
    rnd = random.Random(seed + 1)
    previous: list[str] | None = None
    for i in range(1, n + 1):
        row = gen.row(i)
        found = _plant(gen, row, previous, rnd) if defects and rnd.random() < defects else None
        if found is not None:
            planted.append((i, found[0], found[1]))
        else:
            previous = row  # a duplicate repeats a clean row, so each planted defect is found once
        yield row


def write(code: str, output: Path, n: int, defects: float, seed: int, workspace: Workspace,
          catalog: Path | None = None, today: date | None = None) -> int:
    std = load_standard(workspace.generated)
    resource = find(code, std, workspace, catalog, Path.cwd())
    if not resource.items:
        raise UsageError(f"信息资源 {code} 没有信息项，无法生成数据")
    headers = [it.name for it in resource.items]
    planted: list[tuple[int, int, str]] = []
    suffix = output.suffix.lower()
    today = today or date.today()
    generated = rows(resource, std, n, defects, seed, today, planted)
    if suffix in (".csv", ".tsv"):
        with open(output, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter="\t" if suffix == ".tsv" else ",", lineterminator="\n")
            writer.writerow(headers)
            writer.writerows(generated)
    elif suffix == ".xlsx":
        _xlsx(output, headers, generated)
    elif suffix in (".parquet", ".jsonl"):
        _via_duckdb(output, headers, generated, suffix)
    else:
        raise UsageError(f"不支持的输出类型“{output.suffix}”：可用 .csv、.tsv、.xlsx、.parquet、.jsonl")
    if defects:
        with open(defects_path(output), "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["row", "line", "column", "field", "kind", "rule"])
            for row, c, kind in planted:
                writer.writerow([row, row + 1, c + 1, headers[c], kind, EXPECTED[kind]])
    return len(planted)


def _xlsx(output: Path, headers: list[str], generated: Iterator[list[str]]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("数据")

    def text(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # a value starting with "=" stays text, never a formula
        return cell

    sheet.append([text(h) for h in headers])
    for row in generated:
        sheet.append([text(v) for v in row])
    book.save(output)


def _via_duckdb(output: Path, headers: list[str], generated: Iterator[list[str]], suffix: str) -> None:
    import duckdb

    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", newline="", delete=False) as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(generated)
        staged = fh.name
    try:
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")  # nothing drawn on stdout
        columns = "{" + ", ".join(f"'{h.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for h in headers) + "}"
        fmt = "parquet" if suffix == ".parquet" else "json"
        target = str(output).replace("'", "''")
        con.execute(f"COPY (SELECT * FROM read_csv('{staged}', header=true, auto_detect=false, columns={columns})) "
                    f"TO '{target}' (FORMAT {fmt})")
        con.close()
    finally:
        Path(staged).unlink(missing_ok=True)
