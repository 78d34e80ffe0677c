"""A client with no responses in the report period: its report is built on its latest wave, says so in a
banner, and the index says so in the client's row (instead of empty cards and tables)."""

from __future__ import annotations

import pandas as pd
import pytest

from insights.reporting import report
from insights.reporting.client import latest_wave

PERIOD = pd.Period("2026-10", "M")
WAVE = pd.Period("2026-07", "M")
BANNER = "No responses in 2026-10; figures are from 2026-07, its latest wave"


@pytest.fixture(scope="module")
def absent(sample_df) -> pd.DataFrame:
    """The sample with C03's last three months dropped: its latest wave is 2026-07."""
    gone = (sample_df["client_id"] == "C03") & (sample_df["period"] > WAVE)
    assert gone.sum() > 0 and ((sample_df["client_id"] == "C03") & (sample_df["period"] == WAVE)).any()
    return sample_df[~gone].reset_index(drop=True)


def test_latest_wave_is_the_last_period_with_responses(absent):
    assert latest_wave(absent, "C03", PERIOD) == WAVE
    assert latest_wave(absent, "C01", PERIOD) == PERIOD  # answered this period
    assert latest_wave(absent, "C03", pd.Period("2025-01", "M")) == pd.Period(
        "2025-01", "M"
    )  # nothing before


def test_the_report_shows_the_latest_wave_with_a_banner(absent):
    r = report.client_report(absent, "C03", PERIOD, n_boot=20)
    wave = absent[(absent["client_id"] == "C03") & (absent["period"] == WAVE)]
    assert r.period == WAVE and r.requested_period == PERIOD and r.banner == BANNER
    assert r.n == len(wave) > 0
    assert r.headline.mean_overall.score == pytest.approx(wave["overall_satisfaction"].mean())
    ltr = wave["likelihood_to_recommend"].dropna()
    assert r.headline.nps.score == pytest.approx(100 * ((ltr >= 9).sum() - (ltr <= 6).sum()) / len(ltr))
    assert BANNER in report.header_html(r)
    assert not report.scorecard_table(r).empty and report.scorecard_table(r)["n"].sum() > 0
    # no test was run on that wave this period: the change is shown for information, never "no significant fall"
    cards = report.headline_cards_html(r)
    assert "significant fall" not in cards and "vs 2025-11 to 2026-06" in cards
    assert r.caveats[0].startswith("No responses in 2026-10")
    summary = report.index_summary(r)
    assert summary["note"] == BANNER and summary["figures"][0] == {
        "label": "Responses",
        "value": str(len(wave)),
    }


def test_a_client_of_the_period_has_no_banner(absent, sample_df):
    r = report.client_report(absent, "C01", PERIOD, n_boot=20)
    assert r.requested_period is None and r.banner == "" and r.period == PERIOD
    assert "ci-banner" not in report.header_html(r) and "note" not in report.index_summary(r)
    # the other clients' reports do not depend on C03's absence beyond the portfolio comparison
    full = report.client_report(sample_df, "C01", PERIOD, n_boot=20)
    assert (
        full.headline.n == r.headline.n and full.headline.mean_overall.score == r.headline.mean_overall.score
    )


@pytest.mark.notebook
@pytest.mark.slow
def test_the_rendered_report_and_the_index_say_so(tmp_path, absent, sample_csv):
    from insights.batch.runner import run

    raw = pd.read_csv(sample_csv)
    source = tmp_path / "absent.csv"
    raw[raw["response_id"].isin(set(absent["response_id"]))].to_csv(source, index=False)
    outcome = run(source, tmp_path / "out", clients=["C03"], workers=2, progress=False)
    assert outcome.failed == [], [r.error for r in outcome.failed]
    page = next((tmp_path / "out" / "clients").glob("*.html")).read_text("utf-8")
    assert BANNER in page and "0 response(s)" not in page
    index = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert f'<div class="note">{BANNER}</div>' in index


def test_follow_ups_count_from_the_report_period_not_the_old_wave(absent):
    r = report.client_report(absent, "C03", PERIOD, n_boot=20)
    assert r.report_period == PERIOD
    items = report.follow_up_list(r, None, None, None, now=pd.Timestamp("2027-01-15"))
    assert len(items) and (pd.to_datetime(items["due"]) >= pd.Timestamp("2026-11-01")).all()
