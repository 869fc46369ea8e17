"""Seeding: every department has a handler type, and every district has its 属地 government."""

import sqlalchemy as sa

from classifier.weak_labels import HANDLER_TYPES as MODEL_HANDLER_TYPES
from suggestions.extensions import db
from suggestions.models import HANDLER_TYPES, LOCAL_GOVERNMENT, Department, District
from suggestions.seed import reference_data as seeding


def test_the_app_and_the_model_share_one_list_of_handler_types():
    assert tuple(HANDLER_TYPES) == tuple(MODEL_HANDLER_TYPES)


def test_every_seeded_department_has_a_known_type(seeded):
    departments = db.session.scalars(sa.select(Department)).all()
    assert departments and all(d.handler_type in HANDLER_TYPES for d in departments)
    data = seeding.load_seed_file()
    named = set(data["department_types"]) | {
        data["districts"]["government"].format(district=n) for n in data["districts"]["names"]
    }
    assert {d.name for d in departments} <= named, "a seeded department is missing from [department_types]"


def test_issue_departments_exist_with_their_types(seeded):
    types = dict(db.session.execute(sa.select(Department.name, Department.handler_type)).all())
    assert types["市公安局"] == "公安"
    assert types["市水务局"] == "水务"
    assert types["市规划和自然资源局"] == "自然资源规划"
    assert types["市农业农村委员会"] == "农业农村"
    assert types["市发展和改革委员会"] == "发改"


def test_each_district_has_its_government_and_citywide_has_none(seeded):
    for district in db.session.scalars(sa.select(District)):
        government = db.session.scalar(sa.select(Department).where(Department.district_id == district.id))
        if district.is_citywide:
            assert government is None
        else:
            assert government.name == f"{district.name}人民政府"
            assert government.handler_type == LOCAL_GOVERNMENT and government.is_local_government
    assert db.session.scalar(sa.select(sa.func.count()).where(Department.handler_type == LOCAL_GOVERNMENT)) == 16


def test_seeding_again_keeps_an_admins_type_choice(seeded):
    museum = db.session.scalar(sa.select(Department).where(Department.name == "市文化和旅游局"))
    museum.handler_type = "其他"
    db.session.commit()
    report = seeding.seed_reference_data()
    assert report.departments == 0
    assert museum.handler_type == "其他"
