"""The sample's comments: the planted theme effects recovered from the bundled files, per-client mixes,
phrasings that the codeframe codes exactly, and personal data to redact.

The coding here is the test's own (a keyword regex built from ``survey.toml`` read with tomllib), and
the effects come from a statsmodels OLS of overall satisfaction on the theme indicators, the drivers
and the client, independent of whatever the package's theme statistics do.
"""

from __future__ import annotations

import re
import tomllib

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from conftest import ROOT
from scipy.stats import chi2_contingency

from insights.data import sample_comments as sc
from insights.data.redaction import redact_series
from insights.data.sample import PLANTED_COEFFICIENTS

SAMPLE = ROOT / "data" / "sample"
DRIVERS = list(PLANTED_COEFFICIENTS)


@pytest.fixture(scope="module")
def codeframe() -> dict:
    return tomllib.loads((SAMPLE / "survey.toml").read_text("utf-8"))["themes"]


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "responses.csv")


def _code(texts: pd.Series, codeframe: dict) -> pd.DataFrame:
    """Theme indicators: a keyword at the start of a word, case ignored (the codeframe's rule)."""
    text = texts.fillna("")
    return pd.DataFrame(
        {
            key: text.str.contains(
                "|".join(rf"(?<!\w){re.escape(k)}" for k in spec["keywords"]), case=False, regex=True
            )
            for key, spec in codeframe.items()
        }
    )


def test_the_sample_survey_is_the_default_with_the_codeframe(codeframe):
    from insights.data.survey import SurveyDefinition

    text = (SAMPLE / "survey.toml").read_text("utf-8")
    default = (ROOT / "src" / "insights" / "data" / "default_survey.toml").read_text("utf-8")
    assert text.startswith(default.rstrip("\n"))
    assert set(codeframe) == set(sc.THEMES) == set(sc.PLANTED_THEME_EFFECTS)
    for key, spec in codeframe.items():
        assert spec["label"] == sc.THEMES[key].label and spec["keywords"] == list(sc.THEMES[key].keywords)
    assert SurveyDefinition.from_file(SAMPLE / "survey.toml").drivers == SurveyDefinition.default().drivers


def test_every_phrasing_is_coded_as_its_own_theme_only(codeframe):
    for key, theme in sc.THEMES.items():
        coded = _code(pd.Series(theme.phrasings), codeframe)
        assert coded[key].all(), key
        assert not coded.drop(columns=key).any().any(), coded.drop(columns=key).any()
    personal = [p.format(name="Ann Lee", email="a@b.example", phone="555-0100") for p in sc._PERSONAL]
    assert not _code(pd.Series([*sc.UNCODED, *personal]), codeframe).any().any()


def test_planted_theme_effects_are_recovered_by_ols(responses, codeframe):
    """OLS of overall satisfaction on the theme indicators, the drivers and the client (the themes are
    centred on each client's mix, see the generator): every planted effect inside its 95% CI."""
    themes = _code(responses["comment"], codeframe).astype(float).add_prefix("theme_")
    clients = pd.get_dummies(responses["client_id"], prefix="client", drop_first=True, dtype=float)
    data = pd.concat([responses[["overall_satisfaction", *DRIVERS]], themes, clients], axis=1).dropna()
    fit = sm.OLS(
        data["overall_satisfaction"], sm.add_constant(data.drop(columns="overall_satisfaction"))
    ).fit()
    ci = fit.conf_int()
    for key, effect in sc.PLANTED_THEME_EFFECTS.items():
        low, high = ci.loc[f"theme_{key}"]
        assert low <= effect <= high, (key, effect, low, high)
    # the planted non-zero effects are found (significant), in their direction
    for key in ("billing", "responsiveness", "quality", "praise"):
        assert fit.pvalues[f"theme_{key}"] < 0.001
        assert np.sign(fit.params[f"theme_{key}"]) == np.sign(sc.PLANTED_THEME_EFFECTS[key])
    assert themes.sum().min() >= 50  # every theme is mentioned often enough to be estimated


