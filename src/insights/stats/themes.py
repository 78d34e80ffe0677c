"""Comment themes: which comments mention what (a codeframe), and what each theme costs in satisfaction.

Coding (:func:`code_comments`) is exact, so counts can be checked by hand:

* a theme's keywords and exclude phrases are matched case-insensitively;
* a keyword matches at the start of a word and may run on (``invoice`` matches "Invoices" and
  "invoiced", not "reinvoice"): at the start of the comment or after a character that is not a
  letter, digit or underscore; a phrase's words match across any run of white space;
* exclude phrases (same rule) are blanked out of a comment before the theme's keywords are searched:
  with ``exclude = ["invoice portal"]`` "the invoice portal is down" is not coded, "the invoice portal
  is down and the invoice was wrong" is;
* a comment can carry several themes; a blank comment carries none.

One regular expression per theme runs over every distinct comment at once (RE2, through
:func:`pyarrow.compute.match_substring_regex`), so 100,000 comments take a fraction of a second.

The effect of a theme (:func:`theme_effects`) is its coefficient in an OLS regression of overall
satisfaction on every theme's mention indicator and the survey's drivers, over the responses with a
comment and every rating; when the responses span several clients it is estimated within clients
(client fixed effects) with standard errors cluster-robust by client (t with G - 1 degrees of freedom,
Cameron & Miller 2015), HC3 for one client.  The NPS detractor odds ratio comes from the logit of
"answered 0-6" on the themes and the drivers, pooled across clients.  Themes are ranked by
cost (share of comments x effect); a claim is made only where the effect's Benjamini-Hochberg q-value
across the themes is below 5% (:mod:`insights.stats.multiplicity`).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insights.data.survey import SurveyDefinition, Theme
from insights.stats.multiplicity import FDR_LEVEL, q_values
from insights.stats.nps import DETRACTOR_MAX
from insights.stats.sentiment import DEFAULT_SCORER, SCORER_NOTES, score_comments

__all__ = [
    "MIN_MENTIONS",
    "THEME_COLUMNS",
    "ThemeAnalysis",
    "analyse_themes",
    "code_comments",
    "has_comment",
    "representative_quotes",
    "theme_effects",
    "theme_pattern",
    "theme_shares",
    "theme_trend",
]

#: A theme with fewer mentions in the regression sample gets no effect (too few to estimate).
MIN_MENTIONS = 5
OVERALL = "overall_satisfaction"
LTR = "likelihood_to_recommend"
THEME_COLUMNS = [
    "theme",
    "label",
    "mentions",
    "share",
    "sentiment",
    "effect",
    "ci_low",
    "ci_high",
    "p",
    "q",
    "significant",
    "detractor_odds_ratio",
    "or_ci_low",
    "or_ci_high",
    "or_p",
    "or_q",
    "cost",
    "terms",
]


#: What may not come right before a keyword: a letter, a digit or an underscore.
_WORD_CHAR = r"[\p{L}\p{N}_]"
_SPACE = r"[\s\p{Z}]+"


def _phrase_regex(phrases: tuple[str, ...]) -> str:
    # longest first, so that a phrase is not cut short by a keyword that is its own start
    parts = sorted(
        {_SPACE.join(re.escape(word) for word in p.split()) for p in phrases}, key=len, reverse=True
    )
    return r"(?i)(^|[^" + _WORD_CHAR[1:-1] + "])(?:" + "|".join(parts) + ")"


def theme_pattern(theme: Theme) -> tuple[str, str | None]:
    r"""The theme's keyword expression and its exclude expression (None without excludes), in the RE2
    syntax of :func:`pyarrow.compute.match_substring_regex`: case-insensitive, at the start of the text or
    after a character that is not a letter, digit or underscore.

    Examples
    --------
    >>> theme_pattern(Theme("billing", "Billing", ("invoice", "billed to")))[0]
    '(?i)(^|[^\\p{L}\\p{N}_])(?:billed[\\s\\p{Z}]+to|invoice)'
    """
    return _phrase_regex(theme.keywords), _phrase_regex(theme.exclude) if theme.exclude else None


def has_comment(texts: pd.Series) -> pd.Series:
    """True where a comment has text (not missing, not blank)."""
    clean = texts.astype("string").str.strip()
    return (clean.notna() & (clean != "")).astype(bool)


def code_comments(texts: pd.Series, themes: tuple[Theme, ...] | list[Theme]) -> pd.DataFrame:
    """Which comments mention which theme: one boolean column per theme key, aligned with ``texts``.

    Parameters
    ----------
    texts : Series of str
        The comments; missing and blank ones mention nothing.
    themes : sequence of Theme
        The codeframe (:attr:`insights.data.survey.SurveyDefinition.themes`).

    Returns
    -------
    DataFrame of bool
        Index of ``texts``, columns the theme keys in the codeframe's order.

    Examples
    --------
    >>> from insights.data.survey import Theme
    >>> billing = Theme("billing", "Billing", ("invoice", "billed"), exclude=("invoice portal",))
    >>> texts = pd.Series(["Invoices late", "reinvoiced", "invoice portal down", None])
    >>> code_comments(texts, [billing])["billing"].tolist()
    [True, False, False, False]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    # each distinct text is searched once (comments repeat), by RE2 through pyarrow
    codes, uniques = pd.factorize(texts.astype("string").fillna(""), use_na_sentinel=False)
    text = pa.array(np.asarray(uniques, dtype=object), type=pa.large_string())
    coded = {}
    for theme in themes:
        keywords, exclude = theme_pattern(theme)
        searched = pc.replace_substring_regex(text, exclude, r"\1 ") if exclude is not None else text
        found = pc.match_substring_regex(searched, keywords).to_numpy(zero_copy_only=False)
        coded[theme.key] = found.astype(bool)[codes] if len(codes) else np.zeros(0, bool)
    return pd.DataFrame(coded, index=texts.index, columns=[t.key for t in themes])


