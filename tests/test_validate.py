"""`insights validate` and `insights.load` on a battery of malformed and quirky files."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import DATA

import insights
from insights import SurveyDataError

MALFORMED = DATA / "malformed"

# file -> every line the error must contain (one line per problem, naming file, column, rows, values)
EXPECTED_ERRORS = {
    "missing_column.csv": ["missing_column.csv: missing required column(s): overall_satisfaction"],
    "bad_scores.csv": [
        "bad_scores.csv: overall_satisfaction: non-numeric values in row 4 (good)",
        "bad_scores.csv: likelihood_to_recommend: values outside 0-10 in row 3 (11)",
        "bad_scores.csv: communication: values outside 1-5 in rows 2, 3 (7, 0)",
    ],
    "duplicate_ids.csv": ["duplicate_ids.csv: response_id: duplicate response ids in rows 1, 2 (R1, R1)"],
    "bad_dates.csv": [
        "bad_dates.csv: submitted_at: not an ISO 8601 date",
        "in rows 2, 3 (05/01/2026, next tuesday)",
    ],
    "empty.csv": ["empty.csv: file is empty"],
    "header_only.csv": ["header_only.csv: no responses"],
    "not_text.csv": ["not_text.csv: not a text file"],
    "missing_values.csv": [
        "missing_values.csv: client_id: missing values in row 1",
        "missing_values.csv: client_type: values other than 'external' or 'internal' in row 2 (partner)",
        "missing_values.csv: overall_satisfaction: missing values in row 2",
    ],
    "bad_weights.csv": ["bad_weights.csv: weight: weights must be positive numbers in rows 2, 3 (0, -2)"],
}


def test_every_malformed_file_is_covered():
    assert sorted(p.name for p in MALFORMED.iterdir()) == sorted(EXPECTED_ERRORS)


@pytest.mark.parametrize("name", sorted(EXPECTED_ERRORS))
def test_validate_rejects_with_named_lines(run_cli, name):
    code, out, err = run_cli("validate", MALFORMED / name)
    assert code == 1
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    for expected in EXPECTED_ERRORS[name]:
        assert any(expected in line for line in lines), (expected, lines)
    # exactly one line per problem, each naming the file
    assert all(line.startswith(f"error: {name}: ") for line in lines)


@pytest.mark.parametrize("name", ["bad_scores.csv", "missing_values.csv"])
def test_load_collects_every_problem(name):
    with pytest.raises(SurveyDataError) as info:
        insights.load(MALFORMED / name)
    assert len(info.value.problems) == len(EXPECTED_ERRORS[name])


def test_missing_path_is_a_clear_error(run_cli, tmp_path):
    code, _, err = run_cli("validate", tmp_path / "nope.csv")
    assert code == 1 and "nope.csv: file not found" in err


def test_folder_and_unknown_suffix_are_errors(run_cli, tmp_path):
    code, _, err = run_cli("validate", tmp_path)
    assert code == 1 and "is a folder" in err
    other = tmp_path / "survey.sav.zip"
    other.write_bytes(b"zip")
    code, _, err = run_cli("validate", other)
    assert code == 1 and "unsupported file type '.zip'" in err


def test_latin1_file_is_rejected_with_advice(run_cli, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(
        "response_id,client_id,submitted_at,overall_satisfaction,comment\nR1,C1,2026-01-01,4,caf\xe9\n".encode(
            "latin-1"
        )
    )
    code, _, err = run_cli("validate", path, "--survey", _survey_without_drivers(tmp_path))
    assert code == 1 and "not UTF-8" in err and "latin.csv" in err


def _survey_without_drivers(tmp_path):
    path = tmp_path / "survey.toml"
    path.write_text('[drivers]\nquality = "Quality"\n')
    text = path.read_text()
    path.write_text(text)
    return path


def test_quirks_are_accepted_quietly(run_cli):
    code, out, err = run_cli("validate", DATA / "accepted" / "quirks.csv")
    assert code == 0, err
    assert "3 responses" in out


def test_quirks_are_typed_correctly():
    df = insights.load(DATA / "accepted" / "quirks.csv", warn=False)
    assert list(df["response_id"]) == ["R1", "R2", "R3"]
    assert df["client_name"].iloc[0] == "Acme, Inc."  # quoted comma
    assert df["comment"].iloc[0] == 'They said "great", then\r\nleft early'  # quotes and a newline
    assert np.isnan(df["responsiveness"].iloc[0])  # blank rating
    assert df["overall_satisfaction"].iloc[0] == 4.0  # integral float "4.0"
    assert df["client_type"].iloc[2] == "internal"  # " Internal " trimmed and lower-cased
    assert df["region"].tolist() == ["EMEA", "EMEA", "APAC"]  # extra column kept
    assert pd.api.types.is_datetime64_any_dtype(df["submitted_at"])
    # +02:00 is converted to UTC
    assert df["submitted_at"].iloc[2] == pd.Timestamp("2026-02-01T08:00:00")
    assert str(df["period"].iloc[2]) == "2026-02"
    assert isinstance(df["client_id"].dtype, pd.CategoricalDtype)
    assert df["client_name"].iloc[2] == "Beta"


def test_client_name_defaults_to_client_id(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("response_id,client_id,submitted_at,overall_satisfaction,quality\nR1,C9,2026-01-01,4,4\n")
    df = insights.load(path, survey=_survey_without_drivers(tmp_path), warn=False)
    assert df["client_name"].iloc[0] == "C9"
    assert df["client_type"].iloc[0] == "external"


def test_semicolon_and_tab_delimiters_are_sniffed(tmp_path):
    survey = _survey_without_drivers(tmp_path)
    text = "response_id;client_id;submitted_at;overall_satisfaction;quality\nR1;C1;2026-01-01;4;5\n"
    (tmp_path / "semi.csv").write_text(text)
    (tmp_path / "tabs.tsv").write_text(text.replace(";", "\t"))
    for name in ("semi.csv", "tabs.tsv"):
        df = insights.load(tmp_path / name, survey=survey, warn=False)
        assert df["quality"].iloc[0] == 5.0


def test_parquet_gives_the_same_data(tmp_path, sample_csv, sample_df):
    raw = pd.read_csv(sample_csv)
    raw.to_parquet(tmp_path / "s.parquet")
    from_parquet = insights.load(tmp_path / "s.parquet", warn=False)
    cols = ["overall_satisfaction", "quality", "likelihood_to_recommend"]
    pd.testing.assert_frame_equal(from_parquet[cols], sample_df[cols])
    assert (from_parquet["period"] == sample_df["period"]).all()


def test_warnings_for_few_responses_repeats_and_straight_lining(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text(
        "response_id,client_id,respondent_id,submitted_at,overall_satisfaction,communication,quality,value\n"
        "R1,C1,P1,2026-01-01,4,4,4,4\n"
        "R2,C1,P1,2026-01-20,4,3,4,5\n"
        "R3,C1,P2,2026-02-01,4,3,4,5\n"
    )
    survey = tmp_path / "survey.toml"
    survey.write_text('[drivers]\ncommunication = "C"\nquality = "Q"\nvalue = "V"\n')
    result = insights.validate(path, survey)
    text = "\n".join(map(str, result.warnings))
    assert "1 client(s) with fewer than 5 responses: C1 (3)" in text
    assert (
        "respondent_id: the same respondent answered more than once in a month in rows 1, 2 (P1, P1)" in text
    )
    assert "straight-lining) in row 1" in text
    with pytest.warns(insights.SurveyDataWarning):
        insights.load(path, survey)


def test_missing_driver_column_names_the_survey_definition(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("response_id,client_id,submitted_at,overall_satisfaction\nR1,C1,2026-01-01,4\n")
    with pytest.raises(SurveyDataError, match="missing driver column.*communication.*default survey"):
        insights.load(path)


def test_custom_scale_from_survey_definition(tmp_path):
    survey = tmp_path / "seven.toml"
    survey.write_text(
        '[scales.overall]\nmin = 1\nmax = 7\n[scales.drivers]\nmin = 1\nmax = 7\n[drivers]\nquality = "Quality"\n'
    )
    path = tmp_path / "s.csv"
    path.write_text(
        "response_id,client_id,submitted_at,overall_satisfaction,quality\nR1,C1,2026-01-01,7,6\nR2,C1,2026-01-02,8,6\n"
    )
    with pytest.raises(SurveyDataError, match=r"overall_satisfaction: values outside 1-7 in row 2 \(8\)"):
        insights.load(path, survey)


def test_bad_survey_definition_is_a_one_line_error(run_cli, tmp_path, sample_csv):
    bad = tmp_path / "bad.toml"
    bad.write_text("[scales.overall]\nmin = 5\nmax = 1\n[drivers]\nquality='Q'\n")
    code, _, err = run_cli("validate", sample_csv, "--survey", bad)
    assert code == 1 and "bad.toml: scales.overall: min (5) must be below max (1)" in err
    code, _, err = run_cli("validate", sample_csv, "--survey", tmp_path / "none.toml")
    assert code == 1 and "none.toml: survey definition not found" in err


def test_sample_validates_with_summary(run_cli, sample_csv):
    code, out, err = run_cli("validate", sample_csv, "--format", "json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["clients"] == 30 and summary["internal_clients"] == 6
    assert len(summary["responses_per_month"]) == 12
    assert summary["responses"] == sum(summary["responses_per_month"].values())


def test_console_script_never_shows_a_traceback(tmp_path):
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b'"unterminated,\n' * 3)
    proc = subprocess.run(
        [sys.executable, "-m", "insights.cli", "validate", str(garbage)], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: garbage.csv")


def test_usage_errors_exit_2(run_cli, sample_csv):
    code, _, err = run_cli("validate", sample_csv, "--format", "xml")
    assert code == 2 and "xml" in err


def test_shipped_survey_definition_names_the_default_drivers():
    from insights.data.survey import DEFAULT_DRIVERS

    assert insights.SurveyDefinition.default().driver_names == DEFAULT_DRIVERS


def test_the_validation_core_names_file_column_rows_and_values():
    """One core checks every input: each rule's problems name the file inside a folder, the column,
    the rows of that file and the values; an id in two files is named with both."""
    from insights.data.sources.base import RowOrigins
    from insights.data.validation import Boolean, Checker, Choice, Dates, Number, Text, Unique

    raw = pd.DataFrame(
        {
            "id": ["a", "b", "b", ""],
            "kind": ["X", "y", "z", ""],
            "n": ["1", "-2", "x", ""],
            "when": ["2026-01-01", "soon", "", "2026-01-02T10:00+02:00"],
            "flag": ["yes", "no", "maybe", ""],
        }
    )
    two_files = [(RowOrigins.sequential(2), "drops/a.csv"), (RowOrigins.sequential(2), "drops/b.csv")]
    check = Checker(raw, "drops", RowOrigins.concat(two_files))
    rules = [
        Text("id", required=True),
        Unique("id", "duplicate ids", noun="id"),
        Choice("kind", ("x", "y"), "values other than x, y", default="x"),
        Number("n", low=0, outside="negative values", blank_as=0.0),
        Dates("when", hint="not a date"),
        Boolean("flag"),
    ]
    tidy = check.apply(rules, pd.DataFrame(index=raw.index))
    assert [str(p) for p in check.problems] == [
        "drops/b.csv: id: missing values in row 2",
        "drops: id: 1 id(s) appear in more than one file (a.csv, b.csv): b (a.csv row 2, b.csv row 1)",
        "drops/b.csv: kind: values other than x, y in row 1 (z)",
        "drops/b.csv: n: non-numeric values in row 1 (x)",
        "drops/a.csv: n: negative values in row 2 (-2)",
        "drops/a.csv: when: not a date in row 2 (soon)",
        "drops/b.csv: when: missing dates in row 1",
        "drops/b.csv: flag: values other than true/false (or yes/no, 1/0) in row 1 (maybe)",
    ]
    assert tidy["kind"].tolist() == ["x", "y", "z", "x"]  # lower case; a blank is the default
    assert tidy["n"].tolist()[:2] == [1.0, -2.0] and tidy["n"].iloc[3] == 0.0
    assert tidy["when"].iloc[3] == pd.Timestamp("2026-01-02T08:00Z")  # the offset honoured, in UTC
    assert tidy["flag"].tolist() == [True, False, False, False]
