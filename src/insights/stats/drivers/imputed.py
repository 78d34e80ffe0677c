"""Key-driver analysis on multiply imputed data: :func:`key_drivers_imputed`.

The skipped driver answers of the responses with an outcome are imputed ``m`` times by chained
equations with the outcome in the model (:mod:`insights.stats.drivers.imputation`); each completed
data set is analysed as :func:`~insights.stats.drivers.key_drivers` would, and the results are
combined:

* regression coefficients and the ordered logit's: Rubin's rules on the estimates and their
  squared (robust) standard errors, with Barnard & Rubin's (1999) degrees of freedom from the
  complete-data ones (G - 1 clusters, or n - k);
* LMG parts, relative weights and shares: the mean over the imputations; their intervals (with a
  bootstrap) by Rubin's rules too, the within-imputation variance being the variance of
  ``ceil(n_boot / m)`` bootstrap resamples of each completed data set (the "MI Boot" scheme of
  Schomaker & Heumann 2018), clipped to the possible range. The resamples of all imputations add
  up to about ``n_boot``, so the bootstrap costs what it does without imputation;
* the ordered logit, a robustness check of signs and significance, on the first
  ``ORDERED_LOGIT_IMPUTATIONS`` imputations only (Rubin's rules hold for any m; it is the slowest
  model to fit);
* R^2 averaged on Fisher's z scale (Harel 2009); VIFs, mean scores and standardised
  coefficients averaged.

The imputation model is unweighted and ignores the clients (the analysis keeps its weights and
cluster-robust errors): with ratings that differ between clients mostly through the drivers, as
here, the outcome carries what the imputations need; skipping that depends on the client beyond
its ratings is not modelled.

References
----------
Rubin, D. B. (1987). *Multiple Imputation for Nonresponse in Surveys*. Wiley.

Barnard, J., & Rubin, D. B. (1999). Small-sample degrees of freedom with multiple imputation.
*Biometrika*, 86(4), 948-955.

Schomaker, M., & Heumann, C. (2018). Bootstrap inference when using multiple imputation.
*Statistics in Medicine*, 37(14), 2252-2266.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from insights.core.jsonsafe import json_value
from insights.stats.drivers.analysis import _checked_drivers, _sample_warnings, _vif_table, key_drivers
from insights.stats.drivers.bootstrap import _bootstrap_importance
from insights.stats.drivers.findings import _findings
from insights.stats.drivers.importance import (
    _lmg_from_corr,
    _relative_weights_from_corr,
    _vif_from_corr,
    importance_performance,
)
from insights.stats.drivers.imputation import DEFAULT_IMPUTATIONS, DEFAULT_ITERATIONS, impute_matrix
from insights.stats.drivers.moments import _Moments
from insights.stats.drivers.ordered_logit import _fit_ordered_logit
from insights.stats.drivers.prepare import (
    MIN_SPARE_RESPONSES,
    _answered_varying_drivers,
    _default_drivers,
    _numeric,
    _prepare_sample,
    _resolve_cluster,
    _Sample,
    _usable_responses,
)
from insights.stats.drivers.quiet import _silenced
from insights.stats.drivers.regression import _fit_linear
from insights.stats.drivers.result import DriverAnalysis
from insights.stats.drivers.rubin import pooled_r2, rubin_pool

#: Reports impute when listwise deletion would leave out more than this share of the responses
#: that have an outcome; below it the bias and the lost precision are small next to the
#: sampling error, and the listwise analysis is simpler to explain.
IMPUTE_ABOVE = 0.05

#: What the imputation was checked against, for the caveats of reports that use it (the figures are
#: those of ``tests/test_imputation.py``).
IMPUTATION_CHECK = (
    "Checked on generated data in which dissatisfied respondents skip 15% of driver answers: listwise "
    "deletion put communication's effect at 0.26 against a true 0.35, imputation at 0.33; over 60 "
    "replications the imputed 95% intervals covered the truth 97% of the time (listwise 68%)."
)

#: Imputations the ordered logit is fitted to and combined over (see the module notes).
ORDERED_LOGIT_IMPUTATIONS = 5

#: A fraction of missing information above this makes m = 20 imputations less than 98% efficient
#: (Rubin 1987, p. 114) and the p-values less reproducible (White, Royston & Wood 2011).
HIGH_FMI = 0.4


@dataclass(frozen=True, eq=False, repr=False)
class ImputedDriverAnalysis(DriverAnalysis):
    """A :class:`DriverAnalysis` from multiply imputed data (see :func:`key_drivers_imputed`).

    Extra attributes
    ----------------
    missing : str
        ``"impute"``.
    imputations : int
        Number of imputations combined (0 when nothing needed imputing: the listwise analysis).
    imputed_answers : int
        Driver answers imputed (in each completed data set).
    driver_answers : int
        Driver answers the responses used would hold if complete (responses x drivers).
    incomplete_responses : int
        Responses with at least one driver answer imputed.
    iterations : int
        Cycles of the chained equations per imputation.
    fmi : pandas.DataFrame
        Per coefficient: ``term, fmi`` (fraction of missing information), ``riv`` (relative increase
        in variance) and ``df`` (Barnard-Rubin degrees of freedom).
    """

    missing: str = "impute"
    imputations: int = 0
    imputed_answers: int = 0
    driver_answers: int = 0
    incomplete_responses: int = 0
    iterations: int = 0
    fmi: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["term", "fmi", "riv", "df"]))

    @property
    def imputation_note(self) -> str:
        """One sentence on what was imputed and how, for findings and caveats."""
        if self.imputations == 0:
            return "No driver answer was skipped: nothing was imputed."
        share = self.imputed_answers / self.driver_answers if self.driver_answers else math.nan
        return (
            f"{self.imputed_answers:,} skipped driver answers ({100 * share:.1f}%, in {self.incomplete_responses:,} "
            f"of {self.n:,} responses) were imputed {self.imputations} times by chained equations with the "
            "outcome in the model, and the results combined by Rubin's rules; this assumes the answers are "
            "missing at random given the outcome and the other drivers."
        )

    def to_dict(self) -> dict[str, Any]:
        """:meth:`DriverAnalysis.to_dict` plus ``missing, imputations, imputed_answers,
        driver_answers, incomplete_responses, fmi`` (by term)."""
        result = super().to_dict()
        result.update(
            missing=self.missing,
            imputations=int(self.imputations),
            imputed_answers=int(self.imputed_answers),
            driver_answers=int(self.driver_answers),
            incomplete_responses=int(self.incomplete_responses),
            fmi={str(row.term): json_value(row.fmi) for row in self.fmi.itertuples()},
        )
        return result

    def __repr__(self) -> str:
        return super().__repr__() + "\n" + self.imputation_note


def listwise_loss(df: pd.DataFrame, drivers: Sequence[str], outcome: str = "overall_satisfaction") -> float:
    """Share of the responses with an outcome that miss at least one answered driver (what
    listwise deletion leaves out); drivers nobody answered are not counted (the analysis drops them)."""
    rated = df[outcome].notna().to_numpy()
    if not rated.any():
        return 0.0
    values = _numeric(df, list(drivers))[rated]
    answered = np.isfinite(values)
    asked = answered.any(axis=0)
    return float((~answered[:, asked]).any(axis=1).mean())


def key_drivers_auto(
    df: pd.DataFrame,
    drivers: Sequence[str] | None = None,
    outcome: str = "overall_satisfaction",
    *,
    threshold: float = IMPUTE_ABOVE,
    **options: Any,
) -> DriverAnalysis:
    """:func:`key_drivers_imputed` when listwise deletion would leave out more than ``threshold``
    of the responses with an outcome (default 5%), else :func:`~insights.stats.drivers.key_drivers`.
    ``options`` go to either (``m`` and ``n_iter`` only matter when imputing)."""
    imputation_options = {name: options.pop(name) for name in ("m", "n_iter") if name in options}
    drivers = _default_drivers(df) if drivers is None else list(drivers)
    if listwise_loss(df, drivers, outcome) > threshold:
        return key_drivers_imputed(df, drivers, outcome, **options, **imputation_options)
    return key_drivers(df, drivers, outcome, **options)


def key_drivers_imputed(
    df: pd.DataFrame,
    drivers: Sequence[str] | None = None,
    outcome: str = "overall_satisfaction",
    *,
    weight: str | None = None,
    cluster: str | None = "auto",
    n_boot: int = 0,
    random_state: int | np.random.Generator | None = 0,
    labels: Mapping[str, str] | None = None,
    m: int = DEFAULT_IMPUTATIONS,
    n_iter: int = DEFAULT_ITERATIONS,
) -> DriverAnalysis:
    """Key-driver analysis with skipped driver answers multiply imputed instead of dropped.

    Listwise deletion (:func:`~insights.stats.drivers.key_drivers`) drops every response that
    skipped a driver; when less satisfied people skip more, that biases every effect. Here the
    skipped answers of the responses with an outcome are imputed ``m`` times by chained equations
    with the outcome in the imputation model, each completed data set is analysed like
    ``key_drivers`` does, and the results are combined by Rubin's rules (see the module notes).
    Responses without the outcome (or without a usable weight or cluster) are left out, as there.
    With nothing skipped the result is exactly ``key_drivers``'s (``imputations == 0``).

    Parameters
    ----------
    df, drivers, outcome, weight, cluster, n_boot, random_state, labels
        As for :func:`~insights.stats.drivers.key_drivers`; ``random_state`` also seeds the imputations.
    m : int
        Imputations (default 20, see :data:`~insights.stats.drivers.imputation.DEFAULT_IMPUTATIONS`).
    n_iter : int
        Cycles of the chained equations per imputation.

    Returns
    -------
    ImputedDriverAnalysis
        Or a plain ``DriverAnalysis`` with ``status == "insufficient data"``.

    References
    ----------
    Rubin (1987); Barnard & Rubin (1999); van Buuren (2018); see the module notes.

    Examples
    --------
    >>> result = key_drivers_imputed(responses, n_boot=200)  # doctest: +SKIP
    >>> result.imputation_note  # doctest: +SKIP
    '412 skipped driver answers (6.1%, in 318 of 1,125 responses) were imputed 20 times ...'
    """
    drivers = _checked_drivers(df, drivers, outcome, weight, n_boot)
    if m < 2:
        raise ValueError("m must be at least 2 (Rubin's rules need a spread between imputations)")
    cluster = _resolve_cluster(df, cluster, outcome)
    notes: list[str] = []
    outcome_values, usable, weights_all, _ = _usable_responses(df, outcome, weight, cluster, notes)
    values_all = _numeric(df, drivers)
    kept = _answered_varying_drivers(values_all, np.isfinite(values_all) & usable[:, None], drivers, notes)
    rows = np.flatnonzero(usable)
    unrated = int((~np.isfinite(outcome_values)).sum())
    if unrated:
        notes.append(f"{unrated:,} response(s) without {outcome} were left out (the outcome is not imputed).")
    matrix = np.column_stack(
        [outcome_values[rows], values_all[np.ix_(rows, [drivers.index(d) for d in kept])]]
    )
    skipped = ~np.isfinite(matrix[:, 1:])
    listwise_args = dict(
        weight=weight, cluster=cluster, n_boot=n_boot, random_state=random_state, labels=labels
    )
    if not kept or not skipped.any():
        return _imputed(key_drivers(df, drivers, outcome, **listwise_args), m=0, skipped=skipped, n_iter=0)
    k = len(kept) + 1
    answers = (~skipped).sum(axis=0)
    needed = max(len(kept) + 1 + MIN_SPARE_RESPONSES, k + 2)
    if len(rows) < needed or answers.min() < k + 2:
        fewest = kept[int(np.argmin(answers))]
        reason = (
            f"only {len(rows)} responses with {outcome} for {len(kept)} drivers (need {needed})"
            if len(rows) < needed
            else f"only {answers.min()} answers to {fewest}; imputing it needs at least {k + 2}"
        )
        return DriverAnalysis(
            "insufficient data", reason, outcome, (), len(rows), weight=weight, warnings=notes
        )

    rng = np.random.default_rng(random_state)
    imputations = impute_matrix(matrix, m=m, n_iter=n_iter, seed=rng)
    base = df.iloc[rows][[c for c in (outcome, weight, cluster) if c is not None]].copy(deep=False)
    fits = []
    for i in range(m):
        frame = base.copy(deep=False)
        completed = imputations.completed(i)
        for j, name in enumerate(kept):
            frame[name] = completed[:, j + 1]
        sample, reason, sample_notes, _ = _prepare_sample(frame, kept, outcome, weight, cluster)
        if sample is None or sample.drivers != (fits[0].sample.drivers if fits else sample.drivers):
            note = f"Imputation {i + 1} could not be analysed ({reason or 'a different set of drivers'})"
            return DriverAnalysis(
                "insufficient data", note, outcome, (), len(rows), weight=weight, warnings=notes
            )
        fits.append(
            _fit_one(sample, outcome, n_boot, m, rng, sample_notes, ordinal=i < ORDERED_LOGIT_IMPUTATIONS)
        )

    average = _average_sample(fits[0].sample, imputations.average()[:, 1:])
    pooled = _pool(fits, average, outcome=outcome, labels=dict(labels or {}), n_boot=n_boot)
    warnings_out = _dedupe(notes + [n for fit in fits for n in fit.notes] + pooled.notes)
    return ImputedDriverAnalysis(
        status="ok",
        reason=None,
        outcome=outcome,
        drivers=tuple(average.drivers),
        n=len(average.y),
        n_clusters=pooled.n_clusters,
        r2=pooled.r2,
        adj_r2=pooled.adj_r2,
        se_type=fits[0].se_type,
        cluster=average.cluster,
        weight=weight,
        n_boot=n_boot,
        coefficients=pooled.coefficients,
        importance=pooled.importance,
        ordered_logit=pooled.ordered,
        ordered_logit_thresholds=pooled.thresholds,
        ordered_logit_se_type=fits[0].ordered_se_type,
        vif=pooled.vif,
        warnings=warnings_out,
        findings=pooled.findings,
        imputations=m,
        imputed_answers=int(skipped.sum()),
        driver_answers=int(skipped.size),
        incomplete_responses=int(skipped.any(axis=1).sum()),
        iterations=n_iter,
        fmi=pooled.fmi,
    )


def _imputed(analysis: DriverAnalysis, *, m: int, skipped: np.ndarray, n_iter: int) -> DriverAnalysis:
    """``analysis`` as an :class:`ImputedDriverAnalysis` (unchanged otherwise), when nothing was imputed."""
    if not analysis.ok:
        return analysis
    values = {f.name: getattr(analysis, f.name) for f in fields(DriverAnalysis)}
    return ImputedDriverAnalysis(
        **values,
        imputations=m,
        imputed_answers=int(skipped.sum()),
        driver_answers=int(skipped.size),
        incomplete_responses=int(skipped.any(axis=1).sum()),
        iterations=n_iter,
    )


@dataclass(frozen=True)
class _Fit:
    """The analysis of one completed data set."""

    sample: _Sample
    coefficients: pd.DataFrame
    r2: float
    se_type: str
    df_resid: float
    lmg: np.ndarray
    relative_weight: np.ndarray
    vif: np.ndarray
    lmg_draws: np.ndarray | None  # (resamples, p) bootstrap draws, or None without a bootstrap
    rw_draws: np.ndarray | None
    ordered: pd.DataFrame | None  # None: not fitted to this imputation
    thresholds: pd.DataFrame | None
    ordered_se_type: str | None
    notes: list[str]


def _fit_one(
    sample: _Sample,
    outcome: str,
    n_boot: int,
    m: int,
    rng: np.random.Generator,
    notes: list[str],
    *,
    ordinal: bool,
) -> _Fit:
    """The linear model, the decompositions, a share of the bootstrap and the ordered logit on one
    completed data set."""
    coefficients, r2, _, se_type, linear_notes = _fit_linear(sample)
    n, p = sample.x.shape
    df_resid = int(sample.groups.max()) if sample.groups is not None else n - p - 1
    corr = sample.moments.corr()
    lmg_draws = rw_draws = None
    boot_notes = []
    if n_boot > 0:
        n_per = max(2, math.ceil(n_boot / m))
        lmg_draws, rw_draws, failed = _bootstrap_importance(sample, n_per, rng)
        if failed:
            boot_notes.append(
                "Some bootstrap resamples were degenerate (a driver did not vary) and were skipped."
            )
    ordered, thresholds, ordered_se_type, ordered_notes = (
        _fit_ordered_logit(sample, outcome) if ordinal else (None, None, None, [])
    )
    return _Fit(
        sample,
        coefficients,
        r2,
        se_type,
        df_resid,
        _lmg_from_corr(corr[1:, 1:], corr[0, 1:]),
        _relative_weights_from_corr(corr[1:, 1:], corr[0, 1:]),
        _vif_from_corr(corr[1:, 1:]),
        lmg_draws,
        rw_draws,
        ordered,
        thresholds,
        ordered_se_type,
        notes + linear_notes + boot_notes + ordered_notes,
    )


def _average_sample(sample: _Sample, x: np.ndarray) -> _Sample:
    """The first imputation's sample with each imputed answer replaced by its mean over the
    imputations: the findings' mean scores and their paired comparison use it (the comparison's
    interval leaves out the between-imputation spread, small for means with a few per cent imputed)."""
    x = np.asfortranarray(x)
    moments = _Moments.of(x, sample.weights, first=sample.y)
    return _Sample(sample.drivers, sample.y, x, sample.weights, sample.groups, sample.cluster, moments)


@dataclass(frozen=True)
class _Pooled:
    coefficients: pd.DataFrame
    fmi: pd.DataFrame
    importance: pd.DataFrame
    ordered: pd.DataFrame
    thresholds: pd.DataFrame
    vif: pd.DataFrame
    r2: float
    adj_r2: float
    n_clusters: int | None
    findings: list[str]
    notes: list[str]


def _pool(fits: list[_Fit], average: _Sample, *, outcome: str, labels: dict, n_boot: int) -> _Pooled:
    """Every table of the analysis combined over the imputations, and the findings on them."""
    n, p = average.x.shape
    n_clusters = None if average.groups is None else int(average.groups.max()) + 1
    coefficients, fmi = _pool_coefficients(fits)
    r2 = pooled_r2([fit.r2 for fit in fits])
    adj_r2 = 1 - (n - 1) / (n - p - 1) * (1 - r2)
    importance, share_gap_ci = _pool_importance(fits, average, r2)
    vif_values = np.mean([fit.vif for fit in fits], axis=0)
    vif_table, vif_notes = _vif_table(average, _vif_corr(vif_values))
    ordered, thresholds = _pool_ordered(fits)
    notes = _sample_warnings(average, n_rows=n, n_clusters=n_clusters) + vif_notes
    high = fmi.loc[fmi["fmi"] > HIGH_FMI, "term"].tolist()
    if high:
        notes.append(
            f"A large fraction of the information on {', '.join(high)} is missing (above {HIGH_FMI:.0%}): "
            f"these intervals rest heavily on the imputation model; more than {len(fits)} imputations "
            "would make them more reproducible."
        )
    findings = _findings(
        average,
        coefficients,
        importance,
        ordered,
        r2=r2,
        n_clusters=n_clusters,
        outcome=outcome,
        labels=labels,
        share_gap_ci=share_gap_ci,
    )
    return _Pooled(
        coefficients, fmi, importance, ordered, thresholds, vif_table, r2, adj_r2, n_clusters, findings, notes
    )


def _vif_corr(vif_values: np.ndarray) -> np.ndarray:
    """A stand-in correlation matrix whose inverse has the pooled VIFs on its diagonal (for
    :func:`_vif_table`, which reads only that diagonal): the identity scaled per driver."""
    corr = np.eye(len(vif_values) + 1)
    corr[1:, 1:] = np.diag(1 / vif_values)
    return corr


def _pool_coefficients(fits: list[_Fit]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the coefficient table by Rubin's rules, its fractions of missing information)."""
    terms = fits[0].coefficients["term"].tolist()
    estimates = np.array([fit.coefficients["coef"].to_numpy(dtype=float) for fit in fits])
    variances = np.array([fit.coefficients["se"].to_numpy(dtype=float) ** 2 for fit in fits])
    with _silenced():
        pooled = rubin_pool(estimates, variances, fits[0].df_resid, terms=terms)
        std_coef = np.nanmean([fit.coefficients["std_coef"].to_numpy(dtype=float) for fit in fits], axis=0)
    std_coef[0] = np.nan
    table = pd.DataFrame(
        {
            "term": terms,
            "coef": pooled["estimate"],
            "se": pooled["se"],
            "ci_low": pooled["ci_low"],
            "ci_high": pooled["ci_high"],
            "p": pooled["p"],
            "std_coef": std_coef,
        }
    )
    return table, pooled[["term", "fmi", "riv", "df"]]


