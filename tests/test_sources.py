"""Every kind of source gives the same figures as the canonical CSV, and every failure names the
file (or the masked URL) and what is wrong.

The sources are written here from the bundled sample: Parquet, xlsx, a folder of monthly CSVs,
DuckDB, SPSS with declared user-missing codes, a Qualtrics export with a column mapping, and a
table in a real PostgreSQL server that this module starts (initdb/pg_ctl into a temporary
folder, on a free port on 127.0.0.1).  The server tests skip only when the PostgreSQL server
binaries are not installed, and never on CI (`.ci/run` installs them).
"""

from __future__ import annotations

import contextlib
import csv
import glob
import io
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, SAMPLE_CSV

import insights
from insights import SurveyDataError
from insights.cli import main
from insights.data.sources import readonly

SOURCES = DATA / "sources"
QUALTRICS_SURVEY = SOURCES / "qualtrics_survey.toml"
QUALTRICS_SMALL = SOURCES / "qualtrics_small.csv"
DRIVERS = ["communication", "responsiveness", "quality", "timeliness", "value", "expertise"]
OVERALL_TEXT = {
    1: "Very dissatisfied",
    2: "Dissatisfied",
    3: "Neither satisfied nor dissatisfied",
    4: "Satisfied",
    5: "Very satisfied",
}
PG_PASSWORD = "Pa55:w@rd/s3cret%"  # URL-special characters on purpose: they must be encoded, and masked


def cli(*args) -> tuple[int, str, str]:
    """Run the command line in-process; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def cli_json(*args) -> dict:
    code, out, err = cli(*args, "--format", "json")
    assert code == 0, err
    assert "Traceback" not in err
    return json.loads(out)


def sample_text() -> pd.DataFrame:
    """The sample exactly as written: every cell text, blanks as ''."""
    return pd.read_csv(SAMPLE_CSV, dtype=str, keep_default_na=False)


# Facts about the sample, read from it (it is regenerated as the generator changes).
_SAMPLE = pd.read_csv(SAMPLE_CSV, dtype=str, keep_default_na=False)
N = len(_SAMPLE)
MONTHS = sorted(_SAMPLE["submitted_at"].str[:7].unique())
PER_MONTH = _SAMPLE["submitted_at"].str[:7].value_counts().to_dict()
N_INTERNAL = int((_SAMPLE["client_type"] == "internal").sum())
N_NO_NPS = int((_SAMPLE["likelihood_to_recommend"] == "").sum())


def sample_typed() -> pd.DataFrame:
    """The sample as a database or a statistician would hold it: numbers, timestamps, NaN for blanks."""
    frame = pd.read_csv(SAMPLE_CSV)
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"])
    return frame


# --- writers: the same survey in every format -------------------------------------------------


def write_parquet(folder: Path) -> Path:
    path = folder / "survey.parquet"
    sample_typed().to_parquet(path)
    return path


def write_xlsx(folder: Path) -> Path:
    path = folder / "survey.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        sample_typed().to_excel(book, sheet_name="Responses", index=False)
        pd.DataFrame({"note": ["exported from the CRM"]}).to_excel(book, sheet_name="About", index=False)
    return path


def write_monthly_folder(folder: Path) -> Path:
    drops = folder / "monthly"
    drops.mkdir()
    text = sample_text()
    months = text["submitted_at"].str[:7]
    for month in sorted(months.unique()):
        text[months == month].to_csv(drops / f"responses-{month}.csv", index=False)
    (drops / "README.txt").write_text("one export per month\n")  # notes are not data
    (drops / f".~lock.responses-{MONTHS[0]}.csv#").write_text("lock")  # neither are hidden files
    (drops / "archive").mkdir()  # nor subfolders
    return drops


def write_duckdb(folder: Path, table: str = "responses") -> Path:
    import duckdb

    path = folder / "survey.duckdb"
    frame = sample_typed()
    with duckdb.connect(str(path)) as con:
        con.register("frame", frame)
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM frame")
        con.execute("CREATE TABLE clients AS SELECT DISTINCT client_id, client_name FROM frame")
    return path


def write_sav(folder: Path, declare_missing: bool = True) -> Path:
    """SPSS as an agency delivers it: codes with value labels, 99 = don't know declared user-missing."""
    import pyreadstat

    path = folder / ("survey.sav" if declare_missing else "undeclared.sav")
    frame = sample_typed()
    for column in ("response_id", "client_id", "client_name", "respondent_id", "respondent_role", "comment"):
        frame[column] = frame[column].fillna("").astype(str)
    frame["client_type"] = frame["client_type"].map({"external": 1, "internal": 2}).astype(float)
    for column in ["likelihood_to_recommend", *DRIVERS]:
        frame[column] = frame[column].fillna(99)
    scale = {float(k): v for k, v in OVERALL_TEXT.items()}
    labels = {
        "client_type": {1: "external", 2: "internal"},
        "overall_satisfaction": scale,
        **{d: {**scale, 99.0: "Don't know"} for d in DRIVERS},
        "likelihood_to_recommend": {0.0: "Not at all likely", 10.0: "Extremely likely", 99.0: "Don't know"},
    }
    missing = {column: [99] for column in ["likelihood_to_recommend", *DRIVERS]} if declare_missing else None
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels=labels,
        missing_ranges=missing,
        column_labels={"overall_satisfaction": "Overall, how satisfied are you with our work?"},
    )
    return path


