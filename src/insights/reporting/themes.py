"""Voice of the client, by theme: the client report's themes against the portfolio's, and the portfolio
report's costliest themes and themes by client.

The statistics come from :mod:`insights.stats.themes` (coding, effects), :mod:`insights.stats.theme_alerts`
(a client against the portfolio) and :mod:`insights.stats.topics` (suggested themes without a codeframe).
Every quote and suggested term shown is redacted (e-mail addresses, phone numbers and the contact
list's names as ``[email]``, ``[phone]``, ``[name]``; :mod:`insights.data.redaction`) unless
``show_names``; the coding and the sentiment see the comments as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from insights.core.periods import as_period, span
from insights.data.redaction import redact_series
from insights.data.survey import SurveyDefinition
from insights.reporting.html import Section, findings_html, fmt, render, table_html
from insights.stats.sentiment import SCORER_NOTES, score_comments
from insights.stats.theme_alerts import client_vs_portfolio
from insights.stats.themes import (
    ThemeAnalysis,
    analyse_themes,
    code_comments,
    has_comment,
    representative_quotes,
    theme_shares,
)

__all__ = [
    "NO_CODEFRAME",
    "ClientThemesSection",
    "PortfolioThemes",
    "PortfolioThemesSection",
    "client_themes_section",
    "portfolio_themes",
]

NO_CODEFRAME = (
    "No codeframe in the survey definition, so no themes to compare. `insights themes SOURCE --suggest` "
    "proposes one to paste into it (README, Comment themes)."
)
CODING = (
    "Themes: the survey definition's codeframe, each keyword matched case-insensitively at the start of a "
    "word, exclude phrases left out; a comment can carry several themes (README, Comment themes)."
)
SENTIMENT = "Sentiment: {scorer}; built for English, comments in other languages score near 0."
QUOTES = (
    "Quotes: the shortest clear comments (four words or more) on the theme; e-mail addresses, phone numbers "
    "and contacts' names show as [email], [phone] and [name] unless the report is run with --show-names."
)


def _q(value: float) -> str:
    return "<0.001" if pd.notna(value) and value < 0.001 else fmt(value, 3)


def _window(responses: pd.DataFrame, period: pd.Period, months: int) -> tuple[pd.DataFrame, str]:
    period = as_period(period)
    first = period - (months - 1)
    window = responses[(responses["period"] >= first) & (responses["period"] <= period)]
    return window[has_comment(window["comment"])], span(first, period)


def _shown(texts: pd.Series, names: Sequence[str], show_names: bool) -> pd.Series:
    return texts if show_names else redact_series(texts, names)


def _quotes(coded: pd.DataFrame, keys: list[str], labels: dict, counts: dict, n: int) -> list[dict]:
    return [
        {
            "label": labels.get(k, k),
            "mentions": counts.get(k, 0),
            "quotes": representative_quotes(coded, k, keys, n),
        }
        for k in keys
        if counts.get(k, 0)
    ]


# --------------------------------------------------------------------------- the client report


@dataclass(frozen=True, repr=False)
class ClientThemesSection(Section):
    """One client's themes against the other clients', with quotes (or a note why there are none)."""

    span: str = ""
    comments: int = 0
    comparison: pd.DataFrame = field(default_factory=pd.DataFrame)
    findings: tuple[str, ...] = ()
    quotes: tuple[dict, ...] = ()
    method: str = ""
    note: str = ""

    def html(self) -> str:
        table = table_html(self.comparison) if len(self.comparison) else ""
        return render(
            "themes_client.html.j2",
            note=self.note,
            span=self.span,
            comments=self.comments,
            table=table,
            findings=findings_html(
                self.findings, empty="No theme's share differs significantly from the other clients'."
            ),
            quotes=list(self.quotes),
            method=self.method,
        )


def client_themes_section(
    responses: pd.DataFrame,
    client_id: str,
    period: pd.Period | str,
    *,
    months: int = 12,
    survey: SurveyDefinition | None = None,
    names: Sequence[str] = (),
    show_names: bool = False,
    quotes: int = 3,
) -> ClientThemesSection:
    """The client's themes over the report's window against the other clients' over the same months.

    ``responses`` are the whole portfolio's; ``names`` the contact list's names redacted from the quotes
    (:func:`insights.data.redaction.contact_names`) unless ``show_names``.
    """
    survey = survey or SurveyDefinition.default()
    commented, span = _window(responses, period, months)
    mine = commented["client_id"].astype(str) == str(client_id)
    if not survey.themes:
        return ClientThemesSection(note=NO_CODEFRAME)
    if not mine.any():
        return ClientThemesSection(note=f"No comments from this client in {span}.")
    keys = [t.key for t in survey.themes]
    labels = {t.key: t.label for t in survey.themes}
    coded = pd.concat(
        [commented[["client_id", "period"]], code_comments(commented["comment"], survey.themes)], axis=1
    )
    compared = client_vs_portfolio(coded, keys, client_id)
    own = commented[mine]
    sentiment = score_comments(own["comment"])
    compared["sentiment"] = [sentiment[coded.loc[own.index, k]].mean() for k in compared["theme"]]
    compared = compared.sort_values(["share", "theme"], ascending=[False, True], kind="stable")
    display = pd.DataFrame(
        {
            "Theme": compared["theme"].map(labels),
            "Mentions": compared["mentions"],
            "Share": [fmt(100 * v, 0, "%") for v in compared["share"]],
            "Other clients": [fmt(100 * v, 0, "%") for v in compared["others_share"]],
            "Difference": [fmt(100 * v, 0, " pts", signed=True) for v in compared["difference"]],
            "q": [_q(v) for v in compared["q"]],
            "Sentiment": [fmt(v, 2, signed=True) for v in compared["sentiment"]],
        }
    )
    findings = tuple(
        f"{labels[row.theme]}: {100 * row.share:.0f}% of this client's comments against {100 * row.others_share:.0f}% "
        f"of the other clients' (Fisher's exact test, p = {row.p:.2g}, q = {row.q:.2g})"
        for row in compared[compared["significant"]].itertuples()
    )
    shown = coded.loc[own.index].assign(comment=_shown(own["comment"], names, show_names))
    counts = dict(zip(compared["theme"], compared["mentions"]))
    method = " ".join(
        [
            CODING,
            f"Each share against the other clients' comments of the same months: Fisher's exact test, two-sided, "
            f"Benjamini-Hochberg across the {len(keys)} themes.",
            SENTIMENT.format(scorer=SCORER_NOTES.get("vader")),
            QUOTES,
        ]
    )
    return ClientThemesSection(
        span=span,
        comments=int(mine.sum()),
        comparison=display,
        findings=findings,
        quotes=tuple(_quotes(shown, list(compared["theme"]), labels, counts, quotes)),
        method=method,
    )


# --------------------------------------------------------------------------- the portfolio report


@dataclass(frozen=True)
class PortfolioThemes:
    """The portfolio's themes over the report's window: the analysis (costliest first), each client's
    shares (for :func:`insights.reporting.plots.theme_heatmap`) and quotes as shown."""

    analysis: ThemeAnalysis | None
    shares: pd.DataFrame
    counts: pd.Series
    client_names: dict[str, str]
    span: str
    suggested: bool = False
    quotes: tuple[dict, ...] = ()

    def __repr__(self) -> str:
        return f"<PortfolioThemes {self.span}: {0 if self.analysis is None else self.analysis.n_comments} comments>"


def portfolio_themes(
    responses: pd.DataFrame,
    period: pd.Period | str,
    *,
    months: int = 12,
    survey: SurveyDefinition | None = None,
    names: Sequence[str] = (),
    show_names: bool = False,
    quotes: int = 2,
) -> PortfolioThemes:
    """Code (or, without a codeframe, suggest), score and summarise the portfolio's comments of the window."""
    from insights.stats.topics import suggest_themes

    survey = survey or SurveyDefinition.default()
    commented, span = _window(responses, period, months)
    names_of = commented.groupby(commented["client_id"].astype(str), observed=True)["client_name"].first()
    if commented.empty:
        return PortfolioThemes(None, pd.DataFrame(), pd.Series(dtype=int), {}, span)
    shown = _shown(commented["comment"], names, show_names)
    if survey.themes:
        analysis = analyse_themes(commented, survey)
    else:
        found = suggest_themes(shown)
        if found.table.empty:
            return PortfolioThemes(None, pd.DataFrame(), pd.Series(dtype=int), {}, span, suggested=True)
        analysis = analyse_themes(
            commented,
            survey,
            indicators=found.indicators,
            labels=dict(zip(found.table["theme"], found.table["label"])),
            terms=dict(zip(found.table["theme"], found.table["terms"])),
        )
    shares, counts = theme_shares(analysis.coded, analysis.keys)
    order = list(analysis.table["theme"])
    coded = analysis.coded.assign(comment=shown)
    mentions = dict(zip(analysis.table["theme"], analysis.table["mentions"]))
    top = [k for k in order if k in set(analysis.table.loc[analysis.table["significant"], "theme"])][:5]
    return PortfolioThemes(
        analysis,
        shares[order],
        counts,
        {str(k): str(v) for k, v in names_of.items()},
        span,
        suggested=not survey.themes,
        quotes=tuple(_quotes(coded, top, analysis.labels, mentions, quotes)),
    )


