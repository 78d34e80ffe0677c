"""Tests for multiple imputation of skipped driver answers (issue 15, part 2).

Rubin's rules are checked against the formulas written out here; the chained equations against
the regression they must reproduce (a planted linear model, brute-force least squares with numpy);
the imputed key-driver analysis against the truth of generated data in which dissatisfied
respondents skip more questions, where listwise deletion is biased.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats

from insights.stats.drivers import (
    ImputedDriverAnalysis,
    key_drivers,
    key_drivers_auto,
    key_drivers_imputed,
    multiply_impute,
    rubin_pool,
)
from insights.stats.drivers.imputation import impute_matrix
from insights.stats.drivers.imputed import listwise_loss
from insights.stats.drivers.rubin import pooled_r2

DRIVERS = ["communication", "responsiveness", "quality", "timeliness", "value", "expertise"]
#: The issue's scenario: communication's true effect is 0.35; expertise has none (the null driver).
TRUE = np.array([0.35, 0.25, 0.30, 0.15, 0.10, 0.0])


def skipping_portfolio(
    seed: int, *, n_clients: int = 40, per_client: int = 50, skip: float = 0.15, slope: float = -2.0
) -> pd.DataFrame:
    """Generated responses: six correlated 1-5 driver ratings, a continuous outcome with the
    coefficients ``TRUE``, a client effect, and driver answers skipped with probability
    ``expit(a + slope * z)`` (z the standardised outcome, ``a`` set for ``skip`` overall): the less
    satisfied skip more, so answers are missing at random given the outcome."""
    rng = np.random.default_rng(seed)
    n = n_clients * per_client
    client = np.repeat(np.arange(n_clients), per_client)
    latent = (
        0.6 * rng.standard_normal((n, 1))
        + 0.8 * rng.standard_normal((n, len(DRIVERS)))
        + 0.3 * rng.standard_normal((n_clients, 1))[client]
    )
    ratings = np.clip(np.rint(3.4 + 0.9 * latent), 1, 5)
    outcome = (
        0.3 + ratings @ TRUE + 0.25 * rng.standard_normal(n_clients)[client] + 0.6 * rng.standard_normal(n)
    )
    z = (outcome - outcome.mean()) / outcome.std()
    level = optimize.brentq(lambda a: special.expit(a + slope * z).mean() - skip, -20, 20)
    skipped = rng.random(ratings.shape) < special.expit(level + slope * z)[:, None]
    frame = pd.DataFrame(np.where(skipped, np.nan, ratings), columns=DRIVERS)
    frame["overall_satisfaction"] = outcome
    frame["client_id"] = [f"C{c:02d}" for c in client]
    return frame


def _coefficients(result) -> pd.DataFrame:
    return result.coefficients.set_index("term").loc[DRIVERS]


def _error_and_cover(result) -> tuple[float, int]:
    """(root mean squared error of the six coefficients against the truth, intervals covering it)."""
    table = _coefficients(result)
    error = float(np.sqrt(np.mean((table["coef"].to_numpy() - TRUE) ** 2)))
    cover = int(((table["ci_low"] <= TRUE) & (TRUE <= table["ci_high"])).sum())
    return error, cover


# ---------------------------------------------------------------------------
# Rubin's rules against the formulas by hand
# ---------------------------------------------------------------------------


def test_rubin_pool_against_hand_computation():
    q = np.array([[1.0, -0.2], [1.3, -0.1], [0.9, -0.3], [1.2, -0.2]])  # m = 4 imputations, 2 terms
    u = np.array([[0.04, 0.010], [0.05, 0.012], [0.03, 0.011], [0.04, 0.009]])
    pooled = rubin_pool(q, u, df_complete=30, terms=["a", "b"]).set_index("term")
    m, nu_com = 4, 30
    for j, term in enumerate(["a", "b"]):
        qbar = sum(q[i, j] for i in range(m)) / m
        ubar = sum(u[i, j] for i in range(m)) / m
        b = sum((q[i, j] - qbar) ** 2 for i in range(m)) / (m - 1)
        t = ubar + (1 + 1 / m) * b
        lam = (1 + 1 / m) * b / t
        r = (1 + 1 / m) * b / ubar
        nu_old = (m - 1) / lam**2
        nu_obs = (nu_com + 1) / (nu_com + 3) * nu_com * (1 - lam)
        nu = nu_old * nu_obs / (nu_old + nu_obs)
        fmi = (r + 2 / (nu + 3)) / (r + 1)
        half = stats.t.ppf(0.975, nu) * np.sqrt(t)
        row = pooled.loc[term]
        assert row["estimate"] == pytest.approx(qbar, rel=1e-12)
        assert row["within"] == pytest.approx(ubar, rel=1e-12)
        assert row["between"] == pytest.approx(b, rel=1e-12)
        assert row["total"] == pytest.approx(t, rel=1e-12)
        assert row["se"] == pytest.approx(np.sqrt(t), rel=1e-12)
        assert row["df"] == pytest.approx(nu, rel=1e-10)
        assert row["riv"] == pytest.approx(r, rel=1e-12)
        assert row["fmi"] == pytest.approx(fmi, rel=1e-10)
        assert row["ci_low"] == pytest.approx(qbar - half, rel=1e-10)
        assert row["ci_high"] == pytest.approx(qbar + half, rel=1e-10)
        assert row["p"] == pytest.approx(2 * stats.t.sf(abs(qbar) / np.sqrt(t), nu), rel=1e-8)
    # Large-sample rule (Rubin 1987): nu = (m - 1) (1 + 1/r)^2.
    large = rubin_pool(q, u, terms=["a", "b"]).set_index("term")
    b = q[:, 0].var(ddof=1)
    r = (1 + 1 / m) * b / u[:, 0].mean()
    assert large.loc["a", "df"] == pytest.approx((m - 1) * (1 + 1 / r) ** 2, rel=1e-12)


def test_rubin_pool_without_spread_is_the_complete_data_analysis():
    pooled = rubin_pool([[0.5], [0.5], [0.5]], [[0.01], [0.01], [0.01]], df_complete=25).iloc[0]
    assert pooled["se"] == pytest.approx(0.1)
    assert pooled["df"] == 25
    assert pooled["ci_high"] == pytest.approx(0.5 + stats.t.ppf(0.975, 25) * 0.1)


def test_rubin_pool_rejects_bad_input():
    with pytest.raises(ValueError, match="at least two"):
        rubin_pool([[1.0]], [[0.1]])
    with pytest.raises(ValueError, match="shape"):
        rubin_pool([[1.0], [2.0]], [[0.1, 0.2], [0.1, 0.2]])
    with pytest.raises(ValueError, match="negative"):
        rubin_pool([[1.0], [2.0]], [[0.1], [-0.1]])


def test_pooled_r2_averages_on_fisher_z():
    values = [0.36, 0.49, 0.64]
    assert pooled_r2(values) == pytest.approx(np.tanh(np.mean(np.arctanh([0.6, 0.7, 0.8]))) ** 2)


# ---------------------------------------------------------------------------
# The chained equations
# ---------------------------------------------------------------------------


def test_imputations_keep_the_observed_values_and_vary_between_imputations():
    frame = skipping_portfolio(1, n_clients=10, per_client=30)
    completed = multiply_impute(frame, ["overall_satisfaction", *DRIVERS], m=4, seed=3)
    skipped = frame[DRIVERS].isna().to_numpy()
    assert len(completed) == 4
    for copy in completed:
        assert not copy[DRIVERS].isna().any().any()
        assert np.array_equal(copy[DRIVERS].to_numpy()[~skipped], frame[DRIVERS].to_numpy()[~skipped])
        assert copy["client_id"].equals(frame["client_id"])
    assert frame[DRIVERS].isna().any().any()  # the input is left alone
    first, second = (copy[DRIVERS].to_numpy()[skipped] for copy in completed[:2])
    assert not np.allclose(first, second)
    again = multiply_impute(frame, ["overall_satisfaction", *DRIVERS], m=4, seed=3)
    assert np.array_equal(again[2][DRIVERS].to_numpy(), completed[2][DRIVERS].to_numpy())


def test_imputed_column_reproduces_the_planted_regression():
    """Missing at random given y: the completed data's regression of x on y recovers the planted
    slope, residual spread and mean, where the answered rows alone give a biased mean."""
    rng = np.random.default_rng(11)
    n = 20_000
    y = rng.standard_normal(n)
    x = 1.0 + 0.8 * y + 0.5 * rng.standard_normal(n)
    skipped = rng.random(n) < special.expit(-1.0 - 1.5 * y)
    values = np.column_stack([y, np.where(skipped, np.nan, x)])
    imputations = impute_matrix(values, m=5, n_iter=5, seed=2)
    answered_mean = x[~skipped].mean()
    assert answered_mean - x.mean() > 0.1  # the skipping biases the naive mean
    for i in range(imputations.m):
        completed = imputations.completed(i)[:, 1]
        design = np.column_stack([np.ones(n), y])
        coefficients, residual_ss, *_ = np.linalg.lstsq(design, completed, rcond=None)
        assert coefficients == pytest.approx([1.0, 0.8], abs=0.03)
        assert np.sqrt(residual_ss[0] / (n - 2)) == pytest.approx(0.5, abs=0.02)
        assert completed.mean() == pytest.approx(x.mean(), abs=0.02)


def test_imputation_refuses_a_column_without_enough_answers():
    values = np.column_stack([np.arange(10.0), np.r_[1.0, 2.0, np.full(8, np.nan)]])
    with pytest.raises(ValueError, match="needs at least"):
        impute_matrix(values, m=2)


# ---------------------------------------------------------------------------
# The imputed key-driver analysis
# ---------------------------------------------------------------------------


def test_issue_scenario_imputation_removes_the_listwise_bias():
    """The issue's data: 15% of driver answers skipped, mostly by dissatisfied respondents."""
    frame = skipping_portfolio(0)
    assert frame[DRIVERS].isna().to_numpy().mean() == pytest.approx(0.15, abs=0.01)
    listwise = key_drivers(frame, DRIVERS, cluster="client_id")
    imputed = key_drivers_imputed(frame, DRIVERS, cluster="client_id", random_state=5)
    listwise_error, listwise_cover = _error_and_cover(listwise)
    imputed_error, imputed_cover = _error_and_cover(imputed)
    # Listwise deletion: communication well below its true 0.35, most intervals miss (as in the issue).
    assert _coefficients(listwise).loc["communication", "coef"] < 0.28
    assert listwise_cover <= 3
    # Imputation: the issue's targets.
    assert imputed_error <= 0.6 * listwise_error
    assert imputed_cover >= 5
    assert abs(_coefficients(imputed).loc["communication", "coef"] - 0.35) < 0.04
    assert isinstance(imputed, ImputedDriverAnalysis)
    assert imputed.n == len(frame) and listwise.n < 0.7 * len(frame)
    assert imputed.imputed_answers == int(frame[DRIVERS].isna().sum().sum())
    assert imputed.imputations == 20


