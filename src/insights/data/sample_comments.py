"""The sample's comments: themed, varied phrasings, planted theme effects, per-client mixes, some personal data.

The generating model (documented so tests can check that the analysis recovers it):

* Everything here draws from its **own random stream** (``default_rng([seed, 16])``,
  :class:`CommentDrafter`): the ratings, overall satisfaction, likelihood to recommend and every
  other draw of the sample stay exactly as they were; only the comments are new.  About 45% of
  responses carry a comment (:data:`COMMENT_SHARE`).
* **Themes** (:data:`THEMES`, the sample codeframe: key, label, keywords, phrasings): billing,
  responsiveness (slow replies), communication (updates), quality (errors), staff (turnover),
  value (price), expertise and praise.  A comment carries one theme (70%), two (25%) or three
  (5%), drawn without replacement from its client's mix; 6% of comments are uncoded (no theme:
  "Fine, no major issues.").  The themes do not depend on the ratings, so the driver analyses
  that leave them out are not biased by them.
* Every phrasing of a theme contains one of its keywords (matched case-insensitively at the start
  of a word, as the codeframe says) and no keyword of another theme; the tests check this.
* **Per-client mixes**: every client's weights are the base weights :data:`BASE_WEIGHTS` times
  ``Gamma(2, 0.5)`` noise; :data:`FOCUS_CLIENTS` give one theme :data:`FOCUS_SHARE` (60%) of the
  weight (C05 and C08 mostly billing, C11 responsiveness, C03 quality, C14 staff turnover, I04
  communication), and :data:`RISING_THEME` (C12's billing) gets 40%, 60% and 80% of the client's
  weight over the last three months (its share rises: a theme alert to find).
* **Planted effects** (:data:`PLANTED_THEME_EFFECTS`): billing -0.5, responsiveness -0.4,
  quality -0.3, praise +0.3, the others 0, on latent overall satisfaction (1-5, before rounding).
  The sample's overall satisfaction has its own noise ``eps ~ N(0, 0.45^2)``, drawn first; whether
  the response has a comment, and its themes, are then drawn from their posterior given ``eps``
  under the model ``eps = m + N(0, 0.45^2 - Var m)``, ``m`` the sum of the mentioned themes'
  effects (0 without a comment) centred on the client's mix.  So the themes explain part of the
  noise, every effect planted before (drivers, movers, breaches, blind spots) is untouched, and a
  regression of overall satisfaction on the theme indicators, the drivers and the client (the
  centring is per client: a client's mix says nothing about its mean) recovers the effects, a
  little attenuated by the rounding and clipping of the 1-5 answers.
* **Personal data**: :data:`PERSONAL_COMMENTS` (12) comments get a sentence with a contact's name
  (of the same client, from the sample contact list), a distinctive e-mail address
  (``first.last@<client>.example``) and/or phone number (the UK's and NANP's drama ranges), so
  the redaction can be tested on the sample.  These sentences carry no theme keyword.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "BASE_WEIGHTS",
    "FOCUS_CLIENTS",
    "PERSONAL_COMMENTS",
    "PLANTED_THEME_EFFECTS",
    "RISING_THEME",
    "THEMES",
    "CommentDrafter",
    "add_personal_data",
    "codeframe_toml",
]


@dataclass(frozen=True)
class Theme:
    """One theme of the sample codeframe: its label, keywords and the phrasings comments use."""

    label: str
    keywords: tuple[str, ...]
    phrasings: tuple[str, ...]


THEMES: dict[str, Theme] = {
    "billing": Theme(
        "Billing and invoices",
        ("invoice", "billing", "billed", "overcharged"),
        (
            "The invoices were wrong again this month.",
            "Billing is a mess: we were billed twice for the same work.",
            "We were overcharged on the last invoice.",
            "Every invoice needs three rounds of corrections.",
            "Still no credit for the billing mix-up in spring.",
            "THE INVOICES DO NOT MATCH THE PURCHASE ORDERS.",
        ),
    ),
    "responsiveness": Theme(
        "Slow replies",
        ("slow to respond", "slow response", "unanswered", "chase", "chasing", "no reply"),
        (
            "Too slow to respond; escalations took days.",
            "We had to chase three times before anyone got back to us.",
            "E-mails go unanswered for a week.",
            "Slow response times on urgent tickets.",
            "Still chasing an answer about the outage.",
            "No reply to our request for two weeks.",
        ),
    ),
    "communication": Theme(
        "Communication and updates",
        ("update", "communication", "in the loop"),
        (
            "We'd like more regular updates on progress.",
            "Nobody kept us in the loop about the change.",
            "Communication around the release was poor.",
            "Status updates arrive late and say little.",
            "Please send a short weekly update.",
        ),
    ),
    "quality": Theme(
        "Quality and errors",
        ("error", "mistake", "rework", "defect", "sloppy"),
        (
            "Too many errors in the deliverables.",
            "The reports came back with mistakes we had to fix ourselves.",
            "A lot of rework this quarter.",
            "Sloppy work on the last deliverable.",
            "Defects keep slipping through testing.",
        ),
    ),
    "staff": Theme(
        "Staff turnover",
        ("turnover", "handover", "new faces", "team keeps changing"),
        (
            "Staff turnover on your side is hurting us.",
            "New faces every month; nobody knows our history.",
            "The handover to the new account manager was poor.",
            "The team keeps changing and we explain everything again.",
        ),
    ),
    "value": Theme(
        "Value and price",
        ("price", "pricing", "expensive", "value for money"),
        (
            "Too expensive for what we get.",
            "Prices went up again without any explanation.",
            "Not good value for money this year.",
            "Your pricing is hard to justify internally.",
        ),
    ),
    "expertise": Theme(
        "Expertise",
        ("expertise", "expert", "knowledge", "know their stuff", "know-how"),
        (
            "Real expertise in our sector.",
            "The consultants know their stuff.",
            "Deep knowledge of the regulations saved us weeks.",
            "Their technical know-how is why we stay.",
            "Expert advice on the audit.",
        ),
    ),
    "praise": Theme(
        "Praise",
        ("great", "excellent", "thank", "brilliant", "outstanding", "well done"),
        (
            "Great work this month.",
            "Excellent support from the whole team.",
            "Brilliant job on the migration, thank you.",
            "Outstanding service.",
            "Well done on the year-end close.",
            "Thanks for going the extra mile.",
        ),
    ),
}
#: Comments without a theme (the codeframe leaves them uncoded).
UNCODED = ("Fine, no major issues.", "Nothing to add this month.", "Solid month overall.", "As expected.")
UNCODED_SHARE = 0.06
#: The share of responses with a comment.
COMMENT_SHARE = 0.45
#: How many themes a coded comment carries: 1, 2 or 3.
THEME_COUNTS = {1: 0.70, 2: 0.25, 3: 0.05}
#: Each theme's effect on the latent overall satisfaction (1-5 scale) of a response whose comment mentions it.
PLANTED_THEME_EFFECTS = {
    "billing": -0.5,
    "responsiveness": -0.4,
    "communication": 0.0,
    "quality": -0.3,
    "staff": 0.0,
    "value": 0.0,
    "expertise": 0.0,
    "praise": 0.3,
}
BASE_WEIGHTS = {
    "billing": 1.0,
    "responsiveness": 1.0,
    "communication": 1.0,
    "quality": 0.8,
    "staff": 0.6,
    "value": 0.8,
    "expertise": 0.7,
    "praise": 1.6,
}
FOCUS_CLIENTS = {
    "C05": "billing",
    "C08": "billing",
    "C11": "responsiveness",
    "C03": "quality",
    "C14": "staff",
    "I04": "communication",
}
#: The share of a focus client's theme weight that goes to its focus theme.
FOCUS_SHARE = 0.6
#: (client, theme) whose share of the client's weight is RISING_SHARES in the last three months.
RISING_THEME = ("C12", "billing")
RISING_SHARES = (0.4, 0.6, 0.8)
#: Comments that get a sentence with personal data.
PERSONAL_COMMENTS = 12
_PERSONAL = (
    "Please ask {name} to call me on {phone}.",
    "You can reach me at {email} or {phone}.",
    "{name} has my details: {email}.",
    "Ring {phone} and ask for {name}.",
)
_PHONES = ("+44 20 7946 0{n:03d}", "(212) 555-01{n2:02d}", "0171 555 0{n:03d}", "555-01{n2:02d}")


def _weights(client_id: str, rng: np.random.Generator) -> np.ndarray:
    """A client's theme weights (in :data:`THEMES` order): base x Gamma(2, 0.5) noise; a focus
    client's focus theme gets :data:`FOCUS_SHARE` of the total."""
    keys = list(THEMES)
    weights = np.array([BASE_WEIGHTS[k] for k in keys]) * rng.gamma(2.0, 0.5, len(keys))
    if client_id in FOCUS_CLIENTS:
        focus = keys.index(FOCUS_CLIENTS[client_id])
        weights[focus] = FOCUS_SHARE / (1 - FOCUS_SHARE) * (weights.sum() - weights[focus])
    return weights


