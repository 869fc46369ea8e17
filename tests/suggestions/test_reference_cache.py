"""The per-process cache of districts and campaigns: kept for a while, forgotten when this process changes them."""

from datetime import date

import sqlalchemy as sa

from suggestions import clock
from suggestions.extensions import db
from suggestions.models import Campaign, District
from suggestions.reference_cache import ReferenceCache
from suggestions.views.common import district_choices, open_campaign


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_kept_until_it_is_older_than_the_ttl():
    clock_ = FakeClock()
    cache = ReferenceCache(10, clock=clock_)
    loads = []
    load = lambda: loads.append(1) or len(loads)  # noqa: E731
    assert cache.get("districts", load) == 1
    clock_.now += 9.9
    assert cache.get("districts", load) == 1
    clock_.now += 0.2
    assert cache.get("districts", load) == 2


def test_a_ttl_of_zero_reads_every_time():
    cache = ReferenceCache(0)
    loads = []
    assert [cache.get("campaigns", lambda: loads.append(1) or len(loads)) for _ in range(3)] == [1, 2, 3]


def _close_every_campaign_with_plain_sql():
    """What another worker's change looks like from here: a write this process's ORM never saw."""
    db.session.execute(sa.update(Campaign).values(opens_on=date(2020, 9, 1), closes_on=date(2020, 9, 27)))
    db.session.commit()


def test_a_change_made_elsewhere_shows_once_the_ttl_has_passed(app, client, seeded):
    clock_ = FakeClock()
    app.extensions["reference_cache"] = ReferenceCache(10, clock=clock_)
    assert "尚未开始或已经结束" not in client.get("/").get_data(as_text=True)
    _close_every_campaign_with_plain_sql()
    assert "尚未开始或已经结束" not in client.get("/").get_data(as_text=True)
    clock_.now += 10
    assert "尚未开始或已经结束" in client.get("/").get_data(as_text=True)


def test_closing_a_campaign_here_closes_the_form_at_once(app, client, seeded, auth, staff):
    assert "尚未开始或已经结束" not in client.get("/").get_data(as_text=True)
    campaign = db.session.scalar(sa.select(Campaign))
    auth.login(staff["admin"])
    response = client.post(
        f"/admin/campaigns/{campaign.id}",
        data={
            "year": campaign.year,
            "name": campaign.name,
            "opens_on": "2020-09-01",
            "closes_on": "2020-09-27",
            "topics": "、".join(campaign.topics),
        },
    )
    assert response.status_code == 303
    auth.logout()
    assert "尚未开始或已经结束" in client.get("/").get_data(as_text=True)
    assert client.post("/", data={"body": "建议增加公交班次，方便老人出行。", "consent": "y"}).status_code == 403


def test_a_renamed_district_shows_in_the_form_at_once(client, seeded):
    assert "河西区" in client.get("/").get_data(as_text=True)
    district = db.session.scalar(sa.select(District).where(District.name == "河西区"))
    district.name = "河西新区"
    db.session.commit()
    assert "河西新区" in client.get("/").get_data(as_text=True)


def test_a_rolled_back_change_is_not_kept(app, seeded):
    today = clock.local_today()
    assert open_campaign(today) is not None
    campaign = db.session.scalar(sa.select(Campaign))
    campaign.opens_on, campaign.closes_on = date(2020, 9, 1), date(2020, 9, 27)
    db.session.flush()
    assert open_campaign(today) is None  # this transaction sees its own change
    db.session.rollback()
    assert open_campaign(today) is not None
    assert [name for _id, name in district_choices()[1:3]] == ["和平区", "河东区"]
