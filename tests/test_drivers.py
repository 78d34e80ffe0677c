"""Tests for insights.stats.drivers.

Every numerical check compares the module with an independent route written
here (brute-force refits, plain numpy sandwich formulas, a hand-written
likelihood maximised with scipy, statsmodels' own VIF function), never with
the module's own output.
"""

from __future__ import annotations

import doctest
import importlib
import itertools
import json
import math
import pkgutil
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special, stats

from insights.stats import drivers as drivers_module
from insights.stats.drivers import (
    DEFAULT_DRIVERS,
    DriverAnalysis,
    importance_performance,
    key_drivers,
    lmg,
    relative_weights,
    vif,
)

TRUE_COEFFICIENTS = {
    "communication": 0.15,
    "responsiveness": 0.25,
    "quality": 0.30,
    "timeliness": 0.10,
    "value": 0.10,
    "expertise": 0.0,
}
TRUE_INTERCEPT = 0.4


# ---------------------------------------------------------------------------
# Simulated survey data in the loader's tidy format
# ---------------------------------------------------------------------------


def make_responses(
    n: int = 600,
    n_clients: int = 20,
    seed: int = 0,
    outcome: str = "rating",
    noise: float = 0.5,
) -> pd.DataFrame:
    """Responses with correlated 1-5 driver ratings and a known linear model.

    outcome="continuous" keeps the exact linear model (for coverage checks);
    outcome="rating" rounds and clips it to the 1-5 scale like a real survey.
    """
    rng = np.random.default_rng(seed)
    client = rng.integers(0, n_clients, n)
    client_level = rng.normal(0, 0.4, (n_clients, 1))[client]
    general = rng.normal(0, 0.7, (n, 1))
    latent = 3.4 + general + client_level + rng.normal(0, 0.6, (n, len(DEFAULT_DRIVERS)))
    ratings = np.clip(np.rint(latent), 1, 5)
    slopes = np.array([TRUE_COEFFICIENTS[d] for d in DEFAULT_DRIVERS])
    client_shift = rng.normal(0, 0.2, n_clients)[client]
    overall = TRUE_INTERCEPT + ratings @ slopes + client_shift + rng.normal(0, noise, n)
    if outcome == "rating":
        overall = np.clip(np.rint(overall), 1, 5)
    submitted = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    frame = pd.DataFrame(
        {
            "response_id": [f"r{i:05d}" for i in range(n)],
            "client_id": [f"C{c:03d}" for c in client],
            "client_name": [f"Client {c}" for c in client],
            "client_type": np.where(client % 2 == 0, "enterprise", "smb"),
            "respondent_id": [f"p{i:05d}" for i in rng.integers(0, n, n)],
            "submitted_at": submitted,
            "overall_satisfaction": overall.astype(float),
            "likelihood_to_recommend": np.clip(np.rint(2 * overall), 0, 10).astype(float),
        }
    )
    frame["period"] = frame["submitted_at"].dt.to_period("M")
    for j, name in enumerate(DEFAULT_DRIVERS):
        frame[name] = ratings[:, j]
    frame["comment"] = ""
    return frame


def design(frame: pd.DataFrame, names, outcome="overall_satisfaction"):
    y = frame[outcome].to_numpy(float)
    x = frame[list(names)].to_numpy(float)
    return y, np.column_stack([np.ones(len(y)), x])


# ---------------------------------------------------------------------------
# Independent reference implementations
# ---------------------------------------------------------------------------


def r2_by_lstsq(y, x, w=None):
    """R^2 of a (weighted) least-squares fit with an intercept, by refitting."""
    w = np.ones(len(y)) if w is None else np.asarray(w, float)
    if x.shape[1] == 0:
        return 0.0
    design_matrix = np.column_stack([np.ones(len(y)), x]) * np.sqrt(w)[:, None]
    coef = np.linalg.lstsq(design_matrix, y * np.sqrt(w), rcond=None)[0]
    residual = y - np.column_stack([np.ones(len(y)), x]) @ coef
    mean = np.average(y, weights=w)
    return 1 - np.sum(w * residual**2) / np.sum(w * (y - mean) ** 2)


def lmg_brute_force(y, x, w=None):
    """LMG by definition: average over all p! orders of the R^2 increments."""
    p = x.shape[1]
    cache = {}

    def r2(subset):
        key = frozenset(subset)
        if key not in cache:
            cache[key] = r2_by_lstsq(y, x[:, sorted(key)], w)
        return cache[key]

    totals = np.zeros(p)
    orders = list(itertools.permutations(range(p)))
    for order in orders:
        entered = []
        for j in order:
            before = r2(entered)
            entered.append(j)
            totals[j] += r2(entered) - before
    return totals / len(orders)


