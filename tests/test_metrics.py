"""insights.stats.metrics against hand arithmetic and independent libraries (scipy, statsmodels)."""

from __future__ import annotations

import doctest
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from insights.stats import comparisons, intervals, metrics
from insights.stats import nps as nps_classes
from insights.stats import scorecard as scorecard_module
from insights.stats.metrics import (
    compare_means,
    compare_nps,
    csat,
    mean_score,
    nps,
    scorecard,
    summary,
    trend,
)

Z95 = 1.959963984540054
NAN = float("nan")
# No example database: the tests must not write a .hypothesis directory into the repository.
quick = settings(max_examples=60, deadline=None, database=None)


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame({name: np.asarray(values, dtype=float) for name, values in columns.items()})


def months(*labels: str) -> pd.PeriodIndex:
    return pd.PeriodIndex(list(labels), freq="M")


# --------------------------------------------------------------------------- NPS


def test_nps_matches_hand_arithmetic_on_ten_responses():
    # 5 promoters (10, 9, 9, 10, 9), 2 passives (8, 7), 3 detractors (6, 3, 5).
    result = nps(frame(likelihood_to_recommend=[10, 9, 9, 10, 9, 8, 7, 6, 3, 5]))

    assert (result.promoters, result.passives, result.detractors) == (5, 2, 3)
    assert result.n == 10 and result.n_eff == 10
    assert result.score == pytest.approx(20.0)  # 100 * (0.5 - 0.3)
    expected_se = 100 * math.sqrt((0.5 + 0.3 - 0.2**2) / 10)  # = 100 * sqrt(0.076)
    assert expected_se == pytest.approx(27.5681, abs=1e-4)
    assert result.se == pytest.approx(expected_se)
    assert result.ci_low == pytest.approx(20 - Z95 * expected_se)
    assert result.ci_high == pytest.approx(20 + Z95 * expected_se)
    assert (result.pct_promoters, result.pct_passives, result.pct_detractors) == pytest.approx((50, 20, 30))


def test_nps_boundaries_six_is_detractor_seven_eight_passive_nine_promoter():
    result = nps(frame(likelihood_to_recommend=[0, 6, 7, 8, 9, 10]))
    assert (result.detractors, result.passives, result.promoters) == (2, 2, 2)
    assert result.score == pytest.approx(0.0)


def test_nps_ignores_unanswered():
    result = nps(frame(likelihood_to_recommend=[10, NAN, 2, NAN]))
    assert result.n == 2
    assert result.score == pytest.approx(0.0)  # one promoter, one detractor
    assert result.se == pytest.approx(100 * math.sqrt((0.5 + 0.5 - 0.0) / 2))


def test_nps_all_promoters_has_zero_se_and_degenerate_interval():
    result = nps(frame(likelihood_to_recommend=[9, 10, 10]))
    assert result.score == 100
    assert result.se == 0
    assert (result.ci_low, result.ci_high) == (100, 100)


@pytest.mark.parametrize("values", [[], [NAN, NAN]])
def test_nps_without_answers_is_nan_not_an_error(values):
    result = nps(frame(likelihood_to_recommend=values))
    assert result.n == 0 and result.n_eff == 0
    assert (result.promoters, result.passives, result.detractors) == (0, 0, 0)
    for value in (result.score, result.se, result.ci_low, result.ci_high):
        assert math.isnan(value)
    assert repr(result) == "NPS n/a (no responses)"
    assert json.loads(json.dumps(result.to_dict(), allow_nan=False))["score"] is None


def test_weighted_nps_by_hand_with_kish_effective_n():
    df = frame(likelihood_to_recommend=[10, 9, 7, 2], weight=[1, 2, 3, 4])
    result = nps(df, weight="weight")

    # Weighted shares: promoters (1 + 2) / 10, detractors 4 / 10.  Kish: 10^2 / (1 + 4 + 9 + 16).
    n_eff = 100 / 30
    assert result.n_eff == pytest.approx(n_eff)
    assert result.score == pytest.approx(-10.0)
    assert result.se == pytest.approx(100 * math.sqrt((0.3 + 0.4 - 0.1**2) / n_eff))
    assert result.n == 4
    assert (result.promoters, result.passives, result.detractors) == (2, 1, 1)  # unweighted


def test_integer_weights_give_the_same_nps_as_repeating_rows():
    values, weights = [10, 9, 7, 2, 6], [1, 2, 3, 4, 2]
    weighted = nps(frame(likelihood_to_recommend=values, weight=weights), weight="weight")
    expanded = nps(frame(likelihood_to_recommend=np.repeat(values, weights)))
    assert weighted.score == pytest.approx(expanded.score)
    assert weighted.pct_promoters == pytest.approx(expanded.pct_promoters)
    assert weighted.pct_detractors == pytest.approx(expanded.pct_detractors)
    assert weighted.n_eff == pytest.approx(12**2 / 34)  # sum w = 12, sum w^2 = 34


