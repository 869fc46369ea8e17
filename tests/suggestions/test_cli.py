"""`flask suggestions ...` commands."""

import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import Campaign, Category, Department, District, Reply, StaffUser, Suggestion
from suggestions.workflow import Channel, Status
from tests import factories
from tests.conftest import ROOT

DATA_DIR = ROOT.parent / "shared" / "data"


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_adds_taxonomy_districts_campaign_and_prints_each_password_once(runner):
    first = runner.invoke(args=["suggestions", "seed"])
    assert first.exit_code == 0, first.output
    assert count(Category) == 7 and count(District) == 17 and count(Campaign) == 1
    assert count(Department) == 36  # 7 category departments, 12 more for manual routing, the office, 16 districts
    from suggestions.models import RoutingRule, TimeLimit

    assert count(RoutingRule) == 6 and count(TimeLimit) == 10
    assert db.session.scalar(sa.select(District).where(District.is_citywide)).name == "全市"
    for username in ("operator", "dispatcher", "officer", "admin"):
        assert f"login: {username}" in first.output
    assert first.output.count("password:") == 4
    again = runner.invoke(args=["suggestions", "seed"])
    assert "password:" not in again.output
    assert count(StaffUser) == 4 and count(Category) == 7


def test_seeded_routes_follow_the_default_table(runner):
    runner.invoke(args=["suggestions", "seed"])
    routes = dict(db.session.execute(sa.select(Category.code, Department.name).join(Category.department)).all())
    assert routes == {
        "城乡建设": "市住房和城乡建设委员会",
        "环境保护": "市生态环境局",
        "交通运输": "市交通运输委员会",
        "教育文体": "市教育委员会",
        "劳动和社会保障": "市人力资源和社会保障局",
        "商贸旅游": "市商务局",
        "卫生计生": "市卫生健康委员会",
    }


def test_seed_never_overwrites_an_admins_routing_choice(runner):
    runner.invoke(args=["suggestions", "seed"])
    transport = db.session.scalar(sa.select(Category).where(Category.code == "交通运输"))
    police = db.session.scalar(sa.select(Department).where(Department.name == "市公安局"))
    transport.department = police
    db.session.commit()
    runner.invoke(args=["suggestions", "seed"])
    db.session.refresh(transport)
    assert transport.department == police


def test_setup_loads_real_demo_messages_through_intake_once(runner, app):
    app.config["CLASSIFIER_DATA_DIR"] = str(DATA_DIR)
    result = runner.invoke(args=["suggestions", "setup", "--demo"])
    assert result.exit_code == 0, result.output
    assert "loaded 300 demo suggestions" in result.output
    assert count(Suggestion) == 300
    channels = set(db.session.scalars(sa.select(Suggestion.channel).distinct()))
    assert channels == {Channel.WEB, Channel.QR, Channel.HOTLINE}
    times = db.session.scalars(sa.select(Suggestion.received_at)).all()
    assert (max(times) - min(times)).days >= 20
    again = runner.invoke(args=["suggestions", "setup", "--demo"])
    assert "demo skipped" in again.output and count(Suggestion) == 300
    # Issue 16.3: demo replies are complete answers, never a template with （请填写…） left in.
    replies = db.session.scalars(sa.select(Reply.body)).all()
    assert len(set(replies)) >= 3 and not [body for body in replies if "请填写" in body]


def test_setup_without_demo_and_missing_data_still_works(runner, app, tmp_path):
    app.config["CLASSIFIER_DATA_DIR"] = str(tmp_path)
    assert runner.invoke(args=["suggestions", "setup", "--no-demo"]).exit_code == 0
    result = runner.invoke(args=["suggestions", "load-demo"])
    assert result.exit_code == 0 and "demo data not found" in result.output
    assert count(Suggestion) == 0


def test_set_password(runner):
    runner.invoke(args=["suggestions", "seed"])
    result = runner.invoke(args=["suggestions", "set-password", "admin"], input="new-password-1\nnew-password-1\n")
    assert result.exit_code == 0
    admin = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == "admin"))
    db.session.refresh(admin)
    assert admin.check_password("new-password-1")


def test_route_command_routes_everything_waiting_and_says_how_many(runner, app):
    runner.invoke(args=["suggestions", "seed"])
    vault = app.extensions["phone_vault"]
    for _ in range(3):
        factories.submit(vault, body="小区门口的公交线路太少，建议增加公交班次并增设站点。", routed=False)
    result = runner.invoke(args=["suggestions", "route"])
    assert result.exit_code == 0 and "routed 3 suggestions to a department" in result.output
    assert set(db.session.scalars(sa.select(Suggestion.status))) == {Status.DISPATCHED}


def test_route_triage_dispatches_what_the_model_now_decides(runner, app):
    """A bulk re-route: items that went to manual dispatch while no model was loaded are routed again."""
    from suggestions.models import SuggestionEvent

    runner.invoke(args=["suggestions", "seed"])
    vault = app.extensions["phone_vault"]
    waiting = factories.submit(
        vault, category=None, body="小区门口的公交线路太少，建议增加公交班次并增设站点。"
    ).suggestion
    assert waiting.status == Status.NEEDS_TRIAGE
    result = runner.invoke(args=["suggestions", "route", "--triage"])
    assert result.exit_code == 0 and "routed 1 suggestions to a department" in result.output
    db.session.refresh(waiting)
    assert waiting.status == Status.DISPATCHED and waiting.department.name == "市交通运输委员会"
    last = db.session.scalars(sa.select(SuggestionEvent).order_by(SuggestionEvent.id.desc())).first()
    assert (last.action, last.from_status, last.actor_kind) == ("auto_dispatch", Status.NEEDS_TRIAGE, "system")
