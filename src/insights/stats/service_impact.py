"""How service-level breaches move satisfaction: within clients over time, and across clients.

* :func:`satisfaction_panel` / :func:`satisfaction_impact`: a client x month panel joining
  breaches to mean overall satisfaction, and a two-way fixed-effects regression
  ``satisfaction ~ breaches this month + breaches last month + client + month`` weighted by the
  responses behind each mean, with standard errors clustered by client (Cameron & Miller 2015),
  so a client is compared with itself in other months and a common bad month is not taken for
  an effect of breaches (Wooldridge 2010).  Findings claim nothing that is not significant at the
  95% level, and the association is not proof of cause.
* :func:`attainment_satisfaction_correlation`: across clients, Spearman's rank correlation of
  attainment and mean satisfaction -- a between-client view that clients' other differences can
  drive, which is why the panel model compares each client with itself.

References
----------
Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
*Journal of Human Resources*, 50(2), 317-372.

Spearman, C. (1904). The proof and measurement of association between two things. *The American
Journal of Psychology*, 15(1), 72-101.

Wooldridge, J. M. (2010). *Econometric Analysis of Cross Section and Panel Data* (2nd ed.),
ch. 10. MIT Press.
"""

from __future__ import annotations

import math
import warnings as _warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from insights.core.jsonsafe import json_value
from insights.core.periods import column_cadence, to_periods
from insights.stats.as_of import parse_as_of
from insights.stats.service_levels import (
    ALPHA,
    DEFAULT_HOURLY_COST,
    aggregate,
    as_classified,
    in_cadence,
    json_records,
    p_value_text,
)

__all__ = [
    "FEW_CLUSTERS",
    "ImpactResult",
    "RankCorrelation",
    "attainment_satisfaction_correlation",
    "satisfaction_impact",
    "satisfaction_panel",
]

#: Below this many clients, cluster-robust standard errors are too small (Cameron & Miller 2015).
FEW_CLUSTERS = 20


#: The columns of :func:`satisfaction_panel`, one row per client and month.
PANEL_COLUMNS = [
    "client_id",
    "period",
    "n_responses",
    "satisfaction",
    "events",
    "met",
    "breached",
    "attainment",
    "cost",
    "breaches_prev",
]


def satisfaction_panel(
    events: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    as_of: object = None,
    outcome: str = "overall_satisfaction",
) -> pd.DataFrame:
    """A client x month panel: mean satisfaction joined to the month's and the previous month's breaches.

    Event counts are by due month over the months the events file covers (first to last due
    month, not past the as-of month); a covered month without events counts zero.  Clients with
    no events at all are left out (the file may not cover them).  ``breaches_prev`` is ``NaN``
    when the previous month is not covered.

    Returns
    -------
    pandas.DataFrame
        ``client_id, period, n_responses, satisfaction`` (mean ``outcome``), ``events, met,
        breached, attainment, cost`` and ``breaches_prev``; one row per client-month with
        responses and covered events.
    """
    frame = as_classified(events, as_of, DEFAULT_HOURLY_COST)
    moment = frame.attrs.get("as_of", parse_as_of(as_of))
    cadence = column_cadence(responses.get("period"))
    frame = in_cadence(frame, cadence)  # events counted by the survey's waves
    frame = frame.assign(client_id=frame["client_id"].astype(str))
    if frame.empty:
        return pd.DataFrame(columns=PANEL_COLUMNS)
    now = to_periods(pd.Series([moment.tz_convert("UTC").tz_localize(None)]), cadence).iloc[0]
    last = min(frame["period"].max(), now)
    periods = pd.period_range(frame["period"].min(), last, freq=last.freq)
    clients = sorted(frame["client_id"].unique())
    grid = pd.MultiIndex.from_product([clients, periods], names=["client_id", "period"])
    counts = aggregate(frame, ["client_id", "period"]).set_index(["client_id", "period"])
    counts = counts[["events", "met", "breached", "cost"]].reindex(grid)
    counts[["events", "met", "breached"]] = counts[["events", "met", "breached"]].fillna(0).astype(int)
    counts["cost"] = counts["cost"].fillna(0.0)
    counts["attainment"] = counts["met"] / counts["events"].where(counts["events"] > 0)
    counts["breaches_prev"] = counts.groupby(level="client_id")["breached"].shift(1).astype(float)
    counts = counts.reset_index()

    answered = responses[responses[outcome].notna()]
    cells = (
        answered.assign(client_id=answered["client_id"].astype(str))
        .groupby(["client_id", "period"], observed=True)[outcome]
        .agg(n_responses="size", satisfaction="mean")
        .reset_index()
    )
    panel = cells.merge(counts, on=["client_id", "period"], how="inner")
    return panel[PANEL_COLUMNS].sort_values(["client_id", "period"]).reset_index(drop=True)