def test_nps_repr_and_to_dict():
    result = nps(frame(likelihood_to_recommend=[10, 9, 9, 10, 9, 8, 7, 6, 3, 5]))
    assert repr(result) == ("NPS +20.0 (95% CI -34.0 to +74.0), n=10: 5 promoters, 2 passives, 3 detractors")
    as_dict = result.to_dict()
    assert as_dict["promoters"] == 5 and type(as_dict["promoters"]) is int
    assert type(as_dict["score"]) is float
    json.dumps(as_dict, allow_nan=False)

    weighted = nps(frame(likelihood_to_recommend=[10, 2], weight=[1, 3]), weight="weight")
    assert "n=2 (effective 1.6)" in repr(weighted)  # 16 / 10


def test_nps_rejects_values_outside_zero_to_ten():
    with pytest.raises(ValueError, match="outside 0-10"):
        nps(frame(likelihood_to_recommend=[5, 11]))


@pytest.mark.parametrize("bad_weight", [0.0, -1.0, NAN])
def test_weights_must_be_positive_and_finite(bad_weight):
    with pytest.raises(ValueError, match="positive"):
        nps(frame(likelihood_to_recommend=[5, 9], weight=[1.0, bad_weight]), weight="weight")


def test_missing_column_is_a_key_error_naming_it():
    with pytest.raises(KeyError, match="likelihood_to_recommend"):
        nps(frame(overall_satisfaction=[5]))


nps_answers = st.lists(st.one_of(st.integers(0, 10).map(float), st.just(NAN)), max_size=40)


@quick
@given(nps_answers)
def test_nps_properties(values):
    result = nps(frame(likelihood_to_recommend=values))
    answered = [v for v in values if not math.isnan(v)]
    assert result.n == len(answered)
    assert result.promoters + result.passives + result.detractors == result.n
    if result.n == 0:
        assert math.isnan(result.score)
        return
    assert -100 <= result.score <= 100
    assert result.score == pytest.approx(100 * (result.promoters - result.detractors) / result.n)
    assert result.se >= 0
    assert result.ci_low <= result.score <= result.ci_high


@quick
@given(st.lists(st.tuples(st.integers(0, 10), st.integers(1, 5)), min_size=1, max_size=30))
def test_integer_weights_equal_row_expansion_for_every_estimate(pairs):
    values = [float(v) for v, _ in pairs]
    weights = [w for _, w in pairs]
    weighted_df = frame(likelihood_to_recommend=values, weight=weights)
    expanded_df = frame(likelihood_to_recommend=np.repeat(values, weights))

    assert nps(weighted_df, weight="weight").score == pytest.approx(nps(expanded_df).score, abs=1e-9)
    assert mean_score(weighted_df, "likelihood_to_recommend", weight="weight").score == (
        pytest.approx(float(np.mean(np.repeat(values, weights))))
    )
    top2 = csat(weighted_df, "likelihood_to_recommend", scale_max=10, weight="weight")
    expanded_top2 = csat(expanded_df, "likelihood_to_recommend", scale_max=10)
    assert top2.score == pytest.approx(expanded_top2.score)


# --------------------------------------------------------------------------- CSAT


@pytest.mark.parametrize("satisfied, n", [(7, 10), (81, 263), (0, 20), (20, 20), (1, 29)])
def test_csat_wilson_interval_matches_statsmodels(satisfied, n):
    ratings = [5.0] * satisfied + [2.0] * (n - satisfied)
    result = csat(frame(overall_satisfaction=ratings))
    low, high = proportion_confint(satisfied, n, alpha=0.05, method="wilson")
    assert result.score == pytest.approx(100 * satisfied / n)
    assert result.ci_low == pytest.approx(100 * low, abs=1e-9)
    assert result.ci_high == pytest.approx(100 * high, abs=1e-9)
    assert result.n == n and result.satisfied == satisfied


def test_csat_wilson_interval_matches_published_values():
    # Newcombe (1998), Statistics in Medicine 17:857-872, Table II, Wilson score method.
    for satisfied, n, low, high in [
        (81, 263, 25.53, 36.62),
        (15, 148, 6.24, 16.05),
        (0, 20, 0.0, 16.11),
        (1, 29, 0.61, 17.18),
    ]:
        result = csat(frame(overall_satisfaction=[4.0] * satisfied + [1.0] * (n - satisfied)))
        assert (round(result.ci_low, 2), round(result.ci_high, 2)) == (low, high)


def test_csat_wilson_interval_by_hand_for_eight_of_ten():
    z2 = Z95**2
    centre = (0.8 + z2 / 20) / (1 + z2 / 10)
    half = Z95 * math.sqrt(0.8 * 0.2 / 10 + z2 / 400) / (1 + z2 / 10)
    result = csat(frame(overall_satisfaction=[4, 5, 4, 5, 4, 5, 4, 5, 3, 1]))
    assert result.score == pytest.approx(80)
    assert result.ci_low == pytest.approx(100 * (centre - half))
    assert result.ci_high == pytest.approx(100 * (centre + half))
    assert (round(result.ci_low, 1), round(result.ci_high, 1)) == (49.0, 94.3)


