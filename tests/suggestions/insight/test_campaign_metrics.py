"""The campaign's figures: suggestions and adoption per domain, district, channel, year, poster and project."""

import sqlalchemy as sa

from suggestions import campaign as campaign_services
from suggestions.campaign import projects as project_services
from suggestions.extensions import db
from suggestions.insight import metrics
from suggestions.models import Campaign
from suggestions.workflow import Adoption, Channel, Status
from tests import factories


def domain(campaign, name):
    return next(d for d in campaign.domains if d.name == name)


def test_counts_and_adoption_rates_per_domain_channel_district_year_and_project(
    app, client, auth, staff, housing_item, seeded
):
    campaign = db.session.scalar(sa.select(Campaign))
    vault, dispatcher = app.extensions["phone_vault"], staff["dispatcher"]
    elderly, food = domain(campaign, "养老"), domain(campaign, "食品安全")
    project = project_services.save_project(
        None, campaign=campaign, year=campaign.year + 1, number=1, title="老年助餐服务", domain=elderly
    )
    items = [housing_item(Status.CLOSED, campaign_id=campaign.id, domain_id=elderly.id) for _ in range(3)]
    campaign_services.decide_adoption(items[0], Adoption.ADOPTED, actor=dispatcher, project=project)
    campaign_services.decide_adoption(items[1], Adoption.NOT_ADOPTED, actor=dispatcher, reason="已有同类服务")
    campaign_services.decide_adoption(items[2], Adoption.EVALUATING, actor=dispatcher)  # not decided yet
    factories.submit(
        vault,
        campaign_id=campaign.id,
        domain_id=food.id,
        channel=Channel.QR,
        district_id=factories.district_named("河西区").id,
    )
    factories.submit(vault, campaign_id=campaign.id)  # no domain chosen
    factories.submit(vault)  # outside any campaign
    db.session.commit()

    by_domain = {row.label: row for row in metrics.by_domain(metrics.Scope(campaign.year))}
    assert list(by_domain) == ["养老", "食品安全", "未确定"]  # the campaign's order, undecided last
    assert (by_domain["养老"].received, by_domain["养老"].decided, by_domain["养老"].fed) == (3, 2, 1)
    assert by_domain["养老"].adoption_rate == 0.5
    assert by_domain["食品安全"].received == 1 and by_domain["食品安全"].adoption_rate is None
    assert {c.label: c.count for c in metrics.by_channel(metrics.Scope(campaign.year))} == {"网站": 4, "扫码": 1}
    districts = {c.label: c.count for c in metrics.by_district(metrics.Scope(campaign.year))}
    assert districts["河西区"] == 1 and len([name for name in districts if name.endswith("区")]) == 16
    assert {c.label: c.count for c in metrics.by_year()} == {f"{campaign.year}年": 5, "征集期外": 1}
    (row,) = metrics.by_project(metrics.Scope(campaign.year))
    assert (row.fed, row.decided, row.adoption_rate) == (1, 2, 0.5)

    auth.login(dispatcher)
    page = client.get(f"/stats/?year={campaign.year}").get_data(as_text=True)
    assert "各领域建议与采纳" in page
    assert '<th scope="row">养老</th><td>3</td><td>2</td><td>1</td><td>0</td><td>1</td><td>50%</td>' in page
    assert "老年助餐服务" in page


def test_the_queue_filters_by_domain_and_undecided(client, auth, staff, seeded, app):
    campaign = db.session.scalar(sa.select(Campaign))
    vault = app.extensions["phone_vault"]
    factories.submit(
        vault, campaign_id=campaign.id, domain_id=domain(campaign, "养老").id, body="建议开设社区老年食堂方便老人。"
    )
    factories.submit(vault, campaign_id=campaign.id, body="建议增加公交班次方便市民出行。")
    auth.login(staff["dispatcher"])
    elderly = client.get("/queue?domain=养老").get_data(as_text=True)
    assert "老年食堂" in elderly and "公交班次" not in elderly
    undecided = client.get("/queue?domain=none").get_data(as_text=True)
    assert "公交班次" in undecided and "老年食堂" not in undecided
    export = client.get(f"/queue/export.csv?year={campaign.year}&domain=养老").get_data(as_text=True)
    assert "领域" in export.splitlines()[0] and "养老" in export and "公交班次" not in export