def relative_weights_svd_route(y, x):
    """Johnson (2000) as originally described, from the data matrix itself.

    Standardise X, take its SVD X = P D Q', build the orthogonal Z = P Q',
    regress standardised y on Z (beta = Z'y / (n-1)) and map back with
    Lambda = Q D Q' / sqrt(n-1), the regression of X on Z.
    """
    n = len(y)
    xs = (x - x.mean(0)) / x.std(0, ddof=1)
    ys = (y - y.mean()) / y.std(ddof=1)
    p_mat, d, q_t = np.linalg.svd(xs, full_matrices=False)
    z = p_mat @ q_t
    beta = z.T @ ys / math.sqrt(n - 1)
    lam = q_t.T @ np.diag(d) @ q_t / math.sqrt(n - 1)
    return (lam**2) @ (beta**2)


def hc3_numpy(x, y):
    xtx_inv = np.linalg.inv(x.T @ x)
    coef = xtx_inv @ x.T @ y
    residual = y - x @ coef
    leverage = np.einsum("ij,jk,ik->i", x, xtx_inv, x)
    meat = x.T @ (x * (residual**2 / (1 - leverage) ** 2)[:, None])
    return coef, np.sqrt(np.diag(xtx_inv @ meat @ xtx_inv))


def cluster_numpy(x, y, groups):
    n, k = x.shape
    xtx_inv = np.linalg.inv(x.T @ x)
    coef = xtx_inv @ x.T @ y
    residual = y - x @ coef
    labels = np.unique(groups)
    meat = np.zeros((k, k))
    for g in labels:
        score = x[groups == g].T @ residual[groups == g]
        meat += np.outer(score, score)
    n_groups = len(labels)
    correction = n_groups / (n_groups - 1) * (n - 1) / (n - k)
    return coef, np.sqrt(np.diag(correction * xtx_inv @ meat @ xtx_inv)), n_groups


def ordered_logit_scipy(y_codes, x, n_levels):
    """Maximise the proportional-odds log-likelihood P(y <= k) = F(c_k - x b)."""
    p = x.shape[1]

    def unpack(theta):
        beta = theta[:p]
        cut = np.concatenate([[theta[p]], theta[p] + np.cumsum(np.exp(theta[p + 1 :]))])
        return beta, cut

    def negative_loglik_direct(beta, cut):
        bounds = np.concatenate([[-np.inf], cut, [np.inf]])
        eta = x @ beta
        upper = special.expit(bounds[y_codes + 1] - eta)
        lower = special.expit(bounds[y_codes] - eta)
        return -np.sum(np.log(upper - lower))

    start = np.concatenate([np.zeros(p), [-1.0], np.zeros(n_levels - 2)])
    fit = optimize.minimize(
        lambda t: negative_loglik_direct(*unpack(t)), start, method="BFGS", options={"gtol": 1e-8}
    )
    beta, cut = unpack(fit.x)

    # Observed information in the direct (beta, cut-points) parametrisation;
    # the beta block of its inverse does not depend on how cut-points are
    # parametrised.
    theta = np.concatenate([beta, cut])

    def f(t):
        return negative_loglik_direct(t[:p], t[p:])

    step = 1e-4
    k = len(theta)
    hessian = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            e_i, e_j = np.eye(k)[i] * step, np.eye(k)[j] * step
            hessian[i, j] = (
                f(theta + e_i + e_j) - f(theta + e_i - e_j) - f(theta - e_i + e_j) + f(theta - e_i - e_j)
            ) / (4 * step**2)
    se = np.sqrt(np.diag(np.linalg.inv(hessian)))[:p]
    return beta, cut, se


# ---------------------------------------------------------------------------
# LMG
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("p", "seed"), [(2, 1), (4, 2), (5, 3)])
def test_lmg_equals_average_over_all_orderings(p, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(150, p)) @ rng.normal(size=(p, p))  # correlated
    y = x @ rng.normal(size=p) + rng.normal(size=150)
    frame = pd.DataFrame(x, columns=[f"d{j}" for j in range(p)]).assign(y=y)
    result = lmg(frame, [f"d{j}" for j in range(p)], "y")
    np.testing.assert_allclose(result.to_numpy(), lmg_brute_force(y, x), rtol=1e-9, atol=1e-12)