@pytest.mark.parametrize(
    "scale_max, top_box, expected",
    [(5, 2, 50.0), (5, 1, 25.0), (5, 3, 75.0), (7, 2, 25.0)],
)
def test_top_box_threshold(scale_max, top_box, expected):
    # Ratings 2, 3, 4, 5, 6, 7 on 1-7, or 2..5 on 1-5.
    ratings = [2, 3, 4, 5] if scale_max == 5 else [1, 2, 3, 4, 6, 7, 5, 5]
    result = csat(frame(overall_satisfaction=ratings), scale_max=scale_max, top_box=top_box)
    assert result.score == pytest.approx(expected)


def test_weighted_csat_uses_weighted_share_and_kish_n_in_wilson():
    df = frame(overall_satisfaction=[5, 4, 2, 1], weight=[1, 2, 3, 4])
    result = csat(df, weight="weight")
    n_eff = 100 / 30
    assert result.score == pytest.approx(30.0)  # (1 + 2) / 10
    assert result.n_eff == pytest.approx(n_eff)
    low, high = proportion_confint(0.3 * n_eff, n_eff, method="wilson")
    assert (result.ci_low, result.ci_high) == pytest.approx((100 * low, 100 * high))
    assert result.satisfied == 2


def test_csat_rejects_ratings_above_the_scale():
    with pytest.raises(ValueError, match="above scale_max=5"):
        csat(frame(overall_satisfaction=[3, 7]))
    with pytest.raises(ValueError, match="top_box"):
        csat(frame(overall_satisfaction=[3]), top_box=0)


def test_csat_without_answers_is_nan():
    result = csat(frame(overall_satisfaction=[NAN]))
    assert result.n == 0 and math.isnan(result.score) and math.isnan(result.ci_high)


@quick
@given(st.lists(st.one_of(st.integers(1, 5).map(float), st.just(NAN)), min_size=1, max_size=40))
def test_csat_interval_brackets_the_score_inside_0_100(values):
    result = csat(frame(overall_satisfaction=values))
    if result.n:
        assert 0 <= result.ci_low <= result.score <= result.ci_high <= 100


# --------------------------------------------------------------------------- means


def test_mean_t_interval_matches_scipy():
    ratings = [5, 4, 4, 3, 5, 2, 4, 5, 1, 4]
    result = mean_score(frame(overall_satisfaction=ratings + [NAN]))
    low, high = stats.t.interval(0.95, df=9, loc=np.mean(ratings), scale=stats.sem(ratings))
    assert result.n == 10
    assert result.score == pytest.approx(3.7)
    assert result.se == pytest.approx(stats.sem(ratings))
    assert result.sd == pytest.approx(np.std(ratings, ddof=1))
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high))


def test_weighted_mean_linearisation_se_by_hand():
    result = mean_score(frame(overall_satisfaction=[2, 4, 5], weight=[1, 1, 2]), weight="weight")
    # mean = (2 + 4 + 10) / 4 = 4; deviations -2, 0, 1.
    # var = n / (n - 1) * sum(w^2 d^2) / (sum w)^2 = 3/2 * (4 + 0 + 4) / 16 = 0.75
    # sd^2 = n / (n - 1) * sum(w d^2) / sum w = 3/2 * (4 + 0 + 2) / 4 = 2.25
    assert result.score == pytest.approx(4.0)
    assert result.se == pytest.approx(math.sqrt(0.75))
    assert result.sd == pytest.approx(1.5)
    assert result.n_eff == pytest.approx(16 / 6)
    half = 4.302652729911275 * math.sqrt(0.75)  # t(0.975, df=2)
    assert (result.ci_low, result.ci_high) == pytest.approx((4 - half, 4 + half))


def test_equal_weights_reproduce_the_unweighted_mean_and_se():
    ratings = [5, 4, 4, 3, 5, 2, 4, 5, 1, 4]
    result = mean_score(frame(overall_satisfaction=ratings, weight=[2.5] * 10), weight="weight")
    assert result.score == pytest.approx(np.mean(ratings))
    assert result.se == pytest.approx(stats.sem(ratings))


def test_mean_of_one_answer_has_no_interval_and_none_is_nan():
    one = mean_score(frame(overall_satisfaction=[4, NAN]))
    assert one.n == 1 and one.score == 4
    assert math.isnan(one.se) and math.isnan(one.ci_low)
    assert repr(one) == "Mean 4.00 (95% CI n/a), n=1"
    empty = mean_score(frame(overall_satisfaction=[]))
    assert empty.n == 0 and math.isnan(empty.score)


# --------------------------------------------------------------------------- comparisons


def test_compare_means_matches_scipy_welch():
    first, second = [5, 4, 4, 5, 5, 4, 3], [3, 4, 2, 3, 4, 3, 2, 1, 5]
    expected = stats.ttest_ind(first, second, equal_var=False)
    result = compare_means(
        mean_score(frame(overall_satisfaction=first)),
        mean_score(frame(overall_satisfaction=second)),
    )
    assert result.test == "welch_t"
    assert result.estimate == pytest.approx(np.mean(first) - np.mean(second))
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p_value == pytest.approx(expected.pvalue)
    assert result.dof == pytest.approx(expected.df)
    interval = expected.confidence_interval(0.95)
    assert (result.ci_low, result.ci_high) == pytest.approx((interval.low, interval.high))


