"""Retrain every model with staff corrections and decide whether the candidate may replace the current artifact.

The web application calls ``retrain`` (nothing here imports Flask) and shows ``RetrainResult.reasons`` on the admin
page.  For each model with corrections, the candidate's recipe is judged against the same recipe without them:

* on the base data: on the SAME stratified folds of the model's examples, "old" fits the base training folds and
  "new" fits them plus all corrections; both score the base test folds (the model's headline figure: macro-F1, or
  accuracy for the handler type).  Corrections that contradict the base data or each other pull the new score down.
* on the corrections: the old model (``current`` if it never saw these corrections, else a fit on the base data)
  against the new recipe scored by k-fold over the corrections -- each held-out fold predicted by a fit on the base
  data plus the other corrections -- so the new model is never scored on its own training rows.  A correction of a
  systematic error is learnt from the others and raises this score.

The candidate is promoted if, for each model with corrections, the base score does not drop by more than
``tolerance`` and the correction score does not drop at all.  It is always written (its card holds the comparison),
so a refused version can be inspected.  A model's card reuses the comparison's fits: each base row is scored by a
"new" fit that did not see it and each correction by the fit that held it out.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold

from classifier.artifacts import save
from classifier.config import SEED
from classifier.dataset import Message, message_digest
from classifier.evaluate import quality
from classifier.router import Router
from classifier.specs import SPECS, ModelSpec
from classifier.train import (
    MIN_EXAMPLES,
    N_SPLITS,
    Fold,
    Labelled,
    Progress,
    Unavailable,
    cross_validate,
    cv_report,
    finish_card,
    fit,
    model_card,
    out_of_fold,
    prepare,
    silent,
    sources,
    stratified_splits,
)

CORRECTION_FOLDS = 5
_METRIC_ZH = {"macro_f1": "宏平均 F1", "accuracy": "准确率"}


@dataclass
class RetrainResult:
    """What ``retrain`` did: the candidate written, whether it may replace the current model, and why."""

    card: dict  # the candidate's card (written with the artifact)
    path: Path  # where the candidate artifact was written
    promote: bool  # True if the candidate is not worse
    reasons: list[str] = field(default_factory=list)  # Chinese sentences explaining the decision, for the admin page
    comparison: dict = field(
        default_factory=dict
    )  # JSON-ready, per model: old vs new on the same folds and on the corrections


def usable(messages: Sequence[Message]) -> list[Message]:
    """Corrections with a label and some text."""
    return [m for m in messages if m.label and ((m.title or "").strip() or (m.body or "").strip())]


def correction_splits(n_base: int, n_corrections: int, n_repeats: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """k-fold over the corrections (rows ``n_base..``): train on all base rows plus the other corrections."""
    base = np.arange(n_base)
    corrections = np.arange(n_base, n_base + n_corrections)
    if n_corrections == 1:
        return [(base, corrections)] * n_repeats
    k = min(CORRECTION_FOLDS, n_corrections)
    splits = []
    for repeat in range(n_repeats):
        for train, test in KFold(k, shuffle=True, random_state=SEED + repeat).split(corrections):
            splits.append((np.concatenate([base, corrections[train]]), corrections[test]))
    return splits


def seen_by(current: Router | None, name: str, corrections: Sequence[Message]) -> bool:
    """Whether ``current`` has no such model or was trained on any of these corrections (then it cannot be scored
    on them)."""
    model = current.card["models"].get(name) if current is not None else None
    if model is None:
        return True
    seen = set(model["data"]["corrections"])
    return any(message_digest(m) in seen for m in corrections)


def _share(hits: Sequence[bool]) -> float:
    return round(float(np.mean(hits)), 4) if len(hits) else 0.0


def compare(
    spec: ModelSpec, data: Labelled, *, current: Router | None, cv_repeats: int, progress: Progress
) -> tuple[dict, dict, float]:
    """Fit everything one model's comparison needs in one batch; return (comparison, card cv report, threshold)."""
    n_base, corrections = data.n_base, data.corrections
    labels, order, truth = data.labels, data.label_order, data.truth()
    correction_rows = np.arange(n_base, len(labels))
    base_splits = stratified_splits(labels[:n_base], cv_repeats)
    new = [(np.concatenate([train, correction_rows]), test) for train, test in base_splits]
    on_corrections = correction_splits(n_base, len(corrections), cv_repeats)
    use_current = not seen_by(current, spec.name, corrections)
    old_on_corrections = [] if use_current else [(np.arange(n_base), correction_rows)]
    splits = base_splits + new + on_corrections + old_on_corrections
    progress(f"{spec.name}: {len(splits)} fits for the comparison and the candidate's card")
    probas = out_of_fold(spec, data, splits, progress=progress, what=f"{spec.name} fit")
    old_scores, probas = probas[: len(base_splits)], probas[len(base_splits) :]
    new_scores, probas = probas[: len(new)], probas[len(new) :]
    correction_scores = probas[: len(on_corrections)]

    def base_figures(per_fold: list[np.ndarray]) -> dict[str, float]:
        figures: dict[str, list[float]] = {}
        for repeat in range(cv_repeats):
            predicted = np.empty(n_base, dtype=int)
            for number in range(repeat * N_SPLITS, (repeat + 1) * N_SPLITS):
                predicted[base_splits[number][1]] = per_fold[number].argmax(axis=1)
            true, guessed = labels[:n_base], [order[i] for i in predicted]
            report = quality(true, guessed)
            values = {"macro_f1": report["macro_f1"], "accuracy": report["accuracy"]}
            values.update(spec.extra_metrics(true, guessed) if spec.extra_metrics else {})
            for name, value in values.items():
                figures.setdefault(name, []).append(value)
        return {name: round(float(np.mean(values)), 4) for name, values in figures.items()}

    old_base, new_base = base_figures(old_scores), base_figures(new_scores)
    true_corrections = [m.label for m in corrections]
    if use_current:
        old_predicted = [getattr(current.predict(m.title, m.body), spec.name).label for m in corrections]
        old_model = f"current model {current.version}"
    else:
        old_predicted = [order[i] for i in probas[-1].argmax(axis=1)]
        old_model = "recipe fitted on the base data only"
    new_hits = []
    for (_, test), proba in zip(on_corrections, correction_scores, strict=True):
        new_hits += [bool(i == truth[t]) for i, t in zip(proba.argmax(axis=1), test, strict=True)]
    comparison = {
        "n_base": n_base,
        "n_corrections": len(corrections),
        "metric_base": spec.headline,
        "metric_corrections": "accuracy",
        "base_cv": {
            "scheme": f"{cv_repeats}x{N_SPLITS} stratified k-fold of the base data, seed {SEED}",
            "old": old_base[spec.headline],
            "new": new_base[spec.headline],
            "old_figures": old_base,
            "new_figures": new_base,
        },
        "corrections": {
            "old": _share([p == t for p, t in zip(old_predicted, true_corrections, strict=True)]),
            "new": _share(new_hits),
            "old_model": old_model,
            "new_scheme": f"{min(CORRECTION_FOLDS, len(corrections))}-fold over the corrections x {cv_repeats}, "
            "each fold fitted on the base data plus the other corrections",
        },
    }
    per_repeat = len(on_corrections) // cv_repeats
    folds = [Fold(i // N_SPLITS, test, p) for i, ((_, test), p) in enumerate(zip(new, new_scores, strict=True))]
    folds += [
        Fold(i // per_repeat, test, p)
        for i, ((_, test), p) in enumerate(zip(on_corrections, correction_scores, strict=True))
    ]
    scheme = (
        f"{cv_repeats}x{N_SPLITS} stratified k-fold of the base data (each fold fitted with all corrections) + "
        f"{min(CORRECTION_FOLDS, len(corrections))}-fold over the corrections; seed {SEED}"
    )
    report, threshold = cv_report(spec, data, folds, cv_repeats, scheme)
    return comparison, report, threshold


def judge(spec: ModelSpec, comparison: dict, tolerance: float) -> tuple[bool, list[str]]:
    """Whether one model's candidate is not worse, with the reasons in Chinese."""
    name, metric = spec.name_zh, _METRIC_ZH[spec.headline]
    base, corrections = comparison["base_cv"], comparison["corrections"]
    n = comparison["n_corrections"]
    reasons = []
    base_ok = base["new"] >= base["old"] - tolerance
    if base_ok:
        reasons.append(
            f"{name}：在相同的交叉验证折上，加入 {n} 条更正后{metric}为 {base['new']:.3f}（不加入时 {base['old']:.3f}），"
            f"下降未超过容差 {tolerance:.3f}。"
        )
    else:
        reasons.append(
            f"{name}：在相同的交叉验证折上，加入 {n} 条更正后{metric}从 {base['old']:.3f} 降到 {base['new']:.3f}，"
            f"下降超过容差 {tolerance:.3f}；更正中可能有相互矛盾或与原有数据冲突的标注。"
        )
    corrections_ok = corrections["new"] >= corrections["old"]
    verdict = "不低于" if corrections_ok else "低于"
    reasons.append(
        f"{name}：在更正样本上（轮流留出一部分更正、用其余数据训练后评估），新模型正确率 {corrections['new']:.0%}，"
        f"{verdict}原模型的 {corrections['old']:.0%}。"
    )
    return base_ok and corrections_ok, reasons


def retrain(
    out_path: Path,
    *,
    corrections: dict[str, Sequence[Message]],
    data_dir: Path | None = None,
    labels_dir: Path | None = None,
    current: Router | None = None,
    cv_repeats: int = 1,
    tolerance: float = 0.005,
    progress: Progress = silent,
) -> RetrainResult:
    """Train a candidate on each model's base data plus its corrections, compare it with the recipe without them,
    write it to ``out_path``.

    ``corrections`` maps a model name ("category", "handler", "domain") to messages labelled with the corrected
    label.  ``data_dir`` (default DATA_DIR) and ``labels_dir`` are read as by ``classifier.train.train``.
    """
    started = time.perf_counter()
    where = sources(data_dir, None, labels_dir)
    unknown = set(corrections) - {spec.name for spec in SPECS}
    if unknown:
        raise ValueError(f"corrections for unknown models: {', '.join(sorted(unknown))}")
    models, cards, skipped, comparisons = {}, {}, {}, {}
    reasons: list[str] = []
    promote = True
    for number, spec in enumerate(SPECS, start=1):
        fixes = usable(corrections.get(spec.name, ()))
        step = f"[{number}/{len(SPECS)}] {spec.name}"
        try:
            examples, data = prepare(spec, where, fixes)
        except Unavailable as exc:
            progress(f"{step}: skipped ({exc})")
            skipped[spec.name] = str(exc)
            if fixes:
                reasons.append(f"缺少训练数据，无法训练{spec.name_zh}，{len(fixes)} 条更正未使用。")
            continue
        left_out = [m for m in fixes if m.label in data.left_out]
        for label in sorted({m.label for m in left_out}):
            reasons.append(
                f"{spec.name_zh}：更正中的「{label}」连同原有数据只有 {data.left_out[label]} 条样本"
                f"（至少需要 {MIN_EXAMPLES} 条），暂不参与训练。"
            )
        progress(f"{step}: base {data.n_base} messages + {len(data.corrections)} corrections")
        if data.corrections:
            comparison, report, threshold = compare(
                spec, data, current=current, cv_repeats=cv_repeats, progress=progress
            )
            ok, why = judge(spec, comparison, tolerance)
            promote &= ok
            reasons += why
            comparisons[spec.name] = comparison
        else:
            report, threshold = cross_validate(spec, data, n_repeats=cv_repeats, progress=progress)
            comparisons[spec.name] = None
        models[spec.name] = fit(spec, data.docs, data.labels)
        cards[spec.name] = model_card(spec, data, examples, report, threshold, models[spec.name])
    if not any(comparisons.values()):
        reasons.append("没有可用的更正记录：候选模型与现有模型使用相同的数据和方法训练。")
    reasons.append(
        "结论：候选模型不比现有模型差，可以启用。" if promote else "结论：候选模型未通过检查，继续使用现有模型。"
    )
    comparison = {"tolerance": tolerance, **comparisons}
    card = finish_card(
        cards, skipped, started, retrain={"promote": promote, "reasons": reasons, "comparison": comparison}
    )
    path = save(Router(models, card), out_path)
    progress(f"candidate {card['version']} written to {path} in {card['training_seconds']} s; promote={promote}")
    return RetrainResult(card=card, path=Path(path), promote=promote, reasons=reasons, comparison=comparison)
