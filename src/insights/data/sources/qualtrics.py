"""Qualtrics exports: two extra header rows, metadata columns, previews and unfinished responses.

A Qualtrics CSV/TSV (or xlsx) export has the question ids as its header, then a row of
question texts, then a row of ``{"ImportId": ...}`` descriptors.  Both extra rows are
skipped (the question texts are kept as column labels), the columns Qualtrics adds on its
own are set aside unless the survey definition maps them, and survey previews, test and
spam responses and unfinished responses are left out with a count.  Dates are read in the
time zone the export declares (``"timeZone"`` in the descriptor) and so end up in UTC.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from insights.data.sources.base import RawData, RowOrigins

IMPORT_ID_PREFIX = '{"ImportId"'

# Columns Qualtrics adds to every export.  Mapped ones (``submitted_at = "RecordedDate"``) are kept.
METADATA_COLUMNS = (
    "StartDate",
    "EndDate",
    "Status",
    "IPAddress",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "ResponseID",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "ExternalDataReference",
    "LocationLatitude",
    "LocationLongitude",
    "DistributionChannel",
    "UserLanguage",
    "Q_RecaptchaScore",
    "Q_RelevantIDDuplicate",
    "Q_RelevantIDDuplicateScore",
    "Q_RelevantIDFraudScore",
    "Q_RelevantIDLastStartDate",
    "Q_BallotBoxStuffing",
    "Q_DataPolicyViolations",
    "Q_TotalDuration",
)

# Status, as text ("Survey Preview") or as the numeric code of a "numeric values" export.
LEFT_OUT_STATUSES = {
    "survey previews": {"survey preview", "1", "offline survey preview", "17"},
    "test responses": {"survey test", "2"},
    "spam responses": {"spam", "8", "preview spam", "9", "imported spam", "12"},
}
UNFINISHED = {"false", "0", "0.0"}
UTC_NAMES = {"utc", "z", "gmt", "etc/utc", "etc/gmt"}


def looks_like_import_ids(row: pd.Series) -> bool:
    cells = [
        str(v).strip() for v in row.tolist() if v is not None and not (isinstance(v, float) and np.isnan(v))
    ]
    cells = [c for c in cells if c]
    if not cells:
        return False
    hits = sum(c.startswith(IMPORT_ID_PREFIX) for c in cells)
    return hits >= max(1, len(cells) / 2)


def detect_qualtrics(raw: RawData) -> bool:
    """Recognise a Qualtrics export in ``raw`` and tidy it in place; True when it was one."""
    frame = raw.frame
    if len(frame) < 2 or not looks_like_import_ids(frame.iloc[1]):
        return False
    descriptors = {column: _descriptor(frame.iloc[1][column]) for column in frame.columns}
    raw.column_labels = {
        column: str(text).strip()
        for column, text in frame.iloc[0].items()
        if isinstance(text, str) and text.strip() and text.strip() != column
    }
    raw.frame = frame.iloc[2:].reset_index(drop=True)
    raw.origins = RowOrigins.sequential(len(raw.frame))
    raw.kind = "qualtrics"
    raw.ignored_columns = [c for c in raw.frame.columns if c in METADATA_COLUMNS]
    _leave_out(raw)
    for column, descriptor in descriptors.items():
        zone = descriptor.get("timeZone")
        if zone and column in raw.frame.columns:
            _localise(raw, column, str(zone))
    return True


def _descriptor(cell) -> dict:
    try:
        value = json.loads(str(cell))
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _normalised(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip().str.lower()


def _leave_out(raw: RawData) -> None:
    frame = raw.frame
    keep = np.ones(len(frame), dtype=bool)
    if "Status" in frame.columns:
        status = _normalised(frame["Status"])
        for what, values in LEFT_OUT_STATUSES.items():
            hit = status.isin(values).fillna(False).to_numpy(dtype=bool) & keep
            raw.add_excluded(what, hit.sum())
            keep &= ~hit
    if "Finished" in frame.columns:
        hit = _normalised(frame["Finished"]).isin(UNFINISHED).fillna(False).to_numpy(dtype=bool) & keep
        raw.add_excluded("unfinished responses", hit.sum())
        keep &= ~hit
    if not keep.all():
        raw.keep_rows(keep)


def _localise(raw: RawData, column: str, zone: str) -> None:
    """Read a date column in the export's time zone, when every filled cell is a date."""
    if zone.strip().lower() in UTC_NAMES:
        tz = "UTC"
    else:
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raw.notes.append(f"{column}: unknown time zone '{zone}' in the export; dates read as UTC")
            return
    original = raw.frame[column]
    if pd.api.types.is_datetime64_any_dtype(original):
        if getattr(original.dt, "tz", None) is None:
            raw.frame[column] = original.dt.tz_localize(
                tz, ambiguous=np.ones(len(original), dtype=bool), nonexistent="shift_forward"
            )
        return
    text = original.astype("string").str.strip()
    text = text.mask(text == "")
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    if (parsed.isna() & text.notna()).any() or getattr(parsed.dt, "tz", None) is not None:
        return  # leave the text for the schema to report (or already carries an offset)
    # An hour that occurs twice (clocks going back) is read as the first of the two.
    raw.frame[column] = parsed.dt.tz_localize(
        tz, ambiguous=np.ones(len(parsed), dtype=bool), nonexistent="shift_forward"
    )
