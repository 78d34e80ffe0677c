"""The ``insights`` command line.

Every command turns bad input into one line per problem on stderr and a non-zero exit
(1 for data and selection errors, 2 for usage errors); a traceback is shown only with
``INSIGHTS_DEBUG=1``.

One module per group of commands (:mod:`~insights.cli.data`, :mod:`~insights.cli.analysis`,
:mod:`~insights.cli.run`, :mod:`~insights.cli.alerts`), the shared options in :mod:`~insights.cli.common`,
the entry point in :mod:`~insights.cli.main`.  The commands are registered here, in the order
``insights --help`` lists them.
"""

from __future__ import annotations

from insights.cli.alerts import alerts
from insights.cli.analysis import drivers, gaps, metrics, sla
from insights.cli.common import app
from insights.cli.data import import_, sample, validate
from insights.cli.main import main
from insights.cli.run import run
from insights.cli.themes import themes
from insights.cli.value import value

for command in (validate, sample, metrics, drivers, run):
    app.command()(command)
app.command("import")(import_)
for command in (sla, gaps, alerts):
    app.command()(command)
app.command()(themes)
app.command()(value)

__all__ = ["app", "main"]
