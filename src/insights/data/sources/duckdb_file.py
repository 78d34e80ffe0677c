"""DuckDB database files (.duckdb): a table (``responses`` unless told) or a query, read-only."""

from __future__ import annotations

from pathlib import Path

from insights.core.errors import SurveyDataError
from insights.data.sources.base import RawData, require

SUFFIXES = (".duckdb",)
DEFAULT_TABLE = "responses"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def split_table_name(table: str) -> tuple[str | None, str]:
    """``"analytics.responses"`` -> ("analytics", "responses"); a plain name has no schema."""
    if "." in table and not (table.startswith('"') and table.endswith('"')):
        schema, _, name = table.partition(".")
        return schema.strip('"'), name.strip('"')
    return None, table.strip('"')


def read_duckdb(path: Path, name: str, table: str | None = None, query: str | None = None) -> RawData:
    duckdb = require("duckdb", "duckdb", "DuckDB files", name)
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise SurveyDataError(f"cannot open as a DuckDB database ({_first_line(exc)})", source=name) from None
    try:
        if query is not None:
            display = f"{name}, query"
            try:
                frame = con.execute(query).df()
            except duckdb.Error as exc:
                raise SurveyDataError(f"the query failed: {_first_line(exc)}", source=display) from None
        else:
            table = table or DEFAULT_TABLE
            display = f"{name}, table {table}"
            schema, bare = split_table_name(table)
            tables = con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT internal "
                "UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal "
                "ORDER BY 1, 2"
            ).fetchall()
            found = [
                (s, t)
                for s, t in tables
                if t.casefold() == bare.casefold() and (schema is None or s.casefold() == schema.casefold())
            ]
            if not found:
                listed = ", ".join(t if s == "main" else f"{s}.{t}" for s, t in tables) or "none"
                raise SurveyDataError(f"no table named '{table}' (the database has: {listed})", source=name)
            s, t = found[0]
            try:
                frame = con.execute(f"SELECT * FROM {quote_identifier(s)}.{quote_identifier(t)}").df()
            except duckdb.Error as exc:
                raise SurveyDataError(f"cannot read the table: {_first_line(exc)}", source=display) from None
    finally:
        con.close()
    return RawData.of(frame, display, kind="duckdb")


def _first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
