"""Crawl a configured site's listing pages (``site:KEY`` sources): follow the next-page links up to
``max_pages``, collect article links, keep only links on the site's hosts (others are logged as
``off_site``), and stop early when a listing page links only to articles already stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup

from parsers.encoding import decode_html
from parsers.profiles import SiteProfile
from parsers.selectors import select_all_required

from .fetcher import Fetch, Fetcher


@dataclass
class Discovery:
    article_urls: list[str] = field(default_factory=list)
    fetches: list[Fetch] = field(default_factory=list)  # listing pages and off-site links


def _links(fetch: Fetch, selector: str, site: SiteProfile) -> list[str]:
    soup = BeautifulSoup(decode_html(fetch.body, fetch.charset).text, "lxml")
    hrefs = [a.get("href") for a in select_all_required(soup, selector, profile=site.key, field="article_links")]
    return [urldefrag(urljoin(fetch.final_url, h.strip()))[0] for h in hrefs if h and h.strip()]


def _next_page(fetch: Fetch, site: SiteProfile) -> str | None:
    if not site.next_page:
        return None
    soup = BeautifulSoup(decode_html(fetch.body, fetch.charset).text, "lxml")
    link = soup.select_one(site.next_page)
    href = link.get("href") if link is not None else None
    return urldefrag(urljoin(fetch.final_url, href.strip()))[0] if href and href.strip() else None


def discover_site(site: SiteProfile, fetcher: Fetcher, known_urls: set[str],
                  validators: dict[str, tuple[str | None, str | None, str | None]]) -> Discovery:
    if not site.start_urls or not site.article_links:
        raise ValueError(f"site {site.key!r} has no start_urls/article_links to crawl")
    found = Discovery()
    hosts = {h.lower() for h in (*site.hosts, *site.follow_hosts)}
    seen_links: set[str] = set()
    for start in site.start_urls:
        url, pages, visited = start, 0, set()
        hosts.add((urlsplit(start).hostname or "").lower())
        while url and pages < site.max_pages and url not in visited:
            visited.add(url)
            etag, modified, _ = validators.get(url, (None, None, None)) if pages == 0 else (None, None, None)
            listing = fetcher.fetch(url, kind="listing", etag=etag, last_modified=modified)
            found.fetches.append(listing)
            pages += 1
            if listing.outcome != "ok":
                break  # not_modified on the first page: nothing new was listed
            links = _links(listing, site.article_links, site)
            for link in links:
                if link in seen_links:
                    continue
                seen_links.add(link)
                if (urlsplit(link).hostname or "").lower() not in hosts:
                    found.fetches.append(Fetch(kind="article", url=link, outcome="off_site",
                                               detail=f"not on {site.key}'s hosts; not followed"))
                else:
                    found.article_urls.append(link)
            if site.stop_at_known and links and all(link in known_urls for link in links):
                break
            url = _next_page(listing, site)
    return found
