"""Build BeautifulSoup's tree of a page without its furniture (navigation, sidebars, footers …).

The generic extractor throws page furniture away anyway (``article._strip_furniture``), and on real
government pages it is most of the markup: 86 % of the elements of the benchmark corpus. Building those
elements into BeautifulSoup's tree and then decomposing them was half of a page's parse time.
:class:`PruningTreeBuilder` is BeautifulSoup's lxml tree builder that never builds them: lxml still
reads every byte, but a left-out element costs a counter instead of a Tag.

The result equals parsing everything and then decomposing the furniture, with two things kept for the
title rule, which looks at the page before the furniture goes (``article._page_title``):

* the text of the first ``<title>`` and of every heading in document order, each as
  ``get_text(" ", strip=True)`` would give it on the full tree, furniture or not;
* ``<head>`` is never pruned: profile detection and the meta tags read it whole.

Profile pages (their selectors may point anywhere) are read from the whole tree. A page whose profile
is detected in its ``<head>`` (a meta tag, say) is still parsed once: the builder asks ``whole_after_head``
when ``</head>`` closes, and if it says yes, builds everything after it, furniture included. Pruning
never touches ``<head>``, so that tree is exactly the whole page's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bs4.builder import nonwhitespace_re  # how BeautifulSoup splits class="a b"
from bs4.builder._lxml import LXMLTreeBuilder

# Elements that never hold article text. Not <form>: ASP.NET WebForms pages, common among Chinese
# government sites, wrap the whole body in <form id="form1">; search and login forms are furniture by
# their class or id, or sit in a sidebar or header that is.
NEVER_BODY = frozenset(("script", "style", "noscript", "iframe", "nav", "header", "footer", "aside",
                        "select", "button"))
# class/id fragments of page furniture; matched as whole hyphen/underscore separated words.
FURNITURE = re.compile(
    r"(?:^|[-_\s])(nav|navbar|menu|sidebar|side|aside|footer|foot|header|banner|breadcrumb|crumb|share|"
    r"bdshare|related|relate|hot|rank|recommend|copyright|comment|toolbar|pager|pagination|login|search|"
    r"friendlink|links|ad|ads|gg|bottom|top)(?:$|[-_\s\d])",
    re.IGNORECASE,
)
_HEADING_NAMES = frozenset(("h1", "h2", "h3"))
_HEADING_CLASSES = frozenset(("title", "article-title"))
_WATCHED = _HEADING_NAMES | {"title"}
# Elements whose text get_text() never returns: scripts and styles (cut before parsing or decomposed),
# and those BeautifulSoup gives special string classes (ruby annotations, templates).
_UNREAD = frozenset(("script", "style", "noscript", "template", "rt", "rp"))
# Decomposed before the title rule reads the page: nothing inside them is a title or heading.
_GONE = frozenset(("script", "style", "noscript"))
# Stands for lxml's empty attribute mapping in PruningTreeBuilder.start; never written to.
_NO_ATTRIBUTES: dict[str, str] = {}
# Never pruned, so the tree keeps its frame and <head> stays whole.
_FRAME = frozenset(("html", "head"))


def is_furniture(name: str, classes, id_: str | None, role: str | None) -> bool:
    """Page furniture by its tag name, or by a furniture word in its class, id or role."""
    if name in NEVER_BODY:
        return True
    attrs = " ".join([*(classes or ()), id_ or "", role or ""])
    return bool(attrs.strip()) and bool(FURNITURE.search(attrs))


def is_heading(name: str, classes, id_: str | None) -> bool:
    """h1–h3, or an element whose class is title/article-title or whose id is title."""
    return name in _HEADING_NAMES or id_ == "title" or bool(_HEADING_CLASSES.intersection(classes or ()))


def _classes(attrib) -> list[str] | None:
    """The class attribute as BeautifulSoup stores it: split at whitespace."""
    value = attrib.get("class")
    return None if value is None else nonwhitespace_re.findall(value)


def _furniture(tag: str, attrib) -> bool:
    return is_furniture(tag, _classes(attrib), attrib.get("id"), attrib.get("role"))


def _may_be_watched(tag: str, attrib) -> bool:
    """A cheap test that rules out most elements before _watch looks closely."""
    return tag in _WATCHED or attrib.get("id") == "title" or "title" in attrib.get("class", "")


@dataclass
class Outline:
    """What the title rule reads from the whole page: texts as ``_text`` gives them on the full tree."""

    title: str | None = None  # the first <title> element's text; None: the page has none
    headings: list[str] = field(default_factory=list)


class _Capture:
    """The text of one open title/heading element, collected as get_text(" ", strip=True) would."""

    __slots__ = ("depth", "slot", "pieces", "buffer")

    def __init__(self, depth: int, slot: int):
        self.depth, self.slot, self.pieces, self.buffer = depth, slot, [], []

    def boundary(self) -> None:
        if self.buffer:
            self.pieces.append("".join(self.buffer))
            self.buffer = []

    def text(self) -> str:
        self.boundary()
        joined = " ".join(s for s in (p.strip() for p in self.pieces) if s)
        return re.sub(r"\s+", " ", joined).strip()


class PruningTreeBuilder(LXMLTreeBuilder):
    """lxml tree builder that leaves furniture elements (outside <head>) out of the tree.

    ``whole_after_head``: called with the finished ``<head>`` element; when it returns true, nothing after
    it is left out (the page turned out to need its whole tree). Asked once, for the first ``<head>``."""

    def __init__(self, *args, whole_after_head: Callable[[object], bool] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.whole_after_head = whole_after_head
        self._head_seen = False
        self.pruning = True
        self.outline = Outline()
        self._depth = 0  # open elements, kept or not
        self._skipping = 0  # depth at which the left-out element started; 0: building
        self._in_head = False
        self._unread = 0  # open elements whose text is never read
        self._gone = 0  # open script/style/noscript elements
        self._captures: list[_Capture] = []
        self._title_slot = False  # a <title> was seen

    # lxml's parser-target interface -------------------------------------------------------------

    def start(self, tag, attrib, nsmap={}):  # noqa: B006 - signature of the overridden method
        # Called for every element of the page, so the common path is kept short.
        if not attrib:
            # lxml passes an element without attributes an immutable mapping whose .get raises and
            # catches KeyError inside: 3 % of a parse worker's time went there. A plain dict answers at
            # once (BeautifulSoup copies the attributes either way).
            attrib = _NO_ATTRIBUTES
        if self._captures:
            self._boundary()
        self._depth += 1
        if tag in _UNREAD:
            self._unread += 1
            self._gone += tag in _GONE
        if not self._gone and _may_be_watched(tag, attrib):
            self._watch(tag, attrib)
        if self._skipping:
            return
        if tag == "head":
            self._in_head = True
        elif self.pruning and not self._in_head and tag not in _FRAME and _furniture(tag, attrib):
            self.soup.endData()  # text before the element stays its own string, as in the full tree
            self._skipping = self._depth
            return
        super().start(tag, attrib, nsmap)

    def end(self, tag):
        if self._captures:
            self._boundary()
            for capture in [c for c in self._captures if c.depth == self._depth]:
                self._captures.remove(capture)
                self._store(capture)
        if tag in _UNREAD:
            self._unread -= 1
            self._gone -= tag in _GONE
        depth, self._depth = self._depth, self._depth - 1
        if self._skipping:
            if depth == self._skipping:
                self._skipping = 0
            return
        super().end(tag)
        if tag == "head" and self._in_head:
            self._in_head = False
            self._head_closed()

    def _head_closed(self) -> None:
        if not self._head_seen:
            self._head_seen = True
            if self.whole_after_head is not None and self.whole_after_head(self.soup.head):
                self.pruning = False

    def data(self, content):
        if self._captures and not self._unread:
            for capture in self._captures:
                capture.buffer.append(content)
        if not self._skipping:
            super().data(content)

    def comment(self, text):
        self._boundary()
        if not self._skipping:
            super().comment(text)

    def pi(self, target, data):
        self._boundary()
        if not self._skipping:
            super().pi(target, data)

    def doctype(self, name, pubid, system):
        self._boundary()
        if not self._skipping:
            super().doctype(name, pubid, system)

    def close(self):
        for capture in self._captures:  # elements the parser never closed
            self._store(capture)
        self._captures = []
        super().close()

    # the outline ----------------------------------------------------------------------------------

    def _boundary(self) -> None:
        """BeautifulSoup ends a string at every tag, comment or instruction; so do the captures."""
        for capture in self._captures:
            capture.boundary()

    def _watch(self, tag: str, attrib) -> None:
        if tag == "title" and not self._title_slot:
            self._title_slot = True
            self._captures.append(_Capture(self._depth, -1))
        if is_heading(tag, _classes(attrib), attrib.get("id")):
            self.outline.headings.append("")
            self._captures.append(_Capture(self._depth, len(self.outline.headings) - 1))

    def _store(self, capture: _Capture) -> None:
        if capture.slot < 0:
            self.outline.title = capture.text()
        else:
            self.outline.headings[capture.slot] = capture.text()
