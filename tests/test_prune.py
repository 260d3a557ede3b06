"""The pruned tree (parsers/prune.py) is a speed-up only: for any markup it must give exactly what parsing
everything and then decomposing the furniture gives, and parse_page must not change by a character."""

from __future__ import annotations

import pytest
from bs4 import Tag
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import parsers.article as article
from flows.settings import load_settings
from parsers.article import _is_furniture, _is_heading, _pruned_soup, _soup, _tags, _text, parse_page
from parsers.profiles import SiteProfile, match_profile
from parsers.prune import Outline

from .helpers import FIXTURES, SAMPLES

# Markup fragments that exercise what pruning must get right: furniture by name, class, id and role
# (nested, inside headings, around text), headings and <title>s inside furniture, <head> with
# furniture-looking attributes, text that never counts (noscript, template, ruby), comments,
# instructions, unclosed and stray tags.
FRAGMENTS = [
    "<html>", "<html class='top'>", "</html>", "<head>", "<head id='top'>", "</head>", "<body>",
    "<body class='page-top'>", "</body>", "<div>", "<div class='nav'>", "<div id='top-bar'>",
    "<div class='article-header'>", "<div class='content main'>", "<div role='search'>", "</div>", "<nav>",
    "</nav>", "<aside>", "</aside>", "<footer>", "</footer>", "<form id='form1'>", "</form>",
    "<span class='share'>", "<span>", "</span>", "<ul class='menu'>", "<ul>", "<li>", "</li>", "</ul>",
    "<h1>", "</h1>", "<h2 class='title'>", "</h2>", "<div id='title'>", "<title>", "</title>",
    "<svg><title>", "</title></svg>", "<noscript>", "</noscript>", "<template>", "</template>",
    "<ruby>", "<rt>", "</rt>", "</ruby>", "<!-- 注释 -->", "<?php x ?>", "<p>", "</p>", "<br>",
    "<a href='/x'>", "</a>", "<table><tr><td class='side'>", "<td>", "</td></tr></table>",
    "<meta name='SiteName' content='浙江网信网'>", "<meta id='top' name='pubdate' content='2018-05-10'>",
    "<script>var a;</script>", "<script>", "<style>p{}</style>",
    "相关新闻", "浙江省网络文化协会任常务理事单位。", "标题", "发布时间:2018-05-10 16:12", "来源：浙江网信网",
    " ", "\n", "　", "&amp;", "\u00a0",
]
RAW = st.lists(st.sampled_from(FRAGMENTS), max_size=120).map("".join)
# Well-nested pages too: random fragments rarely put text right before and after a furniture element.
KEPT = [("<div>", "</div>"), ("<span>", "</span>"), ("<p>", "</p>"), ("<td>", "</td>")]
ELEMENTS = KEPT * 4 + [
    ("<div class='nav'>", "</div>"), ("<div class='article-header'>", "</div>"),
    ("<div role='search'>", "</div>"), ("<span>", "</span>"), ("<span class='share'>", "</span>"),
    ("<p>", "</p>"), ("<h1>", "</h1>"), ("<h2 class='title'>", "</h2>"), ("<nav>", "</nav>"),
    ("<aside>", "</aside>"), ("<a href='/x'>", "</a>"), ("<noscript>", "</noscript>"),
    ("<template>", "</template>"), ("<ruby>", "</ruby>"), ("<rt>", "</rt>"), ("<svg><title>", "</title></svg>"),
    ("<ul class='menu'><li>", "</li></ul>"), ("<form id='form1'>", "</form>"), ("<title>", "</title>"),
]
TEXTS = ["abc ", " def", "相关新闻", "标题", "浙江省网络文化协会任常务理事单位。", "<!-- 注释 -->", "<br>", "\n", "　"]
NODE = st.recursive(
    st.sampled_from(TEXTS),
    lambda kids: st.tuples(st.sampled_from(ELEMENTS), st.lists(kids, max_size=4)).map(
        lambda t: t[0][0] + "".join(t[1]) + t[0][1]),
    max_leaves=30)
HEADS = ["", "<title>标题_某某网</title>", "<title>标题</title><meta name='SiteName' content='浙江网信网'>",
         "<link id='top-css' rel='stylesheet'><title>abc def</title>"]
NESTED = st.builds(lambda head, body_tag, nodes: f"<html><head>{head}</head>{body_tag}{''.join(nodes)}</body></html>",
                   st.sampled_from(HEADS), st.sampled_from(["<body>"] * 4 + ["<body class='page-top'>"]),
                   st.lists(NODE, max_size=6))
HTML = st.one_of(RAW, NESTED)
PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def shape(soup) -> list[tuple]:
    """Everything about a tree that the extractor can see: each node's kind, name, attributes, text."""
    return [(type(n).__name__, n.name, dict(n.attrs)) if isinstance(n, Tag) else (type(n).__name__, str(n))
            for n in soup.descendants]


