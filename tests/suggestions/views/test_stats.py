"""The campaign office's statistics page."""

import pytest

from suggestions import services, stats
from suggestions.extensions import db
from suggestions.workflow import Status


def test_department_figures(app, housing_item, staff):
    from datetime import timedelta

    from suggestions import clock

    closed = housing_item(Status.CALLBACK_PENDING)
    services.record_callback(closed, "satisfied", actor=staff["operator"])
    returned = housing_item()
    services.return_item(returned, actor=staff["officer"], reason="不属于本部门")
    housing_item(Status.SIGNED)
    db.session.commit()
    now = clock.now()
    rows = {row.name: row for row in stats.department_stats(now - timedelta(days=30), now)}
    housing = rows["市住房和城乡建设委员会"]
    assert housing.dispatched == 3 and housing.signed == 2 and housing.returned == 1
    assert housing.return_rate == pytest.approx(1 / 3)
    assert housing.satisfaction_rate == 1.0 and housing.open == 1
    totals = stats.campaign_totals(now - timedelta(days=30))
    assert totals["received"] == 3


def test_stats_page_for_dispatchers_only(client, auth, staff, housing_item):
    housing_item(Status.SIGNED)
    auth.login(staff["dispatcher"])
    html = client.get("/stats/?days=7").get_data(as_text=True)
    assert "签收及时率" in html and "市住房和城乡建设委员会" in html
    auth.logout()
    auth.login(staff["officer"])
    assert client.get("/stats/").status_code == 403
