"""Queues, detail pages and dispatching; officers see only their own department."""

import re

import pytest

from suggestions import casework
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
        data={
            "dispatch-department": environment.department.id,
            "dispatch-category": environment.id,
            "dispatch-queue": "triage-list",
        },
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
    from suggestions.routing.serving import ModelHolder

    app.extensions["classifier"] = ModelHolder(tmp_path / "missing.joblib", 0)
    auth.login(staff["dispatcher"])
    assert "未找到分类模型" in client.get("/triage").get_data(as_text=True)


class TestFiltersAndSearch:
    @pytest.fixture
    def officer(self, client, auth, staff):
        auth.login(staff["officer"])
        return client

    def test_jieba_search_finds_words_in_any_order(self, officer, vault, seeded):
        housing = factories.category_coded("城乡建设")
        wanted = factories.submit(
            vault, category=housing, title="老楼加装电梯的建议", body="小区是老楼，老人上下楼难。"
        ).suggestion
        other = factories.submit(vault, category=housing, title="小区绿化", body="绿化带长期无人修剪。").suggestion
        reversed_order = factories.submit(
            vault, category=housing, title="电梯", body="希望给我们这栋楼加装一部电梯。"
        ).suggestion
        html = officer.get("/queue?q=加装电梯").get_data(as_text=True)
        assert wanted.tracking_code in html and reversed_order.tracking_code in html
        assert other.tracking_code not in html

    def test_search_by_tracking_code(self, officer, vault, seeded):
        housing = factories.category_coded("城乡建设")
        first, second = (factories.submit(vault, category=housing).suggestion for _ in range(2))
        html = officer.get(f"/queue?q={second.tracking_code}").get_data(as_text=True)
        assert second.tracking_code in html and first.tracking_code not in html

    def test_search_text_with_sql_wildcards_is_literal(self, officer, vault, seeded):
        factories.submit(vault, category=factories.category_coded("城乡建设"), body="普通的建议内容，没有百分号。")
        html = officer.get("/queue?q=%25").get_data(as_text=True)
        assert "没有符合条件的工单" in html

    def test_overdue_filter_and_flags(self, officer, vault, seeded):
        from datetime import timedelta

        from suggestions import clock

        housing = factories.category_coded("城乡建设")
        old = clock.now() - timedelta(days=20)
        late = factories.submit(vault, category=housing, received_at=old, now=old).suggestion
        fresh = factories.submit(vault, category=housing).suggestion
        html = officer.get("/queue?deadline=overdue").get_data(as_text=True)
        assert late.tracking_code in html and fresh.tracking_code not in html
        assert "超期" in html
        detail = officer.get(f"/suggestions/{late.id}").get_data(as_text=True)
        assert "badge--overdue" in detail

    def test_due_soon_flag(self, officer, vault, seeded):
        from datetime import timedelta

        from suggestions import clock

        housing = factories.category_coded("城乡建设")
        suggestion = factories.submit(vault, category=housing).suggestion
        suggestion.due_at = clock.now() + timedelta(hours=3)
        db.session.commit()
        html = officer.get("/queue?deadline=due_soon").get_data(as_text=True)
        assert suggestion.tracking_code in html and "即将超期" in html

    def test_filters_by_status_channel_district_and_assignee(self, officer, vault, seeded, staff):

        from suggestions.workflow import Channel

        housing = factories.category_coded("城乡建设")
        hexi = factories.district_named("河西区")
        a = factories.submit(vault, category=housing, district_id=hexi.id).suggestion
        b = factories.submit(vault, category=housing, channel=Channel.QR).suggestion
        casework.sign(a, actor=staff["officer"])
        db.session.commit()
        assert b.tracking_code not in officer.get("/queue?status=signed").get_data(as_text=True)
        assert a.tracking_code in officer.get(f"/queue?district={hexi.id}").get_data(as_text=True)
        qr = officer.get("/queue?channel=qr").get_data(as_text=True)
        assert b.tracking_code in qr and a.tracking_code not in qr
        mine = officer.get("/queue?assignee=me").get_data(as_text=True)
        assert a.tracking_code in mine and b.tracking_code not in mine
        unassigned = officer.get("/queue?assignee=none").get_data(as_text=True)
        assert b.tracking_code in unassigned and a.tracking_code not in unassigned

    def test_date_range_and_sort(self, officer, vault, seeded):
        from datetime import datetime

        from suggestions import clock

        housing = factories.category_coded("城乡建设")
        early = datetime(2026, 3, 2, 10, tzinfo=clock.LOCAL_TZ)
        late = datetime(2026, 3, 9, 10, tzinfo=clock.LOCAL_TZ)
        a = factories.submit(vault, category=housing, received_at=early, now=early).suggestion
        b = factories.submit(vault, category=housing, received_at=late, now=late).suggestion
        html = officer.get("/queue?received_from=2026-03-01&received_to=2026-03-05").get_data(as_text=True)
        assert a.tracking_code in html and b.tracking_code not in html
        newest_first = officer.get("/queue?sort=-received").get_data(as_text=True)
        assert newest_first.index(b.tracking_code) < newest_first.index(a.tracking_code)

    def test_bad_filter_values_are_refused_with_a_message(self, officer, seeded):
        """Issue 17.9: a 400 that says what is wrong, never a 500 (and never a silently unfiltered list)."""
        for query in ("status=lost", "district=abc", "received_from=yesterday", "sort=;drop", "channel=fax"):
            response = officer.get(f"/queue?{query}")
            assert response.status_code == 400
            assert "请修改以下内容" in response.get_data(as_text=True)
        response = officer.get("/queue?page=-3")
        assert response.status_code == 400 and "页码应为" in response.get_data(as_text=True)

    def test_operator_finds_earlier_calls_by_phone_number(self, client, auth, staff, vault, seeded):
        call = factories.submit(vault, category=factories.category_coded("城乡建设"), phone="13911112222").suggestion
        other = factories.submit(vault, category=factories.category_coded("城乡建设"), phone="13933334444").suggestion
        auth.login(staff["operator"])
        # Issue 17.5: the search box posts; the queue is shown at an address with the number's keyed hash.
        for typed in ("139 1111 2222", "8613911112222", "139.1111.2222", "+86 139-1111-2222"):
            response = client.post("/queue", data={"q": typed, "status": ""})
            assert response.status_code == 303
            location = response.headers["Location"]
            assert re.fullmatch(r"/queue\?caller=[0-9a-f]{64}", location) and "1111" not in location
            html = client.get(location).get_data(as_text=True)
            assert call.tracking_code in html and other.tracking_code not in html
            assert "正在按来电号码查找" in html and "11112222" not in html
        # An address with the number in it (an old bookmark) is moved off it.
        response = client.get("/queue?q=13911112222&status=dispatched")
        assert response.status_code == 303
        assert re.fullmatch(r"/queue\?status=dispatched&caller=[0-9a-f]{64}", response.headers["Location"])

    def test_the_search_box_posts_text_to_an_address_and_keeps_numbers_out_of_it(self, officer, seeded):
        response = officer.post("/queue", data={"q": "加装电梯", "status": "dispatched", "page": "3"})
        assert response.headers["Location"] == "/queue?q=%E5%8A%A0%E8%A3%85%E7%94%B5%E6%A2%AF&status=dispatched"
        # Officers cannot search by number; a number inside other text is dropped; both are told why.
        for typed, message in (("13911112222", "不能按来电号码查找"), ("张先生 139 1111 2222", "已去掉")):
            response = officer.post("/queue", data={"q": typed}, follow_redirects=True)
            assert response.request.full_path.rstrip("?") == "/queue"
            assert message in response.get_data(as_text=True)

    def test_a_forged_caller_token_is_refused(self, client, auth, staff, seeded):
        auth.login(staff["operator"])
        response = client.get("/queue?caller=13911112222")
        assert response.status_code == 400 and "来电号码查找条件无效" in response.get_data(as_text=True)

    def test_pagination(self, officer, vault, seeded, app):
        app.config["QUEUE_PAGE_SIZE"] = 2
        housing = factories.category_coded("城乡建设")
        codes = [factories.submit(vault, category=housing).suggestion.tracking_code for _ in range(5)]
        first = officer.get("/queue").get_data(as_text=True)
        third = officer.get("/queue?page=3").get_data(as_text=True)
        assert codes[0] in first and codes[4] not in first
        assert codes[4] in third and "第 3 / 3 页" in third


