"""The bundled sample: seeded, realistic, current, and carrying the documented planted effects."""

from __future__ import annotations

import numpy as np
import pandas as pd

import insights
from insights.data.sample import DECLINING_CLIENTS, INTERNAL_UPLIFT, PLANTED_COEFFICIENTS, PLANTED_INTERCEPT


def test_sample_is_seeded():
    pd.testing.assert_frame_equal(insights.generate_sample(seed=5), insights.generate_sample(seed=5))
    assert not insights.generate_sample(seed=5).equals(insights.generate_sample(seed=6))


def test_bundled_copy_matches_the_generator(tmp_path, sample_csv):
    """data/sample is regenerated whenever the generator changes (`insights sample --out data/sample`)."""
    written = insights.write_sample(tmp_path)
    assert [p.name for p in written] == [
        "responses.csv",
        "events.csv",
        "contacts.csv",
        "self_assessment.csv",
        "survey.toml",
        "accounts.csv",
    ]
    assert (tmp_path / "responses.csv").read_bytes() == sample_csv.read_bytes()
    for name in ("contacts.csv", "self_assessment.csv", "survey.toml", "accounts.csv"):
        assert (tmp_path / name).read_bytes() == (sample_csv.parent / name).read_bytes(), name
    assert (tmp_path / "events.csv").read_bytes() == (sample_csv.parent / "events.csv").read_bytes()


def test_sample_shape(sample_df):
    assert sample_df["client_id"].nunique() >= 24
    types = sample_df.drop_duplicates("client_id")["client_type"].value_counts()
    assert types["internal"] >= 3 and types["external"] >= 20
    assert sample_df["period"].nunique() == 12
    contacts = sample_df.groupby("client_id", observed=True)["respondent_id"].nunique()
    assert contacts.median() >= 4
    assert sample_df["respondent_role"].nunique() >= 4
    assert sample_df["comment"].notna().mean() > 0.3
    assert sample_df["likelihood_to_recommend"].isna().any()  # NPS is optional


def test_planted_driver_effects_are_recovered_by_plain_least_squares(sample_df):
    drivers = list(PLANTED_COEFFICIENTS)
    complete = sample_df.dropna(subset=drivers)
    X = np.column_stack([np.ones(len(complete)), complete[drivers].to_numpy()])
    y = complete["overall_satisfaction"].to_numpy()
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    sigma2 = resid @ resid / (len(y) - X.shape[1])
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(X.T @ X)))
    truth = np.array([PLANTED_INTERCEPT, *PLANTED_COEFFICIENTS.values()])
    # within 3 standard errors (rounding of the outcome adds a little noise, no bias)
    assert np.all(np.abs(beta - truth) < 3 * se), (beta, truth, se)


def test_internal_clients_rate_higher(sample_df):
    means = sample_df.groupby("client_type", observed=True)["quality"].mean()
    assert 0.5 * INTERNAL_UPLIFT < means["internal"] - means["external"] < 1.5 * INTERNAL_UPLIFT


def test_declining_clients_drop_in_the_last_month(sample_df):
    last = sample_df["period"].max()
    for client in DECLINING_CLIENTS:
        rows = sample_df[sample_df["client_id"] == client]
        before = rows[rows["period"] <= last - 3]["quality"].mean()
        after = rows[rows["period"] == last]["quality"].mean()
        assert after < before - 0.5, client
