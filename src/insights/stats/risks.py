"""Clients at risk, and service levels that call for action: the tests and rules behind those flags.

**At risk** (the portfolio report's "Clients at risk"), over the league table's window (the last
three months of a monthly survey; the latest wave of a quarterly, half-yearly or yearly one): a client is at risk when

* its mean overall satisfaction is below the portfolio's mean over the same months (one-sided
  moderated t of the client's mean against that reference, :func:`insights.stats.moderated.level_tests`);
* its NPS is below zero (the same test on the -100/0/+100 coding against 0); or
* its mean overall satisfaction fell significantly (a falling mover, :func:`insights.stats.changes.mover_tests`;
  judged in the movers' family, not again here).

The first two are one test per client: Simes' combination of the two one-sided p-values (valid
for the positively dependent tests of one client), and one family, Benjamini-Hochberg across the
clients (each client's answers are its own; the reference, the mean of some 600 answers, is
treated as fixed).  The rules that hold for a flagged client are the reasons given.

**Service** (with service events), per client, as of the report's moment: attainment below the
target and events overdue are rules (no test); attainment *significantly lower* than in the earlier
months of the window is Fisher's exact test (one-sided), Benjamini-Hochberg across the clients.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from insights.core.periods import cadence_of, waves
from insights.stats.moderated import level_tests
from insights.stats.multiplicity import FDR_LEVEL, q_values
from insights.stats.nps import nps_points

__all__ = ["LEAGUE_MONTHS", "league_length", "risk_tests", "service_tests", "simes"]

#: The league table's and the at-risk rules' window, in months of time (:func:`league_length`).
LEAGUE_MONTHS = 3


def league_length(period: pd.Period) -> int:
    """The league table's window in ``period``'s waves: three months, or the latest quarter, half-year or year."""
    return waves(LEAGUE_MONTHS, cadence_of(period))


def simes(p_values: np.ndarray) -> np.ndarray:
    """Simes' (1986) combined p-value of each row of ``p_values`` (NaN entries left out; all NaN: NaN).

    ``min_k(m * p_(k) / k)`` over the ``m`` p-values of a row in increasing order; valid when the
    tests are independent or positively dependent (Sarkar 2008).

    References
    ----------
    Simes, R. J. (1986). An improved Bonferroni procedure for multiple tests of significance.
    *Biometrika* 73(3), 751-754.
    """
    p = np.sort(np.asarray(p_values, dtype=float), axis=1)  # NaN last
    m = (~np.isnan(p)).sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(np.isnan(p), np.inf, p * m / np.arange(1, p.shape[1] + 1))
    combined = np.min(scaled, axis=1)
    return np.where(m[:, 0] > 0, np.minimum(combined, 1.0), np.nan)


def risk_tests(df: pd.DataFrame, period: pd.Period, *, months: int | None = None) -> pd.DataFrame:
    """The two level rules of "at risk" for every client over the last ``months`` periods
    (default :func:`league_length`).

    Returns
    -------
    DataFrame
        One row per client and rule: ``client_id, client_name, client_type, rule`` (``"mean"``:
        below the portfolio's mean overall; ``"nps"``: NPS below zero), ``n, estimate, reference,
        ci_low, ci_high`` (t interval of the estimate), ``p_rule`` (one-sided, for below), and the
        client's ``p`` (Simes over its rules), ``q`` (Benjamini-Hochberg across the clients) and
        ``flag``.  ``attrs["portfolio_mean"]`` is the reference of the first rule.
    """
    months = months or league_length(period)
    window = df[(df["period"] > period - months) & (df["period"] <= period)]
    clients = window["client_id"].astype(str).to_numpy()
    months_of = window["period"].astype(str).to_numpy()
    overall = window["overall_satisfaction"].astype(float)
    portfolio_mean = float(overall.mean()) if overall.notna().any() else math.nan
    firsts = window.groupby(window["client_id"].astype(str), observed=True)[
        ["client_name", "client_type"]
    ].first()
    parts = []
    for rule, values, reference in (
        ("mean", overall, portfolio_mean),
        ("nps", nps_points(window["likelihood_to_recommend"].astype(float)), 0.0),
    ):
        result = level_tests(values.to_numpy(), clients, months_of, reference)
        parts.append(
            pd.DataFrame(
                {
                    "client_id": result.index.astype(str),
                    "client_name": firsts["client_name"].reindex(result.index).astype(str).to_numpy(),
                    "client_type": firsts["client_type"].reindex(result.index).astype(str).to_numpy(),
                    "rule": rule,
                    "n": result["n"].to_numpy(),
                    "estimate": result["estimate"].to_numpy(),
                    "reference": reference,
                    "ci_low": (result["ci_low"] + reference).to_numpy(),
                    "ci_high": (result["ci_high"] + reference).to_numpy(),
                    "p_rule": result["p_lower"].to_numpy(),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    per_client = frame.pivot(index="client_id", columns="rule", values="p_rule")
    combined = pd.Series(simes(per_client.to_numpy()), index=per_client.index)
    tested = combined.dropna()
    q = pd.Series(q_values(tested.to_numpy(), "bh"), index=tested.index)
    frame["p"] = frame["client_id"].map(combined)
    frame["q"] = frame["client_id"].map(q)
    frame["flag"] = (frame["q"] < FDR_LEVEL).fillna(False).astype(bool)
    frame.attrs["portfolio_mean"] = portfolio_mean
    frame.attrs["family_size"] = len(tested)
    return frame


def service_tests(
    events: pd.DataFrame,
    period: pd.Period,
    *,
    as_of: pd.Timestamp,
    target: float,
    months: int = 12,
    clients: list[str] | None = None,
) -> pd.DataFrame:
    """Per client: attainment of the events due in ``period`` against ``target`` and against the
    earlier months of the window, and the events overdue at ``as_of``.

    Parameters
    ----------
    events : DataFrame
        Validated service events (:func:`insights.data.events.load_events`).
    period : Period
        The report month (events *due* in it).
    as_of : Timestamp
        The moment the events are judged at (the report's: the end of ``period``).
    target : float
        The attainment target, a fraction.
    months : int
        The window whose earlier months are the baseline.
    clients : list of str, optional
        Clients to report on (default: every client with events).

    Returns
    -------
    DataFrame
        One row per client: ``client_id, met, events, attainment, baseline_met, baseline_events,
        baseline, overdue, below_target, p`` (Fisher's exact test, one-sided: lower than the
        baseline), ``q`` (Benjamini-Hochberg over the clients tested) and ``fell`` (``q < 0.05``).
    """
    from insights.stats import service_levels

    frame = service_levels.classify(events, as_of, cadence=cadence_of(period))
    frame = frame.assign(client_id=frame["client_id"].astype(str))
    first = period - (months - 1)
    counted = frame[(frame["period"] >= first) & (frame["period"] <= period)]
    ids = sorted(frame["client_id"].unique()) if clients is None else [str(c) for c in clients]
    now = counted[counted["period"] == period]
    earlier = counted[counted["period"] < period]
    rows = []
    for client_id in ids:
        met, due = _met_and_due(now[now["client_id"] == client_id])
        base_met, base_due = _met_and_due(earlier[earlier["client_id"] == client_id])
        p = math.nan
        if due and base_due:
            table = [[met, due - met], [base_met, base_due - base_met]]
            p = float(stats.fisher_exact(table, alternative="less").pvalue)
        attainment = met / due if due else math.nan
        rows.append(
            {
                "client_id": client_id,
                "met": met,
                "events": due,
                "attainment": attainment,
                "baseline_met": base_met,
                "baseline_events": base_due,
                "baseline": base_met / base_due if base_due else math.nan,
                "overdue": int(frame.loc[frame["client_id"] == client_id, "overdue"].sum()),
                "below_target": bool(due) and attainment < target,
                "p": p,
            }
        )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["q"] = q_values(table["p"], "bh")
    table["fell"] = (table["q"] < FDR_LEVEL).fillna(False)
    return table


def _met_and_due(frame: pd.DataFrame) -> tuple[int, int]:
    """Met events and events due (met + breached; open ones are not counted)."""
    met = int((frame["status"] == "met").sum())
    return met, met + int((frame["status"] == "breached").sum())
