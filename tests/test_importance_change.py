"""Did priorities change?  Driver shares in the last six months against the six before.

The shares are checked against a brute-force LMG (every order of entry, numpy lstsq) and Johnson's
weights computed here from an SVD; the DerSimonian-Laird step against statsmodels' meta-analysis;
the claims on simulated portfolios with no change (false claims after Benjamini-Hochberg) and with
one driver's coefficient doubled in the last six months (found).
"""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from statsmodels.stats.meta_analysis import combine_effects

from insights.stats.drivers import (
    client_importance_changes,
    importance_change,
    importance_over_time,
)
from insights.stats.drivers.change_pooled import dersimonian_laird

DRIVERS = ["communication", "responsiveness", "quality", "timeliness", "value", "expertise"]
BETA = np.array([0.35, 0.30, 0.25, 0.20, 0.15, 0.10])


def simulate(rng, *, clients=30, per_month=5, months=12, planted=None, factor=2.0, drivers=DRIVERS):
    """A portfolio of clients answering 1-5 ratings; ``planted``'s coefficient times ``factor`` in the
    last six months.  Drivers correlate (0.4, plus a client halo), clients differ in level."""
    p = len(drivers)
    n = clients * per_month * months
    client = np.repeat(np.arange(clients), per_month * months)
    month = np.tile(np.repeat(np.arange(months), per_month), clients)
    corr = 0.4 + 0.6 * np.eye(p)
    latent = (
        rng.standard_normal((n, p)) @ np.linalg.cholesky(corr).T + rng.normal(0, 0.5, (clients, 1))[client]
    )
    x = np.clip(np.round(3.3 + 0.9 * latent), 1, 5)
    beta = np.tile(BETA[:p], (n, 1))
    if planted is not None:
        beta[month >= months - 6, drivers.index(planted)] *= factor
    y = (x * beta).sum(axis=1) + rng.normal(0, 0.4, clients)[client] + rng.normal(0, 0.8, n)
    frame = pd.DataFrame(x, columns=drivers)
    frame["overall_satisfaction"] = np.clip(np.round(y - y.mean() + 3.8), 1, 5)
    frame["client_id"] = [f"C{c:02d}" for c in client]
    frame["period"] = pd.PeriodIndex([pd.Period("2025-01", "M") + int(m) for m in month])
    return frame


