"""The cache of portfolio-wide fits (insights.stats.memo): same data, same result; other data, a refit."""

from __future__ import annotations

import pandas as pd

from insights.stats import memo
from insights.stats.drivers import client_importance_changes

DRIVERS = ["communication", "responsiveness", "quality"]


def test_equal_content_shares_a_key_and_any_change_does_not():
    frame = pd.DataFrame({"a": [1.0, 2.0, None], "b": ["x", "y", "z"]})
    assert memo.frame_key(frame, ["a", "b"]) == memo.frame_key(frame.copy(), ["a", "b"])
    changed = frame.copy()
    changed.loc[2, "a"] = 3.0
    assert memo.frame_key(changed, ["a", "b"]) != memo.frame_key(frame, ["a", "b"])
    assert memo.frame_key(frame.iloc[:2], ["a", "b"]) != memo.frame_key(frame, ["a", "b"])


def test_a_fixed_seed_fit_is_computed_once_for_the_same_data(sample_df):
    memo.clear()
    first = client_importance_changes(sample_df, DRIVERS, n_boot=20)
    again = client_importance_changes(sample_df.copy(), DRIVERS, n_boot=20)
    assert again is first  # the same data (a copy): the kept result
    fewer = sample_df[sample_df["client_id"].astype(str) != "C01"]
    other = client_importance_changes(fewer, DRIVERS, n_boot=20)
    assert other is not first and "C01" not in set(other.table["client_id"])
    memo.clear()
    assert client_importance_changes(sample_df, DRIVERS, n_boot=20) is not first
    pd.testing.assert_frame_equal(client_importance_changes(sample_df, DRIVERS, n_boot=20).table, first.table)
