"""Explicit changes stated in a sentence: membership ends and registration events. Pure.

Only explicit statements end things: 退出/退会/被取消会员资格/除名 end a membership, 注销登记 and
撤销登记 end an organization, 名称由A变更为B / A更名为B renames one (the organization keeps its id).
Absence from a later article never ends anything.
"""

from __future__ import annotations

import re

from .names import NameSpan

_END = re.compile(r"退出|退会|除名|取消(?:其|了)?(?:[^，。；]{0,20}?)(?:会员|理事|会籍)资格")
_RENAME = re.compile(r"[”\"’」]?\s*(?:变更为|更名为|改名为|更改为)\s*[“\"‘「]?")
_RENAME_LEAD = re.compile(r"(?:名称)?由\s*[“\"‘「]?$")
_REGISTRATION = (
    (re.compile(r"注销登记"), "deregistered"),
    (re.compile(r"撤销登记"), "revoked"),
    (re.compile(r"成立登记"), "registered"),
)


def membership_ends(text: str, spans: list[NameSpan], federation: str | None) -> list[tuple[str, str, str]]:
    """(org, federation, wording) for each organization the text says leaves a federation."""
    m = _END.search(text)
    if not m:
        return []
    # "A申请退出X" names the federation right after the verb; otherwise it is the context's.
    after = [s for s in spans if s.start >= m.end() and s.start - m.end() <= 2]
    fed = after[0].name if after else federation
    leavers = [s.name for s in spans if s.end <= m.start() and s.name != fed]
    if not fed or not leavers:
        return []
    return [(name, fed, m.group(0)) for name in dict.fromkeys(leavers)]


def renames(text: str, spans: list[NameSpan]) -> list[tuple[str, str]]:
    """(old name, new name) for '名称由A变更为B' and 'A更名为B'."""
    found = []
    for m in _RENAME.finditer(text):
        before = [s for s in spans if s.end <= m.start() and m.start() - s.end <= 1]
        after = [s for s in spans if s.start >= m.end() and s.start - m.end() <= 1]
        if before and after and before[-1].name != after[0].name:
            found.append((before[-1].name, after[0].name))
    return found


def registration_kinds(text: str) -> list[str]:
    return [kind for pattern, kind in _REGISTRATION if pattern.search(text)]
