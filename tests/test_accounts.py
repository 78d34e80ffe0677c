"""The accounts file: its contract and validation, the warnings on ids, the sample's accounts."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from insights.core.errors import SurveyDataWarning
from insights.data.accounts import AccountsDataError, compare_clients, load_accounts
from insights.data.sample import generate_sample
from insights.data.sample_accounts import CLOSEOUTS, generate_accounts


def _raw(**changes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "client_id": ["A", "A", "B", "B"],
            "period": ["2026-01", "2026-02", "2026-01", "2026-02"],
            "revenue": ["100", "120.5", "50", "0"],
            "margin": ["30", "35", "-5", "0"],
            "writeoffs": ["", "4", "0", "0"],
            "status": ["active", "Closed", "active", "LOST"],
            "account_owner": ["Ann", "Ann", "", "Bo"],
        }
    )
    for column, values in changes.items():
        frame[column] = values
    return frame


def test_a_valid_file_is_typed_and_sorted():
    accounts = load_accounts(_raw())
    assert list(accounts.columns[:7]) == [
        "client_id",
        "period",
        "revenue",
        "margin",
        "writeoffs",
        "status",
        "account_owner",
    ]
    assert accounts["period"].dtype == "period[M]"
    assert accounts["status"].tolist() == ["active", "closed", "active", "lost"]
    assert accounts["writeoffs"].tolist() == [0.0, 4.0, 0.0, 0.0]
    assert accounts["account_owner"].tolist() == ["Ann", "Ann", "(none)", "Bo"]
    assert accounts["revenue"].sum() == pytest.approx(270.5)


def test_optional_columns_may_be_absent():
    accounts = load_accounts(_raw().drop(columns=["writeoffs", "account_owner"]))
    assert (accounts["writeoffs"] == 0).all() and (accounts["account_owner"] == "(none)").all()


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        (
            "revenue",
            ["100", "-3", "50", "x"],
            "revenue: negative or infinite values (revenue is 0 or more) in row 2 (-3)",
        ),
        ("revenue", ["100", "-3", "50", "x"], "revenue: non-numeric values in row 4 (x)"),
        (
            "status",
            ["active", "gone", "active", "paused"],
            "status: unknown status (expected active, closed or lost) in rows 2, 4 (gone, paused)",
        ),
        (
            "period",
            ["2026-1", "2026-13", "2026-01", "Feb"],
            "period: not a month (expected YYYY-MM) in rows 1, 2, 4 (2026-1, 2026-13, Feb)",
        ),
        (
            "period",
            ["2026-01", "2026-01", "2026-01", "2026-02"],
            "period: the same client and month more than once in rows 1, 2 (A 2026-01, A 2026-01)",
        ),
        (
            "writeoffs",
            ["", "-1", "0", "0"],
            "writeoffs: negative or infinite values (write-offs are 0 or more) in row 2",
        ),
        ("client_id", ["A", "", "B", "B"], "client_id: missing values in row 2"),
    ],
)
def test_each_problem_names_the_column_rows_and_values(column, values, message):
    with pytest.raises(AccountsDataError) as caught:
        load_accounts(_raw(**{column: values}))
    assert any(message in str(p) for p in caught.value.problems), caught.value


def test_every_problem_is_reported_at_once_and_missing_columns_are_named():
    with pytest.raises(AccountsDataError) as caught:
        load_accounts(_raw(revenue=["-1", "1", "1", "1"], status=["x", "active", "active", "active"]))
    assert len(caught.value.problems) == 2
    with pytest.raises(AccountsDataError, match="missing required column.s.: margin, status"):
        load_accounts(_raw().drop(columns=["margin", "status"]))
    with pytest.raises(AccountsDataError, match="no accounts"):
        load_accounts(_raw().iloc[0:0])


def test_ids_in_one_file_but_not_the_other_are_warnings_naming_them():
    responses = pd.DataFrame({"client_id": ["A", "C", "D"]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        accounts = load_accounts(_raw(), responses=responses)
    texts = [str(w.message) for w in caught if issubclass(w.category, SurveyDataWarning)]
    assert "<DataFrame>: client_id: 1 client(s) in the accounts but not the survey responses: B" in texts
    assert "<DataFrame>: client_id: 2 client(s) in the survey responses but not the accounts: C, D" in texts
    assert accounts.attrs["warnings"] == texts
    many = pd.DataFrame({"client_id": [f"X{i:02d}" for i in range(12)]})
    (only,) = [p for p in compare_clients(pd.DataFrame({"client_id": []}), many) if "survey" in p.message]
    assert only.message.endswith("X09 and 2 more")


def test_a_bad_file_on_disk_names_the_file(tmp_path):
    path = tmp_path / "acc.csv"
    _raw(revenue=["1", "-5", "1", "1"]).to_csv(path, index=False)
    with pytest.raises(AccountsDataError, match=r"^acc\.csv: revenue: negative"):
        load_accounts(path)


def test_the_sample_accounts_follow_the_contract_and_plant_close_outs_and_losses(sample_csv):
    accounts = load_accounts(sample_csv.parent / "accounts.csv", warn=False)
    assert accounts.attrs["warnings"] == []
    assert accounts["client_id"].nunique() == 30
    statuses = accounts.groupby("client_id")["status"].last()
    assert (statuses == "closed").sum() == CLOSEOUTS
    assert 4 <= (statuses == "lost").sum() <= 15
    # a lost client's last row is its month of loss, with no revenue
    lost_rows = accounts[accounts["status"] == "lost"]
    assert (lost_rows["revenue"] == 0).all() and lost_rows["client_id"].is_unique
    assert (accounts["margin"] <= accounts["revenue"]).all()


def test_the_accounts_are_a_function_of_the_responses_and_their_own_seed():
    responses = generate_sample(seed=7)
    kept = responses.copy()
    first = generate_accounts(responses, seed=3)
    pd.testing.assert_frame_equal(first, generate_accounts(kept, seed=3))
    assert not first.equals(generate_accounts(responses, seed=4))
    pd.testing.assert_frame_equal(responses, kept)  # the responses are read, not changed
