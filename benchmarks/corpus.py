"""A deterministic corpus of department catalogs for the benchmark (issue 6).

Writes the shape of ``catalogs/``: a registry ``catalogs/departments.yaml`` and one folder per
department, ``catalogs/<统一社会信用代码>/catalog.yaml``, plus ``corpus.json`` beside ``catalogs/``
(the parameters, the sizes and the list of injected defects with the rule codes each must raise).

    python benchmarks/corpus.py OUT_DIR --departments 300 --resources 100 --items 15 [--defective 0.01] [--seed 0]

Departments are county-level bureaus (民政局, 公安局, 市场监督管理局 …) of real GB/T 2260 counties, with
GB 32100 codes whose check character is computed by ``stdnum``. Resources come from per-bureau topic
templates; items are the standard's data elements (title, type and length taken from
``generated/standard.json``), so the clean corpus validates with no finding at ``--as-of``:
codes and names are unique, no two providers share a 项 and an element set (GC601), base resources
are 无条件共享 and updated at least monthly, personal elements are never opened unconditionally,
and every ``last_updated_on`` is recent enough for its frequency.

With ``--defective R`` a fraction R of the resources (chosen by a separate random stream, so the rest
of the corpus is byte-identical to the clean one) carries one defect each: the kind of ``DEFECTS``
applied least so far that fits the resource, so that every rule family's error path is exercised.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from stdnum.cn import uscc

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 22)

# name, short name, URL slug, subject, element categories, base 项, theme 项, topics, internal departments
BUREAUS: tuple[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...],
                     tuple[str, ...]], ...] = (
    ("民政局", "民政局", "mz", "person", ("人员", "位置", "时间"), (), ("社会保障", "社区治理"),
     ("婚姻登记", "社会组织登记", "最低生活保障", "特困人员救助供养", "临时救助", "殡葬服务", "养老机构备案",
      "地名标志", "残疾人两项补贴", "慈善组织认定", "城乡社区组织", "困境儿童保障"),
     ("社会事务科", "社会救助科", "社会组织管理科", "养老服务科", "区划地名科")),
    ("公安局", "公安局", "ga", "person", ("人员", "位置", "时间", "证照"), ("人口",), ("应急维稳", "公共服务"),
     ("户籍人口", "流动人口居住登记", "居民身份证办理", "户口迁移", "出入境证件办理", "机动车登记", "机动车驾驶人",
      "治安案件", "特种行业许可", "养犬登记", "居住证办理"),
     ("户政管理大队", "出入境管理大队", "治安管理大队", "交通警察大队", "指挥中心")),
    ("人力资源和社会保障局", "人社局", "rs", "person", ("人员", "机构", "金融", "时间"), (), ("社会保障", "公共服务"),
     ("就业登记", "失业登记", "社会保险参保", "养老保险待遇发放", "工伤认定", "职业技能等级认定", "劳动人事争议仲裁",
      "人才引进", "专业技术资格评审", "劳动保障监察"),
     ("就业促进科", "社会保险科", "劳动关系科", "人才开发科", "仲裁院")),
    ("卫生健康局", "卫健局", "wj", "person", ("人员", "机构", "时间"), (), ("健康保障", "公共服务"),
     ("出生医学证明", "医疗机构执业登记", "医师执业注册", "护士执业注册", "预防接种", "家庭医生签约",
      "传染病报告", "母婴保健技术服务", "死亡医学证明", "公共场所卫生监督"),
     ("医政医管科", "疾病预防控制科", "妇幼健康科", "卫生监督所", "基层卫生科")),
    ("市场监督管理局", "市场监管局", "sj", "org", ("机构", "信用", "证照", "时间"), ("法人单位", "电子证照"),
     ("食品药品安全", "信用体系", "价格监管"),
     ("企业登记注册", "个体工商户登记", "食品经营许可", "特种设备使用登记", "企业年度报告", "经营异常名录",
      "行政处罚", "计量器具强制检定", "药品零售许可", "产品质量抽查"),
     ("登记注册科", "信用监管科", "食品经营监管科", "特种设备安全监察科", "执法稽查大队")),
    ("税务局", "税务局", "sw", "org", ("机构", "金融", "信用", "时间"), (), ("信用体系",),
     ("纳税人登记", "纳税信用评价", "欠税公告", "发票领用", "税收优惠备案", "重大税收违法失信案件",
      "出口退税备案", "跨区域涉税事项报告", "非正常户认定"),
     ("纳税服务股", "征收管理股", "税政股", "稽查局", "风险管理股")),
    ("自然资源和规划局", "自然资源局", "zr", "place", ("自然资源", "位置", "时间", "证照"),
     ("自然资源和空间地理", "电子证照"), ("城乡建设", "生态环保"),
     ("不动产登记", "建设用地规划许可", "国有建设用地使用权出让", "地质灾害隐患点", "国土空间规划",
      "测绘成果", "矿业权登记", "耕地保护", "永久基本农田", "林地征占用审核"),
     ("不动产登记中心", "国土空间规划科", "耕地保护科", "地质灾害防治科", "测绘地理信息科")),
    ("住房和城乡建设局", "住建局", "zj", "org", ("机构", "位置", "时间", "证照"), (), ("城乡建设", "安全生产"),
     ("建筑工程施工许可", "商品房预售许可", "商品房网签备案", "建筑业企业资质", "物业服务企业",
      "城镇燃气经营许可", "保障性住房", "房屋安全鉴定", "建设工程竣工验收备案"),
     ("建筑业管理科", "房地产市场监管科", "住房保障科", "城建科", "质量安全监督站")),
    ("交通运输局", "交通局", "jt", "org", ("机构", "证照", "位置", "时间"), (), ("公共服务", "安全生产"),
     ("道路运输经营许可", "营运车辆", "道路运输从业资格", "公路路政许可", "巡游出租汽车", "网约车运输证",
      "港口经营许可", "公交线路", "公路养护"),
     ("运输管理科", "公路管理段", "港航管理科", "综合执法大队", "安全监督科")),
    ("教育局", "教育局", "jy", "person", ("人员", "机构", "时间"), (), ("公共服务",),
     ("中小学学籍", "教师资格认定", "民办学校办学许可", "学生资助", "义务教育招生入学", "校外培训机构",
      "教师继续教育学分", "学校基本情况", "学前教育机构"),
     ("基础教育科", "人事科", "学生资助管理中心", "招生考试中心", "民办教育科")),
    ("生态环境分局", "生态环境分局", "sthj", "place", ("自然资源", "机构", "位置", "时间"), (), ("生态环保",),
     ("排污许可", "环境影响评价审批", "环境行政处罚", "空气质量监测", "地表水水质监测", "危险废物经营许可",
      "突发环境事件", "重点排污单位", "噪声监测"),
     ("环评科", "执法大队", "监测站", "水生态环境科", "固体废物管理科")),
    ("应急管理局", "应急局", "yj", "org", ("机构", "位置", "时间"), (), ("安全生产", "应急维稳"),
     ("安全生产许可", "危险化学品经营许可", "安全生产行政处罚", "应急救援队伍", "应急物资储备",
      "自然灾害灾情", "生产安全事故", "烟花爆竹经营许可", "重大危险源备案"),
     ("危化品监管科", "应急指挥中心", "救灾和物资保障科", "综合执法大队", "安全生产基础科")),
    ("农业农村局", "农业农村局", "ny", "place", ("自然资源", "机构", "位置", "时间"), (), ("食品药品安全",),
     ("农村土地承包经营权", "农药经营许可", "兽药经营许可", "动物防疫", "家庭农场名录", "农民专业合作社",
      "农机购置补贴", "渔业捕捞许可", "高标准农田建设"),
     ("农村经营管理科", "种植业科", "畜牧兽医科", "农机管理站", "渔业科")),
    ("水利局", "水利局", "sl", "place", ("自然资源", "位置", "时间"), (), ("生态环保", "应急维稳"),
     ("取水许可", "河道采砂许可", "水利工程", "水土保持方案审批", "水文监测", "河长巡河", "农村供水工程",
      "防汛抗旱", "水资源费征收"),
     ("水资源科", "河湖管理科", "水旱灾害防御科", "水土保持站", "农村水利科")),
    ("医疗保障局", "医保局", "yb", "person", ("人员", "机构", "金融", "时间"), (), ("健康保障", "社会保障"),
     ("医保参保登记", "医保定点医药机构", "医疗费用结算", "医疗救助", "异地就医备案", "医保基金监管",
      "门诊慢特病认定", "医保药品目录", "长期护理保险"),
     ("待遇保障科", "医药服务管理科", "基金监管科", "医保中心", "规划财务科")),
    ("文化广电旅游体育局", "文广旅体局", "wl", "org", ("机构", "位置", "时间"), (), ("公共服务",),
     ("旅行社", "A级旅游景区", "娱乐场所经营许可", "互联网上网服务营业场所", "文物保护单位", "公共图书馆",
      "体育场馆", "演出经纪机构", "旅游投诉"),
     ("市场管理科", "文物科", "公共服务科", "旅游发展科", "文化市场综合执法队")),
    ("退役军人事务局", "退役军人局", "tj", "person", ("人员", "时间", "金融"), (), ("社会保障",),
     ("退役军人信息采集", "优抚对象", "烈士褒扬", "退役军人就业创业", "光荣牌悬挂", "军休干部服务",
      "退役士兵安置", "双拥优待"),
     ("优抚科", "就业创业科", "移交安置科", "褒扬纪念科", "服务中心")),
    ("统计局", "统计局", "tongji", "org", ("机构", "位置", "时间"), (), ("公共服务",),
     ("基本单位名录", "统计执法检查", "规模以上工业企业", "固定资产投资项目", "统计从业人员",
      "经济普查", "服务业企业", "农业统计", "居民收支调查"),
     ("综合科", "工业交通科", "普查中心", "执法监督科", "调查队")),
    ("发展和改革局", "发改局", "fg", "org", ("机构", "信用", "时间", "金融"), ("社会信用",),
     ("信用体系", "价格监管", "能源安全"),
     ("公共信用信息", "守信激励对象", "失信惩戒对象", "企业投资项目核准", "政府投资项目", "价格监测",
      "粮食储备", "能源消费", "信用修复"),
     ("信用建设科", "投资科", "价格科", "能源科", "粮食和物资储备科")),
    ("商务局", "商务局", "sw2", "org", ("机构", "信用", "时间", "金融"), (), ("价格监管", "能源安全"),
     ("对外贸易经营者备案", "单用途预付卡", "商贸流通企业", "外商投资企业", "二手车交易市场",
      "成品油零售经营", "再生资源回收", "家政服务企业"),
     ("对外贸易科", "市场体系建设科", "外资科", "商贸流通科", "电子商务科")),
    ("司法局", "司法局", "sf", "person", ("人员", "机构", "时间"), (), ("公共服务", "应急维稳"),
     ("律师执业", "法律援助", "人民调解", "公证", "社区矫正", "司法鉴定", "基层法律服务", "行政复议"),
     ("律师工作科", "法律援助中心", "人民参与和促进法治科", "社区矫正科", "行政复议科")),
    ("行政审批服务局", "审批局", "sp", "license", ("证照", "机构", "时间"), ("电子证照",), ("公共服务",),
     ("政务服务事项", "办件", "好差评", "电子证照归集", "一件事联办", "帮办代办", "政务服务中心窗口",
      "告知承诺", "证明事项清单"),
     ("政务服务科", "审批一科", "审批二科", "电子政务科", "政务服务中心")),
)

KINDS = ("信息", "变更信息", "注销信息", "统计信息", "办理台账", "历史档案", "核查结果", "监督检查记录",
         "年度汇总", "月度明细", "申请受理信息", "投诉举报信息")
CORE = {
    "person": ("DE00001", "DE00002"),
    "org": ("DE00101", "DE00102"),
    "place": ("DE00201", "DE00202"),
    "license": ("DE00401", "DE00402", "DE00403"),
}
LICENSE_CORE = ("DE00401", "DE00402", "DE00403", "DE00302")
FORMATS = (("数据库", 55), ("服务接口", 15), ("电子表格", 14), ("电子文件", 8), ("自描述格式", 6), ("图形图像", 2))
METHOD_TYPES = {"数据库": ("数据库", "接口"), "服务接口": ("接口",), "电子表格": ("文件", "接口"),
                "电子文件": ("文件",), "自描述格式": ("接口", "文件"), "图形图像": ("文件",)}
MOUNT_KIND = {"数据库": "库表", "接口": "接口", "文件": "文件"}
FREQUENCIES = (("实时", 6), ("每日", 22), ("每周", 8), ("每月", 22), ("每季度", 12), ("每半年", 5), ("每年", 15),
               ("不定期", 8), ("其他", 2))
CONDITIONS = ("仅用于{topic}相关政务服务事项的核验", "限{county}各部门依法履职使用，不得向第三方提供",
              "经{bureau}审核同意后按需调用，调用记录留痕备查", "限涉及{topic}的行政审批和监管执法使用")
BASES = ("《中华人民共和国统计法》第二十五条", "《中华人民共和国个人信息保护法》第十三条",
         "《中华人民共和国保守国家秘密法》第九条", "《中华人民共和国档案法》第二十八条")
OPEN_CONDITIONS = ("经开放平台实名注册并签署数据使用协议后开放", "仅向经认证的科研机构开放，用于统计分析",
                   "申请人说明用途并经{bureau}审核后开放")
SUMMARIES = (
    "{county}{topic}业务形成的{kind}，包括{e1}、{e2}、{e3}等{n}项信息，由{internal}负责采集和维护。",
    "记录{county}范围内{topic}的办理情况，每条记录对应一件业务，主要信息项有{e1}、{e2}和{e3}，用于{use}。",
    "{bureau}在{topic}工作中登记的{kind}，涵盖{e1}、{e2}、{e3}等内容，数据来源于{system}，{freq_text}。",
)
USES = ("跨部门业务协同和政务服务事项办理", "监管执法和风险预警", "统计分析和领导决策", "一网通办材料免提交")
ITEM_NOTES = ("以业务系统登记内容为准", "为空表示未采集", "按数据元标准的表示格式填写", "历史数据已按现行标准转换")
NOTE_OTHER = ("每年 3 月和 9 月各更新一次", "随上级部门数据下发同步更新", "业务发生后 5 个工作日内更新")

# Each defect: kind -> the rule codes it must raise (see Defects.maybe for how kinds are chosen).
DEFECTS: dict[str, tuple[str, ...]] = {
    "bad-date": ("GC106",),
    "missing-share-condition": ("GC401",),
    "unknown-element": ("GC301",),
    "alias-frequency": ("GC501",),
    "duplicate-code-across-departments": ("GC203",),
    "personal-data-opened": ("GC405",),
    "missing-summary": ("GC101",),
    "unknown-field": ("GC102",),
    "bad-vocabulary": ("GC104",),
    "missing-item-length": ("GC307",),
    "item-type-mismatch": ("GC302",),
    "duplicate-name": ("GC204",),
    "code-classification-mismatch": ("GC202",),
    "not-shared-without-basis": ("GC402",),
    "frequency-below-policy": ("GC503",),
    "security-opening-conflict": ("GC406",),
    "unknown-related-code": ("GC205",),
    "date-order": ("GC505",),
    "update-overdue": ("GC504",),
    "one-data-many-sources": ("GC601",),
    "non-standard-item-name": ("GC304",),
}


def _publish_after(copy: dict[str, Any], original: dict[str, Any]) -> None:
    """A planted copy is published no earlier than its original: the earliest published resource
    holds a code or a name, so GC203 / GC204 are reported on the copy."""
    if isinstance(copy["published_on"], date) and isinstance(original["published_on"], date):
        copy["published_on"] = max(copy["published_on"], original["published_on"])
        if isinstance(copy.get("last_updated_on"), date):
            copy["last_updated_on"] = max(copy["last_updated_on"], copy["published_on"])


# --- the standard ----------------------------------------------------------------------------------

@dataclass
class Standard:
    elements: dict[str, dict[str, Any]]
    frequencies: dict[str, dict[str, Any]]
    classes: dict[str, str]  # class -> code digit
    items: dict[str, tuple[str, str]]  # 项 -> (class, two digits)
    formats: dict[str, list[str]]
    counties: list[tuple[str, str, str]]  # (code, county name, city name)
    pools: dict[str, list[str]] = field(default_factory=dict)  # category -> live element ids

    @property
    def personal(self) -> set[str]:
        return {k for k, e in self.elements.items() if e["sensitivity"] in ("个人信息", "敏感个人信息")}


def load_standard(root: Path = REPO) -> Standard:
    raw = json.loads((root / "generated" / "standard.json").read_text(encoding="utf-8"))
    live = {k: e for k, e in sorted(raw["elements"].items()) if e["status"] != "废止"}
    pools: dict[str, list[str]] = defaultdict(list)
    for key, element in live.items():
        pools[element["category"]].append(key)
    divisions = set(raw["divisions"])
    codes = yaml.load((root / "schema" / "code_sets" / "administrative_division.yaml").read_text(encoding="utf-8"),
                      Loader=yaml.CSafeLoader)["enums"]["AdministrativeDivisionCode"]["permissible_values"]
    names = {str(code): pv["title"] for code, pv in codes.items()}
    counties: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    # Zhejiang's counties first (a provincial catalog), then the rest of the country; one per name.
    ordered = sorted((c for c in names if c in divisions and not c.endswith("00")),
                     key=lambda c: (not c.startswith("33"), c))
    for code in ordered:
        if codes[code].get("deprecated") or names[code] in seen or names[code] in ("市辖区",):
            continue
        city = names.get(code[:4] + "00") or names.get(code[:2] + "0000", "")
        if city == names[code]:
            continue
        seen.add(names[code])
        counties.append((code, names[code], city))
    return Standard(
        elements=live, frequencies=raw["frequencies"],
        classes={k: v["code"] for k, v in raw["resource_classes"].items()},
        items={k: (v["class"], v["code"]) for k, v in raw["resource_items"].items()},
        formats=raw["formats"], counties=counties, pools=dict(pools),
    )


# --- YAML text ----------------------------------------------------------------------------------------

_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`0-9.+~][^:,\[\]{}#'\"\n]*")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def q(value: str) -> str:
    """A string as a YAML scalar safe in flow and block context: plain when it can be, else quoted."""
    if _PLAIN.fullmatch(value) and value == value.strip() and value.lower() not in _RESERVED:
        return value
    return json.dumps(value, ensure_ascii=False)


def flow(mapping: dict[str, Any]) -> str:
    parts = []
    for key, value in mapping.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int):
            text = str(value)
        else:
            text = q(str(value))
        parts.append(f"{key}: {text}")
    return "{" + ", ".join(parts) + "}"


def resource_yaml(res: dict[str, Any]) -> str:
    lines = []
    first = True
    for key, value in res.items():
        lead = "  - " if first else "    "
        first = False
        if key == "items":
            lines.append(f"{lead}items:")
            lines.extend(f"      - {flow(item)}" for item in value)
        elif isinstance(value, dict):
            lines.append(f"{lead}{key}: {flow(value)}")
        elif isinstance(value, list):
            lines.append(f"{lead}{key}: [{', '.join(q(v) for v in value)}]")
        elif isinstance(value, date):
            lines.append(f"{lead}{key}: {value.isoformat()}")
        elif key in ("published_on", "last_updated_on"):
            lines.append(f"{lead}{key}: {value}")  # a defect's date text, written as a department would
        else:
            lines.append(f"{lead}{key}: {q(str(value))}")
    return "\n".join(lines) + "\n"


# --- generation ---------------------------------------------------------------------------------------

@dataclass
class Department:
    index: int
    code: str
    name: str
    short_name: str
    division: str
    county: str
    bureau: tuple[Any, ...]


def departments(std: Standard, count: int) -> list[Department]:
    per_county = len(BUREAUS)
    needed = -(-count // per_county)
    if needed > len(std.counties):
        raise SystemExit(f"at most {len(std.counties) * per_county} departments can be generated")
    out = []
    for index in range(count):
        county_code, county, city = std.counties[index // per_county]
        bureau = BUREAUS[index % per_county]
        body = f"11{county_code}MB{index + 1:07d}"
        out.append(Department(index, body + uscc.calc_check_digit(body), f"{city}{county}{bureau[0]}",
                              f"{county}{bureau[1]}", county_code, county, bureau))
    return out


def registry_yaml(depts: list[Department], seed: int) -> str:
    lines = [f"# 提供方名录（基准测试生成数据，benchmarks/corpus.py，seed={seed}）。", "departments:"]
    for d in depts:
        entry = {"code": d.code, "name": d.name, "short_name": d.short_name, "level": "县级", "division": d.division}
        lines.append(f"  - {flow(entry)}")
    return "\n".join(lines) + "\n"


def weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


@dataclass
class Generator:
    std: Standard
    items_per_resource: int
    seed: int
    as_of: date = AS_OF
    rng: random.Random = field(init=False)
    sequence: int = 0
    names: set[str] = field(default_factory=set)
    element_sets: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def _items(self, subject: str, categories: tuple[str, ...], license_: bool, item: str,
               keyed: bool) -> list[dict[str, Any]]:
        rng, n = self.rng, self.items_per_resource
        core = list(LICENSE_CORE if license_ else CORE[subject])
        pool = sorted({e for c in (*categories, "时间") for e in self.std.pools.get(c, [])} - set(core))
        if len(pool) + len(core) < n:
            pool = sorted(set(self.std.elements) - set(core))
        for _ in range(100):
            chosen = core[:n] + rng.sample(pool, max(0, n - len(core)))
            key = (item, tuple(sorted(chosen)))
            if key not in self.element_sets:
                self.element_sets.add(key)
                break
        else:  # pragma: no cover - only with tiny pools
            raise SystemExit("cannot vary element sets enough; use more items or fewer resources")
        out = []
        for number, element_id in enumerate(chosen):
            element = self.std.elements[element_id]
            entry: dict[str, Any] = {"name": element["title"], "element": element_id,
                                     "data_type": element["data_type"]}
            if element["data_type"] in ("C", "N"):
                entry["length"] = element["fixed_length"] or element["max_length"] or 50
            if element.get("scale") and element["data_type"] in ("N", "Y", "F", "B"):
                entry["precision"] = element["scale"]
            if number == 0 and keyed:
                entry["is_key"] = True
            if rng.random() < 0.15:
                entry["description"] = rng.choice(ITEM_NOTES)
            out.append(entry)
        return out

    def _name(self, county: str, topic: str, kind: str) -> str:
        name = f"{county}{topic}{kind}"
        n = 2
        while name in self.names:
            name, n = f"{county}{topic}{kind}（{n}）", n + 1
        self.names.add(name)
        return name

    def resource(self, dept: Department, number: int, earlier: list[dict[str, Any]]) -> dict[str, Any]:
        rng, std = self.rng, self.std
        _, _, slug, subject, categories, base_items, theme_items, topics, internals = dept.bureau
        topic_index = number % len(topics)
        topic = topics[topic_index]
        kind = KINDS[(number // len(topics)) % len(KINDS)]
        roll = rng.random()
        if base_items and roll < 0.18:
            klass, item = "基础信息资源", rng.choice(base_items)
        elif roll < 0.45:
            klass, item = "主题信息资源", rng.choice(theme_items)
        else:
            klass, item = "部门信息资源", "省（自治区、直辖市）及其下各级政务部门"
        license_ = item == "电子证照"
        self.sequence += 1
        code = (f"{std.classes[klass]}{std.items[item][1]}{BUREAUS.index(dept.bureau) + 1:03d}"
                f"{topic_index + 1:03d}/{self.sequence:06d}")
        # No key items in base resources: a key element stewarded elsewhere is GC602 (一数一源).
        items = self._items(subject, categories, license_, item, keyed=klass != "基础信息资源")
        personal = any(i["element"] in std.personal for i in items)

        if klass == "基础信息资源":
            frequency = rng.choice(("实时", "每日") if license_ else ("实时", "每日", "每周", "每月"))
        else:
            frequency = weighted(rng, FREQUENCIES)
        category = weighted(rng, FORMATS)
        fmt = {"category": category, "type": rng.choice(std.formats[category])}
        method_type = rng.choice(METHOD_TYPES[category])
        internal = rng.choice(internals)
        fill = {"topic": topic, "county": dept.county, "bureau": dept.name}

        if klass == "基础信息资源":
            share_type = "无条件共享"
        else:
            share_type = weighted(rng, (("无条件共享", 40), ("有条件共享", 50), ("不予共享", 10)))
        sharing: dict[str, Any] = {"type": share_type}
        if share_type == "有条件共享":
            sharing["condition"] = rng.choice(CONDITIONS).format(**fill)
        elif share_type == "不予共享":
            sharing["basis"] = rng.choice(BASES)
        if frequency not in ("实时", "每日") and rng.random() < 0.06:
            sharing["method"] = rng.choice(("邮件", "介质"))
        else:
            sharing["method"] = "共享平台"
            sharing["method_type"] = method_type

        if share_type == "不予共享":
            opening_type = "不予开放"
        elif personal:
            opening_type = rng.choice(("有条件开放", "不予开放", "不予开放"))
        else:
            opening_type = weighted(rng, (("无条件开放", 35), ("有条件开放", 25), ("不予开放", 40)))
        opening: dict[str, Any] = {"type": opening_type}
        if opening_type == "有条件开放":
            opening["condition"] = rng.choice(OPEN_CONDITIONS).format(**fill)
        if opening_type == "无条件开放":
            level = "一般数据"
        elif opening_type == "不予开放" and rng.random() < 0.03:
            level = "核心数据"
        else:
            level = rng.choice(("一般数据", "重要数据"))

        interval = std.frequencies[frequency]["max_interval_days"]
        last = self.as_of - timedelta(days=rng.randint(0, interval) if interval else rng.randint(0, 400))
        published = last - timedelta(days=rng.randint(0, 2000))
        system = f"{topic}{rng.choice(('管理信息系统', '业务系统', '综合管理平台', '监管系统'))}"
        freq_text = "不定期更新" if frequency in ("不定期", "其他") else f"{frequency}更新"
        titles = [i["name"] for i in items]
        summary = rng.choice(SUMMARIES).format(
            county=dept.county, topic=topic, kind=kind, e1=titles[0], e2=titles[1 % len(titles)],
            e3=titles[2 % len(titles)], n=len(titles), internal=internal, bureau=dept.name,
            use=rng.choice(USES), system=system, freq_text=freq_text)

        res: dict[str, Any] = {
            "code": code,
            "name": self._name(dept.county, topic, kind),
            "classification": {"class": klass, "item": item},
            "internal_department": internal,
            "summary": summary,
            "format": fmt,
            "items": items,
            "sharing": sharing,
            "opening": opening,
            "update_frequency": frequency,
        }
        if frequency == "其他":
            res["update_frequency_note"] = rng.choice(NOTE_OTHER)
        res["published_on"] = published
        res["last_updated_on"] = last
        res["security_level"] = level
        res["source_system"] = system
        res["keywords"] = [topic, kind, dept.bureau[1]]
        if earlier and rng.random() < 0.1:
            res["related_codes"] = [rng.choice(earlier)["code"]]
        if sharing["method"] == "共享平台" and rng.random() < 0.8:
            res["mount"] = {"kind": MOUNT_KIND[method_type], "status": "已挂接" if rng.random() < 0.9 else "未挂接",
                            "endpoint": f"https://dsp.example.org/api/{dept.division}/{slug}/{self.sequence:06d}/v1"}
        return res


# --- defects ------------------------------------------------------------------------------------------

@dataclass
class Defects:
    """Turns a chosen fraction of resources into defective ones; its own random stream."""

    std: Standard
    rate: float
    seed: int
    as_of: date = AS_OF
    rng: random.Random = field(init=False)
    applied: Counter[str] = field(default_factory=Counter)
    log: list[dict[str, Any]] = field(default_factory=list)
    # Clean resources of earlier departments, by classification, as targets for cross-department defects.
    targets: dict[tuple[str, str], deque[tuple[str, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(lambda: deque(maxlen=64)))

    def __post_init__(self) -> None:
        self.rng = random.Random(f"defects-{self.seed}")

    def remember(self, provider: str, res: dict[str, Any]) -> None:
        cls = res["classification"]
        self.targets[(cls["class"], cls["item"])].append((provider, res))

    def _target(self, provider: str, res: dict[str, Any]) -> dict[str, Any] | None:
        cls = res["classification"]
        for other_provider, other in reversed(self.targets.get((cls["class"], cls["item"]), ())):
            if other_provider != provider:
                return other
        return None

    def maybe(self, provider: str, res: dict[str, Any], same_provider: list[dict[str, Any]],
              file: str, index: int) -> dict[str, Any]:
        if self.rate <= 0 or self.rng.random() >= self.rate:
            return res
        # The kind applied least so far that fits this resource: kinds that rarely fit (policy defects
        # need a base resource) catch up whenever they can, so every family gets its share.
        order = sorted(DEFECTS, key=lambda k: (self.applied[k], list(DEFECTS).index(k)))
        for kind in order:
            changed = self._apply(kind, provider, json_copy(res), same_provider)
            if changed is not None:
                self.applied[kind] += 1
                self.log.append({"kind": kind, "expected": list(DEFECTS[kind]), "file": file,
                                 "pointer": f"/resources/{index}", "code": changed.get("code")})
                return changed
        return res

    def _apply(self, kind: str, provider: str, res: dict[str, Any],
               same_provider: list[dict[str, Any]]) -> dict[str, Any] | None:
        std = self.std
        items = res["items"]
        base = res["classification"]["class"] == "基础信息资源"
        sharing, opening = res["sharing"], res["opening"]
        if kind == "bad-date":
            year = res["published_on"].year
            res["published_on"] = f"{min(year, self.as_of.year - 1)}-02-30"
        elif kind == "missing-share-condition":
            if base or sharing["type"] == "不予共享":
                return None
            res["sharing"] = {"type": "有条件共享", "method": sharing["method"],
                              **({"method_type": sharing["method_type"]} if "method_type" in sharing else {})}
        elif kind == "unknown-element":
            items[-1]["element"] = next(f"DE{n:05d}" for n in range(99999, 0, -1) if f"DE{n:05d}" not in std.elements)
        elif kind == "alias-frequency":
            aliases = std.frequencies[res["update_frequency"]]["aliases"]
            if not aliases:
                return None
            res["update_frequency"] = aliases[0]
        elif kind == "duplicate-code-across-departments":
            target = self._target(provider, res)
            if target is None:
                return None
            res["code"] = target["code"]
            _publish_after(res, target)
        elif kind == "personal-data-opened":
            if sharing["type"] == "不予共享" or not any(i["element"] in std.personal for i in items):
                return None
            res["opening"] = {"type": "无条件开放"}
            res["security_level"] = "一般数据"
        elif kind == "missing-summary":
            del res["summary"]
        elif kind == "unknown-field":
            res = {("keyword" if k == "keywords" else k): v for k, v in res.items()}
        elif kind == "bad-vocabulary":
            res["security_level"] = res["security_level"][:2]  # 一般 / 重要 / 核心
        elif kind == "missing-item-length":
            lengthy = [i for i in items if i["data_type"] == "C"]
            if not lengthy:
                return None
            del lengthy[-1]["length"]
        elif kind == "item-type-mismatch":
            dates = [i for i in items if i["data_type"] == "D"]
            if not dates:
                return None
            dates[-1]["data_type"] = "N"
            dates[-1]["length"] = 8
        elif kind == "duplicate-name":
            if not same_provider:
                return None
            earlier = same_provider[-1]["name"]
            res["name"] = earlier[:2] + " " + earlier[2:]
            _publish_after(res, same_provider[-1])
        elif kind == "code-classification-mismatch":
            first = res["code"][0]
            res["code"] = ("3" if first != "3" else "2") + res["code"][1:]
        elif kind == "not-shared-without-basis":
            if base:
                return None
            res["sharing"] = {"type": "不予共享", "method": sharing["method"],
                              **({"method_type": sharing["method_type"]} if "method_type" in sharing else {})}
            res["opening"] = {"type": "不予开放"}
        elif kind == "frequency-below-policy":
            if not base:
                return None
            res["update_frequency"] = "每季度"
            res["last_updated_on"] = self.as_of - timedelta(days=10)
            res["published_on"] = min(res["published_on"], res["last_updated_on"])
        elif kind == "security-opening-conflict":
            if opening["type"] != "有条件开放":
                return None
            res["security_level"] = "核心数据"
        elif kind == "unknown-related-code":
            res["related_codes"] = [res["code"].split("/")[0] + "/999999"]
        elif kind == "date-order":
            res["last_updated_on"] = self.as_of - timedelta(days=1)
            res["published_on"] = self.as_of
        elif kind == "update-overdue":
            interval = std.frequencies[res["update_frequency"]]["max_interval_days"]
            if interval is None:
                return None
            res["last_updated_on"] = self.as_of - timedelta(days=interval + 30)
            res["published_on"] = min(res["published_on"], res["last_updated_on"])
        elif kind == "one-data-many-sources":
            target = self._target(provider, res)
            if target is None or len(target["items"]) < 5:
                return None
            for key in ("items", "format", "sharing", "opening", "update_frequency", "update_frequency_note",
                        "published_on", "last_updated_on", "security_level"):
                if key in target:
                    res[key] = json_copy(target[key])
                else:
                    res.pop(key, None)
            res.pop("mount", None)
            res = _reorder(res)
        elif kind == "non-standard-item-name":
            items[-1]["name"] = items[-1]["name"] + "（旧）"
        return res


ORDER = ("code", "name", "classification", "internal_department", "summary", "format", "items", "sharing",
         "opening", "update_frequency", "update_frequency_note", "published_on", "last_updated_on",
         "security_level", "source_system", "keywords", "keyword", "related_codes", "mount")


def _reorder(res: dict[str, Any]) -> dict[str, Any]:
    return {k: res[k] for k in ORDER if k in res}


def json_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: json_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_copy(v) for v in value]
    return value


# --- the corpus ----------------------------------------------------------------------------------------

def generate(out: Path, departments_count: int, resources: int, items: int, defective: float = 0.0,
             seed: int = 0, as_of: date = AS_OF, root: Path = REPO) -> dict[str, Any]:
    """Write the corpus under ``out`` and return its manifest (also written to ``out/corpus.json``)."""
    if items < 3:
        raise SystemExit("--items must be at least 3")
    std = load_standard(root)
    depts = departments(std, departments_count)
    catalogs = out / "catalogs"
    if catalogs.exists():
        for old in sorted(catalogs.glob("*/catalog.yaml")):
            old.unlink()
    catalogs.mkdir(parents=True, exist_ok=True)
    (catalogs / "departments.yaml").write_text(registry_yaml(depts, seed), encoding="utf-8")
    gen = Generator(std, items, seed, as_of)
    defects = Defects(std, defective, seed, as_of)
    total_bytes = (catalogs / "departments.yaml").stat().st_size
    for dept in depts:
        folder = catalogs / dept.code
        folder.mkdir(exist_ok=True)
        rel = f"catalogs/{dept.code}/catalog.yaml"
        clean: list[dict[str, Any]] = []
        renamed: dict[str, str] = {}  # a clean code -> the code a defect wrote instead
        intact: list[dict[str, Any]] = []
        parts = [f"# {dept.name}：信息资源目录（基准测试生成数据，benchmarks/corpus.py，seed={seed}）。\n",
                 'standard_version: "1.0"\n', f'provider:\n  code: "{dept.code}"\n  name: {q(dept.name)}\n',
                 "resources:\n"]
        for number in range(resources):
            res = gen.resource(dept, number, clean)
            written = defects.maybe(dept.code, res, clean, rel, number)
            if written is not res:
                intact_ = False
                if written.get("code") != res["code"]:
                    renamed[res["code"]] = written["code"]
            else:
                intact_ = True
            if any(c in renamed for c in written.get("related_codes", ())):
                # The related resource's code was changed by a defect: follow it, so only the defect counts.
                written = {**written, "related_codes": [renamed.get(c, c) for c in written["related_codes"]]}
            parts.append(resource_yaml(written))
            parts.append("\n")
            clean.append(res)
            if intact_:
                intact.append(res)
        for res in intact:  # targets of cross-department defects: resources written as generated
            defects.remember(dept.code, res)
        text = "".join(parts)
        (folder / "catalog.yaml").write_text(text, encoding="utf-8")
        total_bytes += len(text.encode("utf-8"))
    manifest = {
        "generator": "benchmarks/corpus.py",
        "departments": departments_count, "resources_per_department": resources, "items_per_resource": items,
        "defective": defective, "seed": seed, "as_of": as_of.isoformat(),
        "files": departments_count + 1, "catalog_files": departments_count,
        "resources": departments_count * resources, "items": departments_count * resources * items,
        "bytes": total_bytes,
        "label": label(departments_count, resources, items, defective),
        "defects": defects.log,
    }
    (out / "corpus.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def label(departments_count: int, resources: int, items: int, defective: float) -> str:
    base = f"{departments_count}x{resources}x{items}"
    return f"{base}-defective{defective:g}" if defective else base


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="output folder (catalogs/ and corpus.json are written in it)")
    parser.add_argument("--departments", type=int, default=30)
    parser.add_argument("--resources", type=int, default=100, help="resources per department")
    parser.add_argument("--items", type=int, default=15, help="items per resource")
    parser.add_argument("--defective", type=float, default=0.0, help="fraction of resources with one defect")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF,
                        help="the date the corpus must be timely at (default 2026-11-22)")
    args = parser.parse_args(argv)
    manifest = generate(args.out, args.departments, args.resources, args.items, args.defective, args.seed,
                        args.as_of)
    print(f"{manifest['label']}: {manifest['catalog_files']} catalogs, {manifest['resources']} resources, "
          f"{manifest['items']} items, {manifest['bytes'] / 2**20:.1f} MiB, {len(manifest['defects'])} defects "
          f"-> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
