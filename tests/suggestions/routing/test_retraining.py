"""Corrections -> `flask classifier retrain` -> a recorded version, promoted (served at once) or refused."""

import shutil

import pytest
import sqlalchemy as sa

from classifier import artifacts
from classifier.dataset import load_labelled
from suggestions import routing
from suggestions.extensions import db
from suggestions.models import ModelVersion, RouteCorrection
from suggestions.routing import retraining
from tests import factories
from tests.classifier.test_retrain import PARCELS
from tests.conftest import TINY_TRAIN

# The fixture base set has 70 messages: one message moves a fold's macro-F1 by ~0.015 (see test_retrain.py).
TOLERANCE = "0.05"


@pytest.fixture
def model_path(tiny_full_model_path, tmp_path):
    path = tmp_path / "models" / "suggestion_router.joblib"
    path.parent.mkdir()
    shutil.copy(tiny_full_model_path, path)
    return path


@pytest.fixture
def app_settings(tiny_data_dir):
    return {"CLASSIFIER_DATA_DIR": str(tiny_data_dir), "CLASSIFIER_RELOAD_SECONDS": 0}


def correct(vault, staff, title, body, code, department=None):
    item = factories.submit(vault, category=None, title=title, body=body).suggestion
    category = factories.category_coded(code)
    routing.correct_route(
        item, actor=staff["dispatcher"], category=category, department=department, reason="模型分错了类别"
    )
    db.session.commit()
    return item


def test_corrections_become_training_rows_and_the_latest_one_wins(app, staff, vault):
    item = correct(vault, staff, "快递网点乱", "快递网点占道分拣包裹，影响通行", "交通运输")
    routing.correct_route(
        item,
        actor=staff["dispatcher"],
        category=factories.category_coded("商贸旅游"),
        department=factories.department_named("河西区人民政府"),
        reason="再次核实",
    )
    db.session.commit()
    rows = retraining.correction_set()
    assert [(m.title, m.label) for m in rows["category"]] == [("快递网点乱", "商贸旅游")]
    assert [(m.body, m.label) for m in rows["handler"]] == [("快递网点占道分拣包裹，影响通行", "属地政府")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RouteCorrection)) == 2


def test_retraining_promotes_a_better_model_and_workers_serve_it(app, runner, staff, vault, model_path):
    old_version = app.extensions["classifier"].get().version
    for title, body in PARCELS:
        correct(vault, staff, title, body, "商贸旅游", factories.department_named("市商务局"))
    result = runner.invoke(args=["classifier", "retrain", "--tolerance", TOLERANCE])
    assert result.exit_code == 0, result.output
    assert "promoted (6 category, 6 department and 0 domain corrections)" in result.output
    versions = {v.version: v for v in db.session.scalars(sa.select(ModelVersion))}
    assert versions[old_version].state == "retired" and versions[old_version].trigger == "initial"
    new = next(v for v in versions.values() if v.state == "promoted")
    assert new.version != old_version and new.promoted_at is not None and new.reasons
    assert new.category_corrections == 6 and new.macro_f1 is not None
    # The promoted artifact lives in its database row, where every app server reads it; the file is untouched.
    assert artifacts.loads(new.artifact).version == new.version
    assert artifacts.load(model_path).version == old_version
    served = app.extensions["classifier"].get()
    assert served.version == new.version
    assert served.predict("快递驿站", "快递包裹堆在门口").category.label == "商贸旅游"


def test_retraining_refuses_a_worse_model_and_keeps_serving_the_old_one(app, runner, staff, vault, model_path):
    old_version = app.extensions["classifier"].get().version
    base = load_labelled(TINY_TRAIN)
    labels = sorted({m.label for m in base})
    for message in base[::5]:
        correct(vault, staff, message.title, message.body, labels[(labels.index(message.label) + 1) % 7])
    result = runner.invoke(args=["classifier", "retrain", "--tolerance", TOLERANCE])
    assert result.exit_code == 0, result.output
    assert "refused" in result.output
    refused = db.session.scalar(sa.select(ModelVersion).where(ModelVersion.state == "refused"))
    assert refused is not None and any("相互矛盾" in reason for reason in refused.reasons)
    assert refused.comparison["category"]["base_cv"]["new"] < refused.comparison["category"]["base_cv"]["old"]
    assert app.extensions["classifier"].get().version == old_version
    html_client = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(html_client).login(staff["admin"])
    page = html_client.get("/admin/models").get_data(as_text=True)
    assert refused.version in page and "未采用" in page


def test_department_corrections_reach_the_handler_model(app, runner, staff, vault):
    correct(
        vault,
        staff,
        "村里道路没有硬化",
        "某某镇某某村的道路雨天泥泞",
        "城乡建设",
        factories.department_named("河西区人民政府"),
    )
    result = runner.invoke(args=["classifier", "retrain", "--tolerance", "1"])
    assert result.exit_code == 0, result.output
    latest = db.session.scalar(sa.select(ModelVersion).order_by(ModelVersion.id.desc()))
    assert latest.handler_corrections == 1
    assert len(latest.card["models"]["handler"]["data"]["corrections"]) == 1
    assert latest.comparison["handler"]["n_corrections"] == 1
