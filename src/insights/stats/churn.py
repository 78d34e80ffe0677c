"""Does satisfaction keep clients?  The churn model and retention by NPS group.

The churn model is defined exactly, so it can be checked by hand:

* the window is the ``months`` months to the report ``period`` (``period - months + 1`` to
  ``period``);
* one row per client with at least one row of the accounts in the window;
* the outcome is 1 if the client's status is ``lost`` in any month of the window, else 0;
* the predictor is the client's mean overall satisfaction over its responses in the window
  before it was lost (responses of months before its first ``lost`` month in the window), or over
  all its responses in the window if it was not lost; clients without such responses are left
  out (and counted);
* a logistic regression of the outcome on the predictor (statsmodels ``Logit``, maximum
  likelihood); the odds ratio per point is ``exp(b)``, with its 95% Wald interval
  ``exp(b +/- 1.96 se)`` and the Wald test's two-sided p.

With fewer than :data:`MIN_EVENTS` lost (or kept) clients, a constant predictor, or a predictor
that separates the lost clients from the others, the model cannot be estimated and the result
says why instead of showing a number.  Nothing here reads files.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from insights.stats.intervals import normal_interval, wilson_interval
from insights.stats.nps import nps_points

__all__ = [
    "MIN_EVENTS",
    "NPS_BANDS",
    "ChurnModel",
    "churn_model",
    "churn_table",
    "last_month",
    "monthly",
    "retention_by_group",
    "window",
]

MIN_EVENTS = 3
OVERALL = "overall_satisfaction"
LTR = "likelihood_to_recommend"
#: The clients' NPS groups of :func:`retention_by_group`: name, lowest NPS (inclusive), highest (exclusive).
NPS_BANDS = (("NPS below 0", -math.inf, 0.0), ("NPS 0 to 29", 0.0, 30.0), ("NPS 30 or more", 30.0, math.inf))


def last_month(period: pd.Period | str) -> pd.Period:
    """The report period's last month: a month as it is; a quarter, half or year, its last month."""
    chosen = period if isinstance(period, pd.Period) else pd.Period(str(period))
    return chosen if chosen.freqstr == "M" else chosen.asfreq("M", how="end")


def window(period: pd.Period | str, months: int = 12) -> tuple[pd.Period, pd.Period]:
    """The first and last month of the ``months`` months to ``period`` (accounts are monthly whatever
    the survey's cadence)."""
    last = last_month(period)
    return last - months + 1, last


def monthly(responses: pd.DataFrame) -> pd.DataFrame:
    """The responses with a monthly ``period`` (the month of ``submitted_at``), whatever the survey's cadence."""
    if responses["period"].dtype == "period[M]" or "submitted_at" not in responses.columns:
        return responses
    return responses.assign(period=pd.to_datetime(responses["submitted_at"]).dt.to_period("M"))


def churn_table(
    responses: pd.DataFrame, accounts: pd.DataFrame, period: pd.Period | str, months: int = 12
) -> pd.DataFrame:
    """One row per client of the accounts in the window: the churn model's data.

    Returns
    -------
    DataFrame
        ``client_id``; ``lost`` (0/1); ``lost_period`` (its first ``lost`` month in the window,
        ``NaT`` if kept); ``mean_overall`` and ``n`` (its responses in the window before it was lost;
        NaN and 0 without any); ``nps`` (the NPS of the same responses, NaN without an answer to
        likelihood to recommend), sorted by client.
    """
    first, last = window(period, months)
    acc = accounts[(accounts["period"] >= first) & (accounts["period"] <= last)]
    acc = acc.assign(client_id=acc["client_id"].astype(str))
    lost_at = acc[acc["status"] == "lost"].groupby("client_id")["period"].min()
    clients = sorted(acc["client_id"].unique())
    table = pd.DataFrame({"client_id": clients})
    table["lost_period"] = pd.Series(
        [lost_at.get(c, pd.NaT) for c in clients], dtype="period[M]", index=table.index
    )
    table["lost"] = table["lost_period"].notna().astype(int)
    responses = monthly(responses)
    res = responses[(responses["period"] >= first) & (responses["period"] <= last)]
    res = res.assign(client_id=res["client_id"].astype(str))
    cut = (
        res["client_id"].map({c: m.ordinal for c, m in lost_at.items()}).fillna(np.inf).to_numpy(dtype=float)
    )
    before = res[pd.PeriodIndex(res["period"]).asi8 < cut]
    ltr = before[LTR] if LTR in before.columns else pd.Series(np.nan, index=before.index)
    grouped = before.assign(_nps=nps_points(ltr)).groupby("client_id")
    table["mean_overall"] = table["client_id"].map(grouped[OVERALL].mean()).astype(float)
    table["n"] = table["client_id"].map(grouped[OVERALL].count()).fillna(0).astype(int)
    table["nps"] = table["client_id"].map(grouped["_nps"].mean()).astype(float)
    return table[["client_id", "lost", "lost_period", "mean_overall", "n", "nps"]]