class TestAgeAndDeadlines:
    """Issue 16.8: every queue shows age and overdue state; the officer's queue starts with what is due first."""

    def test_the_manual_queue_shows_the_1_working_day_dispatch_deadline_as_overdue(self, client, auth, staff, vault):
        from datetime import timedelta

        from suggestions import clock

        old = clock.now() - timedelta(days=29)
        waiting = factories.submit(
            vault, category=factories.category_coded("环境保护"), confidence=0.2, received_at=old, now=old
        ).suggestion
        assert waiting.status == Status.NEEDS_TRIAGE and waiting.due_at == waiting.triage_due_at
        assert waiting.due_at < old + timedelta(days=6)  # 1 working day, even across a weekend or a short holiday
        auth.login(staff["dispatcher"])
        html = client.get("/work/triage").get_data(as_text=True)
        item = html[html.index(waiting.tracking_code) :]
        head = item[: item.index("</header>")]
        assert "受理于29天前" in head and "分拨期限" in head
        assert 'class="badge badge--overdue"' in head and "超期2" in head  # 超期2x天

    def test_the_review_queue_shows_its_deadline(self, client, auth, staff, housing_item):
        suggestion = housing_item(Status.REPLIED)
        assert suggestion.due_at == suggestion.review_due_at is not None
        auth.login(staff["dispatcher"])
        html = client.get("/work/review").get_data(as_text=True)
        assert "审核期限" in html

    def test_the_officers_queue_is_sorted_by_deadline_by_default(self, client, auth, staff, vault):
        from datetime import timedelta

        from suggestions import clock

        housing = factories.category_coded("城乡建设")
        newer_but_due_first = factories.submit(vault, category=housing).suggestion
        older = factories.submit(vault, category=housing).suggestion
        older.received_at = clock.now() - timedelta(days=2)
        newer_but_due_first.due_at = clock.now() + timedelta(hours=2)
        db.session.commit()
        auth.login(staff["officer"])
        html = client.get("/queue").get_data(as_text=True)
        assert html.index(newer_but_due_first.tracking_code) < html.index(older.tracking_code)
        assert '<option selected value="due">' in html
        by_arrival = client.get("/queue?sort=received").get_data(as_text=True)
        assert by_arrival.index(older.tracking_code) < by_arrival.index(newer_but_due_first.tracking_code)
