"""SQL databases through SQLAlchemy: ``postgresql://user@host:5432/db`` (psycopg) and any other
SQLAlchemy URL whose driver is installed.  A table (``responses`` unless told) or a query.

Credentials come from the URL or, for PostgreSQL, from the environment as libpq reads it
(PGPASSWORD, PGUSER, PGHOST, PGPORT, PGDATABASE, PGSERVICE, ~/.pgpass).  They are never
printed: every message shows the URL with its password masked, and any text a driver sends
back is scrubbed of the password before it is shown.  PostgreSQL sources are read in a
read-only transaction.
"""

from __future__ import annotations

import os
import re
from urllib.parse import unquote_plus

import pandas as pd

from insights.core.errors import SurveyDataError
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
    require("sqlalchemy", "sqlalchemy", "databases", mask_url(url))
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
    from sqlalchemy.pool import NullPool

    url = url.strip()
    name = mask_url(url)
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