@dataclass(frozen=True)
class ChurnModel:
    """The churn model's result: the odds ratio of being lost per point of mean overall satisfaction.

    ``estimable`` is False when the model cannot be estimated; ``reason`` then says why and the
    figures are NaN.
    """

    odds_ratio_per_point: float
    ci_low: float
    ci_high: float
    p: float
    clients: int
    lost: int
    log_odds_per_point: float
    se: float
    intercept: float
    first: str
    last: str
    left_out: int
    estimable: bool = True
    reason: str = ""

    def __repr__(self) -> str:
        return f"ChurnModel({self.sentence()})"

    def sentence(self) -> str:
        """The result in one plain sentence."""
        head = f"{self.lost} of {self.clients} clients lost in {self.first} to {self.last}"
        if not self.estimable:
            return f"{head}; the churn model cannot be estimated: {self.reason}"
        return (
            f"{head}; odds of being lost x{self.odds_ratio_per_point:.2f} per point of mean overall "
            f"satisfaction (95% CI {self.ci_low:.2f} to {self.ci_high:.2f}, p = {self.p:.2g})"
        )

    def _repr_html_(self) -> str:
        from html import escape

        return f"<p>{escape(self.sentence())}</p>"

    def record(self) -> dict:
        """The result as a JSON-ready dict (NaN as None)."""
        from insights.core.jsonsafe import json_value

        return {k: json_value(v) for k, v in self.__dict__.items()}


def churn_model(
    responses: pd.DataFrame, accounts: pd.DataFrame, period: pd.Period | str, months: int = 12
) -> ChurnModel:
    """Logistic regression of being lost on mean overall satisfaction (the module's definition).

    Parameters
    ----------
    responses : DataFrame
        Validated survey responses (``client_id``, ``period``, ``overall_satisfaction``).
    accounts : DataFrame
        Validated accounts (:func:`insights.data.accounts.load_accounts`).
    period : Period or str
        The report month, the window's last.
    months : int
        The window's length.

    Returns
    -------
    ChurnModel
        The odds ratio per point, its 95% Wald interval, p, clients and lost clients modelled.

    References
    ----------
    Hosmer, D. W., Lemeshow, S. & Sturdivant, R. X. (2013). *Applied Logistic Regression*, 3rd ed.
    Wiley (Wald intervals for odds ratios, ch. 1-2); Albert, A. & Anderson, J. A. (1984). On the
    existence of maximum likelihood estimates in logistic regression models. *Biometrika* 71, 1-10.

    Examples
    --------
    >>> import pandas as pd
    >>> acc = pd.DataFrame({"client_id": list("abcdefgh"), "period": pd.Period("2026-01", "M"),
    ...                     "status": ["lost"] * 4 + ["active"] * 4})
    >>> res = pd.DataFrame({"client_id": list("abcdefgh"), "period": pd.Period("2025-12", "M"),
    ...                     "overall_satisfaction": [2, 3, 4, 2, 4, 5, 3, 4.0]})
    >>> round(churn_model(res, acc, "2026-01").odds_ratio_per_point, 3)
    0.163
    """
    first, last = window(period, months)
    table = churn_table(responses, accounts, period, months)
    known = table[table["mean_overall"].notna()]
    y, x = known["lost"].to_numpy(dtype=float), known["mean_overall"].to_numpy(dtype=float)
    common = {"clients": len(known), "lost": int(y.sum()), "first": str(first), "last": str(last)}
    common["left_out"] = int(len(table) - len(known))
    reason = _why_not(y, x)
    if reason:
        return _not_estimable(reason, common)
    from statsmodels.discrete.discrete_model import Logit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = Logit(y, np.column_stack([np.ones_like(x), x])).fit(disp=0, maxiter=200)
        except Exception as exc:  # noqa: BLE001 - statsmodels raises several kinds on separation
            return _not_estimable(f"the fit failed ({type(exc).__name__})", common)
    b, se = float(fit.params[1]), float(fit.bse[1])
    if not (fit.mle_retvals.get("converged", True) and math.isfinite(se) and se > 0 and abs(b) < 30):
        return _not_estimable("the maximum likelihood fit did not converge (near separation)", common)
    low, high = normal_interval(b, se, 0.95)
    return ChurnModel(
        odds_ratio_per_point=math.exp(b),
        ci_low=math.exp(low),
        ci_high=math.exp(high),
        p=float(fit.pvalues[1]),
        log_odds_per_point=b,
        se=se,
        intercept=float(fit.params[0]),
        **common,
    )