def brute_force_lmg(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """LMG by definition: each driver's R^2 gain averaged over every order of entry (lstsq fits)."""
    n, p = x.shape

    def r2(columns) -> float:
        design = np.column_stack([np.ones(n), x[:, list(columns)]])
        residual = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
        return 1 - residual @ residual / ((y - y.mean()) @ (y - y.mean()))

    gains = np.zeros(p)
    orders = list(itertools.permutations(range(p)))
    for order in orders:
        for k, j in enumerate(order):
            gains[j] += r2(order[: k + 1]) - r2(order[:k])
    return gains / len(orders)


def svd_relative_weights(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Johnson (2000) from the standardised data: Z = U V' (closest orthonormal), Lambda from Z."""
    zx = (x - x.mean(0)) / x.std(0)
    zy = (y - y.mean()) / y.std()
    u, _, vt = np.linalg.svd(zx, full_matrices=False)
    z = u @ vt * math.sqrt(len(y))
    lam = np.linalg.lstsq(z, zx, rcond=None)[0]  # x_k = sum_j z_j lam_jk
    beta = np.linalg.lstsq(z, zy, rcond=None)[0]
    return (lam**2).T @ beta**2


def test_shares_of_each_half_match_brute_force_lmg_and_svd_relative_weights():
    drivers = DRIVERS[:4]
    df = simulate(np.random.default_rng(3), clients=12, per_month=6, drivers=drivers)
    df.loc[df.index[::17], "quality"] = np.nan  # listwise per half
    change = importance_change(df, drivers, n_boot=20)
    recent = df["period"] >= pd.Period("2025-07", "M")
    for is_recent, column, rw_column in (
        (False, "share_before", "rw_before"),
        (True, "share_recent", "rw_recent"),
    ):
        half = df[recent == is_recent].dropna(subset=drivers)
        y, x = half["overall_satisfaction"].to_numpy(), half[drivers].to_numpy()
        lmg = brute_force_lmg(y, x)
        np.testing.assert_allclose(change.table[column], 100 * lmg / lmg.sum(), atol=1e-8)
        rw = svd_relative_weights(y, x)
        np.testing.assert_allclose(change.table[rw_column], 100 * rw / rw.sum(), atol=1e-8)
    assert change.n_before == int((~recent & df[drivers].notna().all(axis=1)).sum())
    np.testing.assert_allclose(
        change.table["change"], change.table["share_recent"] - change.table["share_before"]
    )
    assert change.before == "2025-01 to 2025-06" and change.recent == "2025-07 to 2025-12"


def test_rolling_shares_match_brute_force_lmg_of_each_window():
    drivers = DRIVERS[:3]
    df = simulate(np.random.default_rng(4), clients=8, per_month=4, drivers=drivers)
    over = importance_over_time(df, drivers, months=12, window=6)
    assert list(over["window_end"].unique().astype(str)) == [f"2025-{m:02d}" for m in range(6, 13)]
    last = df[df["period"] >= pd.Period("2025-04", "M")].query("period <= @pd.Period('2025-09', 'M')")
    lmg = brute_force_lmg(last["overall_satisfaction"].to_numpy(), last[drivers].to_numpy())
    window = over[over["window_end"] == pd.Period("2025-09", "M")]
    np.testing.assert_allclose(window["share"], 100 * lmg / lmg.sum(), atol=1e-8)
    assert (window["n"] == len(last)).all()


def test_dersimonian_laird_matches_statsmodels_meta_analysis():
    rng = np.random.default_rng(7)
    estimates, variances = rng.normal(2, 3, 25), rng.uniform(1, 9, 25)
    expected = combine_effects(estimates, variances, method_re="dl")
    mu, var, tau2 = dersimonian_laird(estimates, variances)
    assert tau2 == pytest.approx(expected.tau2, rel=1e-10)
    assert mu == pytest.approx(expected.mean_effect_re, rel=1e-10)
    assert var == pytest.approx(expected.sd_eff_w_re**2, rel=1e-10)
    _, robust, _ = dersimonian_laird(estimates, variances, robust=True)
    assert robust == pytest.approx(max(var, expected.var_hksj_re), rel=1e-10)
    # Homogeneous estimates: no between-study variance, the fixed-effect mean.
    mu0, var0, tau0 = dersimonian_laird(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 4.0]))
    assert (mu0, tau0) == (1.0, 0.0) and var0 == pytest.approx(1 / (1 + 0.5 + 0.25))