def write_qualtrics(folder: Path) -> Path:
    """A Qualtrics CSV export of the sample: question ids, question texts, ImportId row, metadata,
    text answers for overall satisfaction, "Don't know" for unanswered drivers, plus survey
    previews and unfinished responses that must be left out."""
    text = sample_text()
    rows = []
    for i, r in enumerate(text.itertuples(index=False)):
        when = r.submitted_at.replace("T", " ") + ":00"
        dont_know = "Don\u2019t know" if i % 2 else ""  # curly apostrophe, as Qualtrics writes it
        rows.append(
            {
                "StartDate": when,
                "EndDate": when,
                "Status": "IP Address",
                "IPAddress": f"198.51.100.{i % 250}",
                "Progress": "100",
                "Duration (in seconds)": str(100 + i % 400),
                "Finished": "True",
                "RecordedDate": when,
                "ResponseId": r.response_id,
                "RecipientLastName": "",
                "RecipientFirstName": "",
                "RecipientEmail": "",
                "ExternalReference": r.client_id,
                "LocationLatitude": "",
                "LocationLongitude": "",
                "DistributionChannel": "email",
                "UserLanguage": "EN",
                "Q1": OVERALL_TEXT[int(r.overall_satisfaction)],
                "Q_NPS": r.likelihood_to_recommend,
                **{f"Q2_{k + 1}": getattr(r, d) or dont_know for k, d in enumerate(DRIVERS)},
                "Q5": r.comment,
                "ClientName": r.client_name,
                "ClientType": r.client_type,
                "ContactID": r.respondent_id,
                "Role": r.respondent_role,
            }
        )
    columns = list(rows[0])
    preview = {**rows[0], "Status": "Survey Preview", "ResponseId": "R_preview1", "Q1": "Very dissatisfied"}
    preview_numeric = {**rows[5], "Status": "1", "ResponseId": "R_preview2", "ExternalReference": ""}
    unfinished = [
        {
            **rows[k],
            "Finished": "False",
            "Progress": "35",
            "ResponseId": f"R_partial{k}",
            "Q1": "",
            "Q2_1": "7",
        }
        for k in (1, 900, 1800)
    ]
    rows = (
        [preview]
        + rows[:700]
        + [unfinished[0], preview_numeric]
        + rows[700:1400]
        + unfinished[1:]
        + rows[1400:]
    )
    texts = {c: c for c in columns} | {
        "Q1": "Overall, how satisfied are you with our work this month?",
        "Q_NPS": "How likely are you to recommend us to a colleague?",
    }
    import_ids = {c: json.dumps({"ImportId": c}) for c in columns}
    for c in ("StartDate", "EndDate", "RecordedDate"):
        import_ids[c] = json.dumps({"ImportId": c[0].lower() + c[1:], "timeZone": "UTC"})
    path = folder / "qualtrics_export.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerow(texts)
        writer.writerow(import_ids)
        writer.writerows(rows)
    return path


# --- a real PostgreSQL server -----------------------------------------------------------------


