"""Admins edit the category -> department table in the UI."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.workflow import Role
from tests import factories


def test_admin_sees_the_routing_table(client, auth, staff):
    auth.login(staff["admin"])
    html = client.get("/admin/routing").get_data(as_text=True)
    assert "交通运输" in html and "市交通运输委员会" in html


@pytest.mark.parametrize("role", ["operator", "dispatcher", "officer"])
def test_only_admins_edit_routing(client, auth, staff, role):
    auth.login(staff[role])
    transport = factories.category_coded("交通运输")
    assert client.get("/admin/routing").status_code == 403
    assert client.post(f"/admin/routing/{transport.id}", data={"department": 1}).status_code == 403


def test_changing_a_route_sends_new_suggestions_to_the_new_department(client, auth, staff, app):
    auth.login(staff["admin"])
    transport, police = factories.category_coded("交通运输"), factories.department_named("市公安局")
    response = client.post(f"/admin/routing/{transport.id}", data={"department": police.id}, follow_redirects=True)
    assert "现在派往「市公安局」" in response.get_data(as_text=True)
    db.session.refresh(transport)
    assert transport.department == police
    suggestion = factories.submit(app.extensions["phone_vault"], category=transport).suggestion
    assert suggestion.department == police


def test_clearing_a_route_sends_the_category_to_manual_dispatch(client, auth, staff):
    auth.login(staff["admin"])
    transport = factories.category_coded("交通运输")
    client.post(f"/admin/routing/{transport.id}", data={"department": ""})
    db.session.refresh(transport)
    assert transport.department is None


def test_unknown_department_is_refused(client, auth, staff):
    auth.login(staff["admin"])
    transport = factories.category_coded("交通运输")
    response = client.post(f"/admin/routing/{transport.id}", data={"department": "424242"}, follow_redirects=True)
    assert "请选择有效的承办部门" in response.get_data(as_text=True)
    db.session.refresh(transport)
    assert transport.department.name == "市交通运输委员会"


def test_admin_sets_a_departments_handler_type(client, auth, staff):
    auth.login(staff["admin"])
    water = factories.department_named("市水务局")
    html = client.get("/admin/routing").get_data(as_text=True)
    assert "部门的承办类型" in html and "河西区人民政府" in html
    response = client.post(f"/admin/departments/{water.id}/type", data={"handler_type": "住建"}, follow_redirects=True)
    assert "承办类型现在是「住建」" in response.get_data(as_text=True)
    db.session.refresh(water)
    assert water.handler_type == "住建"


@pytest.mark.parametrize(
    ("name", "handler_type"), [("市水务局", "属地政府"), ("河西区人民政府", "城管"), ("市水务局", "外星人")]
)
def test_local_government_type_belongs_to_district_governments_only(client, auth, staff, name, handler_type):
    auth.login(staff["admin"])
    department = factories.department_named(name)
    before = department.handler_type
    response = client.post(
        f"/admin/departments/{department.id}/type", data={"handler_type": handler_type}, follow_redirects=True
    )
    assert response.status_code == 200 and "flash--error" in response.get_data(as_text=True)
    db.session.refresh(department)
    assert department.handler_type == before


@pytest.fixture
def admin(client, auth, staff):
    auth.login(staff["admin"])
    return client


def test_admin_overview_warns_about_years_without_holiday_data(admin):
    html = admin.get("/admin/").get_data(as_text=True)
    assert "系统管理" in html
    from datetime import date

    from suggestions.workflow.workdays import package_covers

    if not package_covers(date.today().year + 1):
        assert f"{date.today().year + 1}年的法定节假日和调休安排尚未录入" in html


def test_time_limits_are_edited_and_used_for_new_items(admin, app):
    from suggestions.workflow import Step, Urgency
    from suggestions.workflow.deadlines import limit_for

    transport = factories.category_coded("交通运输")
    response = admin.post(
        "/admin/time-limits",
        data={"step": "reply", "category": transport.id, "urgency": "", "amount": 10, "unit": "working_days"},
    )
    assert response.status_code == 303
    assert limit_for(Step.REPLY, transport.id, Urgency.GENERAL).amount == 10
    admin.post(
        "/admin/time-limits",
        data={"step": "reply", "category": transport.id, "urgency": "", "amount": 8, "unit": "working_days"},
    )
    assert limit_for(Step.REPLY, transport.id, Urgency.GENERAL).amount == 8  # replaced, not duplicated
    bad = admin.post("/admin/time-limits", data={"step": "reply", "amount": 0, "unit": "working_days"})
    assert bad.status_code == 400 and "时限应为正整数" in bad.get_data(as_text=True)


def test_calendar_days_are_added_for_uncovered_years(admin):
    from datetime import date

    from suggestions.workflow.workdays import load_calendar

    response = admin.post("/admin/calendar", data={"day": "2099-01-02", "is_workday": "0", "note": "元旦"})
    assert response.status_code == 303
    assert not load_calendar(date(2099, 1, 1)).is_workday(date(2099, 1, 2))
    html = admin.get("/admin/calendar?year=2099").get_data(as_text=True)
    assert "元旦" in html and "尚未内置" in html


def test_a_whole_holiday_is_entered_at_once_as_a_date_range(admin):
    """Issue 16.11: the calendar took one date at a time."""
    from datetime import date

    from suggestions.workflow.workdays import load_calendar

    data = {"day": "2099-01-28", "until": "2099-02-04", "is_workday": "0", "note": "春节"}
    response = admin.post("/admin/calendar", data=data)
    assert response.status_code == 303
    calendar = load_calendar(date(2099, 1, 27))
    assert [calendar.is_workday(date(2099, 1, 28) + timedelta(days=n)) for n in range(8)] == [False] * 8
    assert calendar.is_workday(date(2099, 2, 5))  # a Thursday after the range
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "2099-01-28 至 2099-02-04（8 天）已保存" in page
    backwards = admin.post("/admin/calendar", data={**data, "until": "2099-01-01"})
    assert backwards.status_code == 400 and "结束日期不能早于开始日期" in backwards.get_data(as_text=True)
    too_long = admin.post("/admin/calendar", data={**data, "until": "2099-06-01"})
    assert too_long.status_code == 400 and "一次最多录入 31 天" in too_long.get_data(as_text=True)


def test_the_calendar_shows_the_holidays_it_already_knows(admin):
    html = admin.get("/admin/calendar?year=2026").get_data(as_text=True)
    known = html[html.index("2026年内置的节假日安排") :]
    assert "国庆节" in known and "10月1日 至 10月7日，共 7 天" in known
    assert "春节" in known and "2月14日（周六）" in known  # a make-up working day
    assert "National Day" not in html


def test_reply_templates_campaigns_projects_and_staff(admin):
    assert (
        admin.post(
            "/admin/reply-templates",
            data={"name": "通用答复", "body": "感谢您的建议。", "status": "", "is_active": "y"},
        ).status_code
        == 303
    )
    assert "通用答复" in admin.get("/admin/reply-templates").get_data(as_text=True)
    assert (
        admin.post(
            "/admin/campaigns",
            data={
                "year": 2027,
                "name": "2028年民心工程金点子征集",
                "opens_on": "2027-09-01",
                "closes_on": "2027-09-27",
            },
        ).status_code
        == 303
    )
    from suggestions.models import Campaign, Project, StaffUser

    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2027))
    assert campaign.domains == []  # no year chosen to copy from
    backwards = admin.post(
        "/admin/campaigns",
        data={"year": 2027, "name": "x", "opens_on": "2027-09-27", "closes_on": "2027-09-01"},
    )
    assert backwards.status_code == 400 and "截止日期不能早于开始日期" in backwards.get_data(as_text=True)
    project = {"project-campaign": campaign.id, "project-year": 2028, "project-status": "planned"}
    created = admin.post("/admin/projects", data={**project, "project-number": 1, "project-title": "一老一小服务提升"})
    assert created.status_code == 303
    clash = admin.post("/admin/projects", data={**project, "project-number": 1, "project-title": "重复序号"})
    assert clash.status_code == 400 and "已有第1项" in clash.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 1
    water = factories.department_named("市水务局")
    assert (
        admin.post(
            "/admin/staff",
            data={
                "username": "water.li",
                "display_name": "李工",
                "role": "officer",
                "department": water.id,
                "password": "long-enough-1",
            },
        ).status_code
        == 303
    )
    created = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == "water.li"))
    assert created.department == water and created.check_password("long-enough-1")
    no_department = admin.post(
        "/admin/staff", data={"username": "x.y", "display_name": "x", "role": "officer", "password": "long-enough-1"}
    )
    assert no_department.status_code == 400 and "必须选择所属部门" in no_department.get_data(as_text=True)


def test_admin_cannot_deactivate_themselves(admin, staff):
    response = admin.post(f"/admin/staff/{staff['admin'].id}/toggle", data={"confirmed": "yes"}, follow_redirects=True)
    assert "不能停用自己的账号" in response.get_data(as_text=True)


class TestStaffAccounts:
    """Issue 16.11: administrators edit staff and reset passwords; 停用 asks first."""

    def test_deactivating_asks_for_a_confirmation_first(self, admin, staff):
        officer = staff["officer"]
        listing = admin.get("/admin/staff").get_data(as_text=True)
        assert f'href="/admin/staff/{officer.id}/toggle"' in listing  # a link to the confirmation, not a button
        page = admin.get(f"/admin/staff/{officer.id}/toggle").get_data(as_text=True)
        assert "确认停用" in page and "已登录的设备立即退出" in page
        unconfirmed = admin.post(f"/admin/staff/{officer.id}/toggle")
        assert unconfirmed.status_code == 303 and unconfirmed.location.endswith(f"/admin/staff/{officer.id}/toggle")
        db.session.expire_all()
        assert officer.is_active
        assert admin.post(f"/admin/staff/{officer.id}/toggle", data={"confirmed": "yes"}).status_code == 303
        db.session.expire_all()
        assert not officer.is_active
        assert admin.post(f"/admin/staff/{officer.id}/toggle").status_code == 303  # 启用 needs no confirmation
        db.session.expire_all()
        assert officer.is_active

    def test_an_admin_changes_name_role_and_department_and_it_is_audited(self, admin, staff):
        from suggestions.models import AuditEntry

        operator, water = staff["operator"], factories.department_named("市水务局")
        version = operator.session_version
        data = {
            "form": "edit",
            "edit-display_name": "李四",
            "edit-role": "officer",
            "edit-department": str(water.id),
        }
        assert admin.post(f"/admin/staff/{operator.id}", data=data).status_code == 303
        db.session.expire_all()
        assert (operator.display_name, operator.role, operator.department) == ("李四", Role.OFFICER, water)
        assert operator.session_version > version  # the new role applies from the next sign-in
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "staff_updated"))
        assert entry.details["changed"]["role"] == ["operator", "officer"]

    def test_an_officer_needs_a_department_and_an_admin_cannot_demote_themselves(self, admin, staff):
        operator = staff["operator"]
        page = admin.post(
            f"/admin/staff/{operator.id}",
            data={"form": "edit", "edit-display_name": "x", "edit-role": "officer", "edit-department": ""},
        )
        assert page.status_code == 400 and "必须选择所属部门" in page.get_data(as_text=True)
        me = staff["admin"]
        page = admin.post(
            f"/admin/staff/{me.id}",
            data={"form": "edit", "edit-display_name": "管理员", "edit-role": "dispatcher", "edit-department": ""},
        )
        assert page.status_code == 400 and "不能取消自己的管理员角色" in page.get_data(as_text=True)

    def test_a_password_reset_takes_effect_and_ends_the_accounts_sessions(self, admin, staff):
        from suggestions.models import AuditEntry

        officer = staff["officer"]
        version = officer.session_version
        mismatch = admin.post(
            f"/admin/staff/{officer.id}",
            data={"form": "reset", "reset-password": "brand-new-pass-1", "reset-confirm": "other-pass-123"},
        )
        assert mismatch.status_code == 400 and "两次输入的密码不一致" in mismatch.get_data(as_text=True)
        done = admin.post(
            f"/admin/staff/{officer.id}",
            data={"form": "reset", "reset-password": "brand-new-pass-1", "reset-confirm": "brand-new-pass-1"},
        )
        assert done.status_code == 303
        db.session.expire_all()
        assert officer.check_password("brand-new-pass-1") and officer.session_version > version
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "staff_password_reset"))
        assert entry.details == {"username": officer.username} and "brand-new" not in str(entry.details)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/time-limits",
        "/admin/calendar",
        "/admin/reply-templates",
        "/admin/campaigns",
        "/admin/projects",
        "/admin/posters",
        "/admin/campaigns/1/domains",
        "/admin/staff",
        "/admin/models",
    ],
)
def test_admin_pages_are_for_admins_only(client, auth, staff, path):
    auth.login(staff["dispatcher"])
    assert client.get(path).status_code == 403


def test_keyword_rules_are_edited_and_used(admin, app):
    water = factories.department_named("市水务局")
    response = admin.post(
        "/admin/rules",
        data={
            "name": "积水",
            "keywords": "积水，内涝",
            "excludes": "",
            "department": water.id,
            "category": "",
            "priority": 10,
            "is_active": "y",
        },
    )
    assert response.status_code == 303
    from suggestions.routing import decision as routing

    matched = routing.match_rule("下雨后路口积水严重", None, routing.active_rules())
    assert matched[0].department == water
    assert "积水、内涝" in admin.get("/admin/rules").get_data(as_text=True)
    empty = admin.post("/admin/rules", data={"name": "空", "keywords": "、、", "department": water.id, "priority": 1})
    assert empty.status_code == 400


def test_model_page_lists_versions_figures_and_correction_pairs(admin, staff, app):
    from suggestions.models import ModelVersion, RouteCorrection

    vault = app.extensions["phone_vault"]
    item = factories.submit(vault, category=factories.category_coded("交通运输")).suggestion
    db.session.add_all(
        [
            ModelVersion(
                version="20261121-120000-abcdef12",
                artifact=b"",
                state="refused",
                macro_f1=0.871,
                threshold=0.81,
                coverage=0.74,
                category_corrections=3,
                handler_corrections=1,
                domain_corrections=2,
                reasons=["新模型在相同交叉验证划分上的宏平均 F1 低于现用模型。"],
            ),
            RouteCorrection(
                suggestion_id=item.id,
                actor_id=staff["dispatcher"].id,
                body=item.body,
                predicted_category="交通运输",
                corrected_category="城乡建设",
                predicted_department_id=factories.department_named("市交通运输委员会").id,
                corrected_department_id=factories.department_named("河西区人民政府").id,
            ),
        ]
    )
    db.session.commit()
    html = admin.get("/admin/models").get_data(as_text=True)
    assert "20261121-120000-abcdef12" in html and "未采用" in html and "0.871" in html
    assert "低于现用模型" in html
    assert "交通运输" in html and "城乡建设" in html and "河西区人民政府" in html
    assert "现用模型" in html


def test_the_model_page_speaks_to_administrators_in_chinese(admin, app, tmp_path):
    """Issue 16.11: /admin/models showed English and a command line."""
    html = admin.get("/admin/models").get_data(as_text=True)
    assert "flask classifier" not in html and "<code>" not in html
    assert "repeated stratified" not in html and "ECE" not in html
    assert "联系运维人员" in html


def test_evaluation_method_is_said_in_chinese():
    from suggestions.views.admin.versions import evaluation_method

    figures = {"scheme": "5x5 repeated stratified k-fold, seed 7; mean and population std over repeats", "n": 1086}
    assert evaluation_method(figures) == "5 份轮流检验、重复 5 次，共 1,086 条已标注的留言"
    assert evaluation_method({}) == ""