@pytest.mark.slow
def test_imputed_intervals_are_calibrated_over_replications():
    """Coverage of the six 95% intervals and false alarms on the null driver (expertise, true
    effect 0) over 40 replications of smaller portfolios; listwise deletion for contrast."""
    covered = listwise_covered = false_alarms = 0
    replications = 40
    for seed in range(replications):
        frame = skipping_portfolio(100 + seed, n_clients=30, per_client=25)
        imputed = key_drivers_imputed(frame, DRIVERS, cluster="client_id", m=10, random_state=seed)
        covered += _error_and_cover(imputed)[1]
        listwise_covered += _error_and_cover(key_drivers(frame, DRIVERS, cluster="client_id"))[1]
        false_alarms += bool(_coefficients(imputed).loc["expertise", "p"] < 0.05)
    coverage = covered / (6 * replications)
    assert 0.89 <= coverage <= 0.99, coverage
    assert listwise_covered / (6 * replications) < coverage - 0.1
    assert false_alarms <= 5  # 5% of 40 is 2; P(more than 5 | 5%) < 1%


def test_importance_intervals_and_findings_with_a_bootstrap():
    frame = skipping_portfolio(2, n_clients=30, per_client=30)
    result = key_drivers_imputed(frame, DRIVERS, cluster="client_id", n_boot=100, m=10, random_state=1)
    importance = result.importance.set_index("driver")
    assert importance["share"].sum() == pytest.approx(100)
    assert importance["lmg"].sum() == pytest.approx(result.r2, abs=0.01)
    for prefix, value in (("lmg", "lmg"), ("rw", "relative_weight"), ("share", "share")):
        assert (importance[f"{prefix}_ci_low"] <= importance[value]).all()
        assert (importance[value] <= importance[f"{prefix}_ci_high"]).all()
        assert (importance[f"{prefix}_ci_low"] >= 0).all()
    assert result.findings and "R²" in result.findings[0]
    assert "imputed 10 times" in result.imputation_note
    assert "imputed 10 times" in repr(result)


