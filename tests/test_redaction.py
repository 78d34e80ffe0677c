"""Redaction of personal data in comments: e-mails, phone numbers and contact names, and what is left alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insights.data.redaction import redact, redact_series

NAMES = ["Valentina Lindqvist", "Bill Turner", "Yara Thorsen", "Jean-Luc Øberg"]


@pytest.mark.parametrize(
    "number",
    [
        "+44 20 7946 0958",
        "+1 (212) 555-0147",
        "+33 1 42 68 53 00",
        "+4915112345678",
        "+1-212-555-0147",
        "(212) 555-0147",
        "(020) 7946 0958",
        "212-555-0147",
        "212.555.0147",
        "212 555 0147",
        "0171 5550199",
        "020 7946 0958",
        "07700 900123",
        "07700900123",
        "01 42 68 53 00",
        "555-0147",
    ],
)
def test_phone_numbers_are_redacted(number):
    assert redact(f"Call me on {number}, thanks.") == "Call me on [phone], thanks."
    assert redact(f"{number}") == "[phone]"
    assert redact(f"({number})") == "([phone])" or number.startswith("(")


@pytest.mark.parametrize(
    "text",
    [
        "Invoice dated 2025-11-01 arrived on 01/11/2025.",
        "Same team from 2019-2020 and into 2024.",
        "We paid 1,234.56 and then 12 500 000 in total, £1 200 extra.",
        "Up 12.5% or 15 % since Q3; 3-4 days late, page 10-12.",
        "Ticket R1234 and INV-2025-0042, order 2125550147, at 10:30.",
        "Rated 4.5 out of 5, 100-200 users, 1-800 words.",
        "Version 3.555-0147 is not a number to call, nor 555-01475 or 555-0147.5.",
    ],
)
def test_dates_amounts_percentages_years_and_ids_are_kept(text):
    assert redact(text) == text


def test_emails_are_redacted_whole_before_names():
    text = "Write to valentina.lindqvist@example.co.uk or Y.Thorsen+survey@mail-host.org."
    assert redact(text, NAMES) == "Write to [email] or [email]."
    assert redact("no address in user@localhost or @handle") == "no address in user@localhost or @handle"
    assert redact("bjørn.o'sullivan@müller-bau.example, please") == "[email], please"


def test_full_names_and_parts_case_insensitive_and_word_bounded():
    assert redact("valentina  LINDQVIST was great", NAMES) == "[name] was great"
    assert redact("Valentina's team and Lindqvist himself", NAMES) == "[name]'s team and [name] himself"
    assert redact("Thorsens and Yarah are other words", NAMES) == "Thorsens and Yarah are other words"
    assert redact("Jean-Luc Øberg and øberg", NAMES) == "[name] and [name]"


def test_parts_that_are_common_words_only_when_capitalised():
    text = "the bill was wrong and will be fixed; Bill said so, BILL too, and bill turner"
    assert (
        redact(text, NAMES) == "the bill was wrong and will be fixed; [name] said so, [name] too, and [name]"
    )
    assert redact("billing and billed", NAMES) == "billing and billed"


def test_nothing_to_redact_without_names():
    assert redact("Valentina Lindqvist was great") == "Valentina Lindqvist was great"
    assert redact("") == ""


def test_series_matches_the_scalar_function_and_keeps_missing_values():
    texts = pd.Series(
        [
            "Ring Yara Thorsen on +44 20 7946 0958",
            None,
            np.nan,
            "mail bill@example.com, Bill",
            "fine, 2025-11-01",
            "",
        ],
        index=[10, 11, 12, 13, 14, 15],
    )
    out = redact_series(texts, NAMES)
    assert out.index.tolist() == texts.index.tolist()
    assert out[10] == "Ring [name] on [phone]"
    assert pd.isna(out[11]) and pd.isna(out[12])
    assert out[13] == "mail [email], [name]"
    assert out[14] == "fine, 2025-11-01" and out[15] == ""
    for i in (10, 13, 14, 15):
        assert out[i] == redact(texts[i], NAMES)
    assert texts[10] == "Ring Yara Thorsen on +44 20 7946 0958"  # the input is not changed
    assert redact_series(pd.Series([], dtype=object)).empty


def test_many_names_and_many_comments_are_all_redacted():
    # Its speed is measured in benchmarks/bench_pooling.py, not asserted here.
    rng = np.random.default_rng(16)
    names = [f"Firstname{i} Lastname{i}" for i in range(500)]
    texts = pd.Series(
        [
            f"Firstname{i} said +44 20 7946 {1000 + i} costs {i}.5% of 2025-01-0{i % 9 + 1}"
            for i in rng.integers(0, 500, 20_000)
        ]
    )
    out = redact_series(texts, names)
    assert out.str.startswith("[name] said [phone] costs ").all()
    assert not out.str.contains("Firstname").any()
