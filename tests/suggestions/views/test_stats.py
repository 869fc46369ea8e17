"""The campaign office's statistics page."""

import pytest

from suggestions import casework, routing
from suggestions.extensions import db
from suggestions.insight import metrics as stats
from suggestions.workflow import Status


def test_department_figures(app, housing_item, staff):

    from suggestions import clock

    closed = housing_item(Status.CALLBACK_PENDING)
    casework.record_callback(closed, "satisfied", actor=staff["operator"])
    returned = housing_item()
    casework.return_item(returned, actor=staff["officer"], reason="不属于本部门")
    housing_item(Status.SIGNED)
    db.session.commit()
    now = clock.now()
    rows = {row.name: row for row in stats.department_stats(stats.Scope(), now)}
    housing = rows["市住房和城乡建设委员会"]
    assert housing.dispatched == 3 and housing.signed == 2 and housing.returned == 1
    assert housing.return_rate == pytest.approx(1 / 3)
    assert housing.satisfaction_rate == 1.0 and housing.open == 1
    totals = stats.campaign_totals(stats.Scope())
    assert totals["received"] == 3


def test_stats_page_for_dispatchers_only(client, auth, staff, housing_item):
    housing_item(Status.SIGNED)
    auth.login(staff["dispatcher"])
    html = client.get("/stats/").get_data(as_text=True)
    assert "签收及时率" in html and "市住房和城乡建设委员会" in html
    assert "分拨质量" in html and "系统自动派单" in html
    auth.logout()
    auth.login(staff["officer"])
    assert client.get("/stats/").status_code == 403


def test_routing_figures(app, staff, vault):

    from tests import factories

    auto = factories.submit(vault, category=factories.category_coded("交通运输"), confidence=0.9).suggestion
    manual = factories.submit(vault, category=None).suggestion
    routing.correct_route(
        manual,
        actor=staff["dispatcher"],
        category=factories.category_coded("城乡建设"),
        department=factories.department_named("河西区人民政府"),
        reason="属地问题",
    )
    manual.predicted_department = factories.department_named("河西区人民政府")
    db.session.commit()
    figures = stats.routing_totals(stats.Scope())
    assert figures == {"automatic_share": 0.5, "corrected_share": 0.5, "local_share": 0.5, "corrected": 1}
    assert auto.status == Status.DISPATCHED
