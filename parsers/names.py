"""Find organization names in repaired text, with boundaries taken from the text itself.

A name ends at an organization-type suffix (协会, 联合会 …). Its start is the earliest region or national
prefix (浙江省, 杭州, 中国 …) after the previous delimiter; without one, the text after the delimiter
minus leading function words (其中, 在, 由 …). Candidates that are not social organizations (government
bodies, companies, 该协会 …) are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import ORG_TYPES, is_social_organization
from .regions import NATIONAL_PREFIXES, division_index
from .repair import HAN

_SUFFIX = re.compile("|".join(ORG_TYPES))
# Characters a name is made of; anything else (punctuation, whitespace, quotes) delimits it.
_NAME_CHAR = re.compile(rf"[{HAN}A-Za-z0-9（）·]")
# Words that start a clause, not a name, when no region prefix marks the name's start.
_LEADING_WORDS = re.compile(
    r"^(?:(?:其中|包括|以及|同时|另外|此外|目前|例如|如|在|由|经|据|是|为|并|和|及|与|有|将|向|对|从|据悉|"
    r"首批会员单位有|会员单位有|第[一二三四五六七八九十\d]+届)+)"
)
_MAX_NAME = 40


@dataclass(frozen=True)
class NameSpan:
    start: int
    end: int
    name: str


def _left_limit(text: str, suffix_start: int, floor: int) -> int:
    pos = suffix_start
    while pos > floor and _NAME_CHAR.match(text[pos - 1]) and suffix_start - pos < _MAX_NAME:
        pos -= 1
    return pos


def _region_start(text: str, lo: int, hi: int) -> int | None:
    index = division_index()
    for pos in range(lo, hi):
        rest = text[pos:hi]
        if rest.startswith(NATIONAL_PREFIXES) or index.region_of(rest) is not None:
            return pos
    return None


def find_org_names(text: str) -> list[NameSpan]:
    spans: list[NameSpan] = []
    floor = 0
    for m in _SUFFIX.finditer(text):
        if m.start() < floor:
            continue
        lo = _left_limit(text, m.start(), floor)
        start = _region_start(text, lo, m.start())
        if start is None:
            lead = _LEADING_WORDS.match(text, lo)
            start = lead.end() if lead else lo
        name = text[start:m.end()]
        if is_social_organization(name):
            spans.append(NameSpan(start, m.end(), name))
            floor = m.end()
    return spans
