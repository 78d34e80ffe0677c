"""Reading a database never changes it: ``--query`` takes one SELECT, and the databases are opened read-only.

Real SQLite and DuckDB files, through the command line in-process.  Each refused query gets a
one-line error and exit code 1, leaves the table whole and creates no file; the locks of the
databases themselves are tested with the query check switched off.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import SAMPLE_CSV

import insights
from insights.data.sources import duckdb_file, readonly

SAMPLE = pd.read_csv(SAMPLE_CSV)
N = len(SAMPLE)
SQLITE_URL = "sqlite:///s.sqlite"  # relative to the test's own folder (see the fixtures)
REFUSED = "only a single SELECT statement is accepted"
# Legitimate queries: a WITH, and text in quotes that looks like statements.
LEGITIMATE = [
    "WITH picked AS (SELECT * FROM responses) SELECT * FROM picked",
    "SELECT * FROM responses WHERE response_id <> 'x; DROP TABLE responses; --'",
    "-- every response\nSELECT * /* ; DROP TABLE responses */ FROM responses;",
]


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def sqlite_file(folder) -> Path:
    path = folder / "s.sqlite"
    with sqlite3.connect(path) as con:
        SAMPLE.to_sql("responses", con, index=False)
    con.close()
    return path


@pytest.fixture
def duckdb_path(folder) -> Path:
    path = folder / "s.duckdb"
    with duckdb.connect(str(path)) as con:
        con.register("sample", SAMPLE)
        con.execute("CREATE TABLE responses AS SELECT * FROM sample")
    return path


def _rows_in_sqlite(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM responses").fetchone()[0]
    finally:
        con.close()


def _rows_in_duckdb(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM responses").fetchone()[0]


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- refused with one line, before the database is opened --------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("DROP TABLE responses", "DROP"),
        ("ATTACH 'attached.sqlite' AS other", "ATTACH"),
        ("DELETE FROM responses", "DELETE"),
        ("SELECT 1; DROP TABLE responses", "2 statements"),
        ("VACUUM INTO 'copy.sqlite'", "VACUUM"),
        ("SELECT * INTO copied FROM responses", "INTO"),
        ("PRAGMA query_only = OFF", "PRAGMA"),
        ("WITH gone AS (DELETE FROM responses RETURNING *) SELECT * FROM gone", "DELETE"),
    ],
)
def test_sqlite_query_that_is_not_a_select_is_refused(sqlite_file, run_cli, query, found):
    before = _files(sqlite_file.parent)
    code, out, err = run_cli("validate", SQLITE_URL, "--query", query)
    assert code == 1 and out == ""
    assert err == f"error: {SQLITE_URL}: --query: {REFUSED} (found {found})\n"
    assert _rows_in_sqlite(sqlite_file) == N
    assert _files(sqlite_file.parent) == before


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("COPY (SELECT * FROM responses) TO 'copied.csv'", "COPY"),
        ("COPY responses TO 'copied.parquet' (FORMAT parquet)", "COPY"),
        ("ATTACH 'attached.duckdb'", "ATTACH"),
        ("DROP TABLE responses", "DROP"),
        ("SELECT 1; DROP TABLE responses", "2 statements"),
        ("EXPORT DATABASE 'exported'", "EXPORT"),
        ("INSTALL httpfs", "INSTALL"),
        ("SET enable_external_access = true", "SET"),
    ],
)
def test_duckdb_query_that_is_not_a_select_is_refused(duckdb_path, run_cli, query, found):
    before = _files(duckdb_path.parent)
    code, out, err = run_cli("validate", duckdb_path.name, "--query", query)
    assert code == 1 and out == ""
    assert err == f"error: s.duckdb: --query: {REFUSED} (found {found})\n"
    assert _rows_in_duckdb(duckdb_path) == N
    assert _files(duckdb_path.parent) == before


# --- what a SELECT may still be -----------------------------------------------------------------


@pytest.mark.parametrize("query", LEGITIMATE)
def test_a_select_reads_sqlite(sqlite_file, run_cli, query):
    code, _, err = run_cli("validate", SQLITE_URL, "--query", query)
    assert code == 0, err
    assert len(insights.load(SQLITE_URL, warn=False, query=query)) == N


@pytest.mark.parametrize("query", LEGITIMATE)
def test_a_select_reads_duckdb(duckdb_path, run_cli, query):
    code, _, err = run_cli("validate", duckdb_path.name, "--query", query)
    assert code == 0, err
    assert len(insights.load(duckdb_path, warn=False, query=query)) == N


def test_a_missing_sqlite_file_is_an_error_not_a_new_database(folder, run_cli):
    code, _, err = run_cli("validate", "sqlite:///missing.sqlite")
    assert code == 1 and err == "error: sqlite:///missing.sqlite: file not found (missing.sqlite)\n"
    assert _files(folder) == []


# --- the databases' own locks, with the query check switched off -------------------------------


@pytest.fixture
def unchecked(monkeypatch):
    monkeypatch.setattr(readonly, "check_select", lambda query, source: None)
    monkeypatch.setattr(duckdb_file, "_require_one_select", lambda con, query, name: None)


@pytest.mark.parametrize(
    "query",
    [
        "DROP TABLE responses",
        "ATTACH 'attached.sqlite' AS other",
        "VACUUM INTO 'copy.sqlite'",
        "PRAGMA query_only = OFF",
        "CREATE TEMP TABLE copied AS SELECT * FROM responses",
        "SELECT load_extension('anything')",
    ],
)
def test_sqlite_is_opened_read_only(sqlite_file, run_cli, unchecked, query):
    before = _files(sqlite_file.parent)
    code, _, err = run_cli("validate", SQLITE_URL, "--query", query)
    assert code == 1 and err.startswith(f"error: {SQLITE_URL}, query: the query failed: ")
    assert _rows_in_sqlite(sqlite_file) == N
    assert _files(sqlite_file.parent) == before


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("COPY (SELECT * FROM responses) TO 'copied.csv'", "file system operations are disabled"),
        ("ATTACH 'attached.duckdb'", "file system operations are disabled"),
        ("SELECT * FROM read_csv('{csv}')", "file system operations are disabled"),
        ("SELECT * FROM read_text('/etc/passwd')", "file system operations are disabled"),
        ("DROP TABLE responses", "read-only mode"),
        ("SET enable_external_access = true", "the configuration has been locked"),
    ],
)
def test_duckdb_is_opened_read_only_without_other_files(duckdb_path, run_cli, unchecked, query, message):
    before = _files(duckdb_path.parent)
    code, _, err = run_cli("validate", duckdb_path.name, "--query", query.format(csv=SAMPLE_CSV))
    assert code == 1 and err.startswith("error: s.duckdb, query: the query failed: ") and message in err
    assert _rows_in_duckdb(duckdb_path) == N
    assert _files(duckdb_path.parent) == before


def test_duckdb_parser_agrees_with_the_check(duckdb_path, run_cli, monkeypatch):
    """DuckDB's own parser is asked too: a second statement the check missed is still refused."""
    monkeypatch.setattr(readonly, "check_select", lambda query, source: None)
    code, _, err = run_cli("validate", duckdb_path.name, "--query", "SELECT 1; DROP TABLE responses")
    assert code == 1 and err == f"error: s.duckdb: --query: {REFUSED} (found 2 statements)\n"
    code, _, err = run_cli("validate", duckdb_path.name, "--query", "COPY responses TO 'copied.csv'")
    assert code == 1 and err == f"error: s.duckdb: --query: {REFUSED} (found COPY)\n"
    assert _files(duckdb_path.parent) == ["s.duckdb"]


