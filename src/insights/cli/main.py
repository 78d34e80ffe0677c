"""The entry point: runs the app and turns every failure into a short message and an exit code."""

from __future__ import annotations

import os
import sys

import typer

from insights.cli.common import app
from insights.core.errors import InsightsError
from insights.data.survey import SurveyDefinitionError


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app and turn every failure into a short message and an exit code.

    Parameters
    ----------
    argv
        The arguments after the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 for data and selection errors, 2 for usage errors and unexpected errors,
        130 when interrupted; a command's own ``typer.Exit`` code otherwise.
    """
    # typer 0.29 raises the exceptions of its own copy of click (``typer._click``), older typer those of
    # click itself: catch the base class of the BadParameter typer exports, and click's when installed.
    click_errors = tuple({cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException"})
    try:
        import click

        click_errors += (click.ClickException,)
    except ImportError:  # typer 0.29 does not need click
        pass
    try:
        code = app(args=argv, prog_name="insights", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except click_errors as exc:
        # usage line, "Try 'insights metrics --help' for help." and "Error: ..."; a bare `insights`
        # has already printed the help and carries no message of its own
        if exc.format_message():
            exc.show()
        return exc.exit_code
    except typer.Abort:
        print("insights: aborted", file=sys.stderr)
        return 130
    except (InsightsError, SurveyDefinitionError) as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"error: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("insights: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the promise is: never a bare traceback
        if os.environ.get("INSIGHTS_DEBUG"):
            raise
        print(
            f"insights: unexpected error: {type(exc).__name__}: {exc} (set INSIGHTS_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 2
    # without standalone mode click returns the code of a typer.Exit instead of raising it
    return code if isinstance(code, int) else 0