#: A response without a comment, among the outcomes of :func:`_set_distribution`.
NO_COMMENT: tuple[int, ...] = (-1,)


def _set_distribution(weights: np.ndarray) -> tuple[list[tuple[int, ...]], np.ndarray]:
    """Every outcome for a response: no comment (:data:`NO_COMMENT`), an uncoded comment ``()``, or
    1-3 themes drawn without replacement by ``weights`` (successive sampling), with its probability
    (by enumerating the ordered draws)."""
    p = weights / weights.sum()
    probs: dict[tuple[int, ...], float] = {NO_COMMENT: 1 - COMMENT_SHARE, (): COMMENT_SHARE * UNCODED_SHARE}
    for count, share in THEME_COUNTS.items():
        for order in itertools.permutations(range(len(p)), count):
            prob, left = COMMENT_SHARE * (1.0 - UNCODED_SHARE), 1.0
            for i in order:
                prob *= p[i] / left
                left -= p[i]
            key = tuple(sorted(order))
            probs[key] = probs.get(key, 0.0) + share * prob
    sets = list(probs)
    return sets, np.array([probs[k] for k in sets])


class CommentDrafter:
    """Draws the sample's comments on its own random stream (``default_rng([seed, 16])``).

    The planted theme effects: with ``e`` the themes' effects, a comment's theme set ``S`` goes with
    ``m(S) = sum_{k in S} e_k - E[.]`` (centred on the client's mix) and the response's own noise
    ``eps ~ N(0, noise_sd^2)`` (drawn by the sample) is ``m(S) + N(0, noise_sd^2 - Var m)``.  The
    sample draws ``eps`` first, so the comment's set is drawn from its posterior given ``eps``:
    ``P(S | eps) ~ P(S) phi((eps - m(S)) / sd')``.  Ratings and overall satisfaction are untouched,
    and a regression of overall satisfaction on the theme indicators and the drivers recovers ``e``
    (the themes explain part of the noise).

    Examples
    --------
    >>> drafter = CommentDrafter(seed=2026, clients=["C01", "C05"], noise_sd=0.45)
    >>> themes, text = drafter.draw("C05", months_from_end=5, noise=-0.6)
    >>> isinstance(text, str) and set(themes) <= set(THEMES)
    True
    """

    def __init__(self, seed: int, clients: list[str], noise_sd: float) -> None:
        self.rng = np.random.default_rng([seed, 16])
        self.keys = list(THEMES)
        self.noise_sd = noise_sd
        self.weights = {c: _weights(c, self.rng) for c in clients}
        self._cache: dict[tuple[str, int], tuple] = {}

    def distribution(
        self, client_id: str, months_from_end: int
    ) -> tuple[list[tuple[int, ...]], np.ndarray, np.ndarray, float]:
        """The theme sets of a client's comments, their prior probabilities, centred effects ``m`` and ``sd'``."""
        client, theme = RISING_THEME
        step = 3 - months_from_end if client_id == client and months_from_end < 3 else 0
        key = (client_id, step)
        if key not in self._cache:
            weights = self.weights[client_id].copy()
            if step:
                share, rising = RISING_SHARES[step - 1], self.keys.index(theme)
                weights[rising] = share / (1 - share) * (weights.sum() - weights[rising])
            sets, prior = _set_distribution(weights)
            effects = np.array([PLANTED_THEME_EFFECTS[k] for k in self.keys])
            raw = np.array([0.0 if s == NO_COMMENT else effects[list(s)].sum() for s in sets])
            centred = raw - prior @ raw
            residual_sd = float(np.sqrt(self.noise_sd**2 - prior @ centred**2))
            self._cache[key] = (sets, prior, centred, residual_sd)
        return self._cache[key]

    def draw(self, client_id: str, months_from_end: int, noise: float) -> tuple[tuple[str, ...], str]:
        """Whether a response of ``client_id``, ``months_from_end`` months before the end, has a comment
        and its themes and text (``""`` for none), given the response's own noise draw ``noise`` (its
        latent overall satisfaction less the model)."""
        rng = self.rng
        sets, prior, centred, residual_sd = self.distribution(client_id, months_from_end)
        log_w = np.log(prior) - 0.5 * ((noise - centred) / residual_sd) ** 2
        w = np.exp(log_w - log_w.max())
        chosen = sets[int(rng.choice(len(sets), p=w / w.sum()))]
        if chosen == NO_COMMENT:
            return (), ""
        if not chosen:
            return (), UNCODED[int(rng.integers(len(UNCODED)))]
        themes = tuple(self.keys[i] for i in rng.permutation(chosen))
        sentences = [THEMES[t].phrasings[int(rng.integers(len(THEMES[t].phrasings)))] for t in themes]
        return themes, " ".join(sentences)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", folded.lower())


