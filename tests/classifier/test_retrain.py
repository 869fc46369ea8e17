"""Retraining with staff corrections: the candidate is written, compared on the same folds, promoted or refused.

The base data is the 70-message fixture, so one message moves a fold's macro-F1 by about 0.015; the tests use a
tolerance of 0.05 (the production default, 0.005, is sized for the 1,086 real messages).
"""

import pytest

from classifier import load
from classifier.dataset import Message, load_labelled, message_digest
from classifier.retrain import RetrainResult, correction_splits, retrain

TOLERANCE = 0.05

# The tiny model has never seen 快递 (parcel delivery) and spreads these over wrong categories; staff file them
# all under 商贸旅游.  Learnt from the other corrections, the held-out ones come out right.
PARCELS = [
    ("快递网点乱", "快递网点占道分拣包裹，影响通行"),
    ("快递丢件", "快递包裹丢失，快递公司不赔偿"),
    ("快递柜收费", "快递柜超时收费不合理"),
    ("快递员态度", "快递员不送货上门，直接放在门口"),
    ("快递车乱停", "快递三轮车在人行道乱停乱放"),
    ("快递延误", "快递一周还没送到，查询不到物流"),
]


@pytest.fixture(scope="module")
def fixes():
    return [Message(f"fix-{i}", title, body, "商贸旅游") for i, (title, body) in enumerate(PARCELS)]


@pytest.fixture(scope="module")
def noise(tiny_csv):
    """Label noise: every fifth training message again, filed under the next category in the list."""
    base = load_labelled(tiny_csv)
    labels = sorted({m.label for m in base})
    return [Message(f"noise-{m.id}", m.title, m.body, labels[(labels.index(m.label) + 1) % 7]) for m in base[::5]]


@pytest.fixture(scope="module")
def promoted(tmp_path_factory, tiny_data_dir, tiny_full_model, fixes) -> RetrainResult:
    handler_fix = [Message("h1", "学校补课乱收费", "中学老师组织学生有偿补课", "教育")]
    return retrain(
        tmp_path_factory.mktemp("retrain") / "candidate.joblib",
        corrections={"category": fixes, "handler": handler_fix},
        data_dir=tiny_data_dir,
        current=tiny_full_model,
        tolerance=TOLERANCE,
    )


def test_corrections_that_fix_a_systematic_error_are_promoted(promoted, tiny_full_model):
    assert promoted.promote
    category = promoted.comparison["category"]
    assert category["corrections"]["old_model"] == f"current model {tiny_full_model.version}"
    assert category["corrections"]["new"] > category["corrections"]["old"]
    assert category["base_cv"]["new"] >= category["base_cv"]["old"] - TOLERANCE
    assert promoted.reasons[-1].startswith("结论：候选模型不比现有模型差")
    assert any(reason.startswith("分类模型：") for reason in promoted.reasons)
    assert any(reason.startswith("承办类型模型：") for reason in promoted.reasons)
    candidate = load(promoted.path)
    assert candidate.predict("快递驿站", "快递包裹堆在门口").category.label == "商贸旅游"


def test_the_candidate_card_records_the_comparison_and_the_corrections(promoted, fixes):
    card = load(promoted.path).card
    assert card == promoted.card
    assert card["retrain"]["promote"] is True and card["retrain"]["comparison"] == promoted.comparison
    category = card["models"]["category"]
    assert category["data"]["corrections"] == [message_digest(m) for m in fixes]
    assert category["data"]["n"] == 76 and category["cv"]["n"] == 76 and "corrections" in category["cv"]["scheme"]
    handler = promoted.comparison["handler"]
    assert handler["n_corrections"] == 1 and handler["metric_base"] == "accuracy"
    assert "local_accuracy" in handler["base_cv"]["new_figures"]
    assert len(card["models"]["handler"]["data"]["corrections"]) == 1


def test_label_noise_is_refused_and_the_candidate_still_written(tmp_path, tiny_data_dir, tiny_full_model, noise):
    result = retrain(
        tmp_path / "candidate.joblib",
        corrections={"category": noise},
        data_dir=tiny_data_dir,
        current=tiny_full_model,
        tolerance=TOLERANCE,
    )
    assert not result.promote
    base = result.comparison["category"]["base_cv"]
    assert base["new"] < base["old"] - TOLERANCE
    assert any("相互矛盾" in reason for reason in result.reasons)
    assert result.reasons[-1].startswith("结论：候选模型未通过检查")
    assert result.path.is_file() and load(result.path).card["retrain"]["promote"] is False
    assert result.comparison["handler"] is None


def test_a_current_model_trained_on_the_corrections_is_not_scored_on_them(promoted, tmp_path, tiny_data_dir, fixes):
    result = retrain(
        tmp_path / "again.joblib",
        corrections={"category": fixes},
        data_dir=tiny_data_dir,
        current=load(promoted.path),
        tolerance=TOLERANCE,
    )
    assert result.comparison["category"]["corrections"]["old_model"] == "recipe fitted on the base data only"


def test_without_corrections_the_candidate_is_a_plain_retraining(tmp_path, tiny_data_dir):
    result = retrain(tmp_path / "c.joblib", corrections={}, data_dir=tiny_data_dir)
    assert result.promote and result.comparison["category"] is None
    assert "没有可用的更正记录" in result.reasons[0]
    assert set(load(result.path).models) == {"category", "handler"}


def test_corrections_of_a_model_without_data_are_reported_unused(tmp_path, tiny_csv):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "tipdm2020c_messages_train.csv").write_bytes(tiny_csv.read_bytes())
    result = retrain(
        tmp_path / "c.joblib", corrections={"handler": [Message("h", "学校收费", "", "教育")]}, data_dir=data_dir
    )
    assert result.card["models"]["handler"] is None and "承办类型模型，1 条更正未使用" in result.reasons[0]


def test_a_new_label_with_too_few_corrections_is_left_out_and_said_so(tmp_path, tiny_data_dir):
    result = retrain(
        tmp_path / "c.joblib",
        corrections={"category": [Message("p1", "社区治安", "晚上小区有人偷电动车", "政法")]},
        data_dir=tiny_data_dir,
    )
    assert any("「政法」" in reason and "暂不参与训练" in reason for reason in result.reasons)
    assert "政法" not in load(result.path).labels("category")


def test_corrections_for_an_unknown_model_are_refused(tmp_path, tiny_data_dir):
    with pytest.raises(ValueError, match="unknown models: topic"):
        retrain(tmp_path / "c.joblib", corrections={"topic": []}, data_dir=tiny_data_dir)


def test_correction_folds_hold_out_every_correction_once():
    splits = correction_splits(10, 7, 2)
    assert len(splits) == 10
    for repeat in (splits[:5], splits[5:]):
        held_out = sorted(i for _, test in repeat for i in test)
        assert held_out == list(range(10, 17))
        assert all(set(range(10)) <= set(train) and not set(train) & set(test) for train, test in repeat)
    assert correction_splits(10, 1, 1)[0][1].tolist() == [10]
