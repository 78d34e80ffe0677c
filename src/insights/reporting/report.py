"""What the report notebooks show: one import for every section of the client and portfolio reports.

A facade: the sections live in :mod:`insights.reporting.client` (header, headline, scorecard,
comments, caveats), :mod:`insights.reporting.people` (People, Perception gap),
:mod:`insights.reporting.followups` (the Follow-up list), :mod:`insights.reporting.priorities` (Did priorities
change?), :mod:`insights.reporting.portfolio` and
:mod:`insights.reporting.html` (escaped building blocks); the statistics they show come from
:mod:`insights.stats` (:mod:`insights.stats.client`, :mod:`insights.stats.portfolio`).  The notebooks
stay a thin story: each section is one call here, one figure from :mod:`insights.reporting.plots`,
and a few words.
"""

from __future__ import annotations

from insights.core.periods import as_period, format_period
from insights.data.redaction import contact_names
from insights.reporting.alerts_file import read_alerts
from insights.reporting.client import (
    KIND_WORDS,
    MIN_CELL,
    NO_CHANGE,
    CaveatsSection,
    ClientReport,
    CommentsSection,
    HeaderSection,
    HeadlineSection,
    ScorecardSection,
    client_report,
    comments_html,
    drivers_findings_html,
    drivers_lean_html,
    flag_sentence,
    header_html,
    headline_cards_html,
    headline_findings,
    scorecard_table,
)
from insights.reporting.client_index import index_summary
from insights.reporting.followups import (
    CALL_BACK_DAYS,
    CHECK_IN_DAYS,
    FollowUpSection,
    follow_up_html,
    follow_up_list,
    reference_date,
)
from insights.reporting.html import Section, SectionHeading, caveats_html, esc, findings_html, table_html
from insights.reporting.intros import client_intro, portfolio_intro
from insights.reporting.people import (
    CONTACTS_MISSING,
    NO_RESPONDENTS,
    SELF_ASSESSMENT_MISSING,
    GapSection,
    PeopleSection,
    flagged_sentences,
    gap_findings,
    people_html,
    people_section,
    perception_html,
    perception_section,
    who,
)
from insights.reporting.portfolio import (
    PortfolioGapsSection,
    PortfolioHeaderSection,
    PortfolioReport,
    flags_display,
    league_display,
    movers_display,
    portfolio_gaps_html,
    portfolio_header_html,
    portfolio_report,
    portfolio_summary,
    risk_display,
    risk_html,
    type_comparison_display,
    type_findings,
)
from insights.reporting.priorities import (
    ClientPrioritiesSection,
    PortfolioPrioritiesSection,
    client_priorities_display,
    client_priority_findings,
    priority_change_display,
)
from insights.reporting.themes import (
    ClientThemesSection,
    PortfolioThemesSection,
    client_themes_section,
    portfolio_themes,
)
from insights.stats.alerts import Alerts, compute_alerts
from insights.stats.client import Comparison, compare_headlines
from insights.stats.comparisons import ALPHA
from insights.stats.nps import NPS_GROUPS
from insights.stats.optional import has_comments
from insights.stats.portfolio import GROUP_COMPONENT_LABELS, compare_groups, league_table, movers

__all__ = [
    "as_period",
    "format_period",
    "ALPHA",
    "KIND_WORDS",
    "Alerts",
    "CALL_BACK_DAYS",
    "CHECK_IN_DAYS",
    "CONTACTS_MISSING",
    "GROUP_COMPONENT_LABELS",
    "MIN_CELL",
    "NO_CHANGE",
    "NO_RESPONDENTS",
    "NPS_GROUPS",
    "SELF_ASSESSMENT_MISSING",
    "CaveatsSection",
    "ClientThemesSection",
    "PortfolioThemesSection",
    "ClientReport",
    "ClientPrioritiesSection",
    "CommentsSection",
    "FollowUpSection",
    "HeaderSection",
    "HeadlineSection",
    "ScorecardSection",
    "Section",
    "SectionHeading",
    "client_intro",
    "portfolio_intro",
    "Comparison",
    "GapSection",
    "PeopleSection",
    "PortfolioGapsSection",
    "PortfolioHeaderSection",
    "PortfolioPrioritiesSection",
    "PortfolioReport",
    "caveats_html",
    "client_report",
    "client_themes_section",
    "client_priorities_display",
    "client_priority_findings",
    "comments_html",
    "drivers_findings_html",
    "drivers_lean_html",
    "contact_names",
    "compare_groups",
    "compare_headlines",
    "compute_alerts",
    "esc",
    "findings_html",
    "flag_sentence",
    "flags_display",
    "flagged_sentences",
    "follow_up_html",
    "follow_up_list",
    "gap_findings",
    "header_html",
    "headline_cards_html",
    "headline_findings",
    "index_summary",
    "league_display",
    "league_table",
    "movers",
    "movers_display",
    "people_html",
    "people_section",
    "perception_html",
    "perception_section",
    "portfolio_gaps_html",
    "portfolio_header_html",
    "portfolio_report",
    "portfolio_summary",
    "portfolio_themes",
    "priority_change_display",
    "read_alerts",
    "reference_date",
    "risk_display",
    "risk_html",
    "scorecard_table",
    "table_html",
    "has_comments",
    "type_comparison_display",
    "type_findings",
    "who",
]
