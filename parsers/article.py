"""Turn a page (bytes) into an :class:`Article`: title, publish time, source, body paragraphs.

Pure: no I/O. A known site is read with its profile's selectors (which must match); any other page goes
through the generic extractor, which drops navigation, sidebars, share widgets and footers and keeps the
block with the most paragraph text.
"""

from __future__ import annotations

import hashlib
import re
import warnings

from bs4 import BeautifulSoup, NavigableString, Tag, XMLParsedAsHTMLWarning

from .dates import META_NAMES, find_datetime, parse_iso
from .encoding import decode_html
from .model import Article
from .profiles import SiteProfile, detect_profile, match_host, match_profile
from .prune import Outline, PruningTreeBuilder, is_furniture, is_heading
from .repair import repair_text
from .selectors import select_one_required

# Headings of boxes that list other articles; the box is dropped with its heading.
_LIST_BOX_HEADINGS = ("相关新闻", "相关阅读", "相关文章", "热门文章", "热点新闻", "推荐阅读", "最新文章", "猜你喜欢", "热门推荐")
_INFO_LINE = re.compile(r"^(?:发布时间|发布日期|来源|作者|编辑|责任编辑|浏览次数|点击数|字号|分享到|【\s*字体)")
_SHARE_LINE = re.compile(r"^(?:分享到|分享至|打印本页|关闭窗口|【\s*打印|【\s*关闭)")
_SOURCE = re.compile(r"来源\s*[:：]\s*([^\s|│｜丨【】\[\]]+)")
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|-{1,2}|–|—{1,2})\s*")
_BLOCK_TAGS = ("p", "div", "li", "td", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "section", "article")


# No news article is larger; bigger inputs are refused up front (a finding, not a minute of parsing).
MAX_PAGE_BYTES = 10 * 1024 * 1024


class PageTooLarge(ValueError):
    """The page is larger than MAX_PAGE_BYTES."""


def strip_noise(html: str) -> str:
    """Cut <script>, <style>, <noscript> elements and comments out of the markup before parsing it:
    on real government pages they are half the bytes, and BeautifulSoup's cost is in the bytes.
    Linear: every search starts where the last one ended, and an unclosed element (left to the
    parser) ends the cutting. Case is ignored for ASCII letters only, like HTML does."""
    out, pos = [], 0
    while (opener := _NOISE_OPENER.search(html, pos)) is not None:
        closer = _NOISE_CLOSERS[(opener.group(1) or "").lower()].search(html, opener.end())
        if closer is None:
            break  # unclosed: leave the rest to the parser
        out.append(html[pos:opener.start()])
        pos = closer.end()
    out.append(html[pos:])
    return "".join(out)


# <script…> only when followed by what ends a tag name (<scripts>, <styleguide> are not ours).
_NOISE_OPENER = re.compile(r"<(?:!--|(script|style|noscript)(?=[>\t\n\r /]))", re.IGNORECASE | re.ASCII)
_NOISE_CLOSERS = {"": re.compile("-->"), **{name: re.compile(f"</{name}>", re.IGNORECASE | re.ASCII)
                                            for name in ("script", "style", "noscript")}}
# What strip_noise may have left for the parser (then removed from the tree).
_NOISE_LEFT = re.compile(r"<(?:script|style|noscript)", re.IGNORECASE | re.ASCII)


def parse_page(
    data: bytes,
    *,
    source: str,
    url: str,
    http_charset: str | None = None,
    profiles: tuple[SiteProfile, ...] = (),
    content_hash: str | None = None,
) -> Article:
    """Decode and parse one page. Plain-text files (saved article text) are read line by line.
    ``content_hash``: the hex SHA-256 of ``data`` when the caller has it already."""
    if len(data) > MAX_PAGE_BYTES:
        raise PageTooLarge(f"{len(data)} bytes, more than the {MAX_PAGE_BYTES} bytes a news page may have")
    content_hash = content_hash or hashlib.sha256(data).hexdigest()
    if _looks_like_html(data) or not url.endswith(".txt"):
        return _parse_html(data, source=source, url=url, http_charset=http_charset, profiles=profiles,
                           content_hash=content_hash)
    decoded = decode_html(data, http_charset)
    lines = [line.strip() for line in decoded.text.splitlines()]
    return _parse_lines([line for line in lines if line], source=source, url=url, encoding=decoded.encoding,
                        evidence=decoded.evidence, content_hash=content_hash)


