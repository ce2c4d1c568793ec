"""The web validator's page in a real browser (Debian's Chromium through Playwright) against a real
`govcat serve`: upload a workbook with planted faults, see each finding on its cell, download the
annotated workbook and read its comments back with openpyxl; keyboard only; English; injected
catalog text shown as text. Set GOVCAT_SHOTS=DIR to keep screenshots."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from playwright.sync_api import Browser, Page

from govcat.checking.rules import RULES
from govcat.publishing.workbook_writer import EXAMPLE
from tests.serve_helpers import XSS, Server, faulty_workbook

PAYLOADS = ("<script>alert('name')</script>", "<svg onload=alert('svg')>", "\"><img src=x onerror=alert('attr')>")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("page"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("uploads")
    workbook = folder / "示范市民政局目录.xlsx"
    planted = faulty_workbook(workbook)
    resource = {**EXAMPLE["resources"][0], "code": "307001001/000009", "name": PAYLOADS[0],
                "update_frequency": PAYLOADS[1], "security_level": PAYLOADS[2]}
    catalog = folder / "注入.yaml"
    catalog.write_text(yaml.safe_dump({**EXAMPLE, "provider": {"code": "11330100MB0000012X", "name": PAYLOADS[2]},
                                       "resources": [resource]}, allow_unicode=True), encoding="utf-8")
    return {"workbook": workbook, "planted": planted, "catalog": catalog}


class Tab:
    """A page that records dialogs (an executed alert), script errors, CSP reports and every request."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: self.requests.append(r.url))


@pytest.fixture
def tab(browser: Browser, server: Server) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    t = Tab(context.new_page())
    t.page.goto(server.url + "/")
    yield t
    context.close()
    assert t.dialogs == [], "a dialog fired: injected script ran"
    assert t.errors == [], "script errors or CSP violations on the page"
    assert all(u.startswith((server.url, "blob:", "data:")) for u in t.requests), "the page must work offline"


def shoot(page: Page, name: str, **options: Any) -> None:
    folder = os.environ.get("GOVCAT_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), **options)


def validate(tab: Tab, *paths: Path) -> None:
    page = tab.page
    page.set_input_files("#file", [str(p) for p in paths])
    page.fill("#as-of", "2026-11-22")
    page.focus("#submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#results:not([hidden])")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('校验完成') || "
                           "document.getElementById('status').textContent.includes('Done')")


def test_each_finding_is_shown_on_its_cell(tab: Tab, files: dict[str, Any]) -> None:
    page = tab.page
    validate(tab, files["workbook"])
    assert page.evaluate("document.activeElement.id") == "results-title"  # focus moves to the results
    assert "校验完成" in page.inner_text("#status")
    for code, where in files["planted"].values():
        sheet, ref = where.split("!")
        finding = page.locator("li.finding", has_text=code)
        assert finding.count() >= 1, code
        link = finding.get_by_role("link", name=f"跳到单元格 {where}")
        assert link.count() >= 1, where
        table = page.locator("table.sheet", has=page.locator("caption", has_text=f"工作表“{sheet}”"))
        cell = table.locator(f"td[data-cell='{ref}']")
        assert "marked" in (cell.get_attribute("class") or ""), where
        assert code in (cell.get_attribute("title") or ""), where
        assert code in cell.inner_text(), where  # the screen reader's text for the mark
        link.first.click()
        assert page.evaluate("document.activeElement.dataset.cell") == ref
    unmarked = page.locator("table.sheet td[data-cell='A2']:not(.marked)")
    assert unmarked.count() >= 1
    shoot(page, "page-findings.png", full_page=True)


def test_download_the_annotated_workbook(tab: Tab, files: dict[str, Any], tmp_path: Path) -> None:
    page = tab.page
    validate(tab, files["workbook"])
    button = page.get_by_role("button", name="带批注的工作簿：示范市民政局目录.xlsx")
    button.focus()
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename == "示范市民政局目录（校验结果）.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = openpyxl.load_workbook(saved)
    assert "校验结果" in book.sheetnames
    for code, where in files["planted"].values():
        sheet, ref = where.split("!")
        comment = book[sheet][ref].comment
        assert comment is not None and code in comment.text, where
    for fmt, name in (("CSV", "govcat-report.csv"), ("SARIF", "govcat-report.sarif")):
        with page.expect_download() as info:
            page.get_by_role("button", name=f"报告（{fmt}）").click()
        assert info.value.suggested_filename == name


