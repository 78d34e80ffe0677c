"""Scorecards and trends: the metrics of :mod:`insights.stats.metrics` per client, period and component.

Vectorised over cells (see :mod:`insights.stats.cells`): a scorecard of a million responses takes
about a second.  The conventions (NaN = not answered, top-box, weights) are those of
:mod:`insights.stats.metrics`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from insights.data.survey import DEFAULT_DRIVERS
from insights.stats.cells import (
    check_confidence,
    check_no_missing_keys,
    check_nps_range,
    check_scale_max,
    nps_cells,
    one_cell,
    period_freq,
    rating_cells,
    ratings,
    require_columns,
    survey_weights,
    top_box_threshold,
)
from insights.stats.intervals import t_interval, wilson_interval
from insights.stats.moderated import fit_variance_prior, moderate
from insights.stats.multiplicity import FdrMethod, q_values
from insights.stats.nps import nps_interval

__all__ = ["NPS_COMPONENT", "SCORECARD_COLUMNS", "TREND_COLUMNS", "scorecard", "trend"]

NPS_COMPONENT = "nps"
SCORECARD_COLUMNS = (
    "component",
    "n",
    "n_eff",
    "mean",
    "sd",
    "se",
    "top2",
    "prev_period",
    "prev_n",
    "prev_mean",
    "change",
    "p_value",
    "q_value",
    "significant",
    "test",
    "rank",
)
TREND_COLUMNS = ("n", "estimate", "se", "ci_low", "ci_high", "suppressed")
NPS_TEST, RATING_TEST = "nps", "rating"  # how a cell's sd is defined while the scorecard is built
TrendKind = Literal["mean", "nps", "top2"]

# --------------------------------------------------------------------------- scorecard


def _cell_codes(df: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer code of each row's (key1, key2, ...) cell, and the cells' keys in sorted order."""
    grouped = df.groupby(keys, observed=True, sort=True)
    codes = grouped.ngroup().to_numpy(dtype=np.intp)
    cells = grouped.size().index.to_frame(index=False)
    return codes, cells


def _with_previous_period(cells: pd.DataFrame, client: str, period: str) -> pd.DataFrame:
    answered = cells[cells["n"] > 0].sort_values(period, kind="stable")
    previous = answered.groupby([client, "component"], observed=True, sort=False)[
        [period, "n", "mean", "se", "_inv_n"]
    ].shift(1)
    previous.columns = ["prev_period", "prev_n", "prev_mean", "prev_se", "_prev_inv_n"]
    return cells.join(previous)


