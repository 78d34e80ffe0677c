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
from insights.data.load import _in_time_order
from insights.data.read import read_raw
from insights.data.sources import text as text_source

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
    "bad_values.csv": _csv(
        [HEADER]
        + [r.replace(",4,4,", ",x,9,") for r in ROWS]
        + [
            "R9,C5,partner,P1,05/01/2026, 4 ,11,+4,.5e1,5.,0x4,inf,nan,",
            "R9,,external,P1,,NaN,1e1,4 4,-0,1_0,٤,-inf,Infinity,",
        ]
    ),
}

# name -> content pyarrow must not read (pandas does, or says what is wrong)
SLOW_FILES = {
    "duplicate_header.csv": _csv([HEADER + ",quality"] + [r + ",4" for r in ROWS]),
    "empty_header_cell.csv": _csv([HEADER + ","] + [r + "," for r in ROWS]),
    "ragged_short.csv": _csv([HEADER] + ROWS[:3] + ["R9,C9,external"]),
    "ragged_long.csv": _csv([HEADER] + ROWS[:3] + [ROWS[3] + ",extra"]),
    "open_quote.csv": _csv([HEADER] + ROWS + ['R9,C9,external,P1,2026-01-01,4,9,4,4,4,4,4,4,"unterminated']),
    "whitespace_line.csv": _csv([HEADER] + ROWS + ["   "]),
    "latin1.csv": _csv([HEADER] + ROWS[:2])
    + "R9,C9,external,P1,2026-01-01,4,9,4,4,4,4,4,4,caf\xe9\n".encode("latin-1"),
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
    assert (
        text_source._read_with_arrow(path, ",", path.read_bytes()[:65536].decode("utf-8", "ignore")) is None
    )
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
    frame = pd.DataFrame(
        {
            "response_id": [f"R{i}" for i in rng.permutation(n)],
            "client_id": [f"C{c:02d}" for c in rng.integers(0, 40, n)],
            "client_type": rng.choice(["external", "internal", " Internal", "EXTERNAL", ""], n),
            "respondent_id": np.where(
                rng.random(n) < 0.05, "", [f"P{c}" for c in rng.integers(0, n // 4, n)]
            ),
            "submitted_at": stamps,
            "overall_satisfaction": rng.choice(scores[:-1], n),
            "likelihood_to_recommend": rng.choice(
                np.array([str(v) for v in range(11)] + [""], dtype=object), n
            ),
        }
    )
    for driver in insights.stats.drivers.DEFAULT_DRIVERS:
        frame[driver] = rng.choice(scores, n)
    frame.loc[:9, list(insights.stats.drivers.DEFAULT_DRIVERS)] = "3"  # straight-liners
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
    for column in [
        "overall_satisfaction",
        "likelihood_to_recommend",
        *insights.stats.drivers.DEFAULT_DRIVERS,
    ]:
        expected = [float(v) if v.strip() else np.nan for v in text[column]]
        np.testing.assert_array_equal(data[column].to_numpy()[order], expected)
    expected_dates = [
        pd.Timestamp(v).tz_convert("UTC").tz_localize(None) if "+" in v else pd.Timestamp(v)
        for v in text["submitted_at"]
    ]
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
    assert (
        f"{len(few)} client(s) with fewer than 5 responses: "
        + ", ".join(f"{c} ({n})" for c, n in few.head(5).items())
        in warned
    )
    types = raw["client_type"].str.strip().str.lower().replace("", "external")
    per_client = types.groupby(raw["client_id"]).agg(lambda t: t.mode().iloc[0])
    by_id = data.set_index("response_id")
    expected_type = raw["client_id"].map(per_client)
    assert list(by_id.loc[raw["response_id"], "client_type"].astype(str)) == list(expected_type)
    mixed = types.groupby(raw["client_id"]).nunique()
    assert "marked both external and internal: " + ", ".join(mixed[mixed > 1].index[:5]) in warned
    assert list(data["client_id"].cat.categories) == sorted(raw["client_id"].unique())
    assert repr(data["client_id"].dtype) == repr(
        data["client_id"].astype(str).astype("string").astype("category").dtype
    )
    respondents = raw["respondent_id"].replace("", np.nan)
    periods = (
        pd.to_datetime(raw["submitted_at"], format="ISO8601", utc=True).dt.tz_localize(None).dt.to_period("M")
    )
    key = pd.DataFrame({"r": respondents, "c": raw["client_id"], "p": periods})
    repeat = (key.duplicated(keep=False) & respondents.notna()).to_numpy()
    repeat_warning = next(w for w in result.warnings if "more than once in a month" in w.message)
    assert list(repeat_warning.rows) == list(np.flatnonzero(repeat) + 1)
    answers = raw[list(insights.stats.drivers.DEFAULT_DRIVERS)].apply(lambda c: pd.to_numeric(c.str.strip()))
    same = (answers.notna().all(axis=1) & answers.nunique(axis=1).eq(1)).to_numpy()
    straight = next(w for w in result.warnings if "straight-lining" in w.message)
    assert list(straight.rows) == list(np.flatnonzero(same) + 1)


def test_problems_name_rows_and_values_of_numeric_parquet_columns(tmp_path):
    frame = _messy_survey(200, seed=4).replace("", np.nan)
    for column in ["overall_satisfaction", *insights.stats.drivers.DEFAULT_DRIVERS]:
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
    ids = np.array(
        [f"{p}{i}" for p, i in zip(rng.choice(["R", "r", "Ä", "ß", "10", "9", "é"], n), rng.permutation(n))]
    )
    data = pd.DataFrame(
        {
            "response_id": pd.array(ids, dtype="string"),
            "submitted_at": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 50, n), unit="h"),
            "x": np.arange(n),
        }
    )
    expected = np.lexsort((data["response_id"].astype(str).to_numpy(), data["submitted_at"].to_numpy()))
    ordered = _in_time_order(data)
    np.testing.assert_array_equal(ordered["x"].to_numpy(), expected)
    assert _in_time_order(ordered) is ordered


# ---------------------------------------------------------------------------
# Key drivers: the fast routes against statsmodels and plain numpy
# ---------------------------------------------------------------------------

from insights.stats.drivers.bootstrap import _bootstrap_importance, _cluster_resample_corrs  # noqa: E402
from insights.stats.drivers.findings import _performance_gaps  # noqa: E402
from insights.stats.drivers.moments import _group_sums, _Moments  # noqa: E402
from insights.stats.drivers.ordered_logit import _ordered_logit_start  # noqa: E402
from insights.stats.drivers.ordered_logit_model import _ordered_logit_class  # noqa: E402
from insights.stats.drivers.prepare import _prepare_sample  # noqa: E402

DRIVERS = list(insights.stats.drivers.DEFAULT_DRIVERS)


def _responses(n: int, n_clients: int, seed: int, levels: int = 5) -> pd.DataFrame:
    """Correlated 1-5 ratings, clients, an ordinal outcome and survey weights."""
    rng = np.random.default_rng(seed)
    client = rng.integers(0, n_clients, n)
    latent = 3.4 + rng.normal(0, 0.7, (n, 1)) + rng.normal(0, 0.4, (n_clients, 1))[client]
    ratings = np.clip(np.rint(latent + rng.normal(0, 0.6, (n, len(DRIVERS)))), 1, 5)
    score = ratings @ np.array([0.3, 0.25, 0.15, 0.1, 0.1, 0.0]) + rng.logistic(0, 0.4, n)
    cuts = np.quantile(score, np.linspace(0, 1, levels + 1)[1:-1])
    frame = pd.DataFrame(ratings, columns=DRIVERS)
    frame["overall_satisfaction"] = np.digitize(score, cuts) + 1.0
    frame["client_id"] = pd.Categorical([f"C{c:03d}" for c in client])
    frame["weight"] = rng.uniform(0.3, 3.0, n)
    return frame


def _sample(frame, weight=None, cluster="client_id"):
    sample, reason, _, _ = _prepare_sample(frame, DRIVERS, "overall_satisfaction", weight, cluster)
    assert reason is None
    return sample


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("levels", [2, 5, 7])
def test_ordered_logit_derivatives_are_those_of_statsmodels_likelihood(weighted, levels):
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.tools.numdiff import approx_fprime, approx_hess

    frame = _responses(1500, 10, seed=levels, levels=levels)
    y, x = frame["overall_satisfaction"].to_numpy(), frame[DRIVERS].to_numpy()
    weights = frame["weight"].to_numpy() if weighted else None
    fast = _ordered_logit_class()(y, x, weights)
    reference = OrderedModel(y, x, distr="logit")

    def loglikeobs(params):
        values = reference.loglikeobs(params)
        return values if weights is None else values * weights

    rng = np.random.default_rng(levels)
    params = reference.start_params + rng.normal(0, 0.1, len(reference.start_params))
    assert fast.loglike(params) == pytest.approx(loglikeobs(params).sum(), rel=1e-12)
    np.testing.assert_allclose(fast.loglikeobs(params), loglikeobs(params), rtol=1e-12)
    np.testing.assert_allclose(
        fast.score(params),
        approx_fprime(params, lambda t: loglikeobs(t).sum(), centered=True),
        rtol=1e-6,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        fast.score_obs(params), approx_fprime(params, loglikeobs, centered=True), rtol=1e-5, atol=1e-7
    )
    np.testing.assert_allclose(
        fast.hessian(params), approx_hess(params, lambda t: loglikeobs(t).sum()), rtol=1e-4, atol=1e-3
    )


@pytest.mark.parametrize(
    ("weight", "cluster", "se_type"),
    [
        (None, None, "nonrobust"),
        (None, "client_id", "cluster"),
        ("weight", None, "HC0"),
        ("weight", "client_id", "cluster"),
    ],
)
def test_ordered_logit_matches_statsmodels_with_numerical_derivatives(weight, cluster, se_type):
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    frame = _responses(2000, 25, seed=7)
    result = insights.key_drivers(frame, DRIVERS, weight=weight, cluster=cluster)
    assert result.ordered_logit_se_type == se_type
    y, x = frame["overall_satisfaction"].to_numpy(), frame[DRIVERS].to_numpy()
    weights = None if weight is None else frame["weight"].to_numpy() / frame["weight"].mean()

    class Reference(OrderedModel):  # statsmodels' own numerical derivatives, weights as in insights
        def loglikeobs(self, params):
            values = super().loglikeobs(params)
            return values if weights is None else values * weights

    kwargs = {}
    if cluster:
        kwargs = {"cov_type": "cluster", "cov_kwds": {"groups": frame["client_id"].cat.codes.to_numpy()}}
    elif weight:
        kwargs = {"cov_type": "HC0"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = Reference(y, x, distr="logit").fit(
            method="bfgs", maxiter=5000, gtol=1e-9, disp=False, **kwargs
        )
    table = result.ordered_logit
    np.testing.assert_allclose(table["coef"], reference.params[: len(DRIVERS)], rtol=1e-6, atol=1e-7)
    cuts = reference.model.transform_threshold_params(reference.params)[1:-1]
    np.testing.assert_allclose(result.ordered_logit_thresholds["threshold"], cuts, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(table["se"], reference.bse[: len(DRIVERS)], rtol=1e-5)


def test_ordered_logit_warm_start_reaches_the_same_maximum(monkeypatch):
    frame = _responses(20_000, 40, seed=8)
    monkeypatch.setattr("insights.stats.drivers.ordered_logit._WARM_START_ABOVE", 10**9)
    cold = insights.key_drivers(frame, DRIVERS, cluster="client_id")
    monkeypatch.setattr("insights.stats.drivers.ordered_logit._WARM_START_ABOVE", 1000)
    monkeypatch.setattr("insights.stats.drivers.ordered_logit._WARM_START_SIZE", 2000)
    sample = _sample(frame)
    assert _ordered_logit_start(sample, None, 5) is not None
    warm = insights.key_drivers(frame, DRIVERS, cluster="client_id")
    pd.testing.assert_frame_equal(warm.ordered_logit, cold.ordered_logit, rtol=1e-9)
    pd.testing.assert_frame_equal(warm.ordered_logit_thresholds, cold.ordered_logit_thresholds, rtol=1e-9)


@pytest.mark.parametrize("weight", [None, "weight"])
@pytest.mark.parametrize("cluster", ["client_id", None])
def test_linear_model_matches_statsmodels(weight, cluster):
    import statsmodels.api as sm

    frame = _responses(1500, 30, seed=9)
    frame.loc[frame.index[::97], "quality"] = np.nan  # a few incomplete responses
    result = insights.key_drivers(frame, DRIVERS, weight=weight, cluster=cluster)
    complete = frame[DRIVERS + ["overall_satisfaction"]].notna().all(axis=1)
    data = frame[complete]
    design = sm.add_constant(data[DRIVERS].to_numpy())
    y = data["overall_satisfaction"].to_numpy()
    model = sm.OLS(y, design) if weight is None else sm.WLS(y, design, weights=data["weight"].to_numpy())
    if cluster:
        fit = model.fit(
            cov_type="cluster", cov_kwds={"groups": data["client_id"].cat.codes.to_numpy()}, use_t=True
        )
    else:
        fit = model.fit(cov_type="HC3", use_t=True)
    table = result.coefficients
    np.testing.assert_allclose(table["coef"], fit.params, rtol=1e-10)
    np.testing.assert_allclose(table["se"], fit.bse, rtol=1e-10)
    np.testing.assert_allclose(table[["ci_low", "ci_high"]], fit.conf_int(), rtol=1e-10)
    np.testing.assert_allclose(table["p"], fit.pvalues, rtol=1e-8)
    assert result.r2 == pytest.approx(fit.rsquared, rel=1e-12)
    assert result.adj_r2 == pytest.approx(fit.rsquared_adj, rel=1e-12)


def test_leverage_one_hc1_matches_statsmodels():
    import statsmodels.api as sm

    frame = _responses(80, 1, seed=10)
    frame["value"] = 3.0
    frame.loc[0, "value"] = 5.0
    result = insights.key_drivers(frame, DRIVERS, cluster=None)
    assert result.se_type == "HC1"
    fit = sm.OLS(frame["overall_satisfaction"].to_numpy(), sm.add_constant(frame[DRIVERS].to_numpy())).fit(
        cov_type="HC1", use_t=True
    )
    np.testing.assert_allclose(result.coefficients["se"], fit.bse, rtol=1e-8)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("weighted", [False, True])
def test_group_sums_match_add_at(order, weighted):
    rng = np.random.default_rng(11)
    values = np.asarray(rng.normal(size=(5000, 7)), order=order)
    groups = rng.integers(0, 37, 5000)
    weights = rng.uniform(size=5000) if weighted else None
    expected = np.zeros((37, 7))
    np.add.at(expected, groups, values * (1 if weights is None else weights[:, None]))
    np.testing.assert_allclose(_group_sums(values, groups, 37, weights), expected, rtol=1e-12)
    np.testing.assert_allclose(_group_sums(values[:, 2], groups, 37, weights), expected[:, 2], rtol=1e-12)


def test_moments_match_numpy(monkeypatch):
    monkeypatch.setattr("insights.stats.drivers.moments._BLOCK_ROWS", 64)  # many blocks
    rng = np.random.default_rng(12)
    values = np.clip(np.rint(3.5 + rng.normal(0, 1, (1000, 5))), 1, 5)
    weights = rng.uniform(0.2, 2, 1000)
    for w in (None, weights):
        moments = _Moments.of(values[:, 1:], w, first=values[:, 0])
        np.testing.assert_allclose(moments.mean, np.average(values, axis=0, weights=w), rtol=1e-13)
        cov = np.cov(values, rowvar=False, aweights=w, ddof=0) * (len(values) if w is None else w.sum())
        np.testing.assert_allclose(moments.cross, cov, rtol=1e-11)
        np.testing.assert_allclose(
            moments.corr(),
            np.corrcoef(values, rowvar=False)
            if w is None
            else cov / np.sqrt(np.outer(np.diag(cov), np.diag(cov))),
            rtol=1e-11,
        )


@pytest.mark.parametrize("cluster", ["client_id", None])
def test_performance_gaps_match_the_response_by_response_formula(cluster, monkeypatch):
    monkeypatch.setattr("insights.stats.drivers.moments._BLOCK_ROWS", 100)
    frame = _responses(1200, 15, seed=13)
    sample = _sample(frame, weight="weight", cluster=cluster)
    x, w = sample.x, sample.weights
    deviations = x - x.mean(axis=1, keepdims=True)
    gap = w @ deviations / w.sum()
    units = np.arange(len(x)) if sample.groups is None else sample.groups
    n_units = int(units.max()) + 1
    unit_sums = np.zeros((n_units, x.shape[1]))
    np.add.at(unit_sums, units, w[:, None] * (deviations - gap))
    se = np.sqrt(n_units / (n_units - 1) * (unit_sums**2).sum(axis=0)) / w.sum()
    gaps = _performance_gaps(sample)
    np.testing.assert_allclose(gaps["gap"], gap, rtol=1e-12, atol=1e-15)
    half = gaps["ci_high"] - gaps["gap"]
    from scipy import stats

    np.testing.assert_allclose(half, stats.t.ppf(0.975, n_units - 1) * se, rtol=1e-11)


@pytest.mark.parametrize("weight", [None, "weight"])
def test_cluster_bootstrap_equals_lmg_on_the_resampled_responses(weight):
    frame = _responses(900, 12, seed=14)
    frame.loc[frame["client_id"] == "C003", "quality"] = 4.0  # constant in that client
    sample = _sample(frame, weight=weight)
    draws, _, failed = _bootstrap_importance(sample, 40, np.random.default_rng(3))
    # The same draws, the direct way: each resample as frequency weights on the responses.
    rng = np.random.default_rng(3)
    n_units = int(sample.groups.max()) + 1
    data = pd.DataFrame(sample.x, columns=sample.drivers)
    data["overall_satisfaction"] = sample.y
    for b in range(40):
        counts = np.bincount(rng.integers(0, n_units, n_units), minlength=n_units)[sample.groups]
        resample = data.assign(w=counts * (1.0 if sample.weights is None else sample.weights))
        np.testing.assert_allclose(
            draws[b], insights.lmg(resample[resample["w"] > 0], sample.drivers, weight="w"), rtol=1e-9
        )
    assert failed == 0


def test_cluster_bootstrap_flags_a_resample_where_a_driver_does_not_vary():
    frame = _responses(60, 3, seed=15)
    frame.loc[frame["client_id"] == "C000", "value"] = 2.0
    sample = _sample(frame)
    flat_client = sample.groups[(frame["client_id"] == "C000").to_numpy()][0]
    counts = np.ones((2, 3))
    counts[0] = np.where(np.arange(3) == flat_client, 3.0, 0.0)  # only the client where value is 2
    corrs = _cluster_resample_corrs(sample, counts)
    assert np.isnan(corrs[0]).all()
    values = np.column_stack([sample.y, sample.x])
    np.testing.assert_allclose(corrs[1], np.corrcoef(values, rowvar=False), rtol=1e-12)


def test_estimation_sample_matches_the_plain_construction():
    frame = _responses(3000, 50, seed=16)
    frame.loc[frame.index[::31], "timeliness"] = np.nan
    frame.loc[frame.index[::53], "overall_satisfaction"] = np.nan
    frame["client_id"] = frame["client_id"].cat.add_categories(["unused"])
    sample = _sample(frame, weight="weight")
    complete = frame[DRIVERS + ["overall_satisfaction"]].notna().all(axis=1).to_numpy()
    np.testing.assert_array_equal(sample.x, frame.loc[complete, DRIVERS].to_numpy())
    np.testing.assert_array_equal(sample.y, frame.loc[complete, "overall_satisfaction"].to_numpy())
    codes, _ = pd.factorize(frame["client_id"])
    expected_groups = np.unique(codes[complete], return_inverse=True)[1]
    np.testing.assert_array_equal(sample.groups, expected_groups)
