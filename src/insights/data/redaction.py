"""Personal data out of free text: e-mail addresses, phone numbers and contact names redacted.

Comments are written by people and carry personal data ("call me on 020 7946 0958",
"ask Valentina"). Reports, executed notebooks and ``alerts.json`` show comments through
:func:`redact` / :func:`redact_series` unless the run has ``--show-names``; the statistics
(theme matching, sentiment) still see the original text.

The rules, applied in this order (so an address such as ``valentina.lindqvist@example.com``
becomes one ``[email]``, not ``[name]@example.com``):

``[email]``
    ``local@domain.tld``: letters, digits and ``._%+-`` before the ``@``, a domain of dotted
    labels with a top-level part of at least two letters after it.
``[phone]``
    A number in one of these shapes, not glued to a letter, digit or ``+`` before it, and not
    followed by a letter, a digit, ``%`` or a decimal part (``,5`` / ``.5``):

    * international: ``+`` and a country code, then groups of digits separated by at most one
      space, dot or dash (an optional area code in parentheses), 8 digits or more in all:
      ``+44 20 7946 0958``, ``+1 (212) 555-0147``, ``+33 1 42 68 53 00``, ``+4915112345678``;
    * an area code in parentheses: ``(212) 555-0147``, ``(020) 7946 0958``;
    * North American ``212-555-0147``, ``212.555.0147``, ``212 555 0147``;
    * national with a trunk prefix ``0`` and at least 10 digits, groups optional:
      ``0171 5550199``, ``020 7946 0958``, ``07700 900123``, ``07700900123``, and the French
      pairs ``01 42 68 53 00``;
    * local ``555-0147`` (three digits, a dash, four digits; only with a dash).

    Left alone on purpose: dates (``2025-11-01``, ``01/11/2025``), year ranges
    (``2019-2020``), amounts (``1,234.56``, ``12 500 000``, ``£1 200``), percentages, times,
    and ids that start with a letter (``R1234``, ``INV-2025-0042``) or are bare runs of digits
    not starting with ``0`` (``2125550147``: it cannot be told from an order number). A
    three-digit, dash, four-digit id (``123-4567``) is redacted: it cannot be told from a
    local number, and privacy wins. A trailing group of digits after an international number
    may be taken with it (``+44 20 7946 0958 2`` -> ``[phone]``).
``[name]``
    The names of the contact list (``name`` of :func:`insights.data.people.read_contacts`),
    matched case-insensitively on word boundaries (``Valentina's`` -> ``[name]'s``):

    * the full name, with any run of spaces between its parts (``valentina  LINDQVIST``);
    * each part alone (first name, last name) of at least two letters, because a comment
      saying "Valentina never calls back" names her as surely as her full name does. A part
      that is also an everyday English word (``Bill``, ``Will``, ``Grace``, ``May``, ``Mark``,
      the list :data:`COMMON_WORD_NAMES`) is redacted only when written with a capital
      first letter, so "the bill was wrong" keeps its "bill" (and "Bill was wrong" at the
      start of a sentence loses it: privacy wins over the odd lost word).

Example
-------
>>> redact("Ask Valentina Lindqvist (valentina@example.com, +44 20 7946 0958) by 2025-11-01",
...        names=["Valentina Lindqvist"])
'Ask [name] ([email], [phone]) by 2025-11-01'

References: the shapes follow ITU-T E.164 (international numbers of at most 15 digits after
``+``) and the national formats of the UK (Ofcom numbering plan), the North American Numbering
Plan and France; the 555-01xx numbers are the NANP's fictional range.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import pandas as pd

__all__ = ["COMMON_WORD_NAMES", "EMAIL", "PHONE", "contact_names", "redact", "redact_series"]

EMAIL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")

_BEFORE = r"(?<![\w+])(?<!\d[.,])"
_AFTER = r"(?![\w%]|[.,]\d)"
PHONE = re.compile(
    _BEFORE
    + r"(?:"
    + r"\+(?=(?:[ .()-]{0,2}\d){8})\d{1,3}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,5}){1,6}"  # +44 20 7946 0958
    + r"|\(\d{2,5}\)[ .-]?\d{3,4}[ .-]?\d{3,4}"  # (212) 555-0147
    + r"|\d{3}([ .-])\d{3}\1\d{4}"  # 212-555-0147
    + r"|0\d(?:[ .-]\d{2}){4}"  # 01 42 68 53 00
    + r"|0(?=(?:[ .-]?\d){9})\d{2,4}[ .-]?\d{3,4}[ .-]?\d{3,4}"  # 0171 5550199
    + r"|\d{3}-\d{4}"  # 555-0147
    + r")"
    + _AFTER
)

COMMON_WORD_NAMES = frozenset(
    """
    april art august bill bob bud chip dawn dean drew faith frank gene gill grace grant guy hope
    hunter iris ivy jack jean joy june king lane lily mark may mason miles mint pat patience
    penny pearl rich rob rose ruby rusty sage scott sky stone summer sue summer terry tom will
    wood young
    """.split()
)


def _name_parts(names: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The full names, the parts matched in any case, and the parts matched only capitalised."""
    full: set[str] = set()
    parts: set[str] = set()
    for name in names:
        if not isinstance(name, str):
            continue
        words = name.split()
        if not words:
            continue
        if len(words) > 1:
            full.add(" ".join(words))
        parts.update(w for w in words if len(w.strip(".-'")) >= 2)
    plain = tuple(p for p in parts if p.casefold() not in COMMON_WORD_NAMES)
    capital = tuple(p for p in parts if p.casefold() in COMMON_WORD_NAMES)
    by_length = lambda items: tuple(sorted(items, key=lambda s: (-len(s), s)))  # noqa: E731
    return by_length(full), by_length(plain), by_length(capital)


