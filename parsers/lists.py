"""Lists laid out one organization per paragraph: under a heading, in a table, as labelled lines. Pure.

The article parser keeps table cells, list items and line-broken lines as paragraphs of their own, so a
list is a run of paragraphs that each hold exactly one organization name ("items"), each followed by the
short cells of its row (a role, a grade, a credit code, a date, a remark) until the next item:

    副会长单位：            ← heading: the role of the items below it
    重庆市渝中区网络文化协会   ← item
    1 / 江苏省互联网协会 / 会长单位      ← table row: item, then its cells
    名称：厦门市网络公益基金会 / 统一社会信用代码：… / 登记日期：…   ← labelled lines

A heading is a short paragraph ending with a colon; it says what the list is (one role; or an end such
as 取消以下会员单位的会员资格). A paragraph that is only a role (``会长单位``) is a cell of the row above
it in a table, but a heading when it comes before the list's first item (then the list is laid out
role, its organizations, next role …). Ordinary prose ends the list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .events import END_WORDS
from .identity import Mention
from .roles import ROLE, role_of_cell

_ENUMERATOR = re.compile(r"^\s*(?:\d{1,3}\s*[、．.）)]|[（(]\s*[\d一二三四五六七八九十]{1,3}\s*[）)]|[一二三四五六七八九十]{1,3}\s*、)\s*")
_LABEL = re.compile(r"^(?:名称|单位名称|社会组织名称|组织名称)\s*[:：]\s*")
_TRAILING = "；;。，,、 "
_HEADING_MAX = 120
_CELL_MAX = 40
_MAX_CELLS = 10


@dataclass
class Heading:
    paragraph: int
    text: str
    role: str | None  # the one role the heading names
    end_wording: str | None  # 取消…会员资格 / 退出 …: the list is of organizations that leave
    federation: str | None  # named right before the role ("中国XX联合会理事单位名单：")


@dataclass
class Row:
    paragraph: int
    mention: Mention  # the item's organization (positions within its paragraph)
    cells: list[str] = field(default_factory=list)
    heading: Heading | None = None


def item_mention(text: str, mentions: list[Mention]) -> Mention | None:
    """The organization a paragraph consists of ("2．赣州市网络文化协会；", "名称：X"), else None."""
    start = 0
    enumerated = _ENUMERATOR.match(text)
    if enumerated:
        start = enumerated.end()
    labelled = _LABEL.match(text, start)
    if labelled:
        start = labelled.end()
    end = len(text.rstrip(_TRAILING))
    named = [m for m in mentions if m.surface is not None]
    if len(named) == 1 and named[0].start == start and named[0].end == end and len(mentions) == 1:
        return named[0]
    return None


def heading_of(text: str, mentions: list[Mention], paragraph: int = -1) -> Heading | None:
    stripped = text.strip()
    if not stripped.endswith(("：", ":")) or len(stripped) > _HEADING_MAX:
        return None
    roles = {m.group(0) for m in ROLE.finditer(stripped)}
    end = END_WORDS.search(stripped)
    role = next(iter(roles)) if len(roles) == 1 and not end else None
    federation = None
    if role:
        at = stripped.index(role)
        before = [m for m in mentions if m.end <= at and re.fullmatch(r"(?:的)?(?:第[一二三四五六七八九十\d]+届)?",
                                                                      stripped[m.end:at])]
        federation = before[-1].name if before else None
    return Heading(paragraph, stripped, role, end.group(0) if end else None, federation)


def list_rows(paragraphs: list[str], mentions: list[list[Mention]]) -> list[Row]:
    """The items of every list in an article, with their cells and the heading above them.
    ``mentions[i]`` are the mentions of paragraph ``i`` (positions within the paragraph)."""
    rows: list[Row] = []
    heading: Heading | None = None
    current: Row | None = None
    roles_head = False  # this list puts each role above its organizations
    for i, (text, found) in enumerate(zip(paragraphs, mentions)):
        new_heading = heading_of(text, found, i)
        role = role_of_cell(text) if new_heading is None else None
        if role and (current is None or roles_head):
            new_heading, roles_head = Heading(i, text.strip(), role, None, None), True
        if new_heading is not None:
            heading, current = new_heading, None
            continue
        mention = item_mention(text, found)
        if mention is not None:
            current = Row(i, mention, heading=heading)
            rows.append(current)
            continue
        # A sentence (ends like one, or is long) is prose, and prose ends the list; cells are short.
        short = len(text) <= _CELL_MAX and not text.rstrip().endswith(("。", "！", "？"))
        if not short:
            heading, current, roles_head = None, None, False  # prose ends the list
        elif current is not None and len(current.cells) < _MAX_CELLS:
            current.cells.append(text.strip())
    return rows


def row_role(row: Row) -> str | None:
    """The row's own role cell, else the heading's role."""
    for cell in row.cells:
        role = role_of_cell(cell)
        if role:
            return role
    return row.heading.role if row.heading else None
