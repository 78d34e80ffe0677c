"""Service levels: status rules on hand-worked events, named errors, the sla contract, the planted effects,
and the "Service levels" report sections (present with events, absent without)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from insights.batch.runner import file_digest, input_digests, plan_tasks
from insights.data import sample
from insights.data.events import EventsDataError, load_events, validate_events
from insights.reporting import service_report
from insights.reporting.notebooks import notebook_path
from insights.stats import service_impact, service_levels, service_timing

REPORT_NOTEBOOKS = notebook_path("client_report.ipynb").parent

SAMPLE_EVENTS = ROOT / "data" / "sample" / "events.csv"
HEADER = "event_id,client_id,category,opened_at,due_at,resolved_at,severity,penalty,people_affected\n"
# Worked by hand, as of 2026-03-20 08:00 UTC (2026-03-02 is a Monday):
#   E1 met (an hour early)                                     Mon 09h
#   E2 met: resolved exactly at the due time                   Mon 09h
#   E3 breached: 3.5 h late, 10 people idle                    Tue 10h  penalty 1000  cost 1000 + 10*3.5*60 = 3100
#   E4 breached: unresolved, due 10 days (240 h) before as-of  Mon 08h  penalty 5000  cost 5000 + 4*240*60 = 62600
#   E5 open: unresolved, not yet due (its penalty not counted) Wed 09h
#   E6 breached: due 12:00+02:00 = 10:00 UTC, resolved 10:30 UTC (looks on time if offsets are ignored)
#                                                              Thu 08h  penalty 250   cost 250 + 2*0.5*60 = 310
#   E7 met: resolved 09:45 UTC, before 10:00 UTC               Thu 08h
HAND = HEADER + (
    "E1,A,Deliverable,2026-03-02T09:00Z,2026-03-02T17:00Z,2026-03-02T16:00Z,low,,\n"
    "E2,A,deliverable,2026-03-02T09:00Z,2026-03-02T17:00Z,2026-03-02T17:00:00+00:00,medium,,\n"
    "E3,A,availability,2026-03-03T10:00Z,2026-03-03T12:00Z,2026-03-03T15:30Z,high,1000,10\n"
    "E4,A,software,2026-03-09T08:00Z,2026-03-10T08:00Z,,critical,5000,4\n"
    "E5,A,service,2026-03-18T09:00Z,2026-03-25T09:00Z,,Low,300,\n"
    "E6,B,hardware,2026-03-05T10:00+02:00,2026-03-05T12:00+02:00,2026-03-05T10:30Z,medium,250,2\n"
    "E7,B,hardware,2026-03-05T10:00+02:00,2026-03-05T12:00+02:00,2026-03-05T09:45Z,,,\n"
)
AS_OF = "2026-03-20T08:00Z"


@pytest.fixture
def hand_csv(tmp_path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(HAND, encoding="utf-8")
    return path


@pytest.fixture
def hand(hand_csv) -> pd.DataFrame:
    return load_events(hand_csv)


@pytest.fixture(scope="module")
def sample_events() -> pd.DataFrame:
    return load_events(SAMPLE_EVENTS, warn=False)


# --- status, attainment, penalties, cost --------------------------------------------------------------


def test_hand_worked_statuses_and_costs(hand):
    frame = service_levels.classify(hand, AS_OF).set_index("event_id")
    assert frame["status"].astype(str).to_dict() == {
        "E1": "met",
        "E2": "met",
        "E3": "breached",
        "E4": "breached",
        "E5": "open",
        "E6": "breached",
        "E7": "met",
    }
    assert frame["overdue"][frame["overdue"]].index.tolist() == ["E4"]
    assert frame.loc[["E3", "E4", "E6"], "hours_late"].tolist() == pytest.approx([3.5, 240.0, 0.5])
    assert frame.loc[["E1", "E2", "E5", "E7"], "hours_late"].eq(0).all()
    assert frame["cost"].to_dict() == pytest.approx(
        {"E1": 0, "E2": 0, "E3": 3100, "E4": 62600, "E5": 0, "E6": 310, "E7": 0}
    )
    assert (frame["period"].astype(str) == "2026-03").all()


def test_hand_worked_summary(hand):
    result = service_levels.sla_summary(hand, as_of=AS_OF)
    assert (result.events, result.met, result.breached, result.open, result.overdue) == (6, 3, 3, 1, 1)
    assert result.attainment == 0.5
    assert result.penalties == 6250  # E5's 300 is not counted: it is open
    assert result.cost == pytest.approx(3100 + 62600 + 310)
    weekday = result.by_weekday.set_index("weekday")
    assert weekday.loc["Monday", ["events", "met", "breached", "open", "penalties"]].tolist() == [
        3,
        2,
        1,
        0,
        5000,
    ]
    assert weekday.loc["Wednesday", ["events", "open"]].tolist() == [0, 1]
    assert math.isnan(weekday.loc["Wednesday", "attainment"])
    assert weekday.loc["Thursday", ["events", "met", "breached", "penalties"]].tolist() == [2, 1, 1, 250]
    hour = result.by_hour.set_index("hour")
    assert hour.loc[8, ["events", "met", "breached", "penalties"]].tolist() == [
        3,
        1,
        2,
        5250,
    ]  # +02:00 -> 08h UTC
    assert hour.loc[9, ["events", "met", "open"]].tolist() == [2, 2, 1]


def test_as_of_is_a_point_in_time_view(hand):
    # At 13:00 on 3 March: E3 (due 12:00, resolved 15:30) is still unresolved and already overdue;
    # events opened later do not exist yet.
    early = service_levels.sla_summary(hand, as_of="2026-03-03T13:00Z")
    assert (early.events, early.met, early.breached, early.open, early.overdue) == (3, 2, 1, 0, 1)
    frame = service_levels.classify(hand, "2026-03-03T13:00Z").set_index("event_id")
    assert frame.loc["E3", "hours_late"] == pytest.approx(1.0)
    # unresolved exactly at its due time: open (not yet breached); a minute later: breached
    assert (
        service_levels.classify(hand, "2026-03-10T08:00Z").set_index("event_id").loc["E4", "status"] == "open"
    )
    assert (
        service_levels.classify(hand, "2026-03-10T08:01Z").set_index("event_id").loc["E4", "status"]
        == "breached"
    )
    # offsets in the as-of are honoured: 10:01+02:00 is 08:01 UTC
    assert (
        service_levels.classify(hand, "2026-03-10T10:01+02:00").set_index("event_id").loc["E4", "status"]
        == "breached"
    )


def test_due_month_and_weekday_are_utc_unless_a_zone_is_given(tmp_path):
    path = tmp_path / "tz.csv"
    # due 01:00 on 1 April in Berlin is 23:00 UTC on 31 March: a March event
    path.write_text(HEADER + "E1,A,service,2026-03-29T23:30Z,2026-04-01T01:00+02:00,2026-03-31T22:00Z,,,\n")
    events = load_events(path)
    assert str(service_levels.classify(events, "2026-04-02")["period"].iloc[0]) == "2026-03"
    utc = service_levels.sla_summary(events, as_of="2026-04-02").by_weekday.set_index("weekday")
    berlin = service_levels.sla_summary(events, as_of="2026-04-02", tz="Europe/Berlin").by_weekday.set_index(
        "weekday"
    )
    assert utc.loc["Sunday", "events"] == 1 and berlin.loc["Monday", "events"] == 1  # 01:30 CEST on Monday


def test_attainment_table_per_client_and_month(hand):
    table = service_levels.attainment_table(hand, as_of=AS_OF).set_index("client_id")
    assert table.loc["A", ["events", "met", "breached", "open"]].tolist() == [4, 2, 2, 1]
    assert table.loc["B", ["events", "met", "breached"]].tolist() == [2, 1, 1]
    assert table.loc["A", "median_hours_late"] == pytest.approx((3.5 + 240) / 2)
    assert table.loc["A", "idle_hours"] == pytest.approx(35 + 960)
    low, high = table.loc["A", ["ci_low", "ci_high"]]
    assert low < 0.5 < high  # Wilson interval around 2 of 4
    by = service_levels.breaches_by(hand, as_of=AS_OF, by=("category",)).set_index("category")
    assert by.loc["deliverable", ["events", "met"]].tolist() == [2, 2]  # categories in lower case
    assert by.loc["service", ["events", "open"]].tolist() == [0, 1]


def test_heatmap_counts_breaches_by_weekday_and_hour(hand):
    grid = service_timing.breach_heatmap_counts(hand, as_of=AS_OF)
    assert grid.shape == (7, 24) and grid.to_numpy().sum() == 3
    assert grid.loc["Monday", 8] == 1 and grid.loc["Tuesday", 10] == 1 and grid.loc["Thursday", 8] == 1


# --- bad files: named errors ------------------------------------------------------------------------


def bad(tmp_path, text: str, name: str = "bad.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EventsDataError) as caught:
        load_events(path)
    return str(caught.value)


GOOD_ROW = "E1,A,deliverable,2026-03-02T09:00Z,2026-03-02T17:00Z,,low,,\n"


@pytest.mark.parametrize(
    "rows, expected",
    [
        (
            GOOD_ROW + "E2,A,deliverable,2026-03-02T09:00Z,2026-03-01T17:00Z,,low,,\n",
            "bad.csv: due_at: due before opened_at in row 2 (2026-03-01T17:00Z)",
        ),
        (
            GOOD_ROW + "E2,A,deliverable,2026-03-02T09:00Z,2026-03-02T17:00Z,,low,-5,\n",
            "bad.csv: penalty: negative or infinite values (a penalty is 0 or more) in row 2 (-5)",
        ),
        (
            GOOD_ROW + "E2,A,deliverable,2026-03-02T09:00Z,2026-03-02T17:00Z,,urgent,,\n",
            "bad.csv: severity: unknown severity (expected low, medium, high or critical) in row 2 (urgent)",
        ),
        (GOOD_ROW + GOOD_ROW, "bad.csv: event_id: duplicate event ids in rows 1, 2 (E1, E1)"),
        (
            GOOD_ROW + "E2,A,deliverable,next tuesday,2026-03-02T17:00Z,31/03/2026,low,,\n",
            "bad.csv: opened_at: not an ISO 8601 date-time",
        ),
        (
            GOOD_ROW + "E2,,deliverable,2026-03-02T09:00Z,2026-03-02T17:00Z,,low,,\n",
            "bad.csv: client_id: missing values in row 2",
        ),
        (
            GOOD_ROW + "E2,A,deliverable,2026-03-02T09:00Z,2026-03-02T17:00Z,2026-03-01T09:00Z,low,,\n",
            "bad.csv: resolved_at: resolved before opened_at in row 2",
        ),
        (
            GOOD_ROW + "E2,A,deliverable,2026-03-02T09:00Z,2026-03-02T17:00Z,,low,,lots\n",
            "bad.csv: people_affected: non-numeric values in row 2 (lots)",
        ),
    ],
)
def test_bad_rows_are_named(tmp_path, rows, expected):
    assert expected in bad(tmp_path, HEADER + rows)


def test_every_problem_is_reported_at_once(tmp_path):
    message = bad(tmp_path, HEADER + GOOD_ROW + "E1,A,deliverable,2026-03-02T09:00Z,soon,,urgent,-1,\n")
    for part in [
        "event_id: duplicate event ids",
        "due_at: not an ISO 8601",
        "severity: unknown severity",
        "penalty: negative",
    ]:
        assert part in message
    assert "resolved_at: not an ISO 8601" in bad(
        tmp_path, HEADER + "E1,A,x,2026-03-02T09:00Z,2026-03-02T17:00Z,yesterday,,,\n"
    )


def test_file_level_problems_are_named(tmp_path):
    missing = bad(tmp_path, "event_id,client_id,category,opened_at\nE1,A,x,2026-03-02T09:00Z\n")
    assert "bad.csv: missing required column(s): due_at" in missing
    assert "bad.csv: no events: the file has a header but no rows" in bad(tmp_path, HEADER)
    with pytest.raises(EventsDataError, match="nowhere.csv: file not found"):
        load_events(tmp_path / "nowhere.csv")


def test_a_folder_of_event_files_names_the_file_and_its_own_row(tmp_path):
    drops = tmp_path / "drops"
    drops.mkdir()
    (drops / "a.csv").write_text(HEADER + GOOD_ROW + "E2,A,x,2026-03-02T09:00Z,2026-03-02T17:00Z,,low,,\n")
    (drops / "b.csv").write_text(
        HEADER
        + "E3,A,x,2026-03-02T09:00Z,2026-03-02T17:00Z,,low,,\n"
        + "E4,A,x,2026-03-02T09:00Z,2026-03-02T17:00Z,,urgent,,\n"
    )
    with pytest.raises(EventsDataError) as caught:
        load_events(drops)
    assert [str(p) for p in caught.value.problems] == [
        "drops/b.csv: severity: unknown severity (expected low, medium, high or critical) in row 2 (urgent)"
    ]
    (drops / "b.csv").write_text(HEADER + "E3,A,x,2026-03-02T09:00Z,2026-03-02T17:00Z,,low,,\n" + GOOD_ROW)
    with pytest.raises(EventsDataError) as caught:
        load_events(drops)
    assert [str(p) for p in caught.value.problems] == [
        "drops: event_id: 1 event id(s) appear in more than one file (a.csv, b.csv): E1 (a.csv row 1, b.csv row 2)"
    ]
    (drops / "b.csv").write_text(HEADER + "E3,A,x,2026-03-02T09:00Z,2026-03-02T17:00Z,,low,,\n")
    assert load_events(drops)["event_id"].tolist() == ["E1", "E2", "E3"]


def test_parquet_with_typed_timestamps(tmp_path, hand):
    typed = hand.copy()
    typed["severity"] = typed["severity"].astype(object)
    typed.to_parquet(tmp_path / "events.parquet")
    again = load_events(tmp_path / "events.parquet")
    assert (
        service_levels.sla_summary(again, as_of=AS_OF).to_dict()
        == service_levels.sla_summary(hand, as_of=AS_OF).to_dict()
    )


# --- the sla command --------------------------------------------------------------------------------


def test_sla_json_contract(run_cli, hand_csv):
    code, out, err = run_cli("sla", hand_csv, "--as-of", AS_OF, "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert list(result) == [
        "events",
        "met",
        "breached",
        "open",
        "attainment",
        "penalties",
        "by_category",
        "by_weekday",
        "by_hour",
    ]
    assert {k: result[k] for k in ["events", "met", "breached", "open", "attainment", "penalties"]} == {
        "events": 6,
        "met": 3,
        "breached": 3,
        "open": 1,
        "attainment": 0.5,
        "penalties": 6250.0,
    }
    assert [r["weekday"] for r in result["by_weekday"]][:2] == ["Monday", "Tuesday"] and len(
        result["by_hour"]
    ) == 24
    for key in ("by_category", "by_weekday", "by_hour"):
        rows = result[key]
        assert set(rows[0]) == {key[3:], "events", "met", "breached", "open", "attainment", "penalties"}
        for count in ("events", "met", "breached", "open"):
            assert sum(r[count] for r in rows) == result[count], (key, count)
        assert sum(r["penalties"] for r in rows) == result["penalties"]
    categories = {r["category"]: r for r in result["by_category"]}
    assert categories["hardware"] == {
        "category": "hardware",
        "events": 2,
        "met": 1,
        "breached": 1,
        "open": 0,
        "attainment": 0.5,
        "penalties": 250.0,
    }
    assert categories["service"]["attainment"] is None  # nothing due yet


def test_sla_filters_and_errors(run_cli, hand_csv, tmp_path):
    code, out, _ = run_cli(
        "sla", hand_csv, "--as-of", AS_OF, "--client", "B", "--period", "2026-03", "--format", "json"
    )
    assert code == 0 and json.loads(out)["events"] == 2
    code, out, _ = run_cli("sla", hand_csv, "--as-of", AS_OF, "--client", "A")
    assert code == 0 and "4 events due: 2 met, 2 breached, attainment 50.0%; 1 open" in out
    code, _, err = run_cli("sla", hand_csv, "--period", "2026-04")
    assert code == 1 and "no events due in 2026-04" in err
    code, _, err = run_cli("sla", hand_csv, "--client", "Z")
    assert code == 1 and "unknown client id in the events: Z" in err
    code, _, err = run_cli("sla", hand_csv, "--as-of", "soon")
    assert code == 1 and "as-of 'soon'" in err and "Traceback" not in err
    code, _, err = run_cli("sla", hand_csv, "--tz", "Mars/Olympus")
    assert code == 2
    (tmp_path / "neg.csv").write_text(HEADER + "E1,A,x,2026-03-02T09:00Z,2026-03-02T17:00Z,,,-1,\n")
    code, _, err = run_cli("sla", tmp_path / "neg.csv")
    assert code == 1 and err.startswith("error: neg.csv: penalty: negative")


def test_sla_defaults_to_now(run_cli, tmp_path):
    # due an hour ago and unresolved: breached only if the default as-of is now (not the data's last time)
    due = pd.Timestamp.now(tz="UTC").floor("min") - pd.Timedelta(hours=1)
    opened = due - pd.Timedelta(hours=8)
    (tmp_path / "now.csv").write_text(HEADER + f"E1,A,x,{opened.isoformat()},{due.isoformat()},,,,\n")
    code, out, _ = run_cli("sla", tmp_path / "now.csv", "--format", "json")
    assert code == 0 and json.loads(out)["breached"] == 1


# --- the sample: planted effects ----------------------------------------------------------------------


def test_sample_events_are_valid_and_match_the_generator(sample_events):
    assert (
        SAMPLE_EVENTS.read_bytes()
        == sample.generate_events().to_csv(index=False, lineterminator="\n").encode()
    )
    counts = service_levels.attainment_table(sample_events, as_of=sample.SAMPLE_AS_OF)
    mine = counts.pivot(index="client_id", columns="period", values="breached").fillna(0).astype(int)
    planted = sample._breach_counts(sample.generate_events())
    planted.index = planted.index.astype(str)
    pd.testing.assert_frame_equal(
        mine.sort_index(),
        planted.sort_index(),
        check_names=False,
        check_index_type=False,
        check_column_type=False,
    )
    assert sample_events["client_id"].nunique() == 30
    statuses = service_levels.classify(sample_events, sample.SAMPLE_AS_OF)["status"].value_counts()
    assert statuses["open"] > 0 and statuses["breached"] > 100


def test_mondays_are_hot_in_the_sample(sample_events):
    result = service_timing.weekday_test(sample_events, as_of=sample.SAMPLE_AS_OF)
    assert result.significant and result.hot_days == ["Monday"]
    assert result.method == "chi-square test of independence"
    assert "Mondays are hot" in " ".join(result.findings)


def test_panel_model_recovers_the_planted_breach_effects(sample_events, sample_df):
    panel = service_impact.satisfaction_panel(sample_events, sample_df, as_of=sample.SAMPLE_AS_OF)
    assert (
        len(panel) == sample_df.groupby(["client_id", "period"], observed=True).ngroups
    )  # every cell covered
    result = service_impact.satisfaction_impact(panel)
    assert result.ok and result.n_clients == 30
    for term, planted in (("breached", sample.BREACH_EFFECT), ("breaches_prev", sample.LAG_BREACH_EFFECT)):
        row = result.effect(term)
        assert row["ci_low"] < planted < row["ci_high"], (term, row.to_dict())
        assert row["ci_high"] < 0 and row["p"] < 0.05
    assert "0.12 points lower mean satisfaction in the same month" in result.findings[0]


def test_fixed_effects_separate_within_from_between_clients():
    # Busy clients breach more AND are happier overall; within a client, breaches lower satisfaction.
    rng = np.random.default_rng(7)
    rows = []
    for c in range(40):
        rate = rng.uniform(0.2, 4)
        for t in range(12):
            b = rng.poisson(rate)
            rows.append(
                {
                    "client_id": f"C{c}",
                    "period": pd.Period("2026-01", "M") + t,
                    "breached": b,
                    "n_responses": 5,
                    "satisfaction": 2 + 1.0 * rate - 0.2 * b + rng.normal(0, 0.2),
                }
            )
    panel = pd.DataFrame(rows)
    panel["breaches_prev"] = panel.groupby("client_id")["breached"].shift(1)
    assert np.corrcoef(panel["breached"], panel["satisfaction"])[0, 1] > 0  # pooled: the wrong sign
    result = service_impact.satisfaction_impact(panel)
    row = result.effect("breached")
    assert row["ci_low"] < -0.2 < row["ci_high"]
    assert "No detectable link between breaches last month" in " ".join(result.findings)
    too_few = service_impact.satisfaction_impact(panel[panel["client_id"].isin(["C0", "C1"])])
    assert not too_few.ok and "need 3" in too_few.reason


def test_weekday_null_is_the_event_mix_not_a_uniform_week():
    # Half the work arrives on Mondays, but every event breaches with the same 10% chance.
    rng = np.random.default_rng(3)
    days = pd.Timestamp("2026-03-02T09:00Z") + pd.to_timedelta(
        rng.choice(7, size=3000, p=[0.5, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05]), unit="D"
    )
    late = rng.random(3000) < 0.10
    due = days + pd.Timedelta(hours=8)
    events = pd.DataFrame(
        {
            "event_id": [f"E{i}" for i in range(3000)],
            "client_id": "A",
            "category": "x",
            "opened_at": days,
            "due_at": due,
            "resolved_at": due + pd.to_timedelta(np.where(late, 2, -2), unit="h"),
        }
    )
    tidy = validate_events(events).data
    result = service_timing.weekday_test(tidy, as_of="2026-04-01")
    assert not result.significant and result.hot_days == []
    assert result.findings[0].startswith("No evidence that the weekday")
    breaches = result.table["breached"].to_numpy()
    from scipy import stats

    assert stats.chisquare(breaches).pvalue < 1e-6  # the naive uniform-week null would cry "hot Monday"
    small = service_timing.weekday_test(tidy.iloc[:40], as_of="2026-04-01")
    assert "Monte Carlo" in small.method


def test_weekday_statistic_is_pearsons_chi_square(sample_events):
    from scipy import stats

    result = service_timing.weekday_test(sample_events, as_of=sample.SAMPLE_AS_OF)
    table = result.table
    observed = np.column_stack([table["breached"], table["events"] - table["breached"]]).astype(float)
    expected = np.column_stack([table["expected"], table["events"] - table["expected"]])
    by_hand = float(((observed - expected) ** 2 / expected).sum())
    assert result.statistic == pytest.approx(by_hand, rel=1e-12)
    assert result.dof == len(table) - 1
    assert result.p_value == pytest.approx(stats.chi2.sf(by_hand, result.dof), rel=1e-9)


def test_attainment_and_satisfaction_rank_correlation():
    from scipy import stats

    per_client = pd.DataFrame(
        {"attainment": [0.8, 0.9, 0.95, 1.0, 0.7], "satisfaction": [3.9, 4.1, 4.0, 4.6, 3.2]}
    )
    link = service_impact.attainment_satisfaction_correlation(per_client)
    rho, p = stats.spearmanr(per_client["attainment"], per_client["satisfaction"])
    assert (link.rho, link.p_value, link.n_clients) == (pytest.approx(rho), pytest.approx(p), 5)
    assert link.ok and link.significant == (p < 0.05)
    with pytest.warns(stats.ConstantInputWarning):
        flat = service_impact.attainment_satisfaction_correlation(per_client.assign(attainment=1.0))
    assert not flat.ok and not flat.significant


def test_one_as_of_rule_for_the_section_and_the_follow_up_list():
    from insights.reporting import report
    from insights.stats.as_of import parse_as_of

    for now in (
        None,
        "2026-03-31T23:30Z",
        "2026-04-01T00:30+02:00",
        pd.Timestamp("2026-03-15 18:00"),
        "2026-05-02",
    ):
        moment = service_report.report_as_of("2026-03", now)
        assert str(moment.tz) == "UTC"
        assert report.reference_date("2026-03", now) == moment.tz_localize(None).normalize()
    assert service_report.report_as_of("2026-03", "2026-04-01T00:30+02:00") == pd.Timestamp(
        "2026-03-31T22:30Z"
    )
    assert parse_as_of("2026-04-01") == pd.Timestamp("2026-04-01T00:00Z")


def test_the_statistics_read_no_files():
    """stats holds pure functions on DataFrames: it imports the core, the survey definition and the
    inputs' vocabularies, never a reader or the validation."""
    import ast

    allowed = ("insights.core", "insights.stats", "insights.data.survey", "insights.data.contracts")
    allowed += ("insights.data.selection",)
    for path in sorted((ROOT / "src" / "insights" / "stats").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            inside = [n for n in names if n.startswith("insights")]
            assert all(n.startswith(allowed) for n in inside), (path.name, inside)


# --- reports ----------------------------------------------------------------------------------------


def test_client_section_on_hand_worked_events(hand):
    section = service_report.client_section(hand, "A", "2026-03", months=3, as_of=AS_OF, target=0.9)
    html = section.html()
    assert html.startswith("<h2 id='service-levels'>Service levels</h2>")
    assert "2 of 4 events due in 2026-03 were met on time (50%), below the 90% target." in html
    assert "overdue by 10.0 days" in html and "E4" in html and "due in 5.0 days" in html
    assert "Non-delivery in 2026-03 cost 65,700" in html
    assert len(section.figures) >= 3
    assert section.index_figures[0]["value"] == "50%" and section.index_figures[0]["flag"] is True
    nothing = service_report.client_section(hand, "NOBODY", "2026-03", as_of=AS_OF)
    assert "No service events are recorded for this client." in nothing.html() and not nothing.figures


def test_portfolio_section_on_the_sample(sample_events, sample_df):
    section = service_report.portfolio_section(sample_events, sample_df, "2026-10")
    html = section.html()
    assert ">Service levels and satisfaction</h2>" in html
    assert "Each breach in a month goes with" in html and "Mondays are hot" in html
    assert len(section.figures) >= 4


def test_portfolio_section_with_a_client_whose_events_have_no_responses(sample_events, sample_df):
    # a client with service events but no survey answers in the window: listed with a dash, not a crash
    others = sample_df[sample_df["client_id"].astype(str) != "C05"]
    html = service_report.portfolio_section(sample_events, others, "2026-10").html()
    assert ">Service levels and satisfaction</h2>" in html


def _cell(notebook: str, tag: str) -> str:
    nb = nbformat.read(REPORT_NOTEBOOKS / notebook, as_version=4)
    return next(c.source for c in nb.cells if tag in c.metadata.get("tags", []))


@pytest.mark.parametrize("notebook", ["client_report.ipynb", "portfolio.ipynb"])
def test_notebook_cell_shows_nothing_without_events(notebook, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append(a))
    assert 'events = ""' in _cell(notebook, "parameters")
    namespace = {"events": ""}
    exec(_cell(notebook, "service-levels"), namespace)
    assert shown == []


def test_client_report_notebook_renders_the_section(tmp_path, hand_csv):
    import papermill

    from insights.batch.runner import export_html
    from insights.reporting.summary import read_summary

    out = tmp_path / "c23.ipynb"
    notebook = papermill.execute_notebook(
        str(REPORT_NOTEBOOKS / "client_report.ipynb"),
        str(out),
        kernel_name="python3",
        progress_bar=False,
        parameters={
            "source": str(ROOT / "data" / "sample" / "responses.csv"),
            "client_id": "C23",
            "events": str(SAMPLE_EVENTS),
            "sla_target": 0.9,
        },
    )
    html = export_html(notebook, "C23")
    assert ">Service levels</h2>" in html and "target 90%" in html
    assert html.index(">Service levels<") < html.index(">Caveats<")
    figures = {f["label"]: f for f in read_summary(notebook)["figures"]}
    assert figures["SLA attainment"]["value"].endswith("%")


def test_a_changed_events_file_changes_every_fingerprint(tmp_path, sample_df):
    events = tmp_path / "events.csv"
    events.write_text(HAND)
    parameters = {"source": "s.csv", "period": "2026-10", "months": 12, "survey": "", "events": str(events)}

    def fingerprints():
        tasks = plan_tasks(
            sample_df,
            out_dir=tmp_path,
            client_notebook=REPORT_NOTEBOOKS / "client_report.ipynb",
            portfolio_notebook=REPORT_NOTEBOOKS / "portfolio.ipynb",
            clients=["C03", "C23"],
            base_parameters=parameters,
            version="1",
            inputs=input_digests(parameters),
        )
        return {t.key: t.fingerprint for t in tasks}

    before = fingerprints()
    assert fingerprints() == before  # stable
    events.write_text(HAND.replace("E7,B", "E8,B"))
    after = fingerprints()
    assert set(after) == set(before) and all(after[k] != before[k] for k in before)
    assert input_digests({"events": ""}) == {} and file_digest(events) == input_digests(parameters)["events"]


def test_run_rejects_bad_events_before_rendering(run_cli, tmp_path, sample_csv):
    (tmp_path / "bad.csv").write_text(HEADER + "E1,A,x,2026-03-02T09:00Z,2026-03-01T17:00Z,,,,\n")
    code, _, err = run_cli("run", sample_csv, "--out", tmp_path / "out", "--events", tmp_path / "bad.csv")
    assert code == 1 and "bad.csv: due_at: due before opened_at in row 1" in err
    assert not (tmp_path / "out").exists()