#: A quote is "clear" when it has at least this many words (and at most :data:`MAX_QUOTE_CHARS` characters).
MIN_QUOTE_WORDS = 4
MAX_QUOTE_CHARS = 240


def representative_quotes(coded: pd.DataFrame, key: str, keys: list[str], n: int = 3) -> list[str]:
    """The ``n`` shortest clear comments that mention theme ``key``, distinct texts.

    Clear: at least :data:`MIN_QUOTE_WORDS` words and at most :data:`MAX_QUOTE_CHARS` characters;
    comments about this theme alone come before those that mention others too, then the shortest
    first (ties: the most recent first).  The texts are as written: redact them before they are shown.

    Examples
    --------
    >>> texts = ["Invoice late.", "The invoice was late again", "Invoice wrong and slow reply"]
    >>> coded = pd.DataFrame({"comment": texts,
    ...                       "period": pd.period_range("2026-01", periods=3, freq="M"),
    ...                       "billing": [True, True, True], "speed": [False, False, True]})
    >>> representative_quotes(coded, "billing", ["billing", "speed"])
    ['The invoice was late again', 'Invoice wrong and slow reply']
    """
    mine = coded[coded[key].astype(bool)]
    if mine.empty:
        return []
    text = mine["comment"].astype(str).str.strip()
    clear = (text.str.split().str.len() >= MIN_QUOTE_WORDS) & (text.str.len() <= MAX_QUOTE_CHARS)
    ranked = pd.DataFrame(
        {
            "text": text,
            "others": mine[keys].sum(axis=1) - 1,
            "length": text.str.len(),
            "period": mine["period"],
        }
    )[clear]
    ranked = ranked.sort_values(["others", "length", "period"], ascending=[True, True, False], kind="stable")
    return list(dict.fromkeys(ranked["text"]))[:n]


# --------------------------------------------------------------------------- effects


_THEME, _DRIVER = "theme: ", "driver: "


def _design(
    frame: pd.DataFrame, indicators: pd.DataFrame, drivers: list[str]
) -> tuple[pd.DataFrame, list[str]]:
    """Theme indicators (those mentioned often enough, not by everyone) and the drivers, as floats."""
    usable = [
        c for c in indicators.columns if MIN_MENTIONS <= indicators[c].sum() <= len(indicators) - MIN_MENTIONS
    ]
    # prefixed: a theme may share its key with a driver (the "communication" theme and rating)
    design = indicators[usable].astype(float).add_prefix(_THEME)
    for driver in drivers:
        design[_DRIVER + driver] = frame[driver].astype(float)
    design.insert(0, "const", 1.0)
    return design, [_THEME + c for c in usable]