def _moderated_p_values(cells: pd.DataFrame, client: str, change: pd.Series) -> np.ndarray:
    """Two-sided p-values of ``change`` with the spread pooled within the client's cells of each component
    and moderated across the clients (:mod:`insights.stats.moderated`)."""
    n = cells["n"].to_numpy(float)
    # squared deviations within the cell: ratings' sd has n - 1 in its denominator, NPS's sd has n
    ss = np.where(cells["test"].to_numpy() == NPS_TEST, n, n - 1) * np.square(cells["sd"].to_numpy(float))
    ss = np.where(n > 0, np.nan_to_num(ss), 0.0)
    pair = cells.groupby([cells[client], cells["component"]], observed=True, sort=False).ngroup().to_numpy()
    pair_ss = np.bincount(pair, weights=ss)
    pair_dof = np.bincount(pair, weights=np.maximum(n - 1, 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        pair_variance = np.where(pair_dof > 0, pair_ss / np.where(pair_dof > 0, pair_dof, 1), np.nan)
    component_of_pair = np.empty(len(pair_ss), dtype=object)
    component_of_pair[pair] = cells["component"].to_numpy()
    variance, dof = np.full(len(pair_ss), np.nan), np.full(len(pair_ss), np.nan)
    for component in pd.unique(component_of_pair):
        mine = component_of_pair == component
        prior = fit_variance_prior(pair_variance[mine], pair_dof[mine])
        variance[mine], dof[mine] = moderate(pair_variance[mine], pair_dof[mine], prior)
    difference = change.to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(
            variance[pair] * (cells["_inv_n"].to_numpy(float) + cells["_prev_inv_n"].to_numpy(float))
        )
        t = np.where(se > 0, difference / np.where(se > 0, se, 1), np.where(difference == 0, 0.0, np.inf))
    return np.where(np.isnan(difference), np.nan, 2 * stats.t.sf(np.abs(t), dof[pair]))


def scorecard(
    df: pd.DataFrame,
    components: Sequence[str] | None = None,
    *,
    client: str = "client_id",
    period: str = "period",
    overall: str = "overall_satisfaction",
    nps: str | None = "likelihood_to_recommend",
    scale_max: float = 5,
    top_box: int = 2,
    weight: str | None = None,
    alpha: float = 0.05,
    rank_min_n: int = 1,
    fdr: FdrMethod = "bh",
) -> pd.DataFrame:
    """Tidy client x period x component scorecard with change against the previous period.

    Parameters
    ----------
    df : DataFrame
        Responses, one per row.
    components : sequence of str, optional
        Rating columns (``1..scale_max``) to score.  Default: the default drivers present in
        ``df`` followed by ``overall``.
    client, period : str
        Columns identifying the client and the reporting period (sortable, normally
        ``period[M]``).  ``client`` may be categorical; only observed clients appear.
    overall : str
        Overall-satisfaction column, used only to build the default ``components``.
    nps : str or None
        0-10 likelihood-to-recommend column scored as an extra component named ``"nps"``;
        None leaves it out.
    scale_max, top_box : int
        Rating scale, for the top-box share (see :func:`~insights.stats.metrics.csat`);
        ``top_box=0``, a scale without a top box, leaves ``top2`` NaN for the rated components.
    weight : str, optional
        Column of survey weights (see :func:`~insights.stats.metrics.mean_score` and
        :func:`~insights.stats.metrics.nps`).
    alpha : float
        False discovery rate for ``significant``.
    rank_min_n : int
        Cells with fewer answers get no rank (``<NA>``).  The default ranks every cell with
        at least one answer.
    fdr : {"bh", "by"}
        How ``q_value`` controls the false discovery rate of each period's changes:
        Benjamini-Hochberg, or Benjamini-Yekutieli (proven under any dependence, more cautious).

    Returns
    -------
    DataFrame
        One row per client x period (with at least one response) x component, sorted by
        client, period and component (in the order given, ``"nps"`` last), with columns

        * ``<client>``, ``<period>``, ``component``;
        * ``n`` answers and Kish ``n_eff``;
        * ``mean``, ``sd``, ``se`` -- for the ``"nps"`` component these are the NPS, the
          standard deviation of the promoter = +100 / passive = 0 / detractor = -100 coding
          and the NPS standard error (NPS *is* the mean of that coding);
        * ``top2`` -- top-box share in percent (for ``"nps"``: percent promoters, the top-2
          box of the 0-10 scale); NaN for the rated components when ``top_box=0``;
        * ``prev_period``, ``prev_n``, ``prev_mean`` -- the previous period *with at least one
          answer to that component from that client*: the most recent earlier period, which
          may lie more than one month back when the client skipped months (``prev_period``
          shows which);
        * ``change = mean - prev_mean``, ``p_value`` (two-sided), ``q_value`` (the false
          discovery rate adjusted p-value over every change of that period: clients x
          components) and ``significant`` (``q_value < alpha``; False when untestable);
        * ``test`` -- ``"moderated_t"``: a t test of the two cells whose spread is pooled over
          all of the client's cells of that component and moderated across the clients
          (:func:`insights.stats.moderated.change_tests`); for NPS on the +100/0/-100 coding;
        * ``rank`` -- the client's rank among all clients in that period and component,
          1 = highest mean / NPS, ties share the best rank (``method="min"``).

        Cells where nobody answered a component are kept with ``n = 0`` and NaN estimates.

    Notes
    -----
    Computation is vectorised: one pass of ``np.bincount`` over the rows per component and
    groupby operations over the (much smaller) cell table, so a million responses take about
    a second.  A month of one client holds a handful of answers, so the spread is not taken from
    the two cells alone: Welch's t on two cells of three answers rejects only about 2% of
    unchanged cells at 5%, and the Wald z test of NPS (standard error from the cell's own shares)
    about 18% (12% with 5 answers, 8% with 10).  The moderated t keeps the false-positive rate of
    ``p_value < 0.05`` between 4% and 6% from three answers a cell (``tests/test_alerts.py``), and
    ``significant`` is judged on ``q_value``, so a period with hundreds of unchanged cells flags
    about none rather than one in twenty.

    References
    ----------
    Smyth, G. K. (2004). *Statistical Applications in Genetics and Molecular Biology* 3(1),
    Art. 3 (moderated variances).
    Benjamini, Y., & Hochberg, Y. (1995). *JRSS B* 57(1), 289-300 (q-values).
    Rocks, B. (2016). *The American Statistician* 70(4), 365-372 (NPS standard error).

    Examples
    --------
    >>> import pandas as pd
    >>> responses = pd.DataFrame({
    ...     "client_id": ["A", "A", "A", "A", "B", "B"],
    ...     "period": pd.PeriodIndex(["2024-01", "2024-01", "2024-02", "2024-02",
    ...                               "2024-01", "2024-01"], freq="M"),
    ...     "quality": [4, 5, 2, 3, 3, 3],
    ...     "likelihood_to_recommend": [9, 10, 5, 8, 7, 8],
    ... })
    >>> card = scorecard(responses, ["quality"])
    >>> card[["client_id", "period", "component", "n", "mean", "change", "rank"]]
      client_id   period component  n   mean  change  rank
    0         A  2024-01   quality  2    4.5     NaN     1
    1         A  2024-01       nps  2  100.0     NaN     1
    2         A  2024-02   quality  2    2.5    -2.0     1
    3         A  2024-02       nps  2  -50.0  -150.0     1
    4         B  2024-01   quality  2    3.0     NaN     2
    5         B  2024-01       nps  2    0.0     NaN     2
    """
    if components is None:
        components = [driver for driver in DEFAULT_DRIVERS if driver in df.columns] + [overall]
    components = list(components)
    if not components and nps is None:
        raise ValueError("nothing to score: no components and nps=None")
    require_columns(df, client, period, *components, nps, weight)
    check_no_missing_keys(df, [client, period])
    threshold = top_box_threshold(scale_max, top_box) if top_box != 0 else None
    weights = survey_weights(df, weight)
    codes, keys = _cell_codes(df, [client, period])

    blocks = []
    for component in components:
        values = ratings(df, component)
        check_scale_max(values, scale_max, component)
        rated = rating_cells(values, weights, codes, len(keys), np.inf if threshold is None else threshold)
        blocks.append(
            keys.assign(
                component=component,
                n=rated.n,
                n_eff=rated.n_eff,
                mean=rated.mean,
                sd=rated.sd,
                se=rated.se,
                top2=np.nan if threshold is None else 100 * rated.top_share,
                test=RATING_TEST,
            )
        )
    if nps is not None:
        values = ratings(df, nps)
        check_nps_range(values, nps)
        scored = nps_cells(values, weights, codes, len(keys))
        blocks.append(
            keys.assign(
                component=NPS_COMPONENT,
                n=scored.n,
                n_eff=scored.n_eff,
                mean=scored.score,
                sd=scored.sd,
                se=scored.se,
                top2=100 * scored.promoter_share,
                test=NPS_TEST,
            )
        )

    cells = pd.concat(blocks, ignore_index=True)
    # Blocks come in component order; a stable sort keeps that order within client x period.
    cells = cells.sort_values([client, period], kind="stable", ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        # 1/n of a cell's mean, or its weighted equivalent (se / sd)**2
        cells["_inv_n"] = np.where(cells["sd"] > 0, np.square(cells["se"] / cells["sd"]), 1 / cells["n_eff"])
    cells = _with_previous_period(cells, client, period)

    change = cells["mean"] - cells["prev_mean"]
    p_value = _moderated_p_values(cells, client, change) if len(cells) else np.array([], dtype=float)
    q_value = np.full(len(cells), np.nan)
    for rows in cells.groupby(cells[period], observed=True, sort=False).indices.values():
        q_value[rows] = q_values(p_value[rows], fdr)
    rankable = cells["mean"].where(cells["n"] >= max(rank_min_n, 1))
    rank = rankable.groupby([cells[period], cells["component"]], observed=True).rank(
        method="min", ascending=False
    )
    cells = cells.assign(
        prev_n=cells["prev_n"].astype("Int64"),
        change=change,
        p_value=p_value,
        q_value=q_value,
        significant=q_value < alpha,
        test="moderated_t",
        rank=rank.astype("Int64"),
    )
    return cells[[client, period, *SCORECARD_COLUMNS]]


# --------------------------------------------------------------------------- trend


def trend(
    df: pd.DataFrame,
    column: str | None = None,
    *,
    by: str | None = None,
    period: str = "period",
    kind: TrendKind = "mean",
    min_n: int = 5,
    months: int | None = None,
    end: str | pd.Period | None = None,
    scale_max: float = 5,
    top_box: int = 2,
    weight: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Monthly series of a metric with confidence intervals and small-cell flags.

    Parameters
    ----------
    df : DataFrame
        Responses, one per row.
    column : str, optional
        Column to summarise.  Default: ``"likelihood_to_recommend"`` for ``kind="nps"``,
        ``"overall_satisfaction"`` otherwise.
    by : str, optional
        Grouping column (e.g. ``"client_id"``) for one series per group.
    period : str
        Column with a pandas Period dtype (normally ``period[M]``).
    kind : {"mean", "nps", "top2"}
        Mean with t interval (:func:`~insights.stats.metrics.mean_score`), NPS with normal
        interval (:func:`~insights.stats.metrics.nps`), or top-box share in percent with Wilson
        interval (:func:`~insights.stats.metrics.csat`).
    min_n : int
        Cells with fewer answers are flagged ``suppressed=True``.  Their estimate is kept:
        the reporting layer decides whether to hide it.
    months : int, optional
        Keep only the last ``months`` periods ending at ``end``.
    end : str or Period, optional
        Last period shown (default: the last period in the data).
    scale_max, top_box : int
        Rating scale, for ``kind="top2"``.
    weight : str, optional
        Column of survey weights.
    confidence : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        Columns ``[<by>,] <period>, n, estimate, se, ci_low, ci_high, suppressed``, one row
        per (group x) period.  Every period of the window is present for every group, so
        months without answers appear as rows with ``n = 0``, NaN estimates and
        ``suppressed=True`` rather than silently vanishing.  The window runs from the first
        period in the data (or ``end - months + 1``) to the last period in the data (or
        ``end``) and is the same for all groups, so a client that went quiet shows the gap
        too.  Groups are those with at least one response in the window.  For ``"top2"``
        ``se`` is the Wald standard error (the interval is Wilson).

    Examples
    --------
    >>> import pandas as pd
    >>> responses = pd.DataFrame({
    ...     "period": pd.PeriodIndex(["2024-01"] * 6 + ["2024-03"] * 2, freq="M"),
    ...     "overall_satisfaction": [5, 4, 4, 3, 5, 4, 2, 3],
    ... })
    >>> trend(responses, min_n=5)[["period", "n", "estimate", "suppressed"]]
        period  n  estimate  suppressed
    0  2024-01  6  4.166667       False
    1  2024-02  0       NaN        True
    2  2024-03  2  2.500000        True
    """
    if kind not in ("mean", "nps", "top2"):
        raise ValueError(f"kind must be 'mean', 'nps' or 'top2', got {kind!r}")
    if column is None:
        column = "likelihood_to_recommend" if kind == "nps" else "overall_satisfaction"
    if months is not None and months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    require_columns(df, column, period, by, weight)
    check_confidence(confidence)
    check_no_missing_keys(df, [period] if by is None else [period, by])
    freq = period_freq(df, period)

    if end is None and len(df) == 0:
        return _empty_trend(df, by, period)
    periods = df[period]
    last = pd.Period(end, freq=freq) if end is not None else periods.max()
    if months is not None:
        first = last - (months - 1)
    else:
        earlier = periods[periods <= last]
        first = earlier.min() if len(earlier) else last
    window = pd.period_range(first, last, freq=freq)
    # ordinals step by the frequency's multiple (6 for half-years, ``6M``; 1 otherwise)
    offset = (periods.array.asi8 - first.ordinal) // first.freq.n
    in_window = (offset >= 0) & (offset < len(window))

    if by is None:
        group_codes, groups = one_cell(int(in_window.sum())), None
        n_groups = 1
    else:
        group_codes, groups = pd.factorize(df.loc[in_window, by], sort=True)
        n_groups = len(groups)
    if n_groups == 0:
        return _empty_trend(df, by, period)
    codes = group_codes * len(window) + offset[in_window]
    n_cells = n_groups * len(window)
    values = ratings(df, column)[in_window]
    weights = survey_weights(df, weight)
    weights = None if weights is None else weights[in_window]

    if kind == "nps":
        check_nps_range(values, column)
        scored = nps_cells(values, weights, codes, n_cells)
        n, estimate, se = scored.n, scored.score, scored.se
        ci_low, ci_high = nps_interval(estimate, se, confidence)
    elif kind == "top2":
        threshold = top_box_threshold(scale_max, top_box)
        check_scale_max(values, scale_max, column)
        rated = rating_cells(values, weights, codes, n_cells, threshold)
        n, share = rated.n, rated.top_share
        with np.errstate(invalid="ignore", divide="ignore"):
            se = 100 * np.sqrt(share * (1 - share) / rated.n_eff)
        low, high = wilson_interval(share, rated.n_eff, confidence)
        estimate, ci_low, ci_high = 100 * share, 100 * low, 100 * high
    else:
        rated = rating_cells(values, weights, codes, n_cells)
        n, estimate, se = rated.n, rated.mean, rated.se
        ci_low, ci_high = t_interval(estimate, se, n - 1, confidence)

    cell = np.arange(n_cells)
    columns: dict[str, object] = {}
    if by is not None:
        columns[by] = groups.take(cell // len(window))
    columns[period] = window.take(cell % len(window))
    columns.update(n=n, estimate=estimate, se=se, ci_low=ci_low, ci_high=ci_high, suppressed=n < min_n)
    return pd.DataFrame(columns)


def _empty_trend(df: pd.DataFrame, by: str | None, period: str) -> pd.DataFrame:
    columns: dict[str, pd.Series] = {}
    if by is not None:
        columns[by] = df[by].iloc[:0].reset_index(drop=True)
    columns[period] = df[period].iloc[:0].reset_index(drop=True)
    columns.update(
        n=pd.Series(dtype=np.int64),
        **{name: pd.Series(dtype=float) for name in ("estimate", "se", "ci_low", "ci_high")},
        suppressed=pd.Series(dtype=bool),
    )
    return pd.DataFrame(columns)
