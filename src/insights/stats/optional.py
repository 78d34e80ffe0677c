"""Which optional questions a survey's responses answer: likelihood to recommend (NPS), comments, respondents.

A survey need not ask every question the contract knows.  The data layer fills an optional column
the source lacks with blanks (:func:`insights.data.schema.response_rules`), so a question counts as
asked when at least one response answers it: a column that is absent and a column that is all blank
are the same survey.  Reports, flags and the command line ask here before they show an NPS card, a
comments section or anything about people, and leave the part out (not a row of dashes) when the
answer is no.

CSAT is the one optional figure the survey definition decides rather than the responses: it needs a
top box on the overall scale (:func:`reports_csat`; ``top_box = 0`` in the definition means none).

Examples
--------
>>> import pandas as pd
>>> asks_nps(pd.DataFrame({"likelihood_to_recommend": [float("nan"), 9.0]}))
True
>>> asks_nps(pd.DataFrame({"overall_satisfaction": [4, 5]}))
False
"""

from __future__ import annotations

import pandas as pd

from insights.data.survey import SurveyDefinition

__all__ = ["answered", "asks_nps", "has_comments", "has_respondents", "reports_csat"]

#: The column of the likelihood-to-recommend question, the one NPS is computed from.
NPS_COLUMN = "likelihood_to_recommend"


def answered(df: pd.DataFrame, column: str) -> bool:
    """Whether ``column`` exists in ``df`` and holds at least one answer (blank text counts as none).

    Parameters
    ----------
    df : DataFrame
        Responses (any subset: a client, a period, the whole portfolio).
    column : str
        The question's column.

    Returns
    -------
    bool
    """
    if column not in df.columns:
        return False
    values = df[column]
    if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
        values = values.astype("string").str.strip().replace("", pd.NA)
    return bool(values.notna().any())


def asks_nps(df: pd.DataFrame) -> bool:
    """Whether the survey asks the likelihood-to-recommend question (so NPS can be shown)."""
    return answered(df, NPS_COLUMN)


def has_comments(df: pd.DataFrame) -> bool:
    """Whether any response carries a comment."""
    return answered(df, "comment")


def has_respondents(df: pd.DataFrame) -> bool:
    """Whether responses name their respondent (``respondent_id``), so people can be followed."""
    return answered(df, "respondent_id")


def reports_csat(survey: SurveyDefinition) -> bool:
    """Whether the survey reports CSAT: its overall scale has a top box (``top_box = 0`` means none).

    Survey-based, unlike the questions above: a 1-10 survey that reports means only has no CSAT card,
    column, flag or sentence, whatever its responses.

    Examples
    --------
    >>> from insights.data.survey import Scale
    >>> reports_csat(SurveyDefinition.default()), reports_csat(SurveyDefinition(overall_scale=Scale(1, 10, 0)))
    (True, False)
    """
    return survey.overall_scale.has_top_box
