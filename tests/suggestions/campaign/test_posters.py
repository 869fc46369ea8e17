"""QR posters: a real code for /qr?src=<poster>, a printable A4 page, and suggestions counted per poster."""

import re

import numpy as np
import pytest
import sqlalchemy as sa
import zxingcpp

from suggestions.extensions import db
from suggestions.models import QrPoster, Suggestion
from suggestions.workflow import Channel
from tests import factories


def svg_matrix(html: str) -> np.ndarray:
    """Redraw the poster's inline SVG (segno's path: rows of horizontal runs) as a black-on-white image."""
    svg = re.search(r'<svg viewBox="0 0 (\d+) (\d+)" class="qr">.*?</svg>', html, re.S)
    assert svg, "the poster has no inline QR code"
    size = int(svg.group(1))
    path = re.search(r'class="qr__modules"[^>]* d="([^"]+)"', svg.group(0)).group(1)
    image = np.full((size, size), 255, dtype=np.uint8)
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:  # h: a run of dark modules on the row whose centre line is y
            length = float(a)
            image[int(y - 0.5), int(x) : int(x + length)] = 0
            x += length
    return np.kron(image, np.ones((8, 8), dtype=np.uint8))  # modules of 8 pixels, as a camera would see them


@pytest.fixture
def admin(client, auth, staff):
    auth.login(staff["admin"])
    return client


def test_the_poster_carries_a_real_qr_code_for_its_own_address(admin, seeded):
    nankai = factories.district_named("南开区")
    response = admin.post("/admin/posters", data={"location": "南开区长虹街道社区服务中心", "district": nankai.id})
    assert response.status_code == 303
    poster = db.session.scalar(sa.select(QrPoster))
    page = admin.get(f"/qr/poster?src={poster.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "我为民心工程提建议" in html and "@page" not in html  # the print rules live in the stylesheet
    decoded = [result.text for result in zxingcpp.read_barcodes(svg_matrix(html))]
    assert decoded == [f"http://localhost/qr?src={poster.id}"]
    assert "style=" not in html.split('class="qr"')[1].split("</svg>")[0]  # the CSP allows no inline styles


@pytest.mark.app_config(PUBLIC_BASE_URL="https://jdz.example.gov.cn/")
def test_the_code_uses_the_public_address_when_one_is_configured(admin, seeded):
    poster = QrPoster(location="河西区文化中心")
    db.session.add(poster)
    db.session.commit()
    html = admin.get(f"/qr/poster?src={poster.id}").get_data(as_text=True)
    decoded = [result.text for result in zxingcpp.read_barcodes(svg_matrix(html))]
    assert decoded == [f"https://jdz.example.gov.cn/qr?src={poster.id}"]


def test_unknown_posters_are_not_found_and_the_page_is_for_staff(client, auth, staff, seeded):
    assert client.get("/qr/poster?src=1").status_code == 302  # to the login page
    auth.login(staff["officer"])
    assert client.get("/qr/poster?src=1").status_code == 403
    auth.logout()
    auth.login(staff["dispatcher"])
    assert client.get("/qr/poster?src=999").status_code == 404
    assert client.get("/qr/poster?src=abc").status_code == 404


def test_a_suggestion_from_a_poster_records_it_and_the_statistics_count_it(client, auth, staff, seeded):
    poster = QrPoster(location="南开区长虹街道社区服务中心", district=factories.district_named("南开区"))
    db.session.add(poster)
    db.session.commit()
    form = client.get(f"/qr?src={poster.id}").get_data(as_text=True)
    assert f'<option selected value="{poster.district_id}">' in form or f'value="{poster.district_id}" selected' in form
    data = {
        "body": "建议在社区服务中心增设自助政务服务终端，方便老人办事。",
        "district": str(poster.district_id),
        "consent": "y",
    }
    assert client.post(f"/qr?src={poster.id}", data=data).status_code == 201
    assert client.post("/qr?src=424242", data={**data, "body": data["body"] + "谢谢"}).status_code == 201
    rows = db.session.execute(sa.select(Suggestion.channel, Suggestion.poster_id).order_by(Suggestion.id)).all()
    assert rows == [(Channel.QR, poster.id), (Channel.QR, None)]
    auth.login(staff["dispatcher"])
    stats = client.get("/stats/").get_data(as_text=True)
    assert f"南开区长虹街道社区服务中心（{poster.id}号）</th><td>1</td>" in stats
