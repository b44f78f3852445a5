"""Parse the news-agency dateline at the start of an article body into metadata.

Wire copy opens with where and when the story was filed and by which agency:
`PARIS, 10 février (TAP) –`, `PARIS (AFP) -`, `WASHINGTON, Feb 10 (Reuters) -`. That
is metadata living in the text; the detector records it as `metadata["dateline"]`
and, by default, keeps the text (it is also part of the first sentence).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .document import Reason, Span
from .segment import SegmentedText

# Agencies written in the parentheses of a dateline. Any short all-capitals name is
# accepted too (`(TAP)`, `(MAP)`), so this list matters only for names in mixed case.
AGENCIES = (
    "AFP",
    "AP",
    "ANSA",
    "APA",
    "APS",
    "ATS",
    "Belga",
    "Bloomberg",
    "dpa",
    "DPA",
    "EFE",
    "Kyodo",
    "MAP",
    "PA",
    "Reuters",
    "TAP",
    "UPI",
    "Xinhua",
    "Yonhap",
    "Anadolu",
    "Agence France-Presse",
    "Associated Press",
)

_UPPER = "A-ZÀ-ÖØ-Þ"
_LETTER = "A-Za-zÀ-ÖØ-öø-ÿ"
# PLACE: capitals (`PARIS`, `SAINT-DENIS`, `RIO DE JANEIRO`, `N'DJAMENA`), or up to four
# capitalized words (`Paris`, `Los Angeles`) when the agency is one of AGENCIES.
_PLACE_UPPER = rf"[{_UPPER}][{_UPPER}'’.\-]*(?:[ ](?:[{_UPPER}][{_UPPER}'’.\-]*|de|du|des|la|le|d[’']))*"
_PLACE_TITLE = rf"[{_UPPER}][{_LETTER}'’.\-]*(?:[ ](?:[{_UPPER}][{_LETTER}'’.\-]*|de|du|des|la|le)){{0,3}}"
_AGENCY_NAMES = "|".join(re.escape(name) for name in sorted(AGENCIES, key=len, reverse=True))
_AGENCY = rf"(?:{_AGENCY_NAMES}|[A-Z]{{2,6}})(?:\s*/\s*(?:{_AGENCY_NAMES}|[A-Z]{{2,6}}))*"
_DATELINE = re.compile(
    rf"""
    \s*
    (?P<place>{_PLACE_UPPER}|{_PLACE_TITLE})
    (?:\s*,\s*(?P<date>[^()\n,]{{1,30}}?))?          # date as written: `10 février`, `Feb 10`
    \s*\(\s*(?P<agency>{_AGENCY})\s*\)
    \s*[-–—:]+\s*
    """,
    re.VERBOSE,
)


@dataclass(slots=True)
class DatelineDetector:
    """Mark the dateline at the start of the text and move it into `metadata["dateline"]`."""

    remove: bool = False  # cut it from the text too
    name: str = "dateline"

    def detect(self, text: SegmentedText) -> Iterator[Span]:
        """One span over the dateline, if the text opens with one."""
        dateline = parse_dateline(text.text)
        if dateline is None:
            return
        start, end, value = dateline
        yield Span(
            start,
            end,
            Reason.METADATA,
            rule="dateline",
            moves_to="dateline",
            value=value,
            remove=self.remove,
        )


def parse_dateline(text: str) -> tuple[int, int, dict[str, str | None]] | None:
    """The dateline opening `text` as `(start, end, {"place", "date", "agency"})`, or None.

    `start` skips leading whitespace; `end` includes the dash and the space after it.

    >>> parse_dateline("PARIS, 10 février (TAP) – Dirigeants politiques")[2]
    {'place': 'PARIS', 'date': '10 février', 'agency': 'TAP'}
    >>> parse_dateline("Paris (AFP) - Le gouvernement")[2]
    {'place': 'Paris', 'date': None, 'agency': 'AFP'}
    """
    match = _DATELINE.match(text[:200])
    if match is None:
        return None
    place = match.group("place")
    agency = match.group("agency")
    if not place.isupper() and agency not in AGENCIES:
        return None  # a capitalized phrase before an unknown acronym: not a dateline
    date = match.group("date")
    value = {"place": place, "date": date.strip() if date else None, "agency": agency}
    return match.start("place"), match.end(), value
