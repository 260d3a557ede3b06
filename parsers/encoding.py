"""Decide how a page's bytes are decoded.

Order of evidence, strongest first: a byte-order mark, the HTTP ``Content-Type`` charset (when the
page was fetched), the page's own ``<meta charset>`` / ``http-equiv`` declaration, then statistical
detection. Chinese government pages routinely declare GB2312 while using GBK-only characters, so every
member of the GB family is decoded as GB18030 (a strict superset). Undecodable bytes are replaced,
never fatal: a page with one stray byte still yields its text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# The GB family: decoding as the superset never turns a valid page into mojibake.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "gb_2312-80", "euc-cn", "hz-gb-2312"}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Only the head of the document is searched for a declaration. The HTML spec's prescan uses 1024 bytes,
# but real government pages put many KB of <script> before their <meta charset>: a short prescan then
# falls through to detection, which can silently pick a wrong East Asian codec.
_PRESCAN_BYTES = 65536
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec actually used
    evidence: str  # "bom" | "http-header" | "meta" | "detected" | "default"
    replaced: int  # number of U+FFFD characters introduced by decoding


def canonical_codec(label: str | None) -> str | None:
    """Map a declared charset label to the Python codec we decode with, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _GB_FAMILY:
        return "gb18030"
    if label in {"big5", "big5-hkscs", "cp950", "x-x-big5"}:
        return "big5hkscs"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "gb18030" if name in _GB_FAMILY else name


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([^;\"'\s]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def sniff_meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:_PRESCAN_BYTES])
    return match.group(1).decode("ascii", "replace") if match else None


def _detect(data: bytes) -> str | None:
    # Imported lazily: only pages without any declaration pay for detection.
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    return canonical_codec(best.encoding) if best else None


def _decode(data: bytes, codec: str, evidence: str) -> Decoded:
    text = data.decode(codec, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return Decoded(text, codec, evidence, text.count("\ufffd"))


def decode_html(data: bytes, http_charset: str | None = None) -> Decoded:
    """Decode page bytes, choosing the codec from the strongest available evidence."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom):], codec, "bom")
    declared = canonical_codec(http_charset)
    if declared:
        decoded = _decode(data, declared, "http-header")
        # A wrong header is common (servers default to ISO-8859-1 or UTF-8); if it yields
        # replacements while the page's own declaration decodes cleanly, trust the page.
        if decoded.replaced == 0:
            return decoded
        meta = canonical_codec(sniff_meta_charset(data))
        if meta and meta != declared:
            alternative = _decode(data, meta, "meta")
            if alternative.replaced < decoded.replaced:
                return alternative
        return decoded
    meta = canonical_codec(sniff_meta_charset(data))
    if meta:
        decoded = _decode(data, meta, "meta")
        if decoded.replaced == 0 or meta != "utf-8":
            return decoded
        # Declared UTF-8 but is not: fall through to detection, keep the better of the two.
        detected = _detect(data)
        if detected and detected != "utf-8":
            alternative = _decode(data, detected, "detected")
            if alternative.replaced < decoded.replaced:
                return alternative
        return decoded
    utf8 = _decode(data, "utf-8", "default")
    if utf8.replaced == 0:
        return utf8
    detected = _detect(data) or "gb18030"
    candidate = _decode(data, detected, "detected")
    # Chinese pages without a declaration are overwhelmingly UTF-8 or GBK; GB18030 is the fallback
    # that never raises and keeps every Han character of a GBK page.
    gb = _decode(data, "gb18030", "detected")
    return min((candidate, gb, utf8), key=lambda d: d.replaced)
