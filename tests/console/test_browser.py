"""The console in a real browser: headless chromium (Debian's) driven by Playwright, on the
embedded demo served over HTTP. Each test leaves a screenshot in test-artifacts/console/,
and no page may load anything from another site (the ``visitor`` fixture refuses it)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def serious_violations(page) -> list[str]:
    """axe-core's findings of impact serious or critical on the page as it stands."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_dev_login_lists_the_demo_users_by_role_and_opens_the_users_inbox(visitor):
    visitor.go("/console/login")
    page = visitor.page
    assert page.locator("h1").inner_text() == "登录（开发环境）"
    assert page.get_by_role("cell", name="xinxiang-reviewer", exact=True).is_visible()
    assert page.get_by_role("cell", name="yanqing-custodian", exact=True).is_visible()
    assert serious_violations(page) == []
    visitor.shot("login")

    visitor.sign_in("xinxiang-reviewer")
    assert page.locator("h1").inner_text() == "待办事项"
    row = page.locator("table.list tbody tr").first
    # The demo's claim waits for the reviewer: its due date from the working-day calendar,
    # and the rule and clause that set it.
    assert "审核代偿申请" in row.inner_text()
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", row.inner_text())
    assert "¥270,000.00" in row.inner_text()
    assert "X-11" in row.inner_text() and "新政办〔2021〕48号" in row.inner_text()
    assert serious_violations(page) == []
    visitor.shot("inbox-reviewer")


def test_switching_language_changes_words_amounts_and_dates(visitor):
    visitor.sign_in("xinxiang-reviewer")
    page = visitor.page
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Inbox"
    assert page.locator("html").get_attribute("lang") == "en"
    row = page.locator("table.list tbody tr").first.inner_text()
    assert "Review claim" in row and "CN¥270,000.00" in row
    assert re.search(r"[A-Z][a-z]+ \d{1,2}, \d{4}", row)  # March 16, 2023
    # The explanation is the policy's English sentence, its clause in English.
    assert "Article" in row
    visitor.shot("inbox-reviewer-en")
    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "待办事项"


def test_the_loan_register_filters_without_reloading_and_exports_what_it_shows(visitor):
    visitor.sign_in("yanqing-office")
    page = visitor.page
    page.get_by_role("link", name="贷款台账", exact=True).click()
    page.wait_for_url("**/loans")
    everything = page.locator("#loan-table .count").inner_text()
    assert serious_violations(page) == []
    visitor.shot("register")

    page.get_by_label("纳入补偿").select_option("yes")
    page.get_by_label("搜索").fill("YQ-DEMO-22")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r".*covered=yes.*"))  # htmx pushed the filters to the URL
    assert "共 6 笔" in everything
    assert "共 1 笔" in page.locator("#loan-table .count").inner_text()
    rows = page.locator("#loan-table tbody tr")
    assert rows.count() == 1
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        assert cells.nth(0).inner_text() == "YQ-DEMO-22"
        assert cells.nth(7).inner_text() == "是"
    visitor.shot("register-filtered")

    with page.expect_download() as download:
        page.get_by_role("link", name="导出为 CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("贷款编号,合同编号,企业")
    assert len(lines) - 1 == rows.count()


def test_a_loans_page_shows_its_events_and_the_coverage_explanation(visitor):
    visitor.sign_in("yanqing-office")
    page = visitor.page
    visitor.go("/console/t/yanqing/loans?q=YQ-DEMO-25")
    page.get_by_role("link", name="YQ-DEMO-25").click()
    page.wait_for_url(re.compile(r".*/loans/\d+$"))
    facts = page.locator("dl.facts").inner_text()
    assert "延庆百里山水旅游有限公司" in facts and "北京银行延庆支行" in facts
    coverage = page.locator("section[aria-labelledby=coverage]")
    assert "纳入补偿范围" in coverage.inner_text()
    first = coverage.locator("ol.explanations > li").first
    assert re.match(r"Y-\d+", first.locator(".rule").inner_text())
    assert "延庆区中小微企业融资风险补偿实施方案" in first.locator(".clause").inner_text()
    assert page.locator("section[aria-labelledby=events] tbody tr").count() >= 1
    assert serious_violations(page) == []
    visitor.shot("loan")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    clause = page.locator("section[aria-labelledby=coverage] .clause").first.inner_text()
    assert not re.search(r"[\u4e00-\u9fff]", page.locator(".why").first.inner_text())
    assert "Section" in clause or "Article" in clause or "Implementation" in clause
    visitor.shot("loan-en")


def test_a_form_posted_without_its_csrf_token_is_refused(visitor):
    visitor.sign_in("xinxiang-office")
    page = visitor.page
    # A form another site could make the browser send: same fields, no token.
    page.evaluate(
        """() => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = '/console/language';
            const lang = document.createElement('input');
            lang.name = 'lang'; lang.value = 'en';
            form.appendChild(lang);
            document.body.appendChild(form);
            form.submit();
        }"""
    )
    page.wait_for_load_state()
    assert "表单已失效" in page.locator(".problem").inner_text()
    visitor.shot("csrf-refused")
    visitor.go("/console/")
    assert page.locator("h1").inner_text() == "待办事项"  # the language did not change


def test_the_api_docs_work_without_the_internet(visitor):
    visitor.go("/api/v1/docs")
    visitor.page.locator(".swagger-ui .info .title").wait_for()
    assert "Riskshare" in visitor.page.locator(".swagger-ui .info .title").inner_text()
    visitor.shot("api-docs")
