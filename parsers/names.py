"""Find organization names in repaired text, with boundaries taken from the text itself.

A name ends at an organization-type suffix (协会, 联合会 …). Its start is a region or national prefix
(浙江省, 杭州, 中国 …) after the previous delimiter — the leftmost one that gives an acceptable name, so
"吉林省科学技术协会所属的吉林省计算机学会" yields 吉林省计算机学会; without one, the text after the
delimiter minus leading function words (其中, 在, 由 …). Candidates that are not social organizations
(government bodies, companies, 该协会 …) are dropped, and so is a name that only introduces one of its
branches (…研究院华东分院, …协会秘书处, …协会新媒体专业委员会): the text speaks of the branch.
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
# Branches (分支机构) and offices of an organization: "X研究院华东分院" speaks of the branch, not of X. The
# branch's own name in between is a few characters with no function words ("X关于部分会员…" is no branch).
_BRANCH_AFTER = re.compile(
    rf"(?:(?!关于|部分|对于|[及和与的等为在是将])[{HAN}]){{0,8}}?"
    r"(?:分院|分会|分所|分中心|专业委员会|专委会|工作委员会|秘书处|办事处|代表处|分公司)"
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


def _region_starts(text: str, lo: int, hi: int):
    index = division_index()
    beginnings = index.beginnings
    for pos in range(lo, hi):
        if text[pos:pos + 2] not in beginnings:
            continue
        rest = text[pos:hi]
        if rest.startswith(NATIONAL_PREFIXES) or index.region_of(rest) is not None:
            yield pos


def _name_at(text: str, lo: int, suffix: re.Match) -> int | None:
    """Where the accepted name ending at ``suffix`` starts: the leftmost region start that gives one, else (no
    region named at all) from the clause start minus leading function words."""
    any_region = False
    for start in _region_starts(text, lo, suffix.start()):
        any_region = True
        name = text[start:suffix.end()]
        if is_social_organization(name):
            return start
    if any_region:
        return None
    lead = _LEADING_WORDS.match(text, lo)
    start = lead.end() if lead else lo
    return start if is_social_organization(text[start:suffix.end()]) else None


# Suffixes that make a name of organizations out of a name of organizations (商会联合会, 协会联合会).
_FEDERATING_SUFFIXES = ("联合会", "总会", "联盟", "促进会")


def find_org_names(text: str) -> list[NameSpan]:
    spans: list[NameSpan] = []
    floor = 0
    for m in _SUFFIX.finditer(text):
        if m.start() < floor:
            continue
        # "芜湖市异地商会联合会", "X协会联合会": a suffix right after a suffix belongs to one longer name.
        while (longer := _SUFFIX.match(text, m.end())) is not None:
            m = longer if longer.group(0) in _FEDERATING_SUFFIXES else m
            if m is not longer:
                break
        lo = _left_limit(text, m.start(), floor)
        start = _name_at(text, lo, m)
        if start is None:
            continue
        floor = m.end()
        if _BRANCH_AFTER.match(text, m.end()):
            continue
        spans.append(NameSpan(start, m.end(), text[start:m.end()]))
    return spans
