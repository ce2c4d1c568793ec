"""GC5xx — update frequency (更新周期标准): standard values, policy, timeliness and dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from govcat.checking.rules.base import Context, Hit, rule
from govcat.core import suggest
from govcat.core.access import obj, resources, text
from govcat.core.document import Document
from govcat.core.i18n import L10n
from govcat.core.pointer import join


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


@rule("GC501", "non-standard-frequency", "error",
      "更新周期“{value}”不是标准取值{hint}", "update frequency '{value}' is not a standard value{hint}")
def non_standard_frequency(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    更新周期是否为标准的九个取值之一：实时、每日、每周、每月、每季度、每半年、每年、不定期、其他。
    常见的非标准写法（每天、按月、季度、半年……）会给出对应的标准取值。

    ## 为什么
    各部门对同一周期写法五花八门，无法统计，也无法据此判定更新是否及时。

    ## 示例
    ```yaml
    update_frequency: 每天      # 应为 每日
    ```

    ## 修正
    改为提示的标准取值；确实不在九个取值中的，用“其他”并填写 update_frequency_note。
    """
    values = sorted(ctx.std.frequencies, key=ctx.std.rank)
    for pointer, res in resources(doc):
        value = res.get("update_frequency")
        if value is None or (isinstance(value, str) and value in ctx.std.frequencies):
            continue
        shown = value if isinstance(value, str) else str(value)
        standard = ctx.std.frequency(value)
        if standard and standard == shown.strip():
            hint = L10n(f"：含多余的空格，应写作“{standard}”", f": remove the surrounding spaces ('{standard}')")
        elif standard:
            hint = L10n(f"：“{shown.strip()}”是“{standard}”的非标准写法，应写作“{standard}”",
                        f": '{shown.strip()}' is a non-standard spelling of '{standard}'")
        else:
            choices = values + list(ctx.std.frequency_aliases)
            close = suggest.nearest(shown, choices, cutoff=40)
            guess = ctx.std.frequency(close) if close else None
            hint = suggest.did_you_mean(guess) if guess else L10n(
                f"；可选：{'、'.join(values)}", f"; allowed: {', '.join(values)}")
        yield Hit(join(pointer, "update_frequency"), {"value": shown, "hint": hint})


@rule("GC502", "other-frequency-without-note", "error",
      "更新周期为“其他”，但未填写更新周期说明 update_frequency_note",
      "update frequency is 其他 (other) but update_frequency_note is missing")
