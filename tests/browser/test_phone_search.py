"""Issue 17.5: a phone number searched for in the staff queue never reaches the access log of a real gunicorn.

The operator types the number into the queue's search box in Chromium: the form posts it, and the queue is shown
at an address with the number's keyed hash.  An old bookmark with the number in the address is moved off it at
once, and the access log (gunicorn.conf.py's format, as `make run` serves it) leaves every query string out.
"""

import re
import urllib.request

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser]

SPELLINGS = ["139 1111 2222", "8613911112222", "139.1111.2222", "+86 139-1111-2222"]


def digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def test_a_phone_search_leaves_no_number_in_the_address_or_the_access_log(live_server, desk_page):
    base_url, users = live_server
    page = desk_page
    login(page, base_url, users["operator"])
    for typed in SPELLINGS:
        page.goto(base_url + "/queue")
        page.fill("#q", typed)
        page.click("form[role=search] button[type=submit]")
        page.wait_for_load_state()
        assert re.search(r"caller=[0-9a-f]{64}", page.url), page.url
        assert "11112222" not in digits(page.url)
        assert "正在按来电号码查找" in page.inner_text("main")
    # An address typed by hand (or an old bookmark) with the number in it.
    page.goto(base_url + "/queue?q=139+1111+2222")
    assert re.search(r"caller=[0-9a-f]{64}", page.url) and "1111" not in page.url
    urllib.request.urlopen(base_url + "/track?code=13911112222&x=139.1111.2222").read()

    log = live_server.log_path.read_text()
    requests = re.findall(r'"(?:GET|POST) (\S+) HTTP/1\.1"', log)
    assert any(path == "/queue" for path in requests), log[-2000:]
    assert not any("?" in path for path in requests)
    for line in log.splitlines():
        assert "11112222" not in digits(line), line