def test_compare_means_with_too_few_answers_is_nan():
    result = compare_means(
        mean_score(frame(overall_satisfaction=[4])), mean_score(frame(overall_satisfaction=[3, 5]))
    )
    assert math.isnan(result.p_value) and math.isnan(result.ci_low)
    assert result.to_dict()["p_value"] is None


def test_compare_nps_z_test_by_hand():
    first = nps(frame(likelihood_to_recommend=[10, 9, 9, 8]))  # p = .75, d = 0 -> 75
    second = nps(frame(likelihood_to_recommend=[9, 3, 5, 8, 7]))  # p = .2, d = .4 -> -20
    se_first = 100 * math.sqrt((0.75 - 0.75**2) / 4)
    se_second = 100 * math.sqrt((0.6 - 0.2**2) / 5)
    se_diff = math.sqrt(se_first**2 + se_second**2)
    result = compare_nps(first, second)
    assert result.test == "z"
    assert result.estimate == pytest.approx(95.0)
    assert result.se == pytest.approx(se_diff)
    assert result.statistic == pytest.approx(95 / se_diff)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(95 / se_diff))
    assert result.ci_low == pytest.approx(95 - Z95 * se_diff)
    assert result.to_dict()["dof"] is None  # infinite for a z test


def test_compare_nps_with_zero_variance_on_both_sides_is_undefined():
    everyone = nps(frame(likelihood_to_recommend=[10, 10]))
    result = compare_nps(everyone, everyone)
    assert result.estimate == 0 and math.isnan(result.p_value)


# --------------------------------------------------------------------------- summary


def test_summary_to_dict_is_exactly_the_cli_contract():
    df = frame(
        overall_satisfaction=[5, 4, 4, 3, 5, 2, 4, 5, 1, NAN, 4],
        likelihood_to_recommend=[10, 9, 9, 10, 9, 8, 7, 6, 3, 5, NAN],
    )
    headline = summary(df)
    result = headline.to_dict()

    assert result == json.loads(json.dumps(result, allow_nan=False))
    assert set(result) == {"n", "nps", "csat", "mean_overall"}
    assert set(result["nps"]) == {
        "score",
        "se",
        "ci_low",
        "ci_high",
        "promoters",
        "passives",
        "detractors",
    }
    assert set(result["csat"]) == {"score", "ci_low", "ci_high"}
    assert set(result["mean_overall"]) == {"score", "ci_low", "ci_high"}
    assert type(result["n"]) is int and result["n"] == 11  # rows, not answers
    for key in ("promoters", "passives", "detractors"):
        assert type(result["nps"][key]) is int
    for block, keys in (
        ("nps", ("score", "se", "ci_low", "ci_high")),
        ("csat", ("score", "ci_low", "ci_high")),
        ("mean_overall", ("score", "ci_low", "ci_high")),
    ):
        for key in keys:
            assert type(result[block][key]) is float

    assert result["nps"]["score"] == pytest.approx(20.0)
    assert (result["nps"]["promoters"], result["nps"]["passives"], result["nps"]["detractors"]) == (
        5,
        2,
        3,
    )
    assert result["csat"]["score"] == pytest.approx(70.0)  # 7 of 10 answers are 4 or 5
    assert result["mean_overall"]["score"] == pytest.approx(3.7)
    assert headline.mean_overall.n == 10


def test_summary_of_nothing_gives_none_not_an_error():
    empty = frame(overall_satisfaction=[], likelihood_to_recommend=[])
    assert summary(empty).to_dict() == {
        "n": 0,
        "nps": {
            "score": None,
            "se": None,
            "ci_low": None,
            "ci_high": None,
            "promoters": 0,
            "passives": 0,
            "detractors": 0,
        },
        "csat": {"score": None, "ci_low": None, "ci_high": None},
        "mean_overall": {"score": None, "ci_low": None, "ci_high": None},
    }


def test_summary_passes_scale_and_weights_through():
    df = frame(overall_satisfaction=[7, 6, 5, 1], likelihood_to_recommend=[9, 9, 0, 0], weight=[1, 1, 1, 3])
    headline = summary(df, scale_max=7, top_box=2, weight="weight")
    assert headline.csat.score == pytest.approx(100 * 2 / 6)
    assert headline.nps.score == pytest.approx(100 * (2 - 4) / 6)
    assert headline.mean_overall.score == pytest.approx((7 + 6 + 5 + 3) / 6)


# --------------------------------------------------------------------------- scorecard