def add_personal_data(responses: pd.DataFrame, contacts: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Append a sentence with a contact's name, an e-mail address and/or a phone number to
    :data:`PERSONAL_COMMENTS` comments (own stream ``default_rng([seed, 16, 1])``)."""
    rng = np.random.default_rng([seed, 16, 1])
    out = responses.copy()
    commented = np.flatnonzero(out["comment"].fillna("").str.strip() != "")
    chosen = np.sort(rng.choice(commented, size=min(PERSONAL_COMMENTS, len(commented)), replace=False))
    for n, row in enumerate(chosen):
        client_id = out.at[row, "client_id"]
        names = contacts.loc[contacts["client_id"] == client_id, "name"].tolist()
        name = names[int(rng.integers(len(names)))]
        first, *_, last = name.split()
        domain = _ascii(str(out.at[row, "client_name"]))[:20] or "client"
        email = f"{_ascii(first)}.{_ascii(last)}@{domain}.example"
        phone = _PHONES[n % len(_PHONES)].format(n=100 + 37 * n, n2=n + 10)
        sentence = _PERSONAL[n % len(_PERSONAL)].format(name=name, email=email, phone=phone)
        out.at[row, "comment"] = f"{out.at[row, 'comment']} {sentence}"
    return out


def codeframe_toml() -> str:
    """The sample codeframe as TOML ``[themes.KEY]`` sections (label, keywords), to append to a survey."""
    lines = [
        "# The sample's codeframe: comments are coded by keywords, case-insensitive, at the start of a",
        '# word ("invoice" matches "Invoices"); a comment can carry several themes.',
    ]
    for key, theme in THEMES.items():
        keywords = ", ".join(f'"{k}"' for k in theme.keywords)
        lines += ["", f"[themes.{key}]", f'label = "{theme.label}"', f"keywords = [{keywords}]"]
    return "\n".join(lines) + "\n"
