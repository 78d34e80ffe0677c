"""Did a client's priorities change?  Its own change in driver shares, pooled toward the portfolio.

A client gives a few dozen responses per half-year, so its own change in a driver's share of R^2
(LMG, :mod:`insights.stats.drivers.change`) is noisy.  Per driver, the clients' own changes are
combined by empirical Bayes: the between-client variance tau^2 of the true changes by the
DerSimonian-Laird method of moments, their random-effects mean mu (the portfolio's change, as the
average client's) with a Hartung-Knapp variance, and each client's pooled change
``mu + (1 - B)(own - mu)`` with ``B = se^2 / (se^2 + tau^2)`` and variance
``(1 - B) se^2 + B^2 var(mu)`` (Morris 1983), so a client with little data leans on the portfolio
and its interval still carries the portfolio mean's uncertainty (Student t on k - 1 degrees of
freedom, as Hartung-Knapp's).  The sampling variances se^2 are the clients' bootstrap variances
(scaled by n / (n - p - 1) per half) smoothed per driver across clients in proportion to
``1/n0 + 1/n1``: a client's own bootstrap variance goes with its estimate (a share near zero
barely moves), and weighting by it would bias the mean and its spread.  A shift is claimed when the 95%
interval excludes zero and q < 0.05, Benjamini-Hochberg across every client x driver tested.

References
----------
DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. *Controlled Clinical
Trials* 7(3), 177-188.
Hartung, J., & Knapp, G. (2001). On tests of the overall treatment effect in meta-analysis with
normally distributed responses. *Statistics in Medicine* 20(12), 1771-1782.
Morris, C. N. (1983). Parametric empirical Bayes inference: theory and applications. *JASA*
78(381), 47-55.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import t as student_t

from insights.core.periods import column_cadence
from insights.stats.drivers.change import (
    _complete,
    _count_rows,
    _halves,
    _resample_corrs,
    _shares,
    _span,
    _two_or_more,
    _unit_sums,
    half_months,
)
from insights.stats.drivers.prepare import MIN_SPARE_RESPONSES, _check_columns
from insights.stats.drivers.quiet import _silenced
from insights.stats.memo import cached, frame_key
from insights.stats.multiplicity import FDR_LEVEL, q_values

__all__ = ["ClientImportanceChanges", "client_importance_changes", "dersimonian_laird"]

# ---------------------------------------------------------------------------
# Per client, pooled toward the portfolio
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientImportanceChanges:
    """Every client's change in driver shares, its own and pooled toward the portfolio.

    ``table``: one row per client x driver: ``client_id, driver, label, n_before, n_recent,
    share_before, share_recent, own_change, own_se`` (the client's own data, responses resampled
    within each half), ``sampling_se`` (own_se smoothed across clients, what the pooling weighs),
    ``change, se, ci_low, ci_high`` (pooled: the empirical-Bayes estimate and its 95% interval),
    ``own_weight`` (1 - B: how much the pooled figure rests on the client's own data),
    ``p, q, shift`` (q: Benjamini-Hochberg across every client x driver tested).
    ``between``: per driver the clients' random-effects mean change ``mu`` with its ``mu_se``, the
    between-client variance ``tau2`` (DerSimonian-Laird) and ``clients`` used.
    """

    table: pd.DataFrame
    between: pd.DataFrame
    before: str
    recent: str
    n_boot: int

    def for_client(self, client_id: str) -> pd.DataFrame:
        """The rows of one client (empty when it has none)."""
        return self.table[self.table["client_id"] == str(client_id)].reset_index(drop=True)

    def __repr__(self) -> str:
        tested = int(self.table["p"].notna().sum()) if len(self.table) else 0
        shifts = int(self.table["shift"].sum()) if len(self.table) else 0
        return (
            f"ClientImportanceChanges({self.before} -> {self.recent}: {tested} client x driver changes tested, "
            f"{shifts} shifts)\n{self.between.round(3).to_string(index=False)}"
        )

    def _repr_html_(self) -> str:
        return self.between.round(3).to_html(index=False)


def client_importance_changes(
    df: pd.DataFrame,
    drivers: Sequence[str],
    outcome: str = "overall_satisfaction",
    *,
    client: str = "client_id",
    end: pd.Period | str | None = None,
    half: int | None = None,
    n_boot: int = 50,
    random_state: int | np.random.Generator | None = 0,
    labels: Mapping[str, str] | None = None,
) -> ClientImportanceChanges:
    """Each client's change in LMG shares, pooled toward the portfolio by empirical Bayes.

    Per client and half, the LMG shares of its complete responses; the standard error of its own
    change from ``n_boot`` resamples of responses within each half (50: a client's own standard error to
    about 10%, and the smoothed variance the pooling uses, an average over the clients, to about 2%).
    Per driver, the DerSimonian-Laird between-client variance ``tau2`` and random-effects mean
    ``mu`` of the own changes; each client's pooled change
    ``mu + (1 - B)(own - mu)``, ``B = se^2 / (se^2 + tau2)``, with variance
    ``(1 - B) se^2 + B^2 var(mu)``, a 95% interval and p-value on Student t with k - 1 degrees of
    freedom (k clients).  The se^2 that weights and shrinks are smoothed across clients per driver
    (proportional to ``1/n0 + 1/n1``), since a client's own bootstrap variance goes with its
    estimate.  A client with too few responses in a half (fewer than the drivers + 11) is listed
    untested.

    Parameters
    ----------
    df, drivers, outcome, end, half, random_state, labels
        As for :func:`importance_change`.
    client : str
        Client id column.
    n_boot : int
        Resamples per client and half.

    Returns
    -------
    ClientImportanceChanges

    Examples
    --------
    >>> from insights.data.sample import sample_dir
    >>> import insights
    >>> df = insights.load(sample_dir() / "responses.csv", warn=False)
    >>> changes = client_importance_changes(df, ["communication", "responsiveness", "quality"], n_boot=50)
    >>> sorted(changes.between.columns)
    ['clients', 'driver', 'mu', 'mu_se', 'tau2']

    References
    ----------
    DerSimonian & Laird (1986), *Controlled Clinical Trials* 7(3); Morris (1983), *JASA* 78(381).
    """
    drivers = _two_or_more(drivers)
    _check_columns(df, ["period", outcome, client, *drivers])
    half = half or half_months(column_cadence(df["period"]))
    if isinstance(random_state, int | None):  # a fixed seed: the same data gives the same result, kept
        key = (
            frame_key(df, ["period", outcome, client, *drivers]),
            tuple(drivers),
            outcome,
            client,
            str(end),
            half,
            n_boot,
            random_state,
            tuple(sorted((labels or {}).items())),
        )
        return cached(
            "client_importance_changes",
            key,
            lambda: _client_changes(df, drivers, outcome, client, end, half, n_boot, random_state, labels),
        )
    return _client_changes(df, drivers, outcome, client, end, half, n_boot, random_state, labels)


def _client_changes(
    df, drivers, outcome, client, end, half, n_boot, random_state, labels
) -> ClientImportanceChanges:
    end, which = _halves(df["period"], end, half)
    before_span, recent_span = _span(end, half, column_cadence(df["period"]))
    values, complete = _complete(df, [outcome, *drivers])
    keep = complete & (which >= 0)
    ids = df[client].astype(str).to_numpy()[keep]
    values, which = values[keep], which[keep]
    own = _own_changes(ids, values, which, len(drivers), n_boot, np.random.default_rng(random_state))
    table = own.merge(pd.DataFrame({"driver": drivers}), how="cross") if len(own) else own
    if len(own):
        table = _fill_own(table, own, drivers)
    between, table = _pool(table, drivers)
    table["label"] = [(labels or {}).get(d, d.replace("_", " ").capitalize()) for d in table["driver"]]
    return ClientImportanceChanges(table, between, before_span, recent_span, n_boot)


def _own_changes(
    ids: np.ndarray, values: np.ndarray, which: np.ndarray, p: int, n_boot: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Per client: sizes, own shares per half (points), own changes and their bootstrap SEs."""
    clients = sorted(set(ids))
    centre = values.mean(axis=0) if len(values) else None
    blocks, rows = [], []
    for name in clients:
        mine = ids == name
        sizes = [int((mine & (which == h)).sum()) for h in (0, 1)]
        rows.append((name, *sizes))
        if min(sizes) < p + 1 + MIN_SPARE_RESPONSES:
            continue
        for h in (0, 1):
            part = values[mine & (which == h)]
            n = len(part)
            counts = np.vstack([np.ones(n), _count_rows(rng.integers(0, n, (n_boot, n)), n)])
            blocks.append(_resample_corrs(_unit_sums(part, np.arange(n), n, centre), counts))
    frame = pd.DataFrame(rows, columns=["client_id", "n_before", "n_recent"])
    estimated = frame["n_before"].ge(p + 1 + MIN_SPARE_RESPONSES) & frame["n_recent"].ge(
        p + 1 + MIN_SPARE_RESPONSES
    )
    frame["estimated"] = estimated
    if not blocks:
        frame.attrs["shares"] = np.empty((0, 2, n_boot + 1, p))
        return frame
    _, shares, _ = _shares(np.concatenate(blocks), weights=False)
    frame.attrs["shares"] = shares.reshape(-1, 2, n_boot + 1, p)
    return frame


def _fill_own(table: pd.DataFrame, own: pd.DataFrame, drivers: list[str]) -> pd.DataFrame:
    """Own shares, change and SE per client x driver from the resampled shares."""
    shares = own.attrs["shares"]  # (estimated clients, half, 1 + resamples, p)
    p = len(drivers)
    fields = {
        name: np.full((len(own), p), np.nan)
        for name in ("share_before", "share_recent", "own_change", "own_se")
    }
    index = np.flatnonzero(own["estimated"].to_numpy())
    if len(index):
        change = shares[:, 1] - shares[:, 0]
        usable = np.isfinite(change[:, 1:]).all(axis=2)
        # The halves are resampled independently: var(change) = var(before) + var(recent), each
        # bootstrap variance scaled by n / (n - p - 1), as the bootstrap of a p-driver regression
        # on a few dozen responses understates the spread (about 15% in SD at 30 responses).
        sizes = own.loc[own["estimated"], ["n_before", "n_recent"]].to_numpy(float)
        inflate = sizes / (sizes - p - 1)
        with _silenced():
            variance = np.stack(
                [
                    [
                        np.var(half[1:][u], axis=0, ddof=1) if u.sum() > 1 else np.full(p, np.nan)
                        for half in both
                    ]
                    for both, u in zip(shares, usable)
                ]
            )  # (clients, half, p)
            se = np.sqrt((variance * inflate[:, :, None]).sum(axis=1))
        # A client whose resamples fail often (a driver constant in many) is left untested.
        se[usable.mean(axis=1) < 0.8] = np.nan
        fields["share_before"][index] = shares[:, 0, 0]
        fields["share_recent"][index] = shares[:, 1, 0]
        fields["own_change"][index] = change[:, 0]
        fields["own_se"][index] = se
    table = table.drop(columns="estimated")
    for name, grid in fields.items():
        table[name] = grid.reshape(-1)
    return table


def _pool(table: pd.DataFrame, drivers: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """DerSimonian-Laird per driver, the shrunk changes, their intervals, p and BH q across all."""
    columns = ["change", "se", "ci_low", "ci_high", "own_weight", "p", "sampling_se"]
    out = np.full((len(table), len(columns)), np.nan)
    names = table["driver"].to_numpy() if len(table) else np.zeros(0, object)
    own = table["own_change"].to_numpy(float) if len(table) else np.zeros(0)
    own_var = table["own_se"].to_numpy(float) ** 2 if len(table) else np.zeros(0)
    # The sampling variance of a share's change falls as 1/n0 + 1/n1; per driver it is smoothed
    # across clients (the mean of se^2 / (1/n0 + 1/n1), times the client's 1/n0 + 1/n1), so
    # weights and shrinkage do not follow the noise of each client's own bootstrap variance,
    # which goes with its estimate (a share near zero has a small spread).
    scale = (1 / table["n_before"] + 1 / table["n_recent"]).to_numpy(float) if len(table) else np.zeros(0)
    rows = []
    for driver in drivers:
        at = np.flatnonzero(names == driver)
        d, s2 = own[at], own_var[at]
        usable = np.isfinite(d) & np.isfinite(s2) & (s2 > 0)
        if usable.any():
            s2 = np.where(usable, np.mean(s2[usable] / scale[at][usable]) * scale[at], np.nan)
        mu, mu_var, tau2 = dersimonian_laird(d[usable], s2[usable], robust=True)
        rows.append((driver, mu, np.sqrt(mu_var), tau2, int(usable.sum())))
        if usable.sum() < 2:
            continue
        d, s2 = d[usable], s2[usable]
        b = s2 / (s2 + tau2)
        pooled = mu + (1 - b) * (d - mu)
        se = np.sqrt((1 - b) * s2 + b**2 * mu_var)
        # Student t on k - 1 degrees of freedom, as Hartung and Knapp's interval of the mean.
        df = usable.sum() - 1
        z = student_t.ppf(0.975, df)
        out[at[usable]] = np.column_stack(
            [
                pooled,
                se,
                pooled - z * se,
                pooled + z * se,
                1 - b,
                2 * student_t.sf(np.abs(pooled) / se, df),
                np.sqrt(s2),
            ]
        )
    table = table.assign(**{name: out[:, k] for k, name in enumerate(columns)})
    between = pd.DataFrame(rows, columns=["driver", "mu", "mu_se", "tau2", "clients"])
    table["q"] = q_values(out[:, 5]) if len(table) else np.zeros(0)
    table["shift"] = ((table["ci_low"] > 0) | (table["ci_high"] < 0)) & (table["q"] < FDR_LEVEL)
    return between, table


def dersimonian_laird(
    estimates: np.ndarray, variances: np.ndarray, *, robust: bool = False
) -> tuple[float, float, float]:
    """Random-effects mean, its variance and the between-study variance tau^2 by the method of moments.

    ``tau2 = max(0, (Q - (k - 1)) / (sum w - sum w^2 / sum w))`` with ``w = 1 / v`` and Cochran's
    ``Q = sum w (y - y_w)^2``; the mean weights each estimate by ``1 / (v + tau2)``
    (DerSimonian & Laird 1986).  NaN with no estimate; tau^2 = 0 with one.  ``robust``: the mean's
    variance is at least the Hartung-Knapp one, ``sum w* (y - mu)^2 / ((k - 1) sum w*)`` with
    ``w* = 1 / (v + tau2)`` (Hartung & Knapp 2001), which stays honest when the ``v`` are estimates.

    Examples
    --------
    >>> mu, var, tau2 = dersimonian_laird(np.array([0.1, 0.3, 0.35]), np.array([0.01, 0.02, 0.015]))
    >>> round(mu, 4), round(tau2, 4)
    (0.2323, 0.0064)
    """
    k = len(estimates)
    if k == 0:
        return np.nan, np.nan, np.nan
    w = 1 / variances
    fixed = np.sum(w * estimates) / w.sum()
    q = np.sum(w * (estimates - fixed) ** 2)
    denominator = w.sum() - np.sum(w**2) / w.sum()
    tau2 = max(0.0, (q - (k - 1)) / denominator) if k > 1 and denominator > 0 else 0.0
    w_star = 1 / (variances + tau2)
    mean = float(np.sum(w_star * estimates) / w_star.sum())
    variance = 1 / w_star.sum()
    if robust and k > 1:
        # Hartung-Knapp: the spread of the estimates about the mean, never below the model's variance.
        variance = max(variance, float(np.sum(w_star * (estimates - mean) ** 2) / ((k - 1) * w_star.sum())))
    return mean, float(variance), float(tau2)
