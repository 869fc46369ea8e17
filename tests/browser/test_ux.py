"""What issue 16's walk-through found, checked in Chromium against `make run`'s server and demo data."""

import pytest

from tests.browser.test_crawl import DESK, PHONE

pytestmark = [pytest.mark.browser]


@pytest.fixture
def phone(demo_site, browser):
    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


def test_a_long_paste_is_kept_whole_and_the_counter_says_it_is_too_long(demo_site, phone):
    """16.2: a 5,000-character paste was cut to 2,000 without a word."""
    base_url, _ = demo_site
    phone.goto(base_url + "/")
    text = "建议增加公交班次。" * 700  # 6,300 characters
    phone.get_by_label("建议内容").fill(text)
    assert len(phone.get_by_label("建议内容").input_value()) == len(text)
    counter = phone.locator("#body-count")
    assert "超出上限 1300 字" in counter.inner_text() and "都还在框里" in counter.inner_text()
    phone.get_by_label("所在区").select_option(label="南开区")
    phone.get_by_label("我已阅读并同意《个人信息保护说明》").check()
    phone.get_by_role("button", name="提交建议").click()
    assert "当前 6300 个字" in phone.locator("#error-summary").inner_text()
    assert phone.get_by_label("建议内容").input_value() == text
    phone.get_by_label("建议内容").fill(text[:4995])
    assert "已输入 4995 / 5000 字" in phone.locator("#body-count").inner_text()
    phone.get_by_label("我已阅读并同意《个人信息保护说明》").check()
    phone.get_by_role("button", name="提交建议").click()
    assert "全文（4995 字）已完整保存" in phone.get_by_test_id("stored-length").inner_text()


def font_size(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")


@pytest.mark.parametrize("javascript", [True, False])
def test_the_elder_mode_applies_at_once_and_stays_on_every_page(demo_site, browser, javascript):
    """16.5: 长辈版, switched on once in the header, large on every later page (without JavaScript too)."""
    base_url, _ = demo_site
    context = browser.new_context(**PHONE, java_script_enabled=javascript)
    page = context.new_page()
    try:
        page.goto(base_url + "/")
        standard = font_size(page)
        if javascript:
            page.get_by_label("建议内容").fill("写了一半的建议")
        switch = page.get_by_role("button", name="长辈版")
        switch.click()
        page.wait_for_load_state()
        assert page.locator("html.elder").count() == 1
        assert font_size(page) >= standard * 1.25
        assert page.get_by_role("button", name="长辈版").get_attribute("aria-pressed") == "true"
        if javascript:
            assert page.get_by_label("建议内容").input_value() == "写了一半的建议"  # nothing typed is lost
        for path in ("/track", "/adopted"):
            page.goto(base_url + path)
            assert page.locator("html.elder").count() == 1 and font_size(page) >= standard * 1.25
        page.get_by_role("button", name="长辈版").click()
        page.wait_for_load_state()
        page.goto(base_url + "/")
        assert page.locator("html.elder").count() == 0
    finally:
        context.close()


def test_withholding_the_number_empties_and_disables_it(demo_site, browser):
    """16.9: 「不愿留号」 on the hotline form."""
    base_url, accounts = demo_site
    context = browser.new_context(**DESK)
    page = context.new_page()
    try:
        page.goto(base_url + "/login")
        page.fill("#username", "operator")
        page.fill("#password", accounts["operator"])
        page.click("main button[type=submit]")
        page.goto(base_url + "/hotline/new")
        number = page.get_by_label("来电号码")
        number.fill("13912345678")
        page.get_by_label("来电人不愿留号（无法回访，答复只在网上查询）").check()
        assert number.input_value() == "" and number.is_disabled()
        page.get_by_label("所在区").select_option(index=2)
        page.get_by_label("来电内容").fill("来电人反映小区门口路灯坏了很久，晚上出行不安全，希望尽快修复。")
        page.get_by_label("已向来电人宣读个人信息保护告知").check()
        page.get_by_role("button", name="保存并继续").click()
        saved = page.locator(".flash--success").inner_text()
        assert "已保存" in saved and "查询密钥" in saved
    finally:
        context.close()
