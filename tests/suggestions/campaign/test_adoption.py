"""The adoption loop: a decision on an idea, its event, its revision, the resident's page and the public pages."""

import pytest
import sqlalchemy as sa

from suggestions import campaign as campaign_services
from suggestions.campaign.adoption import Publication
from suggestions.extensions import db
from suggestions.models import Notification
from suggestions.workflow import Action, Adoption, ReasonRequired, Status, WorkflowError
from tests.suggestions.conftest import events_of

NAME, PHONE = "王秀兰", "13812345678"
RAW = "我家住在南开区某某小区3号楼，楼里老人多，建议加装电梯，联系我13812345678。"


@pytest.fixture
def idea(housing_item, campaign):
    """A closed item from a resident who left a name and a phone, filed under the seeded campaign."""
    suggestion = housing_item(Status.CLOSED, title="老楼加装电梯", contact_name=NAME, body=RAW, campaign_id=campaign.id)
    return suggestion


@pytest.mark.parametrize(
    ("outcome", "action", "needs_project"),
    [
        (Adoption.ADOPTED, Action.ADOPT, True),
        (Adoption.PARTIALLY_ADOPTED, Action.PARTIALLY_ADOPT, True),
        (Adoption.ALREADY_PLANNED, Action.ALREADY_PLANNED, True),
        (Adoption.NOT_ADOPTED, Action.NOT_ADOPT, False),
    ],
)
def test_every_decision_is_an_event_and_tells_the_resident(idea, staff, make_project, outcome, action, needs_project):
    project = make_project()
    campaign_services.decide_adoption(
        idea, outcome, actor=staff["dispatcher"], project=project, reason="经研究作出决定"
    )
    db.session.commit()
    event = events_of(idea)[-1]
    assert (event.action, event.actor_id, event.reason) == (action, staff["dispatcher"].id, "经研究作出决定")
    assert event.details["outcome"] == outcome.value
    assert idea.adoption == outcome and (idea.project == project) == needs_project
    message = db.session.scalar(sa.select(Notification).where(Notification.suggestion_id == idea.id))
    assert (message.medium, message.status, message.kind) == ("sms", "pending", "adoption")
    assert PHONE not in message.body and idea.tracking_code in message.body
    if needs_project:
        assert "老旧小区加装电梯" in message.body


def test_a_decision_that_links_a_project_needs_one_and_not_adopted_needs_a_reason(idea, staff):
    with pytest.raises(WorkflowError, match="需要选择对应的民心工程项目"):
        campaign_services.decide_adoption(idea, Adoption.ALREADY_PLANNED, actor=staff["dispatcher"])
    with pytest.raises(ReasonRequired):
        campaign_services.decide_adoption(idea, Adoption.NOT_ADOPTED, actor=staff["dispatcher"], reason=" ")
    assert idea.adoption is None and events_of(idea)[-1].action != Action.NOT_ADOPT


def test_a_decision_is_revised_with_a_new_event(idea, staff, make_project):
    project = make_project()
    campaign_services.decide_adoption(idea, Adoption.NOT_ADOPTED, actor=staff["dispatcher"], reason="条件不成熟")
    campaign_services.decide_adoption(
        idea, Adoption.ADOPTED, actor=staff["admin"], project=project, reason="复核后采纳"
    )
    db.session.commit()
    decisions = [e for e in events_of(idea) if e.action in (Action.NOT_ADOPT, Action.ADOPT)]
    assert [e.action for e in decisions] == [Action.NOT_ADOPT, Action.ADOPT]
    assert decisions[-1].details["changed"]["adoption"] == ["not_adopted", "adopted"]
    assert (idea.adoption, idea.project, idea.adoption_reason) == (Adoption.ADOPTED, project, "复核后采纳")
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 2


def test_without_a_phone_the_message_waits_on_the_tracking_page(housing_item, staff, make_project, campaign):
    suggestion = housing_item(Status.CALLBACK_PENDING, phone=None, campaign_id=campaign.id)  # closes: no callback
    campaign_services.decide_adoption(suggestion, Adoption.ADOPTED, actor=staff["dispatcher"], project=make_project())
    db.session.commit()
    message = db.session.scalar(sa.select(Notification))
    assert (message.medium, message.status) == ("page", "sent")


