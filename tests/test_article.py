"""Article parsing: titles, publish times, body selection, site profiles."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from parsers.article import parse_page
from parsers.profiles import SiteProfile
from parsers.selectors import SelectorMatchError

SH = ZoneInfo("Asia/Shanghai")
BODY = "<p>浙江省网络文化协会任常务理事单位。</p><p>第二段文字，内容较长以便识别为正文内容。</p>"


def parse(html: str, url: str = "https://news.example.cn/a/1.html", profiles=()):
    return parse_page(html.encode("utf-8"), source=url, url=url, profiles=profiles)


@pytest.mark.parametrize("info, expected", [
    ("发布时间:2018-05-10 16:12", datetime(2018, 5, 10, 16, 12, tzinfo=SH)),
    ("发布日期：2018年5月10日", datetime(2018, 5, 10, tzinfo=SH)),
    ("2018年05月10日 16:12　来源：浙江网信网", datetime(2018, 5, 10, 16, 12, tzinfo=SH)),
    ("时间：2018/5/10 9:05:30", datetime(2018, 5, 10, 9, 5, 30, tzinfo=SH)),
])
def test_publish_time_from_info_line(info, expected):
    article = parse(f"<html><body><div class='main'><h1>标题</h1><div>{info}</div><div class='content'>{BODY}</div></div></body></html>")
    assert article.published_at == expected


def test_publish_time_from_meta_tag_converted_to_shanghai():
    article = parse(f"<html><head><meta property='article:published_time' content='2018-05-10T08:12:00Z'></head>"
                    f"<body><div>{BODY}</div></body></html>")
    assert article.published_at == datetime(2018, 5, 10, 16, 12, tzinfo=SH)
    assert article.published_at.utcoffset().total_seconds() == 8 * 3600


def test_no_date_is_none():
    assert parse(f"<html><body><div>{BODY}</div></body></html>").published_at is None


@pytest.mark.parametrize("title, h1, expected", [
    ("会议召开_工作动态_浙江网信网", None, "会议召开"),
    ("会议召开 - 某某网", None, "会议召开"),
    ("会议召开 | 某某网", None, "会议召开"),
    ("会议召开-2018_工作动态_浙江网信网", "会议召开-2018", "会议召开-2018"),
])
def test_title_without_site_suffix(title, h1, expected):
    heading = f"<h1>{h1}</h1>" if h1 else ""
    assert parse(f"<html><head><title>{title}</title></head><body>{heading}<div>{BODY}</div></body></html>").title == expected


def test_generic_body_drops_furniture():
    html = f"""<html><body>
      <div id="nav"><a href="/">首页</a><a href="/x">工作动态</a></div>
      <div class="wrap"><div class="article-content">{BODY}</div>
      <div class="share">分享到：微信</div></div>
      <div class="right-side"><h3>相关新闻</h3><ul><li><a href="/1">杭州市互联网协会任副会长单位</a></li></ul></div>
      <div class="hot-list"><ul><li><a href="/2">湖州市网络作家协会等12家单位任理事单位</a></li></ul></div>
      <footer>主办：浙江省网络文化协会</footer></body></html>"""
    assert parse(html).paragraphs == ["浙江省网络文化协会任常务理事单位。", "第二段文字，内容较长以便识别为正文内容。"]


def test_br_separated_paragraphs():
    html = "<html><body><div class='text'>第一行文字内容。<br>第二行文字内容。<br/>第三行文字内容。</div></body></html>"
    assert parse(html).paragraphs == ["第一行文字内容。", "第二行文字内容。", "第三行文字内容。"]


def test_profile_selector_that_matches_nothing_fails_loudly():
    profile = SiteProfile(key="demo", hosts=("news.example.cn",), body="#zoom")
    with pytest.raises(SelectorMatchError, match="site profile 'demo': selector for body \\('#zoom'\\) matched nothing"):
        parse(f"<html><body><div id='other'>{BODY}</div></body></html>", profiles=(profile,))


def test_profile_by_host_and_drop():
    profile = SiteProfile(key="demo", hosts=("news.example.cn",), title="h2.t", body="#zoom", drop=(".ad",))
    article = parse(f"<html><body><h2 class='t'>真正标题</h2><div id='zoom'>{BODY}<p class='ad'>广告</p></div></body></html>",
                    profiles=(profile,))
    assert (article.title, article.profile, article.paragraphs[-1]) == ("真正标题", "demo", "第二段文字，内容较长以便识别为正文内容。")


def test_plain_text_article():
    text = "標題一\n發(fā)布時(shí)間:2018-05-10 16:12\n分享到:\n第一段。\n\n第二段。\n"
    article = parse_page(text.encode("utf-8"), source="a.txt", url="file:///a.txt")
    assert (article.title, article.published_at, article.paragraphs) == (
        "标题一", datetime(2018, 5, 10, 16, 12, tzinfo=SH), ["第一段。", "第二段。"])
    assert article.paragraphs_original == ["第一段。", "第二段。"]


def test_strip_noise_cuts_scripts_styles_and_comments_only():
    from parsers.article import strip_noise

    html = ('<html><script>var a="<p>";</script><p>x<!-- c --></p><scripts>y</scripts>'
            '<STYLE type="text/css">z</STYLE><noscript>n</noscript><script>unclosed <p>tail</p>')
    assert strip_noise(html) == "<html><p>x</p><scripts>y</scripts><script>unclosed <p>tail</p>"


def test_strip_noise_is_not_thrown_off_by_letters_whose_lowercase_is_longer():
    # "İ".lower() is two characters: offsets found in a lowercased copy pointed into the wrong places.
    from parsers.article import strip_noise
    assert strip_noise("İİ<SCRIPT type=x>a</Script>b<style>c</style>d") == "İİbd"


def test_a_webforms_page_keeps_its_body_inside_the_form():
    # ASP.NET WebForms pages wrap everything in <form id="form1">; the form used to count as furniture
    # and the generic extractor dropped the whole article with it.
    article = parse("<html><head><title>协会成立_工作动态_某某网</title></head><body>"
                    "<form id='form1' method='post' action='./a.aspx'><div class='nav'><a href='/'>首页</a></div>"
                    f"<div class='content'>{BODY}</div><div class='search'><input name='q'></div></form></body></html>")
    assert (article.title, article.paragraphs) == (
        "协会成立", ["浙江省网络文化协会任常务理事单位。", "第二段文字，内容较长以便识别为正文内容。"])