def _fit(model_cls, y: pd.Series, design: pd.DataFrame, groups: pd.Series | None):
    """Fit with cluster-robust (several clients) or HC3 standard errors; None when it cannot be fitted."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (ConvergenceWarning, PerfectSeparationWarning, RuntimeWarning))
            model = model_cls(y.to_numpy(float), design.to_numpy(float))
            kwargs = {"disp": 0} if model_cls.__name__ == "Logit" else {}
            if groups is not None:
                codes = pd.factorize(groups)[0]
                return model.fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True, **kwargs)
            return model.fit(cov_type="HC3" if model_cls.__name__ == "OLS" else "HC1", use_t=True, **kwargs)
    except (
        np.linalg.LinAlgError,
        ValueError,
        ZeroDivisionError,
        OverflowError,
    ) as exc:  # separation, singular
        if "Perfect separation" in str(exc) or isinstance(exc, (np.linalg.LinAlgError, ZeroDivisionError)):
            return None
        raise


def _separable(design: pd.DataFrame, y: pd.Series, themes: list[str]) -> pd.DataFrame:
    """The logit's design without the themes whose mentions are all detractors or none (no finite odds ratio)."""
    outcome = y.to_numpy(bool)
    keep = []
    for theme in themes:
        hit = design[theme].to_numpy(bool)
        cells = [
            (hit & outcome).sum(),
            (hit & ~outcome).sum(),
            (~hit & outcome).sum(),
            (~hit & ~outcome).sum(),
        ]
        if min(cells) > 0:
            keep.append(theme)
    return design.drop(columns=[t for t in themes if t not in keep])


def _coefficients(result, names: list[str], columns: list[str], exp: bool = False) -> pd.DataFrame:
    index = pd.Index(columns)
    if result is None:
        return pd.DataFrame(np.nan, index=index, columns=["estimate", "low", "high", "p"])
    ci = np.asarray(result.conf_int(0.05))
    table = pd.DataFrame(
        {"estimate": result.params, "low": ci[:, 0], "high": ci[:, 1], "p": result.pvalues}, index=names
    ).reindex(index)
    if exp:
        table[["estimate", "low", "high"]] = np.exp(table[["estimate", "low", "high"]])
    return table


def theme_effects(
    frame: pd.DataFrame,
    indicators: pd.DataFrame,
    drivers: list[str] | tuple[str, ...],
    *,
    cluster: str = "client_id",
    within_clients: bool = True,
) -> tuple[pd.DataFrame, dict]:
    """Each theme's effect on overall satisfaction and on the odds of a detractor, adjusted for the drivers.

    Parameters
    ----------
    frame : DataFrame
        Responses with a comment (``overall_satisfaction``, ``likelihood_to_recommend``, the drivers and
        ``cluster``), aligned with ``indicators``.
    indicators : DataFrame of bool
        One column per theme (:func:`code_comments`).
    drivers : sequence of str
        The driver columns adjusted for.
    cluster : str
        Standard errors cluster-robust by this column when it holds several values, HC3 otherwise.
    within_clients : bool
        With several clients, estimate the OLS effects within clients (client fixed effects, by the within
        transformation): a mention is compared with the same client's other responses, so a client that
        is less satisfied overall and mentions a theme more does not make the theme look costly.  The
        cluster-robust covariance then counts only the slopes (the fixed effects are nested in the clusters,
        Cameron & Miller 2015, section IV.B), t with G - 1 degrees of freedom.  The detractor logit is
        pooled across clients (no client terms), adjusted for the drivers.

    Returns
    -------
    (DataFrame, dict)
        Per theme (index: the theme columns): ``effect``, ``ci_low``, ``ci_high``, ``p`` (OLS),
        ``detractor_odds_ratio``, ``or_ci_low``, ``or_ci_high``, ``or_p`` (logit); NaN for themes mentioned
        by fewer than :data:`MIN_MENTIONS` responses of the sample.  The dict: ``n`` (the OLS sample),
        ``n_logit``, ``se`` (the standard errors' kind), ``clusters``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> themes = pd.DataFrame({"billing": rng.random(400) < 0.3})
    >>> frame = pd.DataFrame({"client_id": rng.integers(0, 20, 400), "value": rng.normal(3, 1, 400)})
    >>> frame["overall_satisfaction"] = 1 + 0.5 * frame["value"] - 0.5 * themes["billing"] + rng.normal(0, 0.5, 400)
    >>> frame["likelihood_to_recommend"] = np.clip(frame["overall_satisfaction"] * 2, 0, 10)
    >>> table, info = theme_effects(frame, themes, ["value"])
    >>> bool(table.loc["billing", "ci_low"] < -0.5 < table.loc["billing", "ci_high"])
    True

    References
    ----------
    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
    *Journal of Human Resources* 50(2), 317-372.
    """
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.regression.linear_model import OLS

    drivers = [d for d in drivers if d in frame.columns]
    complete = frame[[OVERALL, *drivers]].notna().all(axis=1)
    data, ind = frame[complete], indicators[complete]
    design, usable = _design(data, ind, drivers)
    groups = data[cluster].astype(str) if cluster in data and data[cluster].nunique() > 1 else None
    columns = [_THEME + c for c in indicators.columns]
    info = {"n": len(data), "n_logit": 0}
    info["se"] = "standard errors cluster-robust by client" if groups is not None else "HC3 standard errors"
    info["clusters"] = int(groups.nunique()) if groups is not None else 1
    y, x = data[OVERALL].astype(float), design
    if groups is not None and within_clients:
        # client fixed effects by the within transformation (Frisch-Waugh-Lovell): each response against
        # its client's means; the intercept goes with them
        y = y - y.groupby(groups.to_numpy()).transform("mean")
        x = design.drop(columns="const")
        x = x - x.groupby(groups.to_numpy()).transform("mean")
        info["se"] = "within clients (client fixed effects); standard errors cluster-robust by client"
    ols = _fit(OLS, y, x, groups) if usable and len(data) > design.shape[1] + 2 else None
    effect = _coefficients(ols, list(x.columns), columns)
    effect.columns = ["effect", "ci_low", "ci_high", "p"]
    answered = data[LTR].notna() if LTR in data else pd.Series(False, index=data.index)
    logit = None
    if answered.sum() > design.shape[1] + 2 and usable:
        y = (data.loc[answered, LTR] <= DETRACTOR_MAX).astype(float)
        logit_design = _separable(design[answered.to_numpy()], y, usable)
        if 0 < y.sum() < len(y):
            info["n_logit"] = int(answered.sum())
            logit = _fit(Logit, y, logit_design, None if groups is None else groups[answered])
        design = logit_design
    odds = _coefficients(logit, list(design.columns), columns, exp=True)
    # quasi-separation the fit did not stop at (a coefficient beyond e^+-15): no odds ratio
    odds.loc[np.abs(np.log(odds["estimate"])) > 15] = np.nan
    odds.columns = ["detractor_odds_ratio", "or_ci_low", "or_ci_high", "or_p"]
    table = pd.concat([effect, odds], axis=1)
    table.index = pd.Index(list(indicators.columns))
    return table, info


