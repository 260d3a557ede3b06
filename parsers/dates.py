"""Dates as Chinese pages write them. Pure functions; all times are Asia/Shanghai."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_NUM = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_TIME = r"(?:\s*[T ]?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?"
_LABELLED = re.compile(r"(?:发布时间|发布日期|发表时间|发文日期|更新时间|时间|日期)\s*[:：]?\s*" + _NUM + _TIME)
_BARE = re.compile(r"(?<!\d)" + _NUM + _TIME)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?)?")

# Meta tags that news CMSs use for the publish time, in order of trust.
META_NAMES = (
    "article:published_time",
    "og:published_time",
    "pubdate",
    "publishdate",
    "publish_date",
    "publishtime",
    "publish_time",
    "dc.date",
    "dc.date.issued",
    "firstpublishedtime",
)


def _build(y: str, mo: str, d: str, h: str | None, mi: str | None, s: str | None) -> datetime | None:
    try:
        return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), tzinfo=SHANGHAI)
    except ValueError:
        return None


def parse_iso(value: str) -> datetime | None:
    m = _ISO.search(value or "")
    if not m:
        return None
    y, mo, d, h, mi, s, tz = m.groups()
    moment = _build(y, mo, d, h, mi, s)
    if moment is None or not tz:
        return moment
    offset = timedelta(0) if tz == "Z" else _offset(tz)
    return moment.replace(tzinfo=timezone(offset)).astimezone(SHANGHAI)


def _offset(tz: str) -> timedelta:
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))


def find_datetime(text: str, *, labelled_only: bool = False) -> datetime | None:
    """The first publish-like date in ``text``: a labelled one (发布时间：…) wins over a bare one."""
    for pattern in (_LABELLED,) if labelled_only else (_LABELLED, _BARE):
        for m in pattern.finditer(text):
            moment = _build(*m.groups())
            if moment is not None:
                return moment
    return None


_MONTH_DAY = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def resolve_date(text: str, reference: date | None) -> date | None:
    """First ``[YYYY年]M月D日`` in ``text``; a missing year comes from ``reference`` (the publish date),
    going back one year when the day would otherwise lie after the article was published."""
    m = _MONTH_DAY.search(text)
    if not m:
        return None
    year, month, day = m.groups()
    if year is None:
        if reference is None:
            return None
        year = reference.year
    try:
        found = date(int(year), int(month), int(day))
    except ValueError:
        return None
    if m.group(1) is None and reference is not None and found > reference:
        try:
            found = found.replace(year=found.year - 1)
        except ValueError:
            return None
    return found


_ISO_DAY = re.compile(r"(?<!\d)(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)")


def find_date(text: str, reference: date | None) -> date | None:
    """The first date in ``text`` in either form pages use: ``[YYYY年]M月D日`` (see :func:`resolve_date`) or
    ``YYYY-MM-DD`` (table cells, labelled lines). The earlier of the two in the text wins."""
    iso = _ISO_DAY.search(text)
    chinese = _MONTH_DAY.search(text)
    if iso and (not chinese or iso.start() < chinese.start()):
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    return resolve_date(text, reference)
