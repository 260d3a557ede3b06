"""Repair text the way Chinese mirror sites garble it.

Three repairs, in this order, each pure and idempotent:
1. strip pinyin annotations inserted after Han characters (``網(wǎng)絡(luò)`` → ``網絡``), but only
   when the letters really are a reading of the characters before them, so ``(浙江)``, ``(2018)``,
   ``(ABC)`` and ``协会(筹)`` are never touched;
2. normalize widths: full-width letters and digits become ASCII, ASCII punctuation inside Chinese
   text becomes the full-width form Chinese text uses (``,`` → ``，``);
3. convert traditional characters to simplified (OpenCC ``t2s``).
Steps 1–2 give the *surface* text (the page's own script, cleaned); step 3 the canonical text. The two
have the same length in practice, so a span found in one names the same words in the other.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PINYIN_LETTERS = "a-zA-Zü" + _TONED
# A Han run, then a parenthesised run of pinyin letters (possibly several syllables with spaces).
# Bounded repetition keeps the regex linear on hostile input.
_ANNOTATION = re.compile(
    rf"([{HAN}]{{1,4}})[(（]\s*([{_PINYIN_LETTERS}][{_PINYIN_LETTERS}' ]{{0,40}}?)\s*[)）]"
)
_TONE_STRIP = str.maketrans(
    {
        **{c: "a" for c in "āáǎà"},
        **{c: "e" for c in "ēéěè"},
        **{c: "i" for c in "īíǐì"},
        **{c: "o" for c in "ōóǒò"},
        **{c: "u" for c in "ūúǔù"},
        **{c: "v" for c in "ǖǘǚǜü"},
        **{c: "n" for c in "ńňǹ"},
        "ḿ": "m",
    }
)


def _plain(syllable: str) -> str:
    return syllable.lower().translate(_TONE_STRIP).replace("'", "").replace(" ", "")


@lru_cache(maxsize=65536)
def _readings(char: str) -> frozenset[str]:
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.TONE, heteronym=True, errors="ignore")
    return frozenset(_plain(r) for group in found for r in group)


# Garbled pages annotate the same words again and again (網(wǎng)絡(luò), 協(xié)會(huì)): the answer is cached.
@lru_cache(maxsize=16384)
def _is_reading_of(letters: str, chars: str) -> bool:
    """True if ``letters`` spells a reading of each of ``chars`` in turn (tones optional)."""
    target = _plain(letters)
    if not target.isalpha():
        return False

    def match(pos: int, index: int) -> bool:
        if index == len(chars):
            return pos == len(target)
        readings = _readings(chars[index])
        if not readings:
            # Character unknown to the dictionary: accept only a tone-marked syllable run.
            return any(c in _TONED for c in letters) and pos < len(target) and index == len(chars) - 1
        return any(target.startswith(r, pos) and match(pos + len(r), index + 1) for r in readings)

    return match(0, 0)


def strip_pinyin(text: str) -> str:
    """Remove ``字(zì)`` annotations whose letters are a reading of the preceding characters."""

    def replace(m: re.Match[str]) -> str:
        han, letters = m.group(1), m.group(2)
        # The annotation belongs to the last 1..n characters before it; try the shortest first.
        for k in range(1, len(han) + 1):
            if _is_reading_of(letters, han[-k:]):
                return han
        return m.group(0)

    return _ANNOTATION.sub(replace, text)


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text) if text else text


_FULLWIDTH_PUNCT = {",": "，", ";": "；", ":": "：", "!": "！", "(": "（", ")": "）"}
_ASCII_PUNCT_NEAR_HAN = re.compile(rf"(?<=[{HAN}])[,;:!]|[,;:!](?=[{HAN}])")
_HAN_CHAR = re.compile(rf"[{HAN}]")
_REPEATED_COMMA = re.compile(r"[,，]{2,}")


_WIDTHS = {
    **{code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))},
    **{ord(space): " " for space in "\u3000\u00a0\u2002\u2003\u2009"},
}


def _fullwidth_parens_around_han(text: str) -> str:
    """ASCII parentheses around Chinese text become full-width: ``杭州(浙江)`` → ``杭州（浙江）``.

    A pair is converted when its text has Han characters and every pair nested in it is converted too,
    which is what converting innermost pairs again and again would reach; done in one pass with a
    stack, so nested pairs (``((協))``) come out the same on a second repair (idempotent) and deep
    nesting costs one scan."""
    if "(" not in text:
        return text
    chars = list(text)
    # One frame per open "(": [index, all children converted, has Han or a converted child]
    stack: list[list] = []
    for i, c in enumerate(chars):
        if c == "(":
            stack.append([i, True, False])
        elif c == ")" and stack:
            start, children_ok, has_han = stack.pop()
            convert = children_ok and (has_han or _HAN_CHAR.search(text, start + 1, i) is not None)
            if convert:
                chars[start], chars[i] = "（", "）"
            if stack:
                parent = stack[-1]
                parent[1] = parent[1] and convert
                parent[2] = parent[2] or convert
    return "".join(chars)


# Any character _WIDTHS maps: most paragraphs have none, and str.translate looks up every character.
_WIDE = re.compile("[" + "".join(re.escape(chr(code)) for code in _WIDTHS) + "]")


def normalize_width(text: str) -> str:
    """Full-width alphanumerics → ASCII; ASCII punctuation in Chinese text → full-width."""
    if _WIDE.search(text):
        text = text.translate(_WIDTHS)
    text = _REPEATED_COMMA.sub("，", text)
    text = _fullwidth_parens_around_han(text)
    return _ASCII_PUNCT_NEAR_HAN.sub(lambda m: _FULLWIDTH_PUNCT[m.group(0)], text)


# A page's parser and extractor repair each paragraph several times (share/info line tests, the body,
# the names in it); a small cache makes the repeats free. Pure functions of a str, so caching is safe.
@lru_cache(maxsize=4096)
def repair_text(text: str) -> str:
    """The full repair: pinyin annotations, traditional → simplified, widths. Idempotent."""
    return to_simplified(surface_text(text))


@lru_cache(maxsize=4096)
def surface_text(text: str) -> str:
    """The repair without the script conversion: what the page says, minus pinyin and width noise.
    Kept so that traditional spellings of names survive as aliases."""
    return normalize_width(strip_pinyin(unicodedata.normalize("NFC", text)))