def _every_field_injected(path: Path) -> list[str]:
    """The faulty workbook with a distinct script payload in every cell of the resource row and of an item row."""
    book = openpyxl.load_workbook(path)
    payloads = []
    for sheet, row in (("信息资源", 2), ("信息项", 4)):
        for cell in book[sheet][row]:
            payload = f"<img src=x onerror=alert('{sheet}{cell.coordinate}')>"
            cell.value, cell.data_type = payload, "s"
            payloads.append(payload)
    book.save(path)
    return payloads


def test_injected_text_is_shown_as_text(tab: Tab, files: dict[str, Any], tmp_path: Path) -> None:
    page = tab.page
    everywhere = tmp_path / "每个字段.xlsx"
    everywhere.write_bytes(files["workbook"].read_bytes())
    payloads = _every_field_injected(everywhere)
    validate(tab, files["workbook"], files["catalog"], everywhere)
    text = page.inner_text("#findings")
    for payload in (XSS, PAYLOADS[0], PAYLOADS[1], *payloads):
        assert payload in text, payload  # in a message or in the sheet view, as text
    assert page.locator("#findings img, #findings svg, #findings script, #findings iframe").count() == 0
    shoot(page, "page-injection.png", full_page=True)


def test_the_page_script_builds_no_markup_from_strings() -> None:
    script = (Path(__file__).resolve().parents[1] / "src" / "govcat" / "serve" / "static" / "app.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink


def test_keyboard_only_and_accessible_names(tab: Tab, files: dict[str, Any]) -> None:
    page = tab.page
    order: list[str] = []
    for _ in range(14):
        page.keyboard.press("Tab")
        focused = page.evaluate("(() => { const e = document.activeElement;"
                                " return e.id || e.getAttribute('href') || e.tagName; })()")
        if not order or order[-1] != focused:  # a date input takes one Tab per field (year, month, day)
            order.append(focused)
    assert order[:9] == ["#main", "template-link", "#rules", "/api/v1/openapi.json", "lang", "file", "as-of",
                         "submit", "SUMMARY"], order
    assert page.get_by_label("选择文件（.xlsx、.yaml、.yml，可多选）").count() == 1
    assert page.get_by_label("判定日期（更新及时性，默认今天）").count() == 1
    assert page.get_by_role("status").count() == 1 and page.get_by_role("alert").count() == 1
    page.focus("#submit")
    page.keyboard.press("Enter")  # nothing chosen yet: the alert says so and focus returns to the input
    assert "请先选择" in page.inner_text("#alert")
    assert page.evaluate("document.activeElement.id") == "file"
    validate(tab, files["workbook"])
    explain = page.get_by_role("button", name="说明").first
    explain.focus()
    page.keyboard.press("Enter")
    assert explain.get_attribute("aria-expanded") == "true"
    region = page.locator(f"#{explain.get_attribute('aria-controls')}")
    region.locator("text=检查内容").wait_for()
    assert region.get_attribute("role") == "region"


def test_english_switch(tab: Tab, files: dict[str, Any]) -> None:
    page = tab.page
    validate(tab, files["workbook"])
    page.get_by_role("button", name="Switch to English").click()
    page.wait_for_function("() => document.getElementById('status').textContent.includes('Done')")
    assert page.inner_text("h1") == "Government data catalog validator"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "is not a valid date" in page.inner_text("#findings") or "not a real" in page.inner_text("#findings")
    assert page.get_by_role("button", name="切换到中文").count() == 1
    shoot(page, "page-english.png", full_page=True)


def test_rules_list_and_template(tab: Tab, tmp_path: Path) -> None:
    page = tab.page
    page.get_by_text("显示全部校验规则").click()
    page.locator("#rules-table tbody tr").nth(len(RULES) - 1).wait_for()
    assert page.locator("#rules-table tbody tr").count() == len(RULES)
    with page.expect_download() as info:
        page.get_by_role("link", name="下载空白填报模板").click()
    saved = tmp_path / "template.xlsx"
    info.value.save_as(saved)
    assert "信息资源" in openpyxl.load_workbook(saved).sheetnames