def scorecard_responses(client_dtype: str = "str") -> pd.DataFrame:
    """Three clients, three months.

    A: Jan and Mar only (no February responses).  B: Jan and Feb.  C: every month, but
    nobody answered quality in February.
    """
    rows = [
        # client, month, quality, likelihood_to_recommend
        ("A", "2024-01", 5, 10),
        ("A", "2024-01", 4, 9),
        ("A", "2024-01", 4, 3),
        ("A", "2024-03", 2, 6),
        ("A", "2024-03", 3, 7),
        ("B", "2024-01", 5, 9),
        ("B", "2024-01", 4, 9),
        ("B", "2024-01", 4, 9),
        ("B", "2024-02", 3, 9),
        ("B", "2024-02", 3, 8),
        ("B", "2024-02", 4, 0),
        ("C", "2024-01", 1, 8),
        ("C", "2024-01", 2, 8),
        ("C", "2024-02", NAN, 8),
        ("C", "2024-02", NAN, 10),
        ("C", "2024-03", 5, NAN),
        ("C", "2024-03", 4, 5),
    ]
    df = pd.DataFrame(rows, columns=["client_id", "period", "quality", "likelihood_to_recommend"])
    df["client_id"] = df["client_id"].astype(client_dtype)
    df["period"] = pd.PeriodIndex(df["period"], freq="M")
    return df


def cell(card: pd.DataFrame, client: str, month: str, component: str) -> pd.Series:
    match = card[
        (card["client_id"] == client)
        & (card["period"] == pd.Period(month, freq="M"))
        & (card["component"] == component)
    ]
    assert len(match) == 1
    return match.iloc[0]


def test_scorecard_shape_order_and_columns():
    card = scorecard(scorecard_responses(), ["quality"])
    assert list(card.columns) == [
        "client_id",
        "period",
        "component",
        "n",
        "n_eff",
        "mean",
        "sd",
        "se",
        "top2",
        "prev_period",
        "prev_n",
        "prev_mean",
        "change",
        "p_value",
        "q_value",
        "significant",
        "test",
        "rank",
    ]
    # 7 client x month cells with responses, 2 components each.
    assert len(card) == 14
    assert list(card["component"][:2]) == ["quality", "nps"]
    assert set(card["test"]) == {"moderated_t"}
    assert card["period"].dtype == "period[M]"


def test_scorecard_means_and_ranks_by_hand():
    card = scorecard(scorecard_responses(), ["quality"])

    a_jan = cell(card, "A", "2024-01", "quality")
    assert a_jan["n"] == 3
    assert a_jan["mean"] == pytest.approx(13 / 3)
    assert a_jan["sd"] == pytest.approx(math.sqrt(1 / 3))  # squared deviations sum to 2/3
    assert a_jan["top2"] == pytest.approx(100.0)

    # January quality: A 4.33 and B 4.33 tie for first, C (1.5) is third.
    assert [cell(card, c, "2024-01", "quality")["rank"] for c in "ABC"] == [1, 1, 3]
    # March: C 4.5 beats A 2.5.
    assert [cell(card, c, "2024-03", "quality")["rank"] for c in "AC"] == [2, 1]
    # January NPS: A +33.3, B +100, C 0.
    assert [cell(card, c, "2024-01", "nps")["rank"] for c in "ABC"] == [2, 1, 3]
    assert cell(card, "A", "2024-01", "nps")["mean"] == pytest.approx(100 / 3)
    assert cell(card, "A", "2024-01", "nps")["top2"] == pytest.approx(200 / 3)  # % promoters


def test_scorecard_unanswered_component_keeps_an_empty_unranked_row():
    c_feb = cell(scorecard(scorecard_responses(), ["quality"]), "C", "2024-02", "quality")
    assert c_feb["n"] == 0
    assert math.isnan(c_feb["mean"])
    assert pd.isna(c_feb["rank"])
    assert not c_feb["significant"]


def moderated_p(df: pd.DataFrame, values: pd.Series, client: str, month: str, previous: str) -> float:
    """The scorecard's p-value by hand: every client's squared deviations from its own months' means
    (``sum (n - 1) s**2`` on ``n - months`` degrees of freedom), those variances moderated across the
    clients (Smyth 2004), and Student's t of the two months' means on the moderated degrees of freedom."""
    from insights.stats.moderated import fit_variance_prior, moderate

    data = pd.DataFrame({"c": df["client_id"].astype(str), "m": df["period"], "y": values}).dropna()
    ss = data.groupby("c").apply(lambda g: ((g["y"] - g.groupby("m")["y"].transform("mean")) ** 2).sum())
    dof = data.groupby("c").size() - data.groupby("c")["m"].nunique()
    variance = ss / dof.where(dof > 0)
    post, post_dof = moderate(variance.to_numpy(), dof.to_numpy(float), fit_variance_prior(variance, dof))
    at = list(variance.index).index(client)
    now = data.loc[(data["c"] == client) & (data["m"] == pd.Period(month, "M")), "y"]
    before = data.loc[(data["c"] == client) & (data["m"] == pd.Period(previous, "M")), "y"]
    t = (now.mean() - before.mean()) / math.sqrt(post[at] * (1 / len(now) + 1 / len(before)))
    return float(2 * stats.t.sf(abs(t), post_dof[at]))