def test_weighted_lmg_equals_brute_force_wls():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(120, 4)) @ rng.normal(size=(4, 4))
    y = x @ np.array([0.5, -0.2, 0.3, 0.0]) + rng.normal(size=120)
    w = rng.uniform(0.2, 3.0, 120)
    frame = pd.DataFrame(x, columns=list("abcd")).assign(y=y, w=w)
    result = lmg(frame, list("abcd"), "y", weight="w")
    np.testing.assert_allclose(result.to_numpy(), lmg_brute_force(y, x, w), rtol=1e-9, atol=1e-12)


def test_lmg_from_a_covariance_matrix_matches_brute_force_on_the_data():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(200, 3)) @ rng.normal(size=(3, 3))
    y = x @ np.array([1.0, 0.5, -0.5]) + rng.normal(size=200)
    labels = ["y", "a", "b", "c"]
    covariance = pd.DataFrame(np.cov(np.column_stack([y, x]).T), index=labels, columns=labels)
    np.testing.assert_allclose(lmg(covariance, outcome="y").to_numpy(), lmg_brute_force(y, x), rtol=1e-9)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    p=st.integers(2, 6),
    scale=st.floats(-50, 50).filter(lambda s: abs(s) > 0.01),
    shift=st.floats(-100, 100),
)
def test_lmg_properties(seed, p, scale, shift):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(80, p)) @ rng.normal(size=(p, p)) + rng.normal(size=(80, p))
    y = x @ rng.normal(size=p) + rng.normal(size=80)
    names = [f"d{j}" for j in range(p)]
    frame = pd.DataFrame(x, columns=names).assign(y=y)
    parts = lmg(frame, names, "y")

    assert np.all(parts >= -1e-12)
    assert parts.sum() == pytest.approx(r2_by_lstsq(y, x), abs=1e-10)

    order = list(rng.permutation(names))
    np.testing.assert_allclose(lmg(frame, order, "y")[names], parts[names], atol=1e-10)

    rescaled = frame.assign(d0=frame["d0"] * scale + shift)
    np.testing.assert_allclose(lmg(rescaled, names, "y"), parts, atol=1e-9)


def test_lmg_is_quick_for_fifteen_drivers():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 15)) + rng.normal(size=(3000, 1))
    frame = pd.DataFrame(x, columns=[f"d{j}" for j in range(15)])
    frame["y"] = x.sum(1) + rng.normal(size=3000)
    parts = lmg(frame, [f"d{j}" for j in range(15)], "y")
    assert parts.sum() == pytest.approx(r2_by_lstsq(frame["y"].to_numpy(), x), abs=1e-10)


def test_lmg_refuses_too_many_drivers():
    labels = ["y", *[f"d{j}" for j in range(21)]]
    identity = pd.DataFrame(np.eye(22), index=labels, columns=labels)
    with pytest.raises(ValueError, match="20"):
        lmg(identity, outcome="y")


# ---------------------------------------------------------------------------
# Relative weights
# ---------------------------------------------------------------------------
# No published table is reproduced here: I could not recall Johnson's (2000)
# worked example to enough digits to trust it. Instead the weights are
# checked against Johnson's original data-matrix (SVD) construction written
# above, against the orthogonal-predictor identity, and for summing to R^2.


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relative_weights_match_johnsons_svd_construction(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(300, 5)) @ rng.normal(size=(5, 5))
    y = x @ rng.normal(size=5) + 2 * rng.normal(size=300)
    names = list("abcde")
    frame = pd.DataFrame(x, columns=names).assign(y=y)
    weights = relative_weights(frame, names, "y")
    np.testing.assert_allclose(weights.to_numpy(), relative_weights_svd_route(y, x), rtol=1e-8)
    assert weights.sum() == pytest.approx(r2_by_lstsq(y, x), abs=1e-10)


def test_relative_weights_and_lmg_equal_squared_betas_for_orthogonal_drivers():
    rng = np.random.default_rng(5)
    raw = rng.normal(size=(100, 3))
    orthogonal, _ = np.linalg.qr(raw - raw.mean(0))  # centred, exactly uncorrelated columns
    x = orthogonal * np.array([3.0, 1.0, 0.2]) + np.array([3.0, 2.0, 1.0])
    y = x @ np.array([0.4, -1.0, 2.0]) + rng.normal(size=100) * 0.3
    frame = pd.DataFrame(x, columns=list("abc")).assign(y=y)
    coef = np.linalg.lstsq(np.column_stack([np.ones(100), x]), y, rcond=None)[0][1:]
    squared_std_betas = (coef * x.std(0, ddof=1) / y.std(ddof=1)) ** 2
    np.testing.assert_allclose(relative_weights(frame, list("abc"), "y"), squared_std_betas, rtol=1e-9)
    np.testing.assert_allclose(lmg(frame, list("abc"), "y"), squared_std_betas, rtol=1e-9)


