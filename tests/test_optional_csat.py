"""CSAT is optional everywhere: a survey whose overall scale has no top box (``top_box = 0``) shows no
CSAT card, column, row, flag or sentence, and one whose drivers' scale has none no top-box share; the
default survey (a top-2 box) is shown as before (``tests/test_golden.py``)."""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import insights
from insights.data.survey import Scale, SurveyDefinition, SurveyDefinitionError
from insights.reporting import report
from insights.stats import changes, metrics
from insights.stats.alerts import alert_caveats, compute_alerts
from insights.stats.client import compare_headlines
from insights.stats.optional import reports_csat
from insights.stats.portfolio import compare_groups, league_table

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SURVEY = ROOT / "data" / "sample" / "survey.toml"
PERIOD = pd.Period("2026-10", "M")
CSAT_WORDS = re.compile(r"csat|top[- ]?box|top-2", re.IGNORECASE)
NPS_WORDS = re.compile(r"nps|recommend", re.IGNORECASE)
TOP_BOX_LINE = re.compile(r"^top_box = \d+", re.MULTILINE)


def without_top_box(text: str) -> str:
    """A survey definition's text with every scale's ``top_box`` set to 0 (and the NPS scale given one)."""
    text = TOP_BOX_LINE.sub("top_box = 0", text)
    return text.replace("[scales.nps]\n", "[scales.nps]\ntop_box = 0\n")


