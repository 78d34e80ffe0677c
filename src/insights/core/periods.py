"""Survey cadences and their periods: one home for months, quarters, half-years and years.

A survey runs in waves: monthly (the default), quarterly, half-yearly or yearly.  Its periods are
pandas ``Period`` values, so that sorting, ``period - 1`` (the previous wave) and ranges work the
same way for every cadence:

=========  ============  ==============  ==========================================
cadence    pandas freq   written         note
=========  ============  ==============  ==========================================
month      ``M``         ``2026-10``     ``str(period)`` already reads this way
quarter    ``Q-DEC``     ``2026-Q3``     calendar quarters
half       ``6M``        ``2026-H2``     anchored here on January and July (H1, H2)
year       ``Y-DEC``     ``2026``        calendar years
=========  ============  ==============  ==========================================

pandas has no half-year frequency, and ``to_period("6M")`` is not anchored on January and July,
so a timestamp is mapped to its half's first month here and made a ``Period(..., freq="6M")``:
``2026-H2`` is ``Period("2026-07", "6M")``, and ``- 1`` gives ``2026-01`` (H1).

Use :func:`format_period` (not ``str``) wherever a period is shown: only monthly periods print
the way they are written.

Examples
--------
>>> p = parse_period("2026-Q3")
>>> format_period(p - 1), format_period(p + 2), cadence_of(p)
('2026-Q2', '2027-Q1', 'quarter')
>>> format_period(parse_period("2026-H1") - 1)
'2025-H2'
>>> [format_period(q) for q in window(parse_period("2026"), 3)]
['2024', '2025', '2026']
"""

from __future__ import annotations

import re

import pandas as pd

from insights.core.errors import InsightsError

CADENCES = ("month", "quarter", "half", "year")
DEFAULT_CADENCE = "month"

_FREQ = {"month": "M", "quarter": "Q-DEC", "half": "6M", "year": "Y-DEC"}
_PATTERN = {
    "month": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE),
    "half": re.compile(r"^(\d{4})-H([12])$", re.IGNORECASE),
    "year": re.compile(r"^(\d{4})$"),
}
_FORM = {
    "month": "YYYY-MM (for example 2026-03)",
    "quarter": "YYYY-Qn (for example 2026-Q3)",
    "half": "YYYY-Hn (for example 2026-H2)",
    "year": "YYYY (for example 2026)",
}
_NOUN = {
    "month": ("month", "months"),
    "quarter": ("quarter", "quarters"),
    "half": ("half-year", "half-years"),
    "year": ("year", "years"),
}
_ADJECTIVE = {"month": "monthly", "quarter": "quarterly", "half": "half-yearly", "year": "yearly"}


#: The default window of trends and flags, in waves: a year of months, two years of quarters,
#: three years of half-years, five years.
DEFAULT_WINDOW = {"month": 12, "quarter": 8, "half": 6, "year": 5}

#: How many months one wave of each cadence lasts.
MONTHS_PER_WAVE = {"month": 1, "quarter": 3, "half": 6, "year": 12}

_NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


class PeriodError(InsightsError, ValueError):
    """A period or cadence that cannot be read."""


def check_cadence(cadence: str) -> str:
    """``cadence`` if it is one of :data:`CADENCES`, else a :class:`PeriodError` naming them."""
    if cadence not in _FREQ:
        raise PeriodError(f"cadence '{cadence}' is not one of: {', '.join(CADENCES)}")
    return cadence


def freq(cadence: str) -> str:
    """The pandas frequency of a cadence (``"quarter"`` -> ``"Q-DEC"``)."""
    return _FREQ[check_cadence(cadence)]


def form(cadence: str) -> str:
    """How a period of the cadence is written, with an example (for messages and help)."""
    return _FORM[check_cadence(cadence)]


def cadence_of(value: object) -> str:
    """The cadence of a ``Period``, a ``PeriodIndex``/period Series or a pandas frequency."""
    if isinstance(value, pd.Period):
        code = value.freqstr
    elif isinstance(value, (pd.Series, pd.Index)) and isinstance(value.dtype, pd.PeriodDtype):
        code = value.dtype.freq.freqstr
    elif isinstance(value, pd.PeriodDtype):
        code = value.freq.freqstr
    else:
        code = str(value)
    code = code.upper()
    if code in ("M", "ME"):
        return "month"
    if code in ("6M", "6ME"):
        return "half"
    if code.startswith("Q"):
        return "quarter"
    if code.startswith(("Y", "A")):
        return "year"
    raise PeriodError(f"no survey cadence has the pandas frequency '{value}'")


def column_cadence(column: object, default: str = DEFAULT_CADENCE) -> str:
    """The cadence of a ``period`` column; ``default`` when it is missing or holds no periods."""
    if isinstance(column, (pd.Series, pd.Index)) and isinstance(column.dtype, pd.PeriodDtype):
        return cadence_of(column)
    return default


def _make(cadence: str, year: int, part: int) -> pd.Period:
    if cadence == "month":
        return pd.Period(year=year, month=part, freq="M")
    if cadence == "quarter":
        return pd.Period(year=year, quarter=part, freq="Q-DEC")
    if cadence == "half":
        return pd.Period(year=year, month=6 * (part - 1) + 1, freq="6M")
    return pd.Period(year=year, freq="Y-DEC")


