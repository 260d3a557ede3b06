"""Who each mention in an article is: one canonical name per organization, every surface form kept. Pure.

Resolution works within one article, and every step that is more than reading a full name is recorded
(:class:`Resolution`: surface form, name, method, sentence), so that it can be reviewed and undone:

* ``short_prefix``: 浙江网络文化协会 and 浙江省网络文化协会 share one identity key
  (:func:`parsers.normalize.identity_key`, so one ``org_id`` in every article); the fullest form the
  article writes is the name shown;
* ``context_region``: a bare 市网络文化协会 (省…, 区…, 县…) in an article gets the article's own city
  (province, district): the one the organizations it names with a place name are mostly in. Without
  such evidence the mention is left out rather than guessed;
* ``abbreviation``: ``X（以下简称“网促会”）`` makes every later 网促会 mean X;
* ``reference``: 该协会, 本会, 我会 and a bare 协会/商会/… are mentions of the organization the article is
  about (its subject: the title's first organization, else the stated source's, else the first one the
  body shows holding a meeting) when the type fits, else of the last organization of that type named
  before; with no subject, 本会 means nobody. References are never aliases.
* an abbreviation is never an organization of its own, even when it ends like one (网文促进会), and a
  run that starts with one is split there ("中国互协增补北京市互联网协会").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .model import Resolution
from .names import NameSpan, find_org_names
from .normalize import ORG_TYPES, clean_name, identity_key, org_id_for, org_type_of
from .regions import division_index
from .repair import HAN

_ABBREVIATION = re.compile(
    r"\s*[（(]\s*(?:以下|下文|下)?\s*(?:简称|称)\s*[:：]?\s*[“\"‘「『]?\s*"
    rf"([{HAN}A-Za-z0-9]{{2,10}}?)\s*[”\"’」』]?\s*[）)]"
)
_REFERENCE = re.compile("(该|本|我|此)?(" + "|".join((*ORG_TYPES, "会")) + ")")
# A bare type word right after one of these is a reference ("申请退出协会", "经…15日协会…审议", "这是商会");
# after any other character it is the end of some longer word.
_REFERENCE_LEADS = ("退出", "加入", "入", "经", "由", "向", "对", "与", "和", "同", "为", "在", "是", "后", "了",
                    "日", "希望", "维护", "支持", "祝贺")
_NAME_CHAR = re.compile(rf"[{HAN}A-Za-z0-9]")
# 《基金会管理条例》, 《社会团体登记管理条例》: a type word in a law's title refers to no organization.
_LAW_AFTER = re.compile(r"管理条例|管理办法|登记管理|条例|法》")
# Right after an organization: it holds a meeting, so it is the body that decides what follows.
HOLDS_MEETING = re.compile(
    r"(?:\s*[（(][^）)]{0,24}[）)])?\s*(?:于[^，。；]{0,16}?)?"
    r"(?:第?[一二三四五六七八九十\d]{1,3}届(?:[一二三四五六七八九十\d]{1,3}次)?|第[一二三四五六七八九十\d]{1,3}次)?\s*"
    r"(?:成立大会|会员大会|会员代表大会|代表大会|常务理事会|理事会|监事会|召开|举行|换届)"
)
_BARE_LEVELS = "省市区县"


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    name: str  # canonical name
    surface: str | None  # as written (repaired); None for a reference such as 该协会
    method: str  # name | short_prefix | context_region | abbreviation | reference


@dataclass
class ArticleNames:
    mentions: list[list[Mention]]  # per sentence, in reading order
    title_mentions: list[Mention]
    subject: str | None
    resolutions: list[Resolution] = field(default_factory=list)


@dataclass(frozen=True)
class _Context:
    province: str | None
    city: str | None
    county_prefix: str | None  # e.g. 杭州市临平区, as the article writes it


def _majority(counter: Counter):
    """The value most mentions name, if it has more than all others together; else None (no evidence)."""
    if not counter:
        return None
    (top, n), = counter.most_common(1)
    return top if n > sum(counter.values()) - n else None


def _context(names: list[str]) -> _Context:
    """The article's own place: the city (and its province) most of its place-named organizations are in —
    more than all other cities together, or it is not evidence enough."""
    index = division_index()
    cities, provinces, counties = Counter(), Counter(), Counter()
    for name in names:
        region = index.region_of(name)
        if region is None or region.level == "national":
            continue
        provinces[region.province] += 1
        if region.city:
            cities[(region.province, region.city)] += 1
        if region.county:
            counties[region.matched] += 1
    top_city = _majority(cities)
    province, city = top_city if top_city else (_majority(provinces), None)
    return _Context(province, city, _majority(counties))


def _complete(name: str, context: _Context) -> str | None:
    """A name that starts with a bare level word (市网络文化协会) with the article's place put in front;
    None when the article gives no such place. Other names are returned as they are."""
    if name[0] not in _BARE_LEVELS or division_index().region_of(name) is not None:
        return name
    level = name[0]
    if level == "省" and context.province and context.province.endswith("省"):
        return context.province + name[1:]
    if level == "市" and context.city and context.city.endswith("市"):
        return context.city + name[1:]
    if level == "市" and context.province and context.province.endswith("市") and not context.city:
        return context.province + name[1:]  # a municipality: 市 is the province-level city
    if level in "区县" and context.county_prefix and context.county_prefix.endswith(level):
        return context.county_prefix + name[1:]
    return None


def resolve_names(texts: list[str], title: str, source: str | None = None) -> ArticleNames:
    """Mentions of organizations in each sentence of ``texts`` (repaired text), and in the title.
    ``source`` is the article's stated source (来源), which names the organization an association's own
    site speaks for."""
    raw = [find_org_names(text) for text in texts]
    title_raw = find_org_names(title)
    definitions: dict[str, str] = {}  # abbreviation -> raw name that introduced it
    skip: list[set[int]] = [set() for _ in texts]  # positions inside "（以下简称…）"
    for i, (text, spans) in enumerate(zip(texts, raw)):
        for span in spans:
            m = _ABBREVIATION.match(text, span.end)
            if m and m.group(1) not in ORG_TYPES:  # （以下简称“协会”） is a reference, handled as one
                definitions.setdefault(m.group(1), span.name)
                skip[i].update(range(m.start(), m.end()))
    if definitions:
        raw = [_names_around(text, spans, definitions, skip_i) for text, spans, skip_i in zip(texts, raw, skip)]

    context = _context([s.name for spans in raw for s in spans] + [s.name for s in title_raw])
    completed: dict[str, str | None] = {}
    display: dict[str, str] = {}  # identity key -> name shown
    for span in [s for spans in raw for s in spans] + title_raw:
        name = completed.setdefault(span.name, _complete(clean_name(span.name), context))
        if name is None:
            continue
        key = identity_key(name)
        # The article's fullest spelling is the name: the one that is its own identity key.
        if key not in display or (display[key] != key and name == key):
            display[key] = name

    def canonical(raw_name: str) -> tuple[str, str] | None:
        if raw_name in definitions and raw_name != definitions[raw_name]:
            # "（简称“网文促进会”）": an abbreviation that ends like a name is still the abbreviation.
            resolved = canonical(definitions[raw_name])
            return (resolved[0], "abbreviation") if resolved else None
        name = completed.get(raw_name)
        if name is None:
            return None
        shown = display[identity_key(name)]
        method = "name" if shown == clean_name(raw_name) else (
            "context_region" if name != clean_name(raw_name) else "short_prefix")
        return shown, method

    def named(spans: list[NameSpan], text: str) -> list[Mention]:
        out = []
        for s in spans:
            resolved = canonical(s.name)
            if resolved:
                out.append(Mention(s.start, s.end, resolved[0], text[s.start:s.end], resolved[1]))
        return out

    title_mentions = named(title_raw, title)
    body_named = [named(spans, text) for spans, text in zip(raw, texts)]
    subject = _subject(title_mentions, source, texts, body_named)
    abbreviations = {abbr: canonical(name)[0] for abbr, name in definitions.items() if canonical(name)}

    mentions: list[list[Mention]] = []
    resolutions: dict[tuple[str, str], Resolution] = {}
    last_of_type: dict[str, str] = {}
    for i, (text, found) in enumerate(zip(texts, body_named)):
        taken = set(skip[i])
        for m in found:
            taken.update(range(m.start, m.end))
        extra = []
        for abbr, name in abbreviations.items():
            for m in re.finditer(re.escape(abbr), text):
                if not taken.intersection(range(m.start(), m.end())):
                    extra.append(Mention(m.start(), m.end(), name, abbr, "abbreviation"))
                    taken.update(range(m.start(), m.end()))
        named_here = sorted(found + extra, key=lambda m: m.start)
        references = [r for r in _REFERENCE.finditer(text) if not taken.intersection(range(r.start(), r.end()))]
        # One pass in reading order: a reference means what was named before it (in this sentence too).
        everything: list[Mention] = []
        pending = iter(references)
        reference = next(pending, None)
        for m in [*named_here, None]:
            while reference is not None and (m is None or reference.start() < m.start):
                target = _reference_target(text, reference, subject, last_of_type)
                if target:
                    everything.append(Mention(reference.start(), reference.end(), target, None, "reference"))
                reference = next(pending, None)
            if m is None:
                break
            everything.append(m)
            last_of_type[org_type_of(m.name) or ""] = m.name
            if m.method in ("short_prefix", "context_region", "abbreviation"):
                resolutions.setdefault((m.surface, m.name),
                                       Resolution(org_id_for(m.name), m.name, m.surface, m.method, text))
        mentions.append(everything)
    return ArticleNames(mentions, title_mentions, subject, list(resolutions.values()))


def _names_around(text: str, spans: list[NameSpan], definitions: dict[str, str], skip: set[int]) -> list[NameSpan]:
    """Names found again with the abbreviations blanked out: "中国互协增补北京市互联网协会" is the
    abbreviation, then a clause, then 北京市互联网协会 — not one long name."""
    masked = text
    for abbr in definitions:
        for m in re.finditer(re.escape(abbr), text):
            inside = [s for s in spans if s.start < m.end() and m.start() < s.end]
            if skip.intersection(range(m.start(), m.end())) or any(s.start != m.start() for s in inside):
                continue  # the definition itself, or part of a longer name
            masked = masked[:m.start()] + "、" * len(abbr) + masked[m.end():]
    return spans if masked == text else find_org_names(masked)


def _subject(title: list[Mention], source: str | None, texts: list[str], body: list[list[Mention]]) -> str | None:
    """The organization the article is about: the title's, else its stated source's, else the first one
    the body shows holding a meeting; else none (then a reference is resolved to nothing)."""
    if title:
        return title[0].name
    for span in find_org_names(source or ""):
        if span.start == 0 and span.end == len(source):
            return clean_name(span.name)
    for text, mentions in zip(texts, body):
        for m in mentions:
            if HOLDS_MEETING.match(text, m.end):
                return m.name
    return None


def _reference_target(text: str, m: re.Match, subject: str | None, last_of_type: dict[str, str]) -> str | None:
    determiner, word = m.group(1), m.group(2)
    if word == "会" and determiner not in ("本", "我"):
        return None  # 会 alone is 会议, 大会, 会员 …
    if determiner is None and m.start() > 0 and _NAME_CHAR.match(text[m.start() - 1]) \
            and not text.endswith(_REFERENCE_LEADS, max(0, m.start() - 2), m.start()):
        return None  # the end of a longer word
    if _LAW_AFTER.match(text, m.end()):
        return None
    if determiner in ("本", "我") or (subject and (word == "会" or org_type_of(subject) == word)):
        return subject
    return last_of_type.get(word)  # the last organization of that type named before