@pytest.fixture(scope="module")
def survey0_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("survey") / "survey.toml"
    path.write_text(without_top_box(SAMPLE_SURVEY.read_text("utf-8")), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def survey0(survey0_path) -> SurveyDefinition:
    return SurveyDefinition.from_file(survey0_path)


@pytest.fixture(scope="module")
def ratings_only(sample_df) -> pd.DataFrame:
    """The sample as a survey that asks no likelihood-to-recommend question (the loader's blanks)."""
    return sample_df.assign(likelihood_to_recommend=np.nan)


class _Text(HTMLParser):
    """The text a reader sees (and hover titles and alt texts), without scripts and styles; the text of
    the notebooks' markdown cells apart from the rest."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.depth = 0  # open <div>s
        self.markdown_at: int | None = None  # the depth of the open markdown cell's <div>
        self.parts: list[str] = []
        self.markdown: list[str] = []

    def _add(self, text: str) -> None:
        (self.markdown if self.markdown_at is not None else self.parts).append(text)

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")
        if tag == "div":
            self.depth += 1
            if self.markdown_at is None and "jp-MarkdownCell" in (dict(attrs).get("class") or ""):
                self.markdown_at = self.depth
        for key, value in attrs:
            if key in ("title", "alt", "aria-label") and value:
                self._add(value)

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style")
        if tag == "div":
            if self.markdown_at == self.depth:
                self.markdown_at = None
            self.depth -= 1

    def handle_data(self, data):
        if not self.skip:
            self._add(data)


def page_text(html: str) -> tuple[str, str]:
    """(the visible text of the code cells' outputs and the page's own markup, that of markdown cells)."""
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts), "\n".join(parser.markdown)


def mentions(pattern: re.Pattern, text: str) -> list[str]:
    return [text[max(0, m.start() - 60) : m.end() + 40] for m in pattern.finditer(text)]


# --------------------------------------------------------------------------- (1) the survey definition


def test_top_box_zero_is_a_scale_without_a_top_box(survey0):
    assert survey0.overall_scale == Scale(1, 5, 0) and survey0.driver_scale == Scale(1, 5, 0)
    assert not survey0.reports_csat and not reports_csat(survey0) and not survey0.driver_scale.has_top_box
    assert survey0.drivers == SurveyDefinition.from_file(SAMPLE_SURVEY).drivers
    with pytest.raises(ValueError, match="no top box"):
        _ = survey0.overall_scale.top_box_threshold
    default = SurveyDefinition.default()
    assert default.reports_csat and reports_csat(default) and default.overall_scale.top_box_threshold == 4


def test_an_absent_top_box_keeps_the_top_2_box():
    survey = SurveyDefinition.from_toml(
        '[scales.overall]\nmin = 1\nmax = 7\n[drivers]\nquality = "Quality"\n'
    )
    assert survey.overall_scale == Scale(1, 7, 2) and survey.overall_scale.top_box_threshold == 6
    assert survey.reports_csat and survey.driver_scale == Scale(1, 5, 2)


@pytest.mark.parametrize(
    ("scale", "top_box", "ok"),
    [("overall", 0, True), ("overall", 4, True), ("overall", -1, False), ("overall", 5, False)]
    + [("drivers", 9, True), ("drivers", 10, False), ("drivers", -1, False), ("drivers", 1.5, False)],
)
def test_top_box_is_checked_against_the_scale_width(tmp_path, run_cli, sample_csv, scale, top_box, ok):
    path = tmp_path / "survey.toml"
    width = 9 if scale == "drivers" else 4  # the drivers on 1-10, overall on 1-5
    path.write_text(
        f"[scales.overall]\nmin = 1\nmax = 5\n{'top_box = ' + str(top_box) if scale == 'overall' else ''}\n"
        f"[scales.drivers]\nmin = 1\nmax = 10\n{'top_box = ' + str(top_box) if scale == 'drivers' else ''}\n"
        '[drivers]\nquality = "Quality"\n',
        encoding="utf-8",
    )
    if ok:
        assert getattr(SurveyDefinition.from_file(path), f"{scale.rstrip('s')}_scale").top_box == top_box
        return
    expected = (
        f"{path}: scales.{scale}.top_box: {top_box} is not a whole number between 0 (no top box) and the "
        f"scale's width ({width})"
    )
    with pytest.raises(SurveyDefinitionError) as raised:
        SurveyDefinition.from_file(path)
    assert str(raised.value) == expected
    code, out, err = run_cli("metrics", sample_csv, "--survey", path)
    assert code == 1 and out == "" and err.strip() == f"error: {expected}"  # one line, no traceback


# --------------------------------------------------------------------------- the statistics


def test_metrics_without_a_top_box(sample_df):
    overall = sample_df["overall_satisfaction"].dropna()
    headline = metrics.summary(sample_df, top_box=0)
    assert headline.csat is None and headline.to_dict()["csat"] is None
    assert "CSAT" not in repr(headline) and "NPS" in repr(headline)
    assert headline.mean_overall.score == pytest.approx(overall.mean())  # by hand
    assert metrics.summary(sample_df).csat.score == pytest.approx(100 * (overall >= 4).mean())
    with pytest.raises(ValueError, match="no top box"):
        metrics.csat(sample_df, top_box=0)
    with pytest.raises(ValueError, match="no top box"):
        metrics.trend(sample_df, kind="top2", top_box=0)


def test_the_scorecard_keeps_top2_as_nan_without_a_top_box(sample_df):
    drivers = ["quality", "value"]
    card = metrics.scorecard(sample_df, [*drivers, "overall_satisfaction"], top_box=0)
    rated = card[card["component"] != "nps"]
    assert list(card.columns[2:]) == list(metrics.SCORECARD_COLUMNS) and rated["top2"].isna().all()
    cell = sample_df[(sample_df["client_id"] == "C03") & (sample_df["period"] == PERIOD)]
    mine = rated[(rated["client_id"] == "C03") & (rated["period"] == PERIOD)].set_index("component")
    assert mine.at["quality", "mean"] == pytest.approx(cell["quality"].mean())  # by hand
    with_box = metrics.scorecard(sample_df, [*drivers, "overall_satisfaction"])
    pd.testing.assert_frame_equal(card.drop(columns="top2"), with_box.drop(columns="top2"))
    assert card.loc[card["component"] == "nps", "top2"].notna().any()  # percent promoters stays


def test_no_csat_comparisons_figures_league_or_type_rows(ratings_only, survey0):
    current = ratings_only[(ratings_only["client_id"] == "C03") & (ratings_only["period"] == PERIOD)]
    baseline = ratings_only[(ratings_only["client_id"] == "C03") & (ratings_only["period"] < PERIOD)]
    assert set(compare_headlines(current, baseline, survey0, "earlier")) == {"nps", "mean"}
    assert set(compare_headlines(current, baseline.iloc[:0], survey0, "earlier")) == {"nps", "mean"}
    assert list(changes.headline_values(current, survey0).columns) == ["nps", "mean"]
    league = league_table(ratings_only[ratings_only["period"] == PERIOD], survey0)
    assert not any("csat" in c for c in league.columns) and league["mean"].notna().all()
    table, tests = compare_groups(ratings_only, survey0)
    assert not table["component"].str.contains(CSAT_WORDS).any() and "Overall satisfaction" in set(
        tests["component"]
    )
    default_table, _ = compare_groups(ratings_only)
    assert "CSAT (top-box %)" in set(default_table["component"])


def test_no_csat_flag_or_caveat_without_a_top_box(ratings_only, survey0, sample_df):
    flags = compute_alerts(ratings_only, PERIOD, survey0).flags
    assert "csat" not in set(flags["metric"]) and not any(CSAT_WORDS.search(d) for d in flags["detail"])
    for nps in (True, False):
        caveats = alert_caveats(PERIOD, nps=nps, csat=False)
        assert not any(CSAT_WORDS.search(c) for c in caveats)
        assert any("mean overall" in c for c in caveats)
    assert not any(
        NPS_WORDS.search(c) or CSAT_WORDS.search(c) for c in alert_caveats(PERIOD, nps=False, csat=False)
    )
    assert any(
        "NPS, CSAT and mean overall" in c for c in alert_caveats(PERIOD)
    )  # the default's wording stays


# --------------------------------------------------------------------------- (3) the command line


def test_metrics_command_keeps_the_keys_with_null(tmp_path, sample_csv, survey0_path, run_cli):
    source = tmp_path / "ratings.csv"
    raw = pd.read_csv(sample_csv)
    raw.drop(columns=["likelihood_to_recommend"]).to_csv(source, index=False)
    code, text, err = run_cli("metrics", source, "--survey", survey0_path, "--format", "json")
    got = json.loads(text)
    assert (code, err) == (0, "") and list(got) == ["n", "nps", "csat", "mean_overall"]
    assert got["nps"] is None and got["csat"] is None and got["n"] == len(raw)
    assert got["mean_overall"]["score"] == pytest.approx(raw["overall_satisfaction"].mean())
    code, table, _ = run_cli("metrics", source, "--survey", survey0_path)
    assert code == 0 and "Mean overall (1-5)" in table
    assert mentions(CSAT_WORDS, table) == [] and mentions(NPS_WORDS, table) == []
    code, text, _ = run_cli(
        "metrics", sample_csv, "--survey", survey0_path, "--client", "C03", "--format", "json"
    )
    got = json.loads(text)  # with the question: NPS stays, CSAT does not
    assert code == 0 and got["csat"] is None and got["nps"]["promoters"] >= 0


# --------------------------------------------------------------------------- the sections


def test_client_and_portfolio_sections_say_nothing_of_csat(ratings_only, survey0):
    r = report.client_report(ratings_only, "C03", PERIOD, survey=survey0, n_boot=20)
    assert not r.survey.reports_csat and not r.survey.driver_scale.has_top_box and not r.shows_top_box
    html = "".join(
        s.html()
        for s in (
            report.HeaderSection(r),
            report.HeadlineSection(r),
            report.ScorecardSection(r),
            report.CommentsSection(r),
            report.CaveatsSection(r.caveats),
        )
    )
    assert mentions(CSAT_WORDS, html) == [] and mentions(NPS_WORDS, html) == []
    assert html.count("class='ci-card'") == 1  # mean overall alone
    assert list(report.scorecard_table(r).columns[:3]) == ["Component", "Mean", "n"]
    assert [f["label"] for f in report.index_summary(r)["figures"]][:2] == ["Responses", "Mean overall"]
    p = report.portfolio_report(ratings_only, PERIOD, survey=survey0, n_boot=20)
    html = (
        report.table_html(report.league_display(p.league, nps=p.asks_nps))
        + report.table_html(report.type_comparison_display(p))
        + report.findings_html(report.type_findings(p))
        + report.risk_html(p)
        + report.CaveatsSection(p.caveats).html()
    )
    assert mentions(CSAT_WORDS, html) == [] and mentions(NPS_WORDS, html) == []
    assert "Mean overall" in html


def test_only_the_drivers_without_a_top_box(sample_df):
    survey = SurveyDefinition.from_toml(
        SAMPLE_SURVEY.read_text("utf-8").replace(
            "[scales.drivers]\nmin = 1\nmax = 5\ntop_box = 2",
            "[scales.drivers]\nmin = 1\nmax = 5\ntop_box = 0",
        )
    )
    assert survey.reports_csat and not survey.driver_scale.has_top_box
    r = report.client_report(sample_df, "C03", PERIOD, survey=survey, n_boot=20)
    assert not r.shows_top_box and "Top-2-box %" not in report.scorecard_table(r).columns
    assert r.scorecard.loc[r.scorecard["component"].isin(survey.driver_names), "top2"].isna().all()
    assert r.headline.csat is not None and ">CSAT (top-2-box)<" in report.headline_cards_html(r)
    default = report.client_report(sample_df, "C03", PERIOD, n_boot=20)
    assert default.shows_top_box and "Top-2-box %" in report.scorecard_table(default).columns


def test_only_the_overall_scale_without_a_top_box(sample_df):
    """No CSAT, but the drivers keep their top-2-box shares (checked by hand); the overall row has none."""
    text = SAMPLE_SURVEY.read_text("utf-8")
    survey = SurveyDefinition.from_toml(TOP_BOX_LINE.sub("top_box = 0", text, count=1))  # [scales.overall]
    assert not survey.reports_csat and survey.driver_scale.top_box == 2
    r = report.client_report(sample_df, "C03", PERIOD, survey=survey, n_boot=20)
    assert r.headline.csat is None and ">CSAT" not in report.headline_cards_html(r)
    table = report.scorecard_table(r).set_index("Component")
    cell = sample_df[(sample_df["client_id"] == "C03") & (sample_df["period"] == PERIOD)]
    quality = cell["quality"].dropna()
    assert (
        r.shows_top_box and table.at["Quality of work", "Top-2-box %"] == f"{100 * (quality >= 4).mean():.0f}"
    )
    assert table.at["Overall satisfaction", "Top-2-box %"] == "–"


# --------------------------------------------------------------------------- (5) the drops, calibrated without CSAT
# The drop screen tests each response's satisfaction score (overall satisfaction, and likelihood to
# recommend when asked); CSAT only names the figures a flagged client's fall is told in.  Without a top
# box and without the question, a response's score is its scaled overall rating alone.

NO_TOP_BOX = SurveyDefinition(
    drivers=SurveyDefinition.default().drivers, overall_scale=Scale(1, 5, 0), driver_scale=Scale(1, 5, 0)
)


def test_without_csat_the_drop_test_keeps_its_size():
    from insights.data.simulated import simulated_portfolio

    p_values = []
    for seed in range(201, 211):  # 10 stationary portfolios of 300 clients, 3 to 8 answers a month
        df, _ = simulated_portfolio(seed, clients=300)
        df = df.assign(likelihood_to_recommend=np.nan)
        tests, figures = changes.drop_tests(df, df["period"].max(), NO_TOP_BOX)
        assert set(figures["metric"]) == {"nps", "mean"}
        p = tests["p"].to_numpy(float)
        p_values.append(p[~np.isnan(p)])
    p = np.concatenate(p_values)
    rate = float((p < 0.05).mean())
    assert len(p) >= 2900
    assert 0.035 <= rate <= 0.065, (
        f"{rate:.3f} of {len(p)} one-sided tests at 5%"
    )  # measured: 4.7% (142 of 3,000)


def test_the_drop_test_does_not_depend_on_the_scale_or_its_top_box():
    """The same responses on a 1-10 scale (2 x rating - 1) without a top box give the same p-values:
    the satisfaction score is divided by its spread, so the test is the same test."""
    from insights.data.simulated import simulated_portfolio

    df, _ = simulated_portfolio(7, clients=60)
    df = df.assign(likelihood_to_recommend=np.nan)
    on_5 = changes.drop_tests(df, df["period"].max(), SurveyDefinition.default())[0]
    ten = SurveyDefinition(overall_scale=Scale(1, 10, 0), driver_scale=Scale(1, 10, 0))
    rescaled = df.assign(overall_satisfaction=2 * df["overall_satisfaction"] - 1)
    on_10 = changes.drop_tests(rescaled, df["period"].max(), ten)[0]
    np.testing.assert_allclose(on_10["p"], on_5["p"], rtol=1e-9)


def test_without_csat_planted_one_point_falls_are_found():
    from insights.data.simulated import simulated_portfolio

    found = planted_total = false_drops = unchanged = 0
    for seed in range(101, 111):
        df, planted = simulated_portfolio(seed, falls=4, fall=1.0)
        flags = compute_alerts(df.assign(likelihood_to_recommend=np.nan), survey=NO_TOP_BOX).flags
        assert not flags["metric"].isin(["csat", "nps", "detractor", "new_detractor"]).any()
        assert not any(CSAT_WORDS.search(d) or NPS_WORDS.search(d) for d in flags["detail"])
        drops = flags[flags["kind"] == "drop"]
        assert set(drops["metric"]) <= {"mean", changes.SCORE_METRIC}
        dropped = set(drops["client_id"])
        found += len(dropped & set(planted))
        false_drops += len(dropped - set(planted))
        planted_total += len(planted)
        unchanged += df["client_id"].nunique() - len(planted)
    assert planted_total == 40
    assert found / planted_total >= 0.45, (
        f"{found} of {planted_total} planted falls found"
    )  # measured 21 of 40
    assert false_drops / unchanged <= 0.01, (
        f"{false_drops} of {unchanged} unchanged clients flagged"
    )  # 1 of 360
    with_box = compute_alerts(df).flags  # the last portfolio with the default survey: its CSAT figures stay
    assert "csat" in set(with_box.loc[with_box["kind"] == "drop", "metric"])


# --------------------------------------------------------------------------- (2) and (4) the rendered pages


def check_pages(out: Path, *, n_clients: int) -> list[str]:
    """Every page of a run: no CSAT, top box or NPS in what a reader sees; the markdown cells (the
    report's intro texts, the lead's) may still say "top-2" (the Scorecard's, to be made conditional)."""
    pages = [out / "portfolio.html", out / "index.html", *sorted((out / "clients").glob("*.html"))]
    assert len(pages) == 2 + n_clients
    texts = []
    for page in pages:
        text, markdown = page_text(page.read_text("utf-8"))
        assert mentions(CSAT_WORDS, text) == [], page.name
        assert mentions(NPS_WORDS, text + markdown) == [], page.name
        assert {m.group(0).lower() for m in CSAT_WORDS.finditer(markdown)} <= {"top-2"}, page.name
        texts.append(text)
    return texts


@pytest.mark.notebook
@pytest.mark.slow
def test_rendered_pages_without_csat_or_nps(tmp_path, sample_csv, survey0_path):
    from insights.batch.runner import run

    source = tmp_path / "ratings_only.csv"
    pd.read_csv(sample_csv).drop(columns=["likelihood_to_recommend"]).to_csv(source, index=False)
    outcome = run(source, tmp_path / "out", clients=["C03"], survey=survey0_path, workers=2, progress=False)
    assert outcome.failed == [], [r.error for r in outcome.failed]
    portfolio, index, client = check_pages(tmp_path / "out", n_clients=1)
    assert "Mean overall" in index and "Mean overall (1-5)" in client and "Rank among clients" in client
    assert "Overall satisfaction" in portfolio and "Mean overall" in portfolio


def nine_drivers_on_ten_points(raw: pd.DataFrame, seed: int = 18) -> pd.DataFrame:
    """The sample rescaled to 1-10 (a rating r becomes 2r - 1 or 2r, at random) with three more drivers
    (the mean of two of the sample's, plus noise), and no likelihood-to-recommend question."""
    rng = np.random.default_rng(seed)
    out = raw.drop(columns=["likelihood_to_recommend"])
    rated = ["overall_satisfaction", *SurveyDefinition.default().driver_names]
    for column in rated:
        values = out[column].astype(float)
        out[column] = 2 * values - rng.integers(0, 2, len(values)) * values.notna()
    for new, (a, b) in EXTRA_DRIVERS.items():
        mixed = (out[a] + out[b]) / 2 + rng.normal(0, 1.0, len(out))
        out[new] = np.clip(np.rint(mixed), 1, 10)
    return out


EXTRA_DRIVERS = {"innovation": ("expertise", "quality"), "reporting": ("communication", "timeliness")}
EXTRA_DRIVERS["account_management"] = ("responsiveness", "value")
NINE_DRIVERS_SURVEY = """[survey]
name = "Client survey on ten points"

[scales.overall]
min = 1
max = 10
top_box = 0

[scales.drivers]
min = 1
max = 10
top_box = 0

[drivers]
communication = "Communication"
responsiveness = "Responsiveness"
quality = "Quality of work"
timeliness = "Timeliness"
value = "Value for money"
expertise = "Expertise"
innovation = "Innovation"
reporting = "Reporting"
account_management = "Account management"
"""


@pytest.mark.notebook
@pytest.mark.slow
def test_a_ten_point_survey_with_nine_drivers_and_no_top_box_renders(tmp_path, sample_csv):
    from insights.batch.runner import run

    source, survey = tmp_path / "ten_points.csv", tmp_path / "survey.toml"
    data = nine_drivers_on_ten_points(pd.read_csv(sample_csv))
    data.to_csv(source, index=False)
    survey.write_text(NINE_DRIVERS_SURVEY, encoding="utf-8")
    df = insights.load(source, survey, warn=False)
    assert df["overall_satisfaction"].between(1, 10).all() and df["overall_satisfaction"].max() == 10
    outcome = run(source, tmp_path / "out", clients=["C03", "I02"], survey=survey, workers=2, progress=False)
    assert outcome.failed == [], [r.error for r in outcome.failed]
    portfolio, index, *clients = check_pages(tmp_path / "out", n_clients=2)
    for text in clients:
        assert "Mean overall (1-10)" in text
        assert all(label in text for label in ("Innovation", "Reporting", "Account management"))
    c03 = next(text for text in clients if "C03" in text)
    client = df[(df["client_id"] == "C03") & (df["period"] == df["period"].max())]
    mean = client["overall_satisfaction"].mean()  # by hand: the card's figure
    assert not math.isnan(mean) and f"{mean:.2f}" in c03
    assert "Account management" in portfolio


def test_each_scorecard_row_has_the_top_box_of_its_own_scale(sample_df):
    """A 1-10 overall question beside 1-5 drivers: a driver's top-2-box share counts its 4s and 5s (not
    the 9s and 10s of the overall scale), overall satisfaction its 9s and 10s; counted by hand."""
    import dataclasses

    from insights.data.survey import Scale, SurveyDefinition
    from insights.reporting.client import client_report

    df = sample_df.assign(overall_satisfaction=sample_df["overall_satisfaction"] * 2)
    survey = dataclasses.replace(SurveyDefinition.default(), overall_scale=Scale(1, 10, 2))
    period = df["period"].max()
    report = client_report(df, "C03", period, survey=survey)
    card = report.scorecard[report.scorecard["period"] == period].set_index("component")["top2"]
    mine = df[(df["client_id"] == "C03") & (df["period"] == period)]
    for driver in survey.driver_names:
        answers = mine[driver].dropna()
        assert card[driver] == pytest.approx(100 * (answers >= 4).mean()), driver
    assert card["overall_satisfaction"] == pytest.approx(
        100 * (mine["overall_satisfaction"].dropna() >= 9).mean()
    )
    assert card.loc[list(survey.driver_names)].max() > 0  # the 1-10 threshold would have given 0 everywhere
