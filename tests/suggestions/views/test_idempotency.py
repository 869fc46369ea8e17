"""Issue 17.10: an idempotency key only ever replays its own submission.

The form's one-time key is bound to the visitor's session and to what was typed.  Someone else replaying the key,
or the same visitor sending other text with it, stores a new suggestion; only a true retry (same session, same
text) answers with the first one.
"""

import re

import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import Suggestion
from tests import factories
from tests.suggestions.views.test_hotline import call_data
from tests.suggestions.views.test_public import form_data, tracking_code

KEY = re.compile(r'name="idempotency_key" type="hidden" value="([0-9a-f]{32})"')
OTHER_TEXT = "我们小区的路灯坏了两个月，晚上出行很不方便，建议尽快维修路灯。"


def bodies():
    db.session.expire_all()
    return sorted(db.session.scalars(sa.select(Suggestion.body)))


class TestPublicForm:
    def key_of(self, visitor):
        return KEY.search(visitor.get("/").get_data(as_text=True)).group(1)

    def test_another_visitor_replaying_the_key_gets_a_suggestion_of_their_own(self, app, seeded):
        first, second = app.test_client(), app.test_client()
        key = self.key_of(first)
        mine = first.post("/", data=form_data(idempotency_key=key))
        second.get("/")
        theirs = second.post("/", data=form_data(idempotency_key=key))
        assert (mine.status_code, theirs.status_code) == (201, 201)
        my_code, their_code = tracking_code(mine.get_data(as_text=True)), tracking_code(theirs.get_data(as_text=True))
        assert my_code != their_code
        assert len(bodies()) == 2
        # The replay opened nothing of the first visitor's: their tracking page still asks for the credential.
        assert second.get(f"/track/{my_code}").status_code == 303

    def test_other_text_with_the_same_key_is_stored_as_a_new_suggestion(self, client, seeded):
        key = self.key_of(client)
        first = client.post("/", data=form_data(idempotency_key=key))
        second = client.post("/", data=form_data(idempotency_key=key, body=OTHER_TEXT))
        assert (first.status_code, second.status_code) == (201, 201)
        assert OTHER_TEXT in bodies()

    def test_a_retry_of_the_same_text_is_one_suggestion(self, client, seeded):
        key = self.key_of(client)
        first = client.post("/", data=form_data(idempotency_key=key))
        again = client.post("/", data=form_data(idempotency_key=key))
        assert (first.status_code, again.status_code) == (201, 200)
        assert len(bodies()) == 1


class TestHotline:
    def key_of(self, client):
        return KEY.search(client.get("/hotline/new").get_data(as_text=True)).group(1)

    def saved_code(self, client, response):
        assert response.status_code == 303
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        return re.search(r"追踪码 (JDZ-\d{4}-\d{5}-\d{5})", page).group(1)

    def test_another_operator_replaying_the_key_saves_their_own_call(self, client, auth, staff):
        auth.login(staff["operator"])
        key = self.key_of(client)
        first = self.saved_code(client, client.post("/hotline/new", data=call_data(idempotency_key=key)))
        auth.logout()
        auth.login(factories.StaffUserFactory(role="operator"))
        second = self.saved_code(
            client, client.post("/hotline/new", data=call_data(idempotency_key=key, body=OTHER_TEXT))
        )
        assert first != second
        assert OTHER_TEXT in bodies() and len(bodies()) == 2

    def test_other_text_with_the_same_key_is_a_new_call(self, client, auth, staff):
        auth.login(staff["operator"])
        key = self.key_of(client)
        self.saved_code(client, client.post("/hotline/new", data=call_data(idempotency_key=key)))
        self.saved_code(client, client.post("/hotline/new", data=call_data(idempotency_key=key, body=OTHER_TEXT)))
        assert OTHER_TEXT in bodies() and len(bodies()) == 2

    def test_a_double_click_saves_one_call(self, client, auth, staff):
        auth.login(staff["operator"])
        key = self.key_of(client)
        first = self.saved_code(client, client.post("/hotline/new", data=call_data(idempotency_key=key)))
        again = self.saved_code(client, client.post("/hotline/new", data=call_data(idempotency_key=key)))
        assert first == again and len(bodies()) == 1