def test_nothing_missing_gives_exactly_the_listwise_result():
    frame = skipping_portfolio(3, n_clients=20, per_client=20, skip=0.15)
    frame[DRIVERS] = frame[DRIVERS].fillna(3.0)
    listwise = key_drivers(frame, DRIVERS, cluster="client_id", n_boot=50, random_state=4)
    imputed = key_drivers_imputed(frame, DRIVERS, cluster="client_id", n_boot=50, random_state=4)
    assert imputed.imputations == 0 and imputed.imputed_answers == 0
    pd.testing.assert_frame_equal(imputed.coefficients, listwise.coefficients)
    pd.testing.assert_frame_equal(imputed.importance, listwise.importance)
    assert imputed.findings == listwise.findings and imputed.warnings == listwise.warnings
    extra = {"missing", "imputations", "imputed_answers", "driver_answers", "incomplete_responses", "fmi"}
    as_dict = imputed.to_dict()
    assert {k: v for k, v in as_dict.items() if k not in extra} == listwise.to_dict()


def test_auto_imputes_only_above_five_percent():
    frame = skipping_portfolio(4, n_clients=20, per_client=20, skip=0.15)
    assert listwise_loss(frame, DRIVERS) > 0.05
    assert isinstance(key_drivers_auto(frame, DRIVERS, cluster="client_id", m=5), ImputedDriverAnalysis)
    few = frame.copy()
    few[DRIVERS] = few[DRIVERS].fillna(3.0)
    few.loc[few.index[:10], "value"] = np.nan  # 10 of 400 responses: 2.5%
    assert listwise_loss(few, DRIVERS) == pytest.approx(10 / 400)
    result = key_drivers_auto(few, DRIVERS, cluster="client_id")
    assert not isinstance(result, ImputedDriverAnalysis) and result.n == 390