def _looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<meta", b"<body")) or b"<html" in head


def _parse_lines(lines: list[str], *, source, url, encoding, evidence, content_hash) -> Article:
    """A saved article text: first line is the title, info lines carry the date, the rest is body."""
    title_original = lines[0] if lines else None
    info, body = [], []
    for line in lines[1:]:
        (info if _INFO_LINE.match(repair_text(line)) else body).append(line)
    repaired_info = "\n".join(repair_text(line) for line in info)
    return Article(
        source=source,
        url=url,
        title=repair_text(title_original) if title_original else None,
        published_at=find_datetime(repaired_info),
        source_name=_source_name(repaired_info),
        paragraphs=[repair_text(line) for line in body],
        paragraphs_original=body,
        title_original=title_original,
        encoding=encoding,
        encoding_evidence=evidence,
        profile=None,
        content_hash=content_hash,
    )


def _parse_html(data, *, source, url, http_charset, profiles, content_hash) -> Article:
    decoded = decode_html(data, http_charset)
    profile = match_host(profiles, url)
    outline = None
    whole = False  # soup is the whole tree of decoded.text
    if profile is None:
        # Most pages are read by the generic extractor, which drops the furniture: leave it out of the
        # tree from the start (parsers/prune.py). Profiles are detected in <head>, which is kept whole;
        # once it names one, the builder keeps everything after it, so the tree is the whole page's.
        soup, noise_left, outline, profile = _pruned_soup(decoded.text, profiles)
        whole = profile is not None
        if profile is None and soup.head is None and any(p.detect for p in profiles):
            # No <head>: detect searches the whole page (match_profile).
            soup, noise_left = _soup(decoded.text)
            outline, whole = None, True
            profile = match_profile(profiles, url, soup)
    if profile is not None:
        # A profile's selectors may point anywhere: it reads the whole tree.
        if profile.encoding and decoded.evidence in ("default", "detected"):
            decoded = decode_html(data, profile.encoding)  # the profile knows better than a guess
            whole = False
        if not whole:
            soup, noise_left = _soup(decoded.text)
        outline = None
    if noise_left:
        for tag in soup(["script", "style", "noscript"]):
            tag.decompose()

    page_title = _page_title(soup, profile, outline)
    body_el = _body_element(soup, profile)
    # The headline often sits inside the article block; it is the title, not body text.
    paragraphs_original = [p for p in _paragraphs(body_el)
                           if not _SHARE_LINE.match(repair_text(p)) and p != page_title]
    info_text = _info_text(soup, body_el, profile)

    published_at = _meta_published(soup) or find_datetime(info_text) or find_datetime(
        "\n".join(repair_text(p) for p in paragraphs_original[:3]), labelled_only=True
    )
    paragraphs_original = [p for p in paragraphs_original if not _INFO_LINE.match(repair_text(p))]
    return Article(
        source=source,
        url=url,
        title=repair_text(page_title) if page_title else None,
        published_at=published_at,
        source_name=_source_name(info_text),
        paragraphs=[repair_text(p) for p in paragraphs_original],
        paragraphs_original=paragraphs_original,
        title_original=page_title,
        encoding=decoded.encoding,
        encoding_evidence=decoded.evidence,
        profile=profile.key if profile else None,
        content_hash=content_hash,
    )


def _soup(html: str, builder=None) -> tuple[BeautifulSoup, bool]:
    with warnings.catch_warnings():
        # Some CMSs send XHTML with an XML declaration; it is parsed as HTML on purpose.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        stripped = strip_noise(html)
        soup = BeautifulSoup(stripped, builder=builder) if builder else BeautifulSoup(stripped, "lxml")
        # strip_noise leaves an unclosed <script> (or a malformed one) to the parser: only then is
        # there anything left to remove from the tree.
        return soup, _NOISE_LEFT.search(stripped) is not None