# --- the check itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        *LEGITIMATE,
        "select * from responses where comment like '%it''s%'",
        'SELECT "drop", "it""s" FROM t',
        "VALUES (1), (2)",
        "FROM responses",
        "(SELECT 1)",
        "SELECT * FROM t WHERE c ~ '\\d+' AND d::date > '2026-01-01'",
        "SELECT 1 /* a /* nested */ comment */",
        "SELECT [name with spaces], `other` FROM t",
        "SELECT list[1] FROM t",
        "SELECT 1 --- a heading ---\nFROM t",
        "SELECT 1 # a MySQL comment\nFROM t",
    ],
)
def test_check_accepts_a_single_select(query):
    assert readonly.refusal(query) is None


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("", "no statement"),
        (" ; -- nothing\n", "no statement"),
        ("SELEC * FROM responses", "SELEC"),
        ("EXPLAIN ANALYZE SELECT 1", "EXPLAIN"),
        ("select 1; select 2", "2 statements"),
        ("SELECT 1drop", "DROP"),
        ("SELECT lo_export(1, '/tmp/x')", "LO_EXPORT"),
        ("SELECT * FROM t FOR UPDATE", "UPDATE"),
        ("SELECT 'unclosed", "an unclosed quote"),
        ("SELECT 1 /* unclosed", "an unclosed comment"),
        ("SELECT 1 -- comment\rDROP TABLE t", "DROP"),  # PostgreSQL ends the comment at \r
        # where dialects read the same text differently, a second statement could hide
        ("SELECT E'\\''; DROP TABLE t; --'", "a backslash in quotes, which databases read differently"),
        ("SELECT $$'$$; DROP TABLE t; --'", "a dollar-quoted string, which databases read differently"),
        ("SELECT $a$x$a$drop", "a dollar-quoted string, which databases read differently"),
        (
            "SELECT 1 /* /* */ ' */; DROP TABLE t; '",
            "a nested '/*' comment, which databases read differently",
        ),
        ("SELECT [x'] FROM t; DROP TABLE t; --']", "'[', which databases read differently"),
        ("SELECT `'`, '; DROP TABLE t'", "'`', which databases read differently"),
        ("SELECT 1 # '\n; DROP TABLE t; '", "'#', which databases read differently"),
        (
            "SELECT q'[ ' ]', '; DROP TABLE t' FROM dual",
            "an Oracle q'...' string, which databases read differently",
        ),
        ("SELECT 1 --1 INTO OUTFILE '/tmp/x'", "'--' with no space after it, which MySQL reads as code"),
        ("SELECT 1 /*! ; DROP TABLE t */", "a MySQL '/*!' comment, which MySQL runs as code"),
    ],
)
def test_check_refuses_anything_else(query, found):
    assert readonly.refusal(query) == found
