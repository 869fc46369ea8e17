"""The /hot pages: the ranking, each decision as a dispatcher makes it, and the per-domain themes export."""

import csv
import io

import pytest
import sqlalchemy as sa

from suggestions import casework
from suggestions.extensions import db
from suggestions.insight import queues
from suggestions.models import AuditEntry, HotIssue, HotIssueEvent, Suggestion
from suggestions.workflow import Status
from tests.suggestions.campaign.conftest import domain_of
from tests.suggestions.hotissues.conftest import issue_of
from tests.suggestions.hotissues.ideas import MIXING_PLANT, PARKING


@pytest.fixture
def issues(file_idea, campaign):
    plant = [
        file_idea(title, body, domain_id=domain_of(campaign, "城乡建设").id, phone=f"1381234567{n}")
        for n, (title, body) in enumerate(MIXING_PLANT)
    ]
    parking = [file_idea(title, body, domain_id=domain_of(campaign, "住房").id) for title, body in PARKING]
    return plant, parking


@pytest.fixture
def dispatcher(auth, staff):
    auth.login(staff["dispatcher"])
    return staff["dispatcher"]


def events(issue, action):
    return db.session.scalars(
        sa.select(HotIssueEvent).where(HotIssueEvent.issue_id == issue.id, HotIssueEvent.action == action)
    ).all()


def test_the_ranking_shows_each_issue_with_its_figures(client, issues, dispatcher):
    html = client.get("/hot/").get_data(as_text=True)
    plant_issue, parking_issue = issue_of(issues[0][0]), issue_of(issues[1][0])
    assert html.index(plant_issue.label) < html.index(parking_issue.label)  # hottest first
    for text in ("热度", "居民", "3 件", "网站 3", "每日件数：", '<svg class="sparkline"', "不同居民数", "A2区"):
        assert text in html
    assert "13812345670" not in html and "138****" not in html


def test_an_issue_page_lists_its_suggestions_and_the_heat_explained(client, issues, dispatcher):
    issue = issue_of(issues[0][0])
    html = client.get(f"/hot/{issue.id}").get_data(as_text=True)
    for suggestion in issues[0]:
        assert suggestion.tracking_code in html
    assert "热度 = " in html and "合并为一件工单" in html and "标记为非热点" in html


def test_marking_not_hot_takes_the_issue_out_of_the_ranking_and_is_recorded(client, issues, dispatcher):
    issue = issue_of(issues[0][0])
    refused = client.post(f"/hot/{issue.id}/not_hot", data={"nothot-reason": ""})
    assert refused.status_code == 400 and "请填写原因" in refused.get_data(as_text=True)

    response = client.post(f"/hot/{issue.id}/not_hot", data={"nothot-reason": "施工已停止"})
    assert response.status_code == 303
    assert issue.label not in client.get("/hot/").get_data(as_text=True)
    assert issue.label in client.get("/hot/?show=not_hot").get_data(as_text=True)
    [event] = events(issue, "not_hot")
    assert event.actor_id == dispatcher.id and event.reason == "施工已停止"
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "hot_issue_not_hot")) is not None

    assert client.post(f"/hot/{issue.id}/hot_again", data={}).status_code == 303
    assert issue.label in client.get("/hot/").get_data(as_text=True)


def test_linking_a_project_and_proposing_for_next_year(client, issues, dispatcher, make_project, campaign):
    project = make_project(number=4, title="停车难治理")
    issue = issue_of(issues[1][0])
    assert client.post(f"/hot/{issue.id}/link", data={"link-project": str(project.id)}).status_code == 303
    assert client.post(f"/hot/{issue.id}/propose", data={"propose-reason": "多个小区反映"}).status_code == 303
    again = client.post(f"/hot/{issue.id}/propose", data={})
    assert again.status_code == 400 and "已列入" in again.get_data(as_text=True)

    db.session.expire_all()
    issue = db.session.get(HotIssue, issue.id)
    assert issue.project_id == project.id and issue.proposed_year == campaign.year + 1
    html = client.get(f"/hot/{issue.id}").get_data(as_text=True)
    assert "停车难治理" in html and f"已列入{campaign.year + 1}年备选" in html
    recorded = db.session.scalars(sa.select(HotIssueEvent).order_by(HotIssueEvent.id)).all()
    assert [(e.action, e.actor_id) for e in recorded] == [("link_project", dispatcher.id), ("propose", dispatcher.id)]


def test_merging_all_duplicates_keeps_each_residents_reply_and_callback(client, issues, dispatcher, staff):
    plant = issues[0]
    issue = issue_of(plant[0])
    master = plant[0]
    missing = client.post(f"/hot/{issue.id}/merge", data={"merge-master": str(master.id), "merge-reason": ""})
    assert missing.status_code == 400

    response = client.post(f"/hot/{issue.id}/merge", data={"merge-master": str(master.id), "merge-reason": "同一工地"})
    assert response.status_code == 303
    db.session.expire_all()
    others = [db.session.get(Suggestion, s.id) for s in plant[1:]]
    assert all(s.status == Status.MERGED and s.merged_into_id == master.id for s in others)
    assert len(events(issue, "merge_all")) == 1

    # The department answers the one work order; every merged resident sees that answer and keeps a callback.
    officer = staff["officer"]
    master = db.session.get(Suggestion, master.id)
    casework.sign(master, actor=officer)
    casework.start(master, actor=officer)
    casework.reply(master, "已责令搅拌站停止夜间施工并加装防尘设施。", actor=officer)
    db.session.commit()
    for merged in others:
        replies = db.session.scalars(queues.public_replies(merged)).all()
        assert [r.body for r in replies] == ["已责令搅拌站停止夜间施工并加装防尘设施。"]
        assert merged.has_phone and merged.callback_result is None  # still to be called back on its own


def test_themes_per_domain_and_their_csv(client, issues, dispatcher, campaign):
    html = client.get("/hot/themes").get_data(as_text=True)
    plant_issue, parking_issue = issue_of(issues[0][0]), issue_of(issues[1][0])
    assert html.index("城乡建设") < html.index(plant_issue.label)
    response = client.get("/hot/themes/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["领域", "排名", "主题", "热度"]
    assert {(row[0], row[1], row[2]) for row in rows[1:]} == {
        ("城乡建设", "1", plant_issue.label),
        ("住房", "1", parking_issue.label),
    }
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export_themes")) is not None