def _pruned_soup(html: str, profiles: tuple[SiteProfile, ...] = ()
                 ) -> tuple[BeautifulSoup, bool, Outline | None, SiteProfile | None]:
    """The page's tree without its furniture, and the outline of the whole page (parsers/prune.py);
    or, when its <head> matches a profile's ``detect`` selector, the whole tree and that profile."""
    detected: list[SiteProfile] = []

    def whole_after_head(head) -> bool:
        profile = detect_profile(profiles, head)
        if profile is not None:
            detected.append(profile)
        return profile is not None

    builder = PruningTreeBuilder(whole_after_head=whole_after_head if any(p.detect for p in profiles) else None)
    soup, noise_left = _soup(html, builder)
    if detected:
        return soup, noise_left, None, detected[0]
    return soup, noise_left, builder.outline, None


def _text(el: Tag) -> str:
    return re.sub(r"\s+", " ", el.get_text(" ", strip=True)).strip()


def _page_title(soup: BeautifulSoup, profile: SiteProfile | None, outline: Outline | None) -> str | None:
    """The profile's title element; else the <title> without the site's suffix, using the headings of
    the whole page (furniture included: an 'article-header' box holds the headline). ``outline`` has
    those texts when the tree was built without the furniture."""
    if profile is not None and profile.title:
        return _text(select_one_required(soup, profile.title, profile=profile.key, field="title"))
    if outline is None:
        outline = Outline(title=_text(soup.title) if soup.title else None,
                          headings=[_text(h) for h in _tags(soup) if _is_heading(h)])
    head_title = outline.title or ""
    if profile is not None:
        for suffix in profile.title_suffixes:
            if head_title.endswith(suffix):
                return head_title[: -len(suffix)].strip()
    # A heading that the <title> starts with is the title without the site suffix.
    headings = outline.headings
    matching = [h for h in headings if h and head_title.startswith(h)]
    if matching:
        return max(matching, key=len)
    if head_title:
        return _TITLE_SPLIT.split(head_title)[0] or head_title
    return headings[0] if headings else None


def _tags(root: Tag):
    """Every element under ``root`` in document order. A plain loop: find_all(function) runs BeautifulSoup's
    general filter machinery per element, which cost more than building the tree."""
    for el in root.descendants:
        if type(el) is Tag:
            yield el


def _is_heading(el: Tag) -> bool:
    return is_heading(el.name, el.get("class"), el.get("id"))


def _is_furniture(el: Tag) -> bool:
    return is_furniture(el.name, el.get("class"), el.get("id"), el.get("role"))


def _strip_furniture(root: Tag) -> None:
    for el in [el for el in _tags(root) if _is_furniture(el)]:
        if not el.decomposed:
            el.decompose()
    headings = [s for s in root.descendants
                if type(s) is NavigableString and len(s) < 200 and s.strip().strip("：:") in _LIST_BOX_HEADINGS]
    for heading in headings:
        box = heading.parent
        # The box is the heading's nearest ancestor that also holds links (the list of articles).
        while box is not None and box.name not in ("body", "html") and not box.find("a"):
            box = box.parent
        if box is not None and box.name not in ("body", "html"):
            box.decompose()


def _body_element(soup: BeautifulSoup, profile: SiteProfile | None) -> Tag:
    if profile is not None and profile.body:
        body = select_one_required(soup, profile.body, profile=profile.key, field="body")
        for selector in profile.drop:
            for el in body.select(selector):
                el.decompose()
        return body
    _strip_furniture(soup)
    root = soup.body or soup
    best, best_score = root, -1.0
    link_text = _link_text_by_element(root)
    for candidate in [el for el in _tags(root) if el.name in _CANDIDATES]:
        score = _paragraph_score(candidate, link_text)
        if score > best_score:
            best, best_score = candidate, score
    return best


_CANDIDATES = frozenset(("div", "article", "section", "td", "main"))