@lru_cache(maxsize=32)
def _name_patterns(names: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """One pattern per rule (full names, parts in any case, capitalised parts), longest first."""
    full, plain, capital = _name_parts(names)
    patterns = []
    if full:
        alternatives = "|".join(r"\s+".join(map(re.escape, n.split())) for n in full)
        patterns.append(re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE))
    if plain:
        alternatives = "|".join(map(re.escape, plain))
        patterns.append(re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE))
    if capital:
        # first letter as capital (or the whole word in capitals), the rest in any case
        alternatives = "|".join(
            f"(?:{re.escape(p[0].upper())}(?i:{re.escape(p[1:])}))|{re.escape(p.upper())}" for p in capital
        )
        patterns.append(re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"))
    return tuple(patterns)


def _names_key(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({n for n in names if isinstance(n, str) and n.strip()}))


def redact(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with e-mail addresses, phone numbers and the given names replaced.

    Parameters
    ----------
    text
        A comment (any string; anything else is returned unchanged).
    names
        The contact names to redact (full names, ``"First Last"``).

    Returns
    -------
    str
        The text with ``[email]``, ``[phone]`` and ``[name]`` in their places; the rules are
        in the module's docstring.

    Examples
    --------
    >>> redact("Mail j.doe@example.org or ring (212) 555-0147; 12% up since 2019-2020.")
    'Mail [email] or ring [phone]; 12% up since 2019-2020.'
    """
    if not isinstance(text, str) or not text:
        return text
    text = EMAIL.sub("[email]", text)
    text = PHONE.sub("[phone]", text)
    for pattern in _name_patterns(_names_key(names)):
        text = pattern.sub("[name]", text)
    return text


def redact_series(texts: pd.Series, names: Iterable[str] = ()) -> pd.Series:
    """:func:`redact` on every text of a Series (vectorised; missing values stay missing).

    Examples
    --------
    >>> redact_series(pd.Series(["ask Yara Thorsen", "(212) 555-0147"]), names=["Yara Thorsen"]).tolist()
    ['ask [name]', '[phone]']
    """
    if texts.empty:
        return texts.copy()
    strings = texts.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False).astype(bool)
    out = texts.copy()
    if not strings.any():
        return out
    redacted = texts[strings].astype(str)
    redacted = redacted.str.replace(EMAIL, "[email]", regex=True)
    redacted = redacted.str.replace(PHONE, "[phone]", regex=True)
    for pattern in _name_patterns(_names_key(names)):
        redacted = redacted.str.replace(pattern, "[name]", regex=True)
    out.loc[strings] = redacted
    return out


def contact_names(contacts: pd.DataFrame | None) -> tuple[str, ...]:
    """The names of a contact list (:func:`insights.data.people.read_contacts`) to redact; none without one.

    Examples
    --------
    >>> contact_names(pd.DataFrame({"name": ["Yara Thorsen", None, " "]}))
    ('Yara Thorsen',)
    """
    if contacts is None or "name" not in contacts.columns:
        return ()
    return _names_key(contacts["name"].dropna().astype(str))