def _pool_importance(
    fits: list[_Fit], average: _Sample, r2: float
) -> tuple[pd.DataFrame, tuple[float, float] | None]:
    """(the importance table: mean parts and shares, Rubin intervals with a bootstrap; the interval
    of the strongest driver's share minus the runner-up's, or None)."""
    drivers = average.drivers
    lmg_each = np.array([fit.lmg for fit in fits])
    rw_each = np.array([fit.relative_weight for fit in fits])
    share_each = 100 * lmg_each / lmg_each.sum(axis=1, keepdims=True)
    lmg_parts = lmg_each.mean(axis=0)
    shares = share_each.mean(axis=0)
    performance = average.moments.mean[1:]
    matrix = importance_performance(pd.Series(shares, index=drivers), pd.Series(performance, index=drivers))
    importance = pd.DataFrame(
        {
            "driver": drivers,
            "lmg": lmg_parts,
            "relative_weight": rw_each.mean(axis=0),
            "share": shares,
            "performance": performance,
            "quadrant": matrix["quadrant"].to_numpy(),
        }
    )
    share_gap_ci = None
    if fits[0].lmg_draws is not None:
        lmg_draws = [fit.lmg_draws for fit in fits]
        share_draws = [100 * d / d.sum(axis=1, keepdims=True) for d in lmg_draws]
        for prefix, each, draws, upper in (
            ("lmg", lmg_each, lmg_draws, 1.0),
            ("rw", rw_each, [fit.rw_draws for fit in fits], 1.0),
            ("share", share_each, share_draws, 100.0),
        ):
            low, high = _rubin_interval(each, draws)
            importance[f"{prefix}_ci_low"] = np.clip(low, 0.0, upper)
            importance[f"{prefix}_ci_high"] = np.clip(high, 0.0, upper)
        order = np.argsort(-lmg_parts)
        if len(order) > 1:
            first, second = order[0], order[1]
            gap_each = share_each[:, [first]] - share_each[:, [second]]
            gap_draws = [d[:, [first]] - d[:, [second]] for d in share_draws]
            low, high = _rubin_interval(gap_each, gap_draws)
            share_gap_ci = (float(low[0]), float(high[0]))
    importance = importance.sort_values("lmg", ascending=False, kind="stable").reset_index(drop=True)
    return importance, share_gap_ci


