"""Speed and size of the classifier artifact: prediction latency, load time, file size, retraining time.

Usage: .venv/bin/python -m bench.classifier [--model PATH] [--loads 5] [--repeat 3] [--no-retrain] [--json]

Without --model it uses instance/models/suggestion_router.joblib if that exists, else trains one into a temporary
folder (``python -m classifier train --cv-repeats 1``).  Messages are real ones from the labelled training file,
cut to 400 characters (title + body).  Prints:

* prediction p50/p99 in ms, one message at a time after a warm-up pass: reading the message alone
  (normalisation, jieba); for each model, reading plus that model (features, probabilities, explanation); and
  ``Router.predict``, which reads the message once for all models; with the CPU time's p50, which leaves out
  the waits for a core when other work shares the machine;
* load time: median of ``--loads`` loads, each in a fresh subprocess (imports and jieba's dictionary included);
* artifact size in MB;
* retraining seconds (``classifier.retrain.retrain`` with one CV repeat: candidate plus the old-vs-new comparison)
  with 50 category corrections and 30 handler corrections taken from the real data itself (training messages
  with their gold category; replies' messages with their weak handler label), so no text is invented.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LOAD_SNIPPET = """
import sys, time
started = time.perf_counter()
import classifier
router = classifier.load(sys.argv[1])
print(time.perf_counter() - started)
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def messages_of_400_chars(limit: int = 300) -> list[tuple[str, str]]:
    from classifier.config import DATA_DIR, TRAIN_FILE
    from classifier.dataset import load_labelled

    out = []
    for m in load_labelled(DATA_DIR / TRAIN_FILE):
        if len(m.title) + len(m.body) >= 400:
            out.append((m.title, m.body[: 400 - len(m.title)]))
    return out[:limit]


def figures(seconds: list[float], cpu: list[float]) -> dict:
    return {
        "p50_ms": round(statistics.median(seconds) * 1000, 3),
        "p99_ms": round(percentile(seconds, 99) * 1000, 3),
        "cpu_p50_ms": round(statistics.median(cpu) * 1000, 3),
    }


def timed(function, *args) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call (CPU time leaves out waiting for a core on a busy machine)."""
    wall, cpu = time.perf_counter(), time.thread_time()
    function(*args)
    return time.perf_counter() - wall, time.thread_time() - cpu


def time_predictions(model_path: Path, repeat: int) -> dict:
    import classifier
    from classifier.document import read

    router = classifier.load(model_path)
    messages = messages_of_400_chars()
    for title, body in messages:  # warm-up: first calls fill caches
        router.predict(title, body)
    names = ["read only", *router.models, "all models"]
    calls = {
        "read only": lambda title, body: read(title, body, memo=True),
        "all models": router.predict,
        **{
            name: lambda title, body, name=name: router.run(name, read(title, body, memo=True))
            for name in router.models
        },
    }
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(repeat):
        for title, body in messages:
            for name in names:
                seconds, cpu_seconds = timed(calls[name], title, body)
                wall[name].append(seconds)
                cpu[name].append(cpu_seconds)
    result = {"messages": len(messages), "calls": len(wall["all models"])}
    result.update({name: figures(wall[name], cpu[name]) for name in names})
    return result


def time_loads(model_path: Path, loads: int) -> list[float]:
    times = []
    for _ in range(loads):
        out = subprocess.run(
            [sys.executable, "-c", LOAD_SNIPPET, str(model_path)], cwd=ROOT, check=True, capture_output=True, text=True
        )
        times.append(float(out.stdout.strip()))
    return times


def time_retrain(out_dir: Path) -> dict:
    from classifier.config import DATA_DIR, REPLIES_FILE, TRAIN_FILE
    from classifier.dataset import Message, load_labelled, read_rows
    from classifier.retrain import retrain
    from classifier.weak_labels import label_reply

    rng = random.Random(7)
    category = rng.sample(load_labelled(DATA_DIR / TRAIN_FILE), 50)
    category = [Message(f"bench-{m.id}", m.title, m.body, m.label) for m in category]
    replies = read_rows(DATA_DIR / REPLIES_FILE, ("id", "title", "body", "reply"))
    handler = []
    for row in rng.sample(replies, 200):
        label = label_reply(row["reply"])[0]
        if label and len(handler) < 30:
            handler.append(Message(f"bench-{row['id']}", row["title"], row["body"], label))
    started = time.perf_counter()
    result = retrain(
        out_dir / "candidate.joblib", corrections={"category": category, "handler": handler}, data_dir=DATA_DIR
    )
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "category_corrections": len(category),
        "handler_corrections": len(handler),
        "promote": result.promote,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="artifact to measure (default: the instance model, else a fresh one)")
    parser.add_argument("--loads", type=int, default=5, help="fresh-process loads to time")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the messages")
    parser.add_argument("--no-retrain", action="store_true", help="skip the retraining measurement")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    from classifier.config import DEFAULT_MODEL_PATH

    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        if args.model:
            model_path = Path(args.model)
        elif DEFAULT_MODEL_PATH.is_file():
            model_path = DEFAULT_MODEL_PATH
        else:
            model_path = tmp_dir / "bench.joblib"
            print(f"training a model into {model_path} ...", file=sys.stderr)
            subprocess.run(
                [sys.executable, "-m", "classifier", "train", "--out", str(model_path), "--cv-repeats", "1"],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        report = {"model": str(model_path), "size_mb": round(model_path.stat().st_size / 1e6, 2)}
        report["predict"] = time_predictions(model_path, args.repeat)
        loads = time_loads(model_path, args.loads)
        report["load_s"] = {"median": round(statistics.median(loads), 3), "max": round(max(loads), 3)}
        if not args.no_retrain:
            report["retrain"] = time_retrain(tmp_dir)

    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"model {report['model']}: {report['size_mb']} MB")
    predict = report["predict"]
    print(f"prediction, {predict['calls']} calls on 400-character messages (reading the message included once):")
    for name, values in predict.items():
        if isinstance(values, dict):
            print(
                f"  {name:<11} p50 {values['p50_ms']:.3f} ms  p99 {values['p99_ms']:.3f} ms  "
                f"(CPU p50 {values['cpu_p50_ms']:.3f} ms)"
            )
    load = report["load_s"]
    print(f"load      median {load['median']:.3f} s  max {load['max']:.3f} s ({args.loads} fresh processes)")
    if "retrain" in report:
        r = report["retrain"]
        print(
            f"retrain   {r['seconds']:.1f} s ({r['category_corrections']} category + {r['handler_corrections']} handler "
            f"corrections, promote={r['promote']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
