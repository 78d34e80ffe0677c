"""Golden files: what a user sees, pinned.  The proof that a refactoring changed nothing.

(a) Every ``--format json`` output of the command line on the bundled sample, byte for byte.
(b) The rendered reports of one run (two clients, the portfolio and the index page), compared as
    normalised text: :func:`normalise` removes what differs between two runs of the same code, and
    nothing else (see its docstring; ``test_the_normaliser_keeps_the_content`` checks that).

The golden files were made with the code before the package was split into layers (commit d5b63c3):
the JSON files are its outputs, the reports come from its full run of the sample
(``insights run data/sample/responses.csv --out DIR --events data/sample/events.csv --contacts
data/sample/contacts.csv --self-assessment data/sample/self_assessment.csv``), and the index page from
the same command with ``--client C03 --client I02`` (what this test runs): the index lists only the
clients a run rendered and counts them in its first line ("3 ok"); each client's row is the same as in
a full run, and so are the reports themselves.

To change a golden file on purpose (an intended change to a report or an output), refresh them all
from the current code and review the diff before committing it::

    python tests/test_golden.py --update        # with PYTHONPATH=src, or in the project's .venv
    git diff --stat tests/data/golden
"""

from __future__ import annotations

import base64
import contextlib
import difflib
import io
import os
import re
import shlex
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden"
TEMPLATES = ROOT / "src" / "insights" / "reporting" / "templates"

#: golden file in GOLDEN/json -> the command line (run from the repository root, plus --format json)
JSON_COMMANDS = {
    "validate.json": "validate data/sample/responses.csv",
    "metrics.json": "metrics data/sample/responses.csv",
    "metrics-C03.json": "metrics data/sample/responses.csv --client C03",
    "drivers.json": "drivers data/sample/responses.csv",
    "drivers-C03.json": "drivers data/sample/responses.csv --client C03",
    "gaps.json": "gaps data/sample/responses.csv --self-assessment data/sample/self_assessment.csv",
    "sla.json": "sla data/sample/events.csv",
    "sla-C03-2026-10.json": "sla data/sample/events.csv --client C03 --period 2026-10",
}

#: the run whose reports are compared (from the repository root; {out} is a temporary folder)
RUN_COMMAND = (
    "run data/sample/responses.csv --out {out} --client C03 --client I02 --events data/sample/events.csv "
    "--contacts data/sample/contacts.csv --self-assessment data/sample/self_assessment.csv"
)
#: golden file in GOLDEN/reports -> the file of the run it pins (client file names carry a hash)
REPORTS = {
    "c03.html": "clients/c03-*.html",
    "i02.html": "clients/i02-*.html",
    "portfolio.html": "portfolio.html",
    "index.html": "index.html",
}


# --- normalising a rendered report -------------------------------------------------------------------

STYLE = re.compile(r"<style([^>]*)>(.*?)</style>", re.S)
PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)")
CELL_ID = re.compile(r'id="cell-id=[^"]*"')
RENDERED_AT = re.compile(r"rendered \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")


def png_size(encoded: str) -> tuple[int, int]:
    """Width and height of a base64 PNG, from its IHDR chunk (bytes 16 to 24 of the file)."""
    head = base64.b64decode("".join(encoded.split())[:44])
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return struct.unpack(">II", head[16:24])


def _project_css(css: str) -> bool:
    """Whether a stylesheet is the project's own (written in one of its templates)."""
    text = css.strip()
    return bool(text) and any(
        text in path.read_text(encoding="utf-8") for path in TEMPLATES.rglob("*") if path.is_file()
    )


def normalise(html: str) -> str:
    """A rendered report as text that two renderings of the same code agree on.

    * each embedded PNG becomes its pixel size (``[PNG 720x499]``): the pixels of a figure depend on
      the matplotlib and libpng builds and the encoder's metadata, its size on the layout;
    * the stylesheets of nbconvert's lab template (about 260 kB of JupyterLab CSS, with base64 icons)
      become a marker; the project's own CSS, from its templates, stays;
    * the ids of the notebook cells go (papermill gives its injected-parameters cell a random one);
    * the index page's run time (``rendered 2026-11-29 23:30 UTC``) goes.

    Everything else, every number and word of the report, its HTML and its whitespace, stays.
    """

    def style(match: re.Match) -> str:
        attributes, css = match.groups()
        return (
            match.group(0)
            if _project_css(css)
            else f"<style{attributes}>/* nbconvert's stylesheet */</style>"
        )

    html = STYLE.sub(style, html)
    html = PNG.sub(lambda m: "data:image/png;base64,[PNG {}x{}]".format(*png_size(m.group(1))), html)
    html = CELL_ID.sub('id="cell-id=*"', html)
    return RENDERED_AT.sub("rendered YYYY-MM-DD HH:MM UTC", html)


# --- producing the outputs ---------------------------------------------------------------------------


def cli_json(command: str) -> tuple[int, str, str]:
    """Run one JSON command in-process from the repository root: (exit code, stdout, stderr)."""
    from insights.cli import main

    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*shlex.split(command), "--format", "json"])
    finally:
        os.chdir(here)
    return code, out.getvalue(), err.getvalue()