def test_scorecard_previous_period_is_the_latest_earlier_month_with_answers():
    df = scorecard_responses()
    card = scorecard(df, ["quality"])

    a_mar = cell(card, "A", "2024-03", "quality")  # A skipped February
    assert a_mar["prev_period"] == pd.Period("2024-01", freq="M")
    assert a_mar["prev_n"] == 3
    assert a_mar["change"] == pytest.approx(2.5 - 13 / 3)
    assert a_mar["p_value"] == pytest.approx(moderated_p(df, df["quality"], "A", "2024-03", "2024-01"))

    b_feb = cell(card, "B", "2024-02", "quality")
    assert b_feb["prev_period"] == pd.Period("2024-01", freq="M")
    assert b_feb["change"] == pytest.approx(-1.0)
    assert b_feb["p_value"] == pytest.approx(moderated_p(df, df["quality"], "B", "2024-02", "2024-01"))

    c_mar = cell(card, "C", "2024-03", "quality")  # February had no quality answers
    assert c_mar["prev_period"] == pd.Period("2024-01", freq="M")
    assert c_mar["change"] == pytest.approx(3.0)
    assert c_mar["p_value"] == pytest.approx(moderated_p(df, df["quality"], "C", "2024-03", "2024-01"))

    first_months = card[card["period"] == pd.Period("2024-01", freq="M")]
    assert first_months["prev_mean"].isna().all() and first_months["p_value"].isna().all()
    assert not first_months["significant"].any()


def test_scorecard_nps_change_is_the_moderated_t_on_the_coding():
    df = scorecard_responses()
    card = scorecard(df, ["quality"])
    coding = nps_classes.nps_points(df["likelihood_to_recommend"])

    b_feb = cell(card, "B", "2024-02", "nps")
    # Jan: 9, 9, 9 -> +100, se 0.  Feb: 9, 8, 0 -> p = d = 1/3 -> 0, se = 100 sqrt((2/3) / 3).
    assert b_feb["test"] == "moderated_t"
    assert b_feb["change"] == pytest.approx(-100)
    assert b_feb["se"] == pytest.approx(100 * math.sqrt((2 / 3) / 3))  # the cell's own standard error
    assert b_feb["p_value"] == pytest.approx(moderated_p(df, coding, "B", "2024-02", "2024-01"))

    a_mar = cell(card, "A", "2024-03", "nps")
    assert a_mar["p_value"] == pytest.approx(moderated_p(df, coding, "A", "2024-03", "2024-01"))

    # C answered NPS in February, so March is compared with February, not January.
    assert cell(card, "C", "2024-03", "nps")["prev_period"] == pd.Period("2024-02", freq="M")


def test_scorecard_significance_is_judged_on_each_periods_q_values():
    card = scorecard(scorecard_responses(), ["quality"])
    for _, month in card.groupby("period"):
        tested = month["p_value"].notna()
        expected = multipletests(month.loc[tested, "p_value"], method="fdr_bh")[1]
        assert month.loc[tested, "q_value"].to_numpy() == pytest.approx(expected)
        assert (month["significant"] == (month["q_value"] < 0.05)).all()
    by = scorecard(scorecard_responses(), ["quality"], fdr="by")
    assert (by["q_value"].fillna(1) >= card["q_value"].fillna(1) - 1e-12).all()


def test_scorecard_alpha_and_rank_min_n():
    loose = scorecard(scorecard_responses(), ["quality"], alpha=0.5)
    b_feb = cell(loose, "B", "2024-02", "nps")
    assert b_feb["significant"] == (b_feb["q_value"] < 0.5)
    strict = scorecard(scorecard_responses(), ["quality"], alpha=1e-9)
    assert not strict["significant"].any()

    ranked = scorecard(scorecard_responses(), ["quality"], rank_min_n=3)
    assert pd.isna(cell(ranked, "A", "2024-03", "quality")["rank"])  # only two answers
    assert cell(ranked, "B", "2024-02", "quality")["rank"] == 1


def test_scorecard_with_categorical_clients_matches_string_clients():
    as_str = scorecard(scorecard_responses("str"), ["quality"])
    as_category = scorecard(scorecard_responses("category"), ["quality"])
    assert as_category["client_id"].dtype == "category"
    pd.testing.assert_frame_equal(
        as_category.assign(client_id=as_category["client_id"].astype("str")), as_str
    )


def test_scorecard_default_components_are_present_drivers_then_overall():
    df = scorecard_responses().assign(overall_satisfaction=3.0).rename(columns={"quality": "value"})
    card = scorecard(df)
    assert list(card["component"][:3]) == ["value", "overall_satisfaction", "nps"]
    assert list(scorecard(df, nps=None)["component"].unique()) == ["value", "overall_satisfaction"]


