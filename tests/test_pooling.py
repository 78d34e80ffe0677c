"""Per-client key drivers with partial pooling (issue 15, part 1): the empirical Bayes fit against
the truth of generated portfolios, against statsmodels' MixedLM and against Morris's closed form,
the pooled importance, the command line's ``--pooling`` and the client report's use of it."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from insights.data.simulated_drivers import simulated_driver_portfolio
from insights.stats.drivers.importance import lmg, relative_weights
from insights.stats.drivers.pooled_importance import _implied_corr, pooled_analysis, pooled_importance
from insights.stats.drivers.pooling import MIN_POOLING_CLIENTS, fit_pooled_drivers


def _errors(seed: int, **kwargs) -> tuple[float, float, float, float]:
    """(own RMSE, pooled RMSE, coverage of the pooled 95% intervals, share of intervals excluding 0)."""
    frame, truth = simulated_driver_portfolio(seed, **kwargs)
    fit = fit_pooled_drivers(frame, random_state=seed)
    table = fit.coefficients
    assert list(table["client_id"].unique()) == list(truth.index)
    true = truth.to_numpy().ravel()  # clients x drivers, in the table's order
    covered = (table["ci_low"] <= true) & (true <= table["ci_high"])
    excludes_zero = (table["ci_low"] > 0) | (table["ci_high"] < 0)
    return (
        float(np.sqrt(np.mean((table["own_coef"] - true) ** 2))),
        float(np.sqrt(np.mean((table["coef"] - true) ** 2))),
        float(covered.mean()),
        float(excludes_zero.mean()),
    )


def test_partial_pooling_is_closer_to_each_clients_truth_and_its_intervals_cover_it():
    # Issue 15's target: 40 clients, effects = portfolio + N(0, 0.05), ~4 responses a month for 12
    # months; pooled RMSE at least 25% below the clients' own regressions', 95% intervals covering
    # the truth 88-99% of the time (240 client-driver pairs per portfolio, three portfolios).
    results = np.array([_errors(seed) for seed in (11, 12, 13)])
    own, pooled, coverage = results[:, 0], results[:, 1], results[:, 2]
    assert np.all(pooled <= 0.75 * own), (own, pooled)
    assert 0.88 <= coverage.mean() <= 0.99, coverage
    assert np.all((coverage >= 0.85) & (coverage <= 1.0)), coverage


def test_on_null_data_pooled_intervals_rarely_exclude_zero():
    # No effects and no differences between clients: a finding "excludes zero" is a false alarm;
    # at the 95% level at most about 5% of client-driver pairs should raise one.
    alarms = [_errors(seed, effects=[0.0] * 6, deviation=0.0)[3] for seed in (21, 22, 23)]
    assert np.mean(alarms) <= 0.06, alarms


def test_a_planted_client_difference_is_found():
    # Large differences between clients (sd 0.1): the pooled fit sees them (spread well above 0)
    # and still beats the own regressions, with coverage near nominal.
    frame, truth = simulated_driver_portfolio(5, deviation=0.1)
    fit = fit_pooled_drivers(frame, random_state=5)
    assert fit.portfolio["spread"].mean() > 0.05
    own, pooled, coverage, _ = _errors(5, deviation=0.1)
    assert pooled < own
    assert 0.85 <= coverage <= 0.99


def _one_driver_portfolio(seed: int = 7) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(15, 80, 30)
    client = np.repeat(np.arange(30), sizes)
    slope = 0.3 + rng.normal(0, 0.15, 30)
    x = rng.normal(3, 1, len(client)) + rng.normal(0, 0.5, 30)[client]
    y = rng.normal(3, 0.5, 30)[client] + slope[client] * x + rng.normal(0, 0.6, len(client))
    frame = pd.DataFrame({"client_id": [f"K{c:02d}" for c in client], "x": x, "y": y})
    return frame, slope


def test_one_driver_matches_morris_closed_form():
    # With one driver the posterior is Morris's (1983) shrinkage:
    # m_j = beta + tau^2 / (tau^2 + v_j) (b_j - beta), lean_j = v_j / (tau^2 + v_j),
    # conditional sd sqrt(tau^2 v_j / (tau^2 + v_j)); own b_j, v_j by OLS within the client.
    frame, _ = _one_driver_portfolio()
    fit = fit_pooled_drivers(frame, ["x"], "y", draws=0)
    table = fit.coefficients
    tau2, beta = fit.tau[0, 0], fit.portfolio["coef"].iloc[0]
    own = []
    for _, group in frame.groupby("client_id"):
        xc, yc = group["x"] - group["x"].mean(), group["y"] - group["y"].mean()
        own.append((xc @ yc / (xc @ xc), fit.sigma2 / (xc @ xc)))
    b, v = np.array(own).T
    np.testing.assert_allclose(table["own_coef"], b, rtol=1e-10)
    np.testing.assert_allclose(table["own_se"] ** 2, v, rtol=1e-10)
    np.testing.assert_allclose(table["coef"], beta + tau2 / (tau2 + v) * (b - beta), rtol=1e-10)
    np.testing.assert_allclose(fit.clients["lean"], v / (tau2 + v), rtol=1e-10)
    np.testing.assert_allclose(table["se"], np.sqrt(tau2 * v / (tau2 + v)), rtol=1e-10)
    # sigma^2: the pooled within-client residual variance, by hand
    residual = sum(
        ((g["y"] - g["y"].mean()) - bj * (g["x"] - g["x"].mean())).pow(2).sum()
        for bj, (_, g) in zip(b, frame.groupby("client_id"))
    )
    assert fit.sigma2 == pytest.approx(residual / (len(frame) - 2 * 30), rel=1e-10)


def test_one_driver_agrees_with_statsmodels_mixedlm():
    # The same model fitted by REML (statsmodels MixedLM, random slope on the within-client
    # centred driver): portfolio slope, between-client SD and the clients' predicted slopes agree.
    import statsmodels.formula.api as smf

    frame, slope = _one_driver_portfolio()
    centred = frame.assign(
        xc=frame["x"] - frame.groupby("client_id")["x"].transform("mean"),
        yc=frame["y"] - frame.groupby("client_id")["y"].transform("mean"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mixed = smf.mixedlm("yc ~ 0 + xc", centred, groups="client_id", re_formula="0 + xc").fit(reml=True)
    blups = mixed.fe_params["xc"] + np.array(
        [mixed.random_effects[k].iloc[0] for k in sorted(mixed.random_effects)]
    )
    fit = fit_pooled_drivers(frame, ["x"], "y", draws=0)
    assert fit.portfolio["coef"].iloc[0] == pytest.approx(mixed.fe_params["xc"], abs=0.01)
    assert fit.portfolio["se"].iloc[0] == pytest.approx(mixed.bse_fe["xc"], rel=0.1)
    assert np.sqrt(fit.tau[0, 0]) == pytest.approx(np.sqrt(mixed.cov_re.iloc[0, 0]), rel=0.15)
    assert np.abs(fit.coefficients["coef"].to_numpy() - blups).max() < 0.02
    # and both are closer to the truth than the clients' own regressions
    own_rmse = np.sqrt(np.mean((fit.coefficients["own_coef"] - slope) ** 2))
    assert np.sqrt(np.mean((fit.coefficients["coef"] - slope) ** 2)) < own_rmse


def test_a_client_without_usable_data_leans_wholly_on_the_portfolio():
    frame, _ = simulated_driver_portfolio(3)
    lone = frame.iloc[[0]].assign(client_id="LONE")
    fit = fit_pooled_drivers(pd.concat([frame, lone]), draws=50)
    one = fit.for_client("LONE")
    assert one.lean == pytest.approx(1.0)
    np.testing.assert_allclose(one.coefficients["coef"], fit.portfolio["coef"], atol=1e-12)
    assert one.coefficients["own_coef"].isna().all()
    assert "lean 100% on the portfolio" in one.lean_text
    with pytest.raises(KeyError, match="NOPE"):
        fit.for_client("NOPE")


def test_too_few_clients_is_insufficient_data_not_an_error():
    frame, _ = simulated_driver_portfolio(4, clients=MIN_POOLING_CLIENTS - 1)
    fit = fit_pooled_drivers(frame)
    assert fit.status == "insufficient data"
    assert str(MIN_POOLING_CLIENTS) in fit.reason
    assert fit.coefficients.empty
    assert "insufficient data" in repr(fit)


def test_incomplete_rows_are_left_out_with_a_note():
    frame, _ = simulated_driver_portfolio(6)
    frame.loc[frame.index[:10], "quality"] = np.nan
    fit = fit_pooled_drivers(frame, draws=0)
    assert fit.notes == ("10 incomplete response(s) left out of the pooled fit.",)
    assert fit.clients["n"].sum() == len(frame) - 10


def test_pooled_importance_is_the_exact_decomposition_of_the_implied_correlations():
    frame, _ = simulated_driver_portfolio(8)
    one = fit_pooled_drivers(frame, draws=50).for_client("S05")
    table = pooled_importance(one, draws=200)
    # the correlation matrix implied by (b, S, sigma^2), built here by hand
    b, s = one.mean, one.driver_cov
    cov = np.block([[np.array([[b @ s @ b + one.sigma2]]), (s @ b)[None, :]], [(s @ b)[:, None], s]])
    sd = np.sqrt(np.diag(cov))
    names = ["y", *one.drivers]
    corr = pd.DataFrame(cov / np.outer(sd, sd), index=names, columns=names)
    np.testing.assert_allclose(_implied_corr(b, s, one.sigma2), corr.to_numpy(), atol=1e-12)
    np.testing.assert_allclose(table["lmg"], lmg(corr, outcome="y").to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(
        table["relative_weight"], relative_weights(corr, outcome="y").to_numpy(), rtol=1e-9
    )
    r2 = 1 - 1 / np.linalg.inv(corr.to_numpy())[0, 0]
    assert table["lmg"].sum() == pytest.approx(r2)
    assert table["share"].sum() == pytest.approx(100)
    for name in ("lmg", "rw", "share"):
        point = table["relative_weight" if name == "rw" else name]
        assert (table[f"{name}_ci_low"] <= point).all() and (point <= table[f"{name}_ci_high"]).all()
    np.testing.assert_allclose(
        table["performance"], frame[frame["client_id"] == "S05"][list(one.drivers)].mean()
    )


def test_pooled_analysis_keeps_the_shape_of_the_clients_own():
    from insights.stats.drivers import key_drivers

    frame, _ = simulated_driver_portfolio(9)
    own = key_drivers(frame[frame["client_id"] == "S02"], cluster=None)
    pooled = pooled_analysis(own, fit_pooled_drivers(frame).for_client("S02"))
    mine, theirs = own.to_dict(), pooled.to_dict()
    assert set(mine) == set(theirs)
    assert set(mine["importance"][0]) <= set(theirs["importance"][0])
    assert [r["term"] for r in theirs["coefficients"]] == [r["term"] for r in mine["coefficients"]]
    assert theirs["se_type"] == "pooled"
    assert theirs["findings"][0].startswith("Figures for S02 lean ")
    assert sum(r["share"] for r in theirs["importance"]) == pytest.approx(100)


# --------------------------------------------------------------------------- command line


def test_cli_pooling_none_is_todays_output_and_partial_adds_keys(run_cli, sample_csv):
    code, plain, err = run_cli("drivers", sample_csv, "--client", "C03", "--format", "json")
    assert code == 0, err
    code, none, _ = run_cli("drivers", sample_csv, "--client", "C03", "--pooling", "none", "--format", "json")
    assert none == plain
    code, partial, err = run_cli(
        "drivers", sample_csv, "--client", "C03", "--pooling", "partial", "--format", "json"
    )
    assert code == 0, err
    before, after = json.loads(plain), json.loads(partial)
    assert set(before) <= set(after)
    assert [r["term"] for r in after["coefficients"]] == [r["term"] for r in before["coefficients"]]
    assert set(before["importance"][0]) <= set(after["importance"][0])
    pooling = after["pooling"]
    assert pooling["method"] == "partial" and pooling["client_id"] == "C03" and pooling["n"] == before["n"]
    assert 0 <= pooling["lean"] <= 1 and pooling["n_clients"] > 1
    assert [r["coef"] for r in pooling["own_coefficients"]] == pytest.approx(
        [r["coef"] for r in before["coefficients"][1:]]
    )
    code, table, err = run_cli("drivers", sample_csv, "--client", "C03", "--pooling", "partial")
    assert code == 0, err
    assert "lean" in table and "on the portfolio" in table


def test_cli_pooling_on_imputed_answers_counts_every_response(run_cli, sample_csv):
    # The sample skips 11 of C03's driver answers: with --missing impute every one of its 54
    # responses counts (45 complete), and the pooled fits of the 20 imputations are combined.
    code, listwise, err = run_cli(
        "drivers", sample_csv, "--client", "C03", "--pooling", "partial", "--format", "json"
    )
    assert code == 0, err
    code, imputed, err = run_cli(
        "drivers",
        sample_csv,
        "--client",
        "C03",
        "--pooling",
        "partial",
        "--missing",
        "impute",
        "--format",
        "json",
    )
    assert code == 0, err
    listwise, imputed = json.loads(listwise), json.loads(imputed)
    assert listwise["pooling"]["n"] < imputed["pooling"]["n"] == imputed["n"]
    assert imputed["pooling"]["imputations"] == 20 and imputed["imputed_answers"] > 0
    assert imputed["se_type"] == "pooled" and 0 < imputed["pooling"]["lean"] < 1


def test_cli_pooling_needs_a_client_and_a_known_value(run_cli, sample_csv):
    code, _, err = run_cli("drivers", sample_csv, "--pooling", "partial")
    assert code == 2 and "needs --client" in err
    code, _, err = run_cli("drivers", sample_csv, "--client", "C03", "--pooling", "full")
    assert code == 2 and "none, partial" in err


def test_a_client_too_small_for_its_own_regression_gets_pooled_figures():
    from insights.stats.drivers import key_drivers

    frame, truth = simulated_driver_portfolio(14)
    small = frame[frame["client_id"] == "S03"].head(12)  # fewer than p + 10 = 16 responses
    frame = pd.concat([frame[frame["client_id"] != "S03"], small])
    own = key_drivers(small, cluster=None)
    assert not own.ok
    pooled = pooled_analysis(own, fit_pooled_drivers(frame).for_client("S03"))
    assert pooled.ok and pooled.n == 12
    assert any("Too few responses for the client's own regression" in w for w in pooled.warnings)
    assert pooled.findings[0].startswith("Figures for S03 lean ")
    lean = float(pooled.findings[0].split("lean ")[1].split("%")[0])
    assert lean > 85  # 12 responses: mostly the portfolio


@pytest.fixture(scope="module")
def sample_flags(sample_df):
    from insights.stats.alerts import compute_alerts

    return compute_alerts(sample_df, pd.Period("2026-10", "M"))


@pytest.mark.slow  # the portfolio's flags and two reports: tens of seconds on a loaded machine
def test_client_report_uses_partial_pooling_and_says_how_much_it_leans(sample_df, sample_flags):
    from insights.reporting import report

    pooled = report.client_report(sample_df, "C03", "2026-10", n_boot=5, alerts=sample_flags)
    own = report.client_report(sample_df, "C03", "2026-10", n_boot=5, alerts=sample_flags, pooling="none")
    assert pooled.drivers.se_type == "pooled" and own.drivers.se_type == "HC3"
    assert own.pooling is None and report.drivers_lean_html(own) == ""
    assert pooled.pooling.client_id == "C03" and 0 < pooled.pooling.lean < 1
    line = report.drivers_lean_html(pooled)
    # the sample skips 23% of its answers: the report pools on imputed data, so all 54 responses count
    assert f"lean {pooled.pooling.lean:.0%} on the portfolio" in line and "54 responses" in line
    assert "lean" not in report.drivers_findings_html(pooled)  # said once, above the chart
    assert report.drivers_findings_html(own) == report.findings_html(own.drivers.findings)
    assert any("together with the other clients'" in c and "imputed 5 times" in c for c in pooled.caveats)
    assert any("Tested on generated portfolios" in c for c in pooled.caveats)
    # a fit computed once for the portfolio and passed in is used as it is (its 45 complete responses)
    window = sample_df[(sample_df["period"] >= pd.Period("2025-11", "M"))]
    fit = fit_pooled_drivers(window, list(pooled.drivers.drivers))
    again = report.client_report(sample_df, "C03", "2026-10", n_boot=5, alerts=sample_flags, pooled=fit)
    assert again.pooling.n == 45
    np.testing.assert_allclose(
        again.drivers.coefficients["coef"].iloc[1:], fit.for_client("C03").coefficients["coef"]
    )
    with pytest.raises(ValueError, match="pooling"):
        report.client_report(sample_df, "C03", "2026-10", n_boot=5, alerts=sample_flags, pooling="full")


@pytest.mark.slow  # the portfolio's flags and two reports: tens of seconds on a loaded machine
def test_the_lean_line_escapes_the_client_id(sample_df, sample_flags):
    from dataclasses import replace

    from insights.reporting import report

    r = report.client_report(sample_df, "C03", "2026-10", n_boot=5, alerts=sample_flags)
    hostile = replace(r, pooling=replace(r.pooling, client_id="<script>x</script>"))
    line = report.drivers_lean_html(hostile)
    assert "<script>" not in line and "&lt;script&gt;" in line


def test_importance_chart_marks_the_lean_and_the_portfolio():
    from matplotlib.collections import PathCollection

    from insights.reporting import plots

    frame, _ = simulated_driver_portfolio(15)
    client = fit_pooled_drivers(frame).for_client("S01")
    table = pooled_importance(client).assign(quadrant="Keep up")
    plain = plots.importance_chart(table.drop(columns="portfolio_share"), title="t")
    marked = plots.importance_chart(table, title="t", lean=client.lean)
    label = marked.axes[0].get_xlabel()
    assert f"lean {client.lean:.0%} on the portfolio" in label and "lean" not in plain.axes[0].get_xlabel()
    diamonds = [c for c in marked.axes[0].collections if isinstance(c, PathCollection)]
    assert len(diamonds) == 1 and len(diamonds[0].get_offsets()) == len(table)
    np.testing.assert_allclose(np.sort(diamonds[0].get_offsets()[:, 0]), np.sort(table["portfolio_share"]))
    hatched = [p for p in marked.axes[0].patches if p.get_hatch()]
    np.testing.assert_allclose(
        sorted(p.get_width() for p in hatched), np.sort(table["share"] * client.lean), rtol=1e-9
    )


def test_pooled_share_intervals_cover_the_clients_true_shares():
    # A client's true LMG shares: its true effects with its own driver covariance (from 400
    # responses a month of the same generated clients) and the true noise SD 0.45.
    from insights.stats.drivers.importance import _lmg_from_corr

    frame, truth = simulated_driver_portfolio(31)
    large, same = simulated_driver_portfolio(31, per_month=400)
    assert same.equals(truth)
    fit = fit_pooled_drivers(frame, random_state=31)
    covered = []
    for client_id in truth.index:
        table = pooled_importance(fit.for_client(client_id))
        drivers = list(table["driver"])
        corr = _implied_corr(
            truth.loc[client_id, drivers].to_numpy(),
            np.cov(large.loc[large["client_id"] == client_id, drivers].to_numpy().T),
            0.45**2,
        )
        parts = _lmg_from_corr(corr[1:, 1:], corr[0, 1:])
        share = 100 * parts / parts.sum()
        covered.extend((table["share_ci_low"] <= share) & (share <= table["share_ci_high"]))
    assert 0.88 <= np.mean(covered) <= 0.99, np.mean(covered)


def test_pooled_analysis_says_it_ignores_response_weights():
    from insights.stats.drivers import key_drivers

    frame, _ = simulated_driver_portfolio(16)
    mine = frame[frame["client_id"] == "S04"].assign(weight=1.0)
    pooled = pooled_analysis(
        key_drivers(mine, cluster=None, weight="weight"), fit_pooled_drivers(frame).for_client("S04")
    )
    assert any("do not use the response weights (weight)" in w for w in pooled.warnings)
    unweighted = pooled_analysis(key_drivers(mine, cluster=None), fit_pooled_drivers(frame).for_client("S04"))
    assert not any("response weights" in w for w in unweighted.warnings)
