"""Optional questions are optional everywhere: a survey without likelihood to recommend shows no NPS,
one without comments no comments section; a survey that asks them is shown as before."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import insights
from insights.reporting import report
from insights.stats.alerts import alert_caveats, compute_alerts
from insights.stats.optional import answered, asks_nps, has_comments, has_respondents

PERIOD = pd.Period("2026-10", "M")
NPS_WORDS = re.compile(r"nps|recommend", re.IGNORECASE)


class _Text(HTMLParser):
    """The text a reader sees (and hover titles and alt texts), without scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")
        self.parts.extend(v for k, v in attrs if k in ("title", "alt", "aria-label") and v)

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def nps_mentions(html: str) -> list[str]:
    text = page_text(html)
    return [text[max(0, m.start() - 60) : m.end() + 40] for m in NPS_WORDS.finditer(text)]


@pytest.fixture(scope="module")
def without_nps(sample_df) -> pd.DataFrame:
    """The sample as a survey that never asked the question (the loader fills the column with blanks)."""
    return sample_df.assign(likelihood_to_recommend=np.nan)


# --------------------------------------------------------------------------- which questions are asked


def test_a_question_is_asked_when_one_response_answers_it():
    assert not asks_nps(pd.DataFrame({"overall_satisfaction": [4]}))  # column absent
    assert not asks_nps(pd.DataFrame({"likelihood_to_recommend": [np.nan, np.nan]}))  # all blank
    assert asks_nps(pd.DataFrame({"likelihood_to_recommend": [np.nan, 0.0]}))  # a 0 is an answer
    assert not has_comments(pd.DataFrame({"comment": [pd.NA, "  ", ""]}))  # blank text is no comment
    assert has_comments(pd.DataFrame({"comment": [pd.NA, "slow"]}))
    assert not has_respondents(pd.DataFrame({"respondent_id": [pd.NA]}))
    assert answered(pd.DataFrame({"x": pd.array(["a", None], dtype="string")}), "x")


def test_the_loader_makes_an_absent_question_all_blank(tmp_path, sample_csv):
    source = tmp_path / "ratings.csv"
    pd.read_csv(sample_csv).drop(columns=["likelihood_to_recommend"]).to_csv(source, index=False)
    df = insights.load(source, warn=False)
    assert df["likelihood_to_recommend"].isna().all() and not asks_nps(df)
    assert asks_nps(insights.load(sample_csv, warn=False))


# --------------------------------------------------------------------------- the command line


def test_metrics_without_the_question_has_no_nps_row_and_a_null_in_json(tmp_path, sample_csv, run_cli):
    source = tmp_path / "ratings.csv"
    raw = pd.read_csv(sample_csv)
    raw.drop(columns=["likelihood_to_recommend"]).to_csv(source, index=False)
    code, table, _ = run_cli("metrics", source)
    assert code == 0 and "CSAT" in table and "Mean overall" in table
    assert not NPS_WORDS.search(table) and "promoters" not in table
    code, text, _ = run_cli("metrics", source, "--format", "json")
    got = json.loads(text)
    assert code == 0 and set(got) == {"n", "nps", "csat", "mean_overall"} and got["nps"] is None
    overall = raw["overall_satisfaction"]
    assert got["n"] == len(raw)
    assert got["csat"]["score"] == pytest.approx(100 * (overall >= 4).mean())  # top-2-box of 1-5, by hand
    assert got["mean_overall"]["score"] == pytest.approx(overall.mean())


def test_metrics_with_the_question_still_count_promoters_by_hand(sample_csv, run_cli):
    code, text, _ = run_cli("metrics", sample_csv, "--format", "json")
    ltr = pd.read_csv(sample_csv)["likelihood_to_recommend"].dropna()
    by_hand = 100 * ((ltr >= 9).sum() - (ltr <= 6).sum()) / len(ltr)
    assert code == 0 and json.loads(text)["nps"]["score"] == pytest.approx(by_hand)
    code, table, _ = run_cli("metrics", sample_csv)
    assert "NPS" in table and "promoters" in table


# --------------------------------------------------------------------------- statistics and sections


def test_no_nps_flag_and_no_nps_caveat_without_the_question(without_nps, sample_df):
    flags = compute_alerts(without_nps, PERIOD).flags
    assert not flags["metric"].isin(["nps", "detractor", "new_detractor"]).any()
    assert not any(NPS_WORDS.search(d) for d in flags["detail"])
    with_question = compute_alerts(sample_df, PERIOD).flags
    assert with_question["metric"].isin(["nps", "detractor"]).any()  # the sample asks it: its flags stay
    assert not any(NPS_WORDS.search(c) for c in alert_caveats(PERIOD, nps=False) if c)


def test_client_sections_say_nothing_of_nps_without_the_question(without_nps):
    r = report.client_report(without_nps, "C03", PERIOD, n_boot=20)
    assert not r.asks_nps
    html = "".join(
        section.html()
        for section in (
            report.HeaderSection(r),
            report.HeadlineSection(r),
            report.ScorecardSection(r),
            report.CommentsSection(r),
            report.CaveatsSection(r.caveats),
        )
    )
    assert nps_mentions(html) == []
    assert html.count("class='ci-card'") == 2  # CSAT and mean overall
    assert "Comments (" in html  # one group of comments, not grouped by an unasked question
    summary = report.index_summary(r)
    assert [f["label"] for f in summary["figures"]][:3] == ["Responses", "CSAT", "Mean overall"]
    assert "nps" not in set(report.scorecard_table(r)["Component"].str.casefold())