def _rubin_interval(estimates: np.ndarray, draws: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """95% intervals by Rubin's rules: the estimates of each imputation (m, p), and as their
    variances the variance of each imputation's bootstrap draws (large-sample, normal reference)."""
    with _silenced():
        variances = np.array([np.nanvar(d, axis=0, ddof=1) for d in draws])
        pooled = rubin_pool(estimates, np.nan_to_num(variances, nan=0.0))
    return pooled["ci_low"].to_numpy(), pooled["ci_high"].to_numpy()


def _pool_ordered(fits: list[_Fit]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ordered logit by Rubin's rules (normal reference, as without imputation), and the mean
    thresholds; empty when it was skipped or failed in any imputation."""
    fits = [fit for fit in fits if fit.ordered is not None]
    if len(fits) < 2 or any(fit.ordered.empty for fit in fits):
        return fits[0].ordered.iloc[0:0], fits[0].thresholds.iloc[0:0]
    terms = fits[0].ordered["term"].tolist()
    estimates = np.array([fit.ordered["coef"].to_numpy(dtype=float) for fit in fits])
    variances = np.array([fit.ordered["se"].to_numpy(dtype=float) ** 2 for fit in fits])
    with _silenced():
        pooled = rubin_pool(estimates, variances, terms=terms)
    ordered = pd.DataFrame(
        {
            "term": terms,
            "coef": pooled["estimate"],
            "se": pooled["se"],
            "ci_low": pooled["ci_low"],
            "ci_high": pooled["ci_high"],
            "p": pooled["p"],
        }
    )
    thresholds = fits[0].thresholds.copy()
    thresholds["threshold"] = np.mean(
        [fit.thresholds["threshold"].to_numpy(dtype=float) for fit in fits], axis=0
    )
    return ordered, thresholds


def _dedupe(notes: list[str]) -> list[str]:
    """The notes in order, each once (every imputation repeats the same ones)."""
    return list(dict.fromkeys(notes))
