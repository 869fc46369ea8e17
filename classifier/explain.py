"""Explain a linear pipeline's prediction with the words of the text that pushed it.

Works for any ``Pipeline([("features", FeatureUnion of vectorizers | one vectorizer), ("clf", linear model)])``
whose vectorizers' analyzers say where their terms sit in the text (``positions(doc)``, see
``classifier.document``).  A feature's push towards a label is its value times the label's weight minus the
average weight over labels, so features common to every label push nothing; a term's push is shared equally by its
occurrences and, within one, by its characters; a word scores the sum over its characters.
"""

from __future__ import annotations

from itertools import islice

import numpy as np
from sklearn.pipeline import FeatureUnion

from classifier.document import Document
from classifier.tokenize import is_content_word


def views(features) -> list[tuple[object, int]]:
    """(vectorizer, first column) of each TF-IDF view of a fitted ``features`` step."""
    vectorizers = (
        [vectorizer for _, vectorizer in features.transformer_list]
        if isinstance(features, FeatureUnion)
        else [features]
    )
    out, offset = [], 0
    for vectorizer in vectorizers:
        out.append((vectorizer, offset))
        offset += len(vectorizer.vocabulary_)
    return out


def explain(pipeline, doc: Document, row, label_index: int, top: int) -> tuple[tuple[str, float], ...]:
    """The ``top`` content words of ``doc`` that pushed label ``label_index`` most, with their push (> 0).

    ``row`` is ``doc``'s feature row (``pipeline[:-1].transform([doc])``), computed once for the prediction.
    """
    order = np.argsort(row.indices)
    columns, values = row.indices[order], row.data[order]
    active = pipeline.named_steps["clf"].coef_[:, columns]
    push = values * (active[label_index] - active.mean(axis=0))
    char_scores = np.zeros(len(doc.text) + 1)
    for vectorizer, offset in views(pipeline.named_steps["features"]):
        analyzer, vocabulary = vectorizer.analyzer, vectorizer.vocabulary_
        found = np.array([vocabulary.get(term, -1) for term in analyzer(doc)], dtype=np.int64)
        starts, lengths = analyzer.positions(doc)
        known = found >= 0
        if not known.any():
            continue
        found, starts, lengths = found[known] + offset, starts[known], lengths[known]
        unique, inverse, counts = np.unique(found, return_inverse=True, return_counts=True)
        position = np.minimum(np.searchsorted(columns, unique), len(columns) - 1)
        pushes = np.where(columns[position] == unique, push[position], 0.0)
        share = (pushes / counts)[inverse] / lengths
        for k in range(int(lengths.max())):
            covers = lengths > k
            char_scores += np.bincount(starts[covers] + k, weights=share[covers], minlength=len(char_scores))
    prefix = np.concatenate([[0.0], np.cumsum(char_scores)])
    scores: dict[str, float] = {}
    for word, score in zip(doc.words, (prefix[doc.ends] - prefix[doc.starts]).tolist(), strict=True):
        if len(word) >= 2:
            scores[word] = scores.get(word, 0.0) + score
    ranked = sorted(((w, s) for w, s in scores.items() if s > 1e-9), key=lambda pair: -pair[1])
    # Ranking first and filtering stopwords afterwards gives the same words with far fewer checks.
    words = (pair for pair in ranked if is_content_word(pair[0]))
    return tuple((word, round(score, 4)) for word, score in islice(words, top))
