"""The five rates on cases worked out by hand: items not yet due, items answered late, a reopened item."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from suggestions import casework, clock
from suggestions.campaign import taxonomy
from suggestions.extensions import db
from suggestions.insight import dashboard, metrics
from suggestions.models import Campaign
from tests import factories

HOUSING = "市住房和城乡建设委员会"
REPLY = "经研究，已将您的建议纳入老旧小区改造计划。"
T0 = clock.now() - timedelta(days=90)


@pytest.fixture
def item(seeded, vault):
    """A suggestion dispatched automatically to the housing commission at ``at``."""

    def make(at=T0, **fields):
        return factories.submit(vault, category=factories.category_coded("城乡建设"), now=at, **fields).suggestion

    return make


EVERYTHING = metrics.Scope()


def housing(now, scope=EVERYTHING):
    return {row.name: row for row in metrics.department_stats(scope, now)}[HOUSING]


def test_sign_and_response_rates_count_an_item_not_yet_due_nowhere(app, item, staff):
    officer = staff["officer"]
    on_time, late, waiting_late, returned = item(), item(), item(), item()
    casework.sign(on_time, actor=officer, now=T0 + timedelta(hours=1))
    casework.sign(late, actor=officer, now=late.sign_due_at + timedelta(hours=1))
    casework.return_item(returned, actor=officer, reason="不属于本部门职责", now=T0 + timedelta(hours=2))
    now = waiting_late.sign_due_at + timedelta(days=2)
    not_yet_due = item(at=now - timedelta(hours=1))  # dispatched an hour ago: its day to sign has not passed
    db.session.commit()
    assert not_yet_due.sign_due_at > now and waiting_late.sign_due_at < now

    row = housing(now)
    # signed on time: 1; signed late: 1; still unsigned after the limit: 1; the one not yet due counts nowhere.
    assert (row.signed, row.signed_late, row.unsigned_late, row.returned) == (2, 1, 1, 1)
    assert row.sign_on_time_rate == pytest.approx(1 / 3)
    # answered within the limit by signing or returning: 2 of (2 signed + 1 returned + 1 unanswered late).
    assert row.response_rate == pytest.approx(2 / 4)
    assert row.dispatched == 5 and row.open == 4

    # An hour before the waiting item's limit passed, it was not late either.
    earlier = housing(waiting_late.sign_due_at - timedelta(hours=1))
    assert earlier.unsigned_late == 0 and earlier.sign_on_time_rate == pytest.approx(1 / 2)


def test_reply_on_time_satisfaction_and_resolution_with_a_reopened_item(app, item, staff):
    officer, dispatcher, operator = staff["officer"], staff["dispatcher"], staff["operator"]
    reopened, late, overdue = item(), item(), item()
    for suggestion in (reopened, late, overdue):
        casework.sign(suggestion, actor=officer, now=T0 + timedelta(hours=1))
    # Reopened: answered on time, 不满意 at the callback, answered again after the redo's own deadline, then 满意.
    casework.reply(reopened, REPLY, actor=officer, now=T0 + timedelta(days=2))
    casework.approve_reply(reopened, actor=dispatcher, now=T0 + timedelta(days=3))
    reopen_at = T0 + timedelta(days=4)
    casework.record_callback(reopened, "dissatisfied", actor=operator, note="问题没有解决", now=reopen_at)
    assert reopened.reply_due_at > reopen_at + timedelta(days=7)  # a new reply cycle with its own deadline
    second_reply = reopened.reply_due_at + timedelta(hours=3)
    casework.reply(reopened, REPLY, actor=officer, now=second_reply)
    casework.approve_reply(reopened, actor=dispatcher, now=second_reply + timedelta(hours=1))
    casework.record_callback(reopened, "satisfied", actor=operator, now=second_reply + timedelta(hours=2))
    # Late: answered a day after its deadline, then 基本满意.
    late_at = late.reply_due_at + timedelta(days=1)
    casework.reply(late, REPLY, actor=officer, now=late_at)
    casework.approve_reply(late, actor=dispatcher, now=late_at)
    casework.record_callback(late, "basically_satisfied", actor=operator, now=late_at + timedelta(hours=1))
    # Dispatched a day before the others' deadline: it still has 15 working days when they are late.
    not_yet_due = item(at=overdue.reply_due_at - timedelta(days=1))
    db.session.commit()

    row = housing(overdue.reply_due_at - timedelta(hours=1))  # before the overdue item's deadline
    assert (row.replied, row.replied_late, row.unreplied_late) == (3, 2, 0)
    assert row.reply_on_time_rate == pytest.approx(1 / 3)

    now = overdue.reply_due_at + timedelta(hours=1)
    assert not_yet_due.reply_due_at > now
    after = housing(now)
    # 3 replies (1 on time: the reopened item's first) + the item still owed a reply after its deadline; the item
    # not yet due counts nowhere.
    assert (after.replied, after.replied_late, after.unreplied_late) == (3, 2, 1)
    assert after.reply_on_time_rate == pytest.approx(1 / 4)
    # Callbacks that reached the resident: 不满意, 满意 (the reopened item), 基本满意.
    assert (after.dissatisfied, after.satisfied, after.basically_satisfied) == (1, 1, 1)
    assert after.satisfaction_rate == pytest.approx((1 + 0.8) / 3)
    assert after.resolution_rate == pytest.approx(2 / 3)
    assert after.redo_rate == pytest.approx(1 / 3)


def test_an_extension_moves_the_deadline_the_rate_uses(app, item, staff):
    officer, dispatcher = staff["officer"], staff["dispatcher"]
    extended = item()
    casework.sign(extended, actor=officer, now=T0 + timedelta(hours=1))
    first_due = extended.reply_due_at
    casework.request_extension(extended, 5, actor=officer, reason="需要现场勘查", now=first_due - timedelta(days=1))
    casework.decide_extension(extended, approve=True, actor=dispatcher, now=first_due - timedelta(hours=20))
    casework.reply(extended, REPLY, actor=officer, now=first_due + timedelta(days=1))
    db.session.commit()
    row = housing(first_due + timedelta(days=2))
    assert (row.replied, row.replied_late) == (1, 0) and row.reply_on_time_rate == 1.0


def test_rates_per_domain_and_the_domain_filter(app, item, staff, seeded):
    campaign = db.session.scalar(sa.select(Campaign))
    elderly = next(d for d in campaign.domains if d.name == "养老")
    housing_domain = next(d for d in campaign.domains if d.name == "住房")
    officer = staff["officer"]
    a = item(campaign_id=campaign.id, domain_id=elderly.id)
    b = item(campaign_id=campaign.id, domain_id=housing_domain.id)
    casework.sign(a, actor=officer, now=T0 + timedelta(hours=1))
    casework.sign(b, actor=officer, now=b.sign_due_at + timedelta(hours=1))
    db.session.commit()
    now = T0 + timedelta(days=30)
    rates = {row.name: row for row in metrics.domain_rates(metrics.Scope(campaign.year), now)}
    assert rates["养老"].sign_on_time_rate == 1.0 and rates["住房"].sign_on_time_rate == 0.0
    assert housing(now, metrics.Scope(campaign.year, "养老")).signed == 1
    assert housing(now, metrics.Scope(campaign.year, "住房")).signed_late == 1
    assert [r.label for r in metrics.by_domain(metrics.Scope(campaign.year, "养老"))] == ["养老"]
    assert taxonomy.domain_names()[:2]  # the filter's choices come from the campaign's domains


def test_the_kept_dashboard_follows_changes_and_the_clock(app, item, staff):
    waiting = item()
    db.session.commit()
    scope = metrics.Scope()
    before_due = waiting.sign_due_at - timedelta(minutes=1)
    first = dashboard.dashboard(scope, before_due)
    assert first.overall.unsigned_late == 0
    assert dashboard.dashboard(scope, before_due) is first  # nothing changed: the same one is served
    # The limit passes with no event at all: the item is late from that moment on.
    after_due = waiting.sign_due_at + timedelta(minutes=1)
    assert dashboard.dashboard(scope, after_due).overall.unsigned_late == 1
    casework.sign(waiting, actor=staff["officer"], now=after_due)
    db.session.commit()
    changed = dashboard.dashboard(scope, after_due)
    assert (changed.overall.signed, changed.overall.signed_late, changed.overall.unsigned_late) == (1, 1, 0)