def test_pooled_changes_are_the_empirical_bayes_compromise():
    from scipy.stats import t as student_t

    df = simulate(np.random.default_rng(8))
    df = df.drop(
        df[(df["client_id"] < "C05") & (df["period"] < pd.Period("2025-03", "M"))].index
    )  # unequal n
    changes = client_importance_changes(df, DRIVERS)
    table, between = changes.table, changes.between.set_index("driver")
    assert len(table) == 30 * len(DRIVERS) and table["p"].notna().all()
    # The sampling variances, smoothed per driver in proportion to 1/n0 + 1/n1.
    scale = 1 / table["n_before"] + 1 / table["n_recent"]
    smoothed = (table["own_se"] ** 2 / scale).groupby(table["driver"]).transform("mean") * scale
    np.testing.assert_allclose(table["sampling_se"] ** 2, smoothed)
    for driver, rows in table.groupby("driver"):
        mu, var, tau2 = dersimonian_laird(rows["own_change"].to_numpy(), rows["sampling_se"].to_numpy() ** 2)
        assert between.loc[driver, "mu"] == pytest.approx(mu) and between.loc[
            driver, "tau2"
        ] == pytest.approx(tau2)
        assert between.loc[driver, "mu_se"] ** 2 >= var * (1 - 1e-12)
    quantile = student_t.ppf(0.975, 29)
    for row in table.sample(12, random_state=1).itertuples():
        mu, mu_se, tau2 = between.loc[row.driver, ["mu", "mu_se", "tau2"]]
        b = row.sampling_se**2 / (row.sampling_se**2 + tau2)
        assert row.change == pytest.approx(mu + (1 - b) * (row.own_change - mu))
        assert row.se == pytest.approx(math.sqrt((1 - b) * row.sampling_se**2 + b**2 * mu_se**2))
        assert row.own_weight == pytest.approx(1 - b)
        assert row.ci_low == pytest.approx(row.change - quantile * row.se)
        assert row.p == pytest.approx(2 * student_t.sf(abs(row.change) / row.se, 29))
    # Shrinkage pulls every client toward the portfolio: the pooled changes spread less.
    assert table["change"].std() < table["own_change"].std()
    assert changes.for_client("C03")["client_id"].eq("C03").all()


def test_too_few_responses_give_a_reason_and_untested_clients():
    df = simulate(np.random.default_rng(9), clients=2, per_month=1)
    change = importance_change(df, DRIVERS, n_boot=20)
    assert not change.ok and "too few complete responses" in change.reason
    changes = client_importance_changes(df, DRIVERS, n_boot=20)
    assert changes.table["p"].isna().all() and not changes.table["shift"].any()


def _false_claims(reps: int, clients: int, per_month: int, pooled: bool, seed: int) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    any_claim, claims, tests = 0, 0, 0
    for r in range(reps):
        df = simulate(rng, clients=clients, per_month=per_month)
        if pooled:
            shift = client_importance_changes(df, DRIVERS, random_state=r).table["shift"]
        else:
            shift = importance_change(df, DRIVERS, n_boot=150, random_state=r).table["shift"]
        any_claim += bool(shift.any())
        claims += int(shift.sum())
        tests += len(shift)
    return any_claim / reps, claims / tests


@pytest.mark.slow  # a calibration simulation: about 5 s of CPU, more under load
def test_no_change_in_the_portfolio_rarely_claims_a_shift():
    # 60 portfolios x 6 drivers: measured 2% of driver tests and 7% of portfolios with a false
    # claim (100 portfolios: 1.8% and 7%); BH bounds the latter by 5% when the p-values are exact.
    any_claim, rate = _false_claims(60, clients=30, per_month=4, pooled=False, seed=11)
    assert rate <= 0.05
    assert any_claim <= 0.15


@pytest.mark.slow  # a calibration simulation: about 5 s of CPU, more under load
def test_no_change_per_client_rarely_claims_a_shift():
    # 12 portfolios x 30 clients x 6 drivers; measured below 1% of client x driver tests.
    any_claim, rate = _false_claims(12, clients=30, per_month=5, pooled=True, seed=12)
    assert rate <= 0.03
    assert any_claim <= 0.35


@pytest.mark.slow  # a calibration simulation: about 5 s of CPU, more under load
def test_a_doubled_coefficient_is_found_in_the_portfolio_and_in_the_clients():
    rng = np.random.default_rng(13)
    found, pooled_found, others = 0, [], []
    for r in range(8):
        df = simulate(rng, clients=30, per_month=10, planted="responsiveness")
        table = importance_change(df, DRIVERS, n_boot=150, random_state=r).table.set_index("driver")
        found += bool(table.loc["responsiveness", "shift"] and table.loc["responsiveness", "change"] > 0)
        per_client = client_importance_changes(df, DRIVERS, random_state=r).table
        mine = per_client[per_client["driver"] == "responsiveness"]
        pooled_found.append(float((mine["shift"] & (mine["change"] > 0)).mean()))
        # The one planted rise is never reported as a fall.
        others.append(bool((mine["shift"] & (mine["change"] < 0)).any()))
    assert found >= 7
    assert np.mean(pooled_found) >= 0.2  # measured 45% of the clients (20 portfolios); no change: under 2%
    assert not any(others)


