"""The fast paths for large surveys agree with the straightforward ones, on small data.

Loading a million responses and analysing them in seconds needs shortcuts: pyarrow's CSV reader
instead of pandas', numbers and dates parsed once per distinct text, per-client checks on integer
codes, an arrow sort, closed-form derivatives for the ordered logit, a numpy regression instead of
statsmodels'.  Each test here computes the same thing the plain way (the pandas reader, a parse
per row, groupby, np.lexsort, numerical derivatives, statsmodels) and demands the same answer.
No timings: speed is measured by benchmarks/bench_large.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import insights
from insights import SurveyDataError
from insights.io import read_raw
from insights.load import _in_time_order
from insights.sources import text as text_source

HEADER = (
    "response_id,client_id,client_type,respondent_id,submitted_at,overall_satisfaction,"
    "likelihood_to_recommend,communication,responsiveness,quality,timeliness,value,expertise,comment"
)
ROWS = [
    "R1,C1,external,P1,2026-01-01,4,9,4,4,5,3,4,4,fine",
    "R2,C1, Internal ,P2,2026-01-02T10:00:00+02:00,5,10,5,5,5,5,5,5,",
    'R3,C2,,P1,2026-01-03 09:30,3,,3,,4,3,3,2,"multi\nline, ""quoted"""',
    "R4,C2,EXTERNAL,,2026-02-01T00:00:00Z,2,5,2,2,2,2,2,2,NA",
    "R5,C3,external,P3,2026-02-15,4.0,8,4,3,4.5,3,4,4,null",
    "R6,C3,external,P3,2026-02-16,1,0,1,1,1,1,1,1,  spaces  ",
    'R7,C3,internal,P4,2026-01-01,5,10,5,4,5,4,5,4,"a ""b"" c"',
    'R8,C4,external,P5,2026-03-01,"3","7",3,3,3,3,3,3,""',
]


def _csv(lines: list[str], newline: str = "\n", bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + newline.join(lines) + newline).encode("utf-8")


# name -> file content: every one valid for pyarrow's reader, with the quirks pandas handles
FAST_FILES = {
    "plain.csv": _csv([HEADER] + [r for r in ROWS if '"' not in r]),
    "quoted.csv": _csv([HEADER] + ROWS),
    "crlf.csv": _csv([HEADER] + ROWS, newline="\r\n"),
    "bom.csv": _csv([HEADER] + ROWS, bom=True),
    "blank_lines.csv": _csv([HEADER, ""] + ROWS[:3] + ["", ""] + ROWS[3:]),
    "semicolons.csv": _csv([line.replace(",", ";") for line in [HEADER] + ROWS[:2] + ROWS[3:6]]),
    "header_spaces.csv": _csv([HEADER.replace(",", " , ")] + ROWS),
    "no_final_newline.csv": (HEADER + "\n" + "\n".join(ROWS)).encode("utf-8"),
    "bad_values.csv": _csv([HEADER] + [r.replace(",4,4,", ",x,9,") for r in ROWS] + [
        "R9,C5,partner,P1,05/01/2026, 4 ,11,+4,.5e1,5.,0x4,inf,nan,",
        "R9,,external,P1,,NaN,1e1,4 4,-0,1_0,٤,-inf,Infinity,",
    ]),
}

# name -> content pyarrow must not read (pandas does, or says what is wrong)
SLOW_FILES = {
    "duplicate_header.csv": _csv([HEADER + ",quality"] + [r + ",4" for r in ROWS]),
    "empty_header_cell.csv": _csv([HEADER + ","] + [r + "," for r in ROWS]),
    "ragged_short.csv": _csv([HEADER] + ROWS[:3] + ["R9,C9,external"]),
    "ragged_long.csv": _csv([HEADER] + ROWS[:3] + [ROWS[3] + ",extra"]),
    "open_quote.csv": _csv([HEADER] + ROWS + ['R9,C9,external,P1,2026-01-01,4,9,4,4,4,4,4,4,"unterminated']),
    "whitespace_line.csv": _csv([HEADER] + ROWS + ["   "]),
    "latin1.csv": _csv([HEADER] + ROWS[:2]) + "R9,C9,external,P1,2026-01-01,4,9,4,4,4,4,4,4,caf\xe9\n".encode("latin-1"),
    "carriage_returns.csv": _csv([HEADER] + ROWS[:2], newline="\r"),
}


