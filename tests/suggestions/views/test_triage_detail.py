"""What the suggestion page offers each role in each state."""

import pytest

from suggestions.workflow import Status


def panels(client, suggestion) -> set[str]:
    import re

    html = client.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)
    return set(re.findall(r'id="panel-([a-z_]+)"', html))


@pytest.mark.parametrize(
    ("role", "status", "expected", "absent"),
    [
        ("officer", Status.DISPATCHED, {"sign", "return", "note", "reveal"}, {"reply", "dispatch", "callback"}),
        ("officer", Status.SIGNED, {"reply", "interim_reply", "request_extension", "start", "return"}, {"sign"}),
        ("dispatcher", Status.DISPATCHED, {"dispatch", "merge", "note", "correct_route"}, {"sign", "reply"}),
        ("dispatcher", Status.REPLIED, {"approve_reply", "send_back", "adoption"}, {"reply"}),
        ("operator", Status.CALLBACK_PENDING, {"callback", "note", "reveal"}, {"approve_reply", "dispatch"}),
        ("operator", Status.CLOSED, {"note"}, {"callback"}),
        ("dispatcher", Status.CLOSED, {"adoption", "note"}, {"dispatch", "merge"}),
    ],
)
def test_panels_follow_the_transition_table(client, auth, staff, housing_item, role, status, expected, absent):
    suggestion = housing_item(status)
    auth.login(staff[role])
    shown = panels(client, suggestion)
    assert expected <= shown, shown
    assert not (absent & shown), shown


def test_detail_shows_deadlines_route_and_history(client, auth, staff, housing_item):
    suggestion = housing_item(Status.SIGNED)
    auth.login(staff["officer"])
    html = client.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)
    for text in ("签收期限", "首次答复期限", "答复期限", "因为提到：", "签收", "自动派单", "内部备注（市民不可见）"):
        assert text in html


def test_no_reveal_for_items_without_a_phone(client, auth, staff, housing_item):
    suggestion = housing_item(phone=None)
    auth.login(staff["operator"])
    assert "reveal" not in panels(client, suggestion)