def test_findings_say_what_moved_in_plain_words():
    df = simulate(np.random.default_rng(14), clients=30, per_month=12, planted="responsiveness", factor=3.0)
    change = importance_change(df, DRIVERS, n_boot=150)
    sentence = next(f for f in change.findings if f.startswith("Responsiveness"))
    row = change.table.set_index("driver").loc["responsiveness"]
    assert sentence.startswith("Responsiveness matters more than six months ago: ")
    assert f"{row.share_recent:.0f}% of explained variance against {row.share_before:.0f}%" in sentence
    assert f"95% CI {row.ci_low:+.0f} to {row.ci_high:+.0f}" in sentence
    assert "ImportanceChange(2025-01 to 2025-06 -> 2025-07 to 2025-12" in repr(change)


def test_the_chart_renders_a_sane_png():
    import io

    from PIL import Image

    from insights.reporting import plots

    df = simulate(np.random.default_rng(15), clients=20, per_month=6, planted="responsiveness", factor=3.0)
    change = importance_change(df, DRIVERS, n_boot=100)
    over = importance_over_time(df, DRIVERS)
    fig = plots.importance_time_chart(over, shifts=change.table, title="Importance over time")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    png = Image.open(io.BytesIO(buffer.getvalue()))
    assert png.size == (850, 440)
    assert 20_000 < len(buffer.getvalue()) < 400_000
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("Responsiveness (+") for t in texts) == bool(change.table["shift"].iloc[1])
    assert len([t for t in texts if "half-year" not in t]) == len(DRIVERS)


def test_sections_escape_client_names_and_say_when_nothing_can_be_compared():
    from types import SimpleNamespace

    from insights.reporting.priorities import (
        ClientPrioritiesSection,
        PortfolioPrioritiesSection,
        client_priority_findings,
    )

    df = simulate(np.random.default_rng(16), clients=30, per_month=5)
    df["client_name"] = np.where(df["client_id"] == "C04", "<b>Evil & Co</b>", df["client_id"])
    changes = client_importance_changes(df, DRIVERS, n_boot=30)
    changes.table.loc[changes.table["client_id"] == "C04", "shift"] = True  # to show the name
    report = SimpleNamespace(
        window=df, priorities=importance_change(df, DRIVERS, n_boot=30), client_priorities=changes
    )
    html = PortfolioPrioritiesSection(report).html()
    assert "&lt;b&gt;Evil &amp; Co&lt;/b&gt;" in html and "<b>Evil" not in html
    assert not re.search(r"[+-]0\b", html)  # a change that rounds to nothing is 0, not -0 or +0
    client = SimpleNamespace(priorities=changes, client_id="C04")
    assert "Pooled change (95% CI)" in ClientPrioritiesSection(client).html()
    lines = client_priority_findings(changes, "C04")
    assert lines[-1].startswith("With 30 and 30 responses in the two half-years, the pooled changes rest ")
    few = SimpleNamespace(priorities=changes, client_id="nobody")
    assert "cannot be compared" in ClientPrioritiesSection(few).html()


