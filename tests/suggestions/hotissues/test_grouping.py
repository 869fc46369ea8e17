"""Suggestions join hot issues as they are routed; a full regroup gives the same issues and keeps staff decisions."""

import threading
from datetime import timedelta

import sqlalchemy as sa

from suggestions import clock, routing
from suggestions.extensions import db
from suggestions.hotissues import decisions, grouping
from suggestions.models import HotIssue, HotIssueMember, Suggestion
from tests import factories
from tests.suggestions.hotissues.conftest import issue_of, partition
from tests.suggestions.hotissues.ideas import ALL, LONER, MIXING_PLANT, PARKING, TWINS


def test_a_routed_suggestion_joins_the_issue_of_its_place_and_problem(file_idea):
    plant = [file_idea(title, body) for title, body in MIXING_PLANT]
    parking = [file_idea(title, body) for title, body in PARKING]
    twins = [file_idea(title, body) for title, body in TWINS]
    loner = file_idea(*LONER[0])

    issue = issue_of(plant[0])
    assert issue is not None and all(issue_of(s) == issue for s in plant)
    assert "丽发新城" in issue.label and "搅拌站" in issue.label
    assert (issue.messages, issue.residents) == (3, 3)
    assert issue.first_at is not None and issue.last_at >= issue.first_at
    assert "丽发新城" in "".join(issue.places) and issue.keywords
    assert issue_of(parking[0]) == issue_of(parking[1]) != issue
    # Template twins about two compounds are two problems; a lone idea is no issue.
    assert issue_of(twins[0]) is None or issue_of(twins[0]) != issue_of(twins[1])
    assert issue_of(loner) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HotIssue)) == 2


def test_joining_one_by_one_gives_what_a_full_regroup_gives(app, file_idea, campaign):
    now = clock.now()
    # Arrival order differs from time order, and one idea waits unrouted until later.
    order = [5, 0, 7, 3, 1, 6, 2, 4]
    for n in order:
        title, body = ALL[n]
        file_idea(title, body, received_at=now - timedelta(days=10 - n))
    incremental = partition()
    assert len(incremental) == 2

    grouping.regroup(campaign.id, now=now)
    db.session.commit()
    assert partition() == incremental

    # A process that never saw these suggestions (another gunicorn worker) rebuilds the same issues.
    app.extensions.pop("hot_issues")
    grouping.regroup(campaign.id, now=now)
    db.session.commit()
    assert partition() == incremental


def test_a_regroup_keeps_staff_decisions(file_idea, campaign, staff):
    plant = [file_idea(title, body) for title, body in MIXING_PLANT]
    parking = [file_idea(title, body) for title, body in PARKING]
    dispatcher = staff["dispatcher"]
    plant_issue, parking_issue = issue_of(plant[0]), issue_of(parking[0])
    decisions.mark_not_hot(plant_issue, actor=dispatcher, reason="施工已停止，另案处理")
    decisions.propose(parking_issue, actor=dispatcher, reason="多个小区都有类似问题")
    db.session.commit()

    grouping.regroup(campaign.id)
    db.session.commit()
    # A suggestion joining later, and a second regroup: the same rows, the same decisions.
    late = file_idea("丽发新城小区搅拌站夜间施工扰民", "丽发新城小区附近搅拌站夜间施工，粉尘噪音扰民，请处理搅拌站。")
    grouping.regroup(campaign.id)
    db.session.commit()

    db.session.expire_all()
    assert issue_of(late).id == plant_issue.id
    plant_issue, parking_issue = db.session.get(HotIssue, plant_issue.id), db.session.get(HotIssue, parking_issue.id)
    assert plant_issue.not_hot and plant_issue.messages == 4 and plant_issue.active
    assert parking_issue.proposed_year == campaign.year + 1 and not parking_issue.not_hot


