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


def test_detail_and_triage_list_show_the_proposed_department_its_reason_and_candidates(client, auth, staff, app):
    from suggestions import intake
    from suggestions.extensions import db
    from suggestions.routing.handlers import Directory, HandlerView, department_candidates, handler_route
    from tests import factories

    housing = factories.category_coded("城乡建设")
    decision = factories.decision_for(housing, confidence=0.9)
    district = factories.district_named("河西区")
    decision.handler = HandlerView("属地政府", 0.7, 0.85, (("属地政府", 0.7), ("住建", 0.2)), (("小区", 0.2),))
    directory = Directory.load()
    route = handler_route(decision.handler, district=district, current=decision.department, directory=directory)
    decision.department, decision.basis = route.department, route.basis
    decision.confidence, decision.threshold = route.confidence, route.threshold
    decision.department_candidates = department_candidates(
        chosen=decision.department,
        chosen_probability=decision.confidence,
        chosen_basis=decision.basis,
        category_candidates=[(housing.department, 0.9)],
        handler=decision.handler,
        district=district,
        directory=directory,
    )

    from suggestions.workflow import Channel

    receipt = intake.submit(
        intake.Intake(body="小区门口道路坑洼，下雨积水严重，希望尽快修补。", district_id=district.id),
        channel=Channel.WEB,
        decision=decision,
        vault=app.extensions["phone_vault"],
    )
    db.session.commit()
    item = receipt.suggestion
    assert item.status == Status.NEEDS_TRIAGE
    auth.login(staff["dispatcher"])
    html = client.get(f"/suggestions/{item.id}").get_data(as_text=True)
    assert "→ 河西区人民政府" in html and "分拨依据：属地问题（提到：小区）→ 河西区人民政府" in html
    assert "承办类型：属地政府" in html and "河西区人民政府（属地）70%" in html
    government = factories.department_named("河西区人民政府")
    assert f'<option selected value="{government.id}">河西区人民政府</option>' in html  # confirming is one click
    triage = client.get("/work/triage").get_data(as_text=True)
    assert "派往 河西区人民政府" in triage and "市住房和城乡建设委员会" in triage


def panel_order(client, suggestion) -> list[str]:
    import re

    html = client.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)
    return re.findall(r'id="panel-([a-z_]+)"', html)


@pytest.mark.parametrize(
    ("role", "status", "first"),
    [
        ("officer", Status.DISPATCHED, ["sign"]),
        ("officer", Status.SIGNED, ["reply"]),
        ("officer", Status.IN_PROGRESS, ["reply"]),
        ("dispatcher", Status.REPLIED, ["approve_reply", "send_back"]),
        ("operator", Status.CALLBACK_PENDING, ["callback"]),
    ],
)
def test_the_main_action_of_the_state_comes_first(client, auth, staff, housing_item, role, status, first):
    suggestion = housing_item(status)
    auth.login(staff[role])
    assert panel_order(client, suggestion)[: len(first)] == first


def test_a_dispatcher_sees_dispatch_first_in_the_manual_queue(client, auth, staff, vault):
    from tests import factories

    suggestion = factories.submit(vault, category=None).suggestion
    auth.login(staff["dispatcher"])
    order = panel_order(client, suggestion)
    assert order[0] == "dispatch" and order.index("note") > order.index("reject")