def full_tree_without_furniture(html: str):
    """The reference: the whole tree, furniture decomposed afterwards (not in <head>, not html/head)."""
    soup, noise_left = _soup(html)
    outline = Outline(title=_text(soup.title) if soup.title else None,
                      headings=[_text(h) for h in _tags(soup) if _is_heading(h)]) if not noise_left else None
    for el in [el for el in _tags(soup) if _is_furniture(el) and el.name not in ("html", "head")
               and not any(p.name == "head" for p in el.parents)]:
        if not el.decomposed:
            el.decompose()
    return soup, outline


@PROPERTY
@given(HTML)
@example("<html><body><div>abc <span class='share'>x</span> def</div></body></html>")  # two strings, not one
@example("<html><head><title>t</title></head><body><nav><h1>a<span class='share'>b</span>"
         "<rt>c</rt><!-- d --></h1></nav><h2>e</h2></body></html>")  # headings inside furniture, in order
def test_the_pruned_tree_is_the_full_tree_without_furniture(html):
    pruned, noise_left, outline, _ = _pruned_soup(html)
    reference, reference_outline = full_tree_without_furniture(html)
    assert shape(pruned) == shape(reference)
    if not noise_left:  # with leftover scripts the title rule reads the tree after their removal
        assert outline == reference_outline


def parse_whole(html: bytes, monkeypatch, profiles=(), url="https://fuzz.example/p.html"):
    """parse_page as it was before pruning: the whole tree, the title rule reading it."""
    def whole_tree(text, profiles=()):
        soup, noise_left = _soup(text)
        return soup, noise_left, None, match_profile(profiles, url, soup) if soup.head else None

    with monkeypatch.context() as patch:
        patch.setattr(article, "_pruned_soup", whole_tree)
        return parse_page(html, source="s", url=url, profiles=profiles)


ZJWX = SiteProfile(key="zjwx", detect='meta[name="SiteName"][content="浙江网信网"]', body="div.content")


@PROPERTY
@given(HTML)
# An unclosed <noscript> survives strip_noise and is decomposed before the title rule reads headings.
@example("<html><head><title>标题-副题</title></head><body><noscript><h1>标题-副题</h1>")
def test_parse_page_is_unchanged_by_pruning(html):
    monkeypatch = pytest.MonkeyPatch()
    data = html.encode("utf-8")
    for profiles in ((), (ZJWX,)):
        try:
            expected = parse_whole(data, monkeypatch, profiles)
        except Exception as exc:  # a profile whose selector matches nothing fails the same way
            with pytest.raises(type(exc)):
                parse_page(data, source="s", url="https://fuzz.example/p.html", profiles=profiles)
            continue
        assert parse_page(data, source="s", url="https://fuzz.example/p.html", profiles=profiles) == expected


@pytest.mark.parametrize("path", sorted([*SAMPLES.glob("*.html"), *FIXTURES.rglob("*.html"),
                                         *(FIXTURES.parent / "eval").rglob("*.html"),
                                         *(FIXTURES.parent / "eval_extra").rglob("*.html"),
                                         *(FIXTURES.parent / "eval_holdout").rglob("*.html")]),
                         ids=lambda p: p.name)
def test_real_pages_parse_the_same_pruned(path, monkeypatch):
    data, url, profiles = path.read_bytes(), path.as_uri(), load_settings().profiles
    assert parse_page(data, source="s", url=url, profiles=profiles) == parse_whole(data, monkeypatch, profiles, url)


def test_a_headline_inside_a_furniture_box_still_names_the_article():
    # 'article-header' is furniture by its class, but its <h1> is the headline the <title> starts with.
    # Without it the <title> would be cut at its first dash.
    html = ("<html><head><title>杭州-宁波协会成立_工作动态_某某网</title></head><body><div class='article-header'>"
            "<h1>杭州-宁波协会成立</h1><div>发布时间:2018-05-10</div></div>"
            "<div class='content'><p>浙江省网络文化协会任常务理事单位。</p></div></body></html>")
    parsed = parse_page(html.encode(), source="s", url="https://a.example/1.html")
    assert (parsed.title, parsed.paragraphs) == ("杭州-宁波协会成立", ["浙江省网络文化协会任常务理事单位。"])


@pytest.mark.parametrize("html", [
    "<html><head><meta name='SiteName' content='浙江网信网'><title>t</title></head>"
    "<body><div class='nav'>首页</div><div class='content'><p>正文</p><div class='share'>分享</div></div></body></html>",
    # A page that ends inside <head>: lxml closes it at the end, and the builder is asked then.
    "<html><head><meta name='SiteName' content='浙江网信网'><title>t",
])
def test_a_profile_named_in_head_gets_the_whole_tree_from_one_parse(html):
    soup, _, outline, profile = _pruned_soup(html, (SiteProfile(key="other", detect="meta[name=x]"), ZJWX))
    assert (profile, outline) == (ZJWX, None)
    assert shape(soup) == shape(_soup(html)[0])
    pruned, _, _, none = _pruned_soup(html, (SiteProfile(key="other", detect="meta[name=x]"),))
    assert none is None
    assert [t.name for t in pruned.find_all(class_="nav")] == []
