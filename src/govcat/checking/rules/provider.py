"""GC7xx — the provider: folder, registration, name and the standard version it declares."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from govcat.checking.rules.base import Context, Hit, rule
from govcat.core.access import items_of, obj, provider_code, text
from govcat.core.document import Document
from govcat.core.i18n import L10n
from govcat.core.paths import real
from govcat.standard.versions import parse


def folder_code(doc: Document, ctx: Context) -> str | None:
    """`<A>` when the catalog lies under `catalogs/<A>/` (the registry's folder or one named catalogs)."""
    path = real(doc.path)
    for folder in path.parents:
        above = folder.parent
        if above.name == "catalogs" or (ctx.registry_dir is not None and above == ctx.registry_dir):
            return folder.name
    return None


@rule("GC701", "provider-folder-mismatch", "error",
      "目录位于 catalogs/{folder}/ 下，声明的提供方代码却是“{code}”：部门只能在自己的文件夹中提交目录",
      "the catalog lies under catalogs/{folder}/ but declares provider '{code}'")
def provider_folder_mismatch(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    `catalogs/<提供方代码>/` 下的目录文件，声明的提供方代码是否就是文件夹名。

    ## 为什么
    文件夹决定谁能修改（CODEOWNERS）；在别人的文件夹里以自己的名义、或在自己的文件夹里以别人的名义
    发布目录，都会让审核和问责失效。

    ## 示例
    `catalogs/11330100MB0000012X/catalog.yaml` 中写 `provider: {code: "113301000000000010", ...}`。

    ## 修正
    把文件移到本部门的文件夹，或改正提供方代码。
    """
    folder, code = folder_code(doc, ctx), provider_code(doc)
    if folder and code and folder != code:
        yield Hit("/provider/code", {"folder": folder, "code": code})


@rule("GC702", "provider-not-registered", "error",
      "提供方代码“{code}”未登记在提供方名录中", "provider '{code}' is not in the department registry")
def provider_not_registered(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    提供方代码是否登记在提供方名录（`catalogs/departments.yaml`，或 `--registry` 指定的文件）中。

    ## 为什么
    只有登记过的部门才能提交目录；名录也是文档站“部门目录”和合规看板的依据。

    ## 示例
    新成立的部门直接提交了目录，名录里还没有它。

    ## 修正
    先通过合并请求把部门加入提供方名录（代码、名称、层级、行政区划、维护人）。
    """
    code = provider_code(doc)
    if code and ctx.registry is not None and code not in ctx.registry:
        yield Hit("/provider/code", {"code": code})


@rule("GC703", "provider-name-mismatch", "warning",
      "提供方名称“{name}”与提供方名录中的“{registered}”不一致",
      "provider name '{name}' differs from the registry's '{registered}'")
def provider_name_mismatch(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    提供方名称是否与提供方名录中该代码登记的名称一致。

    ## 为什么
    同一部门的名称写法不一，会在文档站和统计中显示为不同的部门。

    ## 示例
    名录登记“示范市民政局”，目录中写“民政局”。

    ## 修正
    使用名录中的全称；部门更名时先更新名录。
    """
    code, name = provider_code(doc), text(obj(obj(doc.data).get("provider")).get("name"))
    registered = (ctx.registry or {}).get(code or "")
    if registered and name and text(registered.get("name")) and name != registered.get("name"):
        yield Hit("/provider/name", {"name": name, "registered": registered.get("name")})


@rule("GC704", "unsupported-standard-version", "error",
      "标准版本“{version}”{why}；支持的版本：{supported}",
      "standard version '{version}' {why}; supported: {supported}")
def unsupported_standard_version(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    `standard_version` 是否是受支持的标准版本：标准的“受支持的标准版本”表（`schema/lifecycle.yaml`）
    中的某个版本，且未过停止支持日期（sunset）。`1.0` 与 `1.0.0` 等同，同一次版本的任何修订号都可以。

    ## 为什么
    不同版本的标准字段和取值不同；按错误的版本校验，结论不可信。停止支持的版本不再有人维护其校验规则。

    ## 示例
    ```yaml
    standard_version: "2.0"
    ```

    ## 修正
    写受支持的版本（`govcat rules` 的页眉与文档站“版本”页列出全部版本），或用 `govcat migrate` 把目录升级到当前版本。
    """
    raw = obj(doc.data).get("standard_version")
    if not isinstance(raw, str) or not raw.strip():
        return
    found = _supported(ctx, raw)
    if found is None:
        why = L10n("不是本标准的版本", "is not a version of this standard")
    elif found.get("sunset") and str(found["sunset"]) < ctx.as_of.isoformat():
        why = L10n(f"已于 {found['sunset']} 停止支持", f"was supported until {found['sunset']}")
    else:
        return
    yield Hit("/standard_version", {"version": raw, "why": why, "supported": _listed(ctx)})


@rule("GC707", "outdated-standard-version", "warning",
      "标准版本“{version}”仍受支持{until}，但当前版本是 {current}：运行 `govcat migrate --to {current}` 升级",
      "standard version '{version}' is still supported{until}, but the current version is {current}: "
      "run `govcat migrate --to {current}`")
def outdated_standard_version(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    目录声明的 `standard_version` 受支持、但不是当前版本（次版本不同）时给出警告，
    写明当前版本、旧版本的停止支持日期和升级命令。目录按它声明的版本校验。

    ## 为什么
    旧版本在停止支持日期之后将被拒绝（GC704）；提前升级，才不会在某一天突然不能提交。

    ## 示例
    当前版本为 1.1.0 时：
    ```yaml
    standard_version: "1.0"
    ```

    ## 修正
    运行 `govcat migrate --to <当前版本>`：它改写改名的字段、被替代的取值和数据元，并更新 `standard_version`；
    不能自动完成的改动会逐条说明。
    """
    raw = obj(doc.data).get("standard_version")
    declared, current = parse(raw), parse(ctx.current.version)
    found = _supported(ctx, raw) if isinstance(raw, str) else None
    if found is None or declared is None or current is None or declared.line == current.line:
        return
    sunset = found.get("sunset")
    if sunset and str(sunset) < ctx.as_of.isoformat():
        return  # GC704 reports it
    yield Hit("/standard_version", {"version": raw, "current": ctx.current.version,
                                    "until": L10n(f"（至 {sunset}）", f" (until {sunset})") if sunset else ""})


# Where `govcat migrate` leaves a catalog's decisions for GC708: a document's memo, as Hits.
MIGRATION = "migration"


@rule("GC708", "migration-needs-decision", "warning",
      "迁移到标准 {target} 需要人工决定：{decision}", "migrating to standard {target} needs a decision: {decision}")
def migration_needs_decision(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    `govcat migrate` 把目录从它声明的标准版本改写到目标版本时，不能自动完成、需要人来决定的改动，
    每处一条，写明要决定什么：

    - 目标版本删除了某个字段或取值、又没有给出替代，而目录在用它；
    - 目标版本新增了必填字段（或把字段改为必填），目录还没有填写；
    - 目录关联的数据元在目标版本中被删除，或其标识符改指别的数据元；
    - 字段的类型或单值/多值在目标版本中改变，目录中的值要按新要求改写；
    - 数据元被替代后，信息项的名称、类型或长度仍是原数据元的；
    - 改名或替代的目标在同一处已经存在，需要合并；
    - 目录声明的标准版本未知或缺失，无法确定从哪个版本迁移；
    - 值写在 YAML 锚点、别名或块标量中，migrate 不改写它们。

    只有 `govcat migrate` 报告这条规则；`govcat validate` 不报告它（迁移后，同样的地方按新版本校验时会以
    GC101、GC102、GC104 等规则报告）。

    ## 为什么
    migrate 只做标准明确声明了的改动（改名、替代）；删除内容、补充新字段、选择新取值需要了解业务的人决定，
    自动去做会悄悄丢失或编造数据。

    ## 示例
    标准 2.0.0 删除了字段 `keywords`，没有替代字段：
    ```yaml
    keywords: [婚姻登记, 结婚, 离婚]
    ```
    `govcat migrate --to 2.0` 改写其余内容，并报告：
    `迁移到标准 2.0.0 需要人工决定：字段 keywords（关键字）在 2.0.0 中已删除，且标准没有给出替代字段：请决定删除它，或把内容移到其他字段`。

    ## 修正
    按消息逐条处理：删除或移走内容、填写新的必填字段、改选取值或数据元；然后运行 `govcat validate`。
    标准版本未知的，先改正 `standard_version`，再运行 `govcat migrate`。
    """
    yield from doc.memo.get(MIGRATION, ())


def _supported(ctx: Context, raw: object) -> dict[str, Any] | None:
    """The entry of the supported-versions table the declared version falls under, if any."""
    declared = parse(raw)
    if declared is None:
        return None
    for entry in ctx.current.supported_versions:
        listed = parse(entry.get("version"))
        if listed is not None and listed.line == declared.line:
            return entry
    return None


def _listed(ctx: Context) -> str:
    return "、".join(str(e["version"]) for e in ctx.current.supported_versions)


def _departments(doc: Document) -> list[tuple[int, dict[str, Any]]]:
    return [(i, d) for i, d in enumerate(items_of(obj(doc.data).get("departments"))) if isinstance(d, dict)]


@rule("GC705", "duplicate-department", "error",
      "部门代码“{code}”在提供方名录中重复登记（第 {first} 个部门已使用）",
      "department code '{code}' is registered twice (first as department {first})", ("registry",))
def duplicate_department(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    提供方名录（`catalogs/departments.yaml`）中每个部门的统一社会信用代码是否只出现一次。

    ## 为什么
    代码是部门在名录、文件夹和 CODEOWNERS 中的唯一标识；重复登记时，哪一条名称、层级和维护人有效无法确定。

    ## 示例
    ```yaml
    departments:
      - {code: "11330100MB0000012X", name: 示范市民政局, level: 市级, division: "330100"}
      - {code: "11330100MB0000012X", name: 民政局, level: 市级, division: "330100"}
    ```

    ## 修正
    合并为一条，保留正确的名称、层级和维护人。
    """
    first: dict[str, int] = {}
    for i, dept in _departments(doc):
        code = text(dept.get("code"))
        if code in first:
            yield Hit(f"/departments/{i}/code", {"code": code, "first": first[code] + 1})
        elif code:
            first[code] = i


@rule("GC706", "unknown-parent-department", "error",
      "上级部门代码“{parent}”未登记在提供方名录中", "parent department '{parent}' is not in the registry", ("registry",))
def unknown_parent_department(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    提供方名录中每个部门的 `parent`（上级部门代码）是否是名录中登记的另一个部门。

    ## 为什么
    上级关系决定部门在文档站和合规看板中的归属；指向不存在部门的上级关系是断链。

    ## 示例
    ```yaml
    - {code: "11330100MB0000017D", name: 示范市公安局交通警察支队, level: 市级, division: "330100",
       parent: "11330100MB00000999"}
    ```

    ## 修正
    先登记上级部门，或改正上级部门代码；没有上级部门的，删除 parent。
    """
    codes = {text(d.get("code")) for _, d in _departments(doc)}
    for i, dept in _departments(doc):
        parent = text(dept.get("parent"))
        if parent and parent not in codes:
            yield Hit(f"/departments/{i}/parent", {"parent": parent})


RULES = (provider_folder_mismatch, provider_not_registered, provider_name_mismatch, unsupported_standard_version,
         duplicate_department, unknown_parent_department, outdated_standard_version, migration_needs_decision)