# --------------------------------------------------------------------------- the analysis


@dataclass(frozen=True)
class ThemeAnalysis:
    """Themes of a set of comments: what is mentioned, how often, in what mood, at what cost.

    ``table`` has :data:`THEME_COLUMNS`, one row per theme ranked by cost (the costliest first);
    ``coded`` one row per comment (``client_id``, ``period``, ``comment``, ``sentiment`` and one
    boolean column per theme); ``info`` the regression's sample and standard errors.
    """

    table: pd.DataFrame
    coded: pd.DataFrame
    labels: dict[str, str]
    info: dict = field(default_factory=dict)
    scorer: str = DEFAULT_SCORER

    @property
    def n_comments(self) -> int:
        return len(self.coded)

    @property
    def keys(self) -> list[str]:
        return list(self.labels)

    def findings(self) -> list[str]:
        """The significant themes in words, costliest first ("Billing: 22% of comments, each mention ...")."""
        rows = self.table[self.table["significant"]]
        return [_finding(row) for row in rows.to_dict("records")]

    def trend(self) -> pd.DataFrame:
        """Share of each month's comments that mention each theme (:func:`theme_trend`)."""
        return theme_trend(self.coded, self.keys)

    def __repr__(self) -> str:
        shown = self.table[["theme", "mentions", "share", "sentiment", "effect", "ci_low", "ci_high", "q"]]
        return f"ThemeAnalysis({self.n_comments} comments, {self.info.get('se', '')})\n{shown.to_string(index=False)}"


def _finding(row: dict) -> str:
    direction = "" if row["effect"] < 0 else "+"
    return (
        f"{row['label']}: {100 * row['share']:.0f}% of comments, each mention goes with {direction}{row['effect']:.2f} "
        f"points of overall satisfaction (95% CI {row['ci_low']:.2f} to {row['ci_high']:.2f})"
    )


