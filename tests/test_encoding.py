"""Decoding decisions: BOM, HTTP header, meta declaration, detection; the GB family as GB18030."""

from __future__ import annotations

import codecs

from parsers.encoding import canonical_codec, charset_from_content_type, decode_html

TEXT = "浙江省网络文化协会任常务理事单位，王喆当选会长。"  # 喆 is in GBK but not in GB2312


def page(charset_decl: str, body: str = TEXT) -> str:
    return f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset_decl}"></head><body><p>{body}</p></body></html>'


def test_gb2312_declared_page_with_gbk_characters_decodes_fully():
    decoded = decode_html(page("gb2312").encode("gbk"))
    assert (decoded.encoding, decoded.evidence, decoded.replaced) == ("gb18030", "meta", 0)
    assert TEXT in decoded.text


def test_meta_charset_short_form():
    data = f'<meta charset="GBK"><p>{TEXT}</p>'.encode("gbk")
    assert decode_html(data).text.endswith(f"<p>{TEXT}</p>")


def test_bom_beats_everything():
    data = codecs.BOM_UTF8 + page("gb2312").encode("utf-8")
    decoded = decode_html(data, http_charset="iso-8859-1")
    assert (decoded.encoding, decoded.evidence) == ("utf-8", "bom")
    assert decoded.text.startswith("<html>")


def test_http_header_wins_over_meta_when_it_decodes_cleanly():
    data = page("gb2312").encode("utf-8")  # page lies, server is right
    decoded = decode_html(data, http_charset="utf-8")
    assert (decoded.encoding, decoded.evidence, decoded.replaced) == ("utf-8", "http-header", 0)


def test_wrong_http_header_falls_back_to_meta():
    data = page("gbk").encode("gbk")
    decoded = decode_html(data, http_charset="utf-8")
    assert (decoded.encoding, decoded.evidence) == ("gb18030", "meta")
    assert TEXT in decoded.text


def test_undeclared_gbk_is_detected():
    data = ("<html><body>" + "<p>" + TEXT * 20 + "</p></body></html>").encode("gbk")
    decoded = decode_html(data)
    assert decoded.encoding == "gb18030"
    assert TEXT in decoded.text


def test_undeclared_utf8():
    decoded = decode_html(f"<p>{TEXT}</p>".encode("utf-8"))
    assert (decoded.encoding, decoded.evidence, decoded.replaced) == ("utf-8", "default", 0)


def test_stray_bytes_are_replaced_not_fatal():
    data = page("utf-8").encode("utf-8").replace(b"<p>", b"<p>\xff\xfe", 1)
    decoded = decode_html(data)
    assert decoded.replaced == 2
    assert TEXT in decoded.text


def test_labels():
    assert [canonical_codec(x) for x in ("GB2312", "gbk", "x-gbk", "GB18030", "utf8", "Big5", "nonsense", None)] == [
        "gb18030", "gb18030", "gb18030", "gb18030", "utf-8", "big5hkscs", None, None]
    assert charset_from_content_type('text/html; charset="GBK"') == "GBK"
    assert charset_from_content_type("text/html") is None