# ---------------------------------------------------------------------------
# Linear model: coefficients and standard errors
# ---------------------------------------------------------------------------


def test_ols_and_hc3_match_numpy_sandwich():
    frame = make_responses(n=400, n_clients=1, seed=3)
    names = list(DEFAULT_DRIVERS)
    result = key_drivers(frame)
    assert result.se_type == "HC3"
    y, x = design(frame, names)
    coef, se = hc3_numpy(x, y)
    table = result.coefficients.set_index("term")
    assert list(table.index) == ["Intercept", *names]
    np.testing.assert_allclose(table["coef"], coef, rtol=1e-9)
    np.testing.assert_allclose(table["se"], se, rtol=1e-9)

    df_resid = len(y) - x.shape[1]
    half = stats.t.ppf(0.975, df_resid) * se
    np.testing.assert_allclose(table["ci_low"], coef - half, rtol=1e-8)
    np.testing.assert_allclose(table["ci_high"], coef + half, rtol=1e-8)
    np.testing.assert_allclose(table["p"], 2 * stats.t.sf(np.abs(coef / se), df_resid), rtol=1e-6)

    std_coef = coef[1:] * x[:, 1:].std(0, ddof=1) / y.std(ddof=1)
    np.testing.assert_allclose(table["std_coef"].iloc[1:], std_coef, rtol=1e-9)
    assert math.isnan(table.loc["Intercept", "std_coef"])

    residual = y - x @ coef
    r2 = 1 - residual @ residual / np.sum((y - y.mean()) ** 2)
    assert result.r2 == pytest.approx(r2, rel=1e-10)
    assert result.adj_r2 == pytest.approx(1 - (1 - r2) * (len(y) - 1) / df_resid, rel=1e-10)
    assert result.n == len(y)


def test_cluster_robust_se_matches_numpy_with_statsmodels_correction():
    frame = make_responses(n=500, n_clients=12, seed=4)
    result = key_drivers(frame)  # several clients: clustered by default
    assert result.se_type == "cluster" and result.cluster == "client_id"
    y, x = design(frame, DEFAULT_DRIVERS)
    coef, se, n_groups = cluster_numpy(x, y, frame["client_id"].to_numpy())
    assert result.n_clusters == n_groups == 12
    table = result.coefficients.set_index("term")
    np.testing.assert_allclose(table["coef"], coef, rtol=1e-9)
    np.testing.assert_allclose(table["se"], se, rtol=1e-9)
    half = stats.t.ppf(0.975, n_groups - 1) * se  # t with G - 1 degrees of freedom
    np.testing.assert_allclose(table["ci_high"], coef + half, rtol=1e-8)
    assert any("Only 12 clusters" in w for w in result.warnings)


def test_cluster_choice_is_explicit_and_overridable():
    frame = make_responses(n=300, n_clients=8, seed=5)
    assert key_drivers(frame, cluster=None).se_type == "HC3"
    assert key_drivers(frame.assign(client_id="only one")).se_type == "HC3"
    by_type = key_drivers(frame, cluster="client_type")
    assert by_type.se_type == "cluster" and by_type.n_clusters == 2
    with pytest.raises(KeyError):
        key_drivers(frame, cluster="no_such_column")


def test_wls_matches_numpy_with_sqrt_weight_scaling():
    frame = make_responses(n=400, n_clients=1, seed=6)
    rng = np.random.default_rng(6)
    frame["weight"] = rng.uniform(0.3, 3.0, len(frame))
    result = key_drivers(frame, weight="weight")
    y, x = design(frame, DEFAULT_DRIVERS)
    root_w = np.sqrt(frame["weight"].to_numpy())
    coef, se = hc3_numpy(x * root_w[:, None], y * root_w)
    table = result.coefficients.set_index("term")
    np.testing.assert_allclose(table["coef"], coef, rtol=1e-9)
    np.testing.assert_allclose(table["se"], se, rtol=1e-9)
    weighted_r2 = r2_by_lstsq(y, x[:, 1:], frame["weight"].to_numpy())
    assert result.r2 == pytest.approx(weighted_r2, rel=1e-10)
    assert result.importance["lmg"].sum() == pytest.approx(weighted_r2, rel=1e-10)
    assert result.importance["relative_weight"].sum() == pytest.approx(weighted_r2, rel=1e-10)
    assert result.ordered_logit_se_type == "HC0"


