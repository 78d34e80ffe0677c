"""Survey cadence (issue 18, part A): quarterly, half-yearly and yearly waves.

Periods are checked against hand-written calendars, counts against hand counts of tiny files, the
quarterly command line against a count of the raw CSV, and the flags on quarterly waves against
the same simulated portfolios read as monthly data (the tests count waves, so relabelling the waves
must not change a single flag).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import insights
from insights.core import periods
from insights.core.periods import PeriodError, format_period, parse_period, to_periods
from insights.data.survey import SurveyDefinition, SurveyDefinitionError

ROOT = Path(__file__).resolve().parents[1]
QUARTERLY = ROOT / "data" / "sample" / "quarterly"
Q_CSV = QUARTERLY / "responses.csv"
Q_SURVEY = QUARTERLY / "survey.toml"


# --- periods: written forms, arithmetic, timestamps ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cadence", "previous", "next_"),
    [
        ("2026-01", "month", "2025-12", "2026-02"),
        ("2026-10", "month", "2026-09", "2026-11"),
        ("2026-Q1", "quarter", "2025-Q4", "2026-Q2"),
        ("2026-Q3", "quarter", "2026-Q2", "2026-Q4"),
        ("2026-H1", "half", "2025-H2", "2026-H2"),
        ("2026-H2", "half", "2026-H1", "2027-H1"),
        ("2026", "year", "2025", "2027"),
    ],
)
def test_periods_round_trip_and_step_by_one_wave(text, cadence, previous, next_):
    period = parse_period(text)
    assert periods.cadence_of(period) == cadence
    assert parse_period(text, cadence) == period
    assert format_period(period) == text
    assert format_period(parse_period(format_period(period))) == text
    assert format_period(period - 1) == previous
    assert format_period(period + 1) == next_
    assert parse_period(previous, cadence) < period < parse_period(next_, cadence)


def test_a_window_counts_waves_and_sorts_across_years():
    end = parse_period("2026-H1")
    assert [format_period(p) for p in periods.window(end, 4)] == ["2024-H2", "2025-H1", "2025-H2", "2026-H1"]
    quarters = [parse_period(t) for t in ("2026-Q1", "2024-Q4", "2025-Q3")]
    assert [format_period(p) for p in sorted(quarters)] == ["2024-Q4", "2025-Q3", "2026-Q1"]
    assert periods.span(parse_period("2025-Q4"), parse_period("2026-Q3")) == "2025-Q4 to 2026-Q3"
    assert periods.noun("quarter", 3) == "3 quarters" and periods.noun("half", 1) == "1 half-year"


def test_timestamps_map_to_the_calendar_period_that_holds_them():
    stamps = pd.Series(
        pd.to_datetime(
            [
                "2026-01-01 00:00",
                "2026-03-31 23:59",
                "2026-04-01 00:00",
                "2026-06-30 23:59",
                "2026-07-01 00:00",
            ]
        )
    )
    by_hand = {
        "month": ["2026-01", "2026-03", "2026-04", "2026-06", "2026-07"],
        "quarter": ["2026-Q1", "2026-Q1", "2026-Q2", "2026-Q2", "2026-Q3"],
        "half": ["2026-H1", "2026-H1", "2026-H1", "2026-H1", "2026-H2"],
        "year": ["2026"] * 5,
    }
    for cadence, expected in by_hand.items():
        mapped = to_periods(stamps, cadence)
        assert [format_period(p) for p in mapped] == expected, cadence
        assert periods.cadence_of(mapped) == cadence
    # half-years are anchored on January and July, whatever month the data starts in
    halves = to_periods(pd.Series(pd.to_datetime(["2025-08-15", "2026-02-01", "2026-11-30"])), "half")
    assert list(halves.dt.month) == [7, 1, 7]
    assert (halves.iloc[1] - 1) == halves.iloc[0] and (halves.iloc[2] - 1) == halves.iloc[1]


@pytest.mark.parametrize(
    ("text", "cadence", "expected"),
    [
        ("2026-13", "month", "YYYY-MM"),
        ("2026-Q3", "month", "YYYY-MM"),
        ("2026-Q5", "quarter", "YYYY-Qn"),
        ("2026-10", "quarter", "YYYY-Qn (for example 2026-Q3): the survey is quarterly"),
        ("2026-H3", "half", "YYYY-Hn"),
        ("26", "year", "YYYY"),
        ("next quarter", None, "YYYY-MM (for example 2026-03); YYYY-Qn"),
    ],
)
def test_bad_periods_say_which_form_was_expected(text, cadence, expected):
    with pytest.raises(PeriodError, match="is not") as caught:
        parse_period(text, cadence)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_survey_definition_reads_and_checks_its_cadence():
    assert SurveyDefinition.default().cadence == "month"
    text = '[survey]\ncadence = "{}"\n[drivers]\nquality = "Quality"\n'
    for cadence in periods.CADENCES:
        assert SurveyDefinition.from_toml(text.format(cadence)).cadence == cadence
    with pytest.raises(SurveyDefinitionError, match="survey.cadence: 'weekly' is not one of: month, quarter"):
        SurveyDefinition.from_toml(text.format("weekly"), source="s.toml")


# --- counting by wave against a hand count ------------------------------------------------------------

TINY = """response_id,client_id,client_name,client_type,respondent_id,submitted_at,overall_satisfaction,quality
R1,A,Alpha,external,P1,2026-01-15T10:00,4,4
R2,A,Alpha,external,P2,2026-03-31T18:00,2,3
R3,B,Beta,external,P3,2026-02-01T09:00,5,5
R4,A,Alpha,external,P1,2026-07-01T08:00,3,3
R5,B,Beta,external,P3,2026-08-20T12:00,1,2
R6,B,Beta,external,P4,2026-09-30T23:00,5,4
R7,A,Alpha,external,P2,2026-12-31T12:00,4,5
"""


def _tiny(tmp_path: Path, cadence: str) -> tuple[Path, Path]:
    csv = tmp_path / "tiny.csv"
    csv.write_text(TINY, encoding="utf-8")
    survey = tmp_path / f"{cadence}.toml"
    survey.write_text(f'[survey]\ncadence = "{cadence}"\n[drivers]\nquality = "Quality"\n', encoding="utf-8")
    return csv, survey


@pytest.mark.parametrize(
    ("cadence", "by_hand"),
    [
        # R1-R3 in Q1, none in Q2, R4-R6 in Q3, R7 in Q4
        ("quarter", {"2026-Q1": 3, "2026-Q3": 3, "2026-Q4": 1}),
        ("half", {"2026-H1": 3, "2026-H2": 4}),
        ("year", {"2026": 7}),
        (
            "month",
            {
                "2026-01": 1,
                "2026-02": 1,
                "2026-03": 1,
                "2026-07": 1,
                "2026-08": 1,
                "2026-09": 1,
                "2026-12": 1,
            },
        ),
    ],
)
def test_responses_are_counted_by_wave_as_by_hand(tmp_path, cadence, by_hand):
    csv, survey = _tiny(tmp_path, cadence)
    df = insights.load(csv, survey, warn=False)
    counted = {format_period(p): int(n) for p, n in df.groupby("period", observed=True).size().items()}
    assert counted == by_hand
    summary = insights.DataSummary.of(insights.validate(csv, survey))
    assert summary.responses_per_month == by_hand and summary.cadence == cadence


def test_the_trend_has_one_row_per_wave_with_empty_waves_as_gaps(tmp_path):
    from insights.stats.scorecard import trend

    for cadence, expected in (
        ("quarter", {"2026-Q1": (3, 11 / 3), "2026-Q2": (0, None), "2026-Q3": (3, 3.0), "2026-Q4": (1, 4.0)}),
        ("half", {"2026-H1": (3, 11 / 3), "2026-H2": (4, 13 / 4)}),
    ):
        csv, survey = _tiny(tmp_path, cadence)
        df = insights.load(csv, survey, warn=False)
        rows = trend(df, "overall_satisfaction", kind="mean", min_n=1)
        got = {format_period(p): (int(n), e) for p, n, e in zip(rows["period"], rows["n"], rows["estimate"])}
        assert list(got) == list(expected)
        for key, (n, mean) in expected.items():
            assert got[key][0] == n
            assert np.isnan(got[key][1]) if mean is None else got[key][1] == pytest.approx(mean), key
        last4 = trend(df, "overall_satisfaction", kind="mean", min_n=1, months=2, end=df["period"].max())
        assert [format_period(p) for p in last4["period"]] == list(expected)[-2:]


def test_metrics_for_a_quarter_match_a_hand_count(tmp_path, run_cli):
    csv, survey = _tiny(tmp_path, "quarter")
    code, out, err = run_cli("metrics", csv, "--survey", survey, "--period", "2026-Q3", "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["n"] == 3
    assert result["mean_overall"]["score"] == pytest.approx((3 + 1 + 5) / 3)


def test_a_period_in_the_wrong_form_is_one_line_and_exit_1(tmp_path, run_cli):
    csv, survey = _tiny(tmp_path, "quarter")
    code, out, err = run_cli("metrics", csv, "--survey", survey, "--period", "2026-10")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert (
        "period '2026-10' is not of the form YYYY-Qn (for example 2026-Q3): the survey is quarterly"
        in lines[0]
    )
    code, _, err = run_cli("metrics", csv, "--survey", survey, "--period", "2026-Q2")
    assert code == 1 and "no responses in period 2026-Q2 (the data covers 2026-Q1 to 2026-Q4)" in err


def test_monthly_surveys_keep_their_months(sample_df):
    assert periods.cadence_of(sample_df["period"]) == "month"
    assert format_period(sample_df["period"].max()) == "2026-10"


# --- the quarterly sample ------------------------------------------------------------------------------


def test_the_bundled_quarterly_sample_matches_its_generator(tmp_path):
    from insights.data.sample_quarterly import write_quarterly_sample

    written = write_quarterly_sample(tmp_path)
    for path in written:
        assert path.read_bytes() == (QUARTERLY / path.name).read_bytes(), path.name


def test_the_quarterly_sample_has_waves_skipped_and_no_nps_question():
    raw = pd.read_csv(Q_CSV)
    assert "likelihood_to_recommend" not in raw.columns
    stamps = pd.to_datetime(raw["submitted_at"])
    quarter = stamps.dt.year.astype(str) + "-Q" + ((stamps.dt.month - 1) // 3 + 1).astype(str)
    waves = sorted(quarter.unique())
    assert len(waves) == 8 and waves[0] == "2024-Q4" and waves[-1] == "2026-Q3"
    per_client = raw.assign(wave=quarter).groupby("client_id")["wave"].nunique()
    assert (per_client < 8).sum() >= 4, "several clients skip waves"
    assert not (quarter[raw["client_id"] == "Q05"].isin(["2026-Q2", "2026-Q3"])).any()
    df = insights.load(Q_CSV, Q_SURVEY, warn=False)
    assert periods.cadence_of(df["period"]) == "quarter"
    assert df["likelihood_to_recommend"].isna().all()


def test_metrics_on_the_quarterly_sample_count_the_raw_quarter(run_cli):
    raw = pd.read_csv(Q_CSV)
    stamps = pd.to_datetime(raw["submitted_at"])
    in_q3 = raw[(stamps >= "2026-07-01") & (stamps < "2026-10-01")]
    code, out, err = run_cli(
        "metrics", Q_CSV, "--survey", Q_SURVEY, "--period", "2026-Q3", "--format", "json"
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["n"] == len(in_q3)
    assert result["mean_overall"]["score"] == pytest.approx(in_q3["overall_satisfaction"].mean())
    code, out, _ = run_cli("validate", Q_CSV, "--survey", Q_SURVEY)
    assert code == 0 and "8 quarters (2024-Q4 to 2026-Q3)" in out


def test_sample_command_writes_the_quarterly_sample(tmp_path, run_cli):
    code, out, err = run_cli("sample", "--cadence", "quarter", "--out", tmp_path)
    assert code == 0, err
    assert (tmp_path / "survey.toml").read_text(encoding="utf-8") == Q_SURVEY.read_text(encoding="utf-8")
    code, _, err = run_cli("sample", "--cadence", "weekly", "--out", tmp_path / "x")
    assert code != 0 and "weekly" in err and not (tmp_path / "x").exists()


# --- flags on quarterly waves: the same tests over the same spans of time ----------------------------------


def _as_quarters(df: pd.DataFrame, end: str = "2026-Q3") -> pd.DataFrame:
    """The simulated monthly portfolio read as quarterly waves: the k-th month before the last becomes
    the k-th quarter before ``end`` (answers keep their place within the wave)."""
    months = df["period"]
    back = months.array.asi8 - months.max().ordinal
    quarters = pd.PeriodIndex.from_ordinals(parse_period(end).ordinal + back, freq="Q-DEC")
    start = pd.Series(quarters.start_time, index=df.index)
    within = df["submitted_at"] - months.dt.start_time
    return df.assign(period=pd.Series(quarters, index=df.index), submitted_at=start + within)


def test_the_fixed_windows_are_spans_of_time_in_waves():
    assert [periods.waves(11, c) for c in periods.CADENCES] == [11, 3, 1, 1]  # the rest of a year
    assert [periods.waves(3, c) for c in periods.CADENCES] == [3, 1, 1, 1]  # league, movers, gaps
    assert [
        periods.last_words(n, c) for n, c in [(3, "month"), (1, "quarter"), (2, "half"), (1, "year")]
    ] == [
        "the last three months",
        "the last quarter",
        "the last two half-years",
        "the last year",
    ]


def test_quarterly_flags_compare_the_quarter_with_the_rest_of_its_year():
    """The drop baseline of 2026-Q3 is 2025-Q4 to 2026-Q2 (not eleven quarters), the movers and the
    at-risk rules take one quarter: the same tests as the monthly reading with those windows in waves."""
    from insights.data.simulated import simulated_portfolio
    from insights.data.survey import SurveyDefinition
    from insights.stats import changes, risks

    survey = SurveyDefinition.default()
    monthly, _ = simulated_portfolio(104, falls=4, fall=1.0)
    quarterly = _as_quarters(monthly)
    month, quarter = monthly["period"].max(), parse_period("2026-Q3")
    drops, _ = changes.drop_tests(quarterly, quarter, survey)
    same, _ = changes.drop_tests(monthly, month, survey, baseline_waves=3)
    assert set(drops["baseline"]) == {"2025-Q4 to 2026-Q2"}
    np.testing.assert_allclose(drops["p"], same["p"], rtol=1e-12)
    moved, same_moved = changes.mover_tests(quarterly, quarter), changes.mover_tests(monthly, month, months=1)
    np.testing.assert_allclose(moved["p"], same_moved["p"], rtol=1e-12)
    at_risk, same_risk = risks.risk_tests(quarterly, quarter), risks.risk_tests(monthly, month, months=1)
    np.testing.assert_allclose(at_risk["p"], same_risk["p"], rtol=1e-12)
    assert risks.league_length(quarter) == 1 and changes.baseline_length(parse_period("2026-H2")) == 1


def test_quarterly_drop_flags_are_calibrated_on_null_and_planted_falls():
    """Null: 30 portfolios of 40 stationary clients read as quarters; the one-sided drop tests reject
    near 5% one at a time and the Benjamini-Hochberg flags seldom fire. Planted: 4 clients of each of 30
    portfolios fall one point in the report quarter."""
    from insights.data.simulated import simulated_portfolio
    from insights.data.survey import SurveyDefinition
    from insights.stats import changes

    survey, quarter = SurveyDefinition.default(), parse_period("2026-Q3")
    p_null, flagged_portfolios, found, false = [], 0, 0, 0
    p_movers, moved_portfolios = [], 0
    for seed in range(30):
        null = _as_quarters(simulated_portfolio(500 + seed)[0])
        drops, _ = changes.drop_tests(null, quarter, survey)
        p_null.extend(drops["p"])
        flagged_portfolios += bool(drops["flag"].any())
        movers = changes.mover_tests(null, quarter)  # the last quarter against the one before
        p_movers.extend(movers["p"])
        moved_portfolios += bool(movers["significant"].any())
        planted_df, planted = simulated_portfolio(900 + seed, falls=4, fall=1.0)
        drops, _ = changes.drop_tests(_as_quarters(planted_df), quarter, survey)
        flagged = set(drops.loc[drops["flag"], "client_id"])
        found, false = found + len(flagged & set(planted)), false + len(flagged - set(planted))
    rate = np.mean(np.asarray(p_null) < 0.05)
    assert len(p_null) == 1200 and 0.03 < rate < 0.07, rate  # measured 4.6% over 2,400 tests
    assert flagged_portfolios <= 3, flagged_portfolios  # BH keeps a family's false flags near 5%
    # movers, one quarter against one (two-sided): measured 5.7% of 6,000 tests, 10 of 150 portfolios
    assert 0.03 < np.mean(np.asarray(p_movers) < 0.05) < 0.08 and moved_portfolios <= 5, moved_portfolios
    assert found >= 30, f"{found} of 120 planted falls found"  # measured 99 of 240
    assert false <= 0.05 * (found + false) + 3, false


# --- the reports of a quarterly survey -----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.notebook
def test_a_quarterly_run_renders_with_quarter_labels(tmp_path, run_cli):
    out = tmp_path / "reports"
    code, _, err = run_cli(
        "run",
        Q_CSV,
        "--survey",
        Q_SURVEY,
        "--out",
        out,
        "--client",
        "Q02",
        "--client",
        "Q05",
        "--workers",
        "2",
    )
    assert code == 0, err
    pages = {path.name: path.read_text(encoding="utf-8") for path in out.rglob("*.html")}
    assert len(pages) == 4  # index, portfolio, two clients
    assert "Period 2026-Q3" in pages["index.html"]
    every = "\n".join(pages.values()) + (out / "alerts.json").read_text(encoding="utf-8")
    assert "2026Q" not in every and "2026-09" not in every  # no pandas spelling, no month of the quarter
    flags = json.loads((out / "alerts.json").read_text(encoding="utf-8"))
    assert flags and {f["period"] for f in flags} == {"2026-Q3"}
    q02 = next(text for name, text in pages.items() if name.startswith("q02-"))
    assert "period <strong>2026-Q3</strong>" in q02
    assert "the last 8 quarters" in q02 and "Earlier quarters" in q02
    assert "vs 2025-Q4 to 2026-Q2" in q02  # the drop's baseline: the rest of the year, three quarters
    assert "2025-Q1" not in q02.split("Caveats")[-1]  # no longer eleven quarters back
    portfolio = pages["portfolio.html"]
    for words in (
        "Flags this quarter",
        "The headline figures per client over the last quarter",
        "the last quarter against the one before",
        "the last two quarters against the two before",
    ):
        assert words in portfolio, words
    assert (
        "The headline figures quarter by quarter" in q02 and "earlier quarters (the rest of the year)" in q02
    )
    assert "responses over the last 8 quarters" in pages["portfolio.html"]


# --- the other inputs and options follow the cadence ---------------------------------------------------


def test_a_self_assessment_is_read_in_the_surveys_waves(tmp_path):
    from insights.core.errors import DataError
    from insights.data.people import read_self_assessment

    _, survey = _tiny(tmp_path, "quarter")
    good = tmp_path / "self.csv"
    good.write_text(
        "client_id,period,component,score\nA,2026-Q3,quality,4\nB,2026-08,quality,5\n", encoding="utf-8"
    )
    team = read_self_assessment(good, survey)
    assert [format_period(p) for p in team["period"]] == ["2026-Q3", "2026-Q3"]  # August lies in Q3
    bad = tmp_path / "bad.csv"
    bad.write_text("client_id,period,component,score\nA,2026-Q5,quality,4\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"period: not a quarter of the form YYYY-Qn .* in row 1 \(2026-Q5\)"):
        read_self_assessment(bad, survey)


def test_months_are_refused_for_a_quarterly_survey_and_periods_count_waves(tmp_path, run_cli):
    csv, survey = _tiny(tmp_path, "quarter")
    code, _, err = run_cli("alerts", csv, "--survey", survey, "--months", "12")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert (
        "--months counts months, and the survey is quarterly: give --periods N, the number of quarters" in err
    )
    code, out, err = run_cli("alerts", csv, "--survey", survey, "--periods", "4", "--format", "json")
    assert code == 0, err
    assert json.loads(out) == [] or {f["period"] for f in json.loads(out)} == {"2026-Q4"}
    from insights.cli.common import window_waves

    assert window_waves(None, None, survey) == 8
    assert window_waves(None, None, None) == 12 and window_waves(6, None, None) == 6
    assert window_waves(None, 3, survey) == 3


def test_service_events_are_counted_by_the_wave_they_were_due_in():
    from insights.data.events import load_events
    from insights.stats import service_levels

    events = load_events(
        pd.DataFrame(
            {
                "event_id": ["E1", "E2", "E3"],
                "client_id": ["A", "A", "A"],
                "category": ["software"] * 3,
                "opened_at": ["2026-07-01T08:00Z", "2026-08-01T08:00Z", "2026-03-01T08:00Z"],
                "due_at": ["2026-07-02T08:00Z", "2026-09-30T23:00Z", "2026-03-02T08:00Z"],
                "resolved_at": ["2026-07-01T09:00Z", "2026-10-02T08:00Z", "2026-03-01T09:00Z"],
            }
        ),
        warn=False,
    )
    trend = service_levels.attainment_trend(
        events, end=parse_period("2026-Q3"), months=3, as_of="2026-10-05T00:00Z"
    )
    assert [format_period(p) for p in trend["period"]] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert trend["events"].tolist() == [1, 0, 2] and trend["met"].tolist() == [1, 0, 1]
    chosen = service_levels.select_events(events, period="2026-Q3")
    assert sorted(chosen["event_id"]) == ["E1", "E2"]
    from insights.reporting.service_client import client_section

    section = client_section(events, "A", parse_period("2026-Q3"), months=3, as_of="2026-10-05T00:00Z")
    text = section.html()
    assert "Service events due from 2026-Q1 to 2026-Q3." in text and "Quarter due" in text
    assert "2026Q" not in text
    assert "1 of 2 events due in 2026-Q3 were met on time" in text


def test_a_half_yearly_survey_end_to_end(tmp_path, run_cli):
    csv, survey = _tiny(tmp_path, "half")
    code, out, err = run_cli("metrics", csv, "--survey", survey, "--period", "2026-H2", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["n"] == 4  # R4-R7
    df = insights.load(csv, survey, warn=False)
    from insights.reporting.client import client_report

    report = client_report(df, "A", "2026-H2", months=2, survey=SurveyDefinition.from_file(survey), n_boot=2)
    assert format_period(report.period) == "2026-H2" and format_period(report.previous_period) == "2026-H1"
    assert report.headline.n == 2  # R4 and R7


@pytest.mark.parametrize(
    ("text", "flags", "league", "priorities"),
    [
        (
            "2026-10",
            "Flags this month",
            "over the last three months,",
            "in six-month windows, and the last six months",
        ),
        (
            "2026-Q3",
            "Flags this quarter",
            "over the last quarter,",
            "the last two quarters against the two before",
        ),
        (
            "2026-H2",
            "Flags this half-year",
            "over the last half-year,",
            "the last half-year against the one before",
        ),
        ("2026", "Flags this year", "over the last year,", "the last year against the one before"),
    ],
)
def test_the_report_introductions_are_worded_in_the_cadence(text, flags, league, priorities):
    from types import SimpleNamespace

    from insights.data.survey import Scale, SurveyDefinition
    from insights.reporting.intros import client_intro, portfolio_intro

    period = parse_period(text)
    portfolio = SimpleNamespace(period=period, window_months=8, survey=SurveyDefinition.default())
    assert portfolio_intro("flags", portfolio).title == flags
    assert league in portfolio_intro("league", portfolio).intro
    assert priorities in portfolio_intro("priorities", portfolio).intro
    assert "<code>insights alerts</code>" in portfolio_intro("flags", portfolio).html()
    waves = periods.plural(periods.cadence_of(period))
    client = SimpleNamespace(period=period, survey=SurveyDefinition.default())
    scorecard = client_intro("scorecard", client)
    assert f"top-2-box share, the client's earlier {waves} (the rest of the year)" in scorecard.intro
    means_only = SurveyDefinition(drivers={"quality": "Quality"}, driver_scale=Scale(1, 10, 0))
    assert "top-" not in client_intro("scorecard", SimpleNamespace(period=period, survey=means_only)).intro
    assert client_intro("themes", client).html().startswith("<h3")


def _quarterly_accounts(tmp_path: Path) -> Path:
    """The sample's monthly accounts given to the quarterly sample's twelve clients (C01 -> Q01, ...)."""
    accounts = pd.read_csv(
        Path(__file__).parents[1] / "data" / "sample" / "accounts.csv", dtype={"period": str}
    )
    ids = sorted(accounts["client_id"].unique())[:12]
    mine = accounts[accounts["client_id"].isin(ids)]
    mine = mine.assign(client_id=mine["client_id"].map({c: f"Q{i + 1:02d}" for i, c in enumerate(ids)}))
    path = tmp_path / "accounts.csv"
    mine.to_csv(path, index=False)
    return path


def test_value_of_a_quarterly_survey_without_nps(tmp_path, run_cli):
    """Accounts stay monthly: the report period is the survey's quarter, the window its waves in months,
    and a survey without the likelihood-to-recommend question shows no NPS group, column or sentence."""
    from insights.data.accounts import load_accounts
    from insights.reporting.value import client_section, portfolio_section

    accounts_csv = _quarterly_accounts(tmp_path)
    code, out, err = run_cli("value", Q_CSV, "--survey", Q_SURVEY, "--accounts", accounts_csv)
    assert code == 0, err
    assert "period: 2026-Q3  window: 2025-10 to 2026-09" in out and "dropping in 2026-Q3" in out
    assert "NPS" not in out
    code, out, err = run_cli(
        "value", Q_CSV, "--survey", Q_SURVEY, "--accounts", accounts_csv, "--format", "json"
    )
    assert code == 0, err
    assert json.loads(out)["period"] == "2026-Q3"
    code, _, err = run_cli(
        "value", Q_CSV, "--survey", Q_SURVEY, "--accounts", accounts_csv, "--period", "2026-09"
    )
    assert code == 1 and "not of the form YYYY-Qn" in err

    df = insights.load(Q_CSV, survey=Q_SURVEY, warn=False)
    accounts = load_accounts(accounts_csv, warn=False)
    quarter = parse_period("2026-Q3")
    page = portfolio_section(
        df, accounts, pd.DataFrame(columns=["client_id", "kind"]), quarter, months=8
    ).html()
    assert "24 months to 2026-Q3" in page and "2024-10 to 2026-09" in page
    assert "NPS" not in page and "this quarter" in page
    account = client_section(accounts, "Q02", quarter, months=8).html()
    assert "from 2024-10 to 2026-09" in account


def test_the_importance_over_time_chart_names_its_windows_by_wave():
    from insights.reporting import plots
    from insights.stats.drivers.change import importance_over_time

    survey = SurveyDefinition.from_file(Q_SURVEY)
    df = insights.load(Q_CSV, survey=Q_SURVEY, warn=False)
    over_time = importance_over_time(df, list(survey.driver_names), months=24)
    fig = plots.importance_time_chart(over_time, labels=survey.drivers, title="Importance", cadence="quarter")
    ax = fig.axes[0]
    ticks = [t.get_text().split("\n")[0] for t in ax.get_xticklabels()]
    assert ticks[-1] == "2026-Q3" and ticks[0] == "2025-Q1" and len(ticks) == 7
    assert ax.get_xlabel() == "Window of two quarters ending in (responses in the window)"
    marks = {t.get_text().strip(): t.xy[0] for t in ax.texts if "half-year" in t.get_text()}
    assert marks == {"earlier half-year": 4, "last half-year": 6}  # 2026-Q1 and 2026-Q3: two quarters apart
