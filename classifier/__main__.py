"""Command line: ``python -m classifier train|evaluate|predict``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from classifier import artifacts
from classifier.config import DEFAULT_MODEL_PATH
from classifier.dataset import DatasetError, load_labelled
from classifier.evaluate import evaluate_classifier


def _train(args: argparse.Namespace) -> int:
    from classifier.train import train

    card = train(Path(args.out), data_path=Path(args.data) if args.data else None, cv_repeats=args.cv_repeats)
    cv = card["metrics"]["cv"]
    print(
        f"model {card['version']}: CV macro-F1 {cv['macro_f1_mean']:.3f} ± {cv['macro_f1_std']:.3f}, "
        f"threshold {card['threshold']:.3f} (coverage {cv['threshold']['coverage']:.0%})"
    )
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    classifier = artifacts.load(Path(args.model))
    messages = load_labelled(Path(args.data))
    if not messages:
        raise DatasetError(f"{args.data} has no labelled rows")
    report = evaluate_classifier(classifier, messages)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(
            f"n={report['n']} accuracy={report['accuracy']:.4f} macro_f1={report['macro_f1']:.4f} ece={report['ece']}"
        )
        for label, row in report["per_class"].items():
            print(f"  {label:<10} P={row['precision']:.3f} R={row['recall']:.3f} F1={row['f1']:.3f} n={row['support']}")
    return 0


def _predict(args: argparse.Namespace) -> int:
    classifier = artifacts.load(Path(args.model))
    prediction = classifier.predict(args.text)
    if args.json:
        print(json.dumps(prediction.to_dict(), ensure_ascii=False))
        return 0
    print(f"类别：{prediction.category}（置信度 {prediction.confidence:.0%}）")
    print("候选：" + "，".join(f"{label} {p:.0%}" for label, p in prediction.alternatives))
    print("因为提到：" + "、".join(word for word, _ in prediction.explanation))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m classifier", description="Train, evaluate and run the router.")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train the production model from the configured data")
    train.add_argument("--out", default=str(DEFAULT_MODEL_PATH), help="where to write the artifact")
    train.add_argument("--data", help="labelled CSV (id,title,body,category) instead of the default")
    train.add_argument("--cv-repeats", type=int, default=1, help="repeats of 5-fold CV for the card")
    train.set_defaults(handler=_train)

    evaluate = commands.add_parser("evaluate", help="score a model on a labelled CSV")
    evaluate.add_argument("--model", default=str(DEFAULT_MODEL_PATH))
    evaluate.add_argument("--data", required=True, help="CSV with columns id,title,body,category")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.set_defaults(handler=_evaluate)

    predict = commands.add_parser("predict", help="classify one text")
    predict.add_argument("--model", default=str(DEFAULT_MODEL_PATH))
    predict.add_argument("--json", action="store_true")
    predict.add_argument("text")
    predict.set_defaults(handler=_predict)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (artifacts.ModelError, DatasetError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
