"""Claims about how many organizations a set has (共有20家, 等16家单位, 近200家, 10余家, 3个社会组织). Pure.

家 counts organizations and companies, so a number of 家 is a claim when the text presents it as the
size of a set: introduced by a totalling word (共有, 现有, 共计, 吸纳, 共N家), closing a named list
(A、B等10家), following the set's noun (会员单位56家), or approximate (近200家, 10余家, 近百家), which
only ever describes a set. A bare figure in passing (由10家…发起, 其中…的71家) is not taken, nor are
people (名, 人, 位), activities (场, 次) or projects (个 not followed by 社会组织/单位).
Approximate counts are kept with their wording and never compared as exact (:mod:`parsers.checks`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
NUMBER = r"(\d+|[一二两三四五六七八九十百]+)"
_COUNT = re.compile(r"(近|约|逾|超过|将近|大约)?" + NUMBER + r"(余|多)?(家|个(?=社会组织|单位|会员单位|协会|学会|商会))")
_TOTALLING = re.compile(r"共有|现有|共计|总计|合计|吸纳|共吸引|共(?=\s*(?:近|约|逾)?[\d一二两三四五六七八九十百])")
_SET_NOUN = re.compile(r"(?:会员单位|成员单位|会员|单位)\s*$")
_CLAUSE = re.compile(r"[，,；;。：:]")
_CLAUSE_WINDOW = 40  # how far back a count's clause is read (a totalling word sits close to its number)


def cn_number(token: str) -> int:
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


@dataclass(frozen=True)
class CountMention:
    start: int  # of the number phrase in the sentence
    wording: str
    value: int
    approximate: bool
    listed: bool  # closes a list of names (等N家 / A、B3家): comparable with the names


def count_mentions(text: str, name_ends: set[int]) -> list[CountMention]:
    """Count claims in a sentence. ``name_ends`` are the positions where organization names end (a
    number right after a name closes a list: ``A、B、C3家单位``)."""
    out = []
    if "家" not in text and "个" not in text:
        return out
    for m in _COUNT.finditer(text):
        approx_before, number, approx_after, unit = m.groups()
        approximate = bool(approx_before or approx_after)
        window = max(0, m.start() - _CLAUSE_WINDOW)
        clause_start = max((c.end() for c in _CLAUSE.finditer(text, window, m.start())), default=window)
        before = text[clause_start:m.start()]
        closes_list = before.endswith("等") or m.start() in name_ends
        totalling = _TOTALLING.search(text[:m.end()], clause_start)
        totalling = totalling if totalling and totalling.start() < m.start() else None
        if not (approximate or closes_list or totalling or _SET_NOUN.search(before) or unit == "个"):
            continue
        start = m.start() - 1 if before.endswith("等") else m.start()
        if totalling and not closes_list:
            start = totalling.start()
        end = m.end()
        if text.startswith("单位", end) and unit == "家":
            end += 2
        if unit == "个":
            end = m.end() + next(len(w) for w in ("会员单位", "社会组织", "单位", "协会", "学会", "商会")
                                 if text.startswith(w, m.end()))
        wording = text[start:end] if end - start <= 24 else text[m.start():end]
        out.append(CountMention(m.start(), wording, cn_number(number), approximate, closes_list))
    return out
