"""Roles in a federation, as sentences state them. Pure.

Running text, clause by clause (a clause ends at ；):

* list before the verb: ``A任常务理事单位``, ``A、B当选为副会长单位``, ``A、B等16家单位任会员单位``,
  ``选举A为副会长单位``, ``增补A为理事单位``; the federation may be named between verb and role
  (``任中国XX联合会理事单位``); ``A、B分别当选为会长单位、副会长单位`` pairs them in order (and gives
  nothing when the counts differ);
* list after the role: ``副会长单位：A、B、C``, ``首批会员单位有A、B``;
* a role that heads no list (``由理事单位增补为常务理事单位``) is the old role: it leaves the list open
  for the next role;
* ``不再担任X`` is the end of that role — unless the same organizations take a new one in the clause
  (``不再担任副会长单位，改任常务理事单位``: a role change, the new role only); a verb without a list
  of its own continues the previous subject (``…，改任…``).

Lists under a heading (``理事单位（共8家）：`` then one organization per paragraph or list item) and
tables (one organization and its role per row) are read in :mod:`parsers.lists`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from .identity import Mention

# Role → rank. The higher rank wins when one organization is given two roles for the same date.
ROLE_RANKS = {
    "会长单位": 100,
    "执行会长单位": 96,
    "常务副会长单位": 95,
    "副会长单位": 90,
    "监事长单位": 85,
    "秘书长单位": 80,
    "主席单位": 100,
    "副主席单位": 90,
    "常务理事单位": 70,
    "监事单位": 60,
    "理事单位": 50,
    "会员单位": 10,
    "成员单位": 10,
}
ROLE = re.compile("|".join(sorted(ROLE_RANKS, key=len, reverse=True)))
_VERB_BEFORE_ROLE = re.compile(
    r"(?:当选为|当选|被选为|被推选为|推选为|选举为|增选为|增补为|调整为|升任|升为|晋升为|变更为|继续担任|改任|转任|"
    r"担任|成为|新任|任|为|是)"
    r"(?:第[一二三四五六七八九十\d]+届)?$"
)
_NEGATION = re.compile(r"(?:不再|不|未|停止)$")
_LIST_AFTER_ROLE = re.compile(r"^(?:有|为|是|包括|分别是|分别为|[:：])")
_NUMBER = r"(\d+|[一二两三四五六七八九十百]+)"
COUNT_BEFORE_VERB = re.compile(r"(等)?\s*(?:共)?(近|约|逾|超过|将近|大约)?" + _NUMBER + r"(余|多)?家(?:单位|社会组织|组织)?\s*$")
# Between a federation named before a role and the role: "X的理事单位", "X第二届理事会理事单位".
_FED_GAP = re.compile(r"(?:本会)?的?(?:第?[一二三四五六七八九十\d]{1,3}届)?(?:理事会|会员大会|会员代表大会|监事会)?的?")
# "A、B和C分别当选为会长单位、副会长单位和秘书长单位": the roles go to the members in order.
_RESPECTIVELY = re.compile(r"分别$")
_ROLE_SEPARATOR = re.compile(r"[、和及与，,\s]*")
# How far back from a role its verb, a negation and a count can start: keeps every search short, so a
# long run of role words without lists costs linear time.
_LOOK_BACK = 24


def within(mentions: list[Mention], starts: list[int], lo: int, hi: int) -> list[Mention]:
    """The mentions that lie inside [lo, hi) (``starts`` are their start positions, ascending)."""
    return [m for m in mentions[bisect_left(starts, lo):bisect_left(starts, hi)] if m.end <= hi]


@dataclass(frozen=True)
class RoleList:
    members: tuple[str, ...]
    role: str
    federation: str
    count: re.Match | None  # "3家单位" / "等16家单位" right before the verb
    negated: bool  # 不再担任X: the end of the role


def role_lists(clause: str, mentions: list[Mention], federation: str | None) -> list[RoleList]:
    """Each role mention in a clause with the organizations it is given to."""
    results: list[RoleList] = []
    if "单位" not in clause:  # every role ends in 单位: most clauses name none
        return results
    previous_end = 0
    previous_members: tuple[str, ...] = ()
    starts = [m.start for m in mentions]
    roles = list(ROLE.finditer(clause))
    skip_to = 0
    for i, role_match in enumerate(roles):
        if i < skip_to:
            continue
        role = role_match.group(0)
        fed = federation
        # "任中国XX联合会理事单位": the federation is named between the verb and the role.
        named_fed = [m for m in within(mentions, starts, previous_end, role_match.start())
                     if _FED_GAP.fullmatch(clause[m.end:role_match.start()])]
        region_end = named_fed[-1].start if named_fed else role_match.start()
        region_start = max(previous_end, region_end - _LOOK_BACK)
        if named_fed:
            fed = named_fed[-1].name
        verb = _VERB_BEFORE_ROLE.search(clause, region_start, region_end)
        next_start = roles[i + 1].start() if i + 1 < len(roles) else len(clause)
        after = clause[role_match.end():next_start]
        consumed_to = role_match.end()
        count = None
        negated = False
        if verb and _RESPECTIVELY.search(clause, max(previous_end, verb.start() - 4), verb.start()):
            members = tuple(dict.fromkeys(m.name for m in within(mentions, starts, previous_end, verb.start())
                                          if m.name != fed))
            paired = [role_match]
            while i + len(paired) < len(roles) and _ROLE_SEPARATOR.fullmatch(
                    clause, paired[-1].end(), roles[i + len(paired)].start()):
                paired.append(roles[i + len(paired)])
            skip_to = i + len(paired)
            if fed and len(paired) == len(members):
                results += [RoleList((m,), r.group(0), fed, None, False) for m, r in zip(members, paired)]
            previous_end = paired[-1].end()
            continue
        if verb:
            list_end = verb.start()
            negated = bool(_NEGATION.search(clause, max(previous_end, list_end - _LOOK_BACK), list_end))
            members = tuple(m.name for m in within(mentions, starts, previous_end, list_end))
            if not members and results:
                members = previous_members  # "A不再担任X，改任Y": Y's subject is A
            count = COUNT_BEFORE_VERB.search(clause, max(previous_end, list_end - _LOOK_BACK), list_end)
        elif _LIST_AFTER_ROLE.match(after):
            members = tuple(m.name for m in within(mentions, starts, role_match.end(), next_start))
            consumed_to = next_start
        else:
            members = ()
        members = tuple(dict.fromkeys(m for m in members if m != fed))
        if members and fed:
            results.append(RoleList(members, role, fed, count, negated))
            previous_end = consumed_to
            previous_members = members
    # A role given up and another taken in the same clause is a change of role, not an end.
    changed = {m for r in results if not r.negated for m in r.members}
    return [r if not r.negated else RoleList(tuple(m for m in r.members if m not in changed), r.role,
                                             r.federation, r.count, True)
            for r in results if not r.negated or any(m not in changed for m in r.members)]


def role_of_cell(text: str) -> str | None:
    """A table cell or heading that is only a role (会长单位, 理事单位：)."""
    stripped = text.strip().rstrip("：:；;。，,")
    return stripped if stripped in ROLE_RANKS else None
