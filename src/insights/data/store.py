"""The embedded store: a DuckDB file that monthly drops are imported into, without duplicates.

``insights import SOURCE --into data/insights.duckdb`` reads and validates SOURCE (any supported
source, with the survey definition's mapping), then appends its responses to the table
``responses``, skipping response ids the store already holds: importing the same drop twice
adds nothing, and overlapping exports accumulate cleanly.  The store holds the validated data
under the contract's column names (ratings as numbers, ``submitted_at`` in UTC), so it reads
back like any other source: ``insights metrics data/insights.duckdb``.  Each import is recorded
in the table ``imports`` (when, from where, how many added and skipped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from insights.core.errors import SurveyDataError
from insights.core.periods import format_period, to_periods
from insights.data.sources.duckdb_file import DEFAULT_TABLE, quote_identifier
from insights.data.survey import SurveyDefinition, resolve_survey

STORE_TABLE = DEFAULT_TABLE
IMPORTS_TABLE = "imports"
TEXT_COLUMNS = ("response_id", "client_id", "client_name", "client_type", "respondent_id", "comment")


@dataclass(frozen=True)
class ImportReport:
    """What an import did: responses read, added, skipped as already present, and the store's size."""

    source: str
    store: str
    read: int
    added: int
    skipped: int
    total: int
    first_period: str
    last_period: str
    excluded: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "store": self.store,
            "read": self.read,
            "added": self.added,
            "skipped": self.skipped,
            "total": self.total,
            "first_period": self.first_period,
            "last_period": self.last_period,
            "excluded": dict(self.excluded),
            "warnings": list(self.warnings),
            "notes": list(self.notes),
        }


def storable(data: pd.DataFrame, survey: SurveyDefinition) -> pd.DataFrame:
    """Validated data as stored: no derived ``period``, plain text for ids and extra columns."""
    numeric = {"overall_satisfaction", "likelihood_to_recommend", "weight", *survey.driver_names}
    frame = data.drop(columns=[c for c in ("period",) if c in data.columns]).copy()
    for column in frame.columns:
        if column == "submitted_at" or (column in numeric and pd.api.types.is_numeric_dtype(frame[column])):
            continue
        # Text (ids, comments, extra columns) is stored as text, so any later drop fits the column.
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        frame[column] = series.astype("string")
    frame.attrs = {}
    return frame


def import_responses(
    source,
    into: str | Path,
    survey: SurveyDefinition | str | Path | None = None,
    *,
    sheet: str | None = None,
    table: str | None = None,
    query: str | None = None,
) -> ImportReport:
    """Validate ``source`` and append its new responses to the DuckDB store ``into`` (created if needed)."""
    import duckdb

    from insights.data.load import validate

    store = Path(into)
    store_name = store.name or str(store)
    if store.suffix.lower() != ".duckdb":
        raise SurveyDataError("the store must be a DuckDB file ending in .duckdb", source=store_name)
    if store.exists() and store.is_dir():
        raise SurveyDataError(
            "is a folder; give the store's file name, e.g. data/insights.duckdb", source=store_name
        )
    definition = resolve_survey(survey)
    result = validate(source, definition, sheet=sheet, table=table, query=query)
    incoming = storable(result.data, definition)
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(store))
    except (OSError, duckdb.Error) as exc:
        raise SurveyDataError(f"cannot open the store ({_first_line(exc)})", source=store_name) from None
    target = quote_identifier(STORE_TABLE)
    try:
        con.execute("BEGIN TRANSACTION")
        con.register("incoming", incoming)
        existing = {
            name: kind
            for name, kind in con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                [STORE_TABLE],
            ).fetchall()
        }
        if not existing:
            con.execute(f"CREATE TABLE {target} AS SELECT * FROM incoming LIMIT 0")
        elif "response_id" not in existing:
            raise SurveyDataError(
                f"its table '{STORE_TABLE}' has no response_id column: not a store written by `insights import`",
                source=store_name,
            )
        else:
            described = con.execute("DESCRIBE incoming").fetchall()
            for name, kind, *_ in described:
                if name not in existing:
                    con.execute(f"ALTER TABLE {target} ADD COLUMN {quote_identifier(name)} {kind}")
        before = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
        con.execute(
            f"INSERT INTO {target} BY NAME SELECT * FROM incoming "
            f"WHERE response_id NOT IN (SELECT response_id FROM {target} WHERE response_id IS NOT NULL)"
        )
        total, first, last = con.execute(
            f"SELECT count(*), min(submitted_at), max(submitted_at) FROM {target}"
        ).fetchone()
        added = int(total - before)
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {quote_identifier(IMPORTS_TABLE)} (imported_at TIMESTAMP, source VARCHAR, "
            "survey VARCHAR, responses INTEGER, added INTEGER, skipped INTEGER)"
        )
        con.execute(
            f"INSERT INTO {quote_identifier(IMPORTS_TABLE)} VALUES (now()::TIMESTAMP, ?, ?, ?, ?, ?)",
            [result.source, definition.source, len(incoming), added, len(incoming) - added],
        )
        con.execute("COMMIT")
    except SurveyDataError:
        con.execute("ROLLBACK")
        raise
    except duckdb.Error as exc:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass
        raise SurveyDataError(
            f"cannot import into the store ({_first_line(exc)})", source=store_name
        ) from None
    finally:
        con.close()
    return ImportReport(
        source=result.source,
        store=str(store),
        read=len(incoming),
        added=added,
        skipped=len(incoming) - added,
        total=int(total),
        first_period=_period_of(first, definition.cadence),
        last_period=_period_of(last, definition.cadence),
        excluded=dict(result.excluded),
        warnings=tuple(str(w) for w in result.warnings),
        notes=tuple(result.notes),
    )


def _first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _period_of(moment: object, cadence: str) -> str:
    """The period (in the survey's cadence) a stored response's ``submitted_at`` falls in, as written."""
    return format_period(to_periods(pd.Series([pd.Timestamp(moment)]), cadence).iloc[0])
