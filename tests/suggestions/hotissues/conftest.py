import pytest
import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import Campaign, HotIssue, HotIssueMember, Suggestion
from tests import factories
from tests.suggestions.campaign.conftest import make_project  # noqa: F401  (a fixture the hot-issue tests use)


@pytest.fixture
def vault(app):
    return app.extensions["phone_vault"]


@pytest.fixture
def campaign(seeded) -> Campaign:
    return db.session.scalar(sa.select(Campaign))


@pytest.fixture
def file_idea(vault, campaign):
    """Submit one idea through the one intake (routed, so it is grouped); return the suggestion."""

    def file(title, body, *, phone=None, **fields):
        fields.setdefault("campaign_id", campaign.id)
        return factories.submit(
            vault, category=factories.category_coded("城乡建设"), title=title, body=body, phone=phone, **fields
        ).suggestion

    return file


def partition() -> dict[frozenset[str], tuple[str, int, int]]:
    """The grouping the tables hold: member codes of each active issue -> (label, residents, messages)."""
    rows = db.session.execute(
        sa.select(HotIssue.id, HotIssue.label, HotIssue.residents, HotIssue.messages, Suggestion.tracking_code)
        .join(HotIssueMember, HotIssueMember.issue_id == HotIssue.id)
        .join(Suggestion, Suggestion.id == HotIssueMember.suggestion_id)
        .where(HotIssue.active.is_(True))
    ).all()
    members: dict[int, set[str]] = {}
    facts = {}
    for issue_id, label, residents, messages, code in rows:
        members.setdefault(issue_id, set()).add(code)
        facts[issue_id] = (label, residents, messages)
    return {frozenset(codes): facts[issue_id] for issue_id, codes in members.items()}


def issue_of(suggestion) -> HotIssue | None:
    member = db.session.get(HotIssueMember, suggestion.id)
    return member.issue if member else None