def test_publication_only_for_ideas_that_fed_the_project_and_never_with_numbers(idea, staff, make_project):
    project = make_project()
    with pytest.raises(WorkflowError, match="只有采纳或部分采纳"):
        campaign_services.decide_adoption(
            idea,
            Adoption.ALREADY_PLANNED,
            actor=staff["dispatcher"],
            project=project,
            publication=Publication("t", "e"),
        )
    with pytest.raises(WorkflowError, match="个人信息"):
        campaign_services.decide_adoption(
            idea,
            Adoption.ADOPTED,
            actor=staff["dispatcher"],
            project=project,
            publication=Publication("老楼加装电梯", "请联系13812345678"),
        )


def test_the_tracking_page_shows_the_decision_the_project_and_its_public_page(app, idea, staff, make_project):
    project = make_project()
    campaign_services.decide_adoption(
        idea, Adoption.ADOPTED, actor=staff["dispatcher"], project=project, reason="纳入明年项目"
    )
    db.session.commit()
    visitor = app.test_client()
    response = visitor.post("/track", data={"code": idea.tracking_code, "credential": PHONE})
    page = visitor.get(response.headers["Location"]).get_data(as_text=True)
    assert "采纳情况" in page and "纳入明年项目" in page
    assert f"{project.year}年民心工程第3项「老旧小区加装电梯」" in page
    assert f'href="/projects/{project.year}/3"' in page
    assert "给您的消息" in page and "已被采纳" in page


def test_public_project_pages_show_only_the_approved_excerpt_never_personal_data(
    app, client, housing_item, idea, staff, make_project, campaign
):
    project = make_project()
    dispatcher = app.test_client()
    dispatcher.post("/login", data={"username": staff["dispatcher"].username, "password": "correct horse battery"})
    form = dispatcher.get(f"/suggestions/{idea.id}").get_data(as_text=True)
    assert "公示摘要" in form and "13812345678" not in form.split("公示摘要")[1][:400]  # the suggestion starts masked
    response = dispatcher.post(
        f"/suggestions/{idea.id}/adoption",
        data={
            "adoption-outcome": "adopted",
            "adoption-project": str(project.id),
            "adoption-reason": "纳入项目",
            "adoption-public_title": "老楼加装电梯",
            "adoption-public_excerpt": "老旧住宅楼里老人多，建议加装电梯方便上下楼。",
            "adoption-publish": "y",
        },
    )
    assert response.status_code == 303
    unpublished = housing_item(Status.CLOSED, title="另一条未公示的建议", contact_name="李四", campaign_id=campaign.id)
    campaign_services.decide_adoption(
        unpublished, Adoption.PARTIALLY_ADOPTED, actor=staff["dispatcher"], project=project
    )
    db.session.commit()

    for path in (f"/projects/{project.year}", f"/projects/{project.year}/3"):
        html = client.get(path).get_data(as_text=True)
        assert "老旧小区加装电梯" in html and "市住房和城乡建设委员会" in html
        for private in (NAME, "李四", PHONE, "138****5678", idea.tracking_code, "某某小区3号楼", "另一条未公示的建议"):
            assert private not in html, (path, private)
    listing = client.get(f"/projects/{project.year}").get_data(as_text=True)
    assert "纳入的市民建议</dt><dd>2 条" in listing
    detail = client.get(f"/projects/{project.year}/3").get_data(as_text=True)
    assert "老旧住宅楼里老人多，建议加装电梯方便上下楼。" in detail
    assert "另有 1 条建议被纳入本项目，摘要暂未公示" in detail


def test_adopted_now_leads_to_the_project_pages(client, make_project):
    project = make_project()
    response = client.get("/adopted", follow_redirects=True)
    assert response.status_code == 200 and f"{project.year}年民心工程项目" in response.get_data(as_text=True)
    assert client.get("/projects/2099/1").status_code == 404


def test_approving_an_excerpt_alone_is_recorded_but_sends_no_second_message(idea, staff, make_project):
    project = make_project()
    campaign_services.decide_adoption(idea, Adoption.ADOPTED, actor=staff["dispatcher"], project=project)
    campaign_services.decide_adoption(
        idea,
        Adoption.ADOPTED,
        actor=staff["dispatcher"],
        project=project,
        publication=Publication("老楼加装电梯", "建议加装电梯。"),
    )
    db.session.commit()
    assert events_of(idea)[-1].details["changed"]["public_excerpt"] == [None, "建议加装电梯。"]
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1
