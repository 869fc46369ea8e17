"""Issue 17.11: replies, notes, reasons and rating comments follow the form's text rules.

NUL and other control characters are refused at the field with a Chinese message (400, nothing stored); personal
numbers, however they are spelled, are masked before anyone reads them.  A reply keeps a landline: it is the
department's office number for the resident to call.
"""

import pytest
import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import Note, Reply, Suggestion, SuggestionEvent
from suggestions.workflow import Status

TYPED = "已与市民联系，市民留的手机 +86 139 1111 2222，身份证 110101 19900307 1234，说明情况。"
MASKED = "已与市民联系，市民留的手机 139****2222，身份证 110***********1234，说明情况。"


def stored_reason(suggestion):
    return db.session.scalar(
        sa.select(SuggestionEvent.reason)
        .where(SuggestionEvent.suggestion_id == suggestion.id)
        .order_by(SuggestionEvent.id.desc())
        .limit(1)
    )


# (action, state it is taken in, who, field, other fields, where the text ends up)
STAFF_TEXT = {
    "reply": ("reply", Status.SIGNED, "officer", "body", {}, lambda s: db.session.scalar(sa.select(Reply.body))),
    "note": ("note", Status.SIGNED, "officer", "body", {}, lambda s: db.session.scalar(sa.select(Note.body))),
    "return reason": ("return", Status.DISPATCHED, "officer", "reason", {}, stored_reason),
    "send-back reason": ("send_back", Status.REPLIED, "dispatcher", "reason", {}, stored_reason),
    "callback note": ("callback", Status.CALLBACK_PENDING, "operator", "note", {"outcome": "satisfied"}, stored_reason),
    "extension reason": (
        "request_extension",
        Status.IN_PROGRESS,
        "officer",
        "reason",
        {"working_days": "3"},
        stored_reason,
    ),
}


def events(suggestion):
    return db.session.scalar(
        sa.select(sa.func.count(SuggestionEvent.id)).where(SuggestionEvent.suggestion_id == suggestion.id)
    )


@pytest.mark.parametrize("case", STAFF_TEXT.values(), ids=STAFF_TEXT.keys())
def test_staff_text_with_a_nul_byte_is_refused_at_the_field(client, auth, staff, housing_item, case):
    action, state, role, field, other, _stored = case
    suggestion = housing_item(state)
    before = events(suggestion)
    auth.login(staff[role])
    data = {f"{action}-{field}": "已与市民联系\x00，说明情况，谢谢。", **{f"{action}-{k}": v for k, v in other.items()}}
    response = client.post(f"/suggestions/{suggestion.id}/{action}", data=data)
    assert response.status_code == 400
    assert "不可见的控制字符" in response.get_data(as_text=True)
    db.session.expire_all()
    assert events(suggestion) == before


@pytest.mark.parametrize("case", STAFF_TEXT.values(), ids=STAFF_TEXT.keys())
def test_staff_text_is_stored_with_personal_numbers_masked(client, auth, staff, housing_item, case):
    action, state, role, field, other, stored = case
    suggestion = housing_item(state)
    auth.login(staff[role])
    data = {f"{action}-{field}": TYPED, **{f"{action}-{k}": v for k, v in other.items()}}
    response = client.post(f"/suggestions/{suggestion.id}/{action}", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    assert stored(suggestion) == MASKED


def test_a_reply_keeps_the_departments_landline(client, auth, staff, housing_item):
    suggestion = housing_item(Status.SIGNED)
    auth.login(staff["officer"])
    body = "经研究，已纳入计划。如有疑问请拨打我委服务电话022-23456789，或联系经办人13911112222。"
    client.post(f"/suggestions/{suggestion.id}/reply", data={"reply-body": body})
    assert db.session.scalar(sa.select(Reply.body)) == body.replace("13911112222", "139****2222")


class TestRatingComment:
    def rate(self, app, suggestion, comment):
        visitor = app.test_client()
        response = visitor.post("/track", data={"code": suggestion.tracking_code, "credential": "13812345678"})
        assert response.status_code == 303
        return visitor.post(
            f"/track/{suggestion.tracking_code}/rate", data={"rating": "dissatisfied", "comment": comment}
        )

    def test_a_nul_byte_is_refused(self, app, housing_item):
        suggestion = housing_item(Status.REPLIED)
        response = self.rate(app, suggestion, "问题没有\x00解决")
        assert response.status_code == 400 and "不可见的控制字符" in response.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(Suggestion, suggestion.id).resident_rating is None

    def test_the_comment_is_stored_masked(self, app, housing_item):
        suggestion = housing_item(Status.REPLIED)
        assert self.rate(app, suggestion, "问题没有解决，请打我电话一三九幺幺幺幺二二二二").status_code == 303
        db.session.expire_all()
        stored = db.session.get(Suggestion, suggestion.id)
        assert stored.resident_comment == "问题没有解决，请打我电话139****2222"
        assert stored_reason(stored) == "问题没有解决，请打我电话139****2222"
