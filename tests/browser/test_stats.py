"""The statistics dashboard in Chromium, served by gunicorn on `make run`'s demo data: the SVG charts are drawn,
each has its data table behind it for screen readers, and its downloads work."""

import pytest

from tests.browser.crawl import AXE_RUN, ENGLISH, Crawl
from tests.browser.test_crawl import DESK, PHONE

pytestmark = [pytest.mark.browser]

CHART_KEYS = ("days", "weeks", "funnel", "domains", "districts", "channels", "statuses", "domain_rates", "departments")


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_charts_render_with_their_tables_and_downloads(demo_site, browser, viewport):
    base_url, accounts = demo_site
    context = browser.new_context(**viewport)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        Crawl(page, base_url, "stats")  # axe-core in every page, as the crawl installs it
        page.goto(base_url + "/login")
        page.fill("#username", "dispatcher")
        page.fill("#password", accounts["dispatcher"])
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        page.goto(base_url + "/stats/")
        for key in CHART_KEYS:
            figure = page.locator(f"figure[aria-labelledby=chart-{key}]")
            chart = figure.locator("svg.chart__svg")
            box = chart.bounding_box()
            assert box and box["width"] > 200 and box["height"] > 20, key  # drawn, at a readable size
            assert "数据见下方数据表" in chart.get_attribute("aria-label")
            assert chart.locator("rect.chart__bar").count() >= 1, key
            # The data behind the chart: closed at first, opened by its summary, a real table with a caption.
            table = figure.locator(f"#table-{key}")
            assert not table.is_visible()
            figure.locator("summary").click()
            assert table.is_visible() and table.locator("tbody tr").count() >= 1
        districts = page.locator("#table-districts tbody th[scope=row]").all_inner_texts()
        assert len([name for name in districts if name.endswith("区")]) == 16
        # The demo's 300 suggestions are counted in the daily trend's table.
        days = page.locator("#table-days tbody td").all_inner_texts()
        # Other tests on the shared demo site may have added a suggestion or two since: at least the demo's.
        assert sum(int(n) for n in days) >= 300

        download = page.request.get(
            base_url + page.locator("a[href*='/stats/export/districts.csv']").get_attribute("href")
        )
        assert download.status == 200 and download.body().decode("utf-8").startswith("\ufeff所在区,件数")
        xlsx = page.request.get(
            base_url + page.locator("a[href*='/stats/export/departments.xlsx']").get_attribute("href")
        )
        assert xlsx.status == 200 and xlsx.body()[:2] == b"PK"  # a zip: the XLSX container

        # The filters: one domain of the latest year.
        domain = page.locator("#domain option").nth(1).inner_text()
        page.select_option("#domain", index=1)
        page.click("form.filters button[type=submit]")
        page.wait_for_load_state()
        assert "domain=" in page.url and f"，{domain}。" in page.locator("main").inner_text()
        assert page.evaluate(AXE_RUN) == [] and page.evaluate(ENGLISH) == []
        assert errors == []
    finally:
        context.close()
