"""Theme shares compared: a client's share of comments on a theme against its own earlier months (the
``theme`` flags) and against the rest of the portfolio (the client report's Voice of the client).

A rise (:func:`rise_tests`): the share of the client's comments of the last :data:`RECENT_MONTHS`
months (ending at the report month; the report's wave alone for a quarterly or longer survey) that
mention the theme against the share in the earlier months of the year (the window is the report
period and the rest of a year before it, :func:`insights.stats.changes.baseline_length`), by the
one-sided Fisher exact test (the
hypergeometric tail given the mentions of both windows); Benjamini-Hochberg across every client x
theme tested (:mod:`insights.stats.multiplicity`).  A pair is tested when the recent months have at least
:data:`MIN_COMMENTS` comments, the baseline at least :data:`MIN_BASELINE_COMMENTS`, and the theme is
mentioned at least once in the two windows.  A client leaves two or three comments a month, too few
for one month against the rest.

Against the portfolio (:func:`client_vs_portfolio`): the client's share in the report's window
against the other clients' share, two-sided Fisher exact test, Benjamini-Hochberg across the themes.

References
----------
Fisher, R. A. (1922). On the interpretation of chi-square from contingency tables, and the calculation
of P. *Journal of the Royal Statistical Society* 85(1), 87-94.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from insights.core.periods import as_period, cadence_of, span, waves
from insights.data.survey import SurveyDefinition
from insights.stats.changes import baseline_length
from insights.stats.multiplicity import FDR_LEVEL, METHOD_NAMES, q_values
from insights.stats.themes import code_comments, has_comment

__all__ = [
    "MIN_BASELINE_COMMENTS",
    "MIN_COMMENTS",
    "RISE_METHOD",
    "client_vs_portfolio",
    "rise_tests",
    "theme_flags",
]

MIN_COMMENTS = 5
#: The recent months (ending at the report month) whose share is compared with the earlier months'.
RECENT_MONTHS = 3
MIN_BASELINE_COMMENTS = 10
RISE_METHOD = f"Fisher's exact test (one-sided); {METHOD_NAMES['bh']} across clients x themes"
_RISE_COLUMNS = [
    "client_id",
    "theme",
    "comments",
    "mentions",
    "share",
    "baseline_comments",
    "baseline_mentions",
    "baseline_share",
    "recent",
    "baseline",
    "p",
    "q",
    "flag",
]


def _counts(coded: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per client: comments, and mentions of each theme (long: client_id, theme, comments, mentions)."""
    grouped = coded.groupby("client_id", observed=True)
    mentions = grouped[keys].sum().astype(int)
    comments = grouped.size()
    long = mentions.stack().rename("mentions").reset_index()
    long.columns = ["client_id", "theme", "mentions"]
    long.insert(1, "comments", long["client_id"].map(comments).astype(int))
    return long


