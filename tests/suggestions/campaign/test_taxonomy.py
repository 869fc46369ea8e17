"""Each year's domains are data: seeded from the notice, edited by administrators, copied into a new year."""

import pytest
import sqlalchemy as sa

from suggestions.campaign import taxonomy
from suggestions.extensions import db
from suggestions.models import Campaign
from suggestions.workflow import WorkflowError
from tests import factories
from tests.suggestions.campaign.conftest import domain_of

NOTICE_DOMAINS = ["就业", "教育", "社保", "医疗", "住房", "养老", "食品安全", "城乡建设", "生态环境", "文化体育"]


def test_the_seeded_campaign_has_the_notices_ten_domains_in_order_with_default_departments(campaign):
    assert [d.name for d in campaign.domains] == NOTICE_DOMAINS
    assert domain_of(campaign, "养老").default_department.name == "市民政局"
    assert domain_of(campaign, "食品安全").default_department.name == "市市场监督管理委员会"
    assert all(d.default_department is not None for d in campaign.domains)


@pytest.fixture
def admin(client, auth, staff):
    auth.login(staff["admin"])
    return client


def test_a_new_campaign_copies_last_years_domains_in_one_action_and_last_year_stays(admin, campaign):
    elderly = domain_of(campaign, "养老")
    response = admin.post(
        "/admin/campaigns",
        data={
            "year": campaign.year + 1,
            "name": "下一年征集",
            "opens_on": f"{campaign.year + 1}-09-01",
            "closes_on": f"{campaign.year + 1}-09-27",
            "copy_from": campaign.id,
        },
    )
    assert response.status_code == 303
    new = db.session.scalar(sa.select(Campaign).where(Campaign.year == campaign.year + 1))
    assert [d.name for d in new.domains] == NOTICE_DOMAINS
    assert domain_of(new, "养老").default_department == elderly.default_department
    assert domain_of(new, "养老").id != elderly.id
    assert (domain_of(new, "养老").keywords, domain_of(new, "养老").excludes) == (elderly.keywords, elderly.excludes)
    assert "老年食堂" in elderly.keyword_list and domain_of(new, "养老").handler_types == "民政"

    # Editing the new year leaves the earlier one as it was.
    water = factories.department_named("市水务局")
    new_elderly = domain_of(new, "养老")
    edit = admin.post(
        f"/admin/campaigns/{new.id}/domains/{new_elderly.id}",
        data={
            "domain-name": "养老服务",
            "domain-default_department": water.id,
            "domain-keywords": "助餐，养老院 敬老院",
            "domain-excludes": "养老金",
        },
    )
    assert edit.status_code == 303
    db.session.expire_all()
    assert domain_of(new, "养老服务").keyword_list == ["助餐", "养老院", "敬老院"]
    assert domain_of(new, "养老服务").handler_types == ""  # a field left empty clears it
    assert admin.post(f"/admin/campaigns/{new.id}/domains/{domain_of(new, '教育').id}/up").status_code == 303
    db.session.expire_all()
    assert [d.name for d in new.domains][:2] == ["教育", "就业"]
    assert "养老服务" in [d.name for d in new.domains]
    assert [d.name for d in campaign.domains] == NOTICE_DOMAINS
    assert domain_of(campaign, "养老").default_department.name == "市民政局"
    page = admin.get(f"/admin/campaigns/{campaign.id}/domains").get_data(as_text=True)
    assert "市民政局" in page and '<th scope="row">养老服务' not in page
    assert "关键词：" in page and "老年食堂" in page


def test_copy_into_an_existing_campaign_adds_only_missing_domains(campaign):
    other = taxonomy.save_campaign(
        None, year=campaign.year + 2, name="x", opens_on=campaign.opens_on, closes_on=campaign.closes_on
    )
    taxonomy.add_domain(other, "养老")
    assert taxonomy.copy_domains(campaign, other) == 9
    assert [d.name for d in other.domains] == ["养老"] + [n for n in NOTICE_DOMAINS if n != "养老"]


def test_a_domain_in_use_cannot_be_deleted_but_an_unused_one_can(app, campaign):
    vault = app.extensions["phone_vault"]
    factories.submit(vault, campaign_id=campaign.id, domain_id=domain_of(campaign, "养老").id)
    with pytest.raises(WorkflowError, match="不能删除"):
        taxonomy.delete_domain(domain_of(campaign, "养老"))
    taxonomy.delete_domain(domain_of(campaign, "文化体育"))
    assert "文化体育" not in [d.name for d in campaign.domains]


def test_duplicate_names_within_a_year_are_refused(campaign):
    with pytest.raises(WorkflowError, match="已有领域「养老」"):
        taxonomy.add_domain(campaign, "养老")


def test_earlier_years_domains_stay_filterable(admin, app, campaign):
    vault = app.extensions["phone_vault"]
    older = taxonomy.save_campaign(
        None, year=campaign.year - 1, name="去年", opens_on=campaign.opens_on, closes_on=campaign.closes_on
    )
    taxonomy.add_domain(older, "住房保障")
    factories.submit(
        vault, campaign_id=older.id, domain_id=older.domains[0].id, body="建议增加公租房房源，缩短轮候时间。"
    )
    factories.submit(vault, campaign_id=campaign.id, domain_id=domain_of(campaign, "养老").id)
    db.session.commit()
    page = admin.get(f"/queue?year={campaign.year - 1}").get_data(as_text=True)
    assert "公租房" in page and "小区门口增设公交站点" not in page
    page = admin.get("/queue?domain=住房保障").get_data(as_text=True)
    assert "公租房" in page and "小区门口增设公交站点" not in page