def test_the_portfolio_interval_is_a_cluster_bootstrap_with_one_draw_for_both_halves():
    # Brute force: the same clients drawn (the function's seed and order of draws), each resample
    # built as a frame of whole clients, both halves from the same draw, LMG by every order of entry.
    drivers = DRIVERS[:3]
    df = simulate(np.random.default_rng(17), clients=10, per_month=3, drivers=drivers)
    n_boot = 30
    change = importance_change(df, drivers, n_boot=n_boot, random_state=5)
    ids = pd.unique(df["client_id"])
    draws = np.random.default_rng(5).integers(0, len(ids), (n_boot, len(ids)))
    recent = df["period"] >= pd.Period("2025-07", "M")
    changes = []
    for draw in draws:
        resample = pd.concat([df[df["client_id"] == ids[g]] for g in draw])
        shares = []
        for is_recent in (False, True):
            half = resample[(resample["period"] >= pd.Period("2025-07", "M")) == is_recent]
            lmg = brute_force_lmg(half["overall_satisfaction"].to_numpy(), half[drivers].to_numpy())
            shares.append(100 * lmg / lmg.sum())
        changes.append(shares[1] - shares[0])
    changes = np.array(changes)
    low, high = np.percentile(changes, [2.5, 97.5], axis=0)
    np.testing.assert_allclose(change.table["ci_low"], low, atol=1e-8)
    np.testing.assert_allclose(change.table["ci_high"], high, atol=1e-8)
    se = changes.std(axis=0, ddof=1) * math.sqrt(10 / 9)
    np.testing.assert_allclose(change.table["se"], se, rtol=1e-8)
    z = np.abs(change.table["change"]) / se
    np.testing.assert_allclose(change.table["p"], 2 * norm.sf(z), rtol=1e-6)
    assert change.n_clusters == 10 and change.n_recent == int(recent.sum())


def test_a_clients_own_change_and_its_standard_error_by_brute_force():
    # Responses resampled within each half, clients in order, the same seed; each half's bootstrap
    # variance scaled by n / (n - p - 1), the two added.
    drivers = DRIVERS[:3]
    df = simulate(np.random.default_rng(18), clients=6, per_month=3, drivers=drivers)
    n_boot = 20
    changes = client_importance_changes(df, drivers, n_boot=n_boot, random_state=9)
    rng = np.random.default_rng(9)
    recent = df["period"] >= pd.Period("2025-07", "M")
    for client in sorted(df["client_id"].unique()):
        points, variances = [], []
        for is_recent in (False, True):
            half = df[(df["client_id"] == client) & (recent == is_recent)]
            y, x = half["overall_satisfaction"].to_numpy(), half[drivers].to_numpy()
            n = len(half)
            lmg = brute_force_lmg(y, x)
            points.append(100 * lmg / lmg.sum())
            draws = rng.integers(0, n, (n_boot, n))
            boot = np.array([brute_force_lmg(y[d], x[d]) for d in draws])
            variances.append(
                np.var(100 * boot / boot.sum(axis=1, keepdims=True), axis=0, ddof=1) * n / (n - 4)
            )
        rows = changes.for_client(client)
        np.testing.assert_allclose(rows["own_change"], points[1] - points[0], atol=1e-8)
        np.testing.assert_allclose(rows["own_se"], np.sqrt(variances[0] + variances[1]), rtol=1e-8)


def test_a_quarterly_survey_counts_its_waves_in_months_and_names_them_as_quarters():
    df = simulate(np.random.default_rng(19), clients=12, per_month=4)
    quarterly = df.assign(period=df["period"].dt.asfreq("Q"))
    monthly = importance_change(df, DRIVERS, n_boot=40)
    by_quarter = importance_change(quarterly, DRIVERS, n_boot=40, end="2025Q4")
    assert (by_quarter.before, by_quarter.recent) == ("2025-Q1 to 2025-Q2", "2025-Q3 to 2025-Q4")  # in waves
    np.testing.assert_allclose(by_quarter.table["ci_low"], monthly.table["ci_low"])
    clients = client_importance_changes(quarterly, DRIVERS, end=pd.Period("2025Q4"))
    np.testing.assert_allclose(
        clients.table["change"], client_importance_changes(df, DRIVERS).table["change"]
    )
    ends = importance_over_time(quarterly, DRIVERS)["window_end"].unique().astype(str)
    assert list(ends) == ["2025-06", "2025-09", "2025-12"]
