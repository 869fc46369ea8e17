"""Retrain both models with staff corrections and decide whether the candidate may replace the current model.

The web application calls ``retrain`` (it must not import Flask here) and shows ``RetrainResult.reasons`` on the
admin page.  The candidate is judged against the recipe without the corrections on two things:

* the base data: on the SAME stratified folds of the labelled (or weak-labelled) messages, "old" fits the base
  training folds only and "new" fits them plus all corrections; both score the base test folds.  Corrections that
  contradict the base data or each other pull the new score down.
* the corrections: the old model (``current`` if it never saw these corrections, else a fit on the base data)
  against the new recipe scored by k-fold over the corrections -- each held-out fold predicted by a fit on the
  base data plus the other corrections -- so the new model is never scored on its own training rows.  A
  correction of a systematic error is learnt from the others and raises this score.

The candidate is promoted if, for each model with corrections, the base score does not drop by more than
``tolerance`` and the correction score does not drop at all.  The candidate artifact is always written (its card
holds the comparison), so a refused version can be inspected.

The category model's card reuses the comparison's fits: each base message is scored by a "new" fold fit that did
not see it and each correction by the k-fold fit that held it out, which is a cross-validation of the candidate's
own training set.  A retraining on the real data takes well under a minute on two cores.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from classifier import artifacts
from classifier.config import DATA_DIR, REPLIES_FILE, SEED, TAXONOMY_FILE, TRAIN_FILE
from classifier.dataset import Message, load_labelled, load_taxonomy
from classifier.evaluate import quality
from classifier.model import DEFAULT_RECIPE
from classifier.train import (
    Labelled,
    Progress,
    category_card,
    finish_card,
    fit_final,
    fold_scores,
    message_digest,
    silent,
    stratified_splits,
    summarise,
)

if TYPE_CHECKING:
    from classifier.predict import Classifier

CORRECTION_FOLDS = 5


@dataclass
class RetrainResult:
    card: dict  # the candidate's card (written with the artifact)
    path: Path  # where the candidate artifact was written
    promote: bool  # True if the candidate is not worse
    reasons: list[str] = field(default_factory=list)  # Chinese sentences explaining the decision, for the admin page
    comparison: dict = field(default_factory=dict)  # JSON-ready: old vs new on the same folds and on the corrections


def _usable(messages: Sequence[Message]) -> list[Message]:
    return [m for m in messages if m.label and ((m.title or "").strip() or (m.body or "").strip())]


def correction_splits(n_base: int, n_corrections: int, n_repeats: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """k-fold over the corrections (rows ``n_base..``): train on all base rows plus the other corrections."""
    from sklearn.model_selection import KFold

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


def _seen_by(current: Classifier | None, part: str, corrections: Sequence[Message]) -> bool:
    """Whether ``current`` was trained on any of these corrections (then it cannot be scored on them)."""
    if current is None:
        return True
    seen = set(current.card.get("corrections", {}).get(part, []))
    if part == "category":
        seen |= set(current.card.get("data", {}).get("extra_digests", []))
    return any(message_digest(m) in seen for m in corrections)


def _share(hits: Sequence[bool]) -> float:
    return round(float(np.mean(hits)), 4) if len(hits) else 0.0


# ---------------------------------------------------------------------------------------------------------------------
# Category model
# ---------------------------------------------------------------------------------------------------------------------


def _compare_category(
    base: Sequence[Message],
    corrections: Sequence[Message],
    taxonomy: Sequence[Message],
    *,
    current: Classifier | None,
    cv_repeats: int,
    progress: Progress,
):
    """Fit everything the comparison needs in one parallel batch; return (data, comparison, card cv, T, threshold)."""
    data = Labelled.of(list(base) + list(corrections), taxonomy)
    n_base, n_corr = len(base), len(corrections)
    correction_index = np.arange(n_base, n_base + n_corr)
    base_splits = stratified_splits([m.label for m in base], cv_repeats)
    old = [(train, test) for train, test in base_splits]
    new = [(np.concatenate([train, correction_index]), test) for train, test in base_splits] if n_corr else []
    on_corrections = correction_splits(n_base, n_corr, cv_repeats) if n_corr else []
    use_current = n_corr and current is not None and not _seen_by(current, "category", corrections)
    old_on_corrections = [(np.arange(n_base), correction_index)] if n_corr and not use_current else []
    splits = old + new + on_corrections + old_on_corrections
    progress(f"category: {len(splits)} fits for the comparison and the candidate's card")
    scores = fold_scores(data, splits, recipe=DEFAULT_RECIPE, progress=progress, what="category fit")
    scores_old = scores[: len(old)]
    scores_new = scores[len(old) : len(old) + len(new)]
    scores_corr = scores[len(old) + len(new) : len(old) + len(new) + len(on_corrections)]

    truth = data.truth()
    labels = data.labels
    per_repeat = len(base_splits) // cv_repeats

    def base_f1(per_fold) -> tuple[float, list[float]]:
        f1s = []
        for repeat in range(cv_repeats):
            predicted = np.empty(n_base, dtype=int)
            for (_, test), fold in zip(
                base_splits[repeat * per_repeat : (repeat + 1) * per_repeat],
                per_fold[repeat * per_repeat : (repeat + 1) * per_repeat],
                strict=True,
            ):
                predicted[test] = fold.argmax(axis=1)
            f1s.append(quality([labels[i] for i in truth[:n_base]], [labels[i] for i in predicted])["macro_f1"])
        return round(float(np.mean(f1s)), 4), f1s

    old_cv, old_f1s = base_f1(scores_old)
    comparison = {
        "n_base": n_base,
        "n_corrections": n_corr,
        "metric_base": "macro_f1",
        "metric_corrections": "accuracy",
        "base_cv": {"scheme": f"{cv_repeats}x5 stratified k-fold of the base data, seed {SEED}", "old": old_cv},
    }
    if not n_corr:
        comparison["base_cv"]["new"] = old_cv
        parts = [(i // per_repeat, test, fold) for i, ((_, test), fold) in enumerate(zip(old, scores_old, strict=True))]
        card_scores, groups, repeat_of = _oof(data, parts, cv_repeats)
    else:
        new_cv, new_f1s = base_f1(scores_new)
        comparison["base_cv"].update({"new": new_cv, "old_per_repeat": old_f1s, "new_per_repeat": new_f1s})
        # Corrections: old model vs the new recipe by k-fold over the corrections.
        true_corr = [m.label for m in corrections]
        if use_current:
            old_pred = [current.predict(m.title, m.body).category for m in corrections]
            old_source = f"current model {current.version}"
        else:
            old_pred = [labels[i] for i in scores[-1].argmax(axis=1)]
            old_source = "recipe fitted on the base data only"
        new_hits = []
        for (_, test), fold in zip(on_corrections, scores_corr, strict=True):
            new_hits += [labels[i] == labels[truth[t]] for i, t in zip(fold.argmax(axis=1), test, strict=True)]
        comparison["corrections"] = {
            "old": _share([p == t for p, t in zip(old_pred, true_corr, strict=True)]),
            "new": _share(new_hits),
            "old_model": old_source,
            "new_scheme": f"{min(CORRECTION_FOLDS, n_corr)}-fold over the corrections x {cv_repeats}, "
            "each fold fitted on the base data plus the other corrections",
        }
        per_repeat_corr = len(on_corrections) // cv_repeats
        parts = [(i // per_repeat, test, fold) for i, ((_, test), fold) in enumerate(zip(new, scores_new, strict=True))]
        parts += [
            (i // per_repeat_corr, test, fold)
            for i, ((_, test), fold) in enumerate(zip(on_corrections, scores_corr, strict=True))
        ]
        card_scores, groups, repeat_of = _oof(data, parts, cv_repeats)
    cv, temperature, threshold = summarise(
        data,
        card_scores,
        groups,
        repeat_of,
        DEFAULT_RECIPE,
        scheme=f"{cv_repeats}x5 stratified k-fold of the base data (each fold fitted with all corrections) "
        f"+ {min(CORRECTION_FOLDS, max(n_corr, 1))}-fold over the corrections; seed {SEED}",
    )
    return data, comparison, cv, temperature, threshold


def _oof(data: Labelled, parts: Sequence[tuple[int, np.ndarray, np.ndarray]], n_repeats: int):
    """Stack (repeat, test rows, fold scores) into out-of-fold matrices, one block of rows per repeat."""
    n = len(data.targets)
    scores = np.zeros((n * n_repeats, len(data.labels)))
    groups = np.zeros(n * n_repeats, dtype=int)
    seen = np.zeros(n * n_repeats, dtype=int)
    for number, (repeat, test, fold) in enumerate(parts):
        rows = repeat * n + np.asarray(test)
        scores[rows], groups[rows] = fold, number
        seen[rows] += 1
    if not (seen == 1).all():
        raise AssertionError("every row must be scored exactly once per repeat")
    return scores, groups, np.repeat(np.arange(n_repeats), n)


# ---------------------------------------------------------------------------------------------------------------------
# Handler model
# ---------------------------------------------------------------------------------------------------------------------


def _compare_handler(data_dir: Path, corrections: Sequence[Message], *, current, cv_repeats: int, progress: Progress):
    """Prepare the handler data once; return (prepared data, comparison or None)."""
    from sklearn.model_selection import RepeatedStratifiedKFold

    from classifier.handler import _local_accuracy
    from classifier.handler_training import _prepare

    prepared = _prepare(data_dir, progress, extra=corrections)
    if not corrections:
        return prepared, None
    labels = prepared.labels
    n_corr = len(corrections)
    n_weak = len(labels) - n_corr
    weak_labels = labels[:n_weak]
    correction_index = np.arange(n_weak, n_weak + n_corr)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        splitter = RepeatedStratifiedKFold(n_splits=5, n_repeats=cv_repeats, random_state=SEED)
        base_splits = list(splitter.split(np.zeros(n_weak), weak_labels))

    def predict(train: np.ndarray, test: np.ndarray) -> list[str]:
        from classifier.handler_training import _fit

        fold_labels, weights, intercept = _fit(prepared.features[train], labels[train], prepared.n_svm)
        return [fold_labels[i] for i in np.asarray(prepared.features[test] @ weights + intercept).argmax(axis=1)]

    old_acc, new_acc, old_local, new_local = [], [], [], []
    for number, (train, test) in enumerate(base_splits, start=1):
        progress(f"  handler comparison fold {number}/{len(base_splits)}")
        true = list(weak_labels[test])
        old_pred = predict(train, test)
        new_pred = predict(np.concatenate([train, correction_index]), test)
        old_acc.append(np.mean([p == t for p, t in zip(old_pred, true, strict=True)]))
        new_acc.append(np.mean([p == t for p, t in zip(new_pred, true, strict=True)]))
        old_local.append(_local_accuracy(true, old_pred))
        new_local.append(_local_accuracy(true, new_pred))
    use_current = current is not None and current.handler is not None and not _seen_by(current, "handler", corrections)
    true_corr = [m.label for m in corrections]
    if use_current:
        old_corr = [current.handler.predict(m.title, m.body).handler_type for m in corrections]
        old_source = f"current model {current.version}"
    else:
        old_corr = predict(np.arange(n_weak), correction_index)
        old_source = "recipe fitted on the weak labels only"
    new_hits = []
    for train, test in correction_splits(n_weak, n_corr, cv_repeats):
        new_hits += [p == labels[t] for p, t in zip(predict(train, test), test, strict=True)]
    comparison = {
        "n_base": int(n_weak),
        "n_corrections": n_corr,
        "metric_base": "accuracy",
        "metric_corrections": "accuracy",
        "base_cv": {
            "scheme": f"{cv_repeats}x5 stratified k-fold of the weak-labelled replies, seed {SEED}",
            "old": round(float(np.mean(old_acc)), 4),
            "new": round(float(np.mean(new_acc)), 4),
            "old_local_accuracy": round(float(np.mean(old_local)), 4),
            "new_local_accuracy": round(float(np.mean(new_local)), 4),
        },
        "corrections": {
            "old": _share([p == t for p, t in zip(old_corr, true_corr, strict=True)]),
            "new": _share(new_hits),
            "old_model": old_source,
        },
    }
    return prepared, comparison


# ---------------------------------------------------------------------------------------------------------------------
# Decision
# ---------------------------------------------------------------------------------------------------------------------

_NAMES = {"category": ("分类模型", "宏平均 F1"), "handler": ("承办类型模型", "准确率")}


def _judge(part: str, comparison: dict, tolerance: float) -> tuple[bool, list[str]]:
    """Whether one model's candidate is not worse, with the reasons in Chinese."""
    name, metric = _NAMES[part]
    base, corr = comparison["base_cv"], comparison["corrections"]
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
    corr_ok = corr["new"] >= corr["old"]
    verdict = "不低于" if corr_ok else "低于"
    reasons.append(
        f"{name}：在更正样本上（轮流留出一部分更正、用其余数据训练后评估），新模型正确率 {corr['new']:.0%}，"
        f"{verdict}原模型的 {corr['old']:.0%}。"
    )
    return base_ok and corr_ok, reasons


