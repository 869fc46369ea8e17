"""Through gunicorn and Chromium: a dispatcher adopts an idea into a project; the resident's tracking page and the
public project list show it, with the approved excerpt only."""

import pytest
import sqlalchemy as sa

from app import create_app
from suggestions import casework
from suggestions.campaign import projects as project_services
from suggestions.extensions import db
from suggestions.models import Campaign, StaffUser
from tests import factories
from tests.browser.conftest import login, serve
from tests.conftest import make_config

pytestmark = [pytest.mark.browser]

PHONE = "13822224444"


@pytest.fixture(scope="module")
def adoption_server(tmp_path_factory, tiny_model_path):
    """A served database with one project and one answered, closed idea from a resident who left name and phone."""
    with serve(tmp_path_factory.mktemp("adoption"), tiny_model_path) as (server, env):
        setup = create_app(make_config(env["DATABASE_URL"], tiny_model_path))
        with setup.app_context():
            campaign = db.session.scalar(sa.select(Campaign))
            elderly = next(d for d in campaign.domains if d.name == "养老")
            project = project_services.save_project(
                None,
                campaign=campaign,
                year=campaign.year + 1,
                number=4,
                title="社区老年助餐服务提升",
                domain=elderly,
                lead_department=factories.department_named("市民政局"),
            )
            receipt = factories.submit(
                setup.extensions["phone_vault"],
                category=factories.category_coded("城乡建设"),
                phone=PHONE,
                title="社区老年食堂",
                body="我是南开区某某里的张桂芳，建议在社区开老年食堂，让独居老人能吃上热饭。",
                contact_name="张桂芳",
                campaign_id=campaign.id,
                domain_id=elderly.id,
            )
            suggestion = receipt.suggestion
            by_role = {u.role.value: u for u in db.session.scalars(sa.select(StaffUser))}
            officer = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == server.users["officer"]))
            casework.sign(suggestion, actor=officer)
            casework.reply(suggestion, "已转交民政部门研究，将纳入明年助餐点布局。", actor=officer)
            casework.approve_reply(suggestion, actor=by_role["dispatcher"])
            casework.record_callback(suggestion, "satisfied", actor=by_role["operator"])
            db.session.commit()
            facts = {"code": suggestion.tracking_code, "id": suggestion.id, "year": project.year}
            db.session.remove()
            db.engine.dispose()
        yield server, facts


def test_dispatcher_adopts_and_the_resident_and_the_public_see_the_project(adoption_server, browser):
    server, facts = adoption_server
    dispatcher = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    login(dispatcher, server.url, server.users["dispatcher"])
    dispatcher.goto(f"{server.url}/suggestions/{facts['id']}")
    panel = dispatcher.locator("#action-adoption")
    panel.get_by_label("采纳", exact=True).check()
    panel.get_by_label("对应的民心工程项目").select_option(label=f"{facts['year']}年 第4项 社区老年助餐服务提升")
    panel.get_by_label("说明（将告知市民）").fill("您的建议已纳入明年助餐点建设。")
    panel.get_by_label("公示标题").fill("社区开设老年食堂")
    panel.get_by_label("公示摘要").fill("建议在社区开设老年食堂，让独居老人就近吃上热饭。")
    panel.get_by_label("在项目公开页公示以下标题和摘要（已确认不含姓名、电话、住址等个人信息）").check()
    panel.get_by_role("button", name="采纳评估").click()
    assert "采纳评估已记录：采纳。已通知市民。" in dispatcher.locator(".flash--success").inner_text()

    resident = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN").new_page()
    resident.goto(server.url + "/track")
    resident.get_by_label("追踪码").fill(facts["code"])
    resident.get_by_label("手机号码或查询密钥").fill(PHONE)
    resident.get_by_role("button", name="查询").click()
    adoption = resident.locator("section", has=resident.get_by_role("heading", name="采纳情况"))
    assert "社区老年助餐服务提升" in adoption.inner_text() and "您的建议已纳入明年助餐点建设。" in adoption.inner_text()
    assert "已被采纳" in resident.content()  # the message also waits on the page
    adoption.get_by_role("link", name=f"{facts['year']}年民心工程第4项「社区老年助餐服务提升」").click()
    resident.wait_for_url(f"**/projects/{facts['year']}/4")  # content() during the navigation is empty
    resident.wait_for_load_state()
    assert "建议在社区开设老年食堂，让独居老人就近吃上热饭。" in resident.content()

    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{server.url}/projects/{facts['year']}")
    text = public.locator("main").inner_text()
    assert "第4项 社区老年助餐服务提升" in text and "市民政局" in text and "1 条" in text
    for private in ("张桂芳", PHONE, "138****4444", facts["code"], "某某里"):
        assert private not in public.content()