def test_an_issue_that_dissolves_keeps_its_decisions(file_idea, campaign, staff):
    parking = [file_idea(title, body) for title, body in PARKING]
    issue = issue_of(parking[0])
    decisions.propose(issue, actor=staff["dispatcher"])
    # One of the two suggestions leaves the campaign (filed under another year by mistake).
    parking[1].campaign_id = None
    db.session.commit()

    grouping.regroup(campaign.id)
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(HotIssue, issue.id)
    assert kept is not None and not kept.active and kept.proposed_year == campaign.year + 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HotIssueMember)) == 0


def test_a_resident_writing_twice_counts_once_and_each_supporter_once_more(file_idea):
    first = file_idea(*PARKING[0], phone="13812345678")
    file_idea(*PARKING[1], phone="13812345678")
    assert issue_of(first).residents == 1
    supporter = file_idea("我也有同样的建议", "同样遇到了捆绑销售车位的问题，支持这条建议。", supports_id=first.id)
    issue = issue_of(first)
    assert issue_of(supporter) == issue
    assert (issue.messages, issue.residents) == (3, 2)


def test_grouping_failure_never_costs_a_submission(app, vault, campaign):
    app.extensions["hot_issues"] = ({campaign.id: "not an index"}, __import__("threading").Lock())
    receipt = factories.submit(vault, campaign_id=campaign.id, title=PARKING[0][0], body=PARKING[0][1])
    db.session.expire_all()
    assert db.session.get(Suggestion, receipt.suggestion.id) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HotIssueMember)) == 0


def test_flask_suggestions_regroup(runner, file_idea, campaign):
    for title, body in MIXING_PLANT + PARKING:
        file_idea(title, body)
    db.session.execute(sa.delete(HotIssueMember))
    db.session.execute(sa.delete(HotIssue))
    db.session.commit()

    result = runner.invoke(args=["suggestions", "regroup"])
    assert result.exit_code == 0, result.output
    assert f"{campaign.year}: 5 suggestions, 2 hot issues, 0 with staff decisions" in result.output
    assert len(partition()) == 2


def test_a_worker_without_an_index_of_a_large_campaign_builds_it_aside(app, file_idea, monkeypatch):
    plant = [file_idea(title, body) for title, body in MIXING_PLANT[:2]]
    app.extensions.pop("hot_issues")  # a worker that has not read this campaign yet
    monkeypatch.setattr(grouping, "INLINE_BUILD_LIMIT", 1)
    waiting = file_idea(*MIXING_PLANT[2])  # answered at once; the index is built in a thread meanwhile
    assert issue_of(waiting) is None
    for thread in threading.enumerate():
        if thread.name.startswith("hot-issues-"):
            thread.join(timeout=60)
    late = file_idea("丽发新城小区搅拌站夜间施工扰民", "丽发新城小区附近搅拌站夜间施工，粉尘噪音扰民，请处理搅拌站。")
    issue = issue_of(late)
    assert issue == issue_of(plant[0]) == issue_of(waiting) and issue.messages == 4


def test_gunicorn_preload_builds_the_indexes_before_the_fork(app, file_idea, campaign):
    file_idea(*PARKING[0])
    app.extensions.pop("hot_issues")
    grouping.warm_up(app)
    indexes, _ = app.extensions["hot_issues"]
    assert len(indexes[campaign.id].index) == 1


def test_a_suggestion_routed_later_joins_like_the_others(file_idea, campaign, vault):
    parked = factories.submit(vault, campaign_id=campaign.id, title=PARKING[0][0], body=PARKING[0][1], routed=False)
    grouping.regroup(campaign.id)  # the nightly run saw it while it waited unrouted
    db.session.commit()
    file_idea(*PARKING[1])
    suggestion = db.session.get(Suggestion, parked.suggestion.id)
    routing.route(suggestion, factories.decision_for(factories.category_coded("城乡建设")))  # flask suggestions route
    db.session.commit()
    assert issue_of(suggestion) is not None and issue_of(suggestion).messages == 2
