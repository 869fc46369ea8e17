"""Command line: ``python -m classifier train|evaluate|evaluate-dept|predict|topics``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from classifier import artifacts
from classifier.config import DATA_DIR, DEFAULT_MODEL_PATH
from classifier.dataset import DatasetError, load_labelled
from classifier.evaluate import evaluate_classifier


def _train(args: argparse.Namespace) -> int:
    from classifier.train import train

    card = train(
        Path(args.out),
        data_path=Path(args.data) if args.data else None,
        data_dir=Path(args.data_dir),
        cv_repeats=args.cv_repeats,
        with_handler=not args.no_handler,
    )
    cv = card["metrics"]["cv"]
    threshold = cv["threshold"]
    print(
        f"model {card['version']}: CV macro-F1 {cv['macro_f1_mean']:.3f} ± {cv['macro_f1_std']:.3f}, "
        f"accuracy {cv['accuracy_mean']:.3f}, ECE {cv['ece']:.3f}; threshold {card['threshold']:.3f} "
        f"(coverage {threshold['coverage']:.0%}, precision {threshold['precision'] or 0:.1%})"
    )
    handler = card["handler"]
    if handler:
        hcv = handler["cv"]
        print(
            f"handler: CV accuracy {hcv['accuracy_mean']:.3f} ± {hcv['accuracy_std']:.3f}, "
            f"属地 vs functional {hcv['local_accuracy_mean']:.3f}, macro-F1 {hcv['macro_f1_mean']:.3f} "
            f"on {hcv['n']} weak labels"
        )
    else:
        print("handler: none (no replies file or --no-handler)")
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


def _evaluate_dept(args: argparse.Namespace) -> int:
    from classifier.handler import evaluate_dept

    classifier = artifacts.load(Path(args.model))
    if classifier.handler is None:
        raise artifacts.ModelError(f"{args.model} has no handler-type model; train it with the replies file")
    messages = load_labelled(Path(args.data), label_column="dept_type")
    if not messages:
        raise DatasetError(f"{args.data} has no rows with a dept_type")
    report = evaluate_dept(classifier.handler, messages)
    report["model_version"] = classifier.version
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(
            f"n={report['n']} accuracy={report['accuracy']:.4f} macro_f1={report['macro_f1']:.4f} "
            f"local_accuracy={report['local_accuracy']:.4f}"
        )
        for label, row in report["per_type"].items():
            print(f"  {label:<8} P={row['precision']:.3f} R={row['recall']:.3f} F1={row['f1']:.3f} n={row['support']}")
    return 0


def _predict(args: argparse.Namespace) -> int:
    classifier = artifacts.load(Path(args.model))
    prediction = classifier.predict(args.text)
    handler = classifier.predict_handler(args.text)
    if args.json:
        data = prediction.to_dict()
        data["handler"] = handler.to_dict() if handler else None
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(f"类别：{prediction.category}（置信度 {prediction.confidence:.0%}）")
    print("候选：" + "，".join(f"{label} {p:.0%}" for label, p in prediction.alternatives))
    print("因为提到：" + "、".join(word for word, _ in prediction.explanation))
    if handler:
        print(
            f"承办类型：{handler.handler_type}（置信度 {handler.confidence:.0%}，属地政府概率 {handler.local_probability:.0%}）"
        )
        print("因为提到：" + "、".join(word for word, _ in handler.explanation))
    return 0


def _topics(args: argparse.Namespace) -> int:
    from classifier.topics.cli import run

    limit = args.limit if args.limit is not None else (None if args.json else 30)
    try:
        return run(Path(args.data), as_json=args.json, limit=limit or None, min_size=args.min_size)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise DatasetError(f"cannot read {args.data}: {exc.strerror or exc}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m classifier", description="Train, evaluate and run the router.")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train the production models from the configured data")
    train.add_argument("--out", default=str(DEFAULT_MODEL_PATH), help="where to write the artifact")
    train.add_argument("--data", help="labelled CSV (id,title,body,category) instead of DATA_DIR's training set")
    train.add_argument(
        "--data-dir", default=str(DATA_DIR), help="folder with the taxonomy and the attachment-4 replies file"
    )
    train.add_argument("--cv-repeats", type=int, default=5, help="repeats of 5-fold CV for the card (default 5)")
    train.add_argument("--no-handler", action="store_true", help="do not train the handler-type model")
    train.set_defaults(handler=_train)

    evaluate = commands.add_parser("evaluate", help="score the category model on a labelled CSV")
    evaluate.add_argument("--model", default=str(DEFAULT_MODEL_PATH))
    evaluate.add_argument("--data", required=True, help="CSV with columns id,title,body,category")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.set_defaults(handler=_evaluate)

    evaluate_dept = commands.add_parser("evaluate-dept", help="score the handler-type model on a labelled CSV")
    evaluate_dept.add_argument("--model", default=str(DEFAULT_MODEL_PATH))
    evaluate_dept.add_argument("--data", required=True, help="CSV with columns id,title,body,dept_type")
    evaluate_dept.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate_dept.set_defaults(handler=_evaluate_dept)

    predict = commands.add_parser("predict", help="classify one text")
    predict.add_argument("--model", default=str(DEFAULT_MODEL_PATH))
    predict.add_argument("--json", action="store_true")
    predict.add_argument("text")
    predict.set_defaults(handler=_predict)

    topics = commands.add_parser("topics", help="group messages into hot issues and rank them by heat")
    topics.add_argument(
        "--data", required=True, help="CSV with columns id,title,body (optional time,likes,dislikes,user)"
    )
    topics.add_argument("--json", action="store_true", help="print one JSON object with every issue")
    topics.add_argument(
        "--limit", type=int, help="print at most this many issues (table default 30, JSON default all; 0: all)"
    )
    topics.add_argument("--min-size", type=int, default=2, help="smallest issue to list, in messages (default 2)")
    topics.set_defaults(handler=_topics)
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
