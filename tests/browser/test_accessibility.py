"""Accessibility checks in a real browser: every field has a label, text has enough contrast, touch targets are big.

The checks run in the page (computed styles), so they see what residents and staff see, not what the CSS intends.
"""

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser]

# Every form control a person can reach must have a name a screen reader can read out.
UNLABELLED_FIELDS = """
() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => !['hidden', 'submit', 'button'].includes(el.type) && !el.closest('[hidden], [aria-hidden=true]'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 120))
"""

# WCAG 2.x contrast: 4.5:1 for normal text, 3:1 for large text (>= 24px, or >= 18.66px bold).
LOW_CONTRAST = """
() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let node = el; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const el of document.querySelectorAll('body *')) {
    const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent.trim()).join('');
    if (!text) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || el.closest('.visually-hidden')) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const fg = rgb(style.color).slice(0, 3), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) failures.push(`${text.slice(0, 30)} (${ratio.toFixed(2)} < ${needed})`);
  }
  return failures;
}
"""

# Buttons and form fields a resident taps on a phone: at least 44 CSS pixels high (WCAG 2.5.5, Apple HIG).
SMALL_TARGETS = """
() => [...document.querySelectorAll('button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea, .button')]
  .filter(el => !el.closest('[aria-hidden=true]'))  // the honeypot is for bots only
  .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.height < 44; })
  .map(el => (el.innerText || el.name || el.outerHTML).slice(0, 40))
"""


def audit(page, *, touch: bool) -> dict:
    found = {"unlabelled": page.evaluate(UNLABELLED_FIELDS), "low_contrast": page.evaluate(LOW_CONTRAST)}
    if touch:
        found["small_targets"] = page.evaluate(SMALL_TARGETS)
    return {name: items for name, items in found.items() if items}


@pytest.mark.parametrize("path", ["/", "/track", "/adopted"])
def test_public_pages_on_a_phone(live_server, phone_page, path):
    base_url, _ = live_server
    phone_page.goto(base_url + path)
    assert audit(phone_page, touch=True) == {}


def test_public_error_messages_are_readable(live_server, phone_page):
    base_url, _ = live_server
    phone_page.goto(base_url + "/")
    phone_page.get_by_role("button", name="提交建议").click()
    assert phone_page.locator(".field__error, .flash").count() > 0
    assert audit(phone_page, touch=True) == {}


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("operator", "/hotline/new"),
        ("operator", "/work/callbacks"),
        ("dispatcher", "/work/triage"),
        ("dispatcher", "/queue"),
        ("dispatcher", "/stats/"),
        ("officer", "/queue"),
        ("admin", "/admin/routing"),
        ("admin", "/admin/models"),
        ("admin", "/admin/rules"),
        ("admin", "/admin/campaigns/1/domains"),
        ("admin", "/admin/projects"),
        ("admin", "/admin/posters"),
        ("dispatcher", "/qr/poster"),
    ],
)
def test_staff_pages(live_server, desk_page, role, path):
    base_url, users = live_server
    login(desk_page, base_url, users[role])
    desk_page.goto(base_url + path)
    assert desk_page.url.endswith(path) or path in desk_page.url
    assert audit(desk_page, touch=False) == {}


def test_suggestion_page_for_a_dispatcher(live_server, desk_page):
    base_url, users = live_server
    login(desk_page, base_url, users["dispatcher"])
    desk_page.goto(base_url + "/queue")
    desk_page.locator("a[href*='/suggestions/']").first.click()
    desk_page.wait_for_load_state()
    for summary in desk_page.locator("details > summary").all():
        summary.click()  # open every panel, so their fields are audited too
    assert audit(desk_page, touch=False) == {}


@pytest.fixture(scope="module", autouse=True)
def some_items(live_server, browser):
    """A few submissions through the public form, so the queues and a suggestion page have content."""
    base_url, _ = live_server
    page = browser.new_page()
    for body in ("建议在小区门口增设公交站点，方便老人出行。", "老旧小区加装电梯的建议，希望尽快推进。"):
        page.goto(base_url + "/")
        page.get_by_label("建议内容").fill(body)
        page.get_by_label("所在区").select_option(label="和平区")
        page.get_by_label("我已阅读并同意《个人信息保护说明》").check()
        page.get_by_role("button", name="提交建议").click()
        page.get_by_test_id("tracking-code").wait_for()
    page.close()
