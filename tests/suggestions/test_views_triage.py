"""Queues, detail pages and dispatching; officers see only their own department."""

import pytest

from suggestions.extensions import db
from suggestions.workflow import Status
from tests import factories


@pytest.fixture
def vault(app):
    return app.extensions["phone_vault"]


@pytest.fixture
def items(seeded, vault):
    """One item in the housing queue, one in transport, one waiting for manual dispatch."""
    return {
        "housing": factories.submit(
            vault, category=factories.category_coded("城乡建设"), title="老楼加装电梯"
        ).suggestion,
        "transport": factories.submit(
            vault, category=factories.category_coded("交通运输"), title="增加公交"
        ).suggestion,
        "manual": factories.submit(
            vault, category=factories.category_coded("环境保护"), confidence=0.2, title="河道治理"
        ).suggestion,
    }


def test_officer_queue_shows_only_their_department(client, auth, staff, items):
    auth.login(staff["officer"])
    html = client.get("/queue").get_data(as_text=True)
    assert "市住房和城乡建设委员会" in html
    assert items["housing"].tracking_code in html
    assert items["transport"].tracking_code not in html
    assert items["manual"].tracking_code not in html
    for column in ("状态", "已过", "类别", "所在区", "渠道"):
        assert column in html


def test_officer_gets_404_on_another_departments_item(client, auth, staff, items):
    auth.login(staff["officer"])
    assert client.get(f"/suggestions/{items['housing'].id}").status_code == 200
    assert client.get(f"/suggestions/{items['transport'].id}").status_code == 404
    assert client.get(f"/suggestions/{items['manual'].id}").status_code == 404


def test_officer_cannot_dispatch_or_see_the_manual_queue(client, auth, staff, items):
    auth.login(staff["officer"])
    assert client.get("/triage").status_code == 403
    police = factories.department_named("市公安局")
    response = client.post(f"/suggestions/{items['manual'].id}/dispatch", data={"dispatch-department": police.id})
    assert response.status_code in (403, 404)
    db.session.refresh(items["manual"])
    assert items["manual"].status == Status.NEEDS_TRIAGE
    own = client.post(
        f"/suggestions/{items['housing'].id}/dispatch",
        data={"dispatch-department": police.id, "dispatch-reason": "想改派"},
    )
    assert own.status_code == 403
    db.session.refresh(items["housing"])
    assert items["housing"].department.name == "市住房和城乡建设委员会"


def test_officer_cannot_widen_the_queue_with_a_department_parameter(client, auth, staff, items):
    auth.login(staff["officer"])
    transport = factories.department_named("市交通运输委员会")
    html = client.get(f"/queue?department={transport.id}").get_data(as_text=True)
    assert items["transport"].tracking_code not in html


def test_dispatcher_sees_every_department_and_the_manual_queue(client, auth, staff, items):
    auth.login(staff["dispatcher"])
    everything = client.get("/queue").get_data(as_text=True)
    assert items["housing"].tracking_code in everything and items["transport"].tracking_code in everything
    manual = client.get("/triage").get_data(as_text=True)
    assert items["manual"].tracking_code in manual
    assert items["housing"].tracking_code not in manual
    assert "派往 市生态环境局" in manual  # the top candidate as a one-click button


def test_dispatcher_routes_an_item_with_one_action(client, auth, staff, items):
    auth.login(staff["dispatcher"])
    environment = factories.category_coded("环境保护")
    response = client.post(
        f"/suggestions/{items['manual'].id}/dispatch",
        data={"dispatch-department": environment.department.id, "dispatch-category": environment.id,
              "dispatch-queue": "triage-list"},
    )
    assert response.status_code == 303
    db.session.refresh(items["manual"])
    assert items["manual"].status == Status.DISPATCHED
    assert items["manual"].department.name == "市生态环境局"
    after = client.get("/triage").get_data(as_text=True)
    assert f"{items['manual'].tracking_code} 已派至「市生态环境局」" in after
    assert "该队列已全部处理完" in after


def test_dispatch_from_detail_moves_on_to_the_next_waiting_item(client, auth, staff, items, vault):
    later = factories.submit(vault, category=None, title="第二条待分拨").suggestion
    auth.login(staff["dispatcher"])
    response = client.post(
        f"/suggestions/{items['manual'].id}/dispatch",
        data={"dispatch-department": factories.department_named("市水务局").id, "dispatch-queue": "triage"},
    )
    assert response.headers["Location"].endswith(f"/suggestions/{later.id}?queue=triage")


def test_redispatch_without_reason_is_refused_with_a_message(client, auth, staff, items):
    auth.login(staff["dispatcher"])
    response = client.post(
        f"/suggestions/{items['transport'].id}/dispatch",
        data={"dispatch-department": factories.department_named("市公安局").id},
        follow_redirects=True,
    )
    assert "需要填写原因" in response.get_data(as_text=True)
    db.session.refresh(items["transport"])
    assert items["transport"].department.name == "市交通运输委员会"


def test_dispatch_without_a_department_is_refused(client, auth, staff, items):
    auth.login(staff["dispatcher"])
    response = client.post(f"/suggestions/{items['manual'].id}/dispatch", data={}, follow_redirects=True)
    assert "请选择承办部门" in response.get_data(as_text=True)


def test_detail_shows_route_explanation_timeline_and_masked_phone(client, auth, staff, items):
    auth.login(staff["dispatcher"])
    html = client.get(f"/suggestions/{items['housing'].id}").get_data(as_text=True)
    assert "因为提到：公交线路" in html
    assert "置信度 90%" in html
    assert "登记受理" in html and "自动派单" in html
    assert "138****5678" in html and "13812345678" not in html


def test_unknown_item_is_404(client, auth, staff, items):
    auth.login(staff["dispatcher"])
    assert client.get("/suggestions/999999").status_code == 404


@pytest.mark.parametrize(
    "path", ["/queue", "/triage", "/work/review", "/work/callbacks", "/suggestions/1", "/admin/", "/stats/"]
)
def test_staff_pages_need_login(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_manual_queue_warns_when_no_model_is_loaded(client, auth, staff, items, app, tmp_path):
    from suggestions.routing import ModelHolder

    app.extensions["classifier"] = ModelHolder(tmp_path / "missing.joblib", 0)
    auth.login(staff["dispatcher"])
    assert "未找到分类模型文件" in client.get("/triage").get_data(as_text=True)