def test_scorecard_cells_agree_with_independent_per_cell_computation():
    rng = np.random.default_rng(7)
    size = 300
    df = pd.DataFrame(
        {
            "client_id": rng.choice(["A", "B", "C"], size),
            "period": months("2024-01", "2024-02", "2024-04")[rng.integers(0, 3, size)],
            "quality": np.where(rng.random(size) < 0.1, np.nan, rng.integers(1, 6, size)),
            "likelihood_to_recommend": rng.integers(0, 11, size).astype(float),
        }
    )
    card = scorecard(df, ["quality"])
    quality = card[card["component"] == "quality"]

    def answers(client, period):
        return df.loc[(df["client_id"] == client) & (df["period"] == period), "quality"].dropna()

    for row in quality.itertuples():
        now = answers(row.client_id, row.period)
        assert row.n == len(now)
        assert row.mean == pytest.approx(now.mean())
        assert row.se == pytest.approx(stats.sem(now))
        assert row.top2 == pytest.approx(100 * (now >= 4).mean())
        if pd.isna(row.prev_period):
            continue
        expected = moderated_p(df, df["quality"], row.client_id, str(row.period), str(row.prev_period))
        assert row.p_value == pytest.approx(expected)
    assert quality["prev_period"].notna().sum() == 6  # two comparisons per client


def test_weighted_scorecard_cell_matches_the_single_estimates():
    df = scorecard_responses().assign(weight=lambda d: np.arange(1, len(d) + 1) / 4)
    card = scorecard(df, ["quality"], weight="weight")
    subset = df[(df["client_id"] == "B") & (df["period"] == pd.Period("2024-02", freq="M"))]
    quality = cell(card, "B", "2024-02", "quality")
    expected = mean_score(subset, "quality", weight="weight")
    assert (quality["mean"], quality["se"], quality["n_eff"]) == pytest.approx(
        (expected.score, expected.se, expected.n_eff)
    )
    expected_nps = nps(subset, weight="weight")
    assert cell(card, "B", "2024-02", "nps")["se"] == pytest.approx(expected_nps.se)


def test_scorecard_of_no_responses_is_an_empty_frame_with_the_columns():
    empty = scorecard_responses().iloc[:0]
    card = scorecard(empty, ["quality"])
    assert card.empty and "rank" in card.columns and "p_value" in card.columns


def test_scorecard_rejects_missing_clients_and_out_of_scale_ratings():
    df = scorecard_responses()
    with pytest.raises(ValueError, match="above scale_max"):
        scorecard(df.assign(quality=df["quality"] + 3), ["quality"])
    with pytest.raises(ValueError, match="client_id"):
        scorecard(df.assign(client_id=df["client_id"].where(df.index > 0)), ["quality"])


# --------------------------------------------------------------------------- trend


def trend_responses() -> pd.DataFrame:
    """A: 6 answers in Jan 2024, 2 in Mar.  B: 3 answers in Mar.  Nobody in Feb."""
    return pd.DataFrame(
        {
            "client_id": ["A"] * 8 + ["B"] * 3,
            "period": months(*["2024-01"] * 6, "2024-03", "2024-03", *["2024-03"] * 3),
            "overall_satisfaction": [5, 4, 4, 3, 5, 4, 2, 3, 4, 4, 5],
            "likelihood_to_recommend": [10, 9, 9, 3, 8, 7, 6, 9, 10, 9, NAN],
        }
    )


def test_trend_keeps_small_and_empty_months_flagged():
    result = trend(trend_responses(), min_n=5)
    assert list(result.columns) == [
        "period",
        "n",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "suppressed",
    ]
    assert list(result["period"].astype(str)) == ["2024-01", "2024-02", "2024-03"]
    assert list(result["n"]) == [6, 0, 5]
    assert list(result["suppressed"]) == [False, True, False]
    assert math.isnan(result["estimate"][1])

    small = trend(trend_responses(), min_n=6)
    assert list(small["suppressed"]) == [False, True, True]
    assert small["estimate"][2] == pytest.approx(18 / 5)  # kept, only flagged


def test_trend_mean_interval_matches_scipy():
    result = trend(trend_responses(), min_n=1)
    january = [5, 4, 4, 3, 5, 4]
    low, high = stats.t.interval(0.95, df=5, loc=np.mean(january), scale=stats.sem(january))
    assert result["estimate"][0] == pytest.approx(np.mean(january))
    assert (result["ci_low"][0], result["ci_high"][0]) == pytest.approx((low, high))


def test_trend_by_client_shows_every_month_of_the_common_window():
    result = trend(trend_responses(), by="client_id", min_n=3)
    assert list(result.columns[:2]) == ["client_id", "period"]
    assert list(zip(result["client_id"], result["period"].astype(str), result["n"])) == [
        ("A", "2024-01", 6),
        ("A", "2024-02", 0),
        ("A", "2024-03", 2),
        ("B", "2024-01", 0),
        ("B", "2024-02", 0),
        ("B", "2024-03", 3),
    ]
    assert list(result["suppressed"]) == [False, True, True, True, True, False]
    assert result["estimate"][5] == pytest.approx(13 / 3)


def test_trend_last_n_months_ending_at_end():
    result = trend(trend_responses(), months=3, end="2024-04")
    assert list(result["period"].astype(str)) == ["2024-02", "2024-03", "2024-04"]
    assert list(result["n"]) == [0, 5, 0]

    until_february = trend(trend_responses(), end="2024-02")
    assert list(until_february["n"]) == [6, 0]


