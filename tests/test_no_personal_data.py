"""No personal data in any output: e-mail addresses, phone numbers and contact names planted in comments
never reach a file of ``insights run`` (html, ipynb, json, alerts.json, index) unless ``--show-names``.

The run is on a small slice of the sample (three clients, one client report and the portfolio) with a
contact list in which one C01 contact is renamed to a distinctive name; the three most recent C01
comments of the report month carry distinctive addresses and numbers.  Every output file is read as
bytes and searched for each planted string (and its HTML-escaped and JSON-escaped forms).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from insights.reporting.alerts_file import alerts_json, redact_alerts
from insights.stats.alerts import ALERT_COLUMNS, Alerts

SAMPLE = ROOT / "data" / "sample"
NAME = "Zebulon Quackenbush"
PLANTED_COMMENTS = (
    f"Call {NAME} on +44 20 7946 0999 or write to zeb.quackenbush@h5-planted.example please.",
    "Ring (212) 555-0188 and ask for Quackenbush, the invoices are wrong.",
    "My direct line is 0171 5550177; Zebulon knows the history.",
)
#: Strings that must not appear in any output file without --show-names.
SECRETS = (
    "Zebulon",
    "Quackenbush",
    "quackenbush",
    "7946 0999",
    "555-0188",
    "5550177",
    "h5-planted",
)


def _slice(tmp: Path) -> tuple[Path, Path]:
    """Three clients of the sample with planted comments, and the contact list with the planted name."""
    responses = pd.read_csv(SAMPLE / "responses.csv", dtype=str, keep_default_na=False)
    responses = responses[responses["client_id"].isin(["C01", "C02", "C03"])].copy()
    mine = responses[(responses["client_id"] == "C01") & responses["submitted_at"].str.startswith("2026-10")]
    latest = mine.sort_values("submitted_at").index[-3:]
    responses.loc[latest, "comment"] = list(PLANTED_COMMENTS)
    contacts = pd.read_csv(SAMPLE / "contacts.csv", dtype=str, keep_default_na=False)
    contacts = contacts[contacts["client_id"].isin(["C01", "C02", "C03"])].copy()
    contacts.loc[contacts.index[contacts["client_id"] == "C01"][1], "name"] = NAME
    paths = tmp / "responses.csv", tmp / "contacts.csv"
    responses.to_csv(paths[0], index=False)
    contacts.to_csv(paths[1], index=False)
    return paths


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The slice run twice: without and with --show-names (one client report and the portfolio each)."""
    from insights.cli import main

    tmp = tmp_path_factory.mktemp("personal")
    responses, contacts = _slice(tmp)
    outs = {}
    for label, extra in (("redacted", []), ("shown", ["--show-names"])):
        out = tmp / label
        args = ["run", responses, "--out", out, "--client", "C01", "--workers", "1", "--contacts", contacts]
        assert main([str(a) for a in [*args, *extra]]) == 0
        outs[label] = out
    return outs


def _forms(secret: str) -> set[str]:
    return {secret, html.escape(secret), json.dumps(secret)[1:-1]}


@pytest.mark.slow
@pytest.mark.notebook
def test_no_planted_personal_data_in_any_output_file(runs):
    out = runs["redacted"]
    # out/data/responses-*.parquet is the run's copy of its input, which the notebooks compute from
    # (themes and sentiment see the text): data, not a report, and the only file left out here
    snapshot = [
        p for p in out.rglob("*") if p.is_file() and p.parent.name == "data" and p.suffix == ".parquet"
    ]
    assert len(snapshot) == 1
    files = [p for p in out.rglob("*") if p.is_file() and p not in snapshot]
    kinds = {p.suffix for p in files}
    assert {".html", ".ipynb", ".json"} <= kinds, kinds
    assert (out / "alerts.json").is_file() and (out / "index.html").is_file()
    pages = [p.name for p in files if p.suffix == ".html"]
    assert any(n.startswith("c01-") for n in pages) and any("portfolio" in n for n in pages), pages
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        leaked = [secret for secret in SECRETS if any(form in text for form in _forms(secret))]
        assert not leaked, (str(path.relative_to(out)), leaked)
    page = next((out / "clients").glob("c01-*.html")).read_text(encoding="utf-8")
    # the comments are shown, redacted: their non-personal words stay
    for shown in ("Call [name] on [phone] or write to [email] please.", "Ring [phone] and ask for [name]"):
        assert html.escape(shown) in page or shown in page, shown


@pytest.mark.slow
@pytest.mark.notebook
def test_show_names_shows_them_in_the_report(runs):
    page = next((runs["shown"] / "clients").glob("c01-*.html")).read_text(encoding="utf-8")
    for planted in (
        NAME,
        "+44 20 7946 0999",
        "zeb.quackenbush@h5-planted.example",
        "(212) 555-0188",
        "0171 5550177",
    ):
        assert html.escape(planted) in page, planted


def test_alerts_free_text_is_redacted():
    flags = pd.DataFrame(
        [
            {
                **dict.fromkeys(ALERT_COLUMNS, ""),
                "client_id": "C01",
                "client_name": "Northwind Logistics",
                "kind": "theme",
                "subject": f"{NAME}",
                "detail": f"'{PLANTED_COMMENTS[0]}' and 3.5 of 5 in 2026-10",
                "estimate": 1.0,
                "previous": 0.5,
                "p": 0.01,
                "q": 0.02,
                "family_size": 3,
                "period": "2026-10",
            }
        ]
    )
    alerts = Alerts(pd.Period("2026-10", "M"), flags)
    text = alerts_json(redact_alerts(alerts, [NAME]))
    for secret in SECRETS:
        assert secret not in text, secret
    record = json.loads(text)[0]
    assert record["subject"] == "[name]"
    assert record["detail"] == "'Call [name] on [phone] or write to [email] please.' and 3.5 of 5 in 2026-10"
    assert record["client_name"] == "Northwind Logistics" and record["estimate"] == 1.0
    assert alerts.flags.loc[0, "subject"] == NAME  # the original is not changed
