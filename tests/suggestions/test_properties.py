"""Property-based tests (hypothesis) for the forms, the privacy helpers and the intake service."""

import re
from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suggestions import intake
from suggestions.extensions import db
from suggestions.intake.submission import storable_text
from suggestions.models import Suggestion, SuggestionEvent
from suggestions.privacy.scrubbing import scrub_text
from suggestions.privacy.vault import is_mobile, mask_phone, normalize_phone
from suggestions.routing.decision import RouteDecision
from suggestions.workflow import Channel
from suggestions.workflow.workdays import WorkdayCalendar

# The database and app persist across examples of one test; each example checks its own deltas.
SHARED_STATE = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")

text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
field = st.one_of(text, st.sampled_from(["", " ", "13812345678", "<b>x</b>", "'; --", "😀" * 12, "建议" * 6]))


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@SHARED_STATE
@given(title=field, body=field, phone=field, name=field, district=field, domain=field, consent=st.booleans())
def test_public_form_never_fails_and_never_half_writes(
    client, seeded, title, body, phone, name, district, domain, consent
):
    before = (count(Suggestion), count(SuggestionEvent))
    data = {"title": title, "body": body, "phone": phone, "contact_name": name, "district": district, "domain": domain}
    if consent:
        data["consent"] = "y"
    response = client.post("/", data=data)
    assert response.status_code in (201, 400, 413), response.status_code
    db.session.expire_all()
    after = (count(Suggestion), count(SuggestionEvent))
    if response.status_code == 201:
        assert after[0] == before[0] + 1 and after[1] >= before[1] + 2
    else:
        assert after == before


@SHARED_STATE
@given(code=field, credential=field)
@pytest.mark.app_config(TRACK_ADDRESS_FAILURE_LIMITS="1000000 per day", TRACK_CODE_FAILURE_LIMITS="1000000 per day")
def test_tracking_never_fails(client, seeded, code, credential):
    # Throttles opened wide: every example comes from one address, and a 429 would hide what the check meant.
    assert client.post("/track", data={"code": code, "credential": credential}).status_code in (303, 400, 404)


@given(st.text(max_size=200))
def test_scrub_text_leaves_no_mobile_number_and_is_idempotent(value):
    once = scrub_text(value)
    assert not MOBILE.search(once.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    assert scrub_text(once) == once


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", " ", "-", "+86 "]))
def test_mobile_numbers_survive_typing_styles(number, style):
    typed = (style if style.startswith("+") else "") + (
        f"{number[:3]}{style}{number[3:7]}{style}{number[7:]}" if not style.startswith("+") else number
    )
    assert normalize_phone(typed) == number and is_mobile(number)
    assert mask_phone(number) == number[:3] + "****" + number[-4:]


@given(st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 12, 1)), st.integers(1, 30))
def test_working_days_move_forward_onto_working_days(start, count):
    calendar = WorkdayCalendar()
    due = calendar.add_working_days(start, count)
    assert due > start and calendar.is_workday(due)
    assert calendar.working_days_between(start, due) == count
    assert calendar.add_working_days(start, count + 1) > due


@SHARED_STATE
@pytest.mark.parametrize("decision, events", [(RouteDecision(), 2), (None, 1)], ids=["routed", "recorded"])
@given(
    body=st.text(min_size=1, max_size=500).filter(lambda t: storable_text(t)),
    phone=st.one_of(st.none(), st.just("13812345678")),
)
def test_intake_service_stores_the_masked_text_with_its_events(app, seeded, decision, events, body, phone):
    """Routed at once or left 已受理: any text is stored masked, with its events, never half-written."""
    vault = app.extensions["phone_vault"]
    receipt = intake.submit(intake.Intake(body=body, phone=phone), channel=Channel.WEB, decision=decision, vault=vault)
    db.session.flush()
    suggestion = receipt.suggestion
    assert suggestion.body == scrub_text(storable_text(body))
    assert (suggestion.body_sealed is not None) == (suggestion.body != storable_text(body))
    stored_body = db.session.scalar(sa.select(Suggestion.body).where(Suggestion.id == suggestion.id))
    assert stored_body == suggestion.body
    assert len(db.session.scalars(suggestion.events.select()).all()) == events
    assert (receipt.secret is None) == (phone is not None)
    db.session.rollback()


@pytest.mark.parametrize("days", [0, -1])
def test_working_day_count_must_be_positive(days):
    with pytest.raises(ValueError):
        WorkdayCalendar().add_working_days(date(2026, 1, 5), days)
