"""GC7xx — the provider: folder, registration, name and the standard version it declares."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from govcat.checking.rules.base import Context, Hit, rule
from govcat.core.access import items_of, obj, provider_code, text
from govcat.core.document import Document
from govcat.core.paths import real


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
      "标准版本“{version}”不受本校验器支持；支持的版本：{supported}",
      "standard version '{version}' is not supported by this validator; supported: {supported}")
def unsupported_standard_version(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    `standard_version` 是否是本校验器支持的标准版本。

    ## 为什么
    不同版本的标准字段和取值不同；按错误的版本校验，结论不可信。

    ## 示例
    ```yaml
    standard_version: "2.0"
    ```

    ## 修正
    写本校验器支持的版本（`govcat --version` 显示），或升级 govcat。
    """
    version = obj(doc.data).get("standard_version")
    if isinstance(version, str) and version.strip() and version.strip() not in ctx.std.supported_versions:
        yield Hit("/standard_version", {"version": version, "supported": "、".join(ctx.std.supported_versions)})


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
         duplicate_department, unknown_parent_department)