def theme_trend(coded: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per month: comments, and each theme's mentions and share of the month's comments (tidy)."""
    if coded.empty or not keys:
        return pd.DataFrame(columns=["period", "theme", "comments", "mentions", "share"])
    counts = coded.groupby("period", observed=True)[keys].sum()
    totals = coded.groupby("period", observed=True).size()
    tidy = counts.stack().rename("mentions").reset_index().rename(columns={"level_1": "theme"})
    tidy.columns = ["period", "theme", "mentions"]
    tidy["comments"] = tidy["period"].map(totals).astype(int)
    tidy["share"] = tidy["mentions"] / tidy["comments"]
    return tidy[["period", "theme", "comments", "mentions", "share"]]


def theme_shares(
    coded: pd.DataFrame, keys: list[str], by: str = "client_id"
) -> tuple[pd.DataFrame, pd.Series]:
    """Share of each group's comments that mention each theme (rows: groups, columns: themes) and the
    groups' numbers of comments.

    Examples
    --------
    >>> coded = pd.DataFrame({"client_id": ["A", "A", "B"], "billing": [True, False, False]})
    >>> theme_shares(coded, ["billing"])[0]["billing"].tolist()
    [0.5, 0.0]
    """
    grouped = coded.groupby(coded[by].astype(str), observed=True)
    return grouped[keys].mean().astype(float), grouped.size()


def analyse_themes(
    responses: pd.DataFrame,
    survey: SurveyDefinition | None = None,
    *,
    indicators: pd.DataFrame | None = None,
    labels: dict[str, str] | None = None,
    terms: dict[str, tuple[str, ...]] | None = None,
    scorer: str = DEFAULT_SCORER,
    sentiment: pd.Series | None = None,
) -> ThemeAnalysis:
    """Code, score and summarise the comments of ``responses`` by the survey's codeframe.

    Parameters
    ----------
    responses : DataFrame
        Validated responses (``comment``, ``overall_satisfaction``, the drivers, ``client_id``, ``period``).
    survey : SurveyDefinition, optional
        Its ``themes`` are the codeframe and its drivers the regression's adjustment.
    indicators, labels, terms : optional
        Theme indicators computed elsewhere (suggested themes, :mod:`insights.stats.topics`) instead of
        the codeframe: one boolean column per theme aligned with the responses that have a comment, with
        each theme's label and terms.
    scorer : str
        The sentiment scorer (:mod:`insights.stats.sentiment`).
    sentiment : Series, optional
        Precomputed sentiment of the responses' comments (skips scoring).

    Returns
    -------
    ThemeAnalysis

    Examples
    --------
    >>> import insights
    >>> survey = SurveyDefinition.from_file("data/sample/survey.toml")  # doctest: +SKIP
    >>> themes = analyse_themes(insights.load("data/sample/responses.csv", survey), survey)  # doctest: +SKIP
    >>> themes.findings()[0]  # doctest: +SKIP
    'Billing and invoices: 9% of comments, each mention goes with -0.41 points of overall satisfaction (...)'
    """
    survey = survey or SurveyDefinition.default()
    frame = responses[has_comment(responses["comment"])]
    if indicators is None:
        indicators = code_comments(frame["comment"], survey.themes)
        labels = {t.key: t.label for t in survey.themes}
        terms = {t.key: t.keywords for t in survey.themes}
    indicators = indicators.loc[frame.index]
    labels = labels or {k: k for k in indicators.columns}
    terms = terms or {}
    scores = sentiment.loc[frame.index] if sentiment is not None else score_comments(frame["comment"], scorer)
    coded = pd.concat(
        [frame[["client_id", "period", "comment"]], scores.rename("sentiment"), indicators], axis=1
    )
    effects, info = (
        theme_effects(frame, indicators, survey.driver_names) if len(frame) else (pd.DataFrame(), {"n": 0})
    )
    rows = []
    for key in indicators.columns:
        hit = indicators[key].to_numpy(bool)
        rows.append(
            {
                "theme": key,
                "label": labels.get(key, key),
                "mentions": int(hit.sum()),
                "share": hit.mean() if len(hit) else np.nan,
                "sentiment": float(scores[hit].mean()) if hit.any() else np.nan,
                **(effects.loc[key].to_dict() if key in effects.index else {}),
                "terms": tuple(terms.get(key, ())),
            }
        )
    table = pd.DataFrame(rows).reindex(columns=THEME_COLUMNS) if rows else pd.DataFrame(columns=THEME_COLUMNS)
    table["q"] = q_values(table["p"].to_numpy(float)) if len(table) else []
    table["or_q"] = q_values(table["or_p"].to_numpy(float)) if len(table) else []
    table["significant"] = (table["q"] < FDR_LEVEL).fillna(False).astype(bool)
    table["cost"] = table["share"] * table["effect"]
    # the costliest first (share x effect, the most negative); themes that cost nothing by mentions
    table["_rank"] = table["cost"].where(table["cost"] < 0, 0.0)
    table = table.sort_values(["_rank", "mentions"], ascending=[True, False], kind="stable").drop(
        columns="_rank"
    )
    info = {**info, "scorer": SCORER_NOTES.get(scorer, scorer)}
    return ThemeAnalysis(table.reset_index(drop=True), coded, dict(labels), info, scorer)
