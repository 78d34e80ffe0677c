"""The run's flags, computed once: ``alerts.json`` beside the index page, read by every report.

:func:`insights.stats.alerts.compute_alerts` tests the whole portfolio (each family's q-values
depend on every client), so a run does it once, before any report: it writes the flags to
``alerts.json`` (the list ``insights alerts --format json`` prints, for a scheduled job to mail),
passes that file to every notebook (parameter ``alerts``) and shows the flags on the index page.
Each report's fingerprint holds its own flags (:func:`flag_digests`), so a report is rendered
again exactly when its flags change.
"""

from __future__ import annotations

from pathlib import Path

from insights.batch.layout import ALERTS_FILE
from insights.batch.tasks import fingerprint
from insights.stats.alerts import Alerts

__all__ = ["PORTFOLIO_KEY", "flag_digests", "write_run_alerts"]

#: Where the run's revenue at risk (with an accounts file) is kept in ``Alerts.tests`` for the index page.
REVENUE_AT_RISK = "revenue at risk"
#: The key of the portfolio report's digest in :func:`flag_digests` (no client id is empty).
PORTFOLIO_KEY = ""


def write_run_alerts(data, out_dir: Path, period, parameters: dict, survey) -> tuple[Path, Alerts]:
    """Compute the period's flags from the run's inputs and write them to ``out_dir/alerts.json``.

    Parameters
    ----------
    data
        The run's validated responses (every client: the families span the portfolio).
    out_dir
        The run's output folder.
    period
        The report month.
    parameters
        The notebooks' parameters: ``events``, ``contacts``, ``accounts``, ``months`` and ``sla_target``
        are used; without ``show_names`` the flags' free text is redacted
        (:func:`~insights.reporting.alerts_file.redact_alerts`).
    survey
        The survey definition file (or None for the shipped one).

    Returns
    -------
    (path, alerts)
        The file written (atomically) and the flags.
    """
    from insights.data.events import load_events
    from insights.data.people import read_contacts
    from insights.data.redaction import contact_names
    from insights.data.survey import resolve_survey
    from insights.reporting.alerts_file import redact_alerts, write_alerts
    from insights.stats.alerts import compute_alerts

    events = parameters.get("events")
    contacts = parameters.get("contacts")
    contact_list = read_contacts(contacts) if contacts else None
    accounts = _accounts(parameters["accounts"]) if parameters.get("accounts") else None
    alerts = compute_alerts(
        data,
        period,
        resolve_survey(survey),
        events=load_events(events, warn=False) if events else None,
        contacts=contact_list,
        months=int(parameters.get("months", 12)),
        sla_target=float(parameters.get("sla_target", 0.95)),
        accounts=accounts,
    )
    if not parameters.get("show_names"):  # no e-mail, phone or contact name in alerts.json or the index
        alerts = redact_alerts(alerts, contact_names(contact_list))
    if accounts is not None:  # the index page's header shows it (batch/index.py)
        from insights.core.periods import cadence_of, months_in
        from insights.stats.value import revenue_at_risk

        months = months_in(int(parameters.get("months", 12)), cadence_of(period))  # accounts are monthly
        alerts.tests[REVENUE_AT_RISK] = revenue_at_risk(alerts.flags, accounts, period, months)
    return write_alerts(Path(out_dir) / ALERTS_FILE, alerts), alerts


def _accounts(path: str):
    from insights.data.accounts import load_accounts

    return load_accounts(path, warn=False)


def flag_digests(alerts: Alerts) -> dict[str, str]:
    """Client id -> the hash of that client's flags; :data:`PORTFOLIO_KEY` -> the hash of them all."""
    records = alerts.records()
    digests = {PORTFOLIO_KEY: fingerprint(records)}
    for client_id in {r["client_id"] for r in records}:
        digests[client_id] = fingerprint([r for r in records if r["client_id"] == client_id])
    return digests
