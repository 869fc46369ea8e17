"""长辈版 (large text, high contrast), the favicon, and what the footer does not claim (issue 16.5)."""

import re

import pytest


def html_class(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


def test_the_switch_sets_a_cookie_and_every_later_page_is_rendered_large(client, seeded):
    assert 'class="elder"' not in html_class(client.get("/").get_data(as_text=True))
    response = client.post("/display", data={"mode": "elder", "next": "/track?code=x"})
    assert response.status_code == 303 and response.headers["Location"] == "/track?code=x"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("jdz_display=elder") and "Max-Age=31536000" in cookie and "SameSite=Lax" in cookie
    for path in ("/", "/track", "/adopted", "/privacy"):
        page = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert 'class="elder"' in html_class(page)
        assert 'aria-pressed="true"' in page
    client.post("/display", data={"mode": "standard", "next": "/"})
    assert 'class="elder"' not in html_class(client.get("/").get_data(as_text=True))


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "javascript:alert(1)", ""])
def test_the_switch_only_returns_to_this_site(client, seeded, target):
    response = client.post("/display", data={"mode": "elder", "next": target})
    assert response.headers["Location"] == "/"


def test_the_favicon_is_served(client, seeded):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"
    page = client.get("/").get_data(as_text=True)
    assert 'rel="icon"' in page
    with client.get("/static/favicon.svg") as svg:
        assert svg.status_code == 200


def test_no_emblem_and_no_sponsor_or_site_code_block(client, seeded):
    """The service shows no government emblem and no 主办/网站标识码 block it could not stand behind."""
    for path in ("/", "/track", "/adopted", "/privacy", "/login"):
        page = client.get(path).get_data(as_text=True)
        assert "主办" not in page and "网站标识码" not in page and "ICP" not in page
        assert "<img" not in page and "国徽" not in page
