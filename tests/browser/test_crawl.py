"""Use the whole site the way the walk-through of issue 16 did: `make run`'s server and demo data, every role.

The server is started as `make run` starts it: `flask db upgrade`, `flask suggestions setup --demo` (the demo
accounts with the passwords it prints, 300 real messages moved along the workflow by demo_items.py), then
gunicorn in the project folder with the app preloaded; only the model is the tiny test model and there are 2
workers instead of 3.  Each role follows the same-origin links from its start pages and submits
each page's main form once (tests/browser/crawl.py), and every page state is checked for a 5xx, English meant
for users, JavaScript console errors, and axe-core's serious and critical violations, at phone width for the
public pages and desktop width for staff pages.
"""

from __future__ import annotations

import time

import pytest

from tests.browser.crawl import AXE_RUN, ENGLISH, Crawl

pytestmark = [pytest.mark.browser]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
DESK = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}

# Where each role begins; the crawl reaches the rest through links.
STARTS = {
    "resident": ["/", "/track", "/qr", "/adopted", "/privacy"],
    "operator": ["/hotline/new", "/work/callbacks", "/queue"],
    "dispatcher": ["/work/triage", "/work/review", "/work/extensions", "/queue", "/stats/", "/hot/", "/hot/themes"],
    "officer": ["/queue", "/queue?assignee=me"],
    "admin": [
        "/admin/",
        "/admin/models",
        "/admin/calendar",
        "/admin/routing",
        "/admin/staff",
        "/admin/imports",
        "/admin/api-keys",
        "/hot/",
    ],
}


@pytest.mark.parametrize("role", list(STARTS))
def test_every_role_walks_the_site_without_errors_english_or_accessibility_failures(demo_site, browser, role):
    base_url, accounts = demo_site
    context = browser.new_context(**(PHONE if role == "resident" else DESK))
    page = context.new_page()
    try:
        # Staff reach the public pages too (the logo, the footer); the resident's crawl checks them at phone width.
        public = () if role == "resident" else ("/", "/privacy", "/track", "/adopted", "/qr", "/login")
        crawl = Crawl(page, base_url, role, skip=public, max_states={"admin": 19, "dispatcher": 17}.get(role, 14))
        if role == "resident":
            crawl._submitted.add("/login")  # a resident has no account to sign in with
        else:
            page.goto(base_url + "/login")
            page.fill("#username", role)
            page.fill("#password", accounts[role])
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            assert "/login" not in page.url, f"{role} could not sign in"
        started = time.monotonic()
        crawl.run(STARTS[role])
        print(f"\n{role}: crawled in {time.monotonic() - started:.1f} s")
    finally:
        context.close()
    print(
        f"{role}: {len(crawl.states)} page states", *(f"{s.status} {s.how} {s.url}" for s in crawl.states), sep="\n  "
    )
    assert len(crawl.states) >= len(STARTS[role])
    assert crawl.problems == []


def test_the_checks_see_what_they_are_meant_to_see(demo_site, browser):
    """Guard the guards: axe-core in the page reports the aria-invalid="None" of issue 16.1 as critical, and the
    English check reports a framework's English, while the real page passes both."""
    base_url, _ = demo_site
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        Crawl(page, base_url, "guard")  # installs axe-core the same way
        page.goto(base_url + "/")
        assert page.evaluate(AXE_RUN) == [] and page.evaluate(ENGLISH) == []
        page.evaluate("""() => {
            document.querySelector('#body').setAttribute('aria-invalid', 'None');
            document.querySelector('.intro p').textContent = 'Page Not Found';
        }""")
        assert any("critical aria-valid-attr-value" in v for v in page.evaluate(AXE_RUN))
        assert any("Page Not Found" in text for text in page.evaluate(ENGLISH))
    finally:
        context.close()
