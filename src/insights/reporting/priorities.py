"""Did priorities change?  The sections of both reports that set each driver's importance in the last
six months against the six before (:mod:`insights.stats.drivers.change` and ``change_pooled``).

* The portfolio: a table per driver (shares of explained variance, the change with its cluster-bootstrap
  95% interval, p and q), findings in plain words, and the clients whose own priorities shifted.
* A client: a short table per driver (its own shares, its change pooled toward the portfolio's, how
  much the pooled figure rests on its own answers) and a line in words.

A shift is claimed only when the 95% interval excludes zero and q < 0.05 (Benjamini-Hochberg across
the drivers, or across every client x driver for the clients).  Client names are escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from insights.reporting.html import Section, esc, findings_html, fmt, table_html
from insights.stats.drivers.change import ImportanceChange
from insights.stats.drivers.change_pooled import ClientImportanceChanges

#: What the claims were checked against (tests/test_importance_change.py and the same simulation at
#: more replications: portfolios of 30 clients over 12 months, six correlated 1-5 drivers); the
#: caveats quote it.
CALIBRATION = (
    "Checked on simulated portfolios of 30 clients: with no change in any driver, 1.3% of driver tests "
    "and 6% of 300 portfolios gave a false shift; a driver whose effect doubles in the last six months "
    "was found in 78% of portfolios of 1,800 responses and 98% of 3,600."
)
CLIENT_CALIBRATION = (
    "Checked on simulated portfolios of 30 clients: with no change in any driver, 0.6% of client x "
    "driver tests and 3% of 160 portfolios gave a false shift; a driver whose effect doubles in the "
    "last six months was found in 25% of the clients with 60 responses a year and 69% with 120, and "
    "never as a fall."
)


def _no(value: float) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.2g}"


def _points(value: float) -> str:
    """A change in whole points, signed, and 0 (never -0 or +0) when it rounds to nothing."""
    if value is None or pd.isna(value):
        return "–"
    whole = round(float(value))
    return f"{whole:+d}" if whole else "0"


def _change(estimate: float, low: float, high: float) -> str:
    return f"{_points(estimate)} ({_points(low)} to {_points(high)})"


# --- the portfolio -----------------------------------------------------------------------------------


def priority_change_display(change: ImportanceChange) -> pd.DataFrame:
    """The portfolio's change per driver for people: shares, change (95% CI), relative weights, p, q."""
    table = change.table.sort_values("share_recent", ascending=False)
    return pd.DataFrame(
        {
            "Driver": table["label"],
            f"Share {change.before} (%)": [fmt(v, 0) for v in table["share_before"]],
            f"Share {change.recent} (%)": [fmt(v, 0) for v in table["share_recent"]],
            "Change, points (95% CI)": [
                _change(*v) for v in zip(table["change"], table["ci_low"], table["ci_high"])
            ],
            "Relative weights: change (95% CI)": [
                _change(*v) for v in zip(table["rw_change"], table["rw_ci_low"], table["rw_ci_high"])
            ],
            "p": [_no(p) for p in table["p"]],
            "q": [_no(q) for q in table["q"]],
            "Shift": np.where(table["shift"], "yes", ""),
        }
    )


def client_shifts_display(changes: ClientImportanceChanges, names: pd.Series) -> pd.DataFrame:
    """Every client x driver with a claimed shift (pooled), for the portfolio report."""
    shifts = changes.table[changes.table["shift"]].sort_values("q")
    return pd.DataFrame(
        {
            "Client": [names.get(c, c) for c in shifts["client_id"]],
            "Driver": shifts["label"],
            "Own shares (before → last 6 months)": [
                f"{fmt(a, 0)}% → {fmt(b, 0)}%" for a, b in zip(shifts["share_before"], shifts["share_recent"])
            ],
            "Pooled change, points (95% CI)": [
                _change(*v) for v in zip(shifts["change"], shifts["ci_low"], shifts["ci_high"])
            ],
            "Own data's weight": [f"{w:.0%}" for w in shifts["own_weight"]],
            "q": [_no(q) for q in shifts["q"]],
        }
    )


def portfolio_priorities_html(
    change: ImportanceChange | None, clients: ClientImportanceChanges | None, names: pd.Series
) -> str:
    """The portfolio's section: the table per driver, findings, and the clients whose priorities shifted."""
    if change is None or not change.ok:
        reason = "not computed" if change is None else change.reason
        return f"<p class='ci-note'>Priorities cannot be compared: {esc(reason)}.</p>"
    caption = (
        f"Each driver's share of explained variance (LMG) in {change.recent} against {change.before}: "
        f"{change.n_recent} and {change.n_before} complete responses; 95% intervals from {change.n_boot} "
        f"bootstrap resamples of whole clients ({change.n_clusters}); q: Benjamini-Hochberg across the drivers. "
        "Shares sum to 100%: when one driver gains, the others lose some share."
    )
    html = table_html(priority_change_display(change), caption=caption) + findings_html(change.findings)
    if clients is not None and len(clients.table):
        tested = int(clients.table["p"].notna().sum())
        shifted = client_shifts_display(clients, names)
        note = (
            f"Per client ({tested} client x driver changes tested, each pooled toward the portfolio's by "
            "empirical Bayes; Benjamini-Hochberg across them all): "
        )
        if len(shifted):
            html += table_html(shifted, caption=note + f"{len(shifted)} shift(s).")
        else:
            html += f"<p class='ci-note'>{esc(note)}no client's priorities shifted beyond chance.</p>"
    return html


