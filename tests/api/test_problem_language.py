"""Problem responses speak the caller's language: ``title`` and ``detail`` in Chinese when the
request's Accept-Language prefers zh, in English otherwise (and when it names none, as
before). Through HTTP, for each kind of error: a field the schema refuses (422), a bad period
(422), a record that is not there (404), a role that may not (403), a report too large for a
request (409) and a policy rule's refusal (422, with the rule's own Chinese sentence)."""

from __future__ import annotations

import datetime as dt

import pytest

from factories import register_loan, setup_program
from riskshare.api.problems import PROBLEM_MEDIA_TYPE
from riskshare.testing.pytest_plugin import today

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}


@pytest.fixture
def world(api):
    today(api, dt.date(2024, 3, 1))
    program, bank, firm = setup_program(api)
    register_loan(api, firm, bank)
    return api, program, bank


def problem(response, status: int, lang: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM_MEDIA_TYPE
    assert response.headers["Content-Language"] == lang
    assert "Accept-Language" in response.headers["Vary"]
    return response.get_json()


def test_validation_in_chinese_and_in_english(world):
    api, program, _ = world
    office = api.as_("office")
    path = f"/programs/{program['id']}/reports"
    body = {"period": "2024", "format": "docx"}
    zh = problem(office.post(path, body, headers=ZH), 422, "zh-CN")
    assert zh["title"] == "请求无法处理"
    assert zh["detail"] == "请求内容无效：请检查 /format。"
    assert zh["errors"][0]["pointer"] == "/format"  # the rest of the answer is the same
    en = problem(office.post(path, body), 422, "en")
    assert (en["title"], en["detail"]) == (
        "Unprocessable Entity",
        "The request is not valid: check /format.",
    )
    assert {k: v for k, v in zh.items() if k not in ("title", "detail")} == {
        k: v for k, v in en.items() if k not in ("title", "detail")
    }
    period = problem(office.get(f"{path}/2024-13", headers=ZH), 422, "zh-CN")
    assert period["detail"].startswith("“2024-13”不是报告期间：请使用 2022、2022-H1")


def test_not_found_and_forbidden_in_chinese(world):
    api, program, _ = world
    missing = problem(api.as_("office").get("/loans/987654", headers=ZH), 404, "zh-CN")
    assert (missing["title"], missing["detail"]) == ("未找到", "没有编号为 987654 的贷款。")
    lender = api.as_("lender", institution="bank-a")
    report = problem(
        lender.get(f"/programs/{program['id']}/reports/2024", headers=ZH), 403, "zh-CN"
    )
    assert report["title"] == "无权进行此操作"
    assert report["detail"].startswith("本项目的资金报告由以下角色查阅：")
    role = problem(lender.post("/programs", {"code": "x"}, headers=ZH), 403, "zh-CN")
    assert role["detail"].startswith(f"此操作需要租户“{api.tenant}”中的以下角色之一：")


def test_a_report_too_large_in_chinese_names_the_job(world):
    api, program, _ = world
    settings = api.app.extensions["riskshare"].settings
    before, settings.sync_report_max_loans = settings.sync_report_max_loans, 0
    try:
        path = f"/programs/{program['id']}/reports/2024?format=pdf"
        body = problem(api.as_("office").get(path, headers=ZH), 409, "zh-CN")
    finally:
        settings.sync_report_max_loans = before
    assert body["title"] == "与当前状态冲突"
    assert "2024 期间有 1 笔贷款，超过请求内生成文件的上限 0 笔" in body["detail"]
    assert body["job"]["body"] == {"period": "2024", "format": "pdf"}


def test_a_policy_refusal_gives_the_rules_chinese_sentence(world):
    api, program, bank = world
    today(api, dt.date(2024, 9, 10))
    lender = api.as_("lender", institution="bank-a")
    [loan] = api.as_("office").ok("GET", "/loans")
    lender.ok(
        "POST",
        f"/loans/{loan['id']}/events",
        {"kind": "classification_change", "event_date": "2024-09-09", "classification": "loss"},
        status=201,
    )
    office = api.as_("office")
    path = f"/institutions/{bank['id']}/cooperation"
    body = {"action": "suspend", "reason": "NPL", "program_id": program["id"]}
    office.ok("POST", path, body)
    resume = {"action": "resume", "reason": "fixed", "program_id": program["id"]}
    zh = problem(office.post(path, resume, headers=ZH), 422, "zh-CN")
    assert zh["detail"] == "依据规则 T-6 不予办理：不良贷款：L-1。"
    assert zh["rule"]["rule"] == "T-6"
    en = problem(office.post(path, resume), 422, "en")
    assert "不良贷款" not in en["detail"] and en["rule"]["rule"] == "T-6"


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        (None, "en"),  # as before: a client that names no language gets English
        ("en-US,en;q=0.9", "en"),
        ("zh", "zh-CN"),
        ("zh-TW", "zh-CN"),
        ("en;q=0.9,zh;q=0.5", "en"),
        ("fr", "en"),
    ],
)
def test_the_language_is_the_one_the_caller_prefers(world, accept, lang):
    api, _, _ = world
    headers = {"Accept-Language": accept} if accept else {}
    body = problem(api.as_("office").get("/loans/987654", headers=headers), 404, lang)
    assert body["title"] == ("未找到" if lang == "zh-CN" else "Not Found")


def test_an_error_without_its_own_chinese_keeps_its_english_detail_after_a_chinese_title(api):
    """A 405 (werkzeug's own) has no Chinese sentence: the Chinese answer says what kind of
    error it is in Chinese and keeps the English detail, losing nothing."""
    response = api.as_("office").call("DELETE", "/programs", headers=ZH)
    body = problem(response, 405, "zh-CN")
    assert body["title"] == "不支持此请求方法"
    assert body["detail"].startswith("不支持此请求方法：") and "method" in body["detail"].lower()
