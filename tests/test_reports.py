"""The real report notebooks, rendered by `insights run`: content, safety, and a browser's view."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from insights.batch.runner import run
from insights.core.slug import slugify

CLIENTS = ["C03", "C23"]  # a declining client, and one with only two contacts
SECTIONS = ["Headline", "Scorecard", "Trends", "Key drivers", "Voice of the client", "Caveats"]


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory, sample_csv):
    out = tmp_path_factory.mktemp("reports")
    outcome = run(sample_csv, out, clients=CLIENTS, workers=2, progress=False)
    return out, outcome


def client_html(out: Path, client_id: str) -> str:
    return (out / "clients" / f"{slugify(client_id)}.html").read_text("utf-8")


def test_every_report_renders(sample_run):
    out, outcome = sample_run
    assert outcome.failed == []
    assert {r.key for r in outcome.results} == {"portfolio", *map(slugify, CLIENTS)}
    for client in CLIENTS:
        page = client_html(out, client)
        for section in SECTIONS:
            assert f">{section}<" in page, (client, section)
    portfolio = (out / "portfolio.html").read_text("utf-8")
    for section in [
        "League table",
        "Distributions",
        "Internal and external clients",
        "Drivers across all clients",
        "Clients at risk",
        "Movers",
    ]:
        assert f">{section}<" in portfolio


def test_reports_are_code_free_and_self_contained(sample_run):
    out, _ = sample_run
    for page in [out / "portfolio.html", *(out / "clients").glob("*.html")]:
        text = page.read_text("utf-8")
        assert "import insights" not in text and "report.client_report" not in text
        assert "publish_summary" not in text
        assert not re.search(r"<script[^>]+src=", text)
        assert not re.search(r"<link[^>]+href=[\"']https?:", text)
        assert "<img" in text and 'src="data:image/png;base64,' in text


def test_headline_matches_an_independent_count(sample_run, sample_df):
    _, outcome = sample_run
    summary = next(r.summary for r in outcome.results if r.key == slugify("C03"))
    month = sample_df[(sample_df["client_id"] == "C03") & (sample_df["period"] == sample_df["period"].max())]
    ltr = month["likelihood_to_recommend"].dropna()
    by_hand = round(100 * ((ltr >= 9).sum() - (ltr <= 6).sum()) / len(ltr))
    figures = {f["label"]: f["value"] for f in summary["figures"]}
    assert figures["Responses"] == str(len(month))
    assert int(figures["NPS"]) == by_hand
    assert float(figures["Mean overall"]) == pytest.approx(month["overall_satisfaction"].mean(), abs=0.005)


def test_no_respondent_identities_and_no_noise_in_outputs(sample_run, sample_df):
    out, _ = sample_run
    respondents = set(sample_df.loc[sample_df["client_id"] == "C03", "respondent_id"].astype(str))
    html_text = client_html(out, "C03")
    notebook = nbformat.read(out / "clients" / f"{slugify('C03')}.ipynb", as_version=4)
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    shown = "\n".join(str(o.get("data", {}).get("text/html", "")) + str(o.get("text", "")) for o in outputs)
    for respondent in respondents:
        assert respondent not in html_text and respondent not in shown
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not [o for o in outputs if o.output_type == "error"]


HOSTILE_CSV = """response_id,client_id,client_name,client_type,respondent_id,submitted_at,overall_satisfaction,likelihood_to_recommend,communication,responsiveness,quality,timeliness,value,expertise,comment
R1,EVIL,<script>alert(1)</script>,external,P1,2026-09-05,2,3,2,2,2,3,2,3,"<img src=x onerror=alert(2)> awful"
R2,EVIL,<script>alert(1)</script>,external,P2,2026-10-05,3,6,3,3,2,3,3,4,fine & dandy
R3,OK1,Solid Ltd,internal,P3,2026-10-06,4,9,4,4,4,4,4,4,
R4,OK1,Solid Ltd,internal,P4,2026-10-07,5,10,5,4,5,4,4,5,great
"""


def test_tiny_and_hostile_data_still_render_safely(tmp_path):
    source = tmp_path / "tiny.csv"
    source.write_text(HOSTILE_CSV, encoding="utf-8")
    outcome = run(source, tmp_path / "out", workers=2, progress=False)
    assert outcome.failed == [], [r.error for r in outcome.failed]
    page = client_html(tmp_path / "out", "EVIL")
    assert "insufficient data" in page  # says what cannot be computed, and why
    for raw in ("<script>alert(1)</script>", "<img src=x onerror"):
        for html_page in [
            page,
            (tmp_path / "out" / "index.html").read_text("utf-8"),
            (tmp_path / "out" / "portfolio.html").read_text("utf-8"),
        ]:
            assert raw not in html_page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt; awful" in page


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_index_and_a_report_open_in_headless_chromium(sample_run):
    browser_path = _chromium()
    if browser_path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing on CI: .ci/run should have installed it")
        pytest.skip("chromium is not installed here (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    out, _ = sample_run
    pages = [out / "index.html", out / "clients" / f"{slugify('C03')}.html", out / "portfolio.html"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=browser_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            for path in pages:
                page = browser.new_page()
                problems: list[str] = []
                page.on(
                    "console",
                    lambda m: (
                        problems.append(f"console {m.type}: {m.text}")
                        if m.type in ("error", "warning")
                        else None
                    ),
                )
                page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
                remote: list[str] = []
                page.on(
                    "request",
                    lambda r: remote.append(r.url) if not r.url.startswith(("file:", "data:")) else None,
                )
                page.goto(path.as_uri(), wait_until="load")
                images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
                assert problems == [], (path.name, problems)
                assert remote == [], (path.name, remote)
                if path.name != "index.html":
                    assert images and all(done and width > 0 for done, width in images), (path.name, images)
                else:
                    links = page.evaluate(
                        "Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))"
                    )
                    assert f"clients/{slugify('C03')}.html" in links and "portfolio.html" in links
                page.close()
        finally:
            browser.close()


def test_warm_kernels_give_the_same_reports_as_fresh_kernels(sample_run, tmp_path, sample_csv):
    out, _ = sample_run
    cold = run(sample_csv, tmp_path / "cold", clients=["C23"], workers=1, progress=False, warm=False)
    assert cold.failed == []

    # papermill gives its injected parameters cell a random id in every run, warm or not
    def normalised(page: str) -> str:
        return re.sub(r"cell-id=[0-9a-f-]+", "cell-id=X", re.sub(r'id="cell-id=[^"]*"', "", page))

    assert normalised(client_html(tmp_path / "cold", "C23")) == normalised(client_html(out, "C23"))

    def outputs(folder):
        notebook = nbformat.read(folder / "clients" / f"{slugify('C23')}.ipynb", as_version=4)
        return [(c.get("execution_count"), c.get("outputs")) for c in notebook.cells if c.cell_type == "code"]

    assert outputs(tmp_path / "cold") == outputs(out)
