"""Every action panel over HTTP: thin views, one service call, flash, and on to the next item."""

import re

import pytest
import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import AuditEntry, Note, Project, Reply, SuggestionEvent
from suggestions.workflow import Action, Status
from tests import factories
from tests.suggestions.conftest import events_of


@pytest.fixture
def officer(client, auth, staff):
    auth.login(staff["officer"])
    return client


@pytest.fixture
def dispatcher(client, auth, staff):
    auth.login(staff["dispatcher"])
    return client


def post(client, suggestion, name, **data):
    return client.post(f"/suggestions/{suggestion.id}/{name}", data={f"{name}-{k}": v for k, v in data.items()})


def test_officer_signs_replies_and_the_reply_is_public(officer, housing_item):
    suggestion = housing_item()
    assert post(officer, suggestion, "sign").status_code == 303
    response = post(officer, suggestion, "reply", body="经研究，已将加装电梯纳入明年计划。")
    assert response.status_code == 303
    db.session.refresh(suggestion)
    assert suggestion.status == Status.REPLIED
    assert db.session.scalar(sa.select(Reply.body)) == "经研究，已将加装电梯纳入明年计划。"


def test_action_on_the_wrong_state_is_refused_with_a_message_and_changes_nothing(officer, housing_item):
    suggestion = housing_item()
    before = len(events_of(suggestion))
    response = post(officer, suggestion, "reply", body="还没签收就直接答复市民的建议")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "操作未完成" in page and "当前状态为「已派单」，不能执行「答复」" in page
    db.session.refresh(suggestion)
    assert suggestion.status == Status.DISPATCHED and len(events_of(suggestion)) == before