def test_listwise_deletion_and_categorical_client_id():
    frame = make_responses(n=300, n_clients=10, seed=8)
    frame.loc[[0, 5, 9], "quality"] = np.nan
    frame.loc[[5, 17], "overall_satisfaction"] = np.nan
    result = key_drivers(frame)
    assert result.n == 300 - 4
    assert any(w.startswith("Used 296 of 300 responses") for w in result.warnings)
    without_client = frame.assign(client_id=frame["client_id"].where(frame.index != 20))
    assert key_drivers(without_client).n == 300 - 5
    assert any("without client_id" in w for w in key_drivers(without_client).warnings)
    categorical = key_drivers(frame.assign(client_id=frame["client_id"].astype("category")))
    pd.testing.assert_frame_equal(result.coefficients, categorical.coefficients)
    assert categorical.n_clusters == result.n_clusters


def test_leverage_one_falls_back_from_hc3_to_hc1():
    frame = make_responses(n=60, n_clients=1, seed=9)
    frame["value"] = 3.0
    frame.loc[0, "value"] = 5.0  # one response alone pins down the value coefficient
    result = key_drivers(frame)
    assert result.se_type == "HC1"
    assert np.isfinite(result.coefficients["se"]).all()
    assert any("leverage 1" in w for w in result.warnings)


# ---------------------------------------------------------------------------
# Ordered logit
# ---------------------------------------------------------------------------