def portfolio_priorities_caveat(change: ImportanceChange | None) -> list[str]:
    """What the portfolio's priorities section tested against what."""
    if change is None or not change.ok:
        return []
    return [
        f"Did priorities change: each driver's share of explained variance in {change.recent} against "
        f"{change.before}; the change's 95% interval from {change.n_boot} resamples of whole clients, p from "
        "the bootstrap standard error, Benjamini-Hochberg across the drivers; a shift only when the interval "
        f"excludes zero and q < 0.05. {CALIBRATION}"
    ]


# --- a client ----------------------------------------------------------------------------------------


def client_priorities_display(rows: pd.DataFrame) -> pd.DataFrame:
    """One client's rows of :class:`ClientImportanceChanges` for people."""
    rows = rows.sort_values("share_recent", ascending=False)
    return pd.DataFrame(
        {
            "Driver": rows["label"],
            "Share, 6 months before (%)": [fmt(v, 0) for v in rows["share_before"]],
            "Share, last 6 months (%)": [fmt(v, 0) for v in rows["share_recent"]],
            "Own change, points": [_points(v) for v in rows["own_change"]],
            "Pooled change (95% CI)": [
                _change(*v) for v in zip(rows["change"], rows["ci_low"], rows["ci_high"])
            ],
            "Own data's weight": ["–" if pd.isna(w) else f"{w:.0%}" for w in rows["own_weight"]],
            "q": [_no(q) for q in rows["q"]],
            "Shift": np.where(rows["shift"], "yes", ""),
        }
    )


def client_priority_findings(changes: ClientImportanceChanges, client_id: str) -> list[str]:
    """Sentences for one client: each claimed shift, or that none is, and how much it leans on the portfolio."""
    rows = changes.for_client(client_id)
    if rows.empty or rows["p"].isna().all():
        return []
    found = []
    for row in rows[rows["shift"]].itertuples():
        found.append(
            f"{row.label} matters {'more' if row.change > 0 else 'less'} than six months ago: "
            f"{row.share_recent:.0f}% of explained variance against {row.share_before:.0f}% in this client's own "
            f"answers; pooled with the portfolio, the change is {row.change:+.0f} points (95% CI "
            f"{row.ci_low:+.0f} to {row.ci_high:+.0f}, q = {row.q:.2g})."
        )
    if not found:
        found.append(
            f"No driver's share of explained variance shifted beyond chance between {changes.before} and "
            f"{changes.recent}."
        )
    weight = float(rows["own_weight"].mean())
    found.append(
        f"With {int(rows['n_before'].iloc[0])} and {int(rows['n_recent'].iloc[0])} responses in the two "
        f"half-years, the pooled changes rest {weight:.0%} on this client's own answers and "
        f"{1 - weight:.0%} on the portfolio's."
    )
    return found


def client_priorities_html(changes: ClientImportanceChanges | None, client_id: str) -> str:
    """A client's "Did priorities change?" table and lines, or a note why there are none."""
    rows = changes.for_client(client_id) if changes is not None else pd.DataFrame()
    if rows.empty or rows["p"].isna().all():
        sizes = (
            "" if rows.empty else f" ({int(rows['n_before'].iloc[0])} and {int(rows['n_recent'].iloc[0])})"
        )
        return (
            "<p class='ci-note'>Priorities cannot be compared: too few complete responses in one of the "
            f"two half-years{esc(sizes)}.</p>"
        )
    caption = (
        f"{changes.recent} against {changes.before}. Own change: this client's answers alone; pooled: shrunk "
        "toward the portfolio's change by how much the client's own answers can tell (empirical Bayes), "
        "q across every client x driver."
    )
    return table_html(client_priorities_display(rows), caption=caption) + findings_html(
        client_priority_findings(changes, client_id)
    )


def client_priorities_caveat(changes: ClientImportanceChanges | None) -> list[str]:
    """What the client's priorities table tested against what."""
    if changes is None:
        return []
    return [
        f"Did priorities change: the client's own change in each driver's share of explained variance "
        f"({changes.recent} against {changes.before}, {changes.n_boot} resamples of responses per half-year), "
        "shrunk toward the clients' average change with the between-client variance by DerSimonian-Laird; "
        "Benjamini-Hochberg across every client x driver; a shift only when the 95% interval excludes zero "
        f"and q < 0.05. {CLIENT_CALIBRATION}"
    ]


# --- sections that display themselves ----------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class PortfolioPrioritiesSection(Section):
    """The portfolio's "Did priorities change?" table, findings and client shifts."""

    report: object  # PortfolioReport (priorities, client_priorities, window)

    def html(self) -> str:
        window = self.report.window
        clients = window.drop_duplicates("client_id")
        names = pd.Series(clients["client_name"].to_numpy(), index=clients["client_id"].astype(str))
        return portfolio_priorities_html(self.report.priorities, self.report.client_priorities, names)


@dataclass(frozen=True, repr=False)
class ClientPrioritiesSection(Section):
    """A client's "Did priorities change?" table and lines."""

    report: object  # ClientReport (priorities, client_id)

    def html(self) -> str:
        return client_priorities_html(self.report.priorities, self.report.client_id)