def test_missing_reason_is_refused(officer, housing_item):
    suggestion = housing_item()
    response = post(officer, suggestion, "return", reason="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "请填写原因" in page
    # The field itself is marked, and the panel is open (not a collapsed <details>) so the error is seen.
    assert 'id="return-reason"' in page and 'aria-invalid="true"' in page
    assert '<section class="card action-panel action-panel--return"' in page
    db.session.refresh(suggestion)
    assert suggestion.status == Status.DISPATCHED


def test_a_refused_reply_is_shown_again_with_the_typed_text(officer, housing_item):
    suggestion = housing_item(Status.SIGNED)
    response = post(officer, suggestion, "reply", body="太短了")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "太短了</textarea>" in page and "答复内容应为 10–" in page
    assert 'aria-invalid="None"' not in page and 'aria-describedby="None"' not in page


def test_return_goes_back_to_the_queue_because_the_item_is_gone(officer, housing_item):
    suggestion = housing_item()
    response = post(officer, suggestion, "return", reason="属于规划部门职责")
    assert response.headers["Location"] == "/queue"
    assert officer.get(f"/suggestions/{suggestion.id}").status_code == 404


def test_next_in_queue_moves_on_after_signing(officer, housing_item):
    first, second = housing_item(), housing_item()
    response = post(officer, first, "sign", queue="department")
    assert response.headers["Location"] == f"/suggestions/{second.id}?queue=department"


def test_unknown_action_is_404_and_wrong_role_is_403(officer, housing_item):
    suggestion = housing_item()
    assert post(officer, suggestion, "teleport").status_code == 404
    assert post(officer, suggestion, "approve_reply").status_code == 403


def test_notes_stay_internal(officer, app, housing_item):
    suggestion = housing_item(Status.SIGNED)
    post(officer, suggestion, "note", body="已电话联系街道，周五现场查看")
    assert db.session.scalar(sa.select(Note.body)) == "已电话联系街道，周五现场查看"
    html = officer.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "已电话联系街道" in html


def test_extension_request_and_approval(client, auth, staff, housing_item):
    suggestion = housing_item(Status.IN_PROGRESS)
    auth.login(staff["officer"])
    post(client, suggestion, "request_extension", working_days="5", reason="需要多部门会商")
    auth.logout()
    auth.login(staff["dispatcher"])
    queue = client.get("/work/extensions").get_data(as_text=True)
    assert suggestion.tracking_code in queue
    old_due = suggestion.reply_due_at
    assert post(client, suggestion, "approve_extension", queue="extensions").status_code == 303
    db.session.refresh(suggestion)
    assert suggestion.status == Status.IN_PROGRESS and suggestion.reply_due_at > old_due


def test_review_send_back_and_approve(dispatcher, housing_item):
    suggestion = housing_item(Status.REPLIED)
    assert suggestion.tracking_code in dispatcher.get("/work/review").get_data(as_text=True)
    post(dispatcher, suggestion, "send_back", reason="请补充具体开工时间")
    db.session.refresh(suggestion)
    assert suggestion.status == Status.IN_PROGRESS


def test_operator_records_a_callback_from_the_console(client, auth, staff, housing_item):
    suggestion = housing_item(Status.CALLBACK_PENDING)
    auth.login(staff["operator"])
    console = client.get("/work/callbacks").get_data(as_text=True)
    assert suggestion.tracking_code in console and "138****5678" in console
    post(client, suggestion, "callback", outcome="dissatisfied", note="电梯还没装", queue="callbacks")
    db.session.refresh(suggestion)
    assert suggestion.status == Status.REDO


def test_officers_cannot_open_the_callback_console(client, auth, staff):
    auth.login(staff["officer"])
    assert client.get("/work/callbacks").status_code == 403


def test_dispatcher_merges_by_tracking_code_after_confirming(dispatcher, housing_item):
    """Issue 16.10: a merge took one click; now a page shows both items and asks to confirm."""
    master, duplicate = housing_item(), housing_item()
    asked = post(dispatcher, duplicate, "merge", master_code=master.tracking_code.lower(), reason="同一小区同一诉求")
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "确认并单" in page and master.tracking_code in page and 'name="merge-confirmed" value="yes"' in page
    db.session.refresh(duplicate)
    assert duplicate.status == Status.DISPATCHED and duplicate.merged_into_id is None
    confirmed = post(
        dispatcher, duplicate, "merge", master_code=master.tracking_code, reason="同一小区同一诉求", confirmed="yes"
    )
    assert confirmed.status_code == 303
    db.session.refresh(duplicate)
    assert duplicate.merged_into_id == master.id
    html = dispatcher.get(f"/suggestions/{master.id}").get_data(as_text=True)
    assert duplicate.tracking_code in html


def test_merge_with_an_unknown_code_is_refused(dispatcher, housing_item):
    duplicate = housing_item()
    response = post(dispatcher, duplicate, "merge", master_code="JDZ-2026-12345-67897", reason="重复")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "找不到该追踪码" in page and 'value="JDZ-2026-12345-67897"' in page


def test_adoption_links_a_project(dispatcher, housing_item):
    project = Project(year=2027, number=5, title="老旧小区改造提升")
    db.session.add(project)
    db.session.commit()
    suggestion = housing_item(Status.CLOSED)
    post(dispatcher, suggestion, "adoption", outcome="adopted", project=str(project.id), reason="纳入改造项目")
    db.session.refresh(suggestion)
    assert suggestion.project_id == project.id


def test_correct_route_from_the_detail_page(officer, housing_item):
    suggestion = housing_item(Status.SIGNED)
    environment = factories.category_coded("环境保护")
    post(officer, suggestion, "correct_route", category=str(environment.id), reason="实为扬尘污染")
    assert events_of(suggestion)[-1].action == Action.CORRECT_ROUTE


class TestReveal:
    def test_reveal_shows_the_number_once_uncached_and_audits_it(self, client, auth, staff, housing_item):
        suggestion = housing_item()
        auth.login(staff["operator"])
        response = client.post(
            f"/suggestions/{suggestion.id}/reveal", data={"reveal-purpose": "callback", "reveal-reason": "回访需要拨号"}
        )
        assert response.status_code == 200
        assert "13812345678" in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store"
        event = db.session.scalar(sa.select(SuggestionEvent).order_by(SuggestionEvent.id.desc()))
        assert (event.action, event.reason) == (Action.REVEAL_CONTACT, "回访市民：回访需要拨号")
        # the detail page itself stays masked
        assert "13812345678" not in client.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)

    def test_reveal_without_a_reason_shows_nothing(self, client, auth, staff, housing_item):
        suggestion = housing_item()
        auth.login(staff["operator"])
        response = client.post(f"/suggestions/{suggestion.id}/reveal", data={"reveal-reason": ""})
        assert response.status_code == 400
        assert "13812345678" not in response.get_data(as_text=True) and "请选择查看原因" in response.get_data(
            as_text=True
        )


