"""Extract organizations, membership roles, grades, events, claimed counts and statistics from an article.

Pure: an :class:`Article` in, an :class:`Extraction` out. The work is split by subject:

* :mod:`parsers.identity` — which organization each mention is (full names, short forms, 市… in context,
  abbreviations, 该协会/本会);
* :mod:`parsers.roles` — roles in running text, clause by clause; :mod:`parsers.lists` — roles, grades and
  registrations laid out one organization per paragraph (headings, tables, labelled lines);
* :mod:`parsers.grades`, :mod:`parsers.registrations`, :mod:`parsers.events`, :mod:`parsers.counts`.

This module walks the sentences in order and keeps the context they share:

* **federation**: named in the clause (``任X理事单位``), else the organization the text last showed
  holding a meeting (``X第二届会员大会``, ``X召开…理事会``, ``在X成立大会上``) or taking members
  (``加入X``), else the organization the article is about;
* **dates**: a membership is valid from the date of the meeting it was decided at (``X成立大会5月9日召开``),
  the year taken from the publish date; else from the publish date. An event carries the date the text
  states, or none;
* **counts**: ``浙江共有20家…成为首批会员`` and ``3家单位任理事单位`` are kept with their wording, then
  checked in :mod:`parsers.checks`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date

from .checks import check_counts
from .counts import cn_number, count_mentions
from .dates import resolve_date
from .events import membership_ends
from .grades import grade_of_row, grade_statements
from .identity import HOLDS_MEETING, Mention, resolve_names
from .lists import heading_of, list_rows, row_role
from .model import (
    Article,
    CountClaim,
    Event,
    Extraction,
    Grade,
    MembershipClaim,
    MembershipEnd,
    Resolution,
    Statistic,
)
from .normalize import normalize_organization, org_id_for
from .regions import division_index
from .registrations import registrations
from .repair import surface_text
from .roles import ROLE, ROLE_RANKS, role_lists, within

__all__ = ["ROLE_RANKS", "current_memberships", "extract"]

_NUMBER = r"(\d+|[一二两三四五六七八九十百]+)"
_APPROX_BEFORE = r"(近|约|逾|超过|将近|大约)?"
_APPROX_AFTER = r"(余|多)?"
_MEMBER_COUNT = re.compile(
    r"(?:共有|共计|总计|合计|共)?" + _APPROX_BEFORE + _NUMBER + _APPROX_AFTER + r"家[^，。；]{0,20}?(?:成为|加入|入会|当选)"
)
_TAKES_MEMBERS = re.compile(r"(?:加入|申请加入|入会)$")
_MEETING = re.compile(r"成立大会|会员大会|会员代表大会|代表大会|理事会|大会|会议")
_FOUNDED = re.compile(r"成立大会|正式成立|宣告成立|揭牌成立|成立$|在\S{1,4}成立")
_EARLIER = re.compile(r"此前|曾经|曾被|曾获|以前|(?<!\d)(?:19|20)\d\d\s*年(?!\s*\d{1,2}\s*月|度)")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_CLAUSE_END = re.compile(r"(?<=[；;])")
_STAT_CUE = re.compile(r"据统计|统计显示|截至|截止")
_STAT_VALUE = re.compile(r"(\d+(?:\.\d+)?)\s*(家|名|个|人|%|％|万)")
_AS_OF = re.compile(r"(?:截至|截止)\s*(\d{4})\s*年\s*(?:(\d{1,2})\s*月)?\s*(?:(\d{1,2})\s*日)?")


@dataclass
class _Sentence:
    text: str  # repaired
    surface: str  # same span in the page's own script
    paragraph: int
    offset: int  # where the sentence starts in its paragraph


def _sentences(article: Article) -> list[_Sentence]:
    out = []
    for index, (text, original) in enumerate(zip(article.paragraphs, article.paragraphs_original)):
        surface = surface_text(original)
        aligned = len(surface) == len(text)
        pos = 0
        for piece in _SENTENCE_END.split(text):
            if piece.strip():
                out.append(_Sentence(piece, surface[pos:pos + len(piece)] if aligned else piece, index, pos))
            pos += len(piece)
    return out


@dataclass
class _Facts:
    """What the sentences state, by canonical name, before organizations get their ids."""

    claims: list[tuple] = field(default_factory=list)  # org, role, federation, date, evidence, paragraph
    ends: list[tuple] = field(default_factory=list)  # org, federation, date, wording, evidence
    grades: list[tuple] = field(default_factory=list)  # org, grade, previous grade, date, evidence
    counts: list[CountClaim] = field(default_factory=list)
    heading_counts: list[tuple[CountClaim, int]] = field(default_factory=list)  # ("理事单位（共8家）：", paragraph)


def extract(article: Article) -> Extraction:
    sentences = _sentences(article)
    published = article.published_at.date() if article.published_at else None
    names = resolve_names([s.text for s in sentences], article.title or "", article.source_name)
    mentions = names.mentions
    surfaces: dict[str, set[str]] = {}
    for sentence, found in zip(sentences, mentions):
        for m in found:
            if m.surface is not None:
                surfaces.setdefault(m.name, set()).add(sentence.surface[m.start:m.end])

    rows = list_rows(article.paragraphs, _by_paragraph(sentences, mentions, len(article.paragraphs)))
    facts = _read(sentences, mentions, names.subject, rows, published)
    regs, identifiers, code_findings = registrations(
        article.title or "", [(s.text, s.paragraph) for s in sentences], mentions, article.paragraphs, rows, published)
    events = _founded(sentences, mentions, published) + [
        (r.org_name, r.kind, r.on, r.evidence, r.new_name, r.authority, r.credit_code) for r in regs]

    # Everything a fact refers to is an organization of the article, even when only a reference named it.
    for name in [c[0] for c in facts.claims] + [c[2] for c in facts.claims] + [e[0] for e in facts.ends] + \
            [e[1] for e in facts.ends] + [g[0] for g in facts.grades] + [e[0] for e in events] + \
            [e[4] for e in events if e[4]]:
        surfaces.setdefault(name, set())
    code_evidence = _code_evidence(identifiers, regs)
    merged = _same_code(identifiers, {(e[0], e[4]) for e in events if e[1] == "renamed"})
    resolutions = list(names.resolutions)
    for other, target in merged.items():
        surfaces.setdefault(target, set()).update(surfaces.pop(other, set()) | {other})
        resolutions.append(Resolution(org_id_for(target), target, other, "credit_code",
                                      next(e for o, _, e in code_evidence if o == other)))
    one = lambda name: merged.get(name, name)  # noqa: E731  (the name a credit code says it is)
    orgs = {name: normalize_organization(name, tuple(forms)) for name, forms in surfaces.items()}
    oid = lambda name: orgs[one(name)].org_id  # noqa: E731

    extraction = Extraction(
        article=article,
        organizations=sorted(orgs.values(), key=lambda o: (o.level != "national", o.name)),
        claims=_unique([MembershipClaim(oid(o), one(o), role, oid(f), one(f), when, evidence)
                        for o, role, f, when, evidence, _ in facts.claims if one(o) != one(f)]),
        ends=_unique([MembershipEnd(oid(o), one(o), oid(f), one(f), when, wording, evidence)
                      for o, f, when, wording, evidence in facts.ends], key=lambda e: (e.org_id, e.federation_id)),
        events=[Event(oid(subject), one(subject), kind, on, evidence, new_name, oid(new_name) if new_name else None,
                      authority, code)
                for subject, kind, on, evidence, new_name, authority, code in events],
        counts=[_resolve_member_count(c, facts.claims) for c in facts.counts]
        + _resolve_heading_counts(facts.heading_counts, rows),
        statistics=_statistics(sentences),
        grades=_unique([Grade(oid(o), one(o), grade, previous, when, evidence)
                        for o, grade, previous, when, evidence in facts.grades],
                       key=lambda g: (g.org_id, g.grade, g.previous_grade, g.on)),
        credit_codes=list(dict.fromkeys((oid(o), code, evidence) for o, code, evidence in code_evidence)),
        resolutions=resolutions,
    )
    extraction.findings = check_counts(extraction) + code_findings
    return extraction


def _read(sentences: list[_Sentence], mentions: list[list[Mention]], subject: str | None, rows,
          published: date | None) -> _Facts:
    """Roles, ends, grades and counts, sentence by sentence and clause by clause, with the federation
    and the meeting dates the text has set up so far."""
    facts = _Facts()
    rows_at = {row.paragraph: row for row in rows}
    meeting_dates = _meeting_dates(sentences, mentions, published)
    current: str | None = None  # the federation the text last showed deciding things
    for sentence, found in zip(sentences, mentions):
        text = sentence.text
        holders = _holders(text, found)
        sentence_date = resolve_date(text, published)
        covered_values: set[int] = set()  # counts already taken with a role list or a member total
        starts = [m.start for m in found]
        holder_starts = [h.start for h in holders]
        for clause_start, clause in _clauses(text):
            clause_mentions = [Mention(m.start - clause_start, m.end - clause_start, m.name, m.surface, m.method)
                               for m in within(found, starts, clause_start, clause_start + len(clause))]
            last_holder = bisect_left(holder_starts, clause_start + len(clause)) - 1
            federation = holders[last_holder].name if last_holder >= 0 else (current or subject)
            when_clause = resolve_date(clause, published)
            for listing in role_lists(clause, clause_mentions, federation):
                when = when_clause or meeting_dates.get(listing.federation) or published
                if listing.negated:
                    facts.ends += [(org, listing.federation, when, "不再担任" + listing.role, text)
                                   for org in listing.members]
                    continue
                facts.claims += [(org, listing.role, listing.federation, when, text, sentence.paragraph)
                                 for org in listing.members]
                if listing.count is not None:
                    facts.counts.append(_role_count(listing.count, listing.role, listing.federation,
                                                    list(listing.members), text))
                    covered_values.add(facts.counts[-1].value)
            for org, fed, wording in membership_ends(clause, clause_mentions, federation):
                facts.ends.append((org, fed, when_clause or meeting_dates.get(fed) or published, wording, text))
            for statement in grade_statements(clause, clause_mentions):
                # "此前，该协会于2018年被评为4A级": an earlier grade with no day to date it by.
                earlier = _EARLIER.search(clause) and not when_clause
                when = None if earlier else (when_clause or sentence_date or published)
                facts.grades.append((statement.org_name, statement.grade, statement.previous_grade, when, text))
        if holders:
            current = holders[-1].name
        federation = current or subject
        member_count = _MEMBER_COUNT.search(text)
        if member_count and federation and not ROLE.search(text):
            facts.counts.append(_pending_member_count(member_count, federation, sentence))
            covered_values.add(facts.counts[-1].value)
        row = rows_at.get(sentence.paragraph)
        if row is not None and sentence.offset == 0:
            _row_facts(row, federation, meeting_dates, published, facts)
        heading_role = _heading_role(text, found)
        for c in count_mentions(text, {m.end for m in found if m.surface is not None}):
            if c.value not in covered_values:
                claim = _generic_count(c, text, federation, heading_role)
                if heading_role:
                    facts.heading_counts.append((claim, sentence.paragraph))
                else:
                    facts.counts.append(claim)
    return facts


def _by_paragraph(sentences: list[_Sentence], mentions: list[list[Mention]], count: int) -> list[list[Mention]]:
    """Mentions per paragraph, with positions within the paragraph."""
    out: list[list[Mention]] = [[] for _ in range(count)]
    for sentence, found in zip(sentences, mentions):
        out[sentence.paragraph] += [Mention(m.start + sentence.offset, m.end + sentence.offset, m.name, m.surface,
                                            m.method) for m in found]
    return out


def _holders(text: str, found: list[Mention]) -> list[Mention]:
    """Organizations the sentence shows holding a meeting or taking members."""
    return [m for m in found if HOLDS_MEETING.match(text, m.end) or _TAKES_MEMBERS.search(text, max(0, m.start - 4),
                                                                                           m.start)]


def _meeting_dates(sentences: list[_Sentence], mentions: list[list[Mention]], published) -> dict[str, object]:
    """The date of the meeting each organization held, for the valid-from date of what it decided."""
    dates: dict[str, object] = {}
    for sentence, found in zip(sentences, mentions):
        when = resolve_date(sentence.text, published)
        if when is None or not found:
            continue
        for holder in _holders(sentence.text, found):
            dates.setdefault(holder.name, when)
        if _MEETING.search(sentence.text):
            dates.setdefault(found[0].name, when)
    return dates


def _founded(sentences, mentions, published) -> list[tuple]:
    """A founding is stated once per article; prefer the sentence that dates it."""
    founded = [(found[0].name, resolve_date(s.text, published), s.text)
               for s, found in zip(sentences, mentions) if found and _FOUNDED.search(s.text.rstrip("。"))]
    for subject, when, evidence in sorted(founded, key=lambda f: f[1] is None):
        return [(subject, "founded", when, evidence, None, None, None)]
    return []


def _row_facts(row, federation, meeting_dates, published, facts: _Facts) -> None:
    """Roles, ends and grades of one list item (a table row, a paragraph under a heading)."""
    fed = (row.heading.federation if row.heading and row.heading.federation else None) or federation
    name = row.mention.name
    evidence = " ".join([row.heading.text] if row.heading else []) or name
    when = meeting_dates.get(fed) or published
    role = row_role(row)
    if role and fed and fed != name:
        facts.claims.append((name, role, fed, when, f"{evidence} {name} {' '.join(row.cells)}".strip(),
                             row.paragraph))
    elif row.heading and row.heading.end_wording and fed and fed != name:
        facts.ends.append((name, fed, when, row.heading.end_wording, f"{evidence} {name}"))
    graded = grade_of_row(row.cells)
    if graded:
        facts.grades.append((name, graded[0], graded[1], published, f"{name} {' '.join(row.cells)}"))


def _heading_role(text: str, found: list[Mention]) -> str | None:
    if not text.rstrip().endswith(("：", ":")):
        return None
    heading = heading_of(text, found)
    return heading.role if heading else None


def _clauses(text: str):
    pos = 0
    for piece in _CLAUSE_END.split(text):
        if piece:
            yield pos, piece
        pos += len(piece)


def _unique(items: list, key=lambda x: x) -> list:
    seen, out = set(), []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


def _same_code(identifiers: list[tuple[str, str]], renamed: set[tuple[str, str]]) -> dict[str, str]:
    """Names that carry the same valid credit code in one article are one organization (the code is the
    strongest identity evidence); a rename already links its two names, so it is left alone."""
    first_by_code: dict[str, str] = {}
    merged: dict[str, str] = {}
    for name, code in identifiers:
        first = first_by_code.setdefault(code, name)
        if first != name and (first, name) not in renamed and (name, first) not in renamed:
            merged[name] = first
    return merged


def _code_evidence(identifiers, regs) -> list[tuple[str, str, str]]:
    evidence = {(r.org_name, r.credit_code): r.evidence for r in regs if r.credit_code}
    return [(name, code, evidence.get((name, code), "")) for name, code in identifiers]


def _role_count(m: re.Match, role: str, fed: str, members: list[str], evidence: str) -> CountClaim:
    approx_before, number, approx_after = m.group(2), m.group(3), m.group(4)
    return CountClaim(m.group(0).strip(), cn_number(number), bool(approx_before or approx_after),
                      f"role:{fed}:{role}", len(members), len(set(members)), evidence)


def _pending_member_count(m: re.Match, federation: str, sentence: _Sentence) -> CountClaim:
    approx_before, number, approx_after = m.group(1), m.group(2), m.group(3)
    # Include the subject before the number ("浙江共有20家") in the wording users see.
    start = m.start()
    while start > 0 and sentence.text[start - 1] not in "，。；：,;:":
        start -= 1
    wording = sentence.text[start:sentence.text.index("家", m.start()) + 1]
    return CountClaim(wording, cn_number(number), bool(approx_before or approx_after),
                      f"members:{federation}:{sentence.paragraph}", 0, 0, sentence.text)


def _generic_count(c, text: str, federation: str | None, heading_role: str | None) -> CountClaim:
    """A count outside a role list: a heading's (compared with the items listed under it), one closing a
    list of names (等10家 …), or a total ("现有会员单位110家"). Only the heading's is compared: the others
    count sets the text names only some of."""
    if heading_role:
        scope = f"role:{federation or ''}:{heading_role}"
    elif c.listed:
        scope = f"list:{federation or ''}"
    else:
        scope = f"total:{federation if federation and '会员' in text else ''}"
    return CountClaim(c.wording, c.value, c.approximate, scope, 0, 0, text)


def _resolve_heading_counts(heading_counts, rows) -> list[CountClaim]:
    """A heading's count ("理事单位（共8家）：") against the items listed under that heading."""
    out = []
    for claim, paragraph in heading_counts:
        items = [r.mention.name for r in rows if r.heading is not None and r.heading.paragraph == paragraph]
        out.append(CountClaim(claim.wording, claim.value, claim.approximate, claim.scope, len(items),
                              len(set(items)), claim.evidence))
    return out


