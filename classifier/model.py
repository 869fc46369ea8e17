"""The category model: two linear members over four TF-IDF views, summed into one linear score.

Recipe (chosen by 5x5 repeated cross-validation on the labelled messages; macro-F1 0.88 against 0.84 for a
calibrated char 1-3-gram SVM):

* view A: char 1-2-gram TF-IDF of title + body (raw tf), weight 1.0;
* view B: char 1-2-gram TF-IDF of the title (sublinear tf), weight 0.7 -- the title names the topic;
* view C: jieba-word TF-IDF of the title (sublinear tf), weight 0.5;
* member 1: ``LinearSVC(C=1, class_weight="balanced")`` on [A|B|C], trained on the labelled messages plus one
  pseudo-document per taxonomy row of the known categories ("level2 level3"), which teaches it words the few
  hundred messages of a category never use;
* view D: jieba-word TF-IDF of title + body (sublinear tf), read by member 2: ``ComplementNB(alpha=0.1)``
  (messages only);
* score = SVM decision / 0.3 + naive Bayes joint log-likelihood: one linear function of the concatenated
  features, so each feature's share of a score is exact and explanations need no approximation;
* probabilities: softmax(score / T), T fitted on out-of-fold scores (``classifier.calibration``).

Vocabularies and IDF are fitted on the labelled messages only: the unlabelled attachments did not help in
cross-validation.  Scoring a message needs numpy and jieba only; fitting imports scikit-learn lazily.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import islice
from typing import NamedTuple

import numpy as np

from classifier.features import CharView, Corpus, Document, Row, WordView, fold_case, place
from classifier.tokenize import is_content_word

# Score of a category that a fit never saw (a rare correction label missing from a fold): never predicted.
ABSENT = -1e6


@dataclass(frozen=True)
class Recipe:
    """Hyper-parameters of the category model (defaults: the cross-validated choice)."""

    svm_c: float = 1.0
    title_weight: float = 0.7
    title_word_weight: float = 0.5
    taxonomy_weight: float = 1.0
    nb_alpha: float = 0.1
    svm_scale: float = 0.3  # the SVM's decision is divided by this before adding the naive Bayes log-likelihood
    target_precision: float = 0.95  # of the messages routed automatically
    seed: int = 0

    def describe(self) -> dict:
        return asdict(self)


DEFAULT_RECIPE = Recipe()


class CategoryModel:
    """A fitted category model: four views, one weight matrix (n_features, n_labels), intercepts, temperature.

    ``threshold`` is the confidence at or above which a message may be routed automatically (1.0 until training
    sets it from out-of-fold predictions).
    """

    def __init__(
        self,
        *,
        labels: Sequence[str],
        views: tuple[CharView, CharView, WordView, WordView],
        weights: np.ndarray,
        intercept: np.ndarray,
        recipe: Recipe,
        temperature: float = 1.0,
        threshold: float = 1.0,
    ):
        self.labels: tuple[str, ...] = tuple(labels)
        self.views = views
        self.n_features = place(views)
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.recipe = recipe
        self.temperature = float(temperature)
        self.threshold = float(threshold)

    # -- scoring -------------------------------------------------------------------------------------------------

    def features(self, doc: Document | _PreSegmented) -> Features:
        """The feature vector of one document, view by view, with what the explanation needs."""
        text_view, title_view, title_words_view, text_words_view = self.views
        rows = (
            text_view.row(doc.text),
            title_view.row(doc.title),
            title_words_view.row(doc.title_words),
            text_words_view.row(doc.text_words),
        )
        columns = np.concatenate([row.columns for row in rows])
        values = np.concatenate([row.values for row in rows])
        active = self.weights[columns]
        return Features(rows, values, active, values @ active + self.intercept)

    def scores(self, doc: Document | _PreSegmented) -> np.ndarray:
        """Raw scores (before the temperature) of one document."""
        return self.features(doc).scores

    def batch_scores(self, corpus: Corpus) -> np.ndarray:
        """Raw scores of many documents, shape (n, n_labels)."""
        out = np.empty((len(corpus), len(self.labels)))
        for i, (title, text, title_words, text_words) in enumerate(zip(*corpus, strict=True)):
            out[i] = self.scores(_PreSegmented(title, text, title_words, text_words))
        return out

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        return softmax(np.asarray(scores) / self.temperature)

    # -- explanation ---------------------------------------------------------------------------------------------

    def explain(self, doc: Document, features: Features, label_index: int, top: int) -> tuple[tuple[str, float], ...]:
        """Words of the text that pushed ``label_index`` up, measured against the average label (logit units).

        A char n-gram's contribution is shared equally by its occurrences and, within one, by its characters; a
        word scores the sum over its characters plus its own word-view contributions.  Words common to every
        category push all labels alike and so score about zero.
        """
        active = features.active
        push = features.values * (active[:, label_index] - active.mean(axis=1)) / self.temperature
        char_scores = np.zeros(len(doc.text) + 3)
        word_pushes = []
        start = 0
        for row in features.rows:
            stop = start + len(row.columns)
            if row.hits is not None and len(row.inverse):
                hits = row.hits
                share = (push[start:stop] / row.counts)[row.inverse] / hits.lengths
                for k in range(int(hits.lengths.max())):
                    covers = hits.lengths > k
                    char_scores += np.bincount(
                        hits.starts[covers] + k, weights=share[covers], minlength=len(char_scores)
                    )
            elif row.words:
                word_pushes.append((row.words, push[start:stop].tolist()))
            start = stop
        prefix = np.concatenate([[0.0], np.cumsum(char_scores)])
        scores: dict[str, float] = {}
        for word, score in zip(doc.words, (prefix[doc.ends] - prefix[doc.starts]).tolist(), strict=True):
            scores[word] = scores.get(word, 0.0) + score
        # A word view's contribution goes to the word's first spelling in the text.
        same = doc.folded is doc.words
        surface = {} if same else dict(zip(reversed(doc.folded), reversed(doc.words), strict=True))
        for words, pushes in word_pushes:
            for word, value in zip(words, pushes, strict=True):
                spelled = word if same else surface[word]
                scores[spelled] = scores.get(spelled, 0.0) + value
        ranked = sorted(((w, s) for w, s in scores.items() if s > 1e-9 and len(w) >= 2), key=lambda p: -p[1])
        words = (pair for pair in ranked if is_content_word(pair[0]))
        return tuple((word, round(score, 4)) for word, score in islice(words, top))


class Features(NamedTuple):
    """One document's feature rows (per view), concatenated values, their weight rows and the raw scores."""

    rows: tuple[Row, ...]
    values: np.ndarray
    active: np.ndarray
    scores: np.ndarray


