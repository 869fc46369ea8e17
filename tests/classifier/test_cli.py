"""`python -m classifier train|evaluate|predict`."""

import json
import subprocess
import sys

import pytest

from classifier import artifacts
from classifier.__main__ import main
from suggestions.seeding import load_seed_file
from tests.conftest import ROOT


def test_train_evaluate_predict_on_given_files(tmp_path, tiny_csv, capsys):
    model = tmp_path / "m.joblib"
    assert main(["train", "--out", str(model), "--data", str(tiny_csv)]) == 0
    out = capsys.readouterr()
    assert "CV macro-F1" in out.out
    assert "[1/3]" in out.err and "fold 5/5" in out.err  # progress on long steps

    assert main(["evaluate", "--model", str(model), "--data", str(tiny_csv), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"accuracy", "macro_f1", "n", "per_class", "confusion"} <= set(report)
    assert report["n"] == 70
    assert set(report["per_class"]["交通运输"]) == {"precision", "recall", "f1", "support"}

    assert main(["predict", "--model", str(model), "医院挂号难，排队时间太长"]) == 0
    printed = capsys.readouterr().out
    assert "类别：卫生计生" in printed and "候选：" in printed and "因为提到：" in printed


def test_evaluate_on_a_file_it_has_never_seen_with_an_unknown_label(tmp_path, tiny_model_path, capsys):
    data = tmp_path / "new.csv"
    data.write_text(
        "id,title,body,category\n1,公交站点,建议增加公交站点,交通运输\n2,社区治安,晚上小区有人偷电动车,政法\n",
        encoding="utf-8",
    )
    assert main(["evaluate", "--model", str(tiny_model_path), "--data", str(data), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 2 and "政法" in report["per_class"]


def test_errors_are_reported_without_a_traceback(tmp_path, capsys):
    assert main(["evaluate", "--model", str(tmp_path / "none.joblib"), "--data", "x.csv"]) == 2
    assert "model file not found" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["train", "--out", str(tmp_path / "m.joblib"), "--data", str(bad)]) == 2
    assert "lacks column" in capsys.readouterr().err


@pytest.mark.slow
def test_production_model_trains_from_the_real_data_with_a_complete_card(tmp_path):
    """The one test that trains on ../shared/data, through the real `python -m` entry point."""
    model = tmp_path / "m.joblib"
    env_python = sys.executable
    subprocess.run(
        [env_python, "-m", "classifier", "train", "--out", str(model)], cwd=ROOT, check=True, capture_output=True
    )
    card = artifacts.load(model).card
    assert card["versions"] == artifacts.library_versions()
    assert set(card["labels"]) <= {entry["code"] for entry in load_seed_file()["categories"]}
    assert card["data"]["n"] == 1086
    cv = card["metrics"]["cv"]
    assert cv["macro_f1_mean"] > 0.8
    assert 0 < card["threshold"] < 1 and 0 < cv["threshold"]["coverage"] <= 1
    evaluated = subprocess.run(
        [
            env_python,
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