def _outcome(path):
    """What insights.load makes of a file: the frame, or the error lines."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return insights.load(path, warn=False)
    except SurveyDataError as exc:
        return str(exc)


def _assert_same(fast, slow):
    if isinstance(slow, str) or isinstance(fast, str):
        assert fast == slow
        return
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    for column in slow.columns:
        assert repr(fast[column].dtype) == repr(slow[column].dtype), column
    assert fast.attrs == slow.attrs


@pytest.fixture
def pandas_only(monkeypatch):
    """Read every CSV with pandas, as before the arrow reader."""
    monkeypatch.setattr(text_source, "_read_with_arrow", lambda *args: None)


@pytest.mark.parametrize("name", sorted(FAST_FILES))
def test_arrow_csv_reader_gives_the_pandas_frame(tmp_path, name, monkeypatch):
    path = tmp_path / name
    path.write_bytes(FAST_FILES[name])
    used = []
    original = text_source._read_with_arrow

    def spy(*args):
        frame = original(*args)
        used.append(frame is not None)
        return frame

    monkeypatch.setattr(text_source, "_read_with_arrow", spy)
    fast_raw = read_raw(path).frame
    fast = _outcome(path)
    assert used and all(used), "the arrow reader should have read this file"
    monkeypatch.setattr(text_source, "_read_with_arrow", lambda *args: None)
    slow_raw = read_raw(path).frame
    pd.testing.assert_frame_equal(fast_raw, slow_raw, check_exact=True)
    _assert_same(fast, _outcome(path))


@pytest.mark.parametrize("name", sorted(SLOW_FILES))
def test_files_pyarrow_would_misread_go_to_pandas(tmp_path, name, monkeypatch):
    path = tmp_path / name
    path.write_bytes(SLOW_FILES[name])
    fast = _outcome(path)
    assert text_source._read_with_arrow(path, ",", path.read_bytes()[:65536].decode("utf-8", "ignore")) is None
    monkeypatch.setattr(text_source, "_read_with_arrow", lambda *args: None)
    _assert_same(fast, _outcome(path))


def test_unterminated_quote_is_still_a_parse_error(tmp_path):
    path = tmp_path / "open_quote.csv"
    path.write_bytes(SLOW_FILES["open_quote.csv"])
    assert "open_quote.csv: cannot parse as comma-separated text" in _outcome(path)


def _messy_survey(n: int, seed: int) -> pd.DataFrame:
    """Text cells as a CSV holds them, with blanks, odd numbers, offsets, few-response clients,
    mixed client types, repeated respondents and straight-liners."""
    rng = np.random.default_rng(seed)
    scores = np.array(["1", "2", "3", "4", "5", " 4 ", "4.0", "5.", "+3", "2.5", ""], dtype=object)
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    stamps = np.where(
        rng.random(n) < 0.2,
        days.strftime("%Y-%m-%dT%H:%M:%S+02:00"),
        np.where(rng.random(n) < 0.5, days.strftime("%Y-%m-%d"), days.strftime("%Y-%m-%d %H:%M")),
    )
    frame = pd.DataFrame({
        "response_id": [f"R{i}" for i in rng.permutation(n)],
        "client_id": [f"C{c:02d}" for c in rng.integers(0, 40, n)],
        "client_type": rng.choice(["external", "internal", " Internal", "EXTERNAL", ""], n),
        "respondent_id": np.where(rng.random(n) < 0.05, "", [f"P{c}" for c in rng.integers(0, n // 4, n)]),
        "submitted_at": stamps,
        "overall_satisfaction": rng.choice(scores[:-1], n),
        "likelihood_to_recommend": rng.choice(np.array([str(v) for v in range(11)] + [""], dtype=object), n),
    })
    for driver in insights.drivers.DEFAULT_DRIVERS:
        frame[driver] = rng.choice(scores, n)
    frame.loc[:9, list(insights.drivers.DEFAULT_DRIVERS)] = "3"  # straight-liners
    frame.loc[frame.index[-3:], "client_id"] = "Z-few"
    frame["comment"] = np.where(rng.random(n) < 0.3, "ok", "")
    return frame


def test_messy_survey_validates_the_same_with_either_reader(tmp_path, monkeypatch):
    path = tmp_path / "messy.csv"
    _messy_survey(3000, seed=1).to_csv(path, index=False)
    fast = insights.validate(path)
    monkeypatch.setattr(text_source, "_read_with_arrow", lambda *args: None)
    slow = insights.validate(path)
    _assert_same(fast.data, slow.data)
    assert [str(w) for w in fast.warnings] == [str(w) for w in slow.warnings]


def test_numbers_and_dates_parsed_per_distinct_value_match_a_parse_per_row(tmp_path):
    raw = _messy_survey(2000, seed=2)
    path = tmp_path / "messy.csv"
    raw.to_csv(path, index=False)
    data = insights.validate(path).data
    text = pd.read_csv(path, dtype=str, keep_default_na=False)
    order = pd.Index(data["response_id"]).get_indexer(text["response_id"])
    for column in ["overall_satisfaction", "likelihood_to_recommend", *insights.drivers.DEFAULT_DRIVERS]:
        expected = [float(v) if v.strip() else np.nan for v in text[column]]
        np.testing.assert_array_equal(data[column].to_numpy()[order], expected)
    expected_dates = [pd.Timestamp(v).tz_convert("UTC").tz_localize(None) if "+" in v else pd.Timestamp(v)
                      for v in text["submitted_at"]]
    assert list(data["submitted_at"].iloc[order]) == expected_dates


def test_per_client_warnings_and_types_match_groupby(tmp_path):
    path = tmp_path / "messy.csv"
    _messy_survey(3000, seed=3).to_csv(path, index=False)
    result = insights.validate(path)
    data = result.data
    warned = "\n".join(map(str, result.warnings))
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    # Reference computations, the plain pandas way.
    counts = raw.groupby("client_id").size()
    few = counts[counts < 5]
    assert f"{len(few)} client(s) with fewer than 5 responses: " + ", ".join(
        f"{c} ({n})" for c, n in few.head(5).items()) in warned
    types = raw["client_type"].str.strip().str.lower().replace("", "external")
    per_client = types.groupby(raw["client_id"]).agg(lambda t: t.mode().iloc[0])
    by_id = data.set_index("response_id")
    expected_type = raw["client_id"].map(per_client)
    assert list(by_id.loc[raw["response_id"], "client_type"].astype(str)) == list(expected_type)
    mixed = types.groupby(raw["client_id"]).nunique()
    assert "marked both external and internal: " + ", ".join(mixed[mixed > 1].index[:5]) in warned
    assert list(data["client_id"].cat.categories) == sorted(raw["client_id"].unique())
    assert repr(data["client_id"].dtype) == repr(data["client_id"].astype(str).astype("string").astype("category").dtype)
    respondents = raw["respondent_id"].replace("", np.nan)
    periods = pd.to_datetime(raw["submitted_at"], format="ISO8601", utc=True).dt.tz_localize(None).dt.to_period("M")
    key = pd.DataFrame({"r": respondents, "c": raw["client_id"], "p": periods})
    repeat = (key.duplicated(keep=False) & respondents.notna()).to_numpy()
    repeat_warning = next(w for w in result.warnings if "more than once in a month" in w.message)
    assert list(repeat_warning.rows) == list(np.flatnonzero(repeat) + 1)
    answers = raw[list(insights.drivers.DEFAULT_DRIVERS)].apply(lambda c: pd.to_numeric(c.str.strip()))
    same = (answers.notna().all(axis=1) & answers.nunique(axis=1).eq(1)).to_numpy()
    straight = next(w for w in result.warnings if "straight-lining" in w.message)
    assert list(straight.rows) == list(np.flatnonzero(same) + 1)


def test_problems_name_rows_and_values_of_numeric_parquet_columns(tmp_path):
    frame = _messy_survey(200, seed=4).replace("", np.nan)
    for column in ["overall_satisfaction", *insights.drivers.DEFAULT_DRIVERS]:
        frame[column] = pd.to_numeric(frame[column].str.strip())
    frame.loc[[3, 150], "overall_satisfaction"] = np.nan
    frame.loc[[7, 8], "quality"] = [9.0, -1.0]
    frame.to_parquet(tmp_path / "s.parquet", index=False)
    with pytest.raises(SurveyDataError) as info:
        insights.load(tmp_path / "s.parquet")
    lines = str(info.value).splitlines()
    assert "s.parquet: overall_satisfaction: missing values in rows 4, 151" in lines
    assert "s.parquet: quality: values outside 1-5 in rows 8, 9 (9.0, -1.0)" in lines


def test_time_order_matches_lexsort():
    rng = np.random.default_rng(5)
    n = 5000
    ids = np.array([f"{p}{i}" for p, i in zip(rng.choice(["R", "r", "Ä", "ß", "10", "9", "é"], n), rng.permutation(n))])
    data = pd.DataFrame({
        "response_id": pd.array(ids, dtype="string"),
        "submitted_at": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 50, n), unit="h"),
        "x": np.arange(n),
    })
    expected = np.lexsort((data["response_id"].astype(str).to_numpy(), data["submitted_at"].to_numpy()))
    ordered = _in_time_order(data)
    np.testing.assert_array_equal(ordered["x"].to_numpy(), expected)
    assert _in_time_order(ordered) is ordered
