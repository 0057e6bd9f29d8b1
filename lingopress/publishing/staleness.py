"""Staleness: what a live translation is worth once the French behind it changed.

Publishing keeps the last approved version of an article live while a newer French source
waits for its translators (lingopress.publishing.publish). For a reworded sentence that is right; for a
changed dose it is a patient-safety problem. So whenever a kept-live version was made from
another French text than the current one, its units are compared with the current units:

- no unit differs (only the front matter date or the layout changed): nothing to say;
- otherwise the page is *outdated* (kept live, with a notice and `"outdated"` in its JSON)
  or *withdrawn* (replaced by a notice linking to the French original until the changed
  units are re-approved), as `[publish] stale` decides:

>>> judge("withdraw-on-safety-change", [("paragraph", "Prendre 75 mg.")], [("paragraph", "Prendre 50 mg.")])
Verdict(withdraw=True, changes=('number 75 mg removed or changed', 'number 50 mg added'))
>>> judge("withdraw-on-safety-change", [("paragraph", "Prendre 75 mg.")], [("paragraph", "Prenez 75 mg.")])
Verdict(withdraw=False, changes=())
>>> judge("banner", [("paragraph", "Prendre 75 mg.")], [("paragraph", "Prendre 50 mg.")]).withdraw
False

A removed unit is judged against empty text, so removing a sentence that held a number
(or, as qa.safety_changes learns them, a limit or a negation) is a safety change, and
removing plain prose is not. An added unit is judged the same way from empty text: a new
sentence holding a dose or a "ne pas" is missing from the live translation, which is as
dangerous as a changed one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from rapidfuzz import fuzz

from ..catalogs.po import FUZZY_THRESHOLD
from ..config import STALE_MODES

Key = tuple[str, str]  # (msgctxt, msgid): a unit's kind and French text, as the catalog keys it
OUTDATED, WITHDRAWN = "outdated", "withdrawn"
SAFETY_CHANGE, SOURCE_CHANGE = "safety-change", "source-change"
WITHDRAW_ON_SAFETY, BANNER, WITHDRAW = STALE_MODES


@dataclass(frozen=True)
class Verdict:
    withdraw: bool
    changes: tuple[str, ...]  # what qa.safety_changes found, over every changed unit


@dataclass(frozen=True)
class Staleness:
    """How a live version stands against the current French source, recorded in the published state."""

    state: str  # OUTDATED or WITHDRAWN
    source_hash: str  # the French version this is about: a newer one is judged afresh
    source_updated: str  # ISO date that French version was first seen (see `first_seen`)
    translated_from: str  # ISO date of the French version the live translation follows
    changes: tuple[str, ...] = ()  # safety findings; recorded under every mode, for status

    @property
    def withdrawn(self) -> bool:
        return self.state == WITHDRAWN

    @property
    def reason(self) -> str:
        return SAFETY_CHANGE if self.changes else SOURCE_CHANGE

    def describe(self) -> str:
        """One line for `lingopress status` and the publish report."""
        if not self.withdrawn:
            note = f" (safety change not withdrawn: {'; '.join(self.changes)})" if self.changes else ""
            return f"outdated since {self.source_updated}{note}"
        if self.changes:
            return f"withdrawn (safety change: {'; '.join(self.changes)})"
        return f"withdrawn (source changed on {self.source_updated})"

    def public(self) -> dict:
        """What a page's JSON (and a bundle's manifest) says under "withdrawn" or "outdated".

        Not the findings: they quote the old French ("number 75 mg removed"), which is for
        the team (status), not for a page whose point is that the old dose is gone."""
        document = {"source_updated": self.source_updated, "translated_from": self.translated_from}
        return {"reason": self.reason, **document} if self.withdrawn else document

    def to_json(self) -> dict:
        return {"state": self.state, "source_hash": self.source_hash, "source_updated": self.source_updated,
                "translated_from": self.translated_from, "changes": list(self.changes)}

    @classmethod
    def from_json(cls, raw: dict | None) -> Staleness | None:
        if raw is None:
            return None
        return cls(raw["state"], raw["source_hash"], raw["source_updated"], raw["translated_from"],
                   tuple(raw["changes"]))


def consequence(stale: Staleness | None) -> str:
    """What happens to a kept-live version, for the publish report."""
    if stale is None:
        return "the last approved version stays live"
    if stale.withdrawn:
        return f"{stale.describe()} until re-approved"
    return f"the last approved version stays live, {stale.describe()}"


def changed_units(old: Sequence[Key], new: Sequence[Key]) -> list[tuple[str, str]]:
    """The units that differ between two versions of an article, as (old text, new text);
    "" stands for the side of a unit that was removed or added.

    Pairs are found from the two versions of the source alone, not from the catalog's fuzzy
    entries (`#| msgid`): the catalog is a translator's file that may be broken, already
    re-approved (which drops the previous msgid) or merged against an intermediate version,
    while the live version may be several edits behind. A unit found unchanged anywhere in
    the new version is unchanged (a moved paragraph says the same); the others are paired
    one to one, most similar first, with msgmerge's threshold, as the catalog merge pairs
    them, preferring the same kind and then the nearest position. Below the threshold a
    unit counts as removed and another as added: both are then judged against empty text,
    which errs on the safe side.
    """
    kept = set(old) & set(new)
    gone = [key for key in old if key not in kept]
    came = [key for key in new if key not in kept]
    candidates = []
    for i, (old_kind, old_text) in enumerate(gone):
        for j, (new_kind, new_text) in enumerate(came):
            score = fuzz.ratio(old_text, new_text, score_cutoff=FUZZY_THRESHOLD * 100)
            if score:
                candidates.append((-score, old_kind != new_kind, abs(i - j), i, j))
    pairs: dict[int, int] = {}
    for *_, i, j in sorted(candidates):
        if i not in pairs and j not in pairs.values():
            pairs[i] = j
    changes = [(gone[i][1], came[pairs[i]][1] if i in pairs else "") for i in range(len(gone))]
    changes += [("", came[j][1]) for j in range(len(came)) if j not in pairs.values()]
    return changes


def judge(mode: str, old: Sequence[Key], new: Sequence[Key], source_locale: str = "fr") -> Verdict | None:
    """Whether a translation of the units `old` may stay live now that the source has `new`;
    None when no unit changed."""
    from ..qa import safety_changes  # the QA package loads translate-toolkit: only when needed

    changes = changed_units(old, new)
    if not changes:
        return None
    found = dict.fromkeys(message for before, after in changes
                          for message in safety_changes(before, after, source_locale))
    withdraw = mode == WITHDRAW or (mode == WITHDRAW_ON_SAFETY and bool(found))
    return Verdict(withdraw, tuple(found))


def assess(verdict: Verdict, *, source_hash: str, previous: Staleness | None, translated_from: str,
           today: date) -> Staleness:
    """The staleness to record for a verdict on the French version `source_hash`."""
    return Staleness(WITHDRAWN if verdict.withdraw else OUTDATED, source_hash,
                     first_seen(previous, source_hash, today), translated_from, verdict.changes)


def first_seen(previous: Staleness | None, source_hash: str, today: date) -> str:
    """When a French version was first seen, as an ISO date.

    Sources carry no reliable "updated" date: the front matter's `date` is the publication
    date (lingopress.publishing.publish.publication_date) and editors do not change it for an edit, and
    file times do not survive a git checkout. So the date of a change is the date of the
    first publish run that saw it, kept in the published state for as long as that French
    version stands; a newer edit is dated afresh.
    """
    if previous is not None and previous.source_hash == source_hash:
        return previous.source_updated
    return today.isoformat()


class LiveVersion(Protocol):
    """What dating a version reads of the one live now (publish.Snapshot): declared here so
    that this module, which publish imports, does not import publish."""

    @property
    def source_hash(self) -> str: ...

    @property
    def source_date(self) -> str: ...

    @property
    def stale(self) -> Staleness | None: ...


def version_date(live: LiveVersion | None, source_hash: str, today: date) -> str:
    """The date of the French version `source_hash` for a version about to replace `live`:
    "this translation follows the version of DATE" names it once the French changes again."""
    if live is None:
        return today.isoformat()
    if live.source_hash == source_hash and live.source_date:
        return live.source_date
    return first_seen(live.stale, source_hash, today)