def test_trend_nps_defaults_to_the_recommend_column():
    result = trend(trend_responses(), kind="nps", min_n=1)
    # January: 10, 9, 9, 3, 8, 7 -> 3 promoters, 1 detractor of 6.
    se = 100 * math.sqrt((0.5 + 1 / 6 - (1 / 3) ** 2) / 6)
    assert result["n"][0] == 6
    assert result["estimate"][0] == pytest.approx(100 / 3)
    assert result["se"][0] == pytest.approx(se)
    assert result["ci_high"][0] == pytest.approx(100 / 3 + Z95 * se)
    assert result["n"][2] == 4  # March has one unanswered


def test_trend_top2_uses_wilson():
    result = trend(trend_responses(), kind="top2", min_n=1)
    low, high = proportion_confint(5, 6, method="wilson")  # January: 5 of 6 rated 4-5
    assert result["estimate"][0] == pytest.approx(500 / 6)
    assert (result["ci_low"][0], result["ci_high"][0]) == pytest.approx((100 * low, 100 * high))


def test_trend_of_nothing():
    empty = trend_responses().iloc[:0]
    assert trend(empty).empty
    assert list(trend(empty, by="client_id").columns[:2]) == ["client_id", "period"]
    window = trend(empty, months=2, end="2024-06")
    assert list(window["n"]) == [0, 0] and window["suppressed"].all()


def test_trend_rejects_bad_arguments():
    df = trend_responses()
    with pytest.raises(ValueError, match="kind"):
        trend(df, kind="median")
    with pytest.raises(TypeError, match="Period dtype"):
        trend(df.assign(period=df["period"].astype(str)))


# --------------------------------------------------------------------------- documentation


@pytest.mark.parametrize(
    ("module", "at_least"),
    [(metrics, 10), (comparisons, 8), (scorecard_module, 6), (intervals, 2), (nps_classes, 1)],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_docstring_examples_run(module, at_least):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= at_least
    assert result.failed == 0


def test_names_from_before_the_split_still_import_from_metrics():
    for name in ("PROMOTER_MIN", "DETRACTOR_MAX", "NPS_SCALE", "SCORECARD_COLUMNS", "TREND_COLUMNS"):
        assert hasattr(metrics, name)
    assert metrics.compare_means is comparisons.compare_means
    assert metrics.scorecard is scorecard_module.scorecard


def test_wilson_interval_takes_scalars_and_arrays():
    low, high = intervals.wilson_interval(0.7, 10, 0.95)
    assert np.ndim(low) == 0 and np.ndim(high) == 0
    ref_low, ref_high = proportion_confint(7, 10, alpha=0.05, method="wilson")
    assert float(low) == pytest.approx(ref_low) and float(high) == pytest.approx(ref_high)
    lows, highs = intervals.wilson_interval(np.array([0.0, 0.7, 1.0]), np.array([5, 10, 0]), 0.95)
    assert lows[0] == 0.0 and lows[1] == pytest.approx(ref_low)
    assert (
        math.isnan(lows[2]) and highs[2] == 1.0
    )  # no answers: no interval, but a share of 1 keeps its bound


def test_nps_class_has_one_set_of_cut_offs():
    assert [nps_classes.nps_class(v) for v in (0, 6, 7, 8, 9, 10)] == [
        "detractor",
        "detractor",
        "passive",
        "passive",
        "promoter",
        "promoter",
    ]
    assert nps_classes.nps_class(None) == "" and nps_classes.nps_class(NAN) == ""
    series = pd.Series([10.0, NAN, 7.0, 3.0], index=[4, 5, 6, 7])
    assert nps_classes.nps_class(series).tolist() == ["promoter", "", "passive", "detractor"]
    assert nps_classes.nps_class(series).index.tolist() == [4, 5, 6, 7]
    assert nps_classes.nps_points(series).tolist()[::2] == [100.0, 0.0]
    assert math.isnan(nps_classes.nps_points(series).iloc[1])
    for label, low, high in nps_classes.NPS_GROUPS:
        assert {nps_classes.nps_class(v) for v in range(low, high + 1)} == {label.split()[0].lower()[:-1]}


def test_public_names_are_exported():
    for name in metrics.__all__:
        assert hasattr(metrics, name)
    assert {
        "nps",
        "csat",
        "mean_score",
        "summary",
        "scorecard",
        "trend",
        "compare_means",
        "compare_nps",
    } <= set(metrics.__all__)


def test_nps_interval_is_truncated_to_the_scale():
    # 9 promoters of 9: se = 0 here, so use 8 promoters and 1 passive: score 88.9,
    # se = 100 * sqrt((8/9 - (8/9)**2) / 9) = 10.48, Wald upper bound 109.4 -> truncated to 100
    frame = pd.DataFrame({"likelihood_to_recommend": [10.0] * 8 + [8.0]})
    result = nps(frame)
    assert result.score == pytest.approx(800 / 9)
    assert result.se == pytest.approx(100 * math.sqrt((8 / 9 - (8 / 9) ** 2) / 9))
    assert result.ci_high == 100.0
    assert result.ci_low == pytest.approx(800 / 9 - 1.959964 * result.se, abs=1e-3)
