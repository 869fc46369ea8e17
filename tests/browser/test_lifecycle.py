"""The whole lifecycle in real browsers: a resident's suggestion to 已办结 with a satisfaction rating."""

import re
import time

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser]


def submit_on_phone(page, base_url) -> str:
    page.goto(base_url + "/")
    page.get_by_label("标题").fill("老楼加装电梯")
    page.get_by_label("建议内容").fill(
        "我们小区是八十年代的老楼，住了很多老人，上下楼非常困难，建议尽快为老旧小区加装电梯，改造老旧住房。"
    )
    page.get_by_label("所在区").select_option(label="南开区")
    page.get_by_label("手机号码（选填）").fill("13822223333")
    page.get_by_label("我已阅读并同意《个人信息保护说明》").check()
    page.get_by_role("button", name="提交建议").click()
    return page.get_by_test_id("tracking-code").inner_text().strip()


def open_item(page, base_url, code, timeout: float = 20):
    """Open the item from the queue; the background router puts it there moments after the resident submits."""
    deadline = time.monotonic() + timeout
    page.goto(base_url + "/queue?q=" + code)
    while not page.get_by_role("link", name=code).count() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
    page.get_by_role("link", name=code).first.click()


def test_officer_signs_and_replies_resident_sees_and_rates_then_callback_closes(live_server, browser):
    base_url, users = live_server
    resident = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN").new_page()
    code = submit_on_phone(resident, base_url)

    officer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    login(officer, base_url, users["officer"])
    open_item(officer, base_url, code)
    officer.get_by_role("button", name="签收").click()
    assert "已签收" in officer.locator(".flash--success").inner_text()
    officer.get_by_label("答复内容").first.fill(
        "您好！经研究，已将您小区纳入明年老旧小区加装电梯计划，预计明年三季度开工。"
    )
    officer.get_by_role("button", name="答复市民").click()
    assert "答复已提交" in officer.locator(".flash--success").inner_text()

    resident.goto(base_url + "/track")
    resident.get_by_label("追踪码").fill(code)
    resident.get_by_label("手机号码或查询密钥").fill("13822223333")
    resident.get_by_role("button", name="查询").click()
    assert "预计明年三季度开工" in resident.content()
    resident.get_by_label("满意", exact=True).check()
    resident.get_by_label("意见（选填）").fill("期待早日开工")
    resident.get_by_role("button", name="提交评价").click()
    assert "感谢您的评价" in resident.content()
    assert "您的评价" in resident.content()

    dispatcher = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    login(dispatcher, base_url, users["dispatcher"])
    dispatcher.goto(base_url + "/work/review")
    dispatcher.get_by_role("link", name=code).click()
    dispatcher.get_by_role("button", name="审核通过").click()

    operator = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    login(operator, base_url, users["operator"])
    operator.goto(base_url + "/work/callbacks")
    assert "138****3333" in operator.content()
    assert "市民网上评价：满意" in operator.content()
    operator.get_by_role("link", name=code).click()
    operator.get_by_label("满意", exact=True).check()
    operator.get_by_role("button", name="回访").click()
    assert re.search("回访结果已记录", operator.content())

    resident.reload()
    assert "已办结" in resident.content()
