"""Suggested themes: topics found in the comments themselves, as a starting point for a codeframe.

TF-IDF (unigrams and bigrams, English stop words, words in at least two comments and at most half
of them) and non-negative matrix factorisation (NMF, scikit-learn, fixed ``random_state``): each
topic is named by its top terms; a comment belongs to the topic that carries most of its weight,
when that weight is clear (at least :data:`MIN_WEIGHT` of the comment's total).  The same comments
always give the same topics.

References
----------
Lee, D. D., & Seung, H. S. (1999). Learning the parts of objects by non-negative matrix factorization.
*Nature* 401, 788-791.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["MIN_WEIGHT", "SuggestedThemes", "suggest_themes"]

#: A comment is assigned to its strongest topic when it carries at least this share of its weight.
MIN_WEIGHT = 0.5
#: Redaction placeholders are not topics.
_PLACEHOLDERS = ("email", "phone", "name")


@dataclass(frozen=True)
class SuggestedThemes:
    """Topics of a set of comments: ``table`` (theme, label, terms, mentions, examples) and
    ``indicators`` (one boolean column per topic, aligned with the comments)."""

    table: pd.DataFrame
    indicators: pd.DataFrame

    def toml(self) -> str:
        """The topics as ``[themes.KEY]`` tables to paste into a survey definition (and then edit)."""
        blocks = []
        for row in self.table.itertuples():
            keywords = ", ".join(f'"{t}"' for t in row.terms[:5])
            blocks.append(
                f"# {row.mentions} comments; top terms: {', '.join(row.terms)}\n"
                f"[themes.{row.theme}]\nlabel = {_toml_string(row.label)}\nkeywords = [{keywords}]\n"
            )
        return "\n".join(blocks)

    def __repr__(self) -> str:
        return f"SuggestedThemes({len(self.table)} topics)\n{self.table[['theme', 'mentions', 'terms']].to_string()}"


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _key(terms: list[str], taken: set[str]) -> str:
    words = list(dict.fromkeys(w for t in terms for w in re.findall(r"[a-z0-9]+", t.lower())))
    base = "_".join(words[:2]) or "topic"
    base = ("t_" + base if not base[0].isalpha() else base)[:36]
    key, i = base, 2
    while key in taken:
        key, i = f"{base}_{i}", i + 1
    taken.add(key)
    return key


def suggest_themes(
    texts: pd.Series,
    n_topics: int | None = None,
    *,
    n_terms: int = 8,
    n_examples: int = 3,
    random_state: int = 0,
) -> SuggestedThemes:
    """Topics of the comments by TF-IDF and NMF, each with its top terms and its shortest comments.

    Parameters
    ----------
    texts : Series of str
        The comments (blank ones are left out); redact them first when the examples will be shown.
    n_topics : int, optional
        How many topics (default: one per 25 comments, between 2 and 8).
    n_terms, n_examples : int
        Terms and example comments kept per topic.
    random_state : int
        NMF's seed (the result is the same on every run).

    Returns
    -------
    SuggestedThemes
        ``table``: ``theme`` (a generated key from the top terms), ``label``, ``terms``, ``mentions``
        (comments assigned), ``examples``; ``indicators``: the assignment, index of ``texts``.

    Examples
    --------
    >>> texts = pd.Series(["invoice wrong again", "invoices late", "billing error on invoice",
    ...                    "slow reply", "reply was slow", "slow response from support"] * 5)
    >>> found = suggest_themes(texts, 2)
    >>> sorted(found.table["mentions"].tolist())
    [15, 15]
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    clean = texts.astype("string").str.strip()
    docs = clean[clean.notna() & (clean != "")]
    empty = SuggestedThemes(
        pd.DataFrame(columns=["theme", "label", "terms", "mentions", "examples"]),
        pd.DataFrame(index=texts.index),
    )
    if len(docs) < 4:
        return empty
    n_topics = n_topics or int(np.clip(len(docs) // 25, 2, 8))
    vectoriser = TfidfVectorizer(
        stop_words=list(ENGLISH_STOP_WORDS.union(_PLACEHOLDERS)),
        ngram_range=(1, 2),
        min_df=2,
        max_df=0.5,
        sublinear_tf=True,
        token_pattern=r"(?u)\b[^\W\d_]{3,}\b",  # words of three letters or more ("we've" gives no "ve")
    )
    try:
        matrix = vectoriser.fit_transform(docs.tolist())
    except ValueError:  # no term left after the stop words and the document-frequency limits
        return empty
    n_topics = min(n_topics, matrix.shape[1], matrix.shape[0])
    model = NMF(n_components=n_topics, init="nndsvda", random_state=random_state, max_iter=500)
    weights = model.fit_transform(matrix)
    vocabulary = vectoriser.get_feature_names_out()
    total = weights.sum(axis=1)
    best = weights.argmax(axis=1)
    clear = (total > 0) & (weights.max(axis=1) >= MIN_WEIGHT * np.where(total > 0, total, 1))
    rows, indicators, taken = [], {}, set()
    lengths = docs.str.len().to_numpy()
    for topic in range(n_topics):
        terms = [str(vocabulary[i]) for i in np.argsort(model.components_[topic])[::-1][:n_terms]]
        members = np.flatnonzero(clear & (best == topic))
        key = _key(terms, taken)
        shortest = members[np.argsort(lengths[members], kind="stable")]
        examples = list(dict.fromkeys(docs.iloc[shortest].tolist()))[:n_examples]
        rows.append(
            {
                "theme": key,
                "label": ", ".join(terms[:3]).capitalize(),
                "terms": tuple(terms),
                "mentions": len(members),
                "examples": examples,
            }
        )
        hit = pd.Series(False, index=texts.index)
        hit.loc[docs.index[members]] = True
        indicators[key] = hit
    table = pd.DataFrame(rows).sort_values("mentions", ascending=False, kind="stable").reset_index(drop=True)
    return SuggestedThemes(table, pd.DataFrame(indicators, index=texts.index)[list(table["theme"])])
