"""Site profiles: how to read and crawl a known site. Adding a site is adding a ``[[sites]]`` entry to
the config (plus fixture pages and golden outputs), never code."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag


@dataclass(frozen=True)
class SiteProfile:
    key: str
    name: str = ""
    hosts: tuple[str, ...] = ()
    # CSS selector, matched within <head>, that identifies a saved page of this site when there is no
    # URL host to go by (e.g. meta[name="SiteName"][content="浙江网信网"]).
    detect: str | None = None
    encoding: str | None = None
    title: str | None = None
    published_at: str | None = None
    source: str | None = None
    body: str | None = None
    # Elements inside the body to drop (share widgets, "related news" boxes embedded in the article).
    drop: tuple[str, ...] = ()
    title_suffixes: tuple[str, ...] = field(default_factory=tuple)
    # Crawling (source `site:KEY`): listing pages, the links to articles on them, the next listing page.
    start_urls: tuple[str, ...] = ()
    article_links: str | None = None
    next_page: str | None = None
    max_pages: int = 5
    # Stop paging when a listing page links only to articles already stored.
    stop_at_known: bool = True
    # Hosts besides ``hosts`` that article links may lead to (everything else is off-site).
    follow_hosts: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, entry: dict) -> "SiteProfile":
        known = set(cls.__dataclass_fields__)
        unknown = set(entry) - known
        if unknown:
            raise ValueError(f"site profile {entry.get('key')!r}: unknown settings {sorted(unknown)}")
        if "key" not in entry:
            raise ValueError(f"site profile without a key: {entry}")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()}
        return cls(**values)


def match_host(profiles: tuple[SiteProfile, ...], url: str) -> SiteProfile | None:
    """The profile whose hosts include the URL's host."""
    host = (urlsplit(url).hostname or "").lower()
    if host:
        for profile in profiles:
            if host in profile.hosts:
                return profile
    return None


def match_profile(profiles: tuple[SiteProfile, ...], url: str, soup: BeautifulSoup | None) -> SiteProfile | None:
    """The profile for a page: by URL host first, then by the profile's ``detect`` selector."""
    by_host = match_host(profiles, url)
    if by_host is not None:
        return by_host
    if soup is not None:
        # Matched within <head> (a meta tag, say): searching a whole 100 KB body for every profile
        # costs more than parsing it.
        return detect_profile(profiles, soup.head or soup)
    return None


def detect_profile(profiles: tuple[SiteProfile, ...], head: BeautifulSoup | Tag) -> SiteProfile | None:
    """The first profile whose ``detect`` selector matches within ``head``."""
    for profile in profiles:
        if profile.detect and head.select_one(profile.detect) is not None:
            return profile
    return None
