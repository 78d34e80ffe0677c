"""The vocabularies of the optional inputs: service events, contacts and the team's self-assessment.

Plain constants and nothing else: the readers (:mod:`insights.data.events`,
:mod:`insights.data.people`) validate against them, and the statistics name the same values
without importing a reader.  The contracts themselves are documented with the readers and in the
README ("Service levels", "People").
"""

from __future__ import annotations

# --- service events ---------------------------------------------------------------------------------

EVENT_REQUIRED_COLUMNS = ("event_id", "client_id", "category", "opened_at", "due_at")
EVENT_OPTIONAL_COLUMNS = ("resolved_at", "severity", "penalty", "people_affected")
#: Severities from least to most severe (an ordered categorical in the validated events).
SEVERITIES = ("low", "medium", "high", "critical")

# --- contacts ---------------------------------------------------------------------------------------

CONTACT_COLUMNS = (
    "respondent_id",
    "client_id",
    "name",
    "role",
    "preferred_channel",
    "detail_level",
    "primary",
)
CHANNELS = ("email", "phone", "in person", "chat")
#: Other ways people write a channel (after lower case, and spaces for "-" and "_").
CHANNEL_ALIASES = {
    "e mail": "email",
    "mail": "email",
    "telephone": "phone",
    "call": "phone",
    "inperson": "in person",
    "face to face": "in person",
    "meeting": "in person",
    "teams": "chat",
    "slack": "chat",
}
DETAIL_LEVELS = ("brief", "detailed")
#: A preference (channel or level of detail) the contact list leaves blank, or a person it does not list.
NOT_STATED = "not stated"

# --- the team's self-assessment ---------------------------------------------------------------------

SELF_ASSESSMENT_COLUMNS = ("client_id", "period", "component", "score")
