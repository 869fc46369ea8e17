"""Command line: ``python -m classifier train|evaluate|evaluate-dept|predict|topics``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from classifier.artifacts import ModelError, load
from classifier.config import DATA_DIR, DEFAULT_MODEL_PATH, LABELS_DIR
from classifier.dataset import DatasetError, load_labelled
from classifier.evaluate import evaluate
from classifier.router import MODEL_NAMES
from classifier.specs import local_accuracy
from classifier.train import train

_NAMES_ZH = {"category": "类别", "handler": "承办类型", "domain": "领域"}


def _train(args: argparse.Namespace) -> int:
    card = train(
        Path(args.out),
        data_path=Path(args.data) if args.data else None,
        data_dir=Path(args.data_dir),
        labels_dir=Path(args.labels_dir),
        cv_repeats=args.cv_repeats,
        with_handler=not args.no_handler,
    )
    print(f"model {card['version']}:")
    for name in MODEL_NAMES:
        model = card["models"][name]
        if model is None:
            print(f"  {name}: none ({card['skipped'].get(name, 'not trained')})")
            continue
        cv, cut = model["cv"], model["cv"]["threshold"]
        extra = f", 属地 vs functional {cv['local_accuracy_mean']:.3f}" if "local_accuracy_mean" in cv else ""
        print(
            f"  {name}: CV macro-F1 {cv['macro_f1_mean']:.3f} ± {cv['macro_f1_std']:.3f}, accuracy "
            f"{cv['accuracy_mean']:.3f} ± {cv['accuracy_std']:.3f}{extra}, ECE {cv['ece']:.3f}; threshold "
            f"{model['threshold']:.3f} (coverage {cut['coverage']:.0%}, precision {cut['precision'] or 0:.1%}) "
            f"on {cv['n']} messages"
        )
    return 0


def _print_report(report: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        return
    extra = f" local_accuracy={report['local_accuracy']:.4f}" if "local_accuracy" in report else ""
    print(
        f"n={report['n']} accuracy={report['accuracy']:.4f} macro_f1={report['macro_f1']:.4f} ece={report['ece']}"
        + extra
    )
    for label, row in report["per_class"].items():
        print(f"  {label:<10} P={row['precision']:.3f} R={row['recall']:.3f} F1={row['f1']:.3f} n={row['support']}")


def _evaluate(args: argparse.Namespace) -> int:
    router = load(Path(args.model))
    _print_report(evaluate(router, load_labelled(Path(args.data)), "category"), args.json)
    return 0


def _evaluate_dept(args: argparse.Namespace) -> int:
    router = load(Path(args.model))
    if "handler" not in router.models:
        raise ModelError(f"{args.model} has no handler-type model; train it with the replies file")
    messages = load_labelled(Path(args.data), label_column="dept_type")
    _print_report(evaluate(router, messages, "handler", extra_metrics=local_accuracy), args.json)
    return 0


def _predict(args: argparse.Namespace) -> int:
    predictions = load(Path(args.model)).predict(args.text)
    if args.json:
        print(json.dumps(predictions.to_dict(), ensure_ascii=False))
        return 0
    for name in MODEL_NAMES:
        output = getattr(predictions, name)
        if output is None:
            continue
        print(f"{_NAMES_ZH[name]}：{output.label}（置信度 {output.confidence:.0%}，阈值 {output.threshold:.0%}）")
        print("  候选：" + "，".join(f"{label} {p:.0%}" for label, p in output.alternatives))
        print("  因为提到：" + "、".join(word for word, _ in output.explanation))
    return 0


def _topics(args: argparse.Namespace) -> int:
    from classifier.topics.cli import run

    limit = args.limit if args.limit is not None else (None if args.json else 30)
    try:
        return run(Path(args.data), as_json=args.json, limit=limit or None, min_size=args.min_size)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise DatasetError(f"cannot read {args.data}: {exc.strerror or exc}") from exc


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the four commands."""
    parser = argparse.ArgumentParser(prog="python -m classifier", description="Train, evaluate and run the router.")
    commands = parser.add_subparsers(dest="command", required=True)

    train_command = commands.add_parser("train", help="train the models from the configured data")
    train_command.add_argument("--out", default=str(DEFAULT_MODEL_PATH), help="where to write the artifact")
    train_command.add_argument(
        "--data", help="labelled CSV (id,title,body,category) instead of DATA_DIR's training set"
    )
    train_command.add_argument(
        "--data-dir", default=str(DATA_DIR), help="folder with the training set and the attachment-4 replies file"
    )
    train_command.add_argument(
        "--labels-dir", default=str(LABELS_DIR), help="folder with hand-made label files (domains.csv)"
    )
    train_command.add_argument(
        "--cv-repeats", type=int, default=5, help="repeats of 5-fold CV for the card (default 5)"
    )
    train_command.add_argument("--no-handler", action="store_true", help="do not train the handler-type model")
    train_command.set_defaults(handler=_train)

    evaluate_command = commands.add_parser("evaluate", help="score the category model on a labelled CSV")
    evaluate_command.add_argument("--model", default=str(DEFAULT_MODEL_PATH))
    evaluate_command.add_argument("--data", required=True, help="CSV with columns id,title,body,category")
    evaluate_command.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate_command.set_defaults(handler=_evaluate)

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
    """Run one command; report a known error on stderr with exit code 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ModelError, DatasetError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
