"""DuckDB database files (.duckdb): a table (``responses`` unless told) or a query, read-only.

Nothing is ever changed: a query must be a single SELECT (checked by
:mod:`insights.data.sources.readonly`, then by DuckDB's own parser), and the file is opened
read-only with no access to any other file (``read_csv``, ``COPY ... TO``, ``ATTACH``) or extension.
"""

from __future__ import annotations

from pathlib import Path

from insights.core.errors import SurveyDataError
from insights.data.sources import readonly
from insights.data.sources.base import RawData, require

SUFFIXES = (".duckdb",)
DEFAULT_TABLE = "responses"
# Beside read_only=True, which still lets a SELECT read other files and COPY write them.  Locked, so a
# query cannot SET them back.
READ_ONLY_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def split_table_name(table: str) -> tuple[str | None, str]:
    """``"analytics.responses"`` -> ("analytics", "responses"); a plain name has no schema."""
    if "." in table and not (table.startswith('"') and table.endswith('"')):
        schema, _, name = table.partition(".")
        return schema.strip('"'), name.strip('"')
    return None, table.strip('"')


def read_duckdb(path: Path, name: str, table: str | None = None, query: str | None = None) -> RawData:
    """Read a table (``responses`` unless told) or a single SELECT from a DuckDB file, read-only.

    Every failure is a :class:`SurveyDataError` naming the file (and the table or "query").
    """
    if query is not None:
        readonly.check_select(query, name)
    duckdb = require("duckdb", "duckdb", "DuckDB files", name)
    try:
        con = duckdb.connect(str(path), read_only=True, config=dict(READ_ONLY_CONFIG))
    except duckdb.Error as exc:
        raise SurveyDataError(f"cannot open as a DuckDB database ({_first_line(exc)})", source=name) from None
    try:
        if query is not None:
            display = f"{name}, query"
            try:
                _require_one_select(con, query, name)
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


def _require_one_select(con, query: str, name: str) -> None:
    """DuckDB's own parser must agree with :func:`~insights.data.sources.readonly.check_select`.

    A query it cannot parse is left for running it to report, as before.
    """
    import duckdb

    statements = con.extract_statements(query)
    if len(statements) != 1:
        raise readonly.not_a_select(f"{len(statements)} statements", name)
    if statements[0].type != duckdb.StatementType.SELECT:
        raise readonly.not_a_select(statements[0].type.name, name)


def _first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
