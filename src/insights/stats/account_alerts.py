"""The accounts' flags: kind ``closeout``, a client whose status turned ``closed`` in the window.

A rule, not a test (there is no p or q): every client of :func:`insights.stats.value.closeouts`
gets one flag, whose detail says when it closed, when the check-in is due and whether it answered
the survey in a month after closing.  :func:`insights.stats.alerts.compute_alerts` adds these
flags when it is given the accounts.
"""

from __future__ import annotations

import pandas as pd

from insights.stats.value import CHECK_IN_DAYS, closeouts

__all__ = ["CLOSEOUT_RULE", "closeout_caveat", "closeout_flags"]

CLOSEOUT_RULE = "rule: status turned closed in the window"


def closeout_flags(
    responses: pd.DataFrame, accounts: pd.DataFrame, period: pd.Period | str, months: int = 12
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``closeout`` flags of ``period`` (rows of :data:`insights.stats.alerts.ALERT_COLUMNS`) and
    the close-outs' table they come from.

    ``estimate`` is the number of responses in months after closing (0: the close-out survey is
    still to be answered).
    """
    table = closeouts(responses, accounts, period, months)
    rows = []
    for row in table.itertuples():
        answered = (
            f"answered since ({row.responses_after} responses)"
            if row.answered_after
            else "no answer since: send the close-out survey"
        )
        rows.append(
            {
                "client_id": row.client_id,
                "kind": "closeout",
                "metric": "closed",
                "estimate": float(row.responses_after),
                "detail": f"Closed in {row.closed_period}: hand over to client care, check in by "
                f"{row.check_in_by} ({CHECK_IN_DAYS} days after the month's end); {answered}",
                "family": "close-out",
                "method": CLOSEOUT_RULE,
            }
        )
    return pd.DataFrame(rows), table


def closeout_caveat(months: int = 12) -> str:
    """What the close-out flags are, for a report's caveats."""
    return (
        f"Close-outs are a rule, not a test: a client whose status turned closed in the {months} months to the "
        "report period is flagged, with a hand-over to client care, a check-in within "
        f"{CHECK_IN_DAYS} days of the closing month's end and a close-out survey; 'answered since' counts "
        "responses in later months."
    )