def test_ordered_logit_matches_direct_likelihood_maximisation():
    rng = np.random.default_rng(12)
    n = 800
    x = rng.normal(size=(n, 3))
    latent = x @ np.array([1.0, -0.5, 0.25]) + rng.logistic(size=n)
    codes = np.digitize(latent, [-1.5, -0.3, 0.6, 1.8])
    frame = pd.DataFrame(x + 3, columns=["quality", "value", "timeliness"])
    frame["overall_satisfaction"] = codes + 1.0
    result = key_drivers(frame, drivers=["quality", "value", "timeliness"], cluster=None)
    beta, cut, se = ordered_logit_scipy(codes, x + 3, 5)
    table = result.ordered_logit.set_index("term")
    np.testing.assert_allclose(table["coef"], beta, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(table["se"], se, rtol=1e-3)
    thresholds = result.ordered_logit_thresholds["threshold"]
    np.testing.assert_allclose(thresholds, cut, rtol=1e-4, atol=1e-4)
    assert list(result.ordered_logit_thresholds["term"]) == ["1|2", "2|3", "3|4", "4|5"]
    assert result.ordered_logit_se_type == "nonrobust"


def test_weighted_ordered_logit_equals_fit_on_replicated_responses():
    # Integer weights must give the same estimates as repeating each response
    # that many times (an independent route: the unweighted likelihood).
    frame = make_responses(n=250, n_clients=1, seed=15)
    frame["weight"] = np.random.default_rng(15).integers(1, 4, len(frame)).astype(float)
    replicated = frame.loc[frame.index.repeat(frame["weight"].astype(int))]
    weighted = key_drivers(frame, weight="weight").ordered_logit.set_index("term")
    expanded = key_drivers(replicated).ordered_logit.set_index("term")
    # Tolerance set by the optimiser's stopping rule, far below the SEs (~0.1).
    np.testing.assert_allclose(weighted["coef"], expanded["coef"], atol=5e-4)


def test_ordered_logit_skipped_for_a_continuous_outcome():
    frame = make_responses(n=300, n_clients=1, seed=13, outcome="continuous")
    result = key_drivers(frame)
    assert result.ordered_logit.empty
    assert any("Ordered logit skipped" in w for w in result.warnings)


def test_ordered_logit_under_separation_is_not_reported():
    frame = make_responses(n=60, n_clients=4, seed=0)
    # Outcome level fully determined by quality: the slope has no finite MLE.
    frame["overall_satisfaction"] = np.where(frame["quality"] <= 3, 1.0, 2.0)
    result = key_drivers(frame)
    assert result.status == "ok"
    assert result.ordered_logit.empty
    assert any("separated by quality" in w for w in result.warnings)
    assert "ordered logit" not in " ".join(result.findings).lower()


def test_ordered_logit_failure_is_a_warning_not_an_exception(monkeypatch):
    def refuse(*args, **kwargs):
        raise np.linalg.LinAlgError("singular matrix")

    from statsmodels.miscmodels.ordinal_model import OrderedModel

    monkeypatch.setattr(OrderedModel, "fit", refuse)
    result = key_drivers(make_responses(n=200, n_clients=1, seed=14))
    assert result.status == "ok"
    assert result.ordered_logit.empty
    assert any("did not converge" in w for w in result.warnings)


# ---------------------------------------------------------------------------
# Planted effects and findings
# ---------------------------------------------------------------------------


def test_planted_effects_are_recovered_and_only_real_effects_claimed():
    # Fixed seed: each 95% interval covers its true value with probability
    # 0.95, so with six slopes this particular draw is one that covers all.
    frame = make_responses(n=2000, n_clients=20, seed=2024, outcome="continuous")
    result = key_drivers(frame, n_boot=200, random_state=1, labels={"quality": "Quality of work"})
    assert result.status == "ok" and result.se_type == "cluster" and result.n_clusters == 20

    table = result.coefficients.set_index("term")
    truth = pd.Series({"Intercept": TRUE_INTERCEPT, **TRUE_COEFFICIENTS})
    inside = (table["ci_low"] <= truth) & (truth <= table["ci_high"])
    assert inside.all(), table.assign(truth=truth)

    assert result.importance["driver"].iloc[0] == "quality"
    assert result.importance["driver"].iloc[-1] == "expertise"
    findings = " ".join(result.findings)
    assert "Quality of work" in result.findings[1]
    assert claims_about(result.findings, "expertise") == []
    no_effect = "No significant effect detected for Expertise"
    assert any(f.startswith(no_effect) for f in result.findings)
    assert "%" in findings and "95% CI" in findings


def claims_about(findings, name):
    """Findings that mention a driver, minus those that explicitly deny significance."""
    label = name.capitalize()
    return [
        f
        for f in findings
        if label in f
        and not f.startswith("No significant effect")
        and "not significant" not in f
        and "robustness check" not in f
    ]


@pytest.mark.parametrize("seed", [21, 22])
def test_findings_make_no_claims_without_significance(seed):
    rng = np.random.default_rng(seed)
    frame = make_responses(n=80, n_clients=1, seed=seed)
    frame["overall_satisfaction"] = rng.integers(1, 6, len(frame)).astype(float)  # unrelated
    result = key_drivers(frame, n_boot=50)
    table = result.coefficients.set_index("term").drop("Intercept")
    not_significant = table[(table["ci_low"] <= 0) & (table["ci_high"] >= 0)].index
    assert len(not_significant) > 0
    for name in not_significant:
        assert claims_about(result.findings, name) == [], result.findings
    assert "strongest driver" not in " ".join(result.findings)


def test_fix_first_needs_importance_and_a_significantly_low_score():
    rng = np.random.default_rng(22)
    n = 800
    base = rng.normal(size=(n, 1))
    scores = np.clip(np.rint(3.5 + base + rng.normal(0, 0.7, (n, 4))), 1, 5)
    scores[:, 0] = np.clip(scores[:, 0] - 1, 1, 5)  # "quality" scores about a point lower
    frame = pd.DataFrame(scores, columns=["quality", "value", "expertise", "timeliness"])
    frame["overall_satisfaction"] = 0.5 * scores[:, 0] + 0.1 * scores[:, 1:].sum(1) + rng.normal(0, 0.5, n)
    result = key_drivers(frame, drivers=["quality", "value", "expertise", "timeliness"])
    row = result.importance.set_index("driver").loc["quality"]
    assert row["quadrant"] == "Fix first"
    assert any(f.startswith("Quality is the weakest important driver") for f in result.findings)


# ---------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------


def test_bootstrap_is_seeded_and_brackets_the_estimates():
    frame = make_responses(n=300, n_clients=15, seed=30)
    first = key_drivers(frame, n_boot=60, random_state=5)
    again = key_drivers(frame, n_boot=60, random_state=5)
    other = key_drivers(frame, n_boot=60, random_state=6)
    pd.testing.assert_frame_equal(first.importance, again.importance)
    assert not first.importance["lmg_ci_low"].equals(other.importance["lmg_ci_low"])
    imp = first.importance
    assert (imp["lmg_ci_low"] <= imp["lmg_ci_high"]).all()
    assert (imp["rw_ci_low"] <= imp["rw_ci_high"]).all()
    assert (imp["share_ci_low"] >= 0).all() and (imp["share_ci_high"] <= 100).all()
    # The point estimate should sit inside its percentile interval on this data.
    assert ((imp["lmg_ci_low"] <= imp["lmg"]) & (imp["lmg"] <= imp["lmg_ci_high"])).all()


def test_cluster_bootstrap_resamples_whole_clients():
    # Two responses per client that are exact copies: resampling clients keeps
    # the copies together, so the cluster and response bootstraps must differ,
    # and the cluster intervals should be wider (the copies add no information).
    base = make_responses(n=150, n_clients=150, seed=31)
    base["client_id"] = [f"C{i}" for i in range(len(base))]
    doubled = pd.concat([base, base], ignore_index=True)
    clustered = key_drivers(doubled, n_boot=200, random_state=0)
    by_response = key_drivers(doubled, n_boot=200, random_state=0, cluster=None)
    assert clustered.se_type == "cluster" and by_response.se_type == "HC3"

    def mean_width(result):
        return (result.importance["lmg_ci_high"] - result.importance["lmg_ci_low"]).mean()

    assert mean_width(clustered) > 1.15 * mean_width(by_response)


# ---------------------------------------------------------------------------
# Diagnostics and data problems
# ---------------------------------------------------------------------------


def test_vif_matches_statsmodels_and_warns_for_a_collinear_pair():
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    frame = make_responses(n=400, n_clients=1, seed=40)
    rng = np.random.default_rng(40)
    frame["value"] = frame["quality"] + rng.normal(0, 0.25, len(frame))  # nearly a copy
    names = list(DEFAULT_DRIVERS)
    exog = np.column_stack([np.ones(len(frame)), frame[names].to_numpy()])
    expected = [variance_inflation_factor(exog, j + 1) for j in range(len(names))]
    np.testing.assert_allclose(vif(frame, names), expected, rtol=1e-9)

    result = key_drivers(frame)
    np.testing.assert_allclose(result.vif["vif"], expected, rtol=1e-9)
    warning = next(w for w in result.warnings if "VIF" in w)
    assert "quality" in warning and "value" in warning and "communication" not in warning


def test_aliased_driver_is_dropped_with_a_warning():
    frame = make_responses(n=200, n_clients=1, seed=41)
    frame["value"] = 2 * frame["quality"] - 1
    result = key_drivers(frame)
    assert "value" not in result.drivers and "quality" in result.drivers
    assert any("exact linear combination" in w and "value" in w for w in result.warnings)


def test_too_few_responses_is_insufficient_data():
    frame = make_responses(n=7, n_clients=2, seed=50)
    result = key_drivers(frame)
    assert result.status == "insufficient data"
    assert result.reason == "only 7 complete responses for 6 drivers; need at least 16"
    assert result.n == 7
    payload = result.to_dict()
    json.dumps(payload, allow_nan=False)
    assert payload["status"] == "insufficient data" and payload["reason"] == result.reason
    for key in ("coefficients", "importance", "ordered_logit", "vif", "findings"):
        assert payload[key] == []
    assert payload["r2"] is None
    assert "insufficient data" in repr(result)


def test_all_drivers_constant_is_insufficient_data():
    frame = make_responses(n=100, n_clients=3, seed=51)
    for name in DEFAULT_DRIVERS:
        frame[name] = 4.0
    result = key_drivers(frame)
    assert result.status == "insufficient data"
    assert "no usable drivers" in result.reason
    assert any("do not vary" in w and "expertise" in w for w in result.warnings)


def test_empty_driver_is_dropped_and_alone_is_insufficient():
    frame = make_responses(n=200, n_clients=1, seed=52)
    frame["timeliness"] = np.nan
    result = key_drivers(frame)
    assert result.status == "ok"
    assert result.drivers == ("communication", "responsiveness", "quality", "value", "expertise")
    assert any("no answers: timeliness" in w for w in result.warnings)

    alone = key_drivers(frame, drivers=["timeliness"])
    assert alone.status == "insufficient data" and "no usable drivers" in alone.reason


def test_constant_outcome_is_insufficient_data():
    frame = make_responses(n=100, n_clients=1, seed=53).assign(overall_satisfaction=4.0)
    result = key_drivers(frame)
    assert result.status == "insufficient data"
    assert result.reason == "overall_satisfaction does not vary across the 100 complete responses"


def test_misuse_raises():
    frame = make_responses(n=50, n_clients=1, seed=54)
    with pytest.raises(KeyError):
        key_drivers(frame, drivers=["quality", "no_such_driver"])
    with pytest.raises(ValueError, match="negative"):
        key_drivers(frame.assign(weight=-1.0), weight="weight")
    with pytest.raises(ValueError):
        key_drivers(frame.drop(columns=list(DEFAULT_DRIVERS)))


# ---------------------------------------------------------------------------
# Importance-performance matrix
# ---------------------------------------------------------------------------


def test_importance_performance_quadrants_on_a_hand_built_case():
    importance = {"a": 40.0, "b": 30.0, "c": 20.0, "d": 10.0}  # mean 25
    performance = {"a": 3.0, "b": 4.5, "c": 3.5, "d": 4.2}  # mean 3.8
    matrix = importance_performance(importance, performance).set_index("driver")
    assert matrix["quadrant"].to_dict() == {
        "a": "Fix first",
        "b": "Keep up",
        "c": "Monitor",
        "d": "Possible overkill",
    }
    # At the mean counts as important / strong.
    tie = importance_performance({"a": 1.0, "b": 3.0}, {"a": 2.0, "b": 2.0}).set_index("driver")
    assert tie["quadrant"].to_dict() == {"a": "Possible overkill", "b": "Keep up"}
    with pytest.raises(ValueError):
        importance_performance({"a": 1.0}, {"b": 1.0})


def test_importance_table_uses_lmg_share_and_mean_score():
    frame = make_responses(n=300, n_clients=1, seed=60)
    result = key_drivers(frame)
    imp = result.importance.set_index("driver")
    np.testing.assert_allclose(imp["share"], 100 * imp["lmg"] / result.r2)
    np.testing.assert_allclose(imp["performance"], frame[imp.index].mean(), rtol=1e-12)
    assert imp["lmg"].is_monotonic_decreasing


# ---------------------------------------------------------------------------
# Contract: to_dict, repr, purity
# ---------------------------------------------------------------------------


def test_to_dict_contract():
    frame = make_responses(n=300, n_clients=10, seed=70)
    plain = key_drivers(frame).to_dict()
    assert list(plain) == [
        "n", "r2", "adj_r2", "se_type", "coefficients", "importance",
        "ordered_logit", "vif", "warnings", "findings", "status", "reason",
    ]  # fmt: skip
    intercept = plain["coefficients"][0]
    assert set(intercept) == {"term", "coef", "se", "ci_low", "ci_high", "p", "std_coef"}
    assert intercept["term"] == "Intercept" and intercept["std_coef"] is None
    assert set(plain["importance"][0]) == {
        "driver", "lmg", "relative_weight", "share", "performance", "quadrant",
    }  # fmt: skip
    assert set(plain["ordered_logit"][0]) == {"term", "coef", "se"}
    assert set(plain["vif"][0]) == {"driver", "vif"}
    assert plain["status"] == "ok" and plain["reason"] is None
    assert type(plain["n"]) is int and type(plain["r2"]) is float
    assert all(type(row["lmg"]) is float for row in plain["importance"])
    assert json.loads(json.dumps(plain, allow_nan=False)) == plain

    boot = key_drivers(frame, n_boot=30).to_dict()
    assert set(boot["importance"][0]) == {
        "driver", "lmg", "relative_weight", "share", "performance", "quadrant",
        "lmg_ci_low", "lmg_ci_high", "rw_ci_low", "rw_ci_high",
    }  # fmt: skip
    json.dumps(boot, allow_nan=False)


def test_result_is_frozen_and_readable():
    result = key_drivers(make_responses(n=200, n_clients=5, seed=71))
    assert isinstance(result, DriverAnalysis)
    with pytest.raises(AttributeError):
        result.n = 3
    text = repr(result)
    assert text.startswith("DriverAnalysis(overall_satisfaction ~ 6 drivers, n=200")
    assert "quality" in text and "95% CI" in text and "quadrant" in text


def test_nothing_is_printed_or_warned(capsys):
    # Few clusters, collinearity and an ordered logit: plenty for statsmodels
    # and numpy to complain about if anything leaked.
    frame = make_responses(n=120, n_clients=3, seed=80)
    frame["value"] = frame["quality"] + np.random.default_rng(80).normal(0, 0.1, len(frame))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = key_drivers(frame, n_boot=20)
        key_drivers(frame.head(5))
    assert caught == []
    assert capsys.readouterr() == ("", "")
    assert result.warnings  # the problems were recorded instead


def test_library_warnings_are_caught_and_recorded(monkeypatch, capsys):
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    original_fit = OrderedModel.fit

    def noisy_fit(self, *args, **kwargs):
        warnings.warn("Maximum Likelihood optimization failed to converge", ConvergenceWarning, stacklevel=2)
        np.log(np.zeros(1))  # a numpy RuntimeWarning, as in a diverging fit
        return original_fit(self, *args, **kwargs)

    monkeypatch.setattr(OrderedModel, "fit", noisy_fit)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = key_drivers(make_responses(n=200, n_clients=1, seed=81))
    assert caught == []
    assert capsys.readouterr() == ("", "")
    assert result.ordered_logit.empty
    assert any("did not converge" in w for w in result.warnings)


def test_docstring_examples():
    # doctest only looks at what a module defines itself, so each module of the package in turn.
    modules = [
        importlib.import_module(f"{drivers_module.__name__}.{info.name}")
        for info in pkgutil.iter_modules(drivers_module.__path__)
    ]
    attempted = 0
    for module in [drivers_module, *modules]:
        failures, tried = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert failures == 0, module.__name__
        attempted += tried
    assert attempted > 0
