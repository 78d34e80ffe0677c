"""Partial pooling on multiply imputed data (the client report's drivers when answers were skipped):
Rubin's rules checked by hand, and a simulation where dissatisfied respondents skip answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from insights.data.simulated_drivers import simulated_driver_portfolio
from insights.stats.drivers import combine_pooled_clients, pooled_client_imputed
from insights.stats.drivers.imputation import multiply_impute
from insights.stats.drivers.pooling import fit_pooled_drivers

DRIVERS = ["communication", "responsiveness", "quality", "timeliness", "value", "expertise"]


def _resampled_fits(frame: pd.DataFrame, m: int):
    return [fit_pooled_drivers(frame.sample(frac=1.0, replace=True, random_state=i)) for i in range(m)]


def test_the_combination_follows_rubins_rules_by_hand():
    frame, _ = simulated_driver_portfolio(7, clients=20)
    clients = [fit.for_client("S03") for fit in _resampled_fits(frame, 4)]
    combined = combine_pooled_clients(clients)
    m = len(clients)
    means = np.array([c.mean for c in clients])
    q = means.mean(axis=0)
    w = sum(c.cov for c in clients) / m
    b = sum(np.outer(x - q, x - q) for x in means) / (m - 1)
    t = w + (1 + 1 / m) * b
    np.testing.assert_allclose(combined.mean, q)
    np.testing.assert_allclose(combined.cov, t)
    coefficients = combined.coefficients.set_index("driver")
    np.testing.assert_allclose(coefficients["coef"], q)
    np.testing.assert_allclose(coefficients["se"], np.sqrt(np.diag(t)))
    # Barnard & Rubin's (1999) degrees of freedom, written out
    lam = (1 + 1 / m) * np.diag(b) / np.diag(t)
    nu_old = (m - 1) / lam**2
    nu_com = clients[0].n - len(DRIVERS)
    nu_obs = (nu_com + 1) / (nu_com + 3) * nu_com * (1 - lam)
    nu = nu_old * nu_obs / (nu_old + nu_obs)
    half = stats.t.ppf(0.975, nu) * np.sqrt(np.diag(t))
    np.testing.assert_allclose(coefficients["ci_low"], q - half)
    np.testing.assert_allclose(coefficients["ci_high"], q + half)
    assert combined.lean == pytest.approx(np.mean([c.lean for c in clients]))
    with pytest.raises(ValueError, match="two imputations"):
        combine_pooled_clients(clients[:1])


def _skip_when_dissatisfied(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """About 15% of driver answers skipped, almost all by respondents below the median outcome."""
    rng = np.random.default_rng(seed)
    low = (frame["overall_satisfaction"] < frame["overall_satisfaction"].median()).to_numpy()
    skipped = rng.random((len(frame), len(DRIVERS))) < np.where(low, 0.28, 0.02)[:, None]
    out = frame.copy()
    out[DRIVERS] = out[DRIVERS].mask(skipped)
    return out


@pytest.mark.slow  # four portfolios, five imputations each: about ten seconds
def test_imputed_pooling_recovers_each_clients_effects_better_than_listwise():
    listwise_errors, imputed_errors, covered = [], [], []
    for seed in (41, 42, 43, 44):
        frame, truth = simulated_driver_portfolio(seed)
        skipped = _skip_when_dissatisfied(frame, seed)
        listwise = fit_pooled_drivers(skipped.dropna(subset=DRIVERS)).coefficients
        true = truth.to_numpy().ravel()
        listwise_errors.append(np.sqrt(np.mean((listwise["coef"].to_numpy() - true) ** 2)))
        completed = multiply_impute(skipped, [*DRIVERS, "overall_satisfaction"], m=5, seed=seed)
        fits = [fit_pooled_drivers(x) for x in completed]
        rows = pd.concat(
            [combine_pooled_clients([f.for_client(c) for f in fits]).coefficients for c in truth.index]
        )
        imputed_errors.append(np.sqrt(np.mean((rows["coef"].to_numpy() - true) ** 2)))
        covered.append(np.mean((rows["ci_low"].to_numpy() <= true) & (true <= rows["ci_high"].to_numpy())))
    # Skipping by the dissatisfied biases the listwise fit; imputation with the outcome removes most of it.
    assert np.mean(imputed_errors) <= 0.8 * np.mean(listwise_errors), (imputed_errors, listwise_errors)
    assert 0.88 <= np.mean(covered) <= 0.99, covered


def test_one_client_read_from_imputed_portfolios():
    frame, truth = simulated_driver_portfolio(51, clients=20)
    skipped = _skip_when_dissatisfied(frame, 51)
    client = pooled_client_imputed(skipped, "S02", DRIVERS, m=3)
    assert client is not None and client.client_id == "S02"
    assert client.n == int((skipped["client_id"] == "S02").sum())  # every response counts
    assert pooled_client_imputed(skipped, "nobody", DRIVERS, m=2) is None