@dataclass(frozen=True, eq=False, repr=False)
class ImpactResult:
    """The effect of service-level breaches on satisfaction (see :func:`satisfaction_impact`).

    ``coefficients`` has one row per breach term (``breached``: this month's breaches;
    ``breaches_prev``: last month's): ``term, label, coef, se, ci_low, ci_high, p`` -- the change
    in mean satisfaction per breach, within client, with cluster-robust 95% CIs.
    """

    status: str
    reason: str | None
    outcome: str
    n_obs: int
    n_clients: int
    n_responses: int
    weighted: bool
    time_effects: bool
    r2_within: float
    mean_breaches: float
    coefficients: pd.DataFrame
    se_type: str = "cluster"
    warnings: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def effect(self, term: str = "breached") -> pd.Series:
        """The row of ``coefficients`` for ``term`` (``"breached"`` or ``"breaches_prev"``)."""
        return self.coefficients.set_index("term").loc[term]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "outcome": self.outcome,
            "n_obs": self.n_obs,
            "n_clients": self.n_clients,
            "n_responses": self.n_responses,
            "weighted": self.weighted,
            "time_effects": self.time_effects,
            "r2_within": json_value(self.r2_within),
            "mean_breaches": json_value(self.mean_breaches),
            "se_type": self.se_type,
            "coefficients": json_records(
                self.coefficients, ["term", "label", "coef", "se", "ci_low", "ci_high", "p"]
            ),
            "warnings": list(self.warnings),
            "findings": list(self.findings),
        }

    def __repr__(self) -> str:
        if not self.ok:
            return f"ImpactResult(insufficient data: {self.reason})"
        effects = "month" if self.time_effects else "no month"
        head = (
            f"ImpactResult({self.outcome} ~ breaches + last month's breaches + client"
            f"{' + month' if self.time_effects else ''} effects; {self.n_obs} client-months, "
            f"{self.n_clients} clients, {self.n_responses} responses; SE clustered by client; "
            f"{'weighted by responses' if self.weighted else 'unweighted'}; {effects} effects; "
            f"within R2 = {self.r2_within:.3f})"
        )
        table = self.coefficients[["label", "coef", "se", "ci_low", "ci_high", "p"]]
        return head + "\n" + table.to_string(index=False, float_format=lambda v: f"{v:.4f}")


_TERM_LABELS = {"breached": "Breaches this month", "breaches_prev": "Breaches last month"}


def satisfaction_impact(
    panel: pd.DataFrame,
    *,
    weighted: bool = True,
    time_effects: bool = True,
    outcome: str = "overall_satisfaction",
    confidence: float = 0.95,
) -> ImpactResult:
    """Effect of this month's and last month's breaches on mean satisfaction, with client fixed effects.

    Fits ``satisfaction ~ breached + breaches_prev + C(client_id) [+ C(period)]`` on a
    :func:`satisfaction_panel` by weighted least squares (weights: responses behind each
    client-month mean, when ``weighted``), with standard errors clustered by client (CR1, ``t``
    with G - 1 degrees of freedom).  The client effects absorb every stable difference between
    clients (size, mood, contract), so the slopes compare a client with itself in months with
    more or fewer breaches; the month effects absorb what hit every client at once.

    Returns
    -------
    ImpactResult
        ``status == "insufficient data"`` (with a ``reason``) when fewer than 3 clients have two
        or more usable months, breaches never vary within a client, or there are no spare
        degrees of freedom.
    """
    data = panel.dropna(subset=["satisfaction", "breached", "breaches_prev"]).copy()
    data["client_id"] = data["client_id"].astype(str)
    data["period"] = data["period"].astype(str)
    months_per_client = data.groupby("client_id")["period"].nunique()
    data = data[data["client_id"].isin(months_per_client[months_per_client >= 2].index)]
    n_clients = int(data["client_id"].nunique())
    empty = pd.DataFrame(columns=["term", "label", "coef", "se", "ci_low", "ci_high", "p"])

    def insufficient(reason: str) -> ImpactResult:
        return ImpactResult(
            "insufficient data",
            reason,
            outcome,
            int(len(data)),
            n_clients,
            int(data["n_responses"].sum()) if len(data) else 0,
            weighted,
            time_effects,
            math.nan,
            math.nan,
            empty,
        )

    if n_clients < 3:
        return insufficient(f"{n_clients} client(s) with two or more months of responses and events (need 3)")
    within = data.groupby("client_id")[["breached", "breaches_prev"]].transform(lambda s: s - s.mean())
    if not (within["breached"].abs() > 1e-12).any():
        return insufficient("breaches never vary within a client")
    n_params = 2 + n_clients + (data["period"].nunique() - 1 if time_effects else 0)
    if len(data) - n_params < 5:
        return insufficient(f"{len(data)} client-months for {n_params} parameters")

    coefficients, r2_within = _fit_within_clients(data, weighted, time_effects, confidence)
    caveats = []
    if n_clients < FEW_CLUSTERS:
        caveats.append(
            f"only {n_clients} clients: cluster-robust standard errors may be too small "
            f"(fewer than {FEW_CLUSTERS} clusters)"
        )
    result = ImpactResult(
        "ok",
        None,
        outcome,
        int(len(data)),
        n_clients,
        int(data["n_responses"].sum()),
        weighted,
        time_effects,
        float(r2_within),
        float(data["breached"].mean()),
        coefficients,
        warnings=caveats,
    )
    return ImpactResult(**{**result.__dict__, "findings": _impact_findings(result, data, confidence)})


