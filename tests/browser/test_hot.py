"""Through gunicorn and Chromium: a dispatcher works the /hot ranking; a resident typing sees similar earlier
ideas and supports one with 「我也有同样的建议」."""

import re

import pytest
import sqlalchemy as sa

from app import create_app
from suggestions.extensions import db
from suggestions.models import Campaign, HotIssue, Suggestion
from tests import factories
from tests.browser.conftest import login, serve
from tests.browser.crawl import AXE, AXE_RUN
from tests.conftest import make_config
from tests.suggestions.hotissues.ideas import MIXING_PLANT, PARKING

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def hot_server(tmp_path_factory, tiny_model_path):
    with serve(tmp_path_factory.mktemp("hot"), tiny_model_path) as (server, env):
        setup = create_app(make_config(env["DATABASE_URL"], tiny_model_path))
        with setup.app_context():
            campaign = db.session.scalar(sa.select(Campaign))
            for title, body in MIXING_PLANT + PARKING:
                factories.submit(
                    setup.extensions["phone_vault"],
                    category=factories.category_coded("城乡建设"),
                    phone=None,
                    title=title,
                    body=body,
                    campaign_id=campaign.id,
                )
            db.session.remove()
            db.engine.dispose()
        yield server, env


def _database(env):
    application = create_app(make_config(env["DATABASE_URL"], env["CLASSIFIER_MODEL_PATH"]))
    return application


def test_a_dispatcher_reads_the_ranking_and_marks_an_issue_not_hot(hot_server, desk_page):
    server, env = hot_server
    page = desk_page
    page.context.add_init_script(path=str(AXE))
    login(page, server.url, server.users["dispatcher"])
    page.get_by_role("link", name="热点问题").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/hot/")
    first = page.locator(".hot-issue").first
    assert "丽发新城" in first.locator("h2").inner_text()
    assert first.locator("svg.sparkline rect").count() >= 1
    assert "每日件数：" in first.inner_text() and "热度" in first.inner_text()
    assert page.evaluate(AXE_RUN) == []

    first.locator("h2 a").click()
    page.wait_for_load_state()
    page.locator("#action-not_hot").get_by_label("原因").fill("工地已停工，另案处理")
    page.locator("#action-not_hot").get_by_role("button", name="标记为非热点").click()
    page.wait_for_load_state()
    assert "已标记为非热点" in page.locator(".flashes").inner_text()
    assert "工地已停工，另案处理" in page.locator("main").inner_text()
    page.goto(server.url + "/hot/")
    assert "丽发新城" not in page.locator("main").inner_text()

    with _database(env).app_context():
        issue = db.session.scalar(sa.select(HotIssue).where(HotIssue.not_hot.is_(True)))
        assert issue is not None and "丽发新城" in issue.label


def test_a_resident_typing_sees_similar_ideas_and_supports_one(hot_server, phone_page):
    server, env = hot_server
    page = phone_page
    page.context.add_init_script(path=str(AXE))
    page.goto(server.url + "/")
    panel = page.locator("#similar-ideas")
    assert panel.is_hidden()
    page.get_by_label("标题").fill("伊景园滨河苑车位")
    page.get_by_label("建议内容").fill("伊景园滨河苑的开发商捆绑销售车位，不买车位不让买房，希望管一管。")
    panel.wait_for(state="visible", timeout=10_000)
    assert panel.locator("li").count() <= 3
    assert "伊景园滨河苑" in panel.locator("li").first.inner_text()
    assert "所属热点问题" in panel.locator("li").first.inner_text()
    panel.locator("li").first.get_by_role("button", name="我也有同样的建议").click()
    assert "您将附议" in page.locator("#similar-chosen").inner_text()
    assert page.evaluate(AXE_RUN) == []

    page.get_by_label("所在区").select_option(label="河西区")
    page.get_by_label("我已阅读并同意《个人信息保护说明》").check()
    page.get_by_role("button", name="提交建议").click()
    page.wait_for_load_state()
    code = re.search(r"JDZ-\d{4}-\d{5}-\d{5}", page.locator("main").inner_text()).group(0)
    with _database(env).app_context():
        support = db.session.scalar(sa.select(Suggestion).where(Suggestion.tracking_code == code))
        assert support.supports is not None and "伊景园滨河苑" in support.supports.title
