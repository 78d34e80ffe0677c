"""Key-driver analysis, start to finish: :func:`key_drivers` runs the steps of the other
modules on one estimation sample and gathers their results and warnings in a
:class:`~insights.stats.drivers.result.DriverAnalysis`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from insights.stats.drivers.bootstrap import _bootstrap_intervals
from insights.stats.drivers.findings import _findings
from insights.stats.drivers.importance import (
    MAX_LMG_DRIVERS,
    _lmg_from_corr,
    _relative_weights_from_corr,
    _vif_from_corr,
    importance_performance,
)
from insights.stats.drivers.ordered_logit import _fit_ordered_logit
from insights.stats.drivers.prepare import (
    _check_columns,
    _default_drivers,
    _names,
    _prepare_sample,
    _resolve_cluster,
    _Sample,
)
from insights.stats.drivers.regression import _fit_linear
from insights.stats.drivers.result import DriverAnalysis

#: Conventional threshold above which collinearity inflates standard errors
#: enough to make individual coefficients hard to interpret.
VIF_WARNING_THRESHOLD = 5.0

#: Cameron & Miller (2015): with fewer clusters than this, cluster-robust
#: standard errors tend to be too small even with the small-sample correction.
FEW_CLUSTERS = 20


def key_drivers(
    df: pd.DataFrame,
    drivers: Sequence[str] | None = None,
    outcome: str = "overall_satisfaction",
    *,
    weight: str | None = None,
    cluster: str | None = "auto",
    n_boot: int = 0,
    random_state: int | np.random.Generator | None = 0,
    labels: Mapping[str, str] | None = None,
) -> DriverAnalysis:
    """Key-driver analysis: what goes with higher satisfaction, and what to fix.

    Fits ``outcome ~ drivers`` by OLS (WLS with ``weight``) on the complete
    responses, decomposes R^2 with LMG and relative weights, checks the
    result with an ordered logit, computes VIFs and the
    importance-performance matrix, and writes findings.

    Steps and rules:

    * Drivers with no answers, or that do not vary, are dropped with a
      warning; so are drivers that are an exact linear combination of
      others. Responses missing the outcome, a driver or the weight are
      dropped listwise (``n`` is what remains).
    * At least ``p + 10`` complete responses are needed for ``p`` drivers;
      otherwise ``status == "insufficient data"`` and ``reason`` says why.
    * Standard errors: cluster-robust by client (statsmodels' default
      small-sample correction G/(G-1) (N-1)/(N-K), t with G-1 degrees of
      freedom) when the data hold more than one client, HC3 otherwise.
      Fewer than 20 clusters gives a warning.
    * Standardised coefficients are b * sd_x / sd_y on the estimation sample
      (weighted SDs under weights).
    * LMG and relative weights use the (weighted) correlation matrix of the
      estimation sample. ``share`` is LMG as a percentage of R^2.
    * With ``n_boot > 0``, percentile 95% intervals for LMG, relative weights
      and shares come from resampling responses, or whole clusters when the
      standard errors are clustered.
    * The ordered logit (proportional odds) uses the same responses; its
      standard errors are cluster-robust when clustering, sandwich (HC0)
      under weights and model-based otherwise. Skipped for outcomes with
      more than 11 distinct values.
    * Findings call a driver significant only when its 95% coefficient
      interval excludes zero, and the strongest only when a bootstrap shows
      its share ahead of the runner-up.

    Parameters
    ----------
    df : DataFrame
        Validated responses, one row each.
    drivers : sequence of str, optional
        Driver columns. Default: those of ``DEFAULT_DRIVERS`` present in
        ``df``.
    outcome : str
        Outcome column, default ``"overall_satisfaction"``.
    weight : str, optional
        Column of non-negative response weights (WLS). Zero-weight responses
        are left out.
    cluster : {"auto"} or str or None
        ``"auto"``: cluster by ``client_id`` when the data hold more than one
        client, else HC3. A column name: cluster by it. ``None``: HC3.
    n_boot : int
        Bootstrap resamples for the importance intervals (0 = none).
    random_state : int, Generator or None
        Seed for the bootstrap.
    labels : mapping, optional
        Display labels for drivers (and the outcome) used in the findings.

    Returns
    -------
    DriverAnalysis

    Raises
    ------
    KeyError
        If a named column is not in ``df``.
    ValueError
        If no default driver is present, weights are negative, ``n_boot``
        is negative, or there are more than 20 drivers.

    References
    ----------
    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to
    cluster-robust inference. *Journal of Human Resources*, 50(2), 317-372.

    Grömping, U. (2006). Relative importance for linear regression in R: the
    package relaimpo. *Journal of Statistical Software*, 17(1), 1-27.

    Johnson, J. W. (2000). A heuristic method for estimating the relative
    weight of predictor variables in multiple regression. *Multivariate
    Behavioral Research*, 35(1), 1-19.

    Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to
    Bivariate and Multivariate Analysis*. Scott, Foresman.

    MacKinnon, J. G., & White, H. (1985). Some heteroskedasticity-consistent
    covariance matrix estimators with improved finite sample properties.
    *Journal of Econometrics*, 29(3), 305-325.

    McCullagh, P. (1980). Regression models for ordinal data. *Journal of
    the Royal Statistical Society, Series B*, 42(2), 109-142.

    Examples
    --------
    >>> result = key_drivers(responses, n_boot=500)  # doctest: +SKIP
    >>> result.status  # doctest: +SKIP
    'ok'
    >>> result.importance[["driver", "share", "quadrant"]]  # doctest: +SKIP
    >>> print("\\n".join(result.findings))  # doctest: +SKIP
    """
    drivers = _checked_drivers(df, drivers, outcome, weight, n_boot)
    labels = dict(labels or {})
    cluster = _resolve_cluster(df, cluster, outcome)

    sample, reason, notes, n_complete = _prepare_sample(df, drivers, outcome, weight, cluster)
    if sample is None:
        return DriverAnalysis(
            status="insufficient data",
            reason=reason,
            outcome=outcome,
            drivers=(),
            n=n_complete,
            weight=weight,
            warnings=notes,
        )

    n_clusters = None if sample.groups is None else int(sample.groups.max()) + 1
    warnings_out = notes + _sample_warnings(sample, n_rows=len(df), n_clusters=n_clusters)

    coefficients, r2, adj_r2, se_type, linear_notes = _fit_linear(sample)
    warnings_out += linear_notes

    corr = sample.moments.corr()
    importance, lmg_parts = _importance_table(sample, corr, r2)
    share_gap_ci = None
    if n_boot > 0:
        intervals, share_gap_ci, bootstrap_notes = _bootstrap_intervals(
            sample, lmg_parts, n_boot, random_state
        )
        for column, values in intervals.items():
            importance[column] = values
        warnings_out += bootstrap_notes
    importance = importance.sort_values("lmg", ascending=False, kind="stable")
    importance = importance.reset_index(drop=True)

    vif_table, vif_notes = _vif_table(sample, corr)
    warnings_out += vif_notes

    ordered, thresholds, ordered_se_type, ordered_notes = _fit_ordered_logit(sample, outcome)
    warnings_out += ordered_notes

    findings = _findings(
        sample,
        coefficients,
        importance,
        ordered,
        r2=r2,
        n_clusters=n_clusters,
        outcome=outcome,
        labels=labels,
        share_gap_ci=share_gap_ci,
    )
    return DriverAnalysis(
        status="ok",
        reason=None,
        outcome=outcome,
        drivers=tuple(sample.drivers),
        n=len(sample.y),
        n_clusters=n_clusters,
        r2=r2,
        adj_r2=adj_r2,
        se_type=se_type,
        cluster=sample.cluster,
        weight=weight,
        n_boot=n_boot,
        coefficients=coefficients,
        importance=importance,
        ordered_logit=ordered,
        ordered_logit_thresholds=thresholds,
        ordered_logit_se_type=ordered_se_type,
        vif=vif_table,
        warnings=warnings_out,
        findings=findings,
    )


def _checked_drivers(
    df: pd.DataFrame, drivers: Sequence[str] | None, outcome: str, weight: str | None, n_boot: int
) -> list[str]:
    """The driver columns to use, once the arguments are known to be sound (else an exception)."""
    drivers = _default_drivers(df) if drivers is None else list(drivers)
    _check_columns(df, [outcome, *drivers, *([weight] if weight else [])])
    if len(drivers) > MAX_LMG_DRIVERS:
        raise ValueError(f"at most {MAX_LMG_DRIVERS} drivers are supported, got {len(drivers)}")
    if n_boot < 0:
        raise ValueError("n_boot must be zero or positive")
    return drivers


def _sample_warnings(sample: _Sample, *, n_rows: int, n_clusters: int | None) -> list[str]:
    """Warnings about the estimation sample: incomplete responses left out, too few clusters."""
    warnings_out = []
    if len(sample.y) < n_rows:
        warnings_out.append(
            f"Used {len(sample.y):,} of {n_rows:,} responses; the other "
            f"{n_rows - len(sample.y):,} were incomplete (listwise deletion). If answers are "
            "not missing at random this can bias the results."
        )
    if n_clusters is not None and n_clusters < FEW_CLUSTERS:
        warnings_out.append(
            f"Only {n_clusters} clusters ({sample.cluster}): cluster-robust standard errors "
            "can be too small with fewer than 20 clusters; read the p-values conservatively."
        )
    return warnings_out


def _importance_table(sample: _Sample, corr: np.ndarray, r2: float) -> tuple[pd.DataFrame, np.ndarray]:
    """(one row per driver in sample order: LMG, relative weight, share of R^2, mean score and
    quadrant; the LMG parts), from the correlation matrix of (outcome, drivers)."""
    corr_xx, r_xy = corr[1:, 1:], corr[0, 1:]
    lmg_parts = _lmg_from_corr(corr_xx, r_xy)
    rw_parts = _relative_weights_from_corr(corr_xx, r_xy)
    performance = sample.moments.mean[1:]
    shares = 100 * lmg_parts / r2
    matrix = importance_performance(
        pd.Series(shares, index=sample.drivers), pd.Series(performance, index=sample.drivers)
    )
    importance = pd.DataFrame(
        {
            "driver": sample.drivers,
            "lmg": lmg_parts,
            "relative_weight": rw_parts,
            "share": shares,
            "performance": performance,
            "quadrant": matrix["quadrant"].to_numpy(),
        }
    )
    return importance, lmg_parts


def _vif_table(sample: _Sample, corr: np.ndarray) -> tuple[pd.DataFrame, list[str]]:
    """(VIF per driver, a warning naming the drivers above ``VIF_WARNING_THRESHOLD``)."""
    vif_values = _vif_from_corr(corr[1:, 1:])
    vif_table = pd.DataFrame({"driver": sample.drivers, "vif": vif_values})
    collinear = [f"{d} ({v:.1f})" for d, v in zip(sample.drivers, vif_values) if v > VIF_WARNING_THRESHOLD]
    if not collinear:
        return vif_table, []
    note = (
        f"High collinearity (VIF above {VIF_WARNING_THRESHOLD:g}): {_names(collinear)}; their "
        "individual coefficients are imprecise; the LMG shares, which split shared "
        "variance, are less affected."
    )
    return vif_table, [note]