class _PreSegmented(NamedTuple):
    """A document whose words are already known (training corpora), for ``CategoryModel.scores``."""

    title: str
    text: str
    title_words: list[str]
    text_words: list[str]


def softmax(scores: np.ndarray) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    shifted = scores - scores.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------------------------------------------------------------
# Fitting
# ---------------------------------------------------------------------------------------------------------------------


def _as_is(words: list[str]) -> list[str]:
    return words


def _char_vectorizer(sublinear: bool):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char", ngram_range=(1, 2), preprocessor=fold_case, sublinear_tf=sublinear)


def _word_vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=_as_is, sublinear_tf=True)


def fit(
    corpus: Corpus,
    targets: Sequence[str],
    *,
    labels: Sequence[str],
    taxonomy: tuple[Corpus, Sequence[str]] | None = None,
    recipe: Recipe = DEFAULT_RECIPE,
) -> CategoryModel:
    """Fit the recipe on ``corpus`` (labelled ``targets``) plus taxonomy pseudo-documents; temperature stays 1.

    ``labels`` fixes the order of the model's labels, so fits on different folds are comparable; a label absent
    from ``targets`` scores ``ABSENT``.
    """
    import scipy.sparse as sp
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC

    labels = list(labels)
    targets = np.asarray(targets, dtype=object)
    text_vec, title_vec = _char_vectorizer(False), _char_vectorizer(True)
    title_words_vec, text_words_vec = _word_vectorizer(), _word_vectorizer()
    svm_rows = sp.hstack(
        [
            text_vec.fit_transform(corpus.texts),
            title_vec.fit_transform(corpus.titles) * recipe.title_weight,
            title_words_vec.fit_transform(corpus.title_words) * recipe.title_word_weight,
        ]
    ).tocsr()
    svm_targets, sample_weight = targets, np.ones(len(targets))
    if taxonomy is not None:
        tax_corpus, tax_targets = taxonomy
        keep = [i for i, label in enumerate(tax_targets) if label in labels]
        if keep:
            tax = tax_corpus.take(keep)
            tax_rows = sp.hstack(
                [
                    text_vec.transform(tax.texts),
                    title_vec.transform(tax.titles) * recipe.title_weight,
                    title_words_vec.transform(tax.title_words) * recipe.title_word_weight,
                ]
            ).tocsr()
            svm_rows = sp.vstack([svm_rows, tax_rows]).tocsr()
            svm_targets = np.concatenate([targets, np.asarray([tax_targets[i] for i in keep], dtype=object)])
            sample_weight = np.concatenate([sample_weight, np.full(len(keep), recipe.taxonomy_weight)])
    if len(set(svm_targets)) < 2:
        raise ValueError("need at least two categories to train")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # tiny or duplicated corpora; the fit is still usable
        svm = LinearSVC(C=recipe.svm_c, class_weight="balanced", random_state=recipe.seed, max_iter=5000)
        svm.fit(svm_rows, svm_targets, sample_weight=sample_weight)
    nb = ComplementNB(alpha=recipe.nb_alpha).fit(text_words_vec.fit_transform(corpus.text_words), targets)

    n_svm = svm_rows.shape[1]
    weights = np.zeros((n_svm + len(text_words_vec.idf_), len(labels)), dtype=np.float32)
    intercept = np.full(len(labels), ABSENT)
    coef, bias = np.asarray(svm.coef_), np.asarray(svm.intercept_)
    if len(svm.classes_) == 2:  # one decision for classes_[1]; (-d, d) keeps the argmax and the scale
        coef, bias = np.vstack([-coef, coef]), np.concatenate([-bias, bias])
    for row, label in enumerate(svm.classes_):
        k = labels.index(label)
        weights[:n_svm, k] = coef[row] / recipe.svm_scale
        intercept[k] = bias[row] / recipe.svm_scale
    for row, label in enumerate(nb.classes_):
        weights[n_svm:, labels.index(label)] = nb.feature_log_prob_[row]
    views = (
        CharView(text_vec.vocabulary_, text_vec.idf_, max_n=2, sublinear=False, weight=1.0),
        CharView(title_vec.vocabulary_, title_vec.idf_, max_n=2, sublinear=True, weight=recipe.title_weight),
        WordView(title_words_vec.vocabulary_, title_words_vec.idf_, sublinear=True, weight=recipe.title_word_weight),
        WordView(text_words_vec.vocabulary_, text_words_vec.idf_, sublinear=True, weight=1.0),
    )
    return CategoryModel(labels=labels, views=views, weights=weights, intercept=intercept, recipe=recipe)


def fit_and_score(
    corpus: Corpus,
    targets: Sequence[str],
    train: Sequence[int],
    test: Sequence[int],
    *,
    labels: Sequence[str],
    taxonomy: tuple[Corpus, Sequence[str]] | None,
    recipe: Recipe,
) -> np.ndarray:
    """Fit on the ``train`` rows, return raw scores of the ``test`` rows (one cross-validation fold)."""
    model = fit(corpus.take(train), [targets[i] for i in train], labels=labels, taxonomy=taxonomy, recipe=recipe)
    return model.batch_scores(corpus.take(test))