def _fit_within_clients(
    data: pd.DataFrame, weighted: bool, time_effects: bool, confidence: float
) -> tuple[pd.DataFrame, float]:
    """The two-way fixed-effects WLS fit with standard errors clustered by client (CR1, t on G - 1).

    Returns the breach terms (``term, label, coef, se, ci_low, ci_high, p``) and the within R²:
    the share of the variance left by the client (and month) effects that the breaches explain.
    """
    import statsmodels.formula.api as smf

    fixed = "C(client_id)" + (" + C(period)" if time_effects else "")
    weights = data["n_responses"].to_numpy(dtype=float) if weighted else np.ones(len(data))
    groups = pd.Categorical(data["client_id"]).codes
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        model = smf.wls(f"satisfaction ~ breached + breaches_prev + {fixed}", data, weights=weights).fit(
            cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
        )
        base = smf.wls(f"satisfaction ~ {fixed}", data, weights=weights).fit()
    interval = model.conf_int(alpha=1 - confidence)
    rows = []
    for term in ("breached", "breaches_prev"):
        rows.append(
            {
                "term": term,
                "label": _TERM_LABELS[term],
                "coef": float(model.params[term]),
                "se": float(model.bse[term]),
                "ci_low": float(interval.loc[term, 0]),
                "ci_high": float(interval.loc[term, 1]),
                "p": float(model.pvalues[term]),
            }
        )
    return pd.DataFrame(rows), (1 - model.ssr / base.ssr if base.ssr > 0 else math.nan)


def _impact_findings(result: ImpactResult, data: pd.DataFrame, confidence: float) -> list[str]:
    level = f"{100 * confidence:g}%"
    found = []
    phrases = {"breached": "in the same month", "breaches_prev": "in the following month"}
    subjects = {"breached": "Each breach in a month", "breaches_prev": "Each breach in the previous month"}
    for row in result.coefficients.itertuples():
        if row.p < 1 - confidence:
            direction = "lower" if row.coef < 0 else "higher"
            found.append(
                f"{subjects[row.term]} goes with {abs(row.coef):.2f} points {direction} mean satisfaction "
                f"{phrases[row.term]} ({level} CI {row.ci_low:+.2f} to {row.ci_high:+.2f}, "
                f"{p_value_text(row.p)}), comparing each client with itself."
            )
        else:
            found.append(
                f"No detectable link between {_TERM_LABELS[row.term].lower()} and satisfaction "
                f"(estimate {row.coef:+.2f}, {level} CI {row.ci_low:+.2f} to {row.ci_high:+.2f} includes zero)."
            )
    significant = result.coefficients[result.coefficients["p"] < 1 - confidence].set_index("term")["coef"]
    if len(significant) and (significant < 0).all():
        bad = float(np.percentile(data["breached"], 90))
        if bad >= 1:
            total = float(significant.sum()) * bad
            span = (
                "over that month and the next"
                if len(significant) == 2
                else "that month"
                if "breached" in significant.index
                else "the month after"
            )
            found.append(
                f"A bad month ({bad:.0f} breaches, the 90th percentile of client-months) goes with about "
                f"{abs(total):.2f} points lower mean satisfaction {span}."
            )
    found.append("This is an association within clients over time, not proof that breaches cause the drop.")
    return found


# --- between clients ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankCorrelation:
    """Spearman's rank correlation across clients (``rho``), its two-sided p-value and the clients behind it."""

    rho: float
    p_value: float
    n_clients: int

    @property
    def ok(self) -> bool:
        """Whether a correlation could be computed (not when either measure is constant)."""
        return not math.isnan(self.rho)

    @property
    def significant(self) -> bool:
        return self.ok and self.p_value < ALPHA


def attainment_satisfaction_correlation(
    per_client: pd.DataFrame, *, attainment: str = "attainment", satisfaction: str = "satisfaction"
) -> RankCorrelation:
    """Across clients, do those with higher attainment report higher satisfaction?

    Spearman's (1904) rank correlation of the clients' attainment and mean satisfaction (one row
    per client in ``per_client``), with the two-sided p-value of its t approximation (scipy's
    ``spearmanr``).  A between-client association: clients differ in much more than service
    levels, which is why :func:`satisfaction_impact` compares each client with itself.
    """
    rho, p_value = stats.spearmanr(per_client[attainment], per_client[satisfaction])
    return RankCorrelation(float(rho), float(p_value), int(len(per_client)))
