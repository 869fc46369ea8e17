"""A crawler that uses the site as people do: follow every same-origin link, submit each page's main form once.

Every page state it reaches (a page, or what a submitted form returned) is checked for a 5xx, for English text
meant for users, for JavaScript console errors and, with axe-core in the page, for serious or critical
accessibility violations.  The crawl is bounded: one visit per kind of page (a URL with its numbers and codes
taken out), a few for item pages, and at most ``max_states`` states per role.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

# Added to every page as an init script: it runs before the page's own scripts and, unlike a <script> tag the
# test could add, is not refused by the site's Content-Security-Policy (which must stay on: its violations are
# console errors the crawl looks for).
AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js"

# Run in the page: axe-core's serious and critical findings, a few elements each.
AXE_RUN = """
async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.impact} ${v.id}: ${v.help} @ ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
}
"""

# Run in the page: visible English meant for users.  Text residents or staff wrote (suggestions, replies, notes),
# codes and version ids are not the interface's own words and are skipped.  Two English words in a row, or one
# of the words a framework prints when a template or a translation is missing, count.
ENGLISH = r"""
() => {
  const skip = '.prose, .excerpt, .cell-title, .mono, .receipt__code, code, .timeline__reason, .briefs li, .triage-item h2, ' +
    '#content-title, .review-reply__text, [data-user-content], script, style, noscript';
  const words = /\b(?:[A-Za-z]{2,}[ \-][A-Za-z]{2,}|None|True|False|null|undefined|NaN|Error|Submit|Login|Next|Previous|Search|Required)\b/;
  const found = new Set();
  const check = (text, where) => { const m = (text || '').match(words); if (m) found.add(`${where}: ${m[0]} in "${text.trim().slice(0, 60)}"`); };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest(skip) || !el.getClientRects().length) continue;
    check(node.textContent, el.tagName.toLowerCase());
  }
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label], img[alt], input[type=submit][value]')) {
    if (el.closest(skip)) continue;
    for (const name of ['placeholder', 'title', 'aria-label', 'alt', 'value']) {
      if (name === 'value' && el.type !== 'submit') continue;
      check(el.getAttribute(name), name);
    }
  }
  check(document.title, 'title');
  return [...found];
}
"""

# Values a person would type into a form, by field name (the end of its name, after a panel's prefix).
TEXT = {
    "body": "我们小区门口的公交站点太少，早高峰公交车班次间隔太长，建议增加公交班次并增设站点，方便老人出行。",
    "title": "增加公交班次",
    "reason": "经核实，需要按规定办理，特此说明。",
    "note": "已电话联系市民，了解具体情况。",
    "comment": "希望尽快落实。",
    "name": "巡检测试",
    "display_name": "巡检测试人员",
    "username": "crawl_user",
    "password": "crawl-password-2026",
    "keywords": "积水、内涝",
    "excludes": "",
    "topics": "就业、养老",
    "year": "2099",
    "number": "7",
    "amount": "3",
    "working_days": "3",
    "day": "2099-05-04",
    "opens_on": "2099-01-01",
    "closes_on": "2099-01-31",
}
BODY_TEXTS = {
    "reply": "您好！经研究，我单位已将您的建议纳入明年工作计划，预计明年三季度前完成，感谢您对民心工程的关心。",
}
# Boxes a person ticks to send the form (consent, the operator's notice); others stay as they are.
TICK = ("consent", "notice_read")


@dataclass
class State:
    role: str
    url: str
    status: int
    how: str  # "GET" or "form on <url>"


@dataclass
class Crawl:
    """Crawl one role's part of the site from ``start`` pages in an open Playwright ``page``."""

    page: object
    base_url: str
    role: str
    max_states: int = 14
    per_kind: dict = field(default_factory=lambda: {"/suggestions/#": 3})
    skip: tuple = ()  # kinds of page another role's crawl covers
    problems: list[str] = field(default_factory=list)
    states: list[State] = field(default_factory=list)
    remembered: dict = field(default_factory=dict)  # e.g. the tracking code and key a receipt showed
    _console: list[str] = field(default_factory=list)
    _kinds: dict = field(default_factory=dict)
    _seen: set = field(default_factory=set)
    _submitted: set = field(default_factory=set)

    def __post_init__(self):
        self.page.context.add_init_script(path=str(AXE))
        self.page.on("console", lambda message: message.type == "error" and self._console.append(message.text))
        self.page.on("pageerror", lambda error: self._console.append(str(error)))

    # -- walking ------------------------------------------------------------------------------------------------

    def run(self, starts: list[str]) -> None:
        queue = deque(self.base_url + path for path in starts)
        while queue and len(self.states) < self.max_states:
            url = queue.popleft()
            if not self._take(url):
                continue
            response = self.page.goto(url)
            self._check(url, response.status if response else 0, "GET")
            links = self._links()
            self._submit_main_form(url)
            queue.extend(link for link in links if link not in self._seen)

    def _kind(self, url: str) -> str:
        parts = urlsplit(url)
        path = re.sub(r"JDZ-\d{4}-\d{5}-\d{5}", "JDZ", parts.path)
        path = re.sub(r"\d+", "#", path)
        keys = sorted({key for key, _ in parse_qsl(parts.query) if key not in ("page", "queue")})
        return path + ("?" + "&".join(keys) if keys else "")

    def _take(self, url: str) -> bool:
        if url in self._seen:
            return False
        self._seen.add(url)
        kind = self._kind(url)
        if kind in self.skip or self._kinds.get(kind, 0) >= self.per_kind.get(kind, 1):
            return False
        self._kinds[kind] = self._kinds.get(kind, 0) + 1
        return True

    def _links(self) -> list[str]:
        hrefs = self.page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
        links = []
        for href in hrefs:
            if href.startswith(("tel:", "mailto:", "#", "javascript:")):
                continue
            url = urljoin(self.page.url, href).split("#")[0]
            if not url.startswith(self.base_url) or "/static/" in url:
                continue
            if "/export" in url:
                self._download(url)
                continue
            links.append(url)
        return links

    def _download(self, url: str) -> None:
        """A CSV export is a download, not a page: fetch it with the page's cookies and check the status."""
        if url in self._seen:
            return
        self._seen.add(url)
        response = self.page.request.get(url)
        if response.status >= 500:
            self.problems.append(f"{self.role}: {response.status} on {url}")

    # -- checking -----------------------------------------------------------------------------------------------

    def _check(self, url: str, status: int, how: str) -> None:
        self.states.append(State(self.role, url, status, how))
        where = f"{self.role} {how} {url}"
        if status >= 500:
            self.problems.append(f"{where}: HTTP {status}")
        self.page.wait_for_load_state("load")
        for text in self.page.evaluate(ENGLISH):
            self.problems.append(f"{where}: English for users: {text}")
        for violation in self.page.evaluate(AXE_RUN):
            self.problems.append(f"{where}: axe {violation}")
        for message in self._console:
            self.problems.append(f"{where}: console error: {message}")
        self._console.clear()

    # -- the main form --------------------------------------------------------------------------------------------

    MAIN_FORM = "main .action-panel:not(details) form, main form.card, main form.form, main form.filters, main form.hotline-form"

    def _submit_main_form(self, url: str) -> None:
        """Fill the page's main form as a person would and send it once per kind of page."""
        kind = self._kind(url)
        if kind in self._submitted or len(self.states) >= self.max_states:
            return
        forms = self.page.locator(self.MAIN_FORM)
        if not forms.count():
            return
        self._submitted.add(kind)
        form = forms.first
        if form.locator("input[type=file]").count():
            return  # an upload needs a file a person picks: tests/browser/test_exchange_files.py uploads one
        self._fill(form)
        button = form.locator("button[type=submit]:not([name=preview])").first
        if not button.count():
            return
        with self.page.expect_navigation() as navigation:
            button.click()
        response = navigation.value
        status = response.status if response else 0
        self._check(self.page.url, status, f"form on {url}")
        if status == 400:
            summary = self.page.locator("#error-summary, .field__error").all_inner_texts()
            self.problems.append(f"{self.role} form on {url}: refused valid data (400): {' '.join(summary)[:200]}")
        self._remember()
        if self.page.url.startswith(self.base_url) and self.page.url not in self._seen:
            for link in self._links():
                if link not in self._seen and len(self.states) < self.max_states and self._take(link):
                    response = self.page.goto(link)
                    self._check(link, response.status if response else 0, "GET")
                    break

    def _fill(self, form) -> None:
        for control in form.locator("input, textarea, select").all():
            if not control.is_visible() or control.is_disabled():
                continue
            name = (control.get_attribute("name") or "").split("-")[-1]
            tag = control.evaluate("el => el.tagName.toLowerCase()")
            kind = (control.get_attribute("type") or "").lower()
            if tag == "select":
                if not control.input_value():
                    values = control.evaluate("el => [...el.options].map(o => o.value).filter(v => v)")
                    if values:
                        control.select_option(values[0])
            elif kind == "checkbox":
                if name in TICK:
                    control.check()
            elif kind == "radio":
                group = form.locator(f"input[type=radio][name='{control.get_attribute('name')}']")
                if not group.evaluate_all("boxes => boxes.some(b => b.checked)"):
                    group.first.check()
            elif kind in ("hidden", "submit", "button"):
                continue
            elif not control.input_value():
                value = self._value_for(name, form)
                if value:
                    control.fill(value)

    def _value_for(self, name: str, form) -> str:
        if name in self.remembered:
            return self.remembered[name]
        if name == "body":
            panel = form.evaluate("f => f.action")
            return BODY_TEXTS["reply"] if re.search(r"/(interim_)?reply$", panel) else TEXT["body"]
        if name == "phone":
            return "022-23456789" if "/hotline/" in self.page.url else ""
        return TEXT.get(name, "")

    def _remember(self) -> None:
        """Keep what a receipt shows (the tracking code and key), to use it where a form asks for it."""
        code = self.page.get_by_test_id("tracking-code")
        if code.count():
            self.remembered["code"] = code.inner_text().strip()
            secret = self.page.get_by_test_id("tracking-secret")
            if secret.count():
                self.remembered["credential"] = secret.inner_text().strip()
