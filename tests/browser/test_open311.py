"""Issue 14's done-when through a real gunicorn: a key made with the CLI posts a suggestion, which reads back."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.browser.conftest import _flask, login, serve
from tests.browser.crawl import AXE_RUN, ENGLISH, Crawl

API = "/open311/v2"


@pytest.fixture(scope="module")
def served(tmp_path_factory, tiny_model_path):
    with serve(tmp_path_factory.mktemp("open311"), tiny_model_path) as (server, env):
        yield server, env


def call(url: str, data: dict | None = None) -> tuple[int, object]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_key_from_the_cli_posts_a_suggestion_and_reads_it_back_by_its_tracking_code(served):
    server, env = served
    url = server.url
    printed = _flask(env, "suggestions", "api-key", "create", "--channel", "tjgov")
    key = printed.strip().splitlines()[-1]
    status, services = call(url + f"{API}/services.json")
    assert status == 200 and services
    form = {
        "api_key": key,
        "service_code": services[0]["service_code"],
        "description": "建议在和平区南京路增设公交站点，早高峰加密班次，方便老人出行。",
        "address_string": "和平区南京路100号",
        "attribute[partner_id]": "ZWW-2026-000123",
        "phone": "13812345678",
    }
    status, created = call(url + f"{API}/requests.json", form)
    assert status == 201, created
    code = created[0]["service_request_id"]

    status, again = call(url + f"{API}/requests.json", form)  # the partner retries: nothing new
    assert (status, again[0]["service_request_id"]) == (200, code)

    status, found = call(url + f"{API}/requests/{code}.json")
    assert status == 200 and found[0]["service_request_id"] == code and found[0]["address"] == "和平区"
    assert "13812345678" not in json.dumps(found, ensure_ascii=False)
    status, listed = call(url + f"{API}/requests.json?service_request_id={code}")
    assert [item["service_request_id"] for item in listed] == [code]

    key_id = printed.split("#", 1)[1].split()[0]
    _flask(env, "suggestions", "api-key", "revoke", key_id)
    status, refused = call(url + f"{API}/requests.json", {**form, "attribute[partner_id]": "ZWW-2026-000124"})
    assert status == 403 and refused[0]["code"] == 403


def test_errors_through_the_server_are_the_spec_format_never_500(served):
    url = served[0].url
    for path in (
        f"{API}/requests.json?start_date=0001-01-01T00:00:00%2B14:00",
        f"{API}/requests.json?page=99999999999999999999",
        f"{API}/requests/JDZ-2026-00000-00000.json",
        f"{API}/services/abc.json",
        f"{API}/nowhere",
    ):
        status, errors = call(url + path)
        assert 400 <= status < 500 and errors[0]["code"] == status and errors[0]["description"], path
    status, errors = call(url + f"{API}/requests.json", {"api_key": "jdz_wrong"})
    assert status == 403


@pytest.mark.browser
def test_an_admin_makes_and_revokes_a_key_in_the_browser_on_accessible_chinese_pages(served, browser):
    url = served[0].url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        Crawl(page, url, "admin")  # installs axe-core as the crawl does
        login(page, url, served[0].users["admin"])
        page.goto(url + "/admin/api-keys")
        page.select_option("#channel", "enorth")
        page.fill("#name", "北方网专题页")
        page.click("main form button[type=submit]")
        key = page.text_content("#issued-key").strip()
        assert page.evaluate(AXE_RUN) == [] and page.evaluate(ENGLISH) == []
        status, _ = call(url + f"{API}/requests.json", {"api_key": key})
        assert status == 400  # the key works: the request got past the key check to the fields
        page.goto(url + "/admin/api-keys")
        assert key not in page.content()
        page.click("text=停用")
        assert page.evaluate(AXE_RUN) == [] and page.evaluate(ENGLISH) == []
        page.click("text=确认停用")
        assert "已停用" in page.text_content("main")
        status, _ = call(url + f"{API}/requests.json", {"api_key": key})
        assert status == 403
    finally:
        context.close()
