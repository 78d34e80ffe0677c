"""SQL databases through SQLAlchemy: ``postgresql://user@host:5432/db`` (psycopg) and any other
SQLAlchemy URL whose driver is installed.  A table (``responses`` unless told) or a query.

Credentials come from the URL or, for PostgreSQL, from the environment as libpq reads it
(PGPASSWORD, PGUSER, PGHOST, PGPORT, PGDATABASE, PGSERVICE, ~/.pgpass).  They are never
printed: every message shows the URL with its password masked, and any text a driver sends
back is scrubbed of the password before it is shown.

Nothing is ever changed: a query must be a single SELECT (:mod:`insights.data.sources.readonly`),
PostgreSQL sources are read in a read-only transaction and SQLite files opened read-only.
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, quote, unquote_plus, urlencode

import pandas as pd

from insights.core.errors import SurveyDataError
from insights.data.sources import readonly
from insights.data.sources.base import RawData, require

URL_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
DEFAULT_TABLE = "responses"
CONNECT_TIMEOUT_SECONDS = 10
_USERINFO = re.compile(r"^(?P<scheme>[^:/]+://)(?P<user>[^:@/]*):(?P<password>[^@/]*)@")
# libpq also takes a password as a URL parameter: postgresql://host/db?password=...
_SECRET_PARAMETER = re.compile(
    r"(?P<key>\b(?:password|passwd|pwd|sslpassword))=(?P<value>[^&#]*)", re.IGNORECASE
)
# Drivers we know by name, with what to install when missing.
_INSTALL_HINTS = {
    "psycopg": "psycopg[binary]",
    "psycopg2": "psycopg2-binary",
    "pymysql": "pymysql",
    "mysqldb": "mysqlclient",
    "pyodbc": "pyodbc",
    "oracledb": "oracledb",
}


def is_url(source: object) -> bool:
    return isinstance(source, str) and bool(URL_PATTERN.match(source.strip()))


def mask_url(url: str) -> str:
    """The URL as shown to people: the password, if any, replaced by *** (also ``?password=``)."""
    url = url.strip()
    try:
        from sqlalchemy.engine import make_url

        masked = make_url(url).render_as_string(hide_password=True)
    except Exception:
        masked = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:***@", url)
    return _SECRET_PARAMETER.sub(lambda m: f"{m['key']}=***", masked)


def _secrets(url: str) -> list[str]:
    found = [m["value"] for m in _SECRET_PARAMETER.finditer(url)]
    found += [unquote_plus(v) for v in found]
    match = _USERINFO.match(url.strip())
    if match and match["password"]:
        found.append(match["password"])
        try:
            from urllib.parse import unquote

            found.append(unquote(match["password"]))
        except Exception:
            pass
    try:
        from sqlalchemy.engine import make_url

        password = make_url(url.strip()).password
        if password:
            found.append(str(password))
    except Exception:
        pass
    env = os.environ.get("PGPASSWORD")
    if env:
        found.append(env)
    return sorted({s for s in found if s}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """``text`` with the URL's password (and PGPASSWORD) masked, and the raw URL replaced by its masked form."""
    text = text.replace(url.strip(), mask_url(url))
    for secret in _secrets(url):
        text = text.replace(secret, "***")
    return text


def _message(exc: BaseException, url: str) -> str:
    original = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    # psycopg says "connection failed: ..." then the server's words; keep them on one line.
    text = "; ".join(line for line in lines if not line.startswith(("(Background on this error", "[SQL:")))
    return scrub(text or type(original).__name__, url)


def read_sql(url: str, table: str | None = None, query: str | None = None) -> RawData:
    """Read a table (``responses`` unless told) or a single SELECT from a database URL, read-only.

    A query is checked first (:func:`insights.data.sources.readonly.check_select`); PostgreSQL is
    read in a read-only transaction and SQLite opened read-only (:func:`_sqlite_read_only`).
    Every failure is a :class:`SurveyDataError` naming the URL with its password masked.
    """
    require("sqlalchemy", "sqlalchemy", "databases", mask_url(url))
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    url = url.strip()
    name = mask_url(url)
    if query is not None:
        readonly.check_select(query, name)
    engine, backend = _engine(url, name)
    display = f"{name}, query" if query is not None else f"{name}, table {table or DEFAULT_TABLE}"
    try:
        try:
            connection = engine.connect()
        except SQLAlchemyError as exc:
            raise SurveyDataError(f"cannot connect: {_message(exc, url)}", source=name) from None
        with connection:
            if backend in ("postgresql", "postgres"):
                connection = connection.execution_options(postgresql_readonly=True)
            if query is not None:
                sql = query
            else:
                sql = _table_select(connection, inspect(connection), table or DEFAULT_TABLE, name)
            what = "the query failed" if query is not None else "cannot read the table"
            try:
                frame = _fetch(connection, sql)
            except Exception as exc:  # SQLAlchemy's or the driver's own (DBAPI) errors
                raise SurveyDataError(f"{what}: {_message(exc, url)}", source=display) from None
            if frame is None:
                raise SurveyDataError(
                    "the query returned no rows and no columns (is it a SELECT?)", source=display
                )
    finally:
        engine.dispose()
    return RawData.of(frame, display, kind="sql")


