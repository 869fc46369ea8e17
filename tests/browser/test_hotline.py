"""An operator enters a call with the keyboard only while the caller is on the line."""

import re

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser]


def test_operator_enters_a_call_with_the_keyboard_only(live_server, desk_page):
    base_url, users = live_server
    page = desk_page
    login(page, base_url, users["operator"])
    page.goto(base_url + "/hotline/new")
    assert page.evaluate("document.activeElement.name") == "phone"

    keyboard = page.keyboard
    keyboard.type("13912345678")
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "phone_withheld"  # 不愿留号, left unticked
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "district"
    keyboard.type("03")  # numbered districts: 03 = 河西区
    keyboard.press("Tab")
    keyboard.type("来电反映小区门口公交站点太少，公交线路绕远，早高峰公交车太挤，希望增加公交班次。")
    # The route preview appears while the caller is still talking.
    page.wait_for_selector("#route-preview .route-preview__main", timeout=10000)
    assert "市交通运输委员会" in page.locator("#route-preview").inner_text()
    # Candidate departments, each with why it is proposed.
    assert "市交通运输委员会（按类别）" in page.locator("#route-preview .candidates").inner_text()
    keyboard.press("Tab")  # call time keeps its default (now)
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "domain"  # the caller named no domain: left as is
    keyboard.press("Tab")  # the optional title/name disclosure
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "urgency"  # keeps 一般
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "confidential"  # left unticked
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "notice_read"
    keyboard.press("Space")
    keyboard.press("Control+Enter")
    page.wait_for_load_state()

    flash = page.locator(".flash--success").inner_text()
    assert re.search(r"追踪码 JDZ-\d{4}-\d{5}-\d{5}", flash) and "市交通运输委员会" in flash
    assert page.evaluate("document.activeElement.name") == "phone"
    assert page.locator("[name=phone]").input_value() == ""
    assert page.locator("[name=district]").input_value() == ""