def test_the_comments_change_nothing_else(responses):
    """About 45% of responses have a comment, and the planted driver effects still hold."""
    assert 0.40 < (responses["comment"].fillna("") != "").mean() < 0.50
    fit = sm.OLS(responses["overall_satisfaction"], sm.add_constant(responses[DRIVERS]), missing="drop").fit()
    ci = fit.conf_int()
    for driver, coefficient in PLANTED_COEFFICIENTS.items():
        assert ci.loc[driver, 0] - 0.05 <= coefficient <= ci.loc[driver, 1] + 0.05, driver


def test_per_client_theme_mixes_differ(responses, codeframe):
    commented = responses["comment"].fillna("").str.strip() != ""
    coded = _code(responses.loc[commented, "comment"], codeframe)
    counts = coded.groupby(responses.loc[commented, "client_id"]).sum()
    assert chi2_contingency(counts.to_numpy()).pvalue < 1e-6  # the mixes are not one mix
    share = counts.div(counts.sum(axis=1), axis=0)
    overall = counts.sum() / counts.sum().sum()
    for client_id, theme in sc.FOCUS_CLIENTS.items():
        assert share.loc[client_id, theme] > 2 * overall[theme], (client_id, theme)
        assert share.loc[client_id].idxmax() == theme


def test_the_rising_theme_rises(responses, codeframe):
    """C12's billing: a larger share of its comments in the last three months, in the sample and,
    by brute force over many draws, in the generator (at least 25 points more)."""
    client_id, theme = sc.RISING_THEME
    mine = responses[(responses["client_id"] == client_id) & responses["comment"].notna()]
    month = pd.to_datetime(mine["submitted_at"]).dt.to_period("M")
    coded = _code(mine["comment"], codeframe)[theme].to_numpy()
    recent = (month > month.max() - 3).to_numpy()
    assert coded[recent].mean() > coded[~recent].mean() + 0.1
    drafter = sc.CommentDrafter(11, [client_id], noise_sd=0.45)
    noise = np.random.default_rng(2).normal(0, 0.45, 3000)

    def share(months_from_end: int) -> float:
        drawn = [drafter.draw(client_id, months_from_end, e) for e in noise]
        return float(np.mean([theme in themes for themes, text in drawn if text]))

    assert share(0) > share(6) + 0.25


def test_theme_draws_follow_the_noise_as_the_model_says():
    """Brute force on the drafter alone: E[noise | theme mentioned] - E[noise | no comment] is near
    the planted effect (billing, praise, and staff with none)."""
    drafter = sc.CommentDrafter(7, ["C01"], noise_sd=0.45)
    noise = np.random.default_rng(3).normal(0, 0.45, 6000)
    drawn = [drafter.draw("C01", 6, e) for e in noise]
    commented = np.array([text != "" for _, text in drawn])
    assert 0.40 < commented.mean() < 0.50
    none = noise[~commented].mean()
    for key in ("billing", "praise", "staff"):
        has = np.array([key in themes for themes, _ in drawn])
        effect = noise[has].mean() - none
        assert abs(effect - sc.PLANTED_THEME_EFFECTS[key]) < 0.12, (key, effect)


def test_some_comments_carry_personal_data_that_redaction_removes(responses):
    contacts = pd.read_csv(SAMPLE / "contacts.csv")
    text = responses["comment"].fillna("")
    personal = text.str.contains(r"@|\+44|555-01|0171 555", regex=True)
    assert personal.sum() == sc.PERSONAL_COMMENTS
    names_in = [n for n in contacts["name"] if text.str.contains(n, regex=False).any()]
    assert len(names_in) >= 4
    redacted = redact_series(text[personal], contacts["name"])
    for value in redacted:
        assert "@" not in value and not re.search(r"\d{3}[ -]\d{4}|\+44", value), value
        assert not any(n in value for n in names_in), value
    assert redacted.str.contains(r"\[email\]|\[phone\]", regex=True).all()
