"""GC0xx — the file itself: syntax, duplicate keys, encoding, limits, file type, workbook layout.

The loader finds these (they stop or precede parsing); the rules here turn its problems into hits.
"""

from __future__ import annotations

from collections.abc import Iterator

from govcat.checking.rules.base import Context, Hit, problems, rule
from govcat.core.document import Document
from govcat.core.i18n import L10n

BOTH = ("catalog", "registry")


@rule("GC001", "yaml-syntax-error", "error",
      "YAML 语法错误：{problem}{hint}", "YAML syntax error: {problem}{hint}", BOTH)
def yaml_syntax_error(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    文件能否按 YAML 解析。位置是解析器报告出错的行和列。

    ## 为什么
    无法解析的文件里的任何内容都无法校验，也无法发布。

    ## 示例
    ```yaml
    resources:
      - code: "307001001/000001"
       name: 婚姻登记信息      # 缩进少了一格
    ```

    ## 修正
    按提示的行列检查缩进（只用空格，不用 Tab）、冒号后的空格和成对的引号。
    """
    return problems(doc, "GC001")


@rule("GC002", "duplicate-key", "error",
      "键“{key}”重复出现：YAML 解析器只会保留其中一个值，另一个会被静默丢弃",
      "duplicate key '{key}': YAML parsers keep one of the values and silently drop the other", BOTH)
def duplicate_key(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    同一个映射里是否有重复的键。位置是第二次出现的键。

    ## 为什么
    常见的 YAML 解析器遇到重复键不会报错，而是只保留一个值，另一处填写的内容就此丢失，
    而且丢失哪一个因工具而异。

    ## 示例
    ```yaml
    sharing:
      type: 有条件共享
      type: 无条件共享
    ```

    ## 修正
    删除或合并重复的键，只保留正确的那一个值。
    """
    return problems(doc, "GC002")


@rule("GC003", "file-encoding", "error",
      "文件不是 UTF-8 编码的文本（检测到：{detail}）{hint}", "file is not UTF-8 text (found: {detail}){hint}", BOTH)
def file_encoding(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    文件是否为 UTF-8 编码的文本（允许带 BOM、允许 CRLF 换行）。位置是第一个无法按 UTF-8 解码的字节。

    ## 为什么
    WPS、Excel 和旧版记事本常把中文保存为 GBK/GB18030。不同编码混在一起会产生乱码，
    下游系统读到的名称和代码将不可信。

    ## 示例
    用 WPS 另存为“文本文件”得到的 GBK 文件；或者误把二进制文件命名为 `.yaml`。

    ## 修正
    用 `iconv -f GB18030 -t UTF-8 原文件 > 新文件` 转换，或在编辑器中另存为 UTF-8。
    """
    return problems(doc, "GC003")


@rule("GC004", "input-limit", "error",
      "输入超出限制：{what}", "input limit exceeded: {what}", BOTH)
def input_limit(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    文件大小（上限 64 MiB）、嵌套深度（上限 64 层）和别名展开（展开后的节点数不得超过文件字符数）。
    Excel 工作簿另有上限：压缩包内不超过 10 000 个部件、解压后不超过 256 MiB；工作表中有值的单元格
    不超过第 1 048 576 行和第 256 列（IV），已用区域（行数×列数）不超过 8 388 608 个单元格。
    超出的单元格不读取，在第一个这样的单元格处报告；工作簿中其余的内容照常校验。

    ## 为什么
    目录文件不需要这么大或这么深。超限的输入往往是误提交的数据导出或恶意构造的“别名炸弹”、
    “压缩炸弹”，或远处一个误填的单元格（Excel 读取时会把整张表扩展到那里），
    会让校验和发布流程耗尽内存。校验器在读取前就拒绝它们，时间和内存都有上界。

    ## 示例
    ```yaml
    a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]      # 每层放大 9 倍
    ```

    ## 修正
    目录只登记元数据，不要放入数据本身；把过大的目录拆成多个文件；不要使用锚点和别名。
    """
    for hit in problems(doc, "GC004"):
        limit, value = hit.args.get("limit"), hit.args.get("value")
        what = {
            "size": L10n(f"文件大小 {value} 超过上限 64 MiB", f"file size {value} exceeds 64 MiB"),
            "depth": L10n(f"嵌套深度超过 {value} 层", f"nesting deeper than {value} levels"),
            "alias": L10n("别名（*引用）展开后的内容超过上限，疑似“别名炸弹”",
                          "alias expansion exceeds the limit (an alias bomb?)"),
            "workbook": value if isinstance(value, L10n) else L10n(str(value), str(value)),  # says it all
        }.get(str(limit), L10n(str(limit), str(limit)))
        yield Hit(hit.pointer, {"what": what}, hit.span)


@rule("GC005", "unsupported-file", "error",
      "不支持的文件类型“{suffix}”：只校验 .yaml、.yml 和 .xlsx 文件{hint}",
      "unsupported file type '{suffix}': only .yaml, .yml and .xlsx files are validated{hint}", BOTH)
def unsupported_file(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    命令行上直接给出的文件扩展名是否为 `.yaml`、`.yml` 或 `.xlsx`。校验文件夹时，其他扩展名的文件会被跳过。
    名为 `.yaml` 或 `.xlsx` 却不是普通文件的（命名管道、设备、套接字，或指向它们的符号链接）也在此报告，不会被读取。

    ## 为什么
    `.xls`（旧版 Excel）、`.csv`、`.json` 等文件不符合目录标准规定的提交格式，静默跳过会让部门误以为已通过校验。

    ## 示例
    `govcat validate 目录.xls`

    ## 修正
    YAML 目录使用 `.yaml` 扩展名；Excel 目录请用 `govcat template` 生成的模板另存为 `.xlsx`。
    """
    for hit in problems(doc, "GC005"):
        old_excel = str(hit.args.get("suffix", "")).lower() in (".xls", ".et", ".csv")
        hint = L10n("；请在 Excel/WPS 中“另存为” Excel 工作簿（.xlsx）", "; save it as an Excel workbook (.xlsx)") \
            if old_excel else hit.args.get("hint", L10n("", ""))  # a FIFO or a device: "only regular files"
        yield Hit(hit.pointer, {**hit.args, "hint": hint}, hit.span)


@rule("GC006", "spreadsheet-structure", "error",
      "工作簿结构不符合模板：{detail}", "workbook does not follow the template: {detail}", BOTH)
def spreadsheet_structure(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    Excel 工作簿是否有 `提供方`、`信息资源`、`信息项` 三个工作表，以及各表第一行的必需表头。

    ## 为什么
    工作簿按表名和表头读取；缺少工作表或表头时，其中的内容无法对应到目录标准的字段。

    ## 示例
    把“信息资源”工作表改名为“资源清单”；删除了“共享类型”一列。

    ## 修正
    用 `govcat template` 生成的模板填写，不要改动工作表名称和表头文字（列的顺序可以调整）。
    """
    return problems(doc, "GC006")




@rule("GC007", "waiver-expired", "warning",
      "豁免已于 {expires} 到期（{rule}，{target}，批准人 {approved_by}）：相应的发现已恢复报告",
      "waiver expired on {expires} ({rule}, {target}, approved by {approved_by}); its findings are reported again",
      ("config",))
def waiver_expired(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    工作区配置（`.govcat.yaml`）中的豁免（waivers）是否已过到期日。到期后被豁免的发现恢复报告，
    并在豁免所在位置报告本规则。

    ## 为什么
    豁免是有期限的例外，不是永久的放行；到期未处理的问题必须重新出现在审核人面前。

    ## 示例
    ```yaml
    waivers:
      - {rule: GC408, resource: "101001001/000001", reason: 待省级批复, approved_by: 张三, expires: 2026-06-30}
    ```

    ## 修正
    解决被豁免的问题后删除该豁免；确需延期的，经批准后修改 expires 并在 reason 中说明。
    """
    return problems(doc, "GC007")


@rule("GC008", "unused-waiver", "warning",
      "豁免未匹配任何发现（{rule}，{target}）：问题已解决或豁免写错了，请删除或改正",
      "waiver matches no finding ({rule}, {target}): remove it or correct it", ("config",))
def unused_waiver(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    工作区配置中的每条有效豁免是否至少匹配到一个发现。

    ## 为什么
    不再匹配任何发现的豁免要么说明问题已经解决，要么说明规则代码、资源代码或路径写错了——
    后者意味着本该豁免的发现并没有被豁免，而豁免清单也在悄悄变长。

    ## 示例
    ```yaml
    waivers:
      - {rule: GC408, resource: "101001001/000099", reason: …, approved_by: 张三, expires: 2027-06-30}
    ```

    ## 修正
    删除已无必要的豁免，或改正 rule、resource、path。
    """
    return problems(doc, "GC008")


@rule("GC009", "unreadable-file", "error",
      "无法读取：{reason}", "cannot be read: {reason}", BOTH)
def unreadable_file(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    要校验的文件和文件夹能否读取：没有读取权限、符号链接循环或失效（指向不存在的文件）、
    读取时出错。无法列出内容的文件夹在该文件夹处报告，其中的目录文件都未校验。

    ## 为什么
    读不到的文件如果被静默跳过，校验会显示“通过”，而其中的目录实际上从未检查过。

    ## 示例
    `chmod 000 catalogs/11330100MB0000012X/catalog.yaml`；
    `ln -s catalog.yaml catalogs/11330100MB0000012X/catalog.yaml`（指向自身的符号链接）。

    ## 修正
    恢复读取权限（`chmod u+r 文件`，文件夹还需 `u+x`），或删除、改正失效的符号链接。
    """
    return problems(doc, "GC009")


RULES = (yaml_syntax_error, duplicate_key, file_encoding, input_limit, unsupported_file, spreadsheet_structure,
         waiver_expired, unused_waiver, unreadable_file)