def _link_text_by_element(root: Tag) -> dict[int, int]:
    """Characters of link text under each element, computed once for the whole tree (asking every
    candidate for its links would be quadratic in the nesting depth)."""
    totals: dict[int, int] = {}
    for link in [el for el in _tags(root) if el.name == "a"]:
        length = len(link.get_text(strip=True))
        if not length:
            continue
        for ancestor in link.parents:
            totals[id(ancestor)] = totals.get(id(ancestor), 0) + length
            if ancestor is root:
                break
    return totals


def _paragraph_score(el: Tag, link_text: dict[int, int]) -> float:
    """Text in the element's own paragraphs, penalised by link text (lists of links are not articles)."""
    own = 0
    for child in el.contents:
        kind = type(child)
        if kind is Tag:
            if child.name == "p":
                own += len(child.get_text(strip=True))
        elif kind is NavigableString:
            own += len(child.strip())
    return own - 2 * link_text.get(id(el), 0)


def _paragraphs(el: Tag) -> list[str]:
    """Visible text blocks of ``el`` in order, split at block elements and <br>. Iterative: a page
    nested ten thousand levels deep must not exhaust the stack."""
    lines: list[str] = []
    current: list[str] = []

    def flush():
        text = re.sub(r"\s+", " ", "".join(current)).strip()
        if text:
            lines.append(text)
        current.clear()

    stack: list = [iter(el.children)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        if child is _FLUSH:
            flush()
        elif isinstance(child, NavigableString):
            if type(child) is NavigableString:  # skip comments, CDATA, doctype
                current.append(str(child))
        elif isinstance(child, Tag):
            if child.name in _BLOCK_TAGS:
                flush()
                stack.append(iter([_FLUSH]))
            stack.append(iter(child.children))
    flush()
    return lines


_FLUSH = object()


def _info_text(soup: BeautifulSoup, body_el: Tag, profile: SiteProfile | None) -> str:
    """Text that carries the date and source: the profile's info element, else the page around the body."""
    parts = []
    read: dict[str, str] = {}  # selector -> text; profiles often give both fields the same info line
    for field in ("published_at", "source"):
        selector = getattr(profile, field, None) if profile else None
        if selector:
            if selector not in read:
                read[selector] = _text(select_one_required(soup, selector, profile=profile.key, field=field))
            parts.append(read[selector])
    if not parts:
        # The short lines around the body (same container, not in the body) hold 发布时间/来源;
        # sometimes the body's own first lines do.
        body_lines = _paragraphs(body_el)
        inside = set(body_lines)
        container = body_el.parent if body_el.parent is not None else body_el
        parts = [line for line in _paragraphs(container) if line not in inside and len(line) <= 120]
        # The body is often wrapped (div#zoom > div.TRS_Editor): the info line sits beside the wrapper, so
        # look a few levels further out until a publish time turns up.
        outer = container
        for _ in range(3):
            if find_datetime(repair_text("\n".join(parts)), labelled_only=True) or outer.parent is None \
                    or outer.parent.name in ("body", "html", "[document]"):
                break
            outer = outer.parent
            parts = [line for line in _paragraphs(outer) if line not in inside and len(line) <= 120]
        parts += [line for line in body_lines[:3] if _INFO_LINE.match(repair_text(line))]
    return repair_text("\n".join(parts))


def _meta_published(soup: BeautifulSoup) -> object:
    """The publish time from the most trusted meta tag that has one (META_NAMES order). One pass over
    the <meta> tags: asking the tree once per name walked the whole page a dozen times."""
    by_name: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
        content = tag.get("content")
        if not content:
            continue
        for attr in ("name", "property"):
            key = tag.get(attr)
            if isinstance(key, str):
                by_name.setdefault(key.strip().lower(), []).append(content)
    for name in META_NAMES:
        for content in by_name.get(name, ()):
            moment = parse_iso(content) or find_datetime(content)
            if moment is not None:
                return moment
    return None


def _source_name(info_text: str) -> str | None:
    m = _SOURCE.search(info_text)
    return m.group(1) if m else None
