"""Clients are people: contacts, self-assessment, perception gaps, internal clients, follow-up list."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re

import nbformat
import numpy as np
import pandas as pd
import pytest
from conftest import DATA, SAMPLE_CSV
from scipy import stats

import insights
from insights.batch.runner import input_digests, plan_tasks, run
from insights.core.slug import slugify
from insights.data.events import load_events
from insights.data.people import CHANNELS, PeopleDataError, read_contacts, read_self_assessment
from insights.data.sample import BLIND_SPOTS, INTERNAL_UPLIFT, SELF_OPTIMISM
from insights.data.survey import SurveyDefinition
from insights.reporting import report
from insights.stats import clustered, people, perception

SAMPLE_DIR = SAMPLE_CSV.parent
TOY_PORTFOLIO = DATA / "notebooks" / "toy_portfolio.ipynb"
DRIVERS = ["communication", "responsiveness", "quality", "timeliness", "value", "expertise"]


def responses(rows: list[dict]) -> pd.DataFrame:
    """Validated responses from a few hand-written rows (unlisted drivers answered 3)."""
    frame = []
    for i, row in enumerate(rows):
        full = {
            "response_id": f"R{i}",
            "client_id": "X",
            "client_name": "X Ltd",
            "respondent_id": "P1",
            "submitted_at": "2026-10-05",
            "overall_satisfaction": 3,
            "likelihood_to_recommend": 7,
            **{d: 3 for d in DRIVERS},
        }
        full.update(row)
        frame.append(full)
    return insights.load(pd.DataFrame(frame), warn=False)


def self_rows(rows: list[tuple]) -> pd.DataFrame:
    return read_self_assessment(pd.DataFrame(rows, columns=["client_id", "period", "component", "score"]))


# --- perception gaps against hand-worked figures ---------------------------------------------------


def test_gap_figures_match_a_hand_worked_example():
    # quality 3, 4, 5, 4: mean 4, sd sqrt(2/3) = 0.8165, se 0.4082, t(0.975, 3) = 3.1824 -> 4 -/+ 1.2992
    # communication 2, 3, 2, 3, 2, 3: mean 2.5, sd sqrt(0.3) = 0.5477, se 0.2236, t(0.975, 5) = 2.5706 -> 2.5 -/+ 0.5748
    data = responses(
        [
            {"quality": q, "communication": c, "response_id": f"R{i}"}
            for i, (q, c) in enumerate([(3, 2), (4, 3), (5, 2), (4, 3), (np.nan, 2), (np.nan, 3)])
        ]
    )
    team = self_rows(
        [
            ("X", "2026-10", "quality", 5),
            ("X", "2026-10", "Communication", 3.0),
            ("X", "2026-10", "expertise", 3.5),
        ]
    )
    gaps = perception.perception_gaps(data, team, months=1).set_index("component")

    q = gaps.loc["quality"]
    assert (q["self"], q["client"], q["n"]) == (5.0, 4.0, 4)
    assert q["client_ci_low"] == pytest.approx(2.7008, abs=1e-4) and q["client_ci_high"] == pytest.approx(
        5.2992, abs=1e-4
    )
    assert q["gap"] == pytest.approx(1.0)
    assert q["ci_low"] == pytest.approx(5 - 5.2992, abs=1e-4) and q["ci_high"] == pytest.approx(
        5 - 2.7008, abs=1e-4
    )
    assert q["blind_spot"] and not q["significant"]  # one point above: a blind spot, though the CI includes 0

    c = gaps.loc["communication"]
    assert (c["client"], c["n"], c["gap"]) == (2.5, 6, 0.5)
    assert c["ci_low"] == pytest.approx(3 - 3.0748, abs=1e-4) and c["ci_high"] == pytest.approx(
        3 - 1.9252, abs=1e-4
    )
    assert not c["blind_spot"]

    e = gaps.loc["expertise"]  # everybody answered 3: a zero-width interval, gap 0.5
    assert (e["client"], e["gap"], e["blind_spot"]) == (3.0, 0.5, False)


def test_gap_window_and_missing_ratings():
    data = responses(
        [
            {"submitted_at": "2026-08-10", "quality": 2, "response_id": "a"},
            {"submitted_at": "2026-09-10", "quality": 3, "response_id": "b"},
            {"submitted_at": "2026-10-10", "quality": 4, "response_id": "c"},
            {"submitted_at": "2026-07-10", "quality": 1, "response_id": "d"},  # outside the three months
        ]
    )
    team = self_rows([("X", "2026-10", "quality", 4), ("Y", "2026-10", "quality", 4)])
    gaps = perception.perception_gaps(data, team, months=3)
    x = gaps[gaps["client_id"] == "X"].iloc[0]
    assert (x["client"], x["n"], x["gap"]) == (3.0, 3, 1.0) and x["blind_spot"]
    half = stats.t.ppf(0.975, 2) * 1.0 / math.sqrt(3)
    assert (x["ci_low"], x["ci_high"]) == pytest.approx((1 - half, 1 + half))
    y = gaps[gaps["client_id"] == "Y"].iloc[0]  # no ratings: nothing to compare, nothing flagged
    assert y["n"] == 0 and math.isnan(y["gap"]) and not y["blind_spot"]
    just_below = perception.perception_gaps(data, self_rows([("X", "2026-10", "quality", 3.99)]), months=3)
    assert not just_below["blind_spot"].iloc[0]


# --- pseudonyms -----------------------------------------------------------------------------------------


def test_pseudonyms_are_stable_distinct_and_keyed(monkeypatch):
    monkeypatch.delenv(people.PSEUDONYM_KEY_ENV, raising=False)
    expected = "Contact " + hashlib.sha256(b"P0001").hexdigest()[:8]
    assert people.pseudonym("P0001") == people.pseudonym(" P0001 ") == expected
    ids = [f"P{i:04d}" for i in range(2000)]
    assert len({people.pseudonym(i) for i in ids}) == len(ids)
    keyed = "Contact " + hmac.new(b"s3cret", b"P0001", hashlib.sha256).hexdigest()[:8]
    assert people.pseudonym("P0001", key="s3cret") == keyed != expected
    monkeypatch.setenv(people.PSEUDONYM_KEY_ENV, "s3cret")
    assert people.pseudonym("P0001") == keyed


# --- per-person analysis --------------------------------------------------------------------------------


def test_falls_and_new_detractors_by_hand():
    rows = []
    # P1: ratings 4 every month, then 2 in October: a fall of 2 with zero spread (p = 0), and 8 -> 4: new detractor
    for month in range(1, 10):
        rows.append(
            {
                "respondent_id": "P1",
                "submitted_at": f"2026-{month:02d}-03",
                "overall_satisfaction": 4,
                **{d: 4 for d in DRIVERS},
                "likelihood_to_recommend": 8,
            }
        )
    rows.append(
        {
            "respondent_id": "P1",
            "submitted_at": "2026-10-03",
            "overall_satisfaction": 2,
            **{d: 2 for d in DRIVERS},
            "likelihood_to_recommend": 4,
        }
    )
    # P2: earlier ratings 3, 4, 5 (mean 4, sd 1), now 3: a fall of 1 with t = -1 / (1 * sqrt(1 + 1/3)),
    # one-sided p = 0.24 (two people: too few to moderate their spreads, so each keeps its own)
    for month, value in zip((7, 8, 9), (3, 4, 5)):
        rows.append(
            {
                "respondent_id": "P2",
                "submitted_at": f"2026-{month:02d}-04",
                "overall_satisfaction": value,
                **{d: value for d in DRIVERS},
                "likelihood_to_recommend": 5,
            }
        )
    rows.append(
        {
            "respondent_id": "P2",
            "submitted_at": "2026-10-04",
            "overall_satisfaction": 3,
            **{d: 3 for d in DRIVERS},
            "likelihood_to_recommend": 6,
        }
    )
    data = responses([{**r, "response_id": f"R{i}"} for i, r in enumerate(rows)])
    scores = people.contact_scores(data, period="2026-10").set_index("respondent_id")

    p1 = scores.loc["P1"]
    assert p1["change"] == pytest.approx(-2.0) and p1["p_value"] == 0 and p1["q_value"] == 0 and p1["fell"]
    assert p1["detractor_now"] and p1["new_detractor"] and p1["previous_ltr"] == 8 and p1["latest_ltr"] == 4
    p2 = scores.loc["P2"]
    t = -1 / math.sqrt(1 + 1 / 3)
    assert p2["change"] == pytest.approx(-1.0)
    assert p2["p_value"] == pytest.approx(stats.t.cdf(t, 2))
    assert p2["q_value"] == pytest.approx(stats.t.cdf(t, 2))  # Benjamini-Hochberg over the two: 0 and 0.24
    assert not p2["fell"]  # a point lower, but well within this person's own spread
    assert (
        p2["detractor_now"] and not p2["new_detractor"]
    )  # 5 before, 6 now: still a detractor, not a new one
    flagged = people.flagged_contacts(scores.reset_index())
    assert flagged["respondent_id"].tolist() == ["P1"]


def test_roles_and_primary_come_from_the_contact_list():
    data = responses(
        [
            {"respondent_id": "P1", "response_id": "a"},
            {"respondent_id": "P2", "response_id": "b", "overall_satisfaction": 5},
        ]
    )
    contacts = read_contacts(
        pd.DataFrame(
            {
                "respondent_id": ["P1", "P2", "P3"],
                "client_id": "X",
                "name": ["Ann", "Bob", "Cy"],
                "role": ["Project lead", "End user", "End user"],
                "preferred_channel": ["Phone", "e-mail", ""],
                "detail_level": ["brief", "Detailed", ""],
                "primary": ["yes", "no", ""],
            }
        )
    )
    assert contacts["preferred_channel"].tolist() == ["phone", "email", "not stated"]
    assert contacts["primary"].tolist() == [True, False, False]
    assert people.primary_contact(contacts, "X")["name"] == "Ann"
    scores = people.contact_scores(data, contacts, period="2026-10")
    assert scores["respondent_id"].tolist()[0] == "P1"  # the primary contact first
    roles = people.scores_by_role(data, scores, period="2026-10").set_index("role")
    assert roles.loc["End user", "people"] == 2 and roles.loc["End user", "answered"] == 1
    assert roles.loc["End user", "mean_overall"] == 5 and roles.loc["Project lead", "mean_overall"] == 3
    prefs = people.follow_up_preferences(contacts)
    assert prefs["people"].sum() == 3


# --- validation -----------------------------------------------------------------------------------------

CONTACTS_HEADER = "respondent_id,client_id,name,role,preferred_channel,detail_level,primary\n"


def test_contact_list_problems_are_named(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(
        CONTACTS_HEADER
        + "P1,C1,Ann,Lead,email,brief,true\n"
        + "P2,C1,Bob,User,fax,brief,true\n"
        + "P1,C2,,User,phone,verbose,maybe\n",
        encoding="utf-8",
    )
    with pytest.raises(PeopleDataError) as caught:
        read_contacts(path)
    text = str(caught.value)
    assert (
        "contacts.csv: preferred_channel: values other than email, phone, in person, chat in row 2 (fax)"
        in text
    )
    assert "contacts.csv: detail_level: values other than brief, detailed in row 3 (verbose)" in text
    assert (
        "contacts.csv: respondent_id: duplicate respondent ids (one row per person) in rows 1, 3 (P1, P1)"
        in text
    )
    assert "contacts.csv: name: missing values in row 3" in text
    assert "contacts.csv: primary: values other than true/false (or yes/no, 1/0) in row 3 (maybe)" in text
    path.write_text(
        CONTACTS_HEADER
        + "P1,C1,Ann,Lead,email,brief,true\nP2,C1,Bob,User,chat,brief,yes\n"
        + "P3,C2,Cy,User,chat,brief,no\n",
        encoding="utf-8",
    )
    with pytest.raises(
        PeopleDataError,
        match=r"primary: more than one primary contact for a client .* in rows 1, 2 "
        r"\(C1: P1, C1: P2\)",
    ):
        read_contacts(path)
    path.write_text("respondent_id,client_id,name\nP1,C1,Ann\n", encoding="utf-8")
    with pytest.raises(
        PeopleDataError,
        match="contacts.csv: missing required column.s.: role, preferred_channel, detail_level, primary",
    ):
        read_contacts(path)
    with pytest.raises(PeopleDataError, match="nowhere.csv: file not found"):
        read_contacts(tmp_path / "nowhere.csv")
    path.write_text(CONTACTS_HEADER, encoding="utf-8")
    with pytest.raises(PeopleDataError, match="no contacts: the file has a header but no rows"):
        read_contacts(path)


def test_a_folder_of_contact_lists_names_the_file_and_its_own_row(tmp_path):
    drops = tmp_path / "contacts"
    drops.mkdir()
    (drops / "a.csv").write_text(CONTACTS_HEADER + "P1,C1,Ann,Lead,email,brief,true\n", encoding="utf-8")
    (drops / "b.csv").write_text(
        CONTACTS_HEADER + "P2,C2,Bob,Lead,email,brief,true\nP3,C2,Cy,User,fax,brief,no\n", encoding="utf-8"
    )
    with pytest.raises(PeopleDataError) as caught:
        read_contacts(drops)
    assert [str(p) for p in caught.value.problems] == [
        "contacts/b.csv: preferred_channel: values other than email, phone, in person, chat in row 2 (fax)"
    ]


def test_contact_list_reads_other_formats_and_warns_about_a_missing_primary(tmp_path):
    frame = pd.DataFrame(
        {
            "Respondent ID": ["P1", "P2"],
            "Client ID": ["C1", "C2"],
            "Name": ["Ann", "Bob"],
            "Role": ["Lead", "User"],
            "Preferred Channel": ["In-Person", "chat"],
            "Detail Level": ["brief", "detailed"],
            "Primary": [True, False],
        }
    )
    frame.to_excel(tmp_path / "contacts.xlsx", index=False)
    contacts = read_contacts(tmp_path / "contacts.xlsx")
    assert contacts["preferred_channel"].tolist() == ["in person", "chat"]
    assert contacts.attrs["warnings"] == ["contacts.xlsx: primary: 1 client(s) without a primary contact: C2"]


def test_self_assessment_problems_are_named(tmp_path):
    path = tmp_path / "self.csv"
    path.write_text(
        "client_id,period,component,score\n"
        "C1,2026-10,quality,4\n"
        "C1,Oct 2026,Quality of work,4.5\n"
        "C1,2026-10,charm,3\n"
        "C1,2026-09,value,7\n"
        "C1,2026-09,timeliness,good\n"
        ",2026-09,expertise,\n",
        encoding="utf-8",
    )
    with pytest.raises(PeopleDataError) as caught:
        read_self_assessment(path)
    text = str(caught.value)
    assert "self.csv: period: not a month of the form YYYY-MM in row 2 (Oct 2026)" in text
    assert (
        "self.csv: component: not a driver of the survey (communication, responsiveness, quality, timeliness, "
        "value, expertise) in row 3 (charm)" in text
    )
    assert "self.csv: score: values outside the driver scale 1-5 in row 4 (7)" in text
    assert "self.csv: score: non-numeric values in row 5 (good)" in text
    assert (
        "self.csv: client_id: missing values in row 6" in text
        and "self.csv: score: missing values in row 6" in text
    )
    path.write_text(
        "client_id,period,component,score\nC1,2026-10,quality,4\nC1,2026-10,Quality of work,5\n",
        encoding="utf-8",
    )
    with pytest.raises(
        PeopleDataError, match=r"the same client, period and component more than once in rows 1, 2"
    ):
        read_self_assessment(path)


# --- internal and external clients -------------------------------------------------------------------------


def test_clustered_statistics_equal_welch_on_client_means_for_equal_sizes():
    rng = np.random.default_rng(1)
    groups = {}
    for name, clients, shift in (("a", 6, 0.4), ("b", 20, 0.0)):
        ids = np.repeat([f"{name}{i}" for i in range(clients)], 8)
        values = shift + np.repeat(rng.normal(0, 0.5, clients), 8) + rng.normal(0, 1, len(ids))
        groups[name] = (values, ids)
    a, b = (clustered.clustered_mean(*groups[k]) for k in ("a", "b"))
    means_a = pd.Series(groups["a"][0]).groupby(groups["a"][1]).mean()
    means_b = pd.Series(groups["b"][0]).groupby(groups["b"][1]).mean()
    low, high = stats.t.interval(0.95, len(means_a) - 1, means_a.mean(), stats.sem(means_a))
    assert (a.ci_low, a.ci_high) == pytest.approx((low, high))
    diff = clustered.clustered_difference(a, b)
    welch = stats.ttest_ind(means_a, means_b, equal_var=False)
    assert diff.estimate == pytest.approx(means_a.mean() - means_b.mean())
    assert diff.p_value == pytest.approx(welch.pvalue) and diff.statistic == pytest.approx(welch.statistic)


def test_internal_external_comparison_recovers_the_planted_uplift(sample_df):
    window = sample_df[sample_df["period"] > sample_df["period"].max() - 12]
    table, tests = report.compare_groups(window, SurveyDefinition.default())
    assert set(tests["component"]) >= {"Overall satisfaction", "Quality of work", "CSAT (top-box %)", "NPS"}
    tests = tests.set_index("component")
    drivers = tests.drop(["Overall satisfaction", "CSAT (top-box %)", "NPS"])
    # internal teams rate every driver 0.35 higher on the latent scale: each estimate's 95% CI covers it
    assert ((drivers["ci_low"] < INTERNAL_UPLIFT) & (INTERNAL_UPLIFT < drivers["ci_high"])).all()
    assert drivers["difference"].mean() == pytest.approx(INTERNAL_UPLIFT, abs=0.1)
    assert (tests["difference"] > 0).all()  # NPS and CSAT higher too
    # with 6 internal clients the clustered test is far more cautious than one treating responses as independent
    assert (tests["p"] > tests["p_responses"]).all()
    assert (tests["p_responses"] < 0.001).all()
    internal = table[(table["group"] == "internal") & (table["component"] == "NPS")].iloc[0]
    assert internal["clients"] == 6
    shown = report.type_comparison_display(
        report.portfolio_report(sample_df, sample_df["period"].max(), n_boot=0)
    )
    assert list(shown.columns[:3]) == ["Component", "Internal", "External"] and "CSAT (top-box %)" in set(
        shown["Component"]
    )


# --- the sample --------------------------------------------------------------------------------------------


def test_sample_contacts_and_self_assessment():
    contacts = read_contacts(SAMPLE_DIR / "contacts.csv")
    data = insights.load(SAMPLE_CSV, warn=False)
    assert contacts.groupby("client_id")["primary"].sum().eq(1).all()
    assert set(contacts["client_id"]) == set(data["client_id"].astype(str))
    assert set(data["respondent_id"].astype(str)) <= set(contacts["respondent_id"])
    assert set(contacts["preferred_channel"]) == set(CHANNELS)
    team = read_self_assessment(SAMPLE_DIR / "self_assessment.csv")
    gaps = perception.perception_gaps(data, team)
    planted = gaps.set_index(["client_id", "component"]).index.isin(BLIND_SPOTS)
    # teams rate themselves higher: the mean gap away from the planted blind spots is about the planted optimism
    assert gaps.loc[~planted, "gap"].mean() == pytest.approx(SELF_OPTIMISM, abs=0.1)
    assert gaps.loc[planted, "blind_spot"].all() and gaps.loc[planted, "significant"].all()
    assert gaps.loc[~planted, "blind_spot"].mean() < 0.02


# --- follow-up list ------------------------------------------------------------------------------------------


def test_follow_up_list_due_dates(sample_df):
    contacts = read_contacts(SAMPLE_DIR / "contacts.csv")
    team = read_self_assessment(SAMPLE_DIR / "self_assessment.csv")
    client = report.client_report(sample_df, "C03", "2026-10", n_boot=20)
    section = report.people_section(sample_df, "C03", "2026-10", contacts)
    gaps = report.perception_section(sample_df, team, "C03", "2026-10")
    events = pd.DataFrame(
        {
            "event_id": ["E1", "E2", "E3"],
            "client_id": "C03",
            "category": "deliverable",
            "opened_at": ["2026-10-20T09:00Z", "2026-10-28T09:00Z", "2026-10-01T09:00Z"],
            "due_at": ["2026-10-25T09:00Z", "2026-11-06T17:00Z", "2026-10-02T09:00Z"],
            "resolved_at": ["", "", "2026-10-02T08:00Z"],
        }
    )
    items = report.follow_up_list(client, section, gaps, load_events(events, warn=False))
    # the reference day is the end of October (Sunday 2026-11-01)
    assert items.attrs["reference"] == pd.Timestamp("2026-11-01")
    due = items.groupby("kind")["due"].agg(set)
    assert due["detractor"] == {pd.Timestamp("2026-11-03")}  # two business days
    assert due["overdue event"] == {pd.Timestamp("2026-11-02")}  # the next business day
    assert due["open event"] == {pd.Timestamp("2026-11-06")}  # its own due date
    assert due["blind spot"] == {pd.Timestamp("2026-11-30")}  # the end of next month
    assert (
        len(items[items["kind"] == "overdue event"]) == 1
        and "E1" in items.loc[items["kind"] == "overdue event", "action"].iloc[0]
    )
    fix_first = client.drivers.importance.query("quadrant == 'Fix first'")["driver"]
    assert len(items[items["kind"] == "fix first"]) == len(fix_first)
    detractors = section.scores[section.scores["detractor_now"]]
    assert len(items[items["kind"] == "detractor"]) == len(detractors) > 0
    html = report.follow_up_html(items)
    for name in contacts.loc[contacts["client_id"] == "C03", "name"]:
        assert name not in html
    assert items["due"].is_monotonic_increasing


# --- the command line ------------------------------------------------------------------------------------------


def test_gaps_command_json_contract(run_cli):
    team = SAMPLE_DIR / "self_assessment.csv"
    code, out, err = run_cli(
        "gaps",
        SAMPLE_CSV,
        "--self-assessment",
        team,
        "--client",
        "C03",
        "--period",
        "2026-10",
        "--format",
        "json",
    )
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 6
    for row in rows:
        assert {"client_id", "component", "self", "client", "gap", "ci_low", "ci_high", "blind_spot"} <= set(
            row
        )
        assert row["client_id"] == "C03" and row["period"] == "2026-10"
        assert row["gap"] == pytest.approx(row["self"] - row["client"])
        assert row["ci_low"] <= row["gap"] <= row["ci_high"]
    expected = perception.perception_gaps(
        insights.load(SAMPLE_CSV, warn=False),
        read_self_assessment(team),
        client="C03",
        period="2026-10",
    )
    assert [r["component"] for r in rows] == expected["component"].tolist()
    assert [r["gap"] for r in rows] == pytest.approx(expected["gap"].tolist())
    assert {r["component"] for r in rows if r["blind_spot"]} == {"quality"}

    code, out, _ = run_cli("gaps", SAMPLE_CSV, "--self-assessment", team, "--period", "2026-10")
    assert code == 0 and "BLIND SPOT" in out and "C11" in out
    code, _, err = run_cli("gaps", SAMPLE_CSV, "--self-assessment", team, "--client", "NOPE")
    assert code == 1 and "unknown client id(s): NOPE" in err
    code, _, err = run_cli("gaps", SAMPLE_CSV, "--self-assessment", team, "--period", "2025-01")
    assert code == 1 and "no self-assessment for 2025-01" in err
    code, _, err = run_cli("gaps", SAMPLE_CSV, "--self-assessment", SAMPLE_CSV)
    assert code == 1 and "responses.csv: missing required column(s): period, component, score" in err


def test_run_checks_the_people_files_first(run_cli, tmp_path):
    bad = tmp_path / "contacts.csv"
    bad.write_text(CONTACTS_HEADER + "P1,C1,Ann,Lead,pigeon,brief,true\n", encoding="utf-8")
    code, _, err = run_cli("run", SAMPLE_CSV, "--out", tmp_path / "out", "--contacts", bad)
    assert code == 1 and "contacts.csv: preferred_channel: values other than" in err and "(pigeon)" in err
    assert not (tmp_path / "out").exists()


def test_a_changed_contact_list_changes_the_fingerprints(tmp_path, sample_df):
    contacts = tmp_path / "contacts.csv"
    contacts.write_text((SAMPLE_DIR / "contacts.csv").read_text("utf-8"), encoding="utf-8")
    base = {
        "source": str(SAMPLE_CSV),
        "period": "2026-10",
        "months": 12,
        "survey": "",
        "contacts": str(contacts),
    }

    def fingerprints():
        tasks = plan_tasks(
            sample_df,
            out_dir=tmp_path,
            client_notebook=SAMPLE_CSV,
            portfolio_notebook=SAMPLE_CSV,
            clients=["C01"],
            base_parameters=base,
            version="x",
            inputs=input_digests(base),
        )
        return [t.fingerprint for t in tasks]

    before = fingerprints()
    assert fingerprints() == before
    contacts.write_text(contacts.read_text("utf-8").replace("email", "phone", 1), encoding="utf-8")
    after = fingerprints()
    assert all(a != b for a, b in zip(before, after))


# --- privacy in the rendered reports -------------------------------------------------------------------------

DISTINCTIVE = ["Zebulon Quillfeather", "Ottoline Marchbanks-Vey", "Perpetua Thistlewood"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, sample_df):
    """Two clients' reports rendered from a small subset with distinctive names, without and then with names."""
    base = tmp_path_factory.mktemp("people")
    subset = pd.read_csv(SAMPLE_CSV, dtype=str, keep_default_na=False)
    subset = subset[subset["client_id"].isin(["C03", "I02"])]
    source = base / "responses.csv"
    subset.to_csv(source, index=False)
    contacts = pd.read_csv(SAMPLE_DIR / "contacts.csv", dtype=str)
    contacts = contacts[contacts["client_id"].isin(["C03", "I02"])].reset_index(drop=True)
    # the primary contact of C03, a C03 detractor in 2026-10, and a person who never answered
    data = insights.load(source, warn=False)
    october = data[(data["client_id"] == "C03") & (data["period"] == pd.Period("2026-10", "M"))]
    detractor = str(october.loc[october["likelihood_to_recommend"] <= 6, "respondent_id"].iloc[0])
    primary = contacts.index[(contacts["client_id"] == "C03") & (contacts["primary"] == "true")][0]
    contacts.loc[primary, "name"] = DISTINCTIVE[0]
    contacts.loc[contacts["respondent_id"] == detractor, "name"] = DISTINCTIVE[1]
    contacts.loc[len(contacts)] = ["P7777", "C03", DISTINCTIVE[2], "End user", "chat", "brief", "false"]
    contacts_path = base / "contacts.csv"
    contacts.to_csv(contacts_path, index=False)
    team_path = base / "self_assessment.csv"
    team = pd.read_csv(SAMPLE_DIR / "self_assessment.csv", dtype=str)
    team[team["client_id"].isin(["C03", "I02"])].to_csv(team_path, index=False)
    extra = {"contacts": str(contacts_path), "self_assessment": str(team_path)}
    hidden = run(source, base / "hidden", clients=["C03"], workers=2, progress=False, extra_parameters=extra)
    # the portfolio takes no contacts; a toy one keeps the second run short
    shown = run(
        source,
        base / "shown",
        clients=["C03"],
        workers=2,
        progress=False,
        extra_parameters={**extra, "show_names": True},
        portfolio_notebook=TOY_PORTFOLIO,
    )
    return base, hidden, shown, contacts, detractor


