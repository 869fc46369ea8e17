"""`python -m classifier train|evaluate|evaluate-dept|predict`."""

import json
import subprocess
import sys

import pytest

from classifier import load
from classifier.__main__ import main
from classifier.artifacts import library_versions
from suggestions.seed.reference_data import load_seed_file
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def cli_model(tmp_path_factory, tiny_data_dir):
    """A model trained through the CLI on the fixtures, with a handler (replies file in --data-dir)."""
    model = tmp_path_factory.mktemp("cli") / "m.joblib"
    assert main(["train", "--out", str(model), "--data-dir", str(tiny_data_dir), "--cv-repeats", "1"]) == 0
    return model


def test_train_prints_figures_and_progress(tmp_path, tiny_csv, capsys):
    model = tmp_path / "m.joblib"
    command = ["train", "--out", str(model), "--data", str(tiny_csv), "--data-dir", str(tmp_path), "--cv-repeats", "1"]
    assert main(command) == 0
    out = capsys.readouterr()
    assert "category: CV macro-F1" in out.out and "threshold" in out.out and "handler: none (no " in out.out
    assert "[1/3] category" in out.err and "fold 5/5" in out.err and "tipdm2020c_attachment4" in out.err
    assert load(model).predict("公交太少").handler is None


def test_train_with_a_replies_file_adds_the_handler(cli_model):
    card = load(cli_model).card
    assert card["models"]["handler"] is not None and card["models"]["category"]["cv"]["scheme"].startswith("1x5")


def test_no_handler_flag(tmp_path, tiny_data_dir):
    model = tmp_path / "m.joblib"
    command = ["train", "--out", str(model), "--data-dir", str(tiny_data_dir), "--cv-repeats", "1", "--no-handler"]
    assert main(command) == 0
    assert set(load(model).models) == {"category"}


def test_evaluate_json(cli_model, tiny_csv, capsys):
    capsys.readouterr()
    assert main(["evaluate", "--model", str(cli_model), "--data", str(tiny_csv), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"accuracy", "macro_f1", "n", "per_class", "confusion", "ece", "at_threshold"} <= set(report)
    assert report["n"] == 70
    assert set(report["per_class"]["交通运输"]) == {"precision", "recall", "f1", "support"}


def test_evaluate_on_a_file_it_has_never_seen_with_an_unknown_label(tmp_path, tiny_model_path, capsys):
    data = tmp_path / "new.csv"
    data.write_text(
        "id,title,body,category\n1,公交站点,建议增加公交站点,交通运输\n2,社区治安,晚上小区有人偷电动车,政法\n",
        encoding="utf-8",
    )
    assert main(["evaluate", "--model", str(tiny_model_path), "--data", str(data), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 2 and "政法" in report["per_class"] and report["unknown_labels"] == ["政法"]


def test_evaluate_dept_json_on_a_file_it_has_never_seen(cli_model, tmp_path, capsys):
    data = tmp_path / "dept.csv"
    data.write_text(
        "id,title,body,dept_type\n"
        "1,学校收费不合理,初中学校收取资料费，家长有意见,教育\n"
        "2,村道坑洼,某某镇某某村村道坑洼，希望镇里修一修,属地政府\n"
        "3,公交站太远,小区附近没有公交站,交通运输\n"
        "4,无人认领,这是一条没有归属的留言,不存在的类型\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["evaluate-dept", "--model", str(cli_model), "--data", str(data), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"accuracy", "macro_f1", "n", "per_class", "local_accuracy", "model_version"} <= set(report)
    assert report["n"] == 4 and report["unknown_labels"] == ["不存在的类型"]
    assert 0 <= report["local_accuracy"] <= 1


def test_evaluate_dept_errors(cli_model, tiny_model_path, tiny_csv, capsys):
    assert main(["evaluate-dept", "--model", str(tiny_model_path), "--data", str(tiny_csv), "--json"]) == 2
    assert "no handler-type model" in capsys.readouterr().err
    assert main(["evaluate-dept", "--model", str(cli_model), "--data", str(tiny_csv), "--json"]) == 2
    assert "lacks column(s) dept_type" in capsys.readouterr().err


def test_predict_text_and_json(cli_model, capsys):
    capsys.readouterr()
    assert main(["predict", "--model", str(cli_model), "医院挂号难，排队时间太长"]) == 0
    printed = capsys.readouterr().out
    assert "类别：卫生计生" in printed and "候选：" in printed and "因为提到：" in printed and "承办类型：" in printed
    text = "村里道路没有硬化，希望镇政府解决"
    assert main(["predict", "--model", str(cli_model), "--json", text]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"category", "handler", "domain", "model_version"}
    assert data["handler"]["label"] and data["domain"] is None
    assert all(word in text for word, _ in data["category"]["explanation"])


def test_errors_are_reported_without_a_traceback(tmp_path, capsys):
    assert main(["evaluate", "--model", str(tmp_path / "none.joblib"), "--data", "x.csv"]) == 2
    assert "model file not found" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["train", "--out", str(tmp_path / "m.joblib"), "--data", str(bad), "--data-dir", str(tmp_path)]) == 2
    assert "lacks column" in capsys.readouterr().err


@pytest.mark.slow
def test_production_model_trains_from_the_real_data_with_a_complete_card(tmp_path):
    """The one test that trains on ../shared/data, through the real `python -m` entry point (1x5 CV: ~30 s)."""
    model = tmp_path / "m.joblib"
    subprocess.run(
        [sys.executable, "-m", "classifier", "train", "--out", str(model), "--cv-repeats", "1"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    router = load(model)
    card = router.card
    assert card["versions"] == library_versions()
    category, handler = card["models"]["category"], card["models"]["handler"]
    assert set(category["labels"]) <= {entry["code"] for entry in load_seed_file()["categories"]}
    assert category["data"]["n"] == 1086
    assert category["cv"]["macro_f1_mean"] > 0.85 and category["cv"]["ece"] < 0.06
    assert 0 < category["threshold"] < 1 and 0.6 < category["cv"]["threshold"]["coverage"] <= 1
    assert handler["data"]["weak_labels"]["n_replies"] == 2806 and handler["data"]["weak_labels"]["coverage"] >= 0.7
    assert handler["cv"]["accuracy_mean"] > 0.6 and handler["cv"]["local_accuracy_mean"] > 0.75
    assert handler["data"]["left_out"] == {"体育": 1}
    prediction = router.predict("小区电动车被盗", "小区连续发生电动车被盗，报警后派出所民警来看过，但一直没有破案。")
    assert prediction.handler.label == "公安"
    assert model.stat().st_size < 30e6
    evaluated = subprocess.run(
        [
            sys.executable,
            "-m",
            "classifier",
            "evaluate",
            "--model",
            str(model),
            "--data",
            str(ROOT / "tests" / "data" / "tiny_train.csv"),
            "--json",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(evaluated.stdout)["n"] == 70