class TestRevealLimits:
    """Issue 17.8: every role could reveal any phone with a one-character reason, and number searches left no trace."""

    @pytest.mark.parametrize("role", ["dispatcher", "admin"])
    def test_roles_that_never_phone_residents_cannot_reveal(self, client, auth, staff, housing_item, role):
        suggestion = housing_item()
        auth.login(staff[role])
        assert 'id="panel-reveal"' not in client.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)
        response = client.post(f"/suggestions/{suggestion.id}/reveal", data={"reveal-purpose": "callback"})
        assert response.status_code == 403 and "13812345678" not in response.get_data(as_text=True)

    def test_other_needs_a_real_explanation(self, client, auth, staff, housing_item):
        suggestion = housing_item()
        auth.login(staff["officer"])
        short = client.post(
            f"/suggestions/{suggestion.id}/reveal", data={"reveal-purpose": "other", "reveal-reason": "看"}
        )
        assert short.status_code == 400 and "至少 10 个字" in short.get_data(as_text=True)
        assert "13812345678" not in short.get_data(as_text=True)
        made_up = client.post(f"/suggestions/{suggestion.id}/reveal", data={"reveal-purpose": "curious"})
        assert made_up.status_code == 400
        reason = "市民来信补充了新的地址，需电话核实具体位置"
        ok = client.post(
            f"/suggestions/{suggestion.id}/reveal", data={"reveal-purpose": "other", "reveal-reason": reason}
        )
        assert ok.status_code == 200 and "13812345678" in ok.get_data(as_text=True)
        event = db.session.scalar(sa.select(SuggestionEvent).order_by(SuggestionEvent.id.desc()))
        assert event.reason == f"其他（请说明）：{reason}"

    def test_finding_items_by_phone_number_is_audited(self, client, auth, staff, housing_item):
        housing_item()
        auth.login(staff["operator"])
        # The number travels by POST and the queue's address carries only its keyed hash (issue 17.5).
        assert client.post("/queue", data={"q": "138 1234 5678"}, follow_redirects=True).status_code == 200
        entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()))
        assert (entry.action, entry.actor_id) == ("phone_lookup", staff["operator"].id)
        assert entry.details == {"phone": "138****5678", "rows": 1, "where": "queue"}
        assert "13812345678" not in str(entry.details)
        client.get("/queue", query_string={"q": "路灯"})  # a word search is not a look-up of a person
        assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 1
        auth.logout()
        auth.login(staff["admin"])
        page = client.get("/admin/audit").get_data(as_text=True)
        assert "按电话号码查找 138****5678" in page

    def test_hotline_caller_matching_is_audited(self, client, auth, staff, housing_item):
        housing_item()
        auth.login(staff["operator"])
        response = client.post(
            "/hotline/predict", data={"body": "小区路灯坏了很久没人修，晚上出行不安全。", "phone": "13812345678"}
        )
        assert response.status_code == 200 and len(response.get_json()["earlier_calls"]) == 1
        entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()))
        assert entry.action == "phone_lookup" and entry.details["where"] == "hotline"


