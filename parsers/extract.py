"""Extract organizations, membership roles, events, claimed counts and statistics from an article.

Pure: an :class:`Article` in, an :class:`Extraction` out. Works sentence by sentence on the repaired text:

* **roles**: ``A、B等16家单位任会员单位`` / ``当选为副会长单位`` (list before the verb) and
  ``副会长单位：A、B、C`` / ``首批会员单位有A、B`` (list after the role);
* **federation**: named in the clause (``任X理事单位``), else the organization the text last talked about
  as a body that holds a congress or takes members (``在X成立大会上``, ``加入X``), else the title's;
* **dates**: a membership is valid from the date of the meeting it was decided at (``X成立大会5月9日召开``),
  the year taken from the publish date; else from the publish date;
* **counts**: ``浙江共有20家…成为首批会员`` and ``3家单位任理事单位`` are kept with their wording, then
  checked in :mod:`parsers.checks`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .checks import check_counts
from .dates import resolve_date
from .events import membership_ends, registration_kinds, renames
from .model import (
    Article,
    CountClaim,
    Event,
    Extraction,
    MembershipClaim,
    MembershipEnd,
    Organization,
    Statistic,
)
from .names import NameSpan, find_org_names
from .normalize import normalize_organization
from .regions import division_index
from .repair import surface_text

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
_ROLE = re.compile("|".join(sorted(ROLE_RANKS, key=len, reverse=True)))
_VERB_BEFORE_ROLE = re.compile(
    r"(?:当选为|当选|被选为|被推选为|增补为|调整为|升任|升为|晋升为|变更为|继续担任|担任|成为|新任|任|为)"
    r"(?:第[一二三四五六七八九十\d]+届)?$"
)
_LIST_AFTER_ROLE = re.compile(r"^(?:有|为|是|包括|分别是|分别为|[:：])")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUMBER = r"(\d+|[一二两三四五六七八九十百]+)"
_APPROX_BEFORE = r"(近|约|逾|超过|将近|大约)?"
_APPROX_AFTER = r"(余|多)?"
_COUNT_BEFORE_VERB = re.compile(r"(等)?\s*(?:共)?" + _APPROX_BEFORE + _NUMBER + _APPROX_AFTER + r"家(?:单位|社会组织|组织)?\s*$")
_MEMBER_COUNT = re.compile(
    r"(?:共有|共计|总计|合计|共)?" + _APPROX_BEFORE + _NUMBER + _APPROX_AFTER + r"家[^，。；]{0,20}?(?:成为|加入|入会|当选)"
)
# Sentences that make an organization the federation of what follows.
_FEDERATION_CONTEXT = re.compile(r"成立大会|会员大会|会员代表大会|代表大会|理事会|入会|加入|成立|首批会员|会员单位")
_MEETING = re.compile(r"成立大会|会员大会|会员代表大会|代表大会|理事会|大会|会议")
_FOUNDED = re.compile(r"成立大会|正式成立|宣告成立|成立$|在\S{1,4}成立")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_CLAUSE_END = re.compile(r"(?<=[；;])")
_STAT_CUE = re.compile(r"据统计|统计显示|截至|截止")
_STAT_VALUE = re.compile(r"(\d+(?:\.\d+)?)\s*(家|名|个|人|%|％|万)")
_AS_OF = re.compile(r"(?:截至|截止)\s*(\d{4})\s*年\s*(?:(\d{1,2})\s*月)?\s*(?:(\d{1,2})\s*日)?")


def _cn_number(token: str) -> int:
    if token.isdigit():
        return int(token)
    total, current = 0, 0
    for ch in token:
        if ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            current = _CN_DIGITS[ch]
    return total + current


@dataclass
class _Sentence:
    text: str  # repaired
    surface: str  # same span in the page's own script
    paragraph: int


def _sentences(article: Article) -> list[_Sentence]:
    out = []
    for index, (text, original) in enumerate(zip(article.paragraphs, article.paragraphs_original)):
        surface = surface_text(original)
        aligned = len(surface) == len(text)
        pos = 0
        for piece in _SENTENCE_END.split(text):
            if piece.strip():
                out.append(_Sentence(piece, surface[pos:pos + len(piece)] if aligned else piece, index))
            pos += len(piece)
    return out


class _Collector:
    """Organizations seen in the article, keyed by canonical name, with their surface forms."""

    def __init__(self) -> None:
        self.surfaces: dict[str, set[str]] = {}

    def add(self, span: NameSpan, sentence: _Sentence) -> str:
        self.surfaces.setdefault(span.name, set()).add(sentence.surface[span.start:span.end])
        return span.name

    def organizations(self) -> dict[str, Organization]:
        return {name: normalize_organization(name, tuple(forms)) for name, forms in self.surfaces.items()}


def extract(article: Article) -> Extraction:
    sentences = _sentences(article)
    published = article.published_at.date() if article.published_at else None
    names = _Collector()
    spans_by_sentence = []
    for sentence in sentences:
        spans = find_org_names(sentence.text)
        for span in spans:
            names.add(span, sentence)
        spans_by_sentence.append(spans)
    title_spans = find_org_names(article.title or "")
    for span in title_spans:
        names.surfaces.setdefault(span.name, set())

    meeting_dates, events = _meetings_and_events(sentences, spans_by_sentence, published)
    raw_claims: list[tuple[str, str, str, object, str, int]] = []  # org, role, fed, date, evidence, paragraph
    raw_ends: list[tuple[str, str, object, str, str]] = []  # org, fed, date, wording, evidence
    counts: list[CountClaim] = []
    federation = _title_federation(article, title_spans)
    for sentence, spans in zip(sentences, spans_by_sentence):
        context = [s for s in spans if _FEDERATION_CONTEXT.search(sentence.text)]
        listed_roles = bool(_ROLE.search(sentence.text))
        if context and not listed_roles:
            federation = context[0].name
        for clause_start, clause in _clauses(sentence.text):
            clause_spans = [
                NameSpan(s.start - clause_start, s.end - clause_start, s.name)
                for s in spans
                if clause_start <= s.start < clause_start + len(clause)
            ]
            for org, role, fed, count in _role_lists(clause, clause_spans, federation):
                when = resolve_date(clause, published) or meeting_dates.get(fed) or published
                for name in org:
                    raw_claims.append((name, role, fed, when, sentence.text, sentence.paragraph))
                if count is not None:
                    counts.append(_role_count(count, role, fed, org, sentence.text))
            for org, fed, wording in membership_ends(clause, clause_spans, federation):
                when = resolve_date(clause, published) or meeting_dates.get(fed) or published
                raw_ends.append((org, fed, when, wording, sentence.text))
        member_count = _MEMBER_COUNT.search(sentence.text)
        if member_count and federation and not listed_roles:
            counts.append(_pending_member_count(member_count, federation, sentence))

    orgs = names.organizations()
    claims = [
        MembershipClaim(orgs[o].org_id, o, role, orgs[f].org_id, f, when, evidence)
        for o, role, f, when, evidence, _ in raw_claims
        if o in orgs and f in orgs
    ]
    ends = [MembershipEnd(orgs[o].org_id, o, orgs[f].org_id, f, when, wording, evidence)
            for o, f, when, wording, evidence in raw_ends]
    counts = [_resolve_member_count(c, raw_claims, sentences) for c in counts]
    extraction = Extraction(
        article=article,
        organizations=sorted(orgs.values(), key=lambda o: (o.level != "national", o.name)),
        claims=claims,
        ends=ends,
        events=[
            Event(orgs[subject].org_id, subject, kind, on or published, evidence,
                  new_name, orgs[new_name].org_id if new_name else None)
            for subject, kind, on, evidence, new_name in events
        ],
        counts=counts,
        statistics=_statistics(sentences),
    )
    extraction.findings = check_counts(extraction)
    return extraction


def _meetings_and_events(sentences, spans_by_sentence, published):
    """Meeting dates per organization (for valid-from dates) and the events the sentences state."""
    meeting_dates: dict[str, object] = {}
    events: list[tuple[str, str, object, str, str | None]] = []  # subject, kind, date, evidence, new name
    seen = set()

    def add(subject, kind, when, evidence, new_name=None):
        key = (subject, kind, new_name)
        if key not in seen:
            seen.add(key)
            events.append((subject, kind, when, evidence, new_name))

    for sentence, spans in zip(sentences, spans_by_sentence):
        if not spans:
            continue
        when = resolve_date(sentence.text, published)
        if _MEETING.search(sentence.text) and when is not None:
            meeting_dates.setdefault(spans[0].name, when)
        renamed = renames(sentence.text, spans)
        for old, new in renamed:
            add(old, "renamed", when, sentence.text, new)
        new_names = {new for _, new in renamed}
        for kind in registration_kinds(sentence.text):
            for span in spans:
                if span.name not in new_names:
                    add(span.name, kind, when, sentence.text)
    # A founding is stated once per article; prefer the sentence that dates it.
    founded = [(spans[0].name, resolve_date(s.text, published), s.text)
               for s, spans in zip(sentences, spans_by_sentence) if spans and _FOUNDED.search(s.text.rstrip("。"))]
    for subject, when, evidence in sorted(founded, key=lambda f: f[1] is None):
        add(subject, "founded", when, evidence)
    return meeting_dates, events


def _title_federation(article: Article, title_spans: list[NameSpan]) -> str | None:
    return title_spans[0].name if title_spans else None


def _clauses(text: str):
    pos = 0
    for piece in _CLAUSE_END.split(text):
        if piece:
            yield pos, piece
        pos += len(piece)


def _role_lists(clause: str, spans: list[NameSpan], federation: str | None):
    """(orgs, role, federation, count match) for each role mention in a clause."""
    results = []
    previous_end = 0
    roles = list(_ROLE.finditer(clause))
    for i, role_match in enumerate(roles):
        role = role_match.group(0)
        before = clause[previous_end:role_match.start()]
        fed = federation
        # "任中国XX联合会理事单位": the federation is named between the verb and the role.
        named_fed = [s for s in spans if previous_end <= s.start and s.end <= role_match.start()
                     and re.fullmatch(r"(?:的|第[一二三四五六七八九十\d]+届)?", clause[s.end:role_match.start()])]
        verb_region = clause[previous_end:named_fed[-1].start] if named_fed else before
        if named_fed:
            fed = named_fed[-1].name
        verb = _VERB_BEFORE_ROLE.search(verb_region)
        next_start = roles[i + 1].start() if i + 1 < len(roles) else len(clause)
        after = clause[role_match.end():next_start]
        consumed_to = role_match.end()
        if verb:
            list_end = previous_end + verb.start()
            members = [s.name for s in spans if previous_end <= s.start and s.end <= list_end]
            count = _COUNT_BEFORE_VERB.search(clause[previous_end:list_end])
        elif _LIST_AFTER_ROLE.match(after):
            members = [s.name for s in spans if role_match.end() <= s.start and s.end <= next_start]
            count = None
            consumed_to = next_start
        else:
            # A role that heads no list ("由理事单位调整为…") leaves the list open for the next role.
            members, count = [], None
        members = [m for m in members if m != fed]
        if members and fed:
            results.append((members, role, fed, count))
            previous_end = consumed_to
    return results


def _count_value(m: re.Match) -> tuple[int, bool]:
    groups = m.groups()
    # Both count patterns end with (approx-before, number, approx-after) as their last three groups.
    approx_before, number, approx_after = groups[-3], groups[-2], groups[-1]
    return _cn_number(number), bool(approx_before or approx_after)


def _role_count(m: re.Match, role: str, fed: str, members: list[str], evidence: str) -> CountClaim:
    value, approximate = _count_value(m)
    return CountClaim(m.group(0).strip(), value, approximate, f"role:{fed}:{role}", len(members),
                      len(set(members)), evidence)


def _pending_member_count(m: re.Match, federation: str, sentence: _Sentence) -> CountClaim:
    value, approximate = _count_value(m)
    # Include the subject before the number ("浙江共有20家") in the wording users see.
    start = m.start()
    while start > 0 and sentence.text[start - 1] not in "，。；：,;:":
        start -= 1
    wording = sentence.text[start:sentence.text.index("家", m.start()) + 1]
    return CountClaim(wording, value, approximate, f"members:{federation}:{sentence.paragraph}", 0, 0,
                      sentence.text)


def _resolve_member_count(claim: CountClaim, raw_claims, sentences) -> CountClaim:
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