def test_weighted_analysis_and_dropped_responses():
    frame = skipping_portfolio(7, n_clients=20, per_client=20)
    frame["weight"] = np.random.default_rng(0).uniform(0.5, 2.0, len(frame))
    frame.loc[frame.index[:5], "overall_satisfaction"] = np.nan
    frame["empty"] = np.nan
    result = key_drivers_imputed(frame, [*DRIVERS, "empty"], weight="weight", cluster="client_id", m=5)
    assert result.ok and result.weight == "weight" and result.n == len(frame) - 5
    assert "empty" not in result.drivers
    assert any("no answers: empty" in note for note in result.warnings)
    assert any("5 response(s) without overall_satisfaction" in note for note in result.warnings)
    assert result.imputed_answers == int(frame.loc[frame.index[5:], DRIVERS].isna().sum().sum())


def test_too_few_responses_is_insufficient_data_not_an_error():
    frame = skipping_portfolio(5, n_clients=2, per_client=6)
    result = key_drivers_imputed(frame, DRIVERS, cluster=None)
    assert result.status == "insufficient data" and "need" in result.reason


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def test_cli_drivers_missing_impute_json(run_cli, tmp_path):
    path = tmp_path / "skipping.csv"
    frame = skipping_portfolio(6, n_clients=25, per_client=20)
    frame["response_id"] = [f"R{i:05d}" for i in range(len(frame))]
    frame["client_name"] = frame["client_id"]
    frame["submitted_at"] = "2026-03-15T10:00"
    frame["overall_satisfaction"] = frame["overall_satisfaction"].clip(1, 5).round()
    frame.to_csv(path, index=False)
    code, out, err = run_cli("drivers", path, "--missing", "impute", "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    code, out, err = run_cli("drivers", path, "--format", "json")
    assert code == 0, err
    listwise = json.loads(out)
    assert set(result) - set(listwise) == {
        "missing",
        "imputations",
        "imputed_answers",
        "driver_answers",
        "incomplete_responses",
        "fmi",
    }
    assert "missing" not in listwise
    assert result["missing"] == "impute" and result["imputations"] == 20
    assert result["imputed_answers"] == int(frame[DRIVERS].isna().sum().sum())
    assert result["n"] == len(frame) > listwise["n"]
    assert [row["term"] for row in result["coefficients"]] == ["Intercept", *DRIVERS]
    assert [row["term"] for row in result["ordered_logit"]] == DRIVERS  # pooled over 5 imputations
    assert set(result["fmi"]) == {"Intercept", *DRIVERS}
    assert all(0 <= value < 1 for value in result["fmi"].values())

    code, out, err = run_cli("drivers", path, "--missing", "impute")
    assert code == 0, err
    assert "Imputed" in out and "Rubin" in out


def test_cli_rejects_an_unknown_missing_rule(run_cli, tmp_path):
    code, out, err = run_cli("drivers", "data/sample/responses.csv", "--missing", "mean")
    assert code == 1
    assert err.strip().splitlines() == ["error: --missing: 'mean' is not one of listwise, impute"]
