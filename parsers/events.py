"""Explicit changes stated in a sentence: membership ends, renames and registration kinds. Pure.

Only explicit statements end things: 退出/退会/被取消会员资格/除名 end a membership, 注销登记 and
撤销登记 end an organization, 名称由A变更为B / A更名为B / A名称变更为B renames one (the organization
keeps its id). Absence from a later article never ends anything.
"""

from __future__ import annotations

import re

END_WORDS = re.compile(r"退出|退会|除名|取消(?:其|了)?(?:[^，。；]{0,20}?)(?:会员|理事|会籍)资格")
_RENAME = re.compile(r"(?:变更为|更名为|改名为|更改为)\s*[“\"‘「]?")
_BEFORE_RENAME = re.compile(r"\s*(?:[（(][^）)]{0,40}[）)])?\s*[”\"’」]?\s*[，,]?\s*(?:的?名称)?\s*")
# Registration kinds in the order they win when a sentence names more than one.
_REGISTRATION = (
    (re.compile(r"注销登记|注销日期|准予注销|予以注销|办理注销"), "deregistered"),
    (re.compile(r"撤销[^，。；]{0,25}?登记|撤销日期"), "revoked"),
    (re.compile(r"变更登记|变更日期"), "changed"),
    (re.compile(r"成立登记|登记成立|准予成立|核准成立|经[^，。；]{2,20}?登记"), "registered"),
)
# A heading or title that says which registrations a notice lists ("一、成立登记", "…注销登记的公告").
KIND_WORDS = re.compile(r"成立登记|注销登记|撤销[^，。；]{0,25}?登记|变更登记")


def membership_ends(text: str, mentions, federation: str | None) -> list[tuple[str, str, str]]:
    """(org, federation, wording) for each organization the text says leaves a federation."""
    m = END_WORDS.search(text)
    if not m:
        return []
    # "A申请退出X" names the federation right after the verb; otherwise it is the context's.
    after = [s for s in mentions if s.start >= m.end() and s.start - m.end() <= 2]
    fed = after[0].name if after else federation
    leavers = [s.name for s in mentions if s.end <= m.start() and s.name != fed]
    if not fed or not leavers:
        return []
    return [(name, fed, m.group(0)) for name in dict.fromkeys(leavers)]


def renames(text: str, mentions) -> list[tuple[str, str]]:
    """(old name, new name) for '名称由A变更为B', 'A更名为B' and 'A名称变更为B'."""
    found = []
    for m in _RENAME.finditer(text):
        before = [s for s in mentions if s.end <= m.start() and s.surface is not None
                  and _BEFORE_RENAME.fullmatch(text[s.end:m.start()])]
        after = [s for s in mentions if s.start == m.end() and s.surface is not None]
        if before and after and before[-1].name != after[0].name:
            found.append((before[-1].name, after[0].name))
    return found


def registration_kinds(text: str) -> list[tuple[str, int]]:
    """(kind, position of its wording) for each registration kind the text states, in the order of
    precedence (a 注销 notice mentioning 成立登记 is about the 注销)."""
    found = []
    for pattern, kind in _REGISTRATION:
        m = pattern.search(text)
        if m:
            found.append((kind, m.start()))
    return found


def kind_of_heading(text: str) -> str | None:
    """The registration kind a title or section heading announces."""
    m = KIND_WORDS.search(text)
    if not m:
        return None
    return registration_kinds(m.group(0))[0][0]
