"""The survey definition: which drivers a survey rates, with what labels, on which scales.

A survey definition is a small TOML file (see ``default_survey.toml`` shipped in this
package).  It is read once into a frozen :class:`SurveyDefinition` that the loader and
every report share, so a firm that asks about "Account management" on a 1-7 scale
changes one file, not the code.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from insights.core.periods import CADENCES, DEFAULT_CADENCE

_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


def normalise_answer(text: object) -> str:
    """Answer text as compared: trimmed, case-folded, curly quotes straightened, spaces collapsed."""
    text = unicodedata.normalize("NFKC", str(text)).translate(_QUOTES)
    return _SPACES.sub(" ", text).strip().casefold()


DEFAULT_SURVEY_RESOURCE = "default_survey.toml"
#: The scorecard components of the shipped survey definition, in display order; the statistics use
#: them when no driver list is given.
DEFAULT_DRIVERS: tuple[str, ...] = (
    "communication",
    "responsiveness",
    "quality",
    "timeliness",
    "value",
    "expertise",
)


class SurveyDefinitionError(ValueError):
    """A survey definition file that cannot be used; the message names the file and key."""


#: A codeframe theme's key: it names the theme in JSON, alerts and file-free output.
_THEME_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_THEME_FIELDS = ("label", "keywords", "exclude")


@dataclass(frozen=True)
class Theme:
    """One theme of a survey's codeframe: comments that mention any keyword, unless an exclude phrase.

    Matching (:func:`insights.stats.themes.code_comments`) is case-insensitive; a keyword matches at
    the start of a word (``invoice`` matches "Invoices", not "reinvoice"); a phrase's words are
    separated by any run of white space.
    """

    key: str
    label: str
    keywords: tuple[str, ...]
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scale:
    """A closed numeric rating scale, e.g. 1-5 with a top-2-box.

    ``top_box = 0`` means the scale has no top box: the survey reports means only (no CSAT on the
    overall scale, no top-box share in the scorecard on the drivers' scale).

    Examples
    --------
    >>> Scale(1, 5, 2).top_box_threshold, Scale(1, 5, 2).has_top_box
    (4, True)
    >>> Scale(1, 10, 0).has_top_box
    False
    """

    min: float
    max: float
    top_box: int = 2

    @property
    def has_top_box(self) -> bool:
        """Whether answers in a top box are counted (``top_box >= 1``); ``top_box = 0`` is "none"."""
        return self.top_box > 0

    @property
    def top_box_threshold(self) -> float:
        """Lowest score that counts as a top-box answer (4 on a 1-5 scale with top_box=2).

        Raises ``ValueError`` for a scale without a top box (ask :attr:`has_top_box` first).
        """
        if not self.has_top_box:
            raise ValueError(f"the {self} scale has no top box (top_box = 0)")
        return self.max - self.top_box + 1

    def __str__(self) -> str:
        return f"{self.min:g}-{self.max:g}"


@dataclass(frozen=True)
class SurveyDefinition:
    """What a survey asks: driver columns with display labels, and the scales used.

    Examples
    --------
    >>> survey = SurveyDefinition.default()
    >>> survey.driver_names[:2]
    ('communication', 'responsiveness')
    >>> str(survey.overall_scale)
    '1-5'
    """

    name: str = "Client satisfaction survey"
    drivers: dict[str, str] = field(default_factory=dict)
    overall_scale: Scale = Scale(1, 5, 2)
    driver_scale: Scale = Scale(1, 5, 2)
    nps_scale: Scale = Scale(0, 10, 2)
    min_client_responses: int = 5
    source: str = "<default>"
    # How often the survey runs: "month" (default), "quarter", "half" or "year" (insights.core.periods).
    cadence: str = "month"
    # How a source's own column names and answer texts map onto the contract (see the README,
    # "Data sources"): canonical name -> name in the source; per column, answer text -> score;
    # codes that mean "no answer" and the columns they apply to (None: every rating and comment).
    columns: dict[str, str] = field(default_factory=dict)
    recode: dict[str, dict[str, float]] = field(default_factory=dict)
    missing_values: tuple[str | float, ...] = ()
    missing_columns: tuple[str, ...] | None = None
    # The codeframe of the open comments ([themes.KEY] tables), in the file's order; empty: none.
    themes: tuple[Theme, ...] = ()

    @property
    def driver_names(self) -> tuple[str, ...]:
        return tuple(self.drivers)

    @property
    def reports_csat(self) -> bool:
        """Whether the survey reports CSAT: its overall scale has a top box (``top_box`` is not 0).

        The one survey-based answer every report, flag and command asks
        (:func:`insights.stats.optional.reports_csat`); the data-based ones are beside it there.
        """
        return self.overall_scale.has_top_box

    def label(self, column: str) -> str:
        """Display label for a column (a driver's label, or a readable form of its name)."""
        fixed = {
            "overall_satisfaction": "Overall satisfaction",
            "likelihood_to_recommend": "Likelihood to recommend",
            "nps": "NPS",
        }
        return self.drivers.get(column) or fixed.get(column) or column.replace("_", " ").capitalize()

    @classmethod
    def default(cls) -> SurveyDefinition:
        text = resources.files(__package__).joinpath(DEFAULT_SURVEY_RESOURCE).read_text("utf-8")
        return cls.from_toml(text, source="<default survey>")

    @classmethod
    def from_file(cls, path: str | Path) -> SurveyDefinition:
        path = Path(path)
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            raise SurveyDefinitionError(f"{path}: survey definition not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SurveyDefinitionError(f"{path}: cannot read survey definition ({exc})") from None
        return cls.from_toml(text, source=str(path))

    @classmethod
    def from_toml(cls, text: str, source: str = "<string>") -> SurveyDefinition:
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SurveyDefinitionError(f"{source}: not valid TOML ({exc})") from None
        scales = raw.get("scales", {})
        drivers = raw.get("drivers", {})
        if not isinstance(drivers, dict) or not drivers:
            raise SurveyDefinitionError(f"{source}: [drivers] must name at least one driver column")
        for column, label in drivers.items():
            if not isinstance(label, str):
                raise SurveyDefinitionError(f"{source}: drivers.{column}: label must be text")
        return cls(
            name=str(raw.get("survey", {}).get("name", cls.name)),
            drivers=dict(drivers),
            overall_scale=_scale(scales, "overall", Scale(1, 5, 2), source),
            driver_scale=_scale(scales, "drivers", Scale(1, 5, 2), source),
            nps_scale=_scale(scales, "nps", Scale(0, 10, 2), source),
            min_client_responses=int(raw.get("warnings", {}).get("min_client_responses", 5)),
            source=source,
            cadence=_cadence(raw.get("survey", {}), source),
            columns=_columns(raw.get("columns", {}), source),
            recode=_recode(raw.get("recode", {}), source),
            missing_values=_missing_values(raw.get("missing", {}), source),
            missing_columns=_missing_columns(raw.get("missing", {}), source),
            themes=_themes(raw.get("themes", {}), source),
        )


def _columns(spec: object, source: str) -> dict[str, str]:
    if not isinstance(spec, dict):
        raise SurveyDefinitionError(
            f'{source}: [columns] must be a table of canonical name = "name in the source"'
        )
    for canonical, name in spec.items():
        if not isinstance(name, str) or not name.strip():
            raise SurveyDefinitionError(
                f"{source}: columns.{canonical}: must be the name of a column in the source, as text"
            )
    return {str(canonical): name for canonical, name in spec.items()}


def _recode(spec: object, source: str) -> dict[str, dict[str, float]]:
    if not isinstance(spec, dict):
        raise SurveyDefinitionError(
            f"{source}: [recode] must hold one table per column, e.g. [recode.overall_satisfaction]"
        )
    recode: dict[str, dict[str, float]] = {}
    for column, answers in spec.items():
        if not isinstance(answers, dict) or not answers:
            raise SurveyDefinitionError(
                f'{source}: recode.{column}: must be a table of "answer text" = score'
            )
        seen: dict[str, str] = {}
        for text, score in answers.items():
            if isinstance(score, bool) or not isinstance(score, (int, float)):
                raise SurveyDefinitionError(f'{source}: recode.{column}."{text}": the score must be a number')
            key = normalise_answer(text)
            if key in seen and answers[seen[key]] != score:
                raise SurveyDefinitionError(
                    f'{source}: recode.{column}: "{seen[key]}" and "{text}" are the same answer with different scores'
                )
            seen[key] = text
        recode[str(column)] = {str(text): float(score) for text, score in answers.items()}
    return recode


def _missing_values(spec: object, source: str) -> tuple[str | float, ...]:
    if not isinstance(spec, dict):
        raise SurveyDefinitionError(f"{source}: [missing] must be a table with values = [...]")
    values = spec.get("values", [])
    if not isinstance(values, list):
        raise SurveyDefinitionError(f'{source}: missing.values: must be a list, e.g. [99, "N/A"]')
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise SurveyDefinitionError(f"{source}: missing.values: {value!r} is neither a number nor text")
    return tuple(float(v) if not isinstance(v, str) else v for v in values)


def _missing_columns(spec: object, source: str) -> tuple[str, ...] | None:
    columns = spec.get("columns") if isinstance(spec, dict) else None
    if columns is None:
        return None
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise SurveyDefinitionError(f"{source}: missing.columns: must be a list of column names")
    return tuple(columns)


def _cadence(spec: object, source: str) -> str:
    """``[survey] cadence``: how often the survey runs, one of :data:`insights.core.periods.CADENCES`."""
    cadence = spec.get("cadence", DEFAULT_CADENCE) if isinstance(spec, dict) else DEFAULT_CADENCE
    if cadence not in CADENCES:
        raise SurveyDefinitionError(
            f"{source}: survey.cadence: '{cadence}' is not one of: {', '.join(CADENCES)}"
        )
    return cadence


def _phrases(value: object, where: str, *, required: bool) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SurveyDefinitionError(
            f'{where}: must be a list of words or phrases, e.g. ["invoice", "billing"]'
        )
    phrases = tuple(_SPACES.sub(" ", v).strip() for v in value)
    if required and not phrases:
        raise SurveyDefinitionError(f"{where}: must name at least one keyword")
    blank = [i + 1 for i, v in enumerate(phrases) if not v]
    if blank:
        raise SurveyDefinitionError(f"{where}: blank entry (number {', '.join(map(str, blank))})")
    return phrases


def _themes(spec: object, source: str) -> tuple[Theme, ...]:
    """The codeframe: one ``[themes.KEY]`` table per theme with ``label``, ``keywords`` and ``exclude``."""
    if not isinstance(spec, dict):
        raise SurveyDefinitionError(
            f"{source}: [themes] must hold one table per theme, e.g. [themes.billing]"
        )
    themes = []
    for key, table in spec.items():
        where = f"{source}: themes.{key}"
        if not _THEME_KEY.match(str(key)):
            raise SurveyDefinitionError(
                f"{where}: a theme's key must be lower-case letters, digits and _ (starting with a letter, "
                "at most 40)"
            )
        if not isinstance(table, dict):
            raise SurveyDefinitionError(f'{where}: must be a table with label = "..." and keywords = [...]')
        unknown = sorted(set(table) - set(_THEME_FIELDS))
        if unknown:
            raise SurveyDefinitionError(
                f"{where}: unknown field {', '.join(unknown)} (a theme has label, keywords and exclude)"
            )
        label = table.get("label")
        if not isinstance(label, str) or not label.strip():
            raise SurveyDefinitionError(f"{where}.label: must be the theme's name, as text")
        themes.append(
            Theme(
                key=str(key),
                label=label.strip(),
                keywords=_phrases(table.get("keywords"), f"{where}.keywords", required=True),
                exclude=_phrases(table.get("exclude"), f"{where}.exclude", required=False),
            )
        )
    return tuple(themes)


def _scale(scales: dict, key: str, default: Scale, source: str) -> Scale:
    spec = scales.get(key)
    if spec is None:
        return default
    try:
        scale = Scale(
            float(spec.get("min", default.min)),
            float(spec.get("max", default.max)),
            int(spec.get("top_box", default.top_box)),
        )
    except (TypeError, ValueError, AttributeError):
        raise SurveyDefinitionError(f"{source}: scales.{key}: min, max and top_box must be numbers") from None
    if scale.min >= scale.max:
        raise SurveyDefinitionError(
            f"{source}: scales.{key}: min ({scale.min:g}) must be below max ({scale.max:g})"
        )
    top_box = spec.get("top_box", default.top_box)
    fraction = isinstance(top_box, float) and not top_box.is_integer()
    if isinstance(top_box, bool) or fraction or not 0 <= scale.top_box <= scale.max - scale.min:
        raise SurveyDefinitionError(
            f"{source}: scales.{key}.top_box: {top_box!r} is not a whole number between 0 (no top box) and "
            f"the scale's width ({scale.max - scale.min:g})"
        )
    return scale


def resolve_survey(survey: SurveyDefinition | str | Path | None) -> SurveyDefinition:
    """Accept a definition, a path to one, or None for the shipped default."""
    if survey is None:
        return SurveyDefinition.default()
    if isinstance(survey, SurveyDefinition):
        return survey
    return SurveyDefinition.from_file(survey)