def _effects_display(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Theme": table["label"],
            "Mentions": table["mentions"],
            "Share": [fmt(100 * v, 0, "%") for v in table["share"]],
            "Sentiment": [fmt(v, 2, signed=True) for v in table["sentiment"]],
            "Effect": [fmt(v, 2, signed=True) for v in table["effect"]],
            "95% CI": [f"{fmt(lo, 2)} to {fmt(hi, 2)}" for lo, hi in zip(table["ci_low"], table["ci_high"])],
            "q": [_q(v) for v in table["q"]],
            "Detractor odds ratio": [
                f"{fmt(o, 2)} ({fmt(lo, 2)} to {fmt(hi, 2)})" if pd.notna(o) else "–"
                for o, lo, hi in zip(table["detractor_odds_ratio"], table["or_ci_low"], table["or_ci_high"])
            ],
            "Significant": ["yes" if s else "" for s in table["significant"]],
        }
    )


@dataclass(frozen=True, repr=False)
class PortfolioThemesSection(Section):
    """The costliest themes: each theme's share, sentiment, effect (95% CI) and detractor odds, in words
    where significant, with quotes."""

    themes: PortfolioThemes

    def html(self) -> str:
        analysis = self.themes.analysis
        if analysis is None:
            note = NO_CODEFRAME if self.themes.suggested else f"No comments in {self.themes.span}."
            return render("themes_portfolio.html.j2", note=note, table="")
        info = analysis.info
        note = (
            "No codeframe in the survey definition: these are suggested themes, topics found in the comments "
            "themselves (TF-IDF and NMF; named by their top terms). `insights themes SOURCE --suggest` prints "
            "them as a codeframe to edit and paste into the survey definition."
            if self.themes.suggested
            else ""
        )
        method = " ".join(
            [
                "" if self.themes.suggested else CODING,
                f"Effect: the coefficient of a theme's mention in an OLS regression of overall satisfaction on every "
                f"theme and the drivers, over the {info.get('n', 0)} responses with a comment and every rating "
                f"({info.get('se', '')}); detractor odds ratio: the logit of answering 0-6 on the "
                f"themes and the drivers, pooled across clients. An association, not proof of cause. "
                f"Ranked by cost (share x effect). Claims only where the effect's Benjamini-Hochberg "
                f"q-value across the {len(analysis.table)} themes is below 5%; checked on simulated portfolios "
                f"(no theme effect: false claims at most about 5% of portfolios; a planted effect: found) and against "
                f"statsmodels.",
                SENTIMENT.format(scorer=info.get("scorer", "")),
                QUOTES,
            ]
        ).strip()
        return render(
            "themes_portfolio.html.j2",
            note=note,
            span=self.themes.span,
            comments=analysis.n_comments,
            table=table_html(_effects_display(analysis.table)),
            findings=findings_html(
                analysis.findings(), empty="No theme goes significantly with overall satisfaction."
            ),
            quotes=list(self.themes.quotes),
            method=method,
        )
