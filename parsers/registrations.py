"""Registration events from civil-affairs notices and news: 成立登记, 变更登记 (更名 among them), 注销登记,
撤销登记 — with the date, the registration authority (登记管理机关) and the 统一社会信用代码. Pure.

Where the facts come from:

* a sentence that states the kind (``准予A成立登记``, ``A于…在X民政局登记成立``, ``名称由A变更为B``,
  ``注销日期：…``) — its organizations before the wording, or the organization a reference
  (``协会于12月20日经…核准成立登记``) stands for;
* an item of a notice (``1．A，统一社会信用代码：…，登记日期：…``; a table row; ``名称：A`` with labelled
  lines) — the kind is the section's (``一、成立登记``) or the notice title's;
* a collective sentence (``我厅于2019年11月5日决定撤销上述2个社会组织的登记``) — it dates the items
  before it.

The date is a labelled one (登记日期, 注销日期, 变更日期 …), else the item's own date, else none (the
text states none). The authority is the one named (``经X核准``, ``在X登记``, ``登记管理机关：X``), else the
notice's issuer (``X关于…的公告``, the signature; ``我厅`` is the issuer). A credit code is checked
(:mod:`parsers.uscc`); an invalid one is reported, never attached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from .counts import NUMBER, cn_number
from .dates import find_date
from .events import KIND_WORDS, kind_of_heading, registration_kinds, renames
from .identity import Mention
from .lists import Row
from .model import Finding
from .uscc import check_code, finding_detail, find_codes, is_code_cell

_AUTHORITY_NAME = r"[\u4e00-\u9fff]{0,16}?(?:民政厅|民政局|民政部|行政审批服务局|行政审批局)"
_AUTHORITY = re.compile(r"(?:经|在|由|向|报|登记管理机关\s*[:：为是]?)\s*(" + _AUTHORITY_NAME + r"|我厅|我局|本厅|本局)")
# The authority as the subject: "宁波市民政局依法撤销…的登记".
_AUTHORITY_ACTS = re.compile(r"(?:^|[，,。；;\s])((?![经在由向报])" + _AUTHORITY_NAME + r")\s*(?:依法|决定|已)?\s*"
                             r"(?:撤销|注销|核准|准予|批准|登记)")
_AUTHORITY_ALONE = re.compile(r"^\s*(" + _AUTHORITY_NAME + r")\s*$")
_TITLE_ISSUER = re.compile(r"^\s*(" + _AUTHORITY_NAME + r")(?=关于|社会组织|公告|[（(]|\s)")
_DATE_LABEL = re.compile(r"(?:变更登记日期|登记日期|注销日期|撤销日期|变更日期|成立日期|核准日期)\s*[:：为是]?\s*")
_COLLECTIVE = re.compile(r"上述|以上|下列|前述")
_COUNTED = re.compile(r"(?:上述|以上|前述)\s*" + NUMBER + r"\s*[个家]")
# Words without which a sentence states no registration fact (a cheap test before the patterns).
_CUE = re.compile(r"登记|代码|变更|更名|改名|注销|撤销|日期")
_SECTION = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、．.]|\d{1,2}\s*[、．.])?\s*(" + KIND_WORDS.pattern + r")\s*[:：]?\s*$")


@dataclass(frozen=True)
class Registration:
    org_name: str
    kind: str  # registered | changed | renamed | deregistered | revoked
    on: date | None
    authority: str | None
    credit_code: str | None  # only a valid one
    evidence: str
    new_name: str | None = None


@dataclass
class _Item:
    org: str
    kind: str | None
    on: date | None
    labelled: bool  # the date came from a label or a date cell
    authority: str | None
    codes: list[str]
    evidence: str
    new_name: str | None = None
    paragraph: int = -1


def issuer_of(title: str, paragraphs: list[str]) -> str | None:
    """The civil-affairs body a notice is from: named at the start of its title, else its signature."""
    m = _TITLE_ISSUER.match(title or "")
    if m:
        return m.group(1)
    for text in reversed(paragraphs[-4:]):
        m = _AUTHORITY_ALONE.match(text)
        if m:
            return m.group(1)
    return None


def _authority(text: str, issuer: str | None) -> str | None:
    """The registration authority a text names: "经X核准", "在X登记", "登记管理机关：X", "X依法撤销…"."""
    m = _AUTHORITY.search(text) or _AUTHORITY_ACTS.search(text)
    if not m:
        return None
    return issuer if m.group(1) in ("我厅", "我局", "本厅", "本局") else m.group(1)


def _labelled_date(text: str, published: date | None) -> date | None:
    m = _DATE_LABEL.search(text)
    return find_date(text[m.end():m.end() + 16], published) if m else None


def registrations(title: str, sentences: list[tuple[str, int]], mentions: list[list[Mention]],
                  paragraphs: list[str], rows: list[Row], published: date | None
                  ) -> tuple[list[Registration], list[tuple[str, str]], list[Finding]]:
    """Registration events; every valid (organization, credit code) the text gives; findings for invalid
    codes. ``sentences`` are (text, paragraph index) in reading order, ``mentions`` theirs."""
    issuer = issuer_of(title, paragraphs)
    notice_kind = kind_of_heading(title) if issuer else None
    section_by_paragraph = _sections(paragraphs, notice_kind)
    rows_by_paragraph = {row.paragraph: row for row in rows}
    items: list[_Item] = []
    subjects_seen: dict[str, None] = {}  # each sentence's first organization, in order (notice subjects)
    loose: list[tuple[str, str]] = []  # (code, sentence) printed where no organization is named
    previous_paragraph = -1

    for (text, paragraph), found in zip(sentences, mentions):
        first_of_paragraph, previous_paragraph = paragraph != previous_paragraph, paragraph
        section = section_by_paragraph[paragraph]
        row = rows_by_paragraph.get(paragraph)
        if row is not None and first_of_paragraph:
            item = _row_item(row, section, issuer, paragraphs, published)
            if item:
                items.append(item)
            continue
        named = [m for m in found if m.surface is not None or m.method == "reference"]
        if named and named[0].surface is not None:
            subjects_seen.setdefault(named[0].name)
        if not _CUE.search(text):
            if named and section and len(text) <= 40:
                # "河南省数字经济促进会。统一社会信用代码：…。变更日期：…。": the item's name on its own.
                items.append(_Item(named[0].name, None, None, False, None, [], text, None, paragraph))
            continue
        kinds = registration_kinds(text)
        codes = find_codes(text)
        labelled = _labelled_date(text, published)
        if not named:
            collective = _COLLECTIVE.search(text)
            if kinds and collective:
                _apply_collective(items, list(subjects_seen), text, kinds[0][0], published, issuer, notice_kind,
                                  paragraph)
            elif items and items[-1].paragraph == paragraph and (codes or labelled or kinds):
                # "A…。统一社会信用代码：…。注销日期：…。": the item goes on in the next sentences.
                last = items[-1]
                last.codes += [code for _, code in codes]
                if labelled and not last.labelled:
                    last.on, last.labelled = labelled, True
                last.kind = last.kind or (kinds[0][0] if kinds else section if (codes or labelled) else None)
                last.authority = last.authority or _authority(text, issuer)
                last.evidence += text
            else:
                loose += [(code, text) for _, code in codes]
            continue
        renamed = renames(text, named)
        if renamed:
            kind = "renamed"
        elif kinds:
            kind = kinds[0][0]
        elif (codes or labelled) and section:
            kind = section
        elif codes or (section and len(text) <= 40):
            kind = None  # a code outside any registration (identity evidence only), or an item's name
        else:
            continue
        when = labelled or find_date(text, published)
        authority = _authority(text, issuer)
        if renamed:
            subjects = [(old, new) for old, new in renamed]
        elif kinds:
            before = [m.name for m in named if m.end <= kinds[0][1]]
            subjects = [(name, None) for name in dict.fromkeys(before or [named[0].name])]
        else:
            subjects = [(named[0].name, None)]
        for org, new_name in subjects:
            own = [code for pos, code in codes if _owner(named, pos, renamed) == org]
            items.append(_Item(org, kind, when, labelled is not None, authority, own, text, new_name, paragraph))

    events, identifiers, findings = _merge(items, issuer)
    for code, text in loose:
        check = check_code(code)
        if not check.valid:
            findings.append(Finding("invalid_credit_code", finding_detail(code, "(no organization named)",
                                                                          check.problem), text))
    return events, identifiers, findings


def _row_item(row: Row, section: str | None, issuer: str | None, paragraphs: list[str],
              published: date | None) -> _Item | None:
    """A table row or labelled block of a registration notice: its code, date and authority cells."""
    codes = [c for cell in row.cells for c in ([cell] if is_code_cell(cell) else [c for _, c in find_codes(cell)])]
    dates = [d for d in (find_date(cell, published) for cell in row.cells) if d is not None]
    if not section or not (codes or dates):
        return None
    authority = next((a for a in (_authority(cell, issuer) for cell in row.cells) if a), None)
    evidence = " ".join([paragraphs[row.paragraph], *row.cells])
    return _Item(row.mention.name, section, dates[0] if dates else None, bool(dates), authority, codes, evidence,
                 None, row.paragraph)


def _apply_collective(items: list[_Item], subjects: list[str], text: str, kind: str, published: date | None,
                      issuer: str | None, notice_kind: str | None, paragraph: int) -> None:
    """"我厅于2019年11月5日决定撤销上述2个社会组织的登记": the kind, date and authority of the items
    before it. When it counts them and the notice named exactly that many organizations, those are
    its items even where no code or date marked them as such."""
    when, authority = find_date(text, published), _authority(text, issuer)
    counted = _COUNTED.search(text)
    if counted and cn_number(counted.group(1)) == len(subjects):
        known = {i.org for i in items}
        items += [_Item(org, None, None, False, None, [], text, None, paragraph)
                  for org in subjects if org not in known]
    for item in items:
        if item.kind in (None, kind) or item.kind == notice_kind:
            item.kind = kind
            item.on = item.on or when
            item.authority = item.authority or authority


def _owner(named: list[Mention], position: int, renamed) -> str | None:
    """The organization a code printed at ``position`` belongs to: the one named last before it (the
    old name when the sentence renames: the code stays with the organization)."""
    if renamed:
        return renamed[0][0]
    before = [m.name for m in named if m.end <= position]
    return before[-1] if before else None


def _sections(paragraphs: list[str], notice_kind: str | None) -> list[str | None]:
    """The registration kind in force at each paragraph: the notice's, changed by section headings."""
    out, kind = [], notice_kind
    for text in paragraphs:
        m = _SECTION.match(text)
        if m:
            kind = kind_of_heading(m.group(1))
        elif kind_of_heading(text) and _COLLECTIVE.search(text) and text.rstrip().endswith(("：", ":")):
            kind = kind_of_heading(text)  # "准予下列3个社会组织注销登记，现予公告："
        out.append(kind)
    return out


