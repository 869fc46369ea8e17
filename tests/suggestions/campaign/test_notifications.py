"""The outbox: messages written with the change they report, sent by a pluggable sender, numbers masked in logs."""

import logging
from datetime import date

import pytest
import sqlalchemy as sa

from suggestions import campaign as campaign_services
from suggestions.campaign import notifications
from suggestions.campaign import projects as project_services
from suggestions.extensions import db
from suggestions.models import Notification
from suggestions.privacy import disclosure
from suggestions.workflow import Adoption, ProjectStatus, Status

PHONE = "13812345678"


@pytest.fixture
def adopted(housing_item, staff, make_project, campaign):
    project = make_project()
    suggestion = housing_item(Status.CLOSED, campaign_id=campaign.id)
    campaign_services.decide_adoption(suggestion, Adoption.ADOPTED, actor=staff["dispatcher"], project=project)
    db.session.commit()
    return suggestion, project


class FailingSender:
    def send(self, phone, text):
        raise ConnectionError(f"gateway refused {phone}")


def test_the_default_sender_logs_the_message_with_the_number_masked(app, adopted, caplog):
    with caplog.at_level(logging.INFO, logger="suggestions.campaign.notifications"):
        report = notifications.send_pending(notifications.LoggingSender(), app.extensions["phone_vault"])
    assert (report.sent, report.failed) == (1, 0)
    assert "SMS to 138****5678" in caplog.text and "已被采纳" in caplog.text
    assert PHONE not in caplog.text
    row = db.session.scalar(sa.select(Notification))
    assert row.status == "sent" and row.sent_at is not None


def test_a_failing_gateway_is_retried_then_given_up_without_the_number_in_the_record(app, adopted):
    vault = app.extensions["phone_vault"]
    for attempt in range(1, notifications.MAX_ATTEMPTS + 1):
        report = notifications.send_pending(FailingSender(), vault)
        row = db.session.scalar(sa.select(Notification))
        assert row.attempts == attempt
    assert (row.status, report.failed) == ("failed", 1)
    assert PHONE not in row.last_error and "138****5678" in row.last_error


def test_an_anonymised_item_is_not_sent(app, adopted):
    suggestion, _project = adopted
    disclosure.anonymise_closed(0, now=suggestion.closed_at.replace(year=suggestion.closed_at.year + 1))
    db.session.commit()
    report = notifications.send_pending(notifications.LoggingSender(), app.extensions["phone_vault"])
    assert report.failed == 1 and db.session.scalar(sa.select(Notification.status)) == "failed"


def test_residents_linked_to_a_project_hear_of_status_and_milestone_changes(adopted, campaign, make_project):
    suggestion, project = adopted
    kinds = lambda: db.session.scalars(sa.select(Notification.kind).order_by(Notification.id)).all()  # noqa: E731
    assert kinds() == ["adoption"]
    project_services.save_project(
        project,
        campaign=campaign,
        year=project.year,
        number=project.number,
        title=project.title,
        domain=project.domain,
        lead_department=project.lead_department,
        status=ProjectStatus.UNDERWAY,
    )
    milestone = project_services.save_milestone(
        project, None, project_services.MilestoneChange(date(2027, 6, 30), "完成首批20部电梯安装")
    )
    project_services.save_milestone(
        project,
        milestone,
        project_services.MilestoneChange(date(2027, 6, 30), "完成首批20部电梯安装", "已完成18部", date(2027, 6, 28)),
    )
    db.session.commit()
    assert kinds() == ["adoption", "project_update", "project_update", "project_update"]
    bodies = db.session.scalars(sa.select(Notification.body).order_by(Notification.id)).all()
    assert "实施中" in bodies[1] and "新增节点" in bodies[2] and "已完成18部" in bodies[3]
    # An edit that changes nothing the public sees tells nobody.
    project_services.save_milestone(
        project,
        milestone,
        project_services.MilestoneChange(date(2027, 6, 30), "完成首批20部电梯安装", "已完成18部", date(2027, 6, 28)),
    )
    assert len(kinds()) == 4


def test_the_cli_sends_pending_messages(app, adopted, runner, caplog):
    with caplog.at_level(logging.INFO, logger="suggestions.campaign.notifications"):
        result = runner.invoke(args=["suggestions", "send-notifications"])
    assert result.exit_code == 0, result.output
    assert "sent 1 messages" in result.output
    assert PHONE not in caplog.text
    assert runner.invoke(args=["suggestions", "send-notifications"]).output.startswith("sent 0")
