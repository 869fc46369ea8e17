"""`python -m classifier train|evaluate|evaluate-dept|predict`."""

import json
import subprocess
import sys

import pytest

from classifier import artifacts
from classifier.__main__ import main
from suggestions.seed.reference_data import load_seed_file
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def cli_model(tmp_path_factory, tiny_data_dir):
    """A model trained through the CLI on the fixtures, with a handler (replies file in --data-dir)."""
    model = tmp_path_factory.mktemp("cli") / "m.joblib"
    code = main(["train", "--out", str(model), "--data-dir", str(tiny_data_dir), "--cv-repeats", "1"])
    assert code == 0
    return model


def test_train_prints_figures_and_progress(tmp_path, tiny_csv, capsys):
    model = tmp_path / "m.joblib"
    assert (
        main(["train", "--out", str(model), "--data", str(tiny_csv), "--data-dir", str(tmp_path), "--cv-repeats", "1"])
        == 0
    )
    out = capsys.readouterr()
    assert "CV macro-F1" in out.out and "threshold" in out.out and "handler: none" in out.out
    assert "[1/4]" in out.err and "fold 5/5" in out.err and "no tipdm2020c_attachment4" in out.err
    assert artifacts.load(model).handler is None


def test_train_with_a_replies_file_adds_the_handler(cli_model, capsys):
    card = artifacts.load(cli_model).card
    assert card["handler"] is not None and card["metrics"]["cv"]["scheme"].startswith("1x5")


def test_no_handler_flag(tmp_path, tiny_data_dir, capsys):
    model = tmp_path / "m.joblib"
    assert (
        main(["train", "--out", str(model), "--data-dir", str(tiny_data_dir), "--cv-repeats", "1", "--no-handler"]) == 0
    )
    assert artifacts.load(model).handler is None


def test_evaluate_json(cli_model, tiny_csv, capsys):
    capsys.readouterr()
    assert main(["evaluate", "--model", str(cli_model), "--data", str(tiny_csv), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"accuracy", "macro_f1", "n", "per_class", "confusion"} <= set(report)
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
    assert report["n"] == 2 and "政法" in report["per_class"]


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
    assert {"accuracy", "macro_f1", "n", "per_type", "local_accuracy", "model_version"} <= set(report)
    assert report["n"] == 4 and "不存在的类型" in report["per_type"]
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
    assert main(["predict", "--model", str(cli_model), "--json", "村里道路没有硬化，希望镇政府解决"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"category", "confidence", "alternatives", "explanation", "model_version", "handler"} <= set(data)
    assert data["handler"]["handler_type"] and "local_probability" in data["handler"]
    assert all(word in "村里道路没有硬化，希望镇政府解决" for word, _ in data["explanation"])


def test_errors_are_reported_without_a_traceback(tmp_path, capsys):
    assert main(["evaluate", "--model", str(tmp_path / "none.joblib"), "--data", "x.csv"]) == 2
    assert "model file not found" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["train", "--out", str(tmp_path / "m.joblib"), "--data", str(bad), "--data-dir", str(tmp_path)]) == 2
    assert "lacks column" in capsys.readouterr().err


@pytest.mark.slow
def test_production_model_trains_from_the_real_data_with_a_complete_card(tmp_path):
    """The one test that trains on ../shared/data, through the real `python -m` entry point (1x5 CV: ~25 s)."""
    model = tmp_path / "m.joblib"
    subprocess.run(
        [sys.executable, "-m", "classifier", "train", "--out", str(model), "--cv-repeats", "1"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    loaded = artifacts.load(model)
    card = loaded.card
    assert card["versions"] == artifacts.library_versions()
    assert set(card["labels"]) <= {entry["code"] for entry in load_seed_file()["categories"]}
    assert card["data"]["n"] == 1086 and card["data"]["taxonomy"]["pseudo_documents"] > 100
    cv = card["metrics"]["cv"]
    assert cv["macro_f1_mean"] > 0.86 and cv["ece"] < 0.06
    assert 0 < card["threshold"] < 1 and 0.6 < cv["threshold"]["coverage"] <= 1
    assert card["handler"]["cv"]["accuracy_mean"] > 0.55 and loaded.handler is not None
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
