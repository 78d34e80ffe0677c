"""The churn model, retention by NPS group, revenue at risk, owners' books, close-outs and the cost of a lost client.

Every figure is checked against an independent computation: the churn model's one-row-per-client table
built here in plain Python and fitted with statsmodels' formula interface, Wilson intervals by the
formula, sums by hand; the planted odds ratio of the sample (and of a larger simulated portfolio) is
recovered, and on null data the model's p-value rejects at about its nominal rate.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from insights.data.accounts import load_accounts
from insights.data.sample_accounts import PLANTED_CHURN_LOG_ODDS, generate_accounts
from insights.stats.churn import churn_model, churn_table, retention_by_group
from insights.stats.value import books, client_value, closeouts, revenue_at_risk

PERIOD = "2026-10"


@pytest.fixture(scope="module")
def sample(sample_csv):
    import insights

    responses = insights.load(sample_csv, warn=False)
    return responses, load_accounts(sample_csv.parent / "accounts.csv", warn=False)


def _by_hand(responses: pd.DataFrame, accounts: pd.DataFrame, period: str, months: int) -> pd.DataFrame:
    """The churn model's data, built row by row from its definition (no code of the package)."""
    last = pd.Period(period, "M")
    first = last - months + 1
    rows = []
    for client in sorted({str(c) for c in accounts["client_id"]}):
        mine = [r for r in accounts.itertuples() if str(r.client_id) == client and first <= r.period <= last]
        if not mine:
            continue
        lost_months = [r.period for r in mine if r.status == "lost"]
        cut = min(lost_months) if lost_months else None
        answers = [
            r.overall_satisfaction
            for r in responses.itertuples()
            if str(r.client_id) == client
            and first <= r.period <= last
            and (cut is None or r.period < cut)
            and not math.isnan(r.overall_satisfaction)
        ]
        if answers:
            rows.append({"client": client, "lost": int(cut is not None), "x": sum(answers) / len(answers)})
    return pd.DataFrame(rows)


def _toy() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(11)
    months = pd.period_range("2025-06", "2026-10", freq="M")
    res, acc = [], []
    for i in range(40):
        client = f"K{i:02d}"
        level = rng.normal(3.5, 0.6)
        lost_at = months[int(rng.integers(10, len(months)))] if rng.random() < 0.35 else None
        for m in months:
            for _ in range(int(rng.integers(0, 4))):
                res.append(
                    {
                        "client_id": client,
                        "period": m,
                        "overall_satisfaction": float(np.clip(round(level + rng.normal(0, 0.8)), 1, 5)),
                    }
                )
            if lost_at is not None and m > lost_at:
                continue
            acc.append({"client_id": client, "period": m, "status": "lost" if m == lost_at else "active"})
    return pd.DataFrame(res), pd.DataFrame(acc)


def test_the_churn_table_is_the_defined_one_row_per_client(sample):
    responses, accounts = sample
    table = churn_table(responses, accounts, PERIOD, 12)
    hand = _by_hand(responses, accounts, PERIOD, 12)
    assert table["client_id"].tolist() == hand["client"].tolist()
    assert table["lost"].tolist() == hand["lost"].tolist()
    np.testing.assert_allclose(table["mean_overall"], hand["x"], rtol=1e-12)


def test_the_churn_model_matches_statsmodels_on_the_data_built_by_hand():
    responses, accounts = _toy()
    for period, months in (("2026-10", 12), ("2026-08", 6)):
        hand = _by_hand(responses, accounts, period, months)
        fit = smf.logit("lost ~ x", data=hand).fit(disp=0)
        b, se = fit.params["x"], fit.bse["x"]
        model = churn_model(responses, accounts, period, months)
        assert (model.clients, model.lost) == (len(hand), int(hand["lost"].sum()))
        assert model.odds_ratio_per_point == pytest.approx(math.exp(b), rel=1e-6)
        assert model.ci_low == pytest.approx(math.exp(b - 1.959963985 * se), rel=1e-6)
        assert model.ci_high == pytest.approx(math.exp(b + 1.959963985 * se), rel=1e-6)
        assert model.p == pytest.approx(fit.pvalues["x"], rel=1e-6)