def parse_period(text: object, cadence: str | None = None) -> pd.Period:
    """A period from its written form; ``cadence`` None = whichever form ``text`` has.

    Raises :class:`PeriodError` saying which form was expected.

    >>> parse_period("2026-10"), parse_period("2026-H2")
    (Period('2026-10', 'M'), Period('2026-07', '6M'))
    """
    value = str(text).strip()
    cadences = (check_cadence(cadence),) if cadence is not None else CADENCES
    for name in cadences:
        match = _PATTERN[name].match(value)
        if match:
            return _make(name, int(match.group(1)), int(match.group(2)) if match.lastindex == 2 else 1)
    if cadence is None:
        expected = "; ".join(_FORM[c] for c in CADENCES)
        raise PeriodError(f"period '{text}' is not a period: write it {expected}")
    what = f"the survey is {_ADJECTIVE[cadence]}" if cadence != "month" else "the survey is monthly"
    raise PeriodError(f"period '{text}' is not of the form {_FORM[cadence]}: {what}")


def format_period(period: object) -> str:
    """A period as it is written: ``2026-10``, ``2026-Q3``, ``2026-H2``, ``2026`` (text passes through)."""
    if not isinstance(period, pd.Period):
        return str(period)
    cadence = cadence_of(period)
    if cadence == "quarter":
        return f"{period.year}-Q{period.quarter}"
    if cadence == "half":
        return f"{period.year}-H{1 if period.month <= 6 else 2}"
    if cadence == "year":
        return str(period.year)
    return str(period)


def as_period(value: object, cadence: str | None = None) -> pd.Period:
    """``value`` as a period: a ``Period`` passes through, text is parsed (in ``cadence``'s form if given).

    Unlike ``pd.Period(value, "M")``, never silently turns a quarter into its last month.
    """
    if isinstance(value, pd.Period):
        if cadence is not None and cadence_of(value) != check_cadence(cadence):
            raise PeriodError(f"period {format_period(value)} is not {_ADJECTIVE[cadence]}")
        return value
    if isinstance(value, str):
        return parse_period(value, cadence)
    return pd.Period(value, freq(cadence or DEFAULT_CADENCE))  # a timestamp or date: its period


def to_periods(timestamps: pd.Series, cadence: str = DEFAULT_CADENCE) -> pd.Series:
    """Each timestamp's period in ``cadence`` (half-years anchored on January and July)."""
    if check_cadence(cadence) != "half":
        return timestamps.dt.to_period(_FREQ[cadence])
    stamps = timestamps.dt.tz_localize(None) if timestamps.dt.tz is not None else timestamps
    first_month = (stamps.dt.month - 1) // 6 * 6 + 1
    text = (
        stamps.dt.year.astype("Int64").astype(str)
        + "-"
        + first_month.astype("Int64").astype(str).str.zfill(2)
    )
    out = pd.Series(pd.NaT, index=timestamps.index, dtype="period[6M]")
    valid = stamps.notna()
    out[valid] = pd.PeriodIndex(text[valid], freq="6M")
    return out


def window(end: pd.Period, n: int) -> pd.PeriodIndex:
    """The ``n`` periods ending with ``end`` (``end`` included), oldest first."""
    if n < 1:
        raise PeriodError(f"a window needs at least one period, got {n}")
    return pd.period_range(end=end, periods=n, freq=end.freq)


def span(first: pd.Period, last: pd.Period) -> str:
    """``"2025-Q4 to 2026-Q3"``, or one period alone."""
    return format_period(last) if first == last else f"{format_period(first)} to {format_period(last)}"


def noun(cadence: str, n: int | None = None) -> str:
    """``"quarter"``; with ``n``: ``"3 quarters"``, ``"1 quarter"``."""
    one, many = _NOUN[check_cadence(cadence)]
    if n is None:
        return one
    return f"{n} {one if n == 1 else many}"


def waves(months: int, cadence: str) -> int:
    """A span of ``months`` of time in waves of ``cadence``: the whole waves it holds, at least one.

    The flags' fixed windows are spans of time (a baseline of the rest of a year, three months of
    movers), so a quarterly survey's baseline is its three quarters before the report quarter, not
    eleven quarters.

    >>> waves(11, "month"), waves(11, "quarter"), waves(11, "half"), waves(3, "year")
    (11, 3, 1, 1)
    """
    return max(1, int(months) // MONTHS_PER_WAVE[check_cadence(cadence)])


def count_words(n: int, cadence: str) -> str:
    """``"three months"``, ``"a quarter"``, ``"two half-years"``: a window's length in words."""
    one, many = _NOUN[check_cadence(cadence)]
    if n == 1:
        return f"a {one}"
    return f"{_NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else n} {many}"


def last_words(n: int, cadence: str) -> str:
    """``"the last three months"``, ``"the last quarter"``: the ``n`` waves up to the report period.

    >>> last_words(3, "month"), last_words(1, "quarter"), last_words(2, "half")
    ('the last three months', 'the last quarter', 'the last two half-years')
    """
    return f"the last {_NOUN[check_cadence(cadence)][0] if n == 1 else count_words(n, cadence)}"


def plural(cadence: str) -> str:
    """``"quarters"``."""
    return _NOUN[check_cadence(cadence)][1]


def adjective(cadence: str) -> str:
    """``"quarterly"``."""
    return _ADJECTIVE[check_cadence(cadence)]


def title(cadence: str) -> str:
    """``"Quarter"`` (a column or axis heading)."""
    return _NOUN[check_cadence(cadence)][0].capitalize()
