"""A resident on a phone submits a suggestion and reads the tracking code back."""

import re

import pytest

pytestmark = [pytest.mark.browser]


def test_resident_submits_on_a_phone_and_tracks_it(live_server, phone_page):
    base_url, _ = live_server
    page = phone_page
    page.goto(base_url + "/")
    assert page.locator("h1").inner_text().endswith("征集")
    page.get_by_label("标题").fill("增加公交班次")
    page.get_by_label("建议内容").fill("小区门口的公交线路太少，早高峰公交车班次间隔太长，建议增加公交班次。")
    page.get_by_label("所在区").select_option(label="河西区")
    page.get_by_label("手机号码（选填）").fill("13812345678")
    page.get_by_label("我已阅读并同意《个人信息保护说明》").check()
    page.get_by_role("button", name="提交建议").click()

    code = page.get_by_test_id("tracking-code").inner_text().strip()
    assert re.fullmatch(r"JDZ-\d{4}-\d{5}-\d{5}", code)
    # A quiet server routes before answering: the receipt already says where the suggestion went.
    receipt = page.content()
    assert "系统正在匹配承办部门" not in receipt
    routed_to = "已转交「" in receipt
    assert routed_to or "人工分派" in receipt

    page.goto(base_url + "/track")
    page.get_by_label("追踪码").fill(code)
    page.get_by_label("手机号码或查询密钥").fill("13812345678")
    page.get_by_role("button", name="查询").click()
    assert code in page.locator("h1").inner_text()
    assert ("已转交承办部门" if routed_to else "正在分派") in page.content()


def test_missing_consent_shows_a_chinese_error_and_keeps_the_text(live_server, phone_page):
    base_url, _ = live_server
    page = phone_page
    page.goto(base_url + "/")
    text = "公园里的健身器材坏了很久，建议尽快维修更换。"
    page.get_by_label("建议内容").fill(text)
    page.get_by_label("所在区").select_option(label="全市")
    response_status = []
    page.on("response", lambda r: response_status.append(r.status) if r.request.method == "POST" else None)
    page.get_by_role("button", name="提交建议").click()
    assert response_status == [400]
    assert "请阅读并同意个人信息保护说明后再提交" in page.content()
    assert page.get_by_label("建议内容").input_value() == text


def test_form_is_usable_at_phone_width(live_server, phone_page):
    base_url, _ = live_server
    page = phone_page
    page.goto(base_url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.get_by_role("button", name="提交建议").bounding_box()
    assert box["height"] >= 44
