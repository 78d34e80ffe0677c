"""Sentiment of open comments: one score per comment from -1 (negative) to +1 (positive).

The default scorer is VADER (Hutto & Gilbert 2014), an English lexicon with rules for negation,
intensifiers, "but" and punctuation, that ships with its package (``vaderSentiment``): no model to
download, the same score on every machine.  The score is VADER's ``compound``.  It is built for
English; comments in other languages score near 0 and should not be read.

Another scorer plugs in by name::

    from insights.stats.sentiment import register_scorer

    def my_scorer(texts: list[str]) -> list[float]:  # one score in [-1, 1] per text
        ...

    register_scorer("mine", my_scorer)
    score_comments(df["comment"], scorer="mine")

A scorer is any callable from a list of texts to as many numbers in [-1, 1]; it sees every distinct
text once (comments that repeat are scored once).

References
----------
Hutto, C. J., & Gilbert, E. (2014). VADER: A parsimonious rule-based model for sentiment analysis of
social media text. *Proceedings of ICWSM-14*, 216-225.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_SCORER",
    "SCORER_NOTES",
    "Scorer",
    "available_scorers",
    "register_scorer",
    "score_comments",
    "vader_scores",
]

Scorer = Callable[[Sequence[str]], Sequence[float]]
DEFAULT_SCORER = "vader"
#: What each scorer is, in one line a report's caveats can quote.
SCORER_NOTES: dict[str, str] = {
    "vader": "VADER compound score (Hutto & Gilbert 2014; an English lexicon with rules), -1 to +1",
}
_SCORERS: dict[str, Scorer] = {}
#: Above this many distinct texts VADER runs in two processes (one per core of a small machine).
PARALLEL_TEXTS = 20_000


def register_scorer(name: str, scorer: Scorer, note: str | None = None) -> None:
    """Make ``scorer`` available as ``score_comments(..., scorer=name)`` (replacing one of that name)."""
    if not callable(scorer):
        raise TypeError("a scorer must be callable: a list of texts -> as many scores in [-1, 1]")
    _SCORERS[name] = scorer
    SCORER_NOTES[name] = note or f"{name} scorer"


def available_scorers() -> tuple[str, ...]:
    """The names :func:`score_comments` accepts."""
    return tuple(_SCORERS)


@functools.cache
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _vader_chunk(texts: Sequence[str]) -> list[float]:
    analyzer = _analyzer()
    return [analyzer.polarity_scores(t)["compound"] for t in texts]


def vader_scores(texts: Sequence[str]) -> list[float]:
    """VADER's compound score of each text (two processes for many texts)."""
    texts = list(texts)
    if len(texts) < PARALLEL_TEXTS:
        return _vader_chunk(texts)
    from concurrent.futures import ProcessPoolExecutor

    half = len(texts) // 2
    with ProcessPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(_vader_chunk, [texts[:half], texts[half:]])
    return first + second


register_scorer(DEFAULT_SCORER, vader_scores, SCORER_NOTES[DEFAULT_SCORER])


def score_comments(texts: pd.Series, scorer: str = DEFAULT_SCORER) -> pd.Series:
    """Sentiment of each comment, from -1 (negative) to +1 (positive); NaN where there is no text.

    Parameters
    ----------
    texts : Series of str
        The comments (missing or blank: no score).
    scorer : str
        A registered scorer (:func:`available_scorers`); default VADER's compound score.

    Returns
    -------
    Series of float
        Aligned with ``texts``.

    Examples
    --------
    >>> s = score_comments(pd.Series(["Great work, thank you!", "The invoices were wrong again.", None]))
    >>> bool(s[0] > 0.5), bool(s[1] < 0), bool(np.isnan(s[2]))
    (True, True, True)
    """
    if scorer not in _SCORERS:
        raise ValueError(f"unknown sentiment scorer {scorer!r}; available: {', '.join(_SCORERS)}")
    clean = texts.astype("string").str.strip()
    present = clean.notna() & (clean != "")
    out = pd.Series(np.nan, index=texts.index, dtype=float)
    if not present.any():
        return out
    codes, uniques = pd.factorize(clean[present])
    scores = np.asarray(_SCORERS[scorer](list(uniques)), dtype=float)
    if scores.shape != (len(uniques),):
        raise ValueError(f"scorer {scorer!r} returned {scores.shape[0]} scores for {len(uniques)} texts")
    if np.nanmin(scores) < -1 or np.nanmax(scores) > 1:
        raise ValueError(f"scorer {scorer!r} returned scores outside [-1, 1]")
    out[present.to_numpy()] = scores[codes]
    return out
