"""The sample's accounts file: revenue, margin and status per client and month, with a planted churn link.

:func:`generate_accounts` is a deterministic function of the sample responses and its own seed
(random stream ``[seed, 17]``), so regenerating the responses regenerates the accounts from them and
nothing else in the sample changes.  The generating model (the tests check that the churn model of
:mod:`insights.stats.value` recovers it):

* The months of the responses (12 ending in 2026-10), one row per client and month while the
  client is with us; 30 clients, each with an ``account_owner`` of ``OWNERS``.
* **Less satisfied clients are lost more often**: each client draws a candidate month of loss
  uniformly from the window's last ``LOSS_MONTHS`` (6) months; ``x`` is the client's mean overall
  satisfaction over its responses *before* that month (exactly the churn model's predictor) and
  ``x̄`` the mean of ``x`` over the clients.  The client is lost in that month with probability
  ``expit(PLANTED_CHURN_INTERCEPT + PLANTED_CHURN_LOG_ODDS * (x - x̄))``: an intercept of -1.0 (27%
  lost at the average) and -2.5 log-odds per point of overall satisfaction (an odds ratio of
  ``exp(-2.5)`` = 0.082 per point).  A lost client's month of loss has revenue 0 and status ``lost``;
  it has no rows after it.
* **Close-outs**: ``CLOSEOUTS`` (3) clients that were not lost close as planned in different months of the
  window's last four: status ``closed`` in that month (its last invoice), no rows after.
* Revenue: a client level from a log-normal (median 40,000 a month for external clients, 12,000 for
  internal teams) times monthly noise (sd 15%); margin = revenue x the client's margin rate
  (``N(0.30, 0.06)``) plus noise; a write-off (2-12% of the month's revenue) in about 6% of months,
  taken off the margin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "CLOSEOUTS",
    "LOSS_MONTHS",
    "OWNERS",
    "PLANTED_CHURN_INTERCEPT",
    "PLANTED_CHURN_LOG_ODDS",
    "generate_accounts",
]

PLANTED_CHURN_INTERCEPT = -1.0
PLANTED_CHURN_LOG_ODDS = -2.5
LOSS_MONTHS = 6
CLOSEOUTS = 3
CLOSE_MONTHS = 4
OWNERS = ("A. Berger", "J. Okafor", "M. Lindqvist", "S. Rao")
WRITEOFF_SHARE = 0.06


def _expit(x: float) -> float:
    return 1.0 / (1.0 + np.exp(-x))


def generate_accounts(responses: pd.DataFrame, seed: int = 2026) -> pd.DataFrame:
    """The sample accounts (raw contract columns, one row per client and month) for ``responses``.

    Parameters
    ----------
    responses : DataFrame
        The raw sample responses (``client_id``, ``client_type``, ``submitted_at``,
        ``overall_satisfaction``), as :func:`insights.data.sample.generate_sample` makes them.
    seed : int
        Seed of the accounts' own random stream.

    Examples
    --------
    >>> from insights.data.sample import generate_sample
    >>> accounts = generate_accounts(generate_sample())
    >>> sorted(accounts["status"].unique())
    ['active', 'closed', 'lost']
    """
    rng = np.random.default_rng([seed, 17])
    frame = pd.DataFrame(
        {
            "client_id": responses["client_id"].astype(str),
            "period": pd.PeriodIndex(pd.to_datetime(responses["submitted_at"]).dt.to_period("M")),
            "overall": pd.to_numeric(responses["overall_satisfaction"], errors="coerce"),
        }
    )
    internal = set(responses.loc[responses["client_type"].astype(str) == "internal", "client_id"].astype(str))
    periods = pd.period_range(frame["period"].min(), frame["period"].max(), freq="M")
    clients = sorted(frame["client_id"].unique())
    candidates = {c: periods[len(periods) - LOSS_MONTHS + int(rng.integers(LOSS_MONTHS))] for c in clients}
    ordinal = pd.PeriodIndex(frame["period"]).asi8
    cut = frame["client_id"].map({c: m.ordinal for c, m in candidates.items()}).to_numpy()
    before = frame[ordinal < cut].groupby("client_id")["overall"].mean().reindex(clients).to_dict()
    centre = float(np.nanmean(list(before.values())))
    draws = rng.random(len(clients))
    ends: dict[str, tuple[pd.Period, str]] = {}
    for client, u in zip(clients, draws, strict=True):
        chance = _expit(PLANTED_CHURN_INTERCEPT + PLANTED_CHURN_LOG_ODDS * (before[client] - centre))
        if u < chance:
            ends[client] = (candidates[client], "lost")
    staying = [c for c in clients if c not in ends]
    closing = rng.choice(staying, size=min(CLOSEOUTS, len(staying)), replace=False)
    offsets = rng.choice(CLOSE_MONTHS, size=len(closing), replace=False)
    for client, offset in zip(closing, offsets, strict=True):
        ends[str(client)] = (periods[len(periods) - CLOSE_MONTHS + int(offset)], "closed")
    rows = []
    for client in clients:
        level = rng.lognormal(np.log(12_000 if client in internal else 40_000), 0.5)
        rate = float(np.clip(rng.normal(0.30, 0.06), 0.05, 0.6))
        owner = OWNERS[int(rng.integers(len(OWNERS)))]
        end, status = ends.get(client, (None, "active"))
        for period in periods:
            if end is not None and period > end:
                break
            revenue = level * max(0.2, rng.normal(1.0, 0.15))
            margin = revenue * (rate + rng.normal(0, 0.03))
            writeoff = revenue * rng.uniform(0.02, 0.12) if rng.random() < WRITEOFF_SHARE else 0.0
            month_status = status if period == end else "active"
            if month_status == "lost":
                revenue = margin = writeoff = 0.0
            rows.append(
                {
                    "client_id": client,
                    "period": str(period),
                    "revenue": round(revenue, 2),
                    "margin": round(margin - writeoff, 2),
                    "writeoffs": round(writeoff, 2),
                    "status": month_status,
                    "account_owner": owner,
                }
            )
    return pd.DataFrame(rows)