def _everything_written(folder) -> str:
    """Every page and notebook written, embedded images left out (base64 could spell anything)."""
    text = "\n".join(p.read_text("utf-8") for p in folder.rglob("*") if p.suffix in (".html", ".ipynb"))
    text = re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "", text)
    return re.sub(r'"image/png": "[^"]*"', "", text)


def test_no_name_leaks_without_the_flag(rendered):
    base, hidden, _, contacts, detractor = rendered
    assert hidden.failed == [], [r.error for r in hidden.failed]
    text = _everything_written(base / "hidden")
    for name in [*DISTINCTIVE, *contacts["name"]]:
        assert name not in text, name
    for respondent in contacts["respondent_id"]:
        assert respondent not in text  # raw ids can be e-mail addresses
    page = (base / "hidden" / "clients" / f"{slugify('C03')}.html").read_text("utf-8")
    assert people.pseudonym(detractor) in page
    for section in ("People", "Perception gap", "Follow-up list"):
        assert f">{section}<" in page
    assert page.rindex(">Follow-up list<") > page.rindex(">Caveats<")  # the report ends with it
    assert "BLIND SPOT" in page and "Primary contact:" in page


def test_names_appear_with_the_flag(rendered):
    base, _, shown, _, detractor = rendered
    assert shown.failed == [], [r.error for r in shown.failed]
    page = (base / "shown" / "clients" / f"{slugify('C03')}.html").read_text("utf-8")
    for name in DISTINCTIVE:
        assert name in page
    follow_up = page[page.rindex(">Follow-up list<") :]
    assert DISTINCTIVE[1] in follow_up and people.pseudonym(detractor) not in follow_up
    notebook = nbformat.read(base / "shown" / "clients" / f"{slugify('C03')}.ipynb", as_version=4)
    assert any(c.get("outputs") for c in notebook.cells if c.cell_type == "code")


def test_portfolio_gaps_without_client_ratings_to_compare(sample_df):
    # self-assessed clients none of whom answered in the window: the note, not a KeyError
    from insights.data.people import read_self_assessment
    from insights.reporting import report

    team = pd.DataFrame(
        {"client_id": ["NOBODY"], "period": ["2026-10"], "component": ["quality"], "score": [4.0]}
    )
    team = read_self_assessment(team)
    html = report.portfolio_gaps_html(sample_df, team, "2026-10")
    assert "No client ratings to set the self-assessment against." in html