def _postgres_bindir() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(os.path.realpath(initdb)).parent
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]), reverse=True
    )
    return Path(found[0]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """A throwaway cluster: initdb into a temporary folder, pg_ctl start on a free local port."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="insights-pg-"))
        self.port = _free_port()
        self.superuser_password = "superuser-" + os.urandom(6).hex()
        self.prefix: list[str] = []
        if os.geteuid() == 0:  # the server refuses to run as root: run it as the postgres system user
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail(
                    "running as root and there is no 'postgres' system user to run the test server as"
                )
            os.chown(self.base, account.pw_uid, account.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") else None
            self.account = account

    def _run(self, *args: str) -> None:
        command = [str(a) for a in args]
        if self.prefix is None:  # no runuser: su
            command = ["su", "-s", "/bin/sh", "postgres", "-c", " ".join(f"'{c}'" for c in command)]
        else:
            command = self.prefix + command
        proc = subprocess.run(command, cwd=self.base, capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            log = self.base / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed: {proc.stdout}{proc.stderr}{tail}")

    def start(self) -> PostgresServer:
        pwfile = self.base / "pw"
        pwfile.write_text(self.superuser_password + "\n")
        if os.geteuid() == 0:
            os.chown(pwfile, self.account.pw_uid, self.account.pw_gid)
        data = self.base / "data"
        self._run(
            self.bindir / "initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        pwfile.unlink()
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.base} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            self.bindir / "pg_ctl",
            "-D",
            data,
            "-l",
            self.base / "server.log",
            "-w",
            "-t",
            "30",
            "-o",
            options,
            "start",
        )
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(self.bindir / "pg_ctl", "-D", self.base / "data", "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, user: str, password: str | None, database: str) -> str:
        auth = f"{user}:{quote(password, safe='')}" if password is not None else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="module")
def postgres():
    """A running server with database ``survey`` owned by ``analyst``, holding the sample as ``responses``."""
    bindir = _postgres_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries are missing on CI; .ci/run should have installed them")
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin; "
            "install Debian's postgresql package (.ci/run does) to run the database tests"
        )
    import psycopg
    from sqlalchemy import create_engine

    server = PostgresServer(bindir).start()
    try:
        with psycopg.connect(
            host="127.0.0.1",
            port=server.port,
            user="postgres",
            password=server.superuser_password,
            dbname="postgres",
            autocommit=True,
        ) as admin:
            admin.execute(f"CREATE ROLE analyst LOGIN PASSWORD '{PG_PASSWORD}'")
            admin.execute("CREATE DATABASE survey OWNER analyst")
        engine = create_engine(
            server.url("analyst", PG_PASSWORD, "survey").replace("postgresql://", "postgresql+psycopg://")
        )
        with engine.begin() as con:
            sample_typed().to_sql("responses", con, index=False)
            con.exec_driver_sql("CREATE SCHEMA analytics")
            sample_typed().head(300).to_sql("responses_q4", con, schema="analytics", index=False)
            con.exec_driver_sql("CREATE TABLE clients (client_id text, client_name text)")
        engine.dispose()
        yield server
    finally:
        server.stop()


# --- the same figures from every source -------------------------------------------------------


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, tuple]:
    folder = tmp_path_factory.mktemp("sources")
    return {
        "csv": (SAMPLE_CSV,),
        "parquet": (write_parquet(folder),),
        "xlsx": (write_xlsx(folder),),
        "folder of monthly CSVs": (write_monthly_folder(folder),),
        "duckdb": (write_duckdb(folder),),
        "spss": (write_sav(folder),),
        "qualtrics": (write_qualtrics(folder), "--survey", QUALTRICS_SURVEY),
    }


@pytest.fixture(scope="module")
def baseline() -> dict[str, dict]:
    return {command: cli_json(command, SAMPLE_CSV) for command in ("metrics", "drivers")}


@pytest.mark.parametrize(
    "kind", ["parquet", "xlsx", "folder of monthly CSVs", "duckdb", "spss", "qualtrics", "postgresql"]
)
def test_every_source_gives_the_csv_figures(kind, written, baseline, request):
    if kind == "postgresql":
        server = request.getfixturevalue("postgres")
        args = (server.url("analyst", PG_PASSWORD, "survey"), "--table", "responses")
    else:
        args = written[kind]
    for command in ("metrics", "drivers"):
        assert cli_json(command, *args) == baseline[command], (kind, command)


def test_the_figures_are_not_trivially_equal(written, baseline):
    """The comparison can fail: a different survey (one month fewer) gives different figures."""
    shorter = written["folder of monthly CSVs"][0].parent / "eleven-months"
    shutil.copytree(written["folder of monthly CSVs"][0], shorter)
    (shorter / f"responses-{MONTHS[-1]}.csv").unlink()
    assert cli_json("metrics", shorter) != baseline["metrics"]
    assert cli_json("drivers", shorter) != baseline["drivers"]


# --- Excel ------------------------------------------------------------------------------------


def test_xlsx_reads_the_first_sheet_or_the_one_named(written):
    path = written["xlsx"][0]
    assert len(insights.load(path, warn=False)) == N
    assert len(insights.load(path, warn=False, sheet="responses")) == N  # case-insensitive
    with pytest.raises(SurveyDataError, match=r"survey.xlsx, sheet About: missing required column"):
        insights.load(path, sheet="About")


def test_xlsx_missing_sheet_lists_the_sheets(written):
    code, out, err = cli("validate", written["xlsx"][0], "--sheet", "June")
    assert code == 1 and out == ""
    assert err.strip() == "error: survey.xlsx: no sheet named 'June' (the workbook has: 'Responses', 'About')"


def test_xlsx_errors_name_the_row_of_the_sheet(tmp_path):
    frame = sample_typed().head(6)
    frame.loc[3, "quality"] = 9
    path = tmp_path / "bad.xlsx"
    frame.to_excel(path, index=False)
    code, _, err = cli("validate", path)
    assert code == 1
    assert "error: bad.xlsx: quality: values outside 1-5 in row 4 (9)" in err


def test_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("response_id,client_id\n")
    code, _, err = cli("validate", path)
    assert code == 1 and err.startswith("error: fake.xlsx: not a readable Excel workbook")


# --- folders ----------------------------------------------------------------------------------


def test_folder_summary_lists_the_files_in_name_order(written):
    summary = cli_json("validate", written["folder of monthly CSVs"][0])
    assert list(summary["files"]) == sorted(summary["files"])
    assert len(summary["files"]) == len(MONTHS) and sum(summary["files"].values()) == N
    assert summary["responses"] == N


def test_folder_duplicates_across_files_name_both_files_and_ids(written, tmp_path):
    drops = tmp_path / "drops"
    shutil.copytree(written["folder of monthly CSVs"][0], drops)
    one, two = f"responses-{MONTHS[2]}.csv", f"responses-{MONTHS[3]}.csv"
    january = pd.read_csv(drops / one, dtype=str, keep_default_na=False)
    february = pd.read_csv(drops / two, dtype=str, keep_default_na=False)
    # The next month's export repeats the last two responses of the month before.
    pd.concat([january.tail(2), february]).to_csv(drops / two, index=False)
    code, out, err = cli("validate", drops)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    first, second = january["response_id"].iloc[-2], january["response_id"].iloc[-1]
    assert lines[0].startswith(
        f"error: drops: response_id: 2 response id(s) appear in more than one file ({one}, {two}): "
    )
    assert f"{first} ({one} row {len(january) - 1}, {two} row 1)" in lines[0]
    assert f"{second} ({one} row {len(january)}, {two} row 2)" in lines[0]


def test_folder_errors_name_the_file_and_its_own_rows(written, tmp_path):
    drops = tmp_path / "drops"
    shutil.copytree(written["folder of monthly CSVs"][0], drops)
    name = f"responses-{MONTHS[4]}.csv"
    march = pd.read_csv(drops / name, dtype=str, keep_default_na=False)
    march.loc[2, "communication"] = "7"
    march.to_csv(drops / name, index=False)
    code, _, err = cli("validate", drops)
    assert code == 1
    assert err.strip() == f"error: drops/{name}: communication: values outside 1-5 in row 3 (7)"


def test_folder_with_mixed_formats(tmp_path):
    drops = tmp_path / "mixed"
    drops.mkdir()
    typed = sample_typed()
    months = typed["submitted_at"].dt.strftime("%Y-%m")
    first, second, third = MONTHS[:3]
    typed[months == first].to_csv(drops / "a.csv", index=False)
    typed[months == second].to_parquet(drops / "b.parquet")
    typed[months == third].to_excel(drops / "c.xlsx", index=False)
    summary = cli_json("validate", drops)
    assert summary["files"] == {
        "a.csv": PER_MONTH[first],
        "b.parquet": PER_MONTH[second],
        "c.xlsx": PER_MONTH[third],
    }
    assert summary["responses_per_month"] == {m: PER_MONTH[m] for m in MONTHS[:3]}


def test_folder_without_data_files_says_what_it_holds(tmp_path):
    (tmp_path / "notes.md").write_text("# notes\n")
    code, _, err = cli("validate", tmp_path)
    assert code == 1
    assert f"error: {tmp_path.name}: is a folder with no supported data files" in err and "notes.md" in err


def test_folder_file_lacking_a_column_is_warned_about(written, tmp_path):
    drops = tmp_path / "drops"
    shutil.copytree(written["folder of monthly CSVs"][0], drops)
    name = f"responses-{MONTHS[5]}.csv"
    april = pd.read_csv(drops / name, dtype=str, keep_default_na=False)
    april.drop(columns=["respondent_role"]).to_csv(drops / name, index=False)
    result = insights.validate(drops)
    assert any(f"drops/{name}: lacks column(s) respondent_role" in str(w) for w in result.warnings)


# --- DuckDB -----------------------------------------------------------------------------------


def test_duckdb_missing_table_lists_the_tables(written):
    code, _, err = cli("metrics", written["duckdb"][0], "--table", "answers")
    assert code == 1
    assert (
        err.strip() == "error: survey.duckdb: no table named 'answers' (the database has: clients, responses)"
    )


def test_duckdb_query_and_bad_sql(written):
    path = written["duckdb"][0]
    df = insights.load(path, warn=False, query="SELECT * FROM responses WHERE client_type = 'internal'")
    assert set(df["client_type"]) == {"internal"} and len(df) == N_INTERNAL
    code, _, err = cli("validate", path, "--query", "SELECT * FROM responses WHERE")
    assert code == 1 and err.startswith(
        "error: survey.duckdb, query: the query failed: Parser Error: syntax error"
    )


def test_not_a_duckdb_file(tmp_path):
    path = tmp_path / "broken.duckdb"
    path.write_bytes(b"not a database at all" * 100)
    code, _, err = cli("validate", path)
    assert code == 1 and err.startswith("error: broken.duckdb: cannot open as a DuckDB database")


# --- SPSS -------------------------------------------------------------------------------------


def test_spss_user_missing_codes_are_missing_and_labels_kept(written):
    df = insights.load(written["spss"][0], warn=False)
    expected = insights.load(SAMPLE_CSV, warn=False)
    for column in ["likelihood_to_recommend", *DRIVERS]:
        assert df[column].isna().sum() == expected[column].isna().sum(), column
    assert df.attrs["value_labels"]["overall_satisfaction"][5.0] == "Very satisfied"
    assert df.attrs["value_labels"]["communication"][99.0] == "Don't know"
    assert (
        df.attrs["column_labels"]["overall_satisfaction"] == "Overall, how satisfied are you with our work?"
    )
    # client_type was coded 1/2 with labels: the labels are the values
    assert (df["client_type"].astype(str) == expected["client_type"].astype(str)).all()
    summary = cli_json("validate", written["spss"][0])
    assert any(
        n.startswith(
            f"declared user-missing values read as missing: likelihood_to_recommend {N_NO_NPS} "
            "(99 = Don't know)"
        )
        for n in summary["notes"]
    )


def test_spss_undeclared_codes_are_out_of_range(tmp_path):
    """Without the declaration, 99 is a score, and out of range: the test above is not vacuous."""
    code, _, err = cli("validate", write_sav(tmp_path, declare_missing=False))
    assert code == 1
    assert "error: undeclared.sav: likelihood_to_recommend: values outside 0-10 in rows" in err


def test_not_an_spss_file(tmp_path):
    path = tmp_path / "survey.sav"
    path.write_text("response_id\nR1\n")
    code, _, err = cli("validate", path)
    assert code == 1 and err.startswith("error: survey.sav: not a readable SPSS file")


# --- Qualtrics --------------------------------------------------------------------------------


def test_qualtrics_previews_and_unfinished_are_left_out_with_a_count(written):
    path, *options = written["qualtrics"]
    summary = cli_json("validate", path, *options)
    assert summary["excluded"] == {"survey previews": 2, "unfinished responses": 3}
    assert summary["responses"] == N
    code, out, _ = cli("validate", path, *options)
    assert code == 0 and "left out: 2 survey previews, 3 unfinished responses" in out


def test_qualtrics_metadata_columns_are_dropped_and_question_texts_kept():
    df = insights.load(QUALTRICS_SMALL, QUALTRICS_SURVEY, warn=False)
    assert list(df["response_id"]) == ["R_1a2b3c", "R_4d5e6f", "R_7g8h9i", "R_0j1k2l"]
    for metadata in (
        "StartDate",
        "Status",
        "IPAddress",
        "Finished",
        "Duration (in seconds)",
        "UserLanguage",
        "ResponseId",
        "RecordedDate",
    ):
        assert metadata not in df.columns
    assert (
        df.attrs["column_labels"]["overall_satisfaction"]
        == "Overall, how satisfied are you with our work this month?"
    )
    assert df.attrs["excluded"] == {"survey previews": 1, "unfinished responses": 1}
    # Recoded text, whatever its case and spacing; "Don’t know" and "N/A" are blanks.
    assert list(df["overall_satisfaction"]) == [5.0, 4.0, 3.0, 5.0]
    assert np.isnan(df["responsiveness"].iloc[1]) and np.isnan(df["quality"].iloc[2])
    assert df["comment"].iloc[0] == 'Clear, quick, "spot on".'
    assert df["client_type"].iloc[3] == "internal"


def test_qualtrics_dates_are_read_in_the_exports_time_zone():
    df = insights.load(QUALTRICS_SMALL, QUALTRICS_SURVEY, warn=False)
    # Europe/Berlin: 09:15 CET is 08:15 UTC; 00:30 on 1 April (CEST) is still March in UTC.
    assert df["submitted_at"].iloc[0] == pd.Timestamp("2026-03-02 08:15")
    assert df["submitted_at"].iloc[3] == pd.Timestamp("2026-03-31 22:30")
    assert set(df["period"].astype(str)) == {"2026-03"}


def test_qualtrics_without_a_mapping_says_how_to_map(tmp_path):
    code, _, err = cli("validate", QUALTRICS_SMALL)
    assert code == 1
    assert "error: qualtrics_small.csv: missing required column(s): response_id" in err
    assert "this is a Qualtrics export: name its columns in the survey definition's [columns] table" in err


def test_qualtrics_utf16_tab_export(tmp_path):
    text = QUALTRICS_SMALL.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    path = tmp_path / "export.tsv"
    path.write_text("\n".join("\t".join(row) for row in rows) + "\n", encoding="utf-16")
    df = insights.load(path, QUALTRICS_SURVEY, warn=False)
    assert len(df) == 4 and df["overall_satisfaction"].tolist() == [5.0, 4.0, 3.0, 5.0]


def test_errors_in_a_mapped_column_name_the_source_column(tmp_path):
    text = QUALTRICS_SMALL.read_text(encoding="utf-8-sig").replace("Late again.", "Late again!")
    rows = list(csv.reader(io.StringIO(text)))
    rows[7][rows[0].index("Q2_5")] = "6"  # response 5 (after a preview and an unfinished one, both counted)
    path = tmp_path / "export.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    code, _, err = cli("validate", path, "--survey", QUALTRICS_SURVEY)
    assert code == 1
    assert err.strip() == "error: export.csv: value (Q2_5): values outside 1-5 in row 5 (6)"


# --- mapping, recode, missing -----------------------------------------------------------------


def test_mapping_to_a_missing_column_names_both(tmp_path):
    survey = tmp_path / "typo.toml"
    survey.write_text(
        QUALTRICS_SURVEY.read_text().replace(
            'likelihood_to_recommend = "Q_NPS"', 'likelihood_to_recommend = "Q_NPS_1"'
        )
    )
    code, _, err = cli("validate", QUALTRICS_SMALL, "--survey", survey)
    assert code == 1
    assert (
        "error: qualtrics_small.csv: likelihood_to_recommend: the survey definition "
        f"({survey}) maps likelihood_to_recommend to the column 'Q_NPS_1', which the source lacks"
    ) in err
    assert "did you mean 'Q_NPS'?" in err


def test_unknown_recode_text_names_column_rows_and_values(tmp_path):
    text = QUALTRICS_SMALL.read_text(encoding="utf-8-sig")
    path = tmp_path / "export.csv"
    path.write_text(
        text.replace("Neither satisfied nor dissatisfied", "Meh").replace(",Satisfied,", ",Quite satisfied,")
    )
    code, _, err = cli("validate", path, "--survey", QUALTRICS_SURVEY)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "error: export.csv: overall_satisfaction: answer text not in [recode.overall_satisfaction] of "
        f"{QUALTRICS_SURVEY} (column 'Q1' in the source): 'Quite satisfied', 'Meh' (known: 'Very dissatisfied',"
    )
    # Rows count responses under the header rows, previews and unfinished ones included.
    assert lines[0].endswith("in rows 3, 5 (Quite satisfied, Meh)")


def test_unmapped_canonical_columns_keep_their_names(tmp_path):
    survey = tmp_path / "partial.toml"
    survey.write_text(
        '[drivers]\nquality = "Quality"\n[columns]\noverall_satisfaction = "Overall"\n'
        '[recode.overall_satisfaction]\n"Good" = 4\n"Poor" = 2\n[missing]\nvalues = [99, "n/a"]\n'
    )
    path = tmp_path / "s.csv"
    path.write_text(
        "response_id,client_id,submitted_at,Overall,quality,comment\n"
        "R1,C1,2026-01-01,Good,99,N/A\nR2,C1,2026-01-02,poor,4,fine\nR3,C1,2026-01-03,5,5,\n"
    )
    df = insights.load(path, survey, warn=False)
    assert df["overall_satisfaction"].tolist() == [4.0, 2.0, 5.0]  # numbers pass through the recode
    assert np.isnan(df["quality"].iloc[0]) and df["quality"].iloc[1] == 4.0
    assert df["comment"].isna().tolist() == [True, False, True]
    assert "Overall" not in df.columns


def test_bad_mapping_tables_in_the_survey_definition(tmp_path):
    for text, message in [
        (
            '[drivers]\nq = "Q"\n[columns]\nresponse_id = 3\n',
            "columns.response_id: must be the name of a column",
        ),
        ('[drivers]\nq = "Q"\n[recode.q]\n"Good" = "four"\n', 'recode.q."Good": the score must be a number'),
        (
            '[drivers]\nq = "Q"\n[recode.q]\n"Good" = 4\n"good " = 3\n',
            "are the same answer with different scores",
        ),
        ('[drivers]\nq = "Q"\n[missing]\nvalues = 99\n', "missing.values: must be a list"),
    ]:
        survey = tmp_path / "bad.toml"
        survey.write_text(text)
        code, _, err = cli("validate", SAMPLE_CSV, "--survey", survey)
        assert code == 1 and message in err and "bad.toml" in err, (text, err)


# --- the store: `insights import` -----------------------------------------------------------


def _drops(folder: Path) -> dict[str, Path]:
    """Two monthly drops as a platform exports them: the second overlaps the first by one month."""
    text = sample_text()
    months = text["submitted_at"].str[:7]
    first = folder / "drop-1.csv"
    second = folder / "drop-2.csv"
    middle = MONTHS[len(MONTHS) // 2]
    text[months <= middle].to_csv(first, index=False)
    text[months >= middle].to_csv(second, index=False)
    return {"first": first, "second": second, "overlap": PER_MONTH[middle]}


def test_import_is_idempotent_and_drops_accumulate(tmp_path, baseline):
    drops = _drops(tmp_path)
    store = tmp_path / "data" / "insights.duckdb"
    first = cli_json("import", drops["first"], "--into", store)
    assert first["added"] == first["read"] > 0 and first["skipped"] == 0 and first["total"] == first["added"]
    again = cli_json("import", drops["first"], "--into", store)
    assert again["added"] == 0 and again["skipped"] == first["read"] and again["total"] == first["total"]
    second = cli_json("import", drops["second"], "--into", store)
    assert second["skipped"] == drops["overlap"]
    assert (
        second["total"] == N and second["first_period"] == MONTHS[0] and second["last_period"] == MONTHS[-1]
    )
    # The accumulated store gives the figures of the whole survey, and nothing twice.
    assert cli_json("metrics", store) == baseline["metrics"]
    assert cli_json("drivers", store) == baseline["drivers"]
    import duckdb

    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*), count(DISTINCT response_id) FROM responses").fetchone() == (N, N)
        assert [r[0] for r in con.execute("SELECT added FROM imports ORDER BY imported_at").fetchall()] == [
            first["added"],
            0,
            second["added"],
        ]


def test_import_with_a_mapping_and_reading_the_store_with_the_same_survey(written, tmp_path, baseline):
    store = tmp_path / "insights.duckdb"
    path, *options = written["qualtrics"]
    code, out, err = cli("import", path, "--into", store, *options)
    assert code == 0, err
    assert (
        f"insights.duckdb: {N} new responses from qualtrics_export.csv (0 already in the store, skipped)"
        in out
    )
    assert "left out: 2 survey previews, 3 unfinished responses" in out
    # The store holds canonical columns: the Qualtrics survey definition still reads it.
    assert cli_json("metrics", store, *options) == baseline["metrics"]
    assert cli_json("drivers", store) == baseline["drivers"]


def test_import_rejects_bad_data_and_leaves_the_store_alone(tmp_path):
    drops = _drops(tmp_path)
    store = tmp_path / "insights.duckdb"
    cli_json("import", drops["first"], "--into", store)
    bad = tmp_path / "bad.csv"
    text = sample_text().tail(5).copy()
    text["response_id"] = [f"NEW{i}" for i in range(5)]
    text.loc[text.index[0], "overall_satisfaction"] = "9"
    text.to_csv(bad, index=False)
    code, _, err = cli("import", bad, "--into", store)
    assert code == 1 and "error: bad.csv: overall_satisfaction: values outside 1-5 in row 1 (9)" in err
    assert len(insights.load(store, warn=False)) == cli_json("validate", drops["first"])["responses"]
    code, _, err = cli("import", bad, "--into", tmp_path / "store.db")
    assert code == 1 and "error: store.db: the store must be a DuckDB file ending in .duckdb" in err


def test_import_adds_columns_a_later_drop_brings(tmp_path):
    drops = _drops(tmp_path)
    store = tmp_path / "insights.duckdb"
    first = pd.read_csv(drops["first"], dtype=str, keep_default_na=False).drop(columns=["respondent_role"])
    first.to_csv(drops["first"], index=False)
    cli_json("import", drops["first"], "--into", store)
    cli_json("import", drops["second"], "--into", store)
    df = insights.load(store, warn=False)
    assert len(df) == N
    assert df["respondent_role"].isna().sum() == len(first) and df[
        "respondent_role"
    ].notna().sum() == N - len(first)


# --- options that do not apply ----------------------------------------------------------------


def test_options_that_do_not_apply_are_errors(written):
    code, _, err = cli("validate", SAMPLE_CSV, "--sheet", "Responses")
    assert code == 1 and "error: responses.csv: a sheet ('Responses') applies to Excel workbooks" in err
    code, _, err = cli("metrics", SAMPLE_CSV, "--table", "responses")
    assert code == 1 and "error: responses.csv: a table ('responses') applies to DuckDB files" in err
    code, _, err = cli("drivers", written["duckdb"][0], "--table", "responses", "--query", "SELECT 1")
    assert code == 1 and "give a table or a query, not both" in err


def test_sqlite_url_through_sqlalchemy(tmp_path, baseline):
    import sqlite3

    path = tmp_path / "survey.sqlite"
    with sqlite3.connect(path) as con:
        pd.read_csv(SAMPLE_CSV).to_sql("responses", con, index=False)
    assert cli_json("metrics", f"sqlite:///{path}") == baseline["metrics"]
    code, _, err = cli("validate", f"sqlite:///{path}", "--table", "nope")
    assert code == 1 and "no table named 'nope' (the database has: responses)" in err


# --- PostgreSQL errors: each names the masked URL, none shows the password --------------------


def _no_secret(*texts: str) -> None:
    for text in texts:
        assert PG_PASSWORD not in text and quote(PG_PASSWORD, safe="") not in text, text


def test_postgres_credentials_from_the_environment(postgres, baseline, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", PG_PASSWORD)
    url = postgres.url("analyst", None, "survey")
    code, out, err = cli(
        "metrics", url, "--query", "SELECT * FROM responses ORDER BY response_id", "--format", "json"
    )
    assert code == 0, err
    assert json.loads(out) == baseline["metrics"]
    monkeypatch.delenv("PGPASSWORD")
    code, out, err = cli("metrics", url)
    assert (
        code == 1 and f"error: postgresql://analyst@127.0.0.1:{postgres.port}/survey: cannot connect:" in err
    )


def test_postgres_schema_qualified_table(postgres):
    df = insights.load(
        postgres.url("analyst", PG_PASSWORD, "survey"), warn=False, table="analytics.responses_q4"
    )
    assert len(df) == 300


def test_postgres_query_keeps_its_own_percent_and_colons(postgres):
    """The query goes to the server as written: LIKE '%...%' and ::casts are not parameters."""
    query = (
        f"SELECT * FROM responses WHERE comment LIKE '%team%' AND submitted_at::date >= DATE '{MONTHS[3]}-01' "
        "AND to_char(submitted_at, 'HH24:MI') >= '00:00'"
    )
    df = insights.load(postgres.url("analyst", PG_PASSWORD, "survey"), warn=False, query=query)
    typed = sample_typed()
    expected = typed["comment"].str.contains("team", na=False) & (typed["submitted_at"] >= f"{MONTHS[3]}-01")
    assert len(df) == int(expected.sum()) > 0


def test_postgres_password_as_url_parameter_is_masked(postgres):
    url = f"postgresql://analyst@127.0.0.1:{postgres.port}/survey?password={quote(PG_PASSWORD, safe='')}"
    code, out, err = cli("validate", url, "--table", "clients")
    assert code == 1
    assert err.startswith(
        f"error: postgresql://analyst@127.0.0.1:{postgres.port}/survey?password=***, table clients: "
        "no responses"
    )
    _no_secret(out, err)


def test_postgres_missing_table_lists_tables_and_masks_the_password(postgres):
    code, out, err = cli("validate", postgres.url("analyst", PG_PASSWORD, "survey"), "--table", "answers")
    assert code == 1
    assert err.strip() == (
        f"error: postgresql://analyst:***@127.0.0.1:{postgres.port}/survey: "
        "no table named 'answers' (the database has: clients, responses)"
    )
    _no_secret(out, err)


def test_postgres_bad_sql(postgres):
    code, out, err = cli(
        "validate", postgres.url("analyst", PG_PASSWORD, "survey"), "--query", "SELECT * FROM responses WHERE"
    )
    assert code == 1
    assert err.startswith(
        f"error: postgresql://analyst:***@127.0.0.1:{postgres.port}/survey, query: "
        "the query failed: syntax error at end of input"
    )
    _no_secret(out, err)


def test_postgres_is_read_only(postgres, monkeypatch):
    url = postgres.url("analyst", PG_PASSWORD, "survey")
    code, _, err = cli("validate", url, "--query", "DELETE FROM responses RETURNING *")
    assert code == 1 and "only a single SELECT statement is accepted (found DELETE)" in err
    monkeypatch.setattr(readonly, "check_select", lambda query, source: None)  # the server's own lock
    code, _, err = cli("validate", url, "--query", "DELETE FROM responses RETURNING *")
    assert code == 1 and "read-only transaction" in err
    assert len(insights.load(url, warn=False)) == N


def test_postgres_wrong_password_and_refused_connection(postgres):
    code, out, err = cli("validate", postgres.url("analyst", "not-the-password", "survey"))
    assert code == 1 and "password authentication failed" in err and "not-the-password" not in err
    assert err.startswith(
        f"error: postgresql://analyst:***@127.0.0.1:{postgres.port}/survey: cannot connect:"
    )
    port = _free_port()
    started = time.monotonic()
    code, out, err = cli(
        "validate", f"postgresql://analyst:{quote(PG_PASSWORD, safe='')}@127.0.0.1:{port}/survey"
    )
    assert code == 1 and "Connection refused" in err and time.monotonic() - started < 15
    assert err.startswith(f"error: postgresql://analyst:***@127.0.0.1:{port}/survey: cannot connect:")
    _no_secret(out, err)


def test_postgres_data_errors_name_the_masked_url(postgres):
    url = postgres.url("analyst", PG_PASSWORD, "survey")
    code, out, err = cli(
        "validate",
        url,
        "--query",
        "SELECT response_id, client_id, submitted_at, 11 AS overall_satisfaction, "
        "3 AS communication, 3 AS responsiveness, 3 AS quality, 3 AS timeliness, 3 AS value, "
        "3 AS expertise FROM responses LIMIT 2",
    )
    assert code == 1
    assert err.strip() == (
        f"error: postgresql://analyst:***@127.0.0.1:{postgres.port}/survey, query: "
        "overall_satisfaction: values outside 1-5 in rows 1, 2 (11, 11)"
    )
    _no_secret(out, err)


def test_import_from_postgres_into_the_store(postgres, tmp_path, baseline):
    store = tmp_path / "insights.duckdb"
    report = cli_json("import", postgres.url("analyst", PG_PASSWORD, "survey"), "--into", store)
    assert report["added"] == N and report["skipped"] == 0
    _no_secret(json.dumps(report))
    assert cli_json("metrics", store) == baseline["metrics"]