def _why_not(y: np.ndarray, x: np.ndarray) -> str:
    lost = int(y.sum())
    if lost < MIN_EVENTS:
        return f"{lost} lost client(s) with answers (at least {MIN_EVENTS} needed)"
    if len(y) - lost < MIN_EVENTS:
        return f"{len(y) - lost} kept client(s) with answers (at least {MIN_EVENTS} needed)"
    if np.ptp(x) == 0:
        return "every client has the same mean overall satisfaction"
    lost_x, kept_x = x[y == 1], x[y == 0]
    if lost_x.max() < kept_x.min() or lost_x.min() > kept_x.max():
        return "satisfaction separates the lost clients from the others completely (no finite estimate)"
    return ""


def _not_estimable(reason: str, common: dict) -> ChurnModel:
    nan = float("nan")
    return ChurnModel(
        odds_ratio_per_point=nan,
        ci_low=nan,
        ci_high=nan,
        p=nan,
        log_odds_per_point=nan,
        se=nan,
        intercept=nan,
        estimable=False,
        reason=reason,
        **common,
    )


def retention_by_group(
    responses: pd.DataFrame, accounts: pd.DataFrame, period: pd.Period | str, months: int = 12
) -> pd.DataFrame:
    """Clients kept in the window, by their NPS group: below 0, 0 to 29, 30 or more (:data:`NPS_BANDS`).

    A descriptive view beside the churn model: each client of :func:`churn_table` gets its NPS
    (percent promoters minus percent detractors) over the same responses as the model's predictor;
    clients whose respondents never answered the question form ``No NPS``.  Retention is the share
    of the group's clients not lost, with its 95% Wilson interval (Wilson 1927).

    Returns
    -------
    DataFrame
        ``group``, ``clients``, ``kept``, ``lost``, ``retention``, ``ci_low``, ``ci_high``, one row
        per group in :data:`NPS_BANDS` order (then ``No NPS``), groups without clients left out.
    """
    table = churn_table(responses, accounts, period, months)
    groups = pd.Series("No NPS", index=table.index, dtype=object)
    for name, low, high in NPS_BANDS:
        groups[(table["nps"] >= low) & (table["nps"] < high)] = name
    rows = []
    for name in [*(band[0] for band in NPS_BANDS), "No NPS"]:
        mine = table[groups == name]
        if not len(mine):
            continue
        kept = int((mine["lost"] == 0).sum())
        share = kept / len(mine)
        low, high = wilson_interval(share, len(mine), 0.95)
        rows.append(
            {
                "group": name,
                "clients": len(mine),
                "kept": kept,
                "lost": len(mine) - kept,
                "retention": share,
                "ci_low": float(low),
                "ci_high": float(high),
            }
        )
    return pd.DataFrame(rows, columns=["group", "clients", "kept", "lost", "retention", "ci_low", "ci_high"])