def rise_tests(
    responses: pd.DataFrame | None,
    period: pd.Period,
    survey: SurveyDefinition,
    *,
    baseline_waves: int | None = None,
    recent_waves: int | None = None,
    coded: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Did a theme's share of a client's comments rise in its recent months against its earlier months?

    Parameters
    ----------
    responses : DataFrame or None
        Validated responses (``client_id``, ``period``, ``comment``), of every client (None with ``coded``).
    period : Period
        The report month.
    survey : SurveyDefinition
        Its codeframe (``themes``).
    baseline_waves : int, optional
        The window is ``period`` and the ``baseline_waves`` periods before it (by default a year in
        all: :func:`insights.stats.changes.baseline_length`).
    recent_waves : int, optional
        The recent periods, ending at ``period``, compared with the rest of the window (default
        :data:`RECENT_MONTHS` of time: three months, as a client leaves two or three comments a month
        and one month is too few to show a rise; one wave of a quarterly or longer survey).
    coded : DataFrame, optional
        The comments already coded (``client_id``, ``period`` and one boolean column per theme).

    Returns
    -------
    DataFrame
        One row per client x theme: the month's and the baseline's comments, mentions and shares,
        ``p`` (one-sided Fisher exact; NaN when untested), ``q`` (Benjamini-Hochberg over the tested
        pairs) and ``flag`` (``q < 0.05`` and the share rose).

    Examples
    --------
    >>> survey = SurveyDefinition.from_file("data/sample/survey.toml")  # doctest: +SKIP
    >>> rise_tests(insights.load("data/sample/responses.csv"), pd.Period("2026-10"), survey)  # doctest: +SKIP
    """
    keys = [t.key for t in survey.themes]
    if not keys:
        return pd.DataFrame(columns=_RISE_COLUMNS)
    period = as_period(period)
    first = period - (baseline_waves or baseline_length(period))
    recent_waves = recent_waves or waves(RECENT_MONTHS, cadence_of(period))
    if coded is None:
        window = responses[(responses["period"] >= first) & (responses["period"] <= period)]
        window = window[has_comment(window["comment"])]
        coded = pd.concat(
            [window[["client_id", "period"]], code_comments(window["comment"], survey.themes)], axis=1
        )
    coded = coded.assign(client_id=coded["client_id"].astype(str))
    start = period - recent_waves + 1
    now = _counts(coded[(coded["period"] >= start) & (coded["period"] <= period)], keys)
    before = _counts(coded[(coded["period"] >= first) & (coded["period"] < start)], keys)
    before = before.rename(columns={"comments": "baseline_comments", "mentions": "baseline_mentions"})
    tests = now.merge(before, on=["client_id", "theme"], how="left").fillna(
        {"baseline_comments": 0, "baseline_mentions": 0}
    )
    tests[["baseline_comments", "baseline_mentions"]] = tests[
        ["baseline_comments", "baseline_mentions"]
    ].astype(int)
    tests["share"] = tests["mentions"] / tests["comments"]
    with np.errstate(invalid="ignore", divide="ignore"):
        tests["baseline_share"] = tests["baseline_mentions"] / tests["baseline_comments"]
    tests["recent"] = span(start, period)
    tests["baseline"] = span(first, start - 1)
    total, hits = (
        tests["comments"] + tests["baseline_comments"],
        tests["mentions"] + tests["baseline_mentions"],
    )
    testable = (
        (tests["comments"] >= MIN_COMMENTS)
        & (tests["baseline_comments"] >= MIN_BASELINE_COMMENTS)
        & (hits > 0)
    )
    # P(at least this many of the month's comments mention it | the mentions of both windows): hypergeometric
    p = stats.hypergeom.sf(tests["mentions"] - 1, total, hits, tests["comments"])
    tests["p"] = np.where(testable, np.clip(p, 0, 1), np.nan)
    tests["q"] = q_values(tests["p"].to_numpy(float))
    tests["flag"] = (tests["q"] < FDR_LEVEL) & (tests["share"] > tests["baseline_share"])
    return tests[_RISE_COLUMNS].sort_values(["client_id", "theme"], kind="stable").reset_index(drop=True)


def theme_flags(tests: pd.DataFrame, survey: SurveyDefinition, period: pd.Period) -> pd.DataFrame:
    """The flagged rises as alert rows (kind ``theme``; see :mod:`insights.stats.alerts`)."""
    labels = {t.key: t.label for t in survey.themes}
    size = int(tests["p"].notna().sum()) if len(tests) else 0
    return pd.DataFrame(
        [
            {
                "client_id": row.client_id,
                "kind": "theme",
                "metric": row.theme,
                "estimate": row.share,
                "previous": row.baseline_share,
                "p": row.p,
                "q": row.q,
                "detail": f"{labels.get(row.theme, row.theme)}: {row.mentions} of {row.comments} comments in "
                f"{row.recent} ({100 * row.share:.0f}%) against {row.baseline_mentions} of {row.baseline_comments} "
                f"({100 * row.baseline_share:.0f}%) in {row.baseline}",
                "family": "themes",
                "method": RISE_METHOD,
                "family_size": size,
            }
            for row in tests[tests["flag"]].itertuples()
        ]
    )


def client_vs_portfolio(coded: pd.DataFrame, keys: list[str], client_id: str) -> pd.DataFrame:
    """Each theme's share of one client's comments against the other clients' share.

    Parameters
    ----------
    coded : DataFrame
        Coded comments of the portfolio (``client_id`` and one boolean column per theme), e.g.
        :attr:`insights.stats.themes.ThemeAnalysis.coded`.
    keys : list of str
        The theme columns.
    client_id : str
        The client.

    Returns
    -------
    DataFrame
        ``theme``, ``mentions``, ``comments``, ``share`` (the client's), ``others_share``, ``difference``,
        ``p`` (two-sided Fisher exact), ``q`` (Benjamini-Hochberg across the themes), ``significant``.

    Examples
    --------
    >>> coded = pd.DataFrame({"client_id": ["A"] * 10 + ["B"] * 30, "billing": [True] * 8 + [False] * 32})
    >>> client_vs_portfolio(coded, ["billing"], "A")[["share", "others_share"]].round(2).values.tolist()
    [[0.8, 0.0]]
    """
    mine = coded["client_id"].astype(str) == str(client_id)
    n1, n0 = int(mine.sum()), int((~mine).sum())
    rows = []
    for key in keys:
        a, b = int(coded.loc[mine, key].sum()), int(coded.loc[~mine, key].sum())
        p = stats.fisher_exact([[a, n1 - a], [b, n0 - b]])[1] if n1 and n0 and (a + b) else np.nan
        rows.append(
            {
                "theme": key,
                "mentions": a,
                "comments": n1,
                "share": a / n1 if n1 else np.nan,
                "others_share": b / n0 if n0 else np.nan,
                "p": p,
            }
        )
    table = pd.DataFrame(rows, columns=["theme", "mentions", "comments", "share", "others_share", "p"])
    table["difference"] = table["share"] - table["others_share"]
    table["q"] = q_values(table["p"].to_numpy(float)) if len(table) else []
    table["significant"] = (table["q"] < FDR_LEVEL).fillna(False).astype(bool)
    return table