def retrain(
    out_path: Path,
    *,
    category_corrections: Sequence[Message],
    handler_corrections: Sequence[Message],
    data_dir: Path | None = None,
    current: Classifier | None = None,
    progress: Progress = silent,
    cv_repeats: int = 1,
    tolerance: float = 0.005,
) -> RetrainResult:
    """Train a candidate on the base data plus the corrections, compare it with the old recipe, write it.

    ``category_corrections``: messages labelled with the corrected category; ``handler_corrections``: messages
    labelled with the corrected handler type.  ``data_dir`` holds the labelled training file, optionally the
    taxonomy, and the attachment-4 replies for the handler model (without them the candidate has no handler).
    """
    started = time.perf_counter()
    data_dir = Path(data_dir) if data_dir else DATA_DIR
    category_corrections, handler_corrections = _usable(category_corrections), _usable(handler_corrections)
    base = load_labelled(data_dir / TRAIN_FILE)
    taxonomy_path = data_dir / TAXONOMY_FILE if (data_dir / TAXONOMY_FILE).is_file() else None
    taxonomy = load_taxonomy(taxonomy_path) if taxonomy_path else []
    progress(f"[1/3] category model: base {len(base)} messages + {len(category_corrections)} corrections")
    data, category_comparison, cv, temperature, threshold = _compare_category(
        base, category_corrections, taxonomy, current=current, cv_repeats=cv_repeats, progress=progress
    )
    model = fit_final(data, temperature, threshold)
    card = category_card(
        data,
        cv,
        model,
        data_path=data_dir / TRAIN_FILE,
        taxonomy_path=taxonomy_path,
        extra=category_corrections,
        recipe=DEFAULT_RECIPE,
    )

    handler, handler_comparison = None, None
    reasons: list[str] = []
    if (data_dir / REPLIES_FILE).is_file():
        from classifier.handler_training import train_prepared

        progress(f"[2/3] handler model: weak labels + {len(handler_corrections)} corrections")
        prepared, handler_comparison = _compare_handler(
            data_dir, handler_corrections, current=current, cv_repeats=cv_repeats, progress=progress
        )
        handler = train_prepared(prepared, progress=progress, cv_repeats=cv_repeats)
    else:
        progress(f"[2/3] no {REPLIES_FILE} in {data_dir}: the candidate has no handler model")
        if handler_corrections:
            reasons.append(
                f"没有答复意见数据文件，无法训练承办类型模型，{len(handler_corrections)} 条承办类型更正未使用。"
            )

    progress("[3/3] deciding and writing the candidate")
    promote = True
    comparison = {"tolerance": tolerance, "category": None, "handler": None}
    if category_corrections:
        comparison["category"] = category_comparison
        ok, why = _judge("category", category_comparison, tolerance)
        promote &= ok
        reasons += why
    if handler_comparison is not None:
        comparison["handler"] = handler_comparison
        ok, why = _judge("handler", handler_comparison, tolerance)
        promote &= ok
        reasons += why
    if not category_corrections and handler_comparison is None:
        reasons.append("没有可用的更正记录：候选模型与现有模型使用相同的数据和方法训练。")
    reasons.append(
        "结论：候选模型不比现有模型差，可以启用。" if promote else "结论：候选模型未通过检查，继续使用现有模型。"
    )
    card["corrections"] = {
        "category": [message_digest(m) for m in category_corrections],
        "handler": [message_digest(m) for m in handler_corrections],
    }
    card["retrain"] = {"promote": promote, "reasons": reasons, "comparison": comparison}
    card = finish_card(card, handler, started)
    path = artifacts.save(model, handler, card, out_path)
    progress(f"candidate {card['version']} written to {path} in {card['training_seconds']} s; promote={promote}")
    return RetrainResult(card=card, path=Path(path), promote=promote, reasons=reasons, comparison=comparison)
