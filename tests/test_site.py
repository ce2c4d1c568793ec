"""The docs site, built for real: pages generated from the example catalogs plus one department
whose catalog carries script, HTML, Markdown and Jinja injection payloads; `mkdocs build --strict`;
served over HTTP and driven in headless Chromium (Debian's, through Playwright)."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from playwright.sync_api import Browser, Page

from govcat import jobs
from govcat.checking.outcome import Outcome
from govcat.checking.rules import BY_CODE, RULES
from govcat.core.errors import UsageError
from govcat.core.findings import Finding
from govcat.publishing import metrics, site
from govcat.publishing.generators import docs

from .conftest import REPO, make_corpus, write_workspace
from .conftest import run as validate

AS_OF = "2026-11-22"
# The build's figures and the dashboard screenshot, for a person to look at: outside the checkout, which
# the suite leaves untouched (GOVCAT_TEST_ARTIFACTS chooses where, e.g. a CI job's upload folder).
ARTIFACTS = Path(os.environ.get("GOVCAT_TEST_ARTIFACTS") or Path(tempfile.gettempdir()) / "govcat-test-artifacts")
INJECTED = "11330100MB00000913"  # a made-up code with a valid GB 32100 check character
INJECTED_NAME = "示范市注入测试局</title><img src=x onerror=alert('registry')>"
PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[点我](javascript:alert(3))",
    "| 单元格 | 注入 |",
    "`反引号` **加粗**",
    "{{ 7*7 }}",
    "{% if true %}模板{% endif %}",
    "--- front: matter ---",
    "</title><script>alert(4)</script>",
)


def _injected_catalog() -> dict[str, Any]:
    def resource(n: int, name: str, summary: str) -> dict[str, Any]:
        return {
            "code": f"307003001/00009{n}",
            "name": name,
            "classification": {"class": "部门信息资源", "item": "省（自治区、直辖市）及其下各级政务部门"},
            "summary": summary,
            "internal_department": "<b>内部部门</b>",
            "format": {"category": "数据库", "type": "PostgreSQL"},
            "items": [
                {"name": "公民身份号码", "element": "DE00001", "data_type": "C", "length": 18},
                {"name": "<svg onload=alert(5)>", "data_type": "C", "length": 20,
                 "description": "[说明](javascript:alert(6)) {{ 7*7 }}"},
            ],
            "sharing": {"type": "有条件共享", "condition": "<iframe src=javascript:alert(7)>", "method": "共享平台",
                        "method_type": "接口"},
            "opening": {"type": "不予开放"},
            "update_frequency": "每月",
            "published_on": "2025-01-01",
            "last_updated_on": "2026-11-01",
            "security_level": "一般数据",
            "keywords": ["<u>关键字</u>", "*星号*"],
            "mount": {"kind": "接口", "status": "已挂接", "endpoint": "javascript:alert(8)"},
        }

    return {
        "standard_version": "1.0",
        "provider": {"code": INJECTED, "name": INJECTED_NAME},
        "resources": [
            resource(1, PAYLOADS[0], "摘要：" + "；".join(PAYLOADS[1:5])),
            resource(2, PAYLOADS[2], "---\ntitle: 被篡改\n---\n# 标题注入\n" + PAYLOADS[5] + PAYLOADS[6]),
            resource(3, PAYLOADS[8], "| a | b |\n|---|---|\n| 表格 | 注入 |\n" + PAYLOADS[7]),
        ],
    }


def _workspace(root: Path) -> None:
    shutil.copytree(REPO / "catalogs", root / "catalogs")
    shutil.copytree(REPO / "docs", root / "docs", ignore=lambda d, names: [
        n for n in names if Path(d) == REPO / "docs" and n in ("reference", "rules")])
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    registry = root / "catalogs" / "departments.yaml"
    data = yaml.safe_load(registry.read_text(encoding="utf-8"))
    data["departments"].append({"code": INJECTED, "name": INJECTED_NAME, "short_name": "注入测试局",
                                "level": "市级", "division": "330100"})
    registry.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (root / "catalogs" / INJECTED).mkdir()
    (root / "catalogs" / INJECTED / "catalog.yaml").write_text(
        yaml.safe_dump(_injected_catalog(), allow_unicode=True, sort_keys=False), encoding="utf-8")


# Resources per department page in the built site: small, so that the example departments (up to
# 12 resources) continue on pages 2 and 3 and the link checks cover continuation pages too.
PER_PAGE = 5
SPLIT = "11330100MB0000012X"  # 示范市民政局: 11 resources, so pages 1, 2 and 3


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site-workspace")
    _workspace(root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(docs.AS_OF_ENV, AS_OF)
        mp.setattr(docs, "RESOURCES_PER_PAGE", PER_PAGE)
        started = time.perf_counter()
        built = site.build(root, jobs.validate([root / "catalogs"], date.fromisoformat(AS_OF), root))
        seconds = time.perf_counter() - started
    out = built.out
    assert out == root / "site"
    assert built.departments == 9 and built.reused == 0  # the first build renders every department
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = sum(1 for _ in out.rglob("*.html"))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    (ARTIFACTS / "site-build.json").write_text(json.dumps(
        {"seconds": round(seconds, 1), "html_pages": pages, "bytes": size}), encoding="utf-8")
    return out


@contextlib.contextmanager
def static_site(folder: Path) -> Iterator[str]:
    """A built site served over loopback by Python's http.server, as a reader's browser meets it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("http.server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[str]:
    with static_site(built) as base:
        yield base


def open_details(page: Page) -> None:
    """Expand every collapsed block (a resource's items) so that its text counts as visible."""
    page.evaluate("() => document.querySelectorAll('article details').forEach(d => { d.open = true; })")


def heading(page: Page, selector: str = "article h1") -> str:
    """A heading's text without the permalink mark."""
    return page.locator(selector).first.inner_text().rstrip("¶").strip()


class Tab:
    """A browser page that records every dialog (an executed alert) and every script error."""

    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base
        self.dialogs: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append((d.type, d.message)), d.dismiss()))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def open(self, path: str) -> Page:
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, path
        return self.page

    def search(self, query: str) -> list[str]:
        """Result links for a query typed into Material's search box (keyup triggers the search)."""
        box = self.page.locator("input.md-search__input")
        box.click()
        box.fill(query)
        box.press("End")
        self.page.wait_for_function(
            "() => /结果|matching/.test(document.querySelector('.md-search-result__meta').textContent)")
        return [urlsplit(a.get_attribute("href") or "").path
                for a in self.page.locator(".md-search-result__item > a").all()]