def test_bulk_sign_and_assign(officer, staff, housing_item):
    items = [housing_item() for _ in range(3)]
    response = officer.post("/queue/bulk", data={"ids": [s.id for s in items], "operation": "sign"})
    assert response.status_code == 303
    assert {db.session.get(type(s), s.id).status for s in items} == {Status.SIGNED}
    colleague = factories.StaffUserFactory(role="officer", department=staff["officer"].department)
    officer.post("/queue/bulk", data={"ids": [s.id for s in items], "operation": "assign", "assignee": colleague.id})
    assert {db.session.get(type(s), s.id).assignee_id for s in items} == {colleague.id}


def test_bulk_ignores_other_departments_items(officer, app, seeded):
    outsider = factories.submit(app.extensions["phone_vault"], category=factories.category_coded("交通运输")).suggestion
    officer.post("/queue/bulk", data={"ids": [outsider.id], "operation": "sign"})
    db.session.refresh(outsider)
    assert outsider.status == Status.DISPATCHED


def test_reply_template_is_offered_to_officers(officer, housing_item):
    from suggestions.seed import reference_data as seeding

    seeding.seed_reference_data()
    db.session.commit()
    html = officer.get(f"/suggestions/{housing_item(Status.SIGNED).id}").get_data(as_text=True)
    assert "使用答复模板" in html and "答复：纳入研究计划" in html
    assert re.search(r'<select id="reply-template"[^>]*data-fills="reply-body"', html)


def test_detail_lists_similar_items_and_the_callers_earlier_ones_with_one_click_merge(dispatcher, vault, seeded):
    housing = factories.category_coded("城乡建设")
    earlier = factories.submit(vault, category=housing, phone="13955556666", body="小区路灯坏了很久没人修。").suggestion
    twin = factories.submit(
        vault, category=housing, phone="13900000000", body="建议小区增设公交线路，方便老人出行。"
    ).suggestion
    current = factories.submit(
        vault, category=housing, phone="13955556666", body="希望增设公交线路，老人出行不方便。"
    ).suggestion
    html = dispatcher.get(f"/suggestions/{current.id}").get_data(as_text=True)
    assert "该来电号码此前的建议" in html and earlier.tracking_code in html
    assert "可能重复的建议" in html and twin.tracking_code in html
    assert "将本件并入此件…" in html
    data = {"merge-master_code": twin.tracking_code, "merge-reason": f"与 {twin.tracking_code} 为重复诉求"}
    assert dispatcher.post(f"/suggestions/{current.id}/merge", data=data).status_code == 200  # the confirmation
    dispatcher.post(f"/suggestions/{current.id}/merge", data={**data, "merge-confirmed": "yes"})
    db.session.refresh(current)
    assert current.merged_into_id == twin.id


def test_a_merge_is_undone_back_to_the_state_before_it_with_an_event(dispatcher, housing_item):
    master, duplicate = housing_item(), housing_item(Status.SIGNED)
    post(dispatcher, duplicate, "merge", master_code=master.tracking_code, reason="重复", confirmed="yes")
    db.session.refresh(duplicate)
    assert duplicate.status == Status.MERGED
    page = dispatcher.get(f"/suggestions/{duplicate.id}").get_data(as_text=True)
    assert 'id="action-unmerge"' in page
    assert post(dispatcher, duplicate, "unmerge", reason="并错了：不是同一小区").status_code == 303
    db.session.refresh(duplicate)
    assert duplicate.status == Status.SIGNED and duplicate.merged_into_id is None
    assert duplicate.department.name == "市住房和城乡建设委员会"
    event = events_of(duplicate)[-1]
    assert event.action == Action.UNMERGE and (event.from_status, event.to_status) == (Status.MERGED, Status.SIGNED)
    assert event.reason == "并错了：不是同一小区" and event.details["master_code"] == master.tracking_code
    assert "并入本件的建议" not in dispatcher.get(f"/suggestions/{master.id}").get_data(as_text=True)