def test_client_sections_keep_nps_when_the_survey_asks_it(sample_df):
    r = report.client_report(sample_df, "C03", PERIOD, n_boot=20)
    cards = report.headline_cards_html(r)
    assert r.asks_nps and cards.count("class='ci-card'") == 3 and ">NPS<" in cards
    comments = report.CommentsSection(r).html()
    assert "recommend us" in comments and "Voice of the client" in comments
    assert [f["label"] for f in report.index_summary(r)["figures"]][:2] == ["Responses", "NPS"]


def test_no_comments_section_without_comments(sample_df):
    r = report.client_report(sample_df.assign(comment=pd.NA), "C03", PERIOD, n_boot=20)
    assert not r.asks_comments and report.CommentsSection(r).html() == ""


def test_portfolio_says_nothing_of_nps_without_the_question(without_nps, sample_df):
    p = report.portfolio_report(without_nps, PERIOD, n_boot=20)
    assert not p.asks_nps
    html = (
        report.table_html(report.league_display(p.league, nps=p.asks_nps))
        + report.table_html(report.type_comparison_display(p))
        + report.findings_html(report.type_findings(p))
        + report.risk_html(p)
        + report.CaveatsSection(p.caveats).html()
    )
    assert nps_mentions(html) == []
    assert "NPS" not in set(p.by_type["component"]) and "CSAT (top-box %)" in set(p.by_type["component"])
    asked = report.portfolio_report(sample_df, PERIOD, n_boot=20)
    assert "NPS" in set(asked.by_type["component"]) and "NPS below zero" in report.risk_html(asked)
    assert list(report.league_display(asked.league).columns[3:5]) == ["NPS", "NPS 95% CI"]


# --------------------------------------------------------------------------- the rendered pages


@pytest.mark.notebook
@pytest.mark.slow
def test_rendered_pages_without_nps_or_comments_never_mention_them(tmp_path, sample_csv):
    from insights.batch.runner import run

    source = tmp_path / "ratings_only.csv"
    pd.read_csv(sample_csv).drop(columns=["likelihood_to_recommend", "comment"]).to_csv(source, index=False)
    outcome = run(source, tmp_path / "out", clients=["C03"], workers=2, progress=False)
    assert outcome.failed == [], [r.error for r in outcome.failed]
    pages = [tmp_path / "out" / "portfolio.html", tmp_path / "out" / "index.html"]
    pages += sorted((tmp_path / "out" / "clients").glob("*.html"))
    assert len(pages) == 3
    for page in pages:
        html = page.read_text("utf-8")
        assert nps_mentions(html) == [], page.name
        assert "Voice of the client" not in html
    client = pages[2].read_text("utf-8")
    assert ">Headline<" in client and ">Trends<" in client
    # the figures without NPS, no empty NPS chart: heat map, overall trend, importance and quadrants; the
    # portfolio's mean league chart, distribution, importance, quadrants and importance over time
    assert client.count("<img") == 4 and pages[0].read_text("utf-8").count("<img") == 5


def test_people_without_nps_or_without_respondent_ids(without_nps, sample_df):
    from insights.data.people import read_contacts
    from insights.data.sample import sample_dir

    contacts = read_contacts(sample_dir() / "contacts.csv")
    section = report.people_section(without_nps, "C03", PERIOD, contacts)
    html = section.html()
    assert ">By contact<" in html and nps_mentions(html) == []
    asked = report.people_section(sample_df, "C03", PERIOD, contacts).html()
    assert "Latest NPS answer" in asked and ">NPS<" in asked
    anonymous = report.people_section(sample_df.assign(respondent_id=pd.NA), "C03", PERIOD, contacts).html()
    assert anonymous == f"<p class='ci-note'>{report.esc(report.NO_RESPONDENTS)}</p>"


# --------------------------------------------------------------------------- the drops, calibrated without NPS
# Without the question a response's satisfaction score is its scaled overall rating alone; the drop
# flags are held to the same calibration as with it (tests/test_alerts.py).


@pytest.mark.slow
def test_without_nps_the_drop_test_keeps_its_size():
    from insights.data.simulated import simulated_portfolio
    from insights.data.survey import SurveyDefinition
    from insights.stats import changes

    p_values = []
    for seed in range(1, 8):  # 7 stationary portfolios of 400 clients, 3 to 8 answers a month
        df, _ = simulated_portfolio(seed, clients=400)
        df = df.assign(likelihood_to_recommend=np.nan)
        p = changes.drop_tests(df, df["period"].max(), SurveyDefinition.default())[0]["p"].to_numpy(float)
        p_values.append(p[~np.isnan(p)])
    p = np.concatenate(p_values)
    assert len(p) >= 2500
    assert 0.03 <= float((p < 0.05).mean()) <= 0.07  # measured: 5.3% of 2,800 one-sided tests at 5%


@pytest.mark.slow
def test_without_nps_planted_one_point_falls_are_found():
    from insights.data.simulated import simulated_portfolio

    found = planted_total = false_drops = unchanged = 0
    for seed in range(101, 111):
        df, planted = simulated_portfolio(seed, falls=4, fall=1.0)
        flags = compute_alerts(df.assign(likelihood_to_recommend=np.nan)).flags
        assert not flags["metric"].isin(["nps", "detractor", "new_detractor"]).any()
        dropped = set(flags.loc[flags["kind"] == "drop", "client_id"])
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