@pytest.fixture
def tab(browser: Browser, server: str) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    t = Tab(context.new_page(), server)
    yield t
    context.close()
    assert t.dialogs == [], "a dialog fired: injected script ran"
    assert t.errors == [], "script errors on the page"
    assert all(u.startswith(server) or u.startswith("data:") for u in t.requests), "the site must work offline"


# --- the site in the browser ----------------------------------------------------------------------

def test_home_page_has_the_sections(tab: Tab) -> None:
    page = tab.open("/")
    assert page.title().startswith("政务数据目录标准")
    tabs = page.locator(".md-tabs__link").all_inner_texts()
    assert [t.strip() for t in tabs] == ["首页", "指南", "标准", "校验规则", "部门目录", "合规看板"]
    page.locator("article").get_by_role("link", name="数据元标准", exact=True).click()
    page.wait_for_url("**/reference/elements/")
    assert heading(page) == "数据元标准"
    assert page.locator("table tbody tr").count() >= 80


def test_element_page_shows_attributes_code_set_and_uses(tab: Tab) -> None:
    page = tab.open("/reference/elements/DE00001/")
    assert heading(page) == "DE00001 公民身份号码"
    body = page.locator("article").inner_text()
    for expected in ("GMSFHM", "citizen_id_number", "敏感个人信息", "公安", "an18", "gb11643", "身份证号"):
        assert expected in body
    uses = page.locator("#被引用 ~ .govcat-uses table").first
    assert "婚姻登记信息" in uses.inner_text()
    uses.get_by_role("link", name="307003001/000001").click()
    page.wait_for_url("**/reference/departments/11330100MB0000012X/#res-307003001-000001")
    assert page.locator("#res-307003001-000001").inner_text().startswith("婚姻登记信息")

    page = tab.open("/reference/elements/DE00007/")
    assert "婚姻状况代码（MaritalStatusCode）" in page.locator("article").inner_text()
    assert "初婚" in page.locator("article").inner_text()  # a small code set is shown inline


