"""Sentiment of comments: VADER's own compound scores, blanks, repeated texts, and plugging in a scorer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from insights.stats import sentiment
from insights.stats.sentiment import available_scorers, register_scorer, score_comments


@pytest.fixture(autouse=True)
def _registry_restored(monkeypatch):
    """Scorers registered by a test are gone after it."""
    monkeypatch.setattr(sentiment, "_SCORERS", dict(sentiment._SCORERS))
    monkeypatch.setattr(sentiment, "SCORER_NOTES", dict(sentiment.SCORER_NOTES))


TEXTS = [
    "Great work this month, thank you!",
    "The invoices were wrong again and nobody answered.",
    "Fine, no major issues.",
    "Not good at all :(",
    "The team is VERY helpful!!!",
    "Good overall, but communication could be better.",
]


def test_scores_are_vaders_own_compound_scores():
    analyzer = SentimentIntensityAnalyzer()
    expected = [analyzer.polarity_scores(t)["compound"] for t in TEXTS]
    scores = score_comments(pd.Series(TEXTS, index=range(10, 16)))
    assert list(scores.index) == list(range(10, 16))
    assert scores.tolist() == pytest.approx(expected, abs=0)
    # and the signs a reader expects
    assert scores[10] > 0.5 and scores[11] < 0 and scores[13] < 0 and scores[14] > 0.5


def test_blank_and_missing_comments_get_no_score():
    scores = score_comments(pd.Series(["", "   ", None, pd.NA, "Great!"], dtype="object"))
    assert scores.isna().tolist() == [True, True, True, True, False]


def test_each_distinct_text_is_scored_once():
    seen = []

    def counting(texts):
        seen.append(list(texts))
        return [0.5] * len(texts)

    register_scorer("counting", counting)
    scores = score_comments(pd.Series(["a b", "c d", "a b", " a b ", None]), scorer="counting")
    assert seen == [["a b", "c d"]]
    assert scores.tolist()[:4] == [0.5] * 4 and np.isnan(scores.iloc[4])


def test_another_scorer_plugs_in_by_name_and_is_checked():
    register_scorer("length", lambda texts: [min(len(t) / 100, 1.0) for t in texts], "length / 100")
    assert "length" in available_scorers() and "vader" in available_scorers()
    assert score_comments(pd.Series(["x" * 50]), scorer="length").iloc[0] == 0.5
    assert sentiment.SCORER_NOTES["length"] == "length / 100"
    register_scorer("broken", lambda texts: [2.0] * len(texts))
    with pytest.raises(ValueError, match="outside"):
        score_comments(pd.Series(["x"]), scorer="broken")
    register_scorer("short", lambda texts: [0.0])
    with pytest.raises(ValueError, match="returned 1 scores for 2 texts"):
        score_comments(pd.Series(["x", "y"]), scorer="short")
    with pytest.raises(ValueError, match="unknown sentiment scorer 'nope'"):
        score_comments(pd.Series(["x"]), scorer="nope")
    with pytest.raises(TypeError):
        register_scorer("bad", "not callable")


def test_many_texts_are_scored_in_two_processes_with_the_same_result(monkeypatch):
    monkeypatch.setattr(sentiment, "PARALLEL_TEXTS", 4)
    texts = pd.Series([f"{t} ({i})" for i, t in enumerate(TEXTS * 2)])
    analyzer = SentimentIntensityAnalyzer()
    assert score_comments(texts).tolist() == [analyzer.polarity_scores(t)["compound"] for t in texts]