def test_the_most_similar_item_comes_first_even_when_it_is_older(dispatcher, vault, seeded):
    from datetime import timedelta

    from suggestions import clock

    housing = factories.category_coded("城乡建设")
    old = clock.now() - timedelta(days=20)
    text = "我们小区3号楼是老楼，没有电梯，老人上下楼很困难，希望政府支持加装电梯。"
    twin = factories.submit(vault, category=housing, body=text.replace("希望", "建议"), received_at=old, now=old)
    newer = [
        factories.submit(vault, category=housing, body=f"小区{n}号楼电梯经常坏，物业不管，希望老人出行方便。")
        for n in range(6)
    ]
    current = factories.submit(vault, category=housing, body=text).suggestion
    html = dispatcher.get(f"/suggestions/{current.id}").get_data(as_text=True)
    related = html[html.index("可能重复的建议") :]
    assert twin.suggestion.tracking_code in related
    assert related.index(twin.suggestion.tracking_code) < min(
        related.index(r.suggestion.tracking_code) for r in newer if r.suggestion.tracking_code in related
    )


def test_officers_do_not_see_other_departments_items_as_related(officer, vault, seeded, housing_item):
    elsewhere = factories.submit(vault, category=factories.category_coded("交通运输"), phone="13812345678").suggestion
    html = officer.get(f"/suggestions/{housing_item().id}").get_data(as_text=True)
    assert elsewhere.tracking_code not in html


def test_a_dispatcher_urges_and_the_officer_sees_it_on_the_item_and_in_the_queue(client, auth, staff, housing_item):
    """催办: the action added through the registry (one table row, one verb, one StaffAction, one template)."""
    suggestion = housing_item()
    auth.login(staff["dispatcher"])
    assert "panel-urge" in client.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)
    assert post(client, suggestion, "urge", reason="请于明日下班前签收").status_code == 303
    auth.logout()
    auth.login(staff["officer"])
    officer = client
    page = officer.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "已催办" in page and "请于明日下班前签收" in page and "panel-urge" not in page
    assert "已催办" in officer.get("/queue").get_data(as_text=True)
    event = events_of(suggestion)[-1]
    assert (event.action, event.details["overdue"], event.details["changed"]["urge_count"]) == (
        Action.URGE,
        False,
        [0, 1],
    )


TEMPLATE_REPLY = (
    "您好！感谢您的建议。经核实，目前已有相关政策规定：（请填写政策名称和要点）。具体办理方式为：（请填写）。"
)


@pytest.mark.parametrize("name", ["reply", "interim_reply"])
def test_a_reply_with_a_template_placeholder_left_in_is_refused_at_the_field(officer, housing_item, name):
    """Issue 16.3: unfilled （请填写…） reached residents' tracking pages."""
    suggestion = housing_item(Status.IN_PROGRESS)
    response = post(officer, suggestion, name, body=TEMPLATE_REPLY)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="field__error" id="{name}-body-error">(.*?)</p>', html).group(1)
    assert "「（请填写政策名称和要点）」" in error and "「（请填写）」" in error
    assert TEMPLATE_REPLY in html  # the text is kept to finish
    assert db.session.scalar(sa.select(sa.func.count(Reply.id))) == 0
    filled = TEMPLATE_REPLY.replace("（请填写政策名称和要点）", "《天津市既有住宅加装电梯工作指导意见》").replace(
        "（请填写）", "向所在街道提交申请"
    )
    assert post(officer, suggestion, name, body=filled).status_code == 303


def test_the_service_refuses_a_placeholder_whatever_calls_it(housing_item, staff):
    from suggestions import casework
    from suggestions.workflow import WorkflowError

    suggestion = housing_item(Status.IN_PROGRESS)
    with pytest.raises(WorkflowError, match="请填写"):
        casework.reply(suggestion, TEMPLATE_REPLY, actor=staff["officer"])


def test_review_shows_the_reply_it_passes(dispatcher, housing_item):
    suggestion = housing_item(Status.REPLIED)
    reply = "经研究，已将您的建议纳入老旧小区改造计划。"
    queue = dispatcher.get("/work/review").get_data(as_text=True)
    assert reply in queue
    page = dispatcher.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)
    panel = page[page.index('id="action-approve_reply"') :]
    assert reply in panel[: panel.index("</form>")]