def test_rule_page_renders_its_doc(tab: Tab) -> None:
    page = tab.open("/rules/GC401/")
    assert heading(page) == "GC401 conditional-share-without-condition"
    headings = page.locator("article h2").all_inner_texts()
    assert [h.strip("¶ ") for h in headings] == ["检查内容", "为什么", "示例", "修正"]
    body = page.locator("article").inner_text()
    assert "错误" in body and "国发〔2016〕51号" in body
    assert "Sharing.condition" in body  # the fields the rule checks


def test_every_rule_has_its_page_at_the_report_url(built: Path) -> None:
    for rule in RULES:
        finding = Finding(rule.code, rule.name, rule.severity, "", "x.yaml", 1, 1, None, None, "", None, None, None)
        url = finding.url("https://catalog.example.gov.cn/std")
        assert url is not None
        path = url.removeprefix("https://catalog.example.gov.cn/std")
        assert path == f"/rules/{rule.code}/"
        assert (built / path.strip("/") / "index.html").is_file(), rule.code
    index = (built / "rules" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{r.code}/"' in index for r in RULES)


def test_department_page_lists_resources_and_items(tab: Tab) -> None:
    page = tab.open("/reference/departments/11330100MB0000012X/")
    assert heading(page) == "示范市民政局"
    section = page.locator("#res-307003001-000001")
    assert section.inner_text().startswith("婚姻登记信息")
    items = page.locator("#res-307003001-000001 ~ .govcat-resource details").first
    assert not items.evaluate("d => d.open")  # items are collapsed until asked for
    items.locator("summary").click()
    assert "DE00001 公民身份号码" in items.inner_text()
    open_details(page)
    body = page.locator("article").inner_text()
    for expected in ("307003001/000001", "有条件共享", "仅用于婚姻状况核验类政务服务事项", "KingbaseES", "每日",
                     "2026-11-20", "DE00001 公民身份号码", "330100 杭州市"):
        assert expected in body
    page.get_by_role("link", name="DE00007 婚姻状况代码").first.click()
    page.wait_for_url("**/reference/elements/DE00007/")


def test_dashboard_metrics_charts_and_sorting(tab: Tab) -> None:
    page = tab.open("/reference/dashboard/")
    body = page.locator("article").inner_text()
    assert f"判定日期 {AS_OF}" in body
    for formula in ("数据元映射率 =", "挂接率 =", "共享率 =", "开放率 =", "更新及时率 ="):
        assert formula in body
    assert page.locator(".govcat-chart svg").count() == len(metrics.RATES) + 1
    assert page.locator(".govcat-chart svg rect.govcat-chart__bar").count() > 0
    table = page.locator(".govcat-sortable table").first
    header = table.locator("thead th", has_text="信息资源")
    header.click()
    ascending = [int(v) for v in table.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    assert ascending == sorted(ascending)
    header.click()
    descending = [int(v) for v in table.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    assert descending == sorted(ascending, reverse=True)
    assert "注入测试局" in table.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000


@pytest.mark.parametrize(("query", "expected"), [
    ("身份证", "/reference/elements/DE00001/"),
    ("婚姻登记", "/reference/departments/11330100MB0000012X/"),
])
def test_chinese_search(tab: Tab, query: str, expected: str) -> None:
    tab.open("/")
    assert expected in tab.search(query)


def test_injected_text_is_shown_not_run(tab: Tab) -> None:
    page = tab.open(f"/reference/departments/{INJECTED}/")
    open_details(page)
    body = page.locator("article").inner_text()
    for payload in (*PAYLOADS, "<svg onload=alert(5)>", "[说明](javascript:alert(6))", "<iframe src=javascript:alert(7)>",
                    "javascript:alert(8)", "<b>内部部门</b>", "<u>关键字</u>", "*星号*", "title: 被篡改", "# 标题注入"):
        assert " ".join(payload.split()) in body, payload
    assert heading(page) == INJECTED_NAME
    assert page.locator("#res-307003001-000091").inner_text().startswith(PAYLOADS[0])
    assert "＜/title＞＜img src=x" in page.title()  # full-width: mkdocs-material unescapes <title> text
    article = page.locator("article")
    for selector in ("script", "img", "iframe", "svg", "b", "u", "strong", "em", "a[href^='javascript']"):
        assert article.locator(selector).count() == 0, selector
    assert "49" not in body
    toc = page.locator(".md-nav--secondary").inner_text()
    assert PAYLOADS[0] in toc and PAYLOADS[8] in toc
    # Search results render the indexed titles and text as HTML: the payloads must stay text there too.
    assert f"/reference/departments/{INJECTED}/" in tab.search("注入测试局")
    results = page.locator(".md-search-result").inner_text().replace("\u200b", "")
    # The page's title as text: its h1, or its front-matter title in full-width form.
    assert re.search(r"示范市注入测试局[<＜]/title[>＞][<＜]img src=x onerror=alert\([＇']registry[＇']\)", results)
    assert page.locator(".md-search-result img, .md-search-result script").count() == 0
    page.wait_for_timeout(300)  # an onerror handler would have fired by now


def test_generated_markdown_carries_no_raw_payload(built: Path) -> None:
    text = (built.parent / "docs" / "reference" / "departments" / f"{INJECTED}.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]  # after the front matter
    for raw in ("<script", "<img", "<iframe", "<svg", "javascript:", "{{", "{%", "`", "[点我]", "**", "\n---"):
        assert raw not in body, raw
    html = "".join(p.read_text(encoding="utf-8") for p in built.rglob("*.html"))
    assert "alert(1)</script>" not in html
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", html, re.I)


# --- the built files ------------------------------------------------------------------------------

class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        for attr in ("href", "src"):
            if values.get(attr) and tag in ("a", "link", "script", "img"):
                self.links.append(values[attr] or "")


def test_every_internal_link_resolves(built: Path) -> None:
    pages: dict[str, _Links] = {}
    for path in built.rglob("*.html"):
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        pages["/" + path.relative_to(built).as_posix()] = parser
    broken = []
    checked = 0
    for source, parser in pages.items():
        for href in parser.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                assert parts.scheme in ("http", "https", "mailto"), href
                continue
            target = urlsplit(urljoin(source, href))
            path = unquote(target.path)
            if path.endswith("/"):
                path += "index.html"
            checked += 1
            file = built / path.lstrip("/")
            if not file.is_file():
                broken.append(f"{source} -> {href}")
            elif target.fragment and path in pages and unquote(target.fragment) not in pages[path].ids:
                broken.append(f"{source} -> {href} (no such anchor)")
    assert checked > 10_000
    assert broken == []


def test_a_large_department_continues_on_linked_pages(built: Path) -> None:
    folder = built / "reference" / "departments" / SPLIT
    pages = [folder / "index.html", folder / "2" / "index.html", folder / "3" / "index.html"]
    assert all(p.is_file() for p in pages) and not (folder / "4").exists()
    html = [p.read_text(encoding="utf-8") for p in pages]
    sections = [re.findall(r'<h2 id="(res-[^"]+)"', h) for h in html]
    assert [len(s) for s in sections] == [PER_PAGE, PER_PAGE, 11 - 2 * PER_PAGE]
    assert len({a for s in sections for a in s}) == 11
    # Page 1 lists every resource, each linking to the page that shows it; every page links to all.
    for n, anchors in enumerate(sections, start=1):
        for a in anchors:
            assert (f'href="#{a}"' if n == 1 else f'href="{n}/#{a}"') in html[0], a
    assert 'href="2/"' in html[0] and 'href="3/"' in html[0]
    assert 'href="../"' in html[1] and 'href="../3/"' in html[1]
    assert 'href="../"' in html[2] and 'href="../2/"' in html[2]
    assert "<h1" in html[1] and "示范市民政局（第 2 页）" in html[1]
    assert html[1].count('id="findings"') == 0 and html[0].count('id="findings"') == 1


def test_the_search_index_is_what_the_search_plugin_makes_of_the_whole_page(built: Path) -> None:
    """`govcat build` fills a department page's parts after the search plugin has indexed it, and hides
    the NOSEARCH blocks of the other pages from it: the entries must be those the plugin makes from
    the whole page, as `govcat generate docs && mkdocs build` gives it."""
    import markdown
    from material.plugins.search.plugin import SearchIndex
    from mkdocs.config import load_config

    config = load_config(str(built.parent / "mkdocs.yml"))

    def html(source: str) -> str:
        md = markdown.Markdown(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"])
        return md.convert(source.split("\n---\n", 1)[1])

    light = html((built.parent / "docs" / "reference" / "departments" / f"{SPLIT}.md").read_text(encoding="utf-8"))
    assert light.count("<!--govcat:part:") == PER_PAGE + 1 and site.NOSEARCH[0] not in light
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(docs, "RESOURCES_PER_PAGE", PER_PAGE)
        whole = html(docs.generate(built.parent, _examples(), date.fromisoformat(AS_OF))[
            f"docs/reference/departments/{SPLIT}.md"])
    assert whole.count(site.NOSEARCH[0]) == PER_PAGE + 1

    def entries(content: str) -> list[dict[str, Any]]:
        index = SearchIndex()
        page = type("Page", (), {"meta": {}, "toc": [], "url": "d/", "title": "t", "content": content})()
        index.add_entry_from_context(page)
        return index.entries

    lean = site._NOSEARCH_BLOCK.sub("", whole)
    assert len(lean) < len(whole) / 2
    assert entries(light) == entries(lean) == entries(whole)
    assert any(e["title"].replace("\u200b", "") == "婚姻登记信息" for e in entries(lean))
    assert not any("KingbaseES" in e["text"] for e in entries(lean))  # attributes are not indexed
    # The built page is the whole page: its parts filled in where the placeholders were.
    page = (built / "reference" / "departments" / SPLIT / "index.html").read_text(encoding="utf-8")
    assert "<!--govcat:part:" not in page and page.count(site.NOSEARCH[0]) == PER_PAGE + 1


@functools.cache
def _examples() -> Outcome:
    """One validation of the example catalogs, shared by the tests that only read it."""
    return jobs.validate([REPO / "catalogs"], date(2026, 11, 22), REPO)


def test_generated_pages_are_deterministic() -> None:
    assert docs.generate(REPO, _examples(), date(2026, 11, 22)) == docs.generate(REPO, _examples(), date(2026, 11, 22))


def test_search_index_is_segmented(built: Path) -> None:
    index = (built / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "\\u200b" in index or "\u200b" in index  # jieba ran: without it Chinese search finds nothing


def test_code_sets_are_complete_and_large_ones_collapsed(built: Path) -> None:
    divisions = (built / "reference" / "code-sets" / "AdministrativeDivisionCode" / "index.html").read_text(
        encoding="utf-8")
    assert divisions.count("<details") >= 30
    assert len(re.findall(r"<tr>\s*<td><code>\d{6}</code></td>", divisions)) == 3214
    assert "<code>330100</code>" in divisions


def test_optional_queries_page_joins_the_nav(tmp_path: Path) -> None:
    config = {"nav": [{"首页": "index.md"}, {"指南": [{"快速开始": "guide/quickstart.md"}]}]}
    site._add_optional_pages(config, tmp_path)
    assert config["nav"][1] == {"指南": [{"快速开始": "guide/quickstart.md"}]}
    (tmp_path / "queries.md").write_text("# 查询\n", encoding="utf-8")
    site._add_optional_pages(config, tmp_path)
    assert config["nav"][1]["指南"][-1] == {"查询示例": "queries.md"}


def test_failed_build_is_a_usage_error_with_the_mkdocs_message(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docs.Pages, "all", lambda self, parts=None: {})
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# 首页\n\n[缺失](missing.md)\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\ntheme: {name: material, language: zh, font: false}\n",
                                         encoding="utf-8")
    with pytest.raises(UsageError, match=r"missing\.md"):
        site.build(tmp_path, _examples())


# --- metrics and escaping, without a browser --------------------------------------------------------

def test_escape_text_leaves_no_markup() -> None:
    for payload in PAYLOADS:
        escaped = str(docs.escape_text(payload + "\n\n    # x"))
        assert not set(escaped) & (set("<>[]()`*_|{}#!-\\'\"") - set("&#;")), escaped
        assert "\n" not in escaped
    assert str(docs.escape_text("a < b & c")) == "a &#60; b &#38; c"
    assert docs.front_title("</title><script>") == '"＜/title＞＜script＞"'
    with pytest.raises(ValueError):
        docs.link("x", "javascript:alert(1)")


def test_as_of_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(docs.AS_OF_ENV, "2026-01-02")
    assert docs.as_of_date() == date(2026, 1, 2)
    assert docs.as_of_date(date(2025, 5, 5)) == date(2025, 5, 5)
    monkeypatch.setenv(docs.AS_OF_ENV, "2026-13-01")
    with pytest.raises(UsageError, match=docs.AS_OF_ENV):
        docs.as_of_date()
    monkeypatch.delenv(docs.AS_OF_ENV)
    assert docs.as_of_date() == date.today()


METRICS_CATALOG = """\
standard_version: "1.0"
provider: {code: "11330100MB0000012X", name: 示范市民政局}
resources:
  - code: "307003001/000001"
    name: 婚姻登记信息
    classification: {class: 部门信息资源, item: 省（自治区、直辖市）及其下各级政务部门}
    summary: 本市办理结婚登记、离婚登记的当事人及登记结果信息。
    format: {category: 数据库, type: KingbaseES}
    items:
      - {name: 公民身份号码, element: DE00001, data_type: C, length: 18}
      - {name: 姓名, element: DE00002, data_type: C, length: 50}
      - {name: 登记机关内部编号, data_type: C, length: 20}
      - {name: 备用, element: DE99999, data_type: C, length: 20}
    sharing: {type: 有条件共享, condition: 仅用于核验, method: 共享平台, method_type: 接口}
    opening: {type: 不予开放}
    update_frequency: 每日
    published_on: 2025-03-01
    last_updated_on: 2026-11-10
    mount: {kind: 接口, status: 已挂接}
  - code: "307003001/000002"
    name: 标准地名信息
    classification: {class: 部门信息资源, item: 省（自治区、直辖市）及其下各级政务部门}
    summary: 本市标准地名的名称、类别、位置和批准信息。
    format: {category: 电子表格, type: xlsx}
    items:
      - {name: 行政区划代码, element: DE00201, data_type: C, length: 6}
    sharing: {type: 不予共享, basis: 《某某条例》第三条, method: 介质}
    opening: {type: 无条件开放}
    update_frequency: 不定期
    published_on: 2025-03-01
  - code: "307003001/000003"
    name: 社会组织登记信息
    classification: {class: 部门信息资源, item: 省（自治区、直辖市）及其下各级政务部门}
    summary: 社会团体、社会服务机构和基金会的登记信息。
    format: {category: 数据库, type: KingbaseES}
    items:
      - {name: 统一社会信用代码, element: DE00101, data_type: C, length: 18}
    sharing: {type: 无条件共享, method: 共享平台, method_type: 接口}
    opening: {type: 有条件开放, condition: 实名注册}
    update_frequency: 每月
    published_on: 2025-03-01
    mount: {kind: 接口, status: 未挂接}
"""


def test_metrics_formulas(tmp_path: Path) -> None:
    write_workspace(tmp_path, {"catalog.yaml": METRICS_CATALOG})
    as_of = date(2026, 11, 22)
    snapshot = jobs.validate([tmp_path / "catalogs"], as_of, tmp_path)
    board = metrics.dashboard(snapshot, as_of)
    assert [d.code for d in board.departments] == ["11330100MB0000012X", "11330100MB0000010P"]
    m = board.departments[0].metrics
    assert (m.resources, m.items) == (3, 6)
    assert m.mapping == metrics.Ratio(4, 6)  # no element, and an unknown element, are unmapped
    assert m.mount == metrics.Ratio(1, 3)
    assert m.sharing == metrics.Ratio(2, 3)
    assert m.opening == metrics.Ratio(2, 3)
    # 每日 updated 12 days ago is late; 不定期 is not measured; 每月 without a last update is not timely.
    assert m.timeliness == metrics.Ratio(0, 2)
    assert m.findings("warning") == snapshot.report.count("warning") > 0
    assert sum(m.rules.values()) == len(snapshot.report.findings)
    empty = board.departments[1].metrics
    assert empty.resources == 0 and empty.mapping.rate is None
    assert board.total.mapping == m.mapping
    assert docs.percent(m.mapping) == "66.7%" and docs.percent(empty.timeliness) == "—"


@pytest.mark.parametrize("as_of", [date(2026, 11, 22), date(2027, 3, 1), date(2028, 1, 1)])
def test_timeliness_agrees_with_gc504(as_of: date) -> None:
    from govcat.checking import engine

    # Whole documents: the metrics come from them here, not from the product the workers make.
    snapshot = engine.run(engine.Settings(paths=[REPO / "catalogs"], as_of=as_of, cwd=REPO), keep_documents=True)
    late = {res.get("code") for doc in snapshot.docs for res in metrics.catalog_resources(doc)
            if metrics.overdue(snapshot.std, res.get("update_frequency"), res.get("last_updated_on"), as_of)
            and res.get("last_updated_on")}
    reported = {f.record["code"] for f in validate(REPO, [REPO / "catalogs"], as_of=as_of, cwd=REPO).findings
                if f.code == "GC504" and f.record}
    assert late == reported
    board = metrics.dashboard(snapshot, as_of)
    assert board.total.timeliness.denominator - board.total.timeliness.numerator >= len(late)
    assert board == metrics.dashboard(jobs.validate([REPO / "catalogs"], as_of, REPO), as_of)  # the product agrees


def test_field_rule_map_names_real_rules() -> None:
    codes = {c for cs in docs.FIELD_RULES.values() for c in cs}
    assert codes <= set(BY_CODE)
    schema = docs.read_schema(REPO)
    for class_name, field in docs.FIELD_RULES:
        assert field in (schema.classes[class_name].get("attributes") or {}), (class_name, field)


def test_generate_keys_are_repository_paths() -> None:
    pages = docs.generate(REPO, _examples(), date(2026, 11, 22))
    assert all(p.startswith(docs.GENERATED_DIRS) and p.endswith(".md") for p in pages)
    assert {f"docs/rules/{r.code}.md" for r in RULES} <= set(pages)
    assert all(text.startswith("---\n# 本文件由 `govcat generate docs` 生成") for text in pages.values())


def test_a_province_dashboard_charts_those_that_need_attention(tmp_path: Path) -> None:
    """With more departments than fit in a chart, each chart shows the lowest rates (the most
    findings) and says so, and the by-rule table names the departments instead of a column each."""
    make_corpus(tmp_path, 25, 4, 5, 0.3)
    as_of = date(2026, 11, 22)
    snapshot = jobs.validate([tmp_path / "catalogs"], as_of, tmp_path)
    board = metrics.dashboard(snapshot, as_of)
    assert len(board.departments) == 25 > docs.CHART_LIMIT
    page = docs.generate(REPO, snapshot, as_of)["docs/reference/dashboard.md"]
    assert page.count("（共 25 个，全部见上表）") == 3 * (len(metrics.RATES) + 1)  # title, aria-label, heading
    charted = re.findall(r'<text class="govcat-chart__label"[^>]*>([^<]+)</text>', page)
    assert len(charted) == (len(metrics.RATES) + 1) * docs.CHART_LIMIT + 3  # + the severity legend
    worst = min(board.departments, key=lambda d: d.metrics.ratio("timeliness").rate or 0.0)
    timeliness = page[page.index("更新及时率：最低"):]
    assert re.search(r'<text class="govcat-chart__label"[^>]*>([^<]+)</text>', timeliness)[1] == worst.label
    assert "涉及部门" in page and "最多的部门" in page
    assert docs.top_counts([("甲", 1), ("乙", 5), ("丙", 0), ("丁", 2), ("戊", 2)]) == "乙 5、丁 2、戊 2、…"


def test_chart_selection_keeps_small_workspaces_whole() -> None:
    values = [(f"部门{i}", metrics.Ratio(i, 10)) for i in range(5)]
    assert docs.lowest(values) == values  # registry order, all of them
    many = [(f"部门{i}", metrics.Ratio(i % 7, 10 if i % 5 else 0)) for i in range(30)]
    chosen = docs.lowest(many)
    assert len(chosen) == docs.CHART_LIMIT
    rates = [r.rate for _, r in chosen]
    known = [r for r in rates if r is not None]
    assert known == sorted(known) and rates[: len(known)] == known  # lowest first, no denominator last


def test_a_rebuild_renders_again_only_what_changed(tmp_path: Path) -> None:
    """A department's parts are rendered again when its files change, or when a resource it links to
    moves to another page; every other department keeps the parts of the previous build."""
    _workspace(tmp_path)
    as_of = date.fromisoformat(AS_OF)

    def render() -> tuple[int, int]:
        data = docs.build_site(tmp_path, jobs.validate([tmp_path / "catalogs"], as_of, tmp_path), as_of)
        return site.render_parts(data, tmp_path / site.PARTS)

    def edit(path: Path, change: Any) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(docs, "RESOURCES_PER_PAGE", PER_PAGE)
        assert render() == (9, 0)
        assert render() == (0, 9)
        other = tmp_path / "catalogs" / "11330100MB00000131" / "catalog.yaml"
        edit(other, lambda data: data["resources"][0].update(summary=data["resources"][0]["summary"] + "（修订）"))
        assert render() == (1, 8)
        # New resources at the top of a department move its resources down, one of them onto the next
        # page: the departments that link to a moved resource are rendered again too.
        catalogs = {p: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (tmp_path / "catalogs").glob("*/*.yaml")}
        related = {p: {c for r in data["resources"] for c in r.get("related_codes", [])} for p, data in catalogs.items()}
        target, position = next((p, i) for p, data in sorted(catalogs.items()) for i, r in enumerate(data["resources"])
                                if any(r["code"] in codes for q, codes in related.items() if q.parent != p.parent))
        added = PER_PAGE - position % PER_PAGE
        codes = [r["code"] for r in catalogs[target]["resources"]]
        moved = {c for i, c in enumerate(codes) if i // PER_PAGE != (i + added) // PER_PAGE}
        linking = {p.parent.name for p, found in related.items() if p.parent != target.parent and moved & found}
        first = catalogs[target]["resources"][0]
        new = [{**first, "code": codes[0].split("/")[0] + f"/{990000 + j}", "name": f"新增的信息资源{j}",
                "related_codes": []} for j in range(added)]
        edit(target, lambda data: data.update(resources=new + data["resources"]))
        assert linking and render() == (1 + len(linking), 9 - 1 - len(linking))
        shutil.rmtree(tmp_path / "catalogs" / INJECTED)
        registry = tmp_path / "catalogs" / "departments.yaml"
        edit(registry, lambda data: data.update(departments=[d for d in data["departments"] if d["code"] != INJECTED]))
        assert render() == (0, 8)
        assert sorted(p.name for p in (tmp_path / site.PARTS).iterdir()) == sorted(
            p.name for p in (tmp_path / "catalogs").iterdir() if p.is_dir())
        (tmp_path / site.PARTS / SPLIT / "2.json").unlink()  # a part lost since: rendered again, not trusted
        assert render() == (1, 7)