def other_frequency_without_note(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    更新周期为“其他”时是否填写了 `update_frequency_note`。

    ## 为什么
    “其他”本身不说明任何安排；没有说明，使用方无法知道数据多久更新一次。

    ## 示例
    ```yaml
    update_frequency: 其他
    ```

    ## 修正
    写明实际安排，例如“每年 3 月和 9 月各更新一次”；能用标准取值表达的，改用标准取值。
    """
    for pointer, res in resources(doc):
        if ctx.std.frequency(res.get("update_frequency")) == "其他" and not text(res.get("update_frequency_note")):
            yield Hit(pointer)


@rule("GC503", "frequency-below-policy", "error",
      "{who}的更新周期至少应为“{minimum}”，当前为“{value}”",
      "{who} must be updated at least '{minimum}'; declared '{value}'")
def frequency_below_policy(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    更新周期是否满足频率政策（标准中以数据形式规定，可按工作区覆盖）：
    基础信息资源至少“每月”更新，且不得为“不定期”或“其他”；电子证照至少“每日”更新。

    ## 为什么
    基础信息资源是其他部门办事的依据，过期的人口、法人、证照数据会直接导致办错事。

    ## 示例
    ```yaml
    classification: {class: 基础信息资源, item: 电子证照}
    update_frequency: 每月       # 电子证照至少每日
    ```

    ## 修正
    提高更新频率并按实际更新；做不到的，说明原因并联系数据主管部门。
    """
    for pointer, res in resources(doc):
        declared = ctx.std.frequency(res.get("update_frequency"))
        if declared is None:
            continue
        classification = obj(res.get("classification"))
        klass, item = classification.get("class"), classification.get("item")
        policies = []
        if isinstance(klass, str) and klass in ctx.std.resource_classes:
            policies.append((klass, ctx.std.resource_classes[klass]["min_frequency"]))
        if isinstance(item, str) and item in ctx.std.resource_items:
            policies.append((item, ctx.std.resource_items[item]["min_frequency"]))
        # The strictest applicable policy is the one reported.
        applicable = [(who, m) for who, m in policies if m and ctx.std.rank(declared) > ctx.std.rank(m)]
        if applicable:
            who, minimum = min(applicable, key=lambda p: ctx.std.rank(p[1]))
            yield Hit(join(pointer, "update_frequency"), {"who": who, "minimum": minimum, "value": declared})


@rule("GC504", "update-overdue", "warning",
      "按更新周期“{frequency}”，最近更新日期 {last} 已过期：应不晚于 {due} 更新（判定日期 {as_of}，宽限 {grace} 天）",
      "overdue for '{frequency}': last updated {last}, due by {due} (as of {as_of}, {grace} days' grace)")
def update_overdue(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    资源是否按声明的更新周期更新：当 `last_updated_on + 最大间隔 + 宽限天数 < 判定日期` 时报告。
    最大间隔：实时、每日 1 天，每周 7 天，每月 31 天，每季度 92 天，每半年 183 天，每年 366 天；
    宽限默认 3 天；不定期和其他不判定。判定日期默认今天，可用 `--as-of` 指定。

    ## 为什么
    目录上写“每日更新”而数据半年没动，比不写更糟：使用方会把过期数据当作最新数据。

    ## 示例
    ```yaml
    update_frequency: 每日
    last_updated_on: 2026-10-01
    ```

    ## 修正
    更新数据并改写 last_updated_on；若实际周期更长，如实修改 update_frequency。
    """
    for pointer, res in resources(doc):
        frequency = ctx.std.frequency(res.get("update_frequency"))
        last = _date(res.get("last_updated_on"))
        if frequency is None or last is None:
            continue
        interval = ctx.std.frequencies[frequency]["max_interval_days"]
        if interval is None:
            continue
        # In day numbers: `last + interval` overflows the calendar for a date near 9999-12-31, which
        # is never overdue (GC505 reports a future date). Overdue, `due` lies before the as-of date.
        due = last.toordinal() + interval
        if due + ctx.std.grace_days < ctx.as_of.toordinal():
            yield Hit(join(pointer, "last_updated_on"), {
                "frequency": frequency, "last": last.isoformat(), "due": date.fromordinal(due).isoformat(),
                "as_of": ctx.as_of.isoformat(), "grace": ctx.std.grace_days})


@rule("GC505", "date-order", "error",
      "日期不合理：{problem}", "dates out of order: {problem}")
def date_order(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    发布日期和最近更新日期不得晚于判定日期（默认今天）；最近更新日期不得早于发布日期。

    ## 为什么
    未来的日期和颠倒的日期说明填写有误，会让更新及时性的判定失去意义。

    ## 示例
    ```yaml
    published_on: 2025-03-01
    last_updated_on: 2024-12-31     # 早于发布日期
    ```

    ## 修正
    核对并改正日期。
    """
    for pointer, res in resources(doc):
        published, last = _date(res.get("published_on")), _date(res.get("last_updated_on"))
        for key, value in (("published_on", published), ("last_updated_on", last)):
            if value and value > ctx.as_of:
                title = ctx.std.title("InformationResource", key)
                yield Hit(join(pointer, key), {"problem": L10n(
                    f"{title} {value} 晚于判定日期 {ctx.as_of}", f"{key} {value} is after the as-of date {ctx.as_of}")})
        if published and last and last < published:
            yield Hit(join(pointer, "last_updated_on"), {"problem": L10n(
                f"最近更新日期 {last} 早于发布日期 {published}",
                f"last_updated_on {last} is before published_on {published}")})


@rule("GC506", "frequency-method-conflict", "warning",
      "更新周期为“{frequency}”的资源不宜以“{method}”方式共享：{why}",
      "a '{frequency}' resource should not be shared by '{method}': {why}")
def frequency_method_conflict(doc: Document, ctx: Context) -> Iterator[Hit]:
    """## 检查内容
    更新周期为“实时”或“每日”的资源，共享方式是否为“邮件”或“介质”。

    ## 为什么
    逐日甚至实时变化的数据靠邮件或移动介质传递，接收方拿到的永远是过期数据。

    ## 示例
    ```yaml
    update_frequency: 实时
    sharing: {type: 无条件共享, method: 邮件}
    ```

    ## 修正
    改为通过共享平台以接口或数据库方式共享。
    """
    for pointer, res in resources(doc):
        frequency = ctx.std.frequency(res.get("update_frequency"))
        method = obj(res.get("sharing")).get("method")
        if frequency in ("实时", "每日") and method in ("邮件", "介质"):
            yield Hit(join(pointer, "sharing", "method"), {"frequency": frequency, "method": method, "why": L10n(
                "接收方拿到的将是过期数据，应通过共享平台以接口或数据库方式共享",
                "receivers would get stale data; share through the platform by interface or database")})


RULES = (non_standard_frequency, other_frequency_without_note, frequency_below_policy, update_overdue,
         date_order, frequency_method_conflict)