def _merge(items: list[_Item], issuer: str | None) -> tuple[list[Registration], list[tuple[str, str]], list[Finding]]:
    merged: dict[tuple, _Item] = {}
    identifiers: dict[tuple[str, str], None] = {}
    findings: dict[str, Finding] = {}
    for item in items:
        valid = []
        for code in dict.fromkeys(item.codes):
            check = check_code(code)
            if check.valid:
                valid.append(code)
                identifiers[(item.org, code)] = None
            else:
                findings.setdefault(code, Finding("invalid_credit_code", finding_detail(code, item.org, check.problem),
                                                  item.evidence))
        if item.kind is None:
            continue
        item = replace(item, codes=valid)
        key = (item.org, item.kind, item.new_name)
        held = merged.get(key)
        if held is None:
            merged[key] = item
            continue
        # One event told in several places: a labelled date beats a sentence's, named facts beat none.
        if item.on and (held.on is None or (item.labelled and not held.labelled)):
            held.on, held.labelled = item.on, item.labelled
        held.authority = held.authority or item.authority
        held.codes = held.codes or item.codes
    # A code identifies the organization, not one event: an event told without it gets the code the
    # article gives the organization elsewhere ("该协会（统一社会信用代码：…）").
    codes_of: dict[str, list[str]] = {}
    for org, code in identifiers:
        codes_of.setdefault(org, []).append(code)
    for item in merged.values():
        item.codes = item.codes or codes_of.get(item.org, [])[:1]
    # A notice "关于A等2家社会组织变更登记" whose item renames A: the 变更登记 is the rename.
    renamed_on = {(i.org, i.on) for i in merged.values() if i.kind == "renamed"}
    renamed_orgs = {org for org, _ in renamed_on}
    merged = {k: i for k, i in merged.items()
              if not (i.kind == "changed" and i.org in renamed_orgs and (i.on is None or (i.org, i.on) in renamed_on))}
    events = [Registration(i.org, i.kind, i.on, i.authority or issuer, i.codes[0] if i.codes else None,
                           i.evidence, i.new_name) for i in merged.values()]
    return events, list(identifiers), list(findings.values())
