"""GC8xx: the data itself against the standard (`govcat data check` / `govcat data compare`).

These rules are listed with the catalog rules (one registry, one `govcat rules`, one docs page per
rule), but they look at rows, not at catalog documents: their checks are SQL expressions built by
`govcat.data`, which runs them on DuckDB, PostgreSQL or Spark. The check functions below only carry
the docs page; they never see a catalog (their role is "data").
"""

from __future__ import annotations

from collections.abc import Iterator

from govcat.checking.rules.base import Context, Hit, Rule, rule
from govcat.core.document import Document

DATA = ("data",)


@rule("GC800", "data-unreadable", "error", "无法读取数据：{reason}", "cannot read the data: {reason}", roles=DATA)
def data_unreadable(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    数据文件或数据表能否作为一张表读取：空文件、不是表格、工作簿没有工作表、不支持的文件类型、
    不存在的表等都在这里报告，本次不再检查该数据。

    ## 为什么
    读不出来的数据无法共享，也不能让校验“看起来通过”：读不出的数据必须明确报错。

    ## 示例
    一个 0 字节的 `人口基本信息.csv`：`无法读取数据：文件为空`。

    ## 修正
    从源系统重新导出：CSV/TSV 第一行为表头，UTF-8 编码；或使用 xlsx、Parquet、JSON Lines。
    """
    yield from ()


@rule("GC801", "data-encoding", "warning", "数据文件的编码是 {encoding}，不是 UTF-8{detail}",
      "the data file is encoded in {encoding}, not UTF-8{detail}", roles=DATA)
def data_encoding(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    CSV/TSV 文件的字符编码。UTF-8（含带 BOM 的 UTF-8）通过；GBK/GB18030 被识别出来、转换后照常检查，
    并报告本条警告；同一文件中混用 UTF-8 与 GBK 的行报告为错误，并给出行号。

    ## 为什么
    共享交换的数据应使用 UTF-8。Excel/WPS 在中文 Windows 上默认另存为 GBK，下游系统按 UTF-8
    读取就会出现乱码；混用编码的文件无论按哪种编码读，都有一部分行是乱码。

    ## 示例
    `数据文件的编码是 GB18030，不是 UTF-8（已按 GB18030 转换后检查）`。

    ## 修正
    另存为“CSV UTF-8（逗号分隔）”，或 `iconv -f GB18030 -t UTF-8 in.csv > out.csv`。
    """
    yield from ()


@rule("GC802", "malformed-row", "error", "{count} 行无法按表格读取（{reason}），这些行未被检查",
      "{count} rows cannot be read as table rows ({reason}); they were not checked", roles=DATA)
def malformed_row(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    每一行的字段数与表头一致、引号成对、单行不超过读取上限。读不成表格行的行按行号报告，
    并从检查中剔除；报告中的 `rows` 只计入被检查的行。

    ## 为什么
    字段数不齐的行（多了或少了分隔符）会让后续所有值错位：把它们当作正常行检查只会得到误导的结果。

    ## 示例
    表头 5 列，第 7 行只有 4 个字段：`1 行无法按表格读取（字段数与表头不一致）`。

    ## 修正
    检查导出程序对含逗号、引号、换行的值是否加了双引号；修正或删除报告的行。
    """
    yield from ()


@rule("GC803", "no-data-rows", "warning", "数据只有表头，没有数据行", "the data has a header but no rows", roles=DATA)
def no_data_rows(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    数据在表头之外至少有一行。

    ## 为什么
    只有表头的文件通常是导出条件写错或导出中断；它“没有错误”，但也没有可以共享的数据。

    ## 示例
    `人口基本信息.csv` 只有一行表头。

    ## 修正
    检查导出条件，重新导出。
    """
    yield from ()


@rule("GC804", "unmapped-item", "warning", "信息项“{item}”在数据中没有对应的列{hint}",
      "item '{item}' has no column in the data{hint}", roles=DATA)
def unmapped_item(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    目录中该信息资源的每个信息项在数据中都有一列。列按信息项名称，再按数据元的中文名称、同义名称和
    英文名称匹配，也可以用 `--mapping` 文件显式指定。主键信息项没有对应列是错误，其他信息项是警告。

    ## 为什么
    目录登记了但数据里没有的信息项，使用方按目录申请却拿不到；主键缺失则连记录都无法识别。

    ## 示例
    目录中“公民身份号码”是主键，CSV 的表头里没有这一列，也没有“身份证号”等同义名称。

    ## 修正
    补上该列，或在 `--mapping` 文件中写明哪一列对应该信息项（`信息项名称: 列名`）。
    """
    yield from ()


@rule("GC805", "unknown-column", "warning", "列“{field}”不对应该信息资源的任何信息项{hint}",
      "column '{field}' matches no item of the resource{hint}", roles=DATA)
def unknown_column(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    数据中的每一列都对应目录中的一个信息项；对应不上的列不参与检查，并给出最接近的信息项名称。

    ## 为什么
    目录中没有登记的列是“目录外数据”：使用方不知道它的含义，也无法按数据元核对。

    ## 示例
    表头“身份证号码（新）”不是任何信息项、数据元的名称或同义名称。

    ## 修正
    把列名改为信息项名称，或在目录中登记该信息项，或用 `--mapping` 指定对应关系。
    """
    yield from ()


@rule("GC806", "duplicate-column", "error", "列“{field}”与第 {other} 列对应同一个信息项“{item}”，只检查第一列",
      "column '{field}' maps to the same item '{item}' as column {other}; only the first is checked", roles=DATA)
def duplicate_column(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    没有两列对应同一个信息项（例如表头同时有“身份证号”和“公民身份号码”，或表头重复）。

    ## 为什么
    同一信息项出现两次时，使用方不知道哪一列是准的；两列的值常常并不一致。

    ## 示例
    表头：`公民身份号码,姓名,身份证号`。

    ## 修正
    删除多余的列，或用 `--mapping` 指定哪一列对应该信息项。
    """
    yield from ()


@rule("GC811", "key-value-missing", "error", "主键信息项“{field}”有 {count} 行为空",
      "key item '{field}' is empty in {count} rows", roles=DATA)
def key_value_missing(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    目录中标为主键（`is_key: true`）的信息项在每一行都有值（不是空值，也不是只有空白字符）。

    ## 为什么
    主键为空的记录无法被识别、关联和更新，是 GB/T 36344 完整性维度的首要问题。

    ## 示例
    “公民身份号码”为主键，第 12 行该列为空。

    ## 修正
    在源系统中补齐主键；确实无主键的记录不应进入共享数据。
    """
    yield from ()


@rule("GC812", "value-missing", "info", "信息项“{field}”有 {count} 行为空",
      "item '{field}' is empty in {count} rows", roles=DATA)
def value_missing(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    非主键信息项的空值（空值或只有空白字符）行数。它计入完整性指标，默认只作提示。

    ## 为什么
    空值率高的信息项往往是源系统没有采集或导出遗漏，使用方需要知道它能否依赖。

    ## 示例
    “曾用名”有 8 000 行为空。

    ## 修正
    核实源系统是否采集了该信息项；必填的信息项应在采集端校验。
    """
    yield from ()


@rule("GC813", "wrong-data-type", "error", "“{field}”有 {count} 行的值不是{expected}",
      "'{field}' holds a value that is not {expected} in {count} rows", roles=DATA)
def wrong_data_type(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    值符合信息项的数据类型（1272 号文的类型字母）：整型为整数；数值型、货币型、浮点型为十进制数；
    日期型为 8 位数字 `YYYYMMDD`；日期时间型为 14 位数字 `YYYYMMDDhhmmss`；逻辑型为 `0/1`、`true/false`、`是/否`。

    ## 为什么
    类型不符的值在入库、统计和关联时出错或被静默丢弃。数据元标准按 GB/T 7408 规定了日期的表示。

    ## 示例
    出生日期（日期型，n8）的值为 `1990-05-01` 或 `1990年5月1日`。

    ## 修正
    在导出时按数据元的表示格式转换，例如日期统一为 `19900501`。
    """
    yield from ()


@rule("GC814", "length-mismatch", "error", "“{field}”有 {count} 行的长度不符合{expected}",
      "'{field}' has the wrong length in {count} rows: {expected}", roles=DATA)
def length_mismatch(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    值的长度（字符数）符合数据元的表示格式和信息项的数据长度：`an18` 恰为 18 位，`c..50` 至多 50 个字符；
    数值型 `n..18,4` 整数部分至多 14 位、小数部分至多 4 位。

    ## 为什么
    超长的值会被目标库截断或拒绝；定长代码长度不对，说明值本身是错的（少了一位、多了空格）。

    ## 示例
    统一社会信用代码为 17 位。

    ## 修正
    核对源数据；去掉首尾空白；按数据元的长度导出。
    """
    yield from ()


@rule("GC815", "format-mismatch", "error", "“{field}”有 {count} 行不符合表示格式 {expected}",
      "'{field}' does not match the format {expected} in {count} rows", roles=DATA)
def format_mismatch(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    值的字符符合数据元的表示格式（`n` 数字、`a` 字母、`an` 字母和数字）和数据元的 `pattern`
    （整值匹配，如公民身份号码 `^[0-9]{17}[0-9X]$`）。

    ## 为什么
    格式是数据元标准对值的最基本约定；格式不符的值在关联比对时全部失配。

    ## 示例
    行政区划代码（n6）为 `33010A`；公民身份号码末位为小写 `x`。

    ## 修正
    按数据元的表示格式清洗：全角转半角、字母转大写、去掉分隔符。
    """
    yield from ()


@rule("GC816", "value-not-in-code-set", "error", "“{field}”有 {count} 行的值不在代码集 {code_set} 中",
      "'{field}' holds a value outside the code set {code_set} in {count} rows", roles=DATA)
def value_not_in_code_set(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    值域为代码集的数据元（GB/T 2260 行政区划、GB/T 2261 性别与婚姻状况、GB/T 3304 民族、GB/T 2659 国家和地区……）
    的值是该代码集中的代码。

    ## 为什么
    代码集外的值（自定义代码、名称代替代码、已撤销的代码）使统计口径和跨部门关联失效。

    ## 示例
    性别代码为 `男` 或 `3`；行政区划代码为 `339999`。

    ## 修正
    按标准代码集转换；代码集见文档站“代码集”页。
    """
    yield from ()


@rule("GC817", "invalid-check-digit", "error", "“{field}”有 {count} 行的校验码错误（{algorithm}）",
      "'{field}' has a wrong check digit in {count} rows ({algorithm})", roles=DATA)
def invalid_check_digit(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    带校验码的代码按其标准计算：公民身份号码按 GB 11643-1999（ISO 7064 MOD 11-2）；
    统一社会信用代码按 GB 32100-2015（31 个字符的 MOD 31）；组织机构代码按 GB 11714-1997（MOD 11）。
    格式不符的值由 GC815 报告，这里只看格式正确的值。

    ## 为什么
    校验码错误说明号码在录入或转换中出了错（错一位、相邻两位颠倒），这样的记录关联不到任何人或单位。

    ## 示例
    `11010519491231002Y` 的校验码应为 `X`。

    ## 修正
    回到源头核对证照原件；不要“修正”校验码本身，错的通常是前面的位。
    """
    yield from ()


@rule("GC818", "impossible-date", "error", "“{field}”有 {count} 行不是真实的日期或时间",
      "'{field}' is not a real date or time in {count} rows", roles=DATA)
def invalid_date(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    日期型、日期时间型的值是日历上真实存在的日期和时间（2 月 30 日、13 月、25 时都不是），
    公民身份号码中第 7–14 位的出生日期也必须是真实的日期。

    ## 为什么
    不存在的日期多来自手工录入或占位值（`19000000`），无法参与按日期的统计和比对。

    ## 示例
    登记日期为 `20230230`。

    ## 修正
    核对源数据；未知日期应留空，不要用占位值。
    """
    yield from ()


@rule("GC819", "future-date", "error", "“{field}”有 {count} 行的日期晚于 {as_of}",
      "'{field}' has a date after {as_of} in {count} rows", roles=DATA)
def future_date(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    日期型、日期时间型的值不晚于判定日期（`--as-of`，默认今天）；有效期截止日期等本应在将来的数据元不检查。

    ## 为什么
    出生日期、登记日期、更新时间在将来，说明录入错误或系统时钟错误。

    ## 示例
    出生日期为 `20990101`。

    ## 修正
    核对源数据和源系统的时钟。
    """
    yield from ()


@rule("GC820", "duplicate-key-value", "error", "主键{field}有 {count} 行与前面的行重复",
      "{count} rows repeat the key {field} of an earlier row", roles=DATA)
def duplicate_key(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    目录中标为主键的信息项（多个时为其组合）在数据中不重复；报告的是与前面某行主键相同的行。

    ## 为什么
    主键重复的数据无法按主键更新和关联，使用方会得到两份互相矛盾的记录（GB/T 36344 唯一性）。

    ## 示例
    公民身份号码 `1101…` 出现在第 3 行和第 9 行：报告第 9 行。

    ## 修正
    在源系统中去重，或核实目录中的主键标注是否正确。
    """
    yield from ()


@rule("GC821", "cross-field-mismatch", "error", "“{field}”有 {count} 行与“{other}”不一致（{what}）",
      "'{field}' disagrees with '{other}' in {count} rows ({what})", roles=DATA)
def cross_field_mismatch(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    同一行中标准规定了关系的信息项互相一致：公民身份号码第 7–14 位与出生日期相同；
    第 17 位（顺序码末位）奇数为男、偶数为女，与性别代码（1 男性、2 女性）一致。

    ## 为什么
    同一行里互相矛盾的值，至少有一个是错的（GB/T 36344 一致性）。

    ## 示例
    公民身份号码的出生日期码为 `19900501`，出生日期列为 `19900510`。

    ## 修正
    以证件为准核对源数据。
    """
    yield from ()


@rule("GC822", "data-stale", "warning", "“{field}”最新的值是 {newest}，按更新周期“{frequency}”已逾期 {days} 天",
      "the newest '{field}' is {newest}: {days} days overdue for the update frequency '{frequency}'", roles=DATA)
def data_stale(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    数据中更新时间列（数据元 DE00305 数据更新时间）最新的值，按目录声明的更新周期的最长间隔加宽限期，
    在判定日期（`--as-of`）时是否已经过期；与目录的 GC504 同一口径。

    ## 为什么
    目录声明“每日”更新，数据却停在半年前，使用方拿到的是过时的数据（GB/T 36344 时效性）。

    ## 示例
    更新周期为每日，最新的数据更新时间为 `20260301120000`，判定日期 2026-11-22。

    ## 修正
    恢复数据的定时更新，或在目录中如实声明更新周期。
    """
    yield from ()


@rule("GC823", "inconsistent-across-sources", "warning",
      "{count} 个{key}在“{left}”与“{right}”中的“{field}”不一致",
      "for {count} keys {key}, '{field}' differs between '{left}' and '{right}'", roles=DATA)
def inconsistent_across_sources(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    `govcat data compare` 按关键数据元（如统一社会信用代码）关联几个部门的数据，同一个键在不同信息资源中
    同一数据元的值不同（一数多源），报告不一致的键数和样例（键与两边的值）。

    ## 为什么
    同一个数据由几个部门各自维护、各不相同，使用方无法判断以谁为准；应以权威来源部门（一数一源）为准。

    ## 示例
    统一社会信用代码 `91330100…` 的机构名称，市场监管为“示范科技有限公司”，税务为“示范科技公司”。

    ## 修正
    以数据元的权威来源部门的数据为准，其他部门改为共享引用，不再各自采集。
    """
    yield from ()


RULES: tuple[Rule, ...] = (
    data_unreadable, data_encoding, malformed_row, no_data_rows, unmapped_item, unknown_column, duplicate_column,
    key_value_missing, value_missing, wrong_data_type, length_mismatch, format_mismatch, value_not_in_code_set,
    invalid_check_digit, invalid_date, future_date, duplicate_key, cross_field_mismatch, data_stale,
    inconsistent_across_sources,
)