def _resolve_member_count(claim: CountClaim, raw_claims) -> CountClaim:
    """A total such as '共有20家…成为首批会员' counts the listings that follow it in its paragraph."""
    if not claim.scope.startswith("members:"):
        return claim
    _, fed, paragraph = claim.scope.split(":")
    listed = [c[0] for c in raw_claims if c[2] == fed and c[5] == int(paragraph)]
    if not listed:
        listed = [c[0] for c in raw_claims if c[2] == fed]
    return CountClaim(claim.wording, claim.value, claim.approximate, f"members:{fed}", len(listed),
                      len(set(listed)), claim.evidence)


def _statistics(sentences: list[_Sentence]) -> list[Statistic]:
    stats: list[Statistic] = []
    as_of = region = None
    in_block = False
    for sentence in sentences:
        text = sentence.text
        if _STAT_CUE.search(text):
            in_block = True
            m = _AS_OF.search(text)
            as_of = _as_of(m) if m else None
            found = division_index().region_in_text(text)
            region = found.province if found else None
        elif not (in_block and text.startswith("其中")):
            in_block = False
            continue
        for clause in re.split(r"[，,；;。]", text):
            for value in _STAT_VALUE.finditer(clause):
                if _AS_OF.search(clause) and value.group(2) not in ("家", "名", "个", "人", "%", "％"):
                    continue
                stats.append(Statistic(clause.strip(), float(value.group(1)),
                                       "%" if value.group(2) == "％" else value.group(2), region, as_of, text))
    return stats


def _as_of(m: re.Match) -> str:
    year, month, day = m.groups()
    if month and day:
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    if month:
        return f"{int(year):04d}-{int(month):02d}"
    return f"{int(year):04d}"


def current_memberships(claims: list[MembershipClaim]) -> list[MembershipClaim]:
    """One claim per (organization, federation): the latest date, and for one date the highest role —
    the same rule the warehouse applies when it derives membership history."""
    best: dict[tuple[str, str], MembershipClaim] = {}
    for claim in claims:
        key = (claim.org_id, claim.federation_id)
        held = best.get(key)
        if held is None or (claim.valid_from or date.min, ROLE_RANKS.get(claim.role, 0)) > (
            held.valid_from or date.min, ROLE_RANKS.get(held.role, 0)
        ):
            best[key] = claim
    return list(best.values())