def test_the_sample_recovers_its_planted_odds_ratio_within_the_interval(sample):
    model = churn_model(*sample, PERIOD, 12)
    assert model.estimable and model.clients == 30 and model.lost >= 4
    assert model.ci_low < math.exp(PLANTED_CHURN_LOG_ODDS) < model.ci_high
    assert model.odds_ratio_per_point < 1  # the direction planted: less satisfied clients are lost more often


MONTHS = pd.period_range("2025-11", "2026-10", freq="M")


def _portfolio(clients: int, seed: int) -> pd.DataFrame:
    """Typed responses of a simulated portfolio in the sample's shape (12 months, 1-5 overall)."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(4, size=(clients, len(MONTHS)))
    client = np.repeat(np.repeat(np.arange(clients), len(MONTHS)), counts.ravel())
    month = np.repeat(np.tile(np.arange(len(MONTHS)), clients), counts.ravel())
    level = rng.normal(3.7, 0.45, size=clients)
    score = np.clip(np.round(level[client] + rng.normal(0, 0.8, size=len(client))), 1, 5)
    return pd.DataFrame(
        {
            "client_id": pd.Series([f"S{i:03d}" for i in client], dtype=str),
            "period": MONTHS[month],
            "overall_satisfaction": score,
            "_month": month,
            "_client": client,
        }
    )


def _planted_accounts(responses: pd.DataFrame, clients: int, log_odds: float, seed: int) -> pd.DataFrame:
    """Accounts with the sample generator's link, drawn independently of it: a candidate month of loss in
    the last six, the mean overall before it, lost with probability expit(-1 + log_odds * (x - mean x))."""
    rng = np.random.default_rng([seed, 1])
    candidate = rng.integers(len(MONTHS) - 6, len(MONTHS), size=clients)
    before = responses[responses["_month"].to_numpy() < candidate[responses["_client"].to_numpy()]]
    x = before.groupby("_client")["overall_satisfaction"].mean().reindex(range(clients)).to_numpy()
    chance = 1 / (1 + np.exp(1.0 - log_odds * (x - np.nanmean(x))))
    lost_month = np.where(rng.random(clients) < chance, candidate, len(MONTHS))
    client = np.repeat(np.arange(clients), len(MONTHS))
    month = np.tile(np.arange(len(MONTHS)), clients)
    keep = month <= lost_month[client]
    client, month = client[keep], month[keep]
    return pd.DataFrame(
        {
            "client_id": pd.Series([f"S{i:03d}" for i in client], dtype=str),
            "period": MONTHS[month],
            "status": np.where(month == lost_month[client], "lost", "active"),
        }
    )


def test_a_larger_portfolio_finds_the_planted_link_and_covers_it():
    """Power: 300 clients with the sample's planted link, 20 portfolios: the link is found (p < 0.05) in
    nearly all and the 95% interval covers the planted odds ratio in most."""
    planted = math.exp(PLANTED_CHURN_LOG_ODDS)
    found = covered = 0
    for seed in range(20):
        responses = _portfolio(300, seed)
        model = churn_model(
            responses, _planted_accounts(responses, 300, PLANTED_CHURN_LOG_ODDS, seed), PERIOD, 12
        )
        found += model.p < 0.05 and model.odds_ratio_per_point < 1
        covered += model.ci_low < planted < model.ci_high
    assert found >= 18
    assert covered >= 16  # 95% nominal; binomial(20, 0.95) gives 16 or more with probability 0.997


def test_the_sample_generator_plants_the_link_on_a_large_portfolio():
    """The generator itself (not only its model, above) plants the documented odds ratio."""
    responses = _portfolio(600, 5)
    raw = responses.assign(client_type="external", submitted_at=responses["period"].astype(str) + "-15T10:00")
    accounts = load_accounts(generate_accounts(raw, seed=5), warn=False)
    model = churn_model(responses, accounts, PERIOD, 12)
    assert model.p < 0.001 and model.ci_low < math.exp(PLANTED_CHURN_LOG_ODDS) < model.ci_high


@pytest.mark.slow
def test_on_null_data_the_model_rejects_at_about_five_percent():
    """Calibration: no link; 200 portfolios of 150 clients; the two-sided 5% Wald test rejects at about 5%."""
    rejections = 0
    for seed in range(200):
        responses = _portfolio(150, 1000 + seed)
        rejections += (
            churn_model(responses, _planted_accounts(responses, 150, 0.0, seed), PERIOD, 12).p < 0.05
        )
    # binomial(200, 0.05): 99.9% of runs fall in 2 to 21
    assert 2 <= rejections <= 21, rejections


def test_the_model_says_why_it_cannot_be_estimated():
    responses, accounts = _toy()
    kept = accounts.assign(status="active")
    model = churn_model(responses, kept, PERIOD, 12)
    assert (
        not model.estimable and "0 lost client(s)" in model.reason and math.isnan(model.odds_ratio_per_point)
    )
    assert "cannot be estimated: 0 lost" in repr(model)
    # complete separation: the lost clients are exactly the least satisfied ones
    table = churn_table(responses, accounts, PERIOD, 12)
    low = set(table.nsmallest(8, "mean_overall")["client_id"])
    last = accounts.groupby("client_id")["period"].transform("max")
    separated = accounts.assign(
        status=np.where(accounts["client_id"].isin(low) & (accounts["period"] == last), "lost", "active")
    )
    model = churn_model(responses, separated, PERIOD, 12)
    assert not model.estimable and "separat" in model.reason
    assert model.record()["odds_ratio_per_point"] is None


def test_retention_by_nps_group_counts_and_wilson_intervals(sample):
    responses, accounts = sample
    groups = retention_by_group(responses, accounts, PERIOD, 12)
    table = churn_table(responses, accounts, PERIOD, 12)
    assert groups["clients"].sum() == len(table) and groups["lost"].sum() == table["lost"].sum()
    z = 1.959963984540054
    for row in groups.itertuples():
        n, p = row.clients, row.retention
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        assert row.ci_low == pytest.approx(centre - half) and row.ci_high == pytest.approx(centre + half)
    # NPS of each client by hand from the 0-10 answers: the group below 0 holds the clients with more detractors
    below = groups.set_index("group").loc["NPS below 0"]
    res = responses[responses["period"] > pd.Period(PERIOD, "M") - 12]
    count = 0
    for client, row in table.set_index("client_id").iterrows():
        cut = row["lost_period"]
        mine = res[(res["client_id"].astype(str) == client) & (pd.isna(cut) | (res["period"] < cut))]
        ltr = mine["likelihood_to_recommend"].dropna()
        count += ((ltr >= 9).mean() - (ltr <= 6).mean()) < 0
    assert below["clients"] == count


def test_revenue_at_risk_by_hand(sample):
    responses, accounts = sample
    from insights.stats.alerts import compute_alerts

    flags = compute_alerts(responses, PERIOD).flags
    flagged = sorted(set(flags.loc[flags["kind"].isin(["at_risk", "drop"]), "client_id"]))
    assert flagged, "the sample plants falling clients"
    window = accounts[accounts["period"] > pd.Period(PERIOD, "M") - 12]
    by_hand = sum(r.revenue for r in window.itertuples() if r.client_id in flagged)
    risk = revenue_at_risk(flags, accounts, PERIOD, 12)
    assert sorted(risk.clients) == flagged
    assert risk.revenue == pytest.approx(by_hand)
    assert risk.record()["revenue"] == pytest.approx(by_hand)
    # months before the window do not count
    earlier = pd.concat([accounts, accounts.assign(period=accounts["period"] - 24)], ignore_index=True)
    assert revenue_at_risk(flags, earlier, PERIOD, 12).revenue == pytest.approx(by_hand)


def test_owners_books_by_hand(sample):
    responses, accounts = sample
    table = books(responses, accounts, PERIOD, 12).set_index("account_owner")
    window = accounts[accounts["period"] > pd.Period(PERIOD, "M") - 12]
    owner_of = window.sort_values("period").groupby("client_id")["account_owner"].last()
    res = responses[responses["period"] > pd.Period(PERIOD, "M") - 12]
    for owner, row in table.iterrows():
        clients = set(owner_of[owner_of == owner].index)
        mine = window[window["client_id"].isin(clients)]
        assert row["revenue"] == pytest.approx(mine["revenue"].sum())
        assert row["margin_pct"] == pytest.approx(100 * mine["margin"].sum() / mine["revenue"].sum())
        assert row["writeoffs"] == pytest.approx(mine["writeoffs"].sum())
        lost = mine.loc[mine["status"] == "lost", "client_id"].nunique()
        assert row["retention"] == pytest.approx(1 - lost / len(clients))
        answers = res[res["client_id"].astype(str).isin(clients)]
        assert row["satisfaction"] == pytest.approx(answers["overall_satisfaction"].mean())
        ltr = answers["likelihood_to_recommend"].dropna()
        assert row["nps"] == pytest.approx(100 * ((ltr >= 9).mean() - (ltr <= 6).mean()))
    per_client = books(responses, accounts, PERIOD, 12, by="client_id")
    assert per_client["revenue"].sum() == pytest.approx(table["revenue"].sum())
    assert set(per_client["status"]) == {"active", "closed", "lost"}


def test_close_outs_and_whether_they_answered_after():
    accounts = pd.DataFrame(
        {
            "client_id": ["a"] * 4 + ["b"] * 3 + ["c"] * 2,
            "period": pd.PeriodIndex(
                [
                    "2026-01",
                    "2026-02",
                    "2026-03",
                    "2026-04",
                    "2026-02",
                    "2026-03",
                    "2026-04",
                    "2025-01",
                    "2025-02",
                ],
                freq="M",
            ),
            "status": [
                "active",
                "closed",
                "active",
                "closed",
                "active",
                "active",
                "closed",
                "active",
                "closed",
            ],
        }
    )
    responses = pd.DataFrame(
        {"client_id": ["a", "b", "b"], "period": pd.PeriodIndex(["2026-05", "2026-04", "2026-03"], freq="M")}
    )
    table = closeouts(responses, accounts, "2026-05", 12)
    # a turned closed twice: the latest counts; b's answer in its closing month is not "after";
    # c closed before the window
    assert table["client_id"].tolist() == ["a", "b"]
    assert table["closed_period"].astype(str).tolist() == ["2026-04", "2026-04"]
    assert table["answered_after"].tolist() == [True, False]
    assert str(table["check_in_by"].iloc[0]) == "2026-05-30"
    assert closeouts(responses, accounts, "2026-03", 12)["client_id"].tolist() == ["a"]


def test_the_cost_of_a_lost_client_is_its_monthly_average_before_loss(sample):
    _, accounts = sample
    lost = accounts[accounts["status"] == "lost"].iloc[0]
    value = client_value(accounts, lost["client_id"], PERIOD, 12)
    before = accounts[
        (accounts["client_id"] == lost["client_id"])
        & (accounts["period"] < lost["period"])
        & (accounts["period"] > pd.Period(PERIOD, "M") - 12)
    ]
    assert value.lost_period == str(lost["period"]) and value.status == "lost"
    assert value.monthly_revenue == pytest.approx(before["revenue"].mean())
    assert value.monthly_margin == pytest.approx(before["margin"].mean())
    assert client_value(accounts, "nobody", PERIOD, 12) is None


def test_close_out_flags_join_the_alerts_only_with_accounts(sample):
    from insights.stats.alerts import compute_alerts

    responses, accounts = sample
    without = compute_alerts(responses, PERIOD)
    withit = compute_alerts(responses, PERIOD, accounts=accounts)
    closed = withit.of_kind("closeout")
    assert without.of_kind("closeout").empty
    pd.testing.assert_frame_equal(
        withit.flags[withit.flags["kind"] != "closeout"].reset_index(drop=True), without.flags
    )
    # by hand: the clients whose last status is closed (the sample's close-outs), answered since or not
    last = accounts.sort_values("period").groupby("client_id").last()
    assert sorted(closed["client_id"]) == sorted(last.index[last["status"] == "closed"])
    for flag in closed.itertuples():
        month = last.loc[flag.client_id, "period"]
        after = ((responses["client_id"].astype(str) == flag.client_id) & (responses["period"] > month)).sum()
        assert flag.estimate == after and (("no answer since" in flag.detail) == (after == 0))
        assert math.isnan(flag.p) and flag.method.startswith("rule:")
    assert any(r["kind"] == "closeout" and r["family_size"] is None for r in withit.records())


# --- the command line -------------------------------------------------------------------------------


def test_value_json_has_the_issue_keys_and_the_figures_of_the_stats(run_cli, sample_csv, sample):
    import json

    from insights.stats.alerts import compute_alerts

    accounts_csv = sample_csv.parent / "accounts.csv"
    code, out, err = run_cli("value", sample_csv, "--accounts", accounts_csv, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    model = churn_model(*sample, PERIOD, 12)
    assert {k: data["churn_model"][k] for k in ("clients", "lost")} == {"clients": 30, "lost": model.lost}
    for key in ("odds_ratio_per_point", "ci_low", "ci_high", "p"):
        assert data["churn_model"][key] == pytest.approx(getattr(model, key))
    flags = compute_alerts(sample[0], PERIOD).flags
    assert data["revenue_at_risk"]["revenue"] == pytest.approx(
        revenue_at_risk(flags, sample[1], PERIOD).revenue
    )
    assert sorted(data["revenue_at_risk"]["clients"]) == sorted(
        revenue_at_risk(flags, sample[1], PERIOD).clients
    )
    assert {r["group"] for r in data["retention_by_group"]} <= {
        "NPS below 0",
        "NPS 0 to 29",
        "NPS 30 or more",
    }
    assert {r["account_owner"] for r in data["owners"]} == set(sample[1]["account_owner"])
    assert len(data["clients"]) == 30 and len(data["closeouts"]) == 3
    code, out, _ = run_cli(
        "value", sample_csv, "--accounts", accounts_csv, "--months", "6", "--period", "2026-09"
    )
    assert code == 0 and "window: 2026-04 to 2026-09" in out


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"revenue": "-10"},
            "error: acc.csv: revenue: negative or infinite values (revenue is 0 or more) in row 2 (-10)",
        ),
        (
            {"status": "gone"},
            "error: acc.csv: status: unknown status (expected active, closed or lost) in row 2 (gone)",
        ),
        ({"period": "2026/02"}, "error: acc.csv: period: not a month (expected YYYY-MM) in row 2 (2026/02)"),
    ],
)
def test_value_bad_accounts_are_one_line_each_and_exit_1(run_cli, sample_csv, tmp_path, change, expected):
    raw = pd.read_csv(sample_csv.parent / "accounts.csv", dtype=str)
    for column, text in change.items():
        raw.loc[1, column] = text
    path = tmp_path / "acc.csv"
    raw.to_csv(path, index=False)
    code, out, err = run_cli("value", sample_csv, "--accounts", path)
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [expected]


def test_value_usage_errors(run_cli, sample_csv):
    accounts_csv = sample_csv.parent / "accounts.csv"
    code, _, err = run_cli("value", sample_csv, "--accounts", accounts_csv, "--period", "2026-13")
    assert code == 1 and "period '2026-13' is not of the form YYYY-MM" in err
    code, _, err = run_cli("value", sample_csv, "--accounts", accounts_csv, "--by", "region")
    assert code == 2 and "'region' is not one of: client_id, account_owner" in err


# --- the reports ------------------------------------------------------------------------------------


def test_the_portfolio_section_shows_every_view_and_escapes_untrusted_text(sample):
    from insights.reporting.value import portfolio_section
    from insights.stats.alerts import compute_alerts

    responses, accounts = sample
    responses = responses.copy()
    responses["client_name"] = responses["client_name"].astype(str)
    responses.loc[responses["client_id"].astype(str) == "C21", "client_name"] = "<script>x</script>"
    accounts = accounts.assign(account_owner=accounts["account_owner"].replace("S. Rao", "<b>Rao</b>"))
    flags = compute_alerts(responses, PERIOD, accounts=accounts).flags
    section = portfolio_section(responses, accounts, flags, PERIOD)
    page = section.html()
    for heading in ("Does satisfaction keep clients?", "Retention by NPS group (descriptive)", "Revenue at risk",
                    "Owners&#x27; books", "Recently closed clients", "Lost clients and what they cost"):  # fmt: skip
        assert heading in page
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<b>Rao</b>" not in page and "&lt;b&gt;Rao&lt;/b&gt;" in page
    assert churn_model(responses, accounts, PERIOD, 12).sentence() in page
    risk = revenue_at_risk(flags, accounts, PERIOD, 12)
    assert f"<strong>{risk.revenue:,.0f}</strong>" in page
    assert len([p for p in section.parts if not isinstance(p, str)]) == 2  # the churn and retention charts


def test_the_client_section_and_its_close_out_follow_ups(sample):
    from insights.reporting import report
    from insights.reporting.value import client_section, service_cost

    responses, accounts = sample
    value = client_value(accounts, "C21", PERIOD, 12)
    page = client_section(accounts, "C21", PERIOD).html()
    assert f"Revenue <strong>{value.revenue:,.0f}</strong>" in page and "closed in 2026-10" in page
    assert f"{value.monthly_revenue:,.0f}" in page and "Cost of non-delivery" not in page
    with_cost = client_section(accounts, "C21", PERIOD, service_cost=1234.0).html()
    assert "Cost of non-delivery" in with_cost and "1,234" in with_cost
    assert "No accounts are recorded" in client_section(accounts, "nobody", PERIOD).html()
    assert service_cost(None, "C21", PERIOD) is None

    r = report.client_report(responses, "C21", PERIOD)
    plain = report.follow_up_list(r)
    items = report.follow_up_list(r, accounts=accounts)
    closing = items[items["kind"] == "close-out"]
    assert len(closing) == 3 and (plain["kind"] != "close-out").all()
    # 2026-10 closed: the hand-over the first business day of November (the 1st is a Sunday), the rest 30 days
    # after the month's end; no answer since, so the survey is still to be sent
    assert [f"{d:%Y-%m-%d}" for d in closing["due"]] == ["2026-11-02", "2026-11-30", "2026-11-30"]
    assert "Send the close-out survey" in set(closing["action"])
    assert "Close-outs:" in report.FollowUpSection(items).html()
    assert "Close-outs:" not in report.FollowUpSection(plain).html()


def test_the_index_header_shows_revenue_at_risk_only_with_accounts(sample, sample_csv, tmp_path):
    from insights.batch.alerts import REVENUE_AT_RISK, write_run_alerts
    from insights.batch.index import write_index

    responses, accounts = sample
    _, alerts = write_run_alerts(responses, tmp_path, pd.Period(PERIOD, "M"), {}, None)
    assert REVENUE_AT_RISK not in alerts.tests
    plain = write_index(tmp_path, [], [], period=PERIOD, title="t", alerts=alerts).read_text()
    assert "Revenue at risk" not in plain
    params = {"accounts": str(sample_csv.parent / "accounts.csv")}
    _, alerts = write_run_alerts(responses, tmp_path, pd.Period(PERIOD, "M"), params, None)
    expected = revenue_at_risk(alerts.flags, accounts, PERIOD, 12).revenue
    page = write_index(tmp_path, [], [], period=PERIOD, title="t", alerts=alerts).read_text()
    assert f"<strong>Revenue at risk</strong> {expected:,.0f}" in page
    assert len(alerts.of_kind("closeout")) == 3


@pytest.mark.slow
@pytest.mark.notebook
def test_run_with_accounts_adds_the_sections_and_the_index_figure(run_cli, sample_csv, tmp_path):
    """A real run of one client with --accounts (the run without it is pinned by tests/test_golden.py)."""
    out = tmp_path / "out"
    code, _, err = run_cli(
        "run", sample_csv, "--out", out, "--client", "C21", "--workers", "1",
        "--accounts", sample_csv.parent / "accounts.csv",
    )  # fmt: skip
    assert code == 0, err
    portfolio = (out / "portfolio.html").read_text()
    (client,) = (out / "clients").glob("c21-*.html")
    page = client.read_text()
    assert "Satisfaction and the business" in portfolio and "Recently closed clients" in portfolio
    assert ">Account</h2>" in page and "Hand the client over to client care" in page
    assert "Revenue at risk" in (out / "index.html").read_text()
    code, _, err = run_cli("run", sample_csv, "--out", tmp_path / "bad", "--accounts", sample_csv)
    assert code == 1 and "missing required column(s)" in err


def test_the_accounts_cells_leave_no_trace_on_a_page_without_accounts():
    import nbformat

    from insights.batch.execute import _without_empty_optional_cells
    from insights.reporting.notebooks import notebook_path

    for name in ("client_report", "portfolio"):
        notebook = nbformat.read(notebook_path(f"{name}.ipynb"), as_version=4)
        tagged = [c for c in notebook.cells if "value" in c.metadata.get("tags", [])]
        assert len(tagged) == 1
        trimmed = _without_empty_optional_cells(notebook)
        assert len(trimmed.cells) == len(notebook.cells) - 1 and tagged[0] not in trimmed.cells
        tagged[0].outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<h2>Account</h2>"})]
        assert _without_empty_optional_cells(notebook) is notebook  # a cell that showed something stays


def test_insights_alerts_adds_the_close_outs_with_accounts(run_cli, sample_csv):
    import json

    code, out, _ = run_cli("alerts", sample_csv, "--format", "json")
    plain = json.loads(out)
    code2, out2, _ = run_cli(
        "alerts", sample_csv, "--format", "json", "--accounts", sample_csv.parent / "accounts.csv"
    )
    found = json.loads(out2)
    assert code == code2 == 0
    assert [r for r in found if r["kind"] != "closeout"] == plain
    assert sorted(r["client_id"] for r in found if r["kind"] == "closeout") == ["C04", "C21", "I05"]


def test_a_quarterly_survey_is_read_by_its_months(sample):
    """Accounts are monthly whatever the survey's cadence: a quarter's window ends with its last month."""
    responses, accounts = sample
    quarterly = responses.assign(period=responses["submitted_at"].dt.to_period("Q"))
    by_quarter = churn_model(quarterly, accounts, pd.Period("2026Q4", "Q"), 12)
    by_month = churn_model(responses, accounts, "2026-12", 12)
    assert by_quarter == by_month and by_quarter.last == "2026-12"
    flags = pd.DataFrame({"client_id": ["C03"], "kind": ["at_risk"]})
    assert revenue_at_risk(flags, accounts, pd.Period("2026Q4", "Q")).revenue == pytest.approx(
        revenue_at_risk(flags, accounts, "2026-12").revenue
    )
    pd.testing.assert_frame_equal(
        books(quarterly, accounts, pd.Period("2026Q4", "Q")), books(responses, accounts, "2026-12")
    )