def render(out: Path) -> dict[str, str]:
    """Run RUN_COMMAND into ``out`` as a user would (the command line, from the repository root) and
    return golden name -> normalised text of each report in REPORTS."""
    src = str(ROOT / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "insights.cli", *shlex.split(RUN_COMMAND.format(out=out))]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"insights {RUN_COMMAND} exited {done.returncode}:\n{done.stderr}"
    texts = {}
    for name, pattern in REPORTS.items():
        (path,) = out.glob(pattern)
        texts[name] = normalise(path.read_text(encoding="utf-8"))
    return texts


def first_difference(expected: str, actual: str, name: str, context: int = 3, limit: int = 60) -> str:
    """The first hunk of the unified diff between two texts (at most ``limit`` lines)."""
    diff = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), f"golden/{name}", f"now/{name}", n=context, lineterm=""
    )
    lines = []
    for line in diff:
        if line.startswith("@@") and any(seen.startswith("@@") for seen in lines):
            break
        lines.append(line if len(line) <= 300 else line[:300] + " ...")
    return "\n".join(lines[:limit])


# --- the tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("golden", sorted(JSON_COMMANDS))
def test_json_output_is_byte_identical(golden):
    code, out, err = cli_json(JSON_COMMANDS[golden])
    expected = (GOLDEN / "json" / golden).read_text(encoding="utf-8")
    assert (code, err) == (0, ""), err
    assert out == expected, (
        f"insights {JSON_COMMANDS[golden]} --format json differs:\n{first_difference(expected, out, golden)}"
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, str]:
    return render(tmp_path_factory.mktemp("golden") / "out")


@pytest.mark.notebook  # and so slow (tests/conftest.py): the JSON outputs take seconds, the reports a minute
@pytest.mark.parametrize("golden", sorted(REPORTS))
def test_rendered_report_is_identical(rendered, golden):
    expected = (GOLDEN / "reports" / golden).read_text(encoding="utf-8")
    assert rendered[golden] == expected, (
        f"{golden} differs from the golden file (python tests/test_golden.py --update refreshes it on "
        f"purpose):\n{first_difference(expected, rendered[golden], golden)}"
    )


def test_the_normaliser_keeps_the_content():
    """Only the parts named in normalise's docstring change; numbers, words and markup stay."""
    report = (GOLDEN / "reports" / "c03.html").read_text(encoding="utf-8")
    assert normalise(report) == report  # the golden files are normalised, and normalising is idempotent
    for kept in ("Fabrikam Health", "NPS", "Mon 2026-11-30", "95% CI", "ci-card", "[PNG "):
        assert kept in report, kept
    assert "base64,iVBOR" not in report and "cell-id=*" in report

    # a red image of 2 x 3 pixels
    pixel = (
        "iVBORw0KGgoAAAANSUhEUgAAAAIAAAADCAIAAAA2iEnWAAAAEElEQVR4nGP4z8AARAwoFABE0AX7pM/egAAAAABJRU5ErkJggg=="
    )
    assert png_size(pixel) == (2, 3)
    page = (
        '<html><head><style type="text/css">\n.jp-Anything { color: red; }\n</style></head>'
        '<body><div class="jp-Cell" id="cell-id=3b1ae694">'
        f'<p>NPS +12.5 (95% CI -3.1 to 28.0), n = 41</p><img src="data:image/png;base64,{pixel}"/></div>'
        '<div class="meta">Period 2026-10 · rendered 2026-11-29 23:30 UTC · 3 ok, 0 unchanged, 0 failed</div>'
        "</body></html>"
    )
    assert normalise(page) == (
        '<html><head><style type="text/css">/* nbconvert\'s stylesheet */</style></head>'
        '<body><div class="jp-Cell" id="cell-id=*">'
        '<p>NPS +12.5 (95% CI -3.1 to 28.0), n = 41</p><img src="data:image/png;base64,[PNG 2x3]"/></div>'
        '<div class="meta">Period 2026-10 · rendered YYYY-MM-DD HH:MM UTC · 3 ok, 0 unchanged, 0 failed</div>'
        "</body></html>"
    )


# --- refreshing the golden files on purpose ----------------------------------------------------------


def update(out: Path) -> None:
    """Write every golden file from the current code (reports rendered into ``out``)."""
    for name, command in JSON_COMMANDS.items():
        code, text, err = cli_json(command)
        if code != 0:
            raise SystemExit(f"insights {command} --format json exited {code}:\n{err}")
        (GOLDEN / "json" / name).write_text(text, encoding="utf-8")
        print(f"wrote {GOLDEN / 'json' / name}")
    for name, text in render(out).items():
        (GOLDEN / "reports" / name).write_text(text, encoding="utf-8")
        print(f"wrote {GOLDEN / 'reports' / name}")


if __name__ == "__main__":
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description="Refresh the golden files from the current code.")
    parser.add_argument("--update", action="store_true", help="write tests/data/golden from the current code")
    if not parser.parse_args().update:
        parser.error("nothing to do: pass --update to rewrite the golden files (then review `git diff`)")
    sys.path.insert(0, str(ROOT / "src"))
    with tempfile.TemporaryDirectory() as folder:
        update(Path(folder) / "out")
