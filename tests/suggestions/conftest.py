import pytest
import sqlalchemy as sa

from suggestions import casework
from suggestions.extensions import db
from suggestions.models import SuggestionEvent
from suggestions.workflow import Status
from tests import factories


@pytest.fixture
def vault(app):
    return app.extensions["phone_vault"]


def events_of(suggestion):
    return db.session.scalars(
        sa.select(SuggestionEvent).where(SuggestionEvent.suggestion_id == suggestion.id).order_by(SuggestionEvent.id)
    ).all()


@pytest.fixture
def housing_item(seeded, vault, staff):
    """Make an item in the housing commission's queue and walk it to ``status`` through the services."""

    def make(status=Status.DISPATCHED, phone="13812345678", **kwargs):
        suggestion = factories.submit(
            vault, category=factories.category_coded("城乡建设"), phone=phone, **kwargs
        ).suggestion
        officer, dispatcher = staff["officer"], staff["dispatcher"]
        path = [Status.SIGNED, Status.IN_PROGRESS, Status.REPLIED, Status.CALLBACK_PENDING, Status.CLOSED]
        steps = {
            Status.SIGNED: lambda s: casework.sign(s, actor=officer),
            Status.IN_PROGRESS: lambda s: casework.start(s, actor=officer),
            Status.REPLIED: lambda s: casework.reply(s, "经研究，已将您的建议纳入老旧小区改造计划。", actor=officer),
            Status.CALLBACK_PENDING: lambda s: casework.approve_reply(s, actor=dispatcher),
            Status.CLOSED: lambda s: casework.record_callback(s, "satisfied", actor=staff["operator"]),
        }
        if status != Status.DISPATCHED:
            for step in path[: path.index(status) + 1]:
                steps[step](suggestion)
        db.session.commit()
        return suggestion

    return make