def _engine(url: str, name: str):
    """A SQLAlchemy engine for ``url`` (no pool: one connection, closed after use) and its backend name."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError
    from sqlalchemy.pool import NullPool

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SurveyDataError(
            "not a valid database URL (expected e.g. postgresql://user@host:5432/dbname)", source=name
        ) from None
    backend = parsed.get_backend_name()
    connect_args: dict = {}
    if backend in ("postgresql", "postgres"):
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(
                drivername="postgresql+psycopg"
            )  # psycopg 3, not SQLAlchemy's default psycopg2
        connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS, "application_name": "client-insights"}
    try:
        engine = create_engine(parsed, poolclass=NullPool, connect_args=connect_args)
    except NoSuchModuleError:
        raise SurveyDataError(f"unsupported database URL scheme '{parsed.drivername}'", source=name) from None
    except ModuleNotFoundError as exc:
        module = (exc.name or "").split(".")[0]
        package = _INSTALL_HINTS.get(module, module)
        raise SurveyDataError(
            f"the database driver '{module}' is not installed (pip install '{package}')", source=name
        ) from None
    except (ArgumentError, TypeError, ValueError) as exc:
        raise SurveyDataError(f"cannot use this database URL ({_message(exc, url)})", source=name) from None
    if backend == "sqlite":
        engine = create_engine(parsed, poolclass=NullPool, creator=_sqlite_read_only(engine, parsed, name))
    return engine, backend


def _sqlite_read_only(engine, url, name: str):
    """A function opening ``url``'s SQLite database read-only, for ``create_engine(creator=...)``.

    Four locks, as each leaves a gap the next closes: the file is opened with ``mode=ro`` (a missing
    file is an error, not a new empty database; yet ``ATTACH`` and ``VACUUM INTO`` still create
    files); ``PRAGMA query_only`` refuses every change; no database can be attached (the limit is
    0); and an authorizer lets statements do nothing but read tables, call functions (not
    ``load_extension``) and read settings.  The driver options SQLAlchemy takes from the URL are kept.
    """
    import sqlite3

    if engine.dialect.driver != "pysqlite":
        raise SurveyDataError(
            f"SQLite is read through Python's own driver (sqlite://...), not '{url.drivername}'", source=name
        )
    (filename, *args), options = engine.dialect.create_connect_args(url)
    options = dict(options)
    is_uri = options.pop("uri", False)
    if is_uri and filename.startswith("file:"):
        base, _, parameters = filename.partition("?")
        kept = [(k, v) for k, v in parse_qsl(parameters, keep_blank_values=True) if k != "mode"]
        filename = f"{base}?{urlencode([*kept, ('mode', 'ro')])}"
    elif filename == ":memory:":
        filename = "file::memory:?mode=ro"
    else:
        if not os.path.exists(filename):
            raise SurveyDataError(f"file not found ({url.database})", source=name)
        filename = f"file:{quote(os.path.abspath(filename))}?mode=ro"
    dbapi = engine.dialect.loaded_dbapi
    engine.dispose()

    def connect():
        connection = dbapi.connect(filename, *args, uri=True, **options)
        connection.execute("PRAGMA query_only = ON")
        connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        connection.set_authorizer(_sqlite_reading_only)
        return connection

    return connect


def _sqlite_reading_only(action: int, first: str | None, second: str | None, *_) -> int:
    """SQLite's authorizer: read tables, call functions but ``load_extension``, read settings; nothing else."""
    import sqlite3

    if action == sqlite3.SQLITE_PRAGMA:
        allowed = second is None  # PRAGMA name, not PRAGMA name = value
    elif action == sqlite3.SQLITE_FUNCTION:
        allowed = (second or "").lower() != "load_extension"
    else:
        allowed = action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE)
    return sqlite3.SQLITE_OK if allowed else sqlite3.SQLITE_DENY


def _table_select(connection, inspector, table: str, name: str) -> str:
    from sqlalchemy.exc import SQLAlchemyError

    from insights.data.sources.duckdb_file import split_table_name

    schema, bare = split_table_name(table)
    try:
        schemas = [schema] if schema else [inspector.default_schema_name]
        available: list[tuple[str | None, str]] = []
        for s in schemas:
            names = list(inspector.get_table_names(schema=s)) + list(inspector.get_view_names(schema=s))
            available += [(s, n) for n in names]
        found = [(s, n) for s, n in available if n == bare] or [
            (s, n) for s, n in available if n.casefold() == bare.casefold()
        ]
        if not found:
            listed = ", ".join(sorted(n if not schema else f"{s}.{n}" for s, n in available)) or "none"
            where = f" in schema '{schema}'" if schema else ""
            raise SurveyDataError(
                f"no table named '{table}'{where} (the database has: {listed})", source=name
            )
    except SQLAlchemyError as exc:
        raise SurveyDataError(
            f"cannot list the tables: {_message(exc, str(connection.engine.url))}", source=name
        ) from None
    s, n = found[0]
    preparer = connection.dialect.identifier_preparer
    qualified = preparer.quote(n) if not schema else f"{preparer.quote_schema(s)}.{preparer.quote(n)}"
    return f"SELECT * FROM {qualified}"


def _fetch(connection, sql: str) -> pd.DataFrame | None:
    # The DBAPI cursor, not sqlalchemy.text(): a query's own ':' and '%' are left alone.
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        if cursor.description is None:
            return None
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return pd.DataFrame.from_records(rows, columns=names, coerce_float=True)
