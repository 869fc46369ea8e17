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


def test_every_chart_has_its_table_and_downloads(client, auth, staff, housing_item):
    import io

    from openpyxl import load_workbook

    housing_item(Status.CLOSED)
    housing_item(Status.SIGNED)
    auth.login(staff["dispatcher"])
    html = client.get("/stats/").get_data(as_text=True)
    assert html.count('<svg class="chart__svg"') >= 8 and 'role="img"' in html
    for key in ("days", "weeks", "funnel", "domains", "districts", "channels", "statuses", "departments"):
        assert (
            f'id="table-{key}"' in html and f"/stats/export/{key}.csv" in html and f"/stats/export/{key}.xlsx" in html
        )
    assert "签收及时率" in html and "按期办结率" in html and "响应率" in html and "解决率" in html

    response = client.get("/stats/export/departments.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff承办部门,在办,超期,派单,签收及时率,响应率,按期办结率,退单率,满意率,解决率,重办率")
    # 2 dispatched, both signed on time, one replied on time and closed 满意: rates as percentages.
    assert "市住房和城乡建设委员会,1,0,2,100.0%,100.0%,100.0%,0.0%,100.0%,100.0%,0.0%" in text
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]

    response = client.get("/stats/export/districts.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("所在区", "件数") and len([r for r in rows[1:] if r[0].endswith("区")]) == 16
    assert sum(r[1] for r in rows[1:]) == 2

    rates = load_workbook(io.BytesIO(client.get("/stats/export/departments.xlsx").get_data())).active
    assert rates["E2"].value == 1.0 and rates["E2"].number_format == "0.0%"
    assert client.get("/stats/export/nothing.csv").status_code == 404
    assert client.get("/stats/export/days.pdf").status_code == 404


def test_year_and_domain_filters(client, auth, staff, housing_item, seeded):
    import sqlalchemy as sa

    from suggestions.models import Campaign

    campaign = db.session.scalar(sa.select(Campaign))
    elderly = next(d for d in campaign.domains if d.name == "养老")
    housing_item(campaign_id=campaign.id, domain_id=elderly.id)
    housing_item(campaign_id=campaign.id)
    housing_item()
    auth.login(staff["dispatcher"])
    page = client.get(f"/stats/?year={campaign.year}&domain=养老").get_data(as_text=True)
    assert f"范围：{campaign.year}年征集，养老。" in page
    csv_text = client.get(f"/stats/export/channels.csv?year={campaign.year}&domain=养老").get_data(as_text=True)
    assert csv_text.splitlines()[1] == "网站,1"
    csv_text = client.get(f"/stats/export/channels.csv?year={campaign.year}").get_data(as_text=True)
    assert csv_text.splitlines()[1] == "网站,2"
    assert client.get("/stats/export/channels.csv").get_data(as_text=True).splitlines()[1] == "网站,3"
    # Unknown values fall back to everything rather than failing.
    assert client.get("/stats/?domain=<b>").status_code == 200  # an unknown domain is ignored
    refused = client.get("/stats/?year=abc")  # not a year at all (issue 17.9): said so, in Chinese
    assert refused.status_code == 400 and "年度应为" in refused.get_data(as_text=True)
