"""The pipeline's steps as plain functions: the flow orchestrates them, the tests and the CLI call them
directly. A page that fails is recorded and never sinks the rest of the run."""

from __future__ import annotations

import json
import os
import pickle
import tempfile
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from parsers import PARSER_VERSION
from parsers.article import parse_page
from parsers.extract import extract
from parsers.model import Article, Extraction
from parsers.profiles import SiteProfile
from warehouse.load import Failure
from warehouse.records import PackedRows, StagedRows

from . import archive
from .fetcher import CrawlPolicy, Fetch, Fetcher
from .sources import (RawPage, SourceError, expand_source, is_archived, is_site, is_url, local_uri, read_archived,
                      read_file)


@dataclass(frozen=True)
class PageRef:
    """What the flow needs to know of a page it read, without the page's bytes."""

    url: str
    http_charset: str | None
    sha256: str
    file_stat: tuple[int, int] | None = None  # see RawPage.file_stat


@dataclass
class ReadResult:
    pages: list[RawPage] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    fetches: list[Fetch] = field(default_factory=list)  # http(s) fetch outcomes, for fetch_log
    not_modified: int = 0  # answered 304 to a conditional request
    # When set, the pages' bytes were moved to this file (spool_pages) and ``pages`` is empty;
    # ``refs`` then describes them.
    spool: str | None = None
    refs: list[PageRef] = field(default_factory=list)

    def release(self) -> None:
        """Drop what was staged. Prefect keeps each task's result in memory for the whole flow run (a
        toy flow of 60 tasks returning 6 MB each: +89 MB after gc, +15 MB with the results emptied), and
        a 100k-page run has 500 of these, with 200 page refs each."""
        self.pages, self.failures, self.fetches, self.refs = [], [], [], []

    def page_refs(self) -> list[PageRef]:
        if self.spool is not None:
            return self.refs
        return [PageRef(p.url, p.http_charset, p.sha256, p.file_stat) for p in self.pages]

    def load_pages(self, urls: set[str] | None = None) -> list[RawPage]:
        """The pages (those with one of ``urls``), from memory or from the spool file."""
        if self.spool is None:
            return [p for p in self.pages if urls is None or p.url in urls]
        pages = []
        # Our own file, in the run's private temporary folder: one pickle per page (spool_pages), so a
        # worker that parses part of a batch holds only its part's bytes, never the whole batch's.
        with open(self.spool, "rb") as handle:
            while True:
                try:
                    page = pickle.load(handle)
                except EOFError:
                    return pages
                if urls is None or page.url in urls:
                    pages.append(page)


def spool_pages(result: ReadResult, folder: str) -> ReadResult:
    """Move a batch's page bytes out of memory into a file in ``folder``: between the flow's tasks
    only the path and the pages' refs travel. Prefect keeps what passes through tasks (parameters,
    results) in ways that held about a gigabyte for a 10,000-page run; plain threads held 0.1 GB."""
    if not result.pages:
        return result
    refs = result.page_refs()
    fd, path = tempfile.mkstemp(prefix="pages-", suffix=".pickle", dir=folder)
    with os.fdopen(fd, "wb") as handle:
        for page in result.pages:  # one pickle each: load_pages keeps only the pages it is asked for
            pickle.dump(page, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return replace(result, pages=[], spool=path, refs=refs)


@dataclass
class ParsedBatch:
    rows: PackedRows  # the warehouse rows of the batch's changed pages (and of those that failed)
    unchanged: int = 0
    files: list[tuple[str, int, int, str]] = field(default_factory=list)  # see file_records

    def release(self) -> None:
        """Drop the rows once staged. Prefect's future for the batch and the future it wraps refer to
        each other (a done-callback), so the result they hold lives until a full cyclic collection,
        which comes rarely in a process with many long-lived objects (the flow collects every 20
        batches): the 10k-page flow's process peaked at 618 MB with them, 529 MB without."""
        self.rows = _NO_ROWS
        self.files = []


_NO_ROWS = PackedRows.pack(StagedRows())


def file_records(refs: list[PageRef]) -> list[tuple[str, int, int, str]]:
    """(url, size, mtime_ns, content hash) of the local files read with a trustworthy stat."""
    return [(r.url, *r.file_stat, r.sha256) for r in refs if r.file_stat is not None]


@dataclass
class Known:
    """What the warehouse already holds, read once at the start of a run."""

    pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # article url -> (content hash, parser)
    # url -> (ETag, Last-Modified, final URL) of its latest successful fetch
    validators: dict[str, tuple[str | None, str | None, str | None]] = field(default_factory=dict)
    # file:// url -> (size, mtime_ns, content hash) of the local file when it was last read
    files: dict[str, tuple[int, int, str]] = field(default_factory=dict)

    @property
    def urls(self) -> set[str]:
        return set(self.pages) | set(self.validators)

    def subset(self, locators: list[str]) -> "Known":
        """Only what a batch needs (file locators are stored as file:// URIs; a URL that redirected
        brings the page stored under its final URL)."""
        keys = [loc if is_url(loc) else local_uri(loc) for loc in locators if not is_archived(loc)]
        keys += [json.loads(loc[len("archive:"):])[2] for loc in locators if is_archived(loc)]
        keys += [self.validators[k][2] for k in keys if k in self.validators and self.validators[k][2]]
        return Known({k: self.pages[k] for k in keys if k in self.pages},
                     {k: self.validators[k] for k in keys if k in self.validators})

    def skip_unchanged_files(self, locators: list[str]) -> tuple[list[str], int]:
        """Leave out local files that are unchanged by their stat: same size and modification time as
        when the content stored for them (with the current parser) was read. Nothing is read or hashed
        for them, so an unchanged re-run costs a stat per file. Returns (locators to read, skipped)."""
        if not self.files:
            return locators, 0
        keep, skipped = [], 0
        for locator in locators:
            if not (is_url(locator) or is_archived(locator)) and self._file_unchanged(locator):
                skipped += 1
            else:
                keep.append(locator)
        return keep, skipped

    def _file_unchanged(self, locator: str) -> bool:
        url = local_uri(locator)
        recorded = self.files.get(url)
        if recorded is None or self.pages.get(url) != (recorded[2], PARSER_VERSION):
            return False
        try:
            stat = os.stat(locator)
        except OSError:
            return False  # let the read report it
        return (stat.st_size, stat.st_mtime_ns) == recorded[:2]


# Fetch outcomes that are failures to report; the others (robots, off-site, 304) are policy, not faults.
FAILED_FETCHES = ("http_error", "timeout", "connection_error", "too_large", "wrong_type", "refused_address",
                  "redirect_limit", "bad_scheme")


def expand_sources(specs: list[str], archive_root=None,
                   local_roots: tuple[str, ...] = ()) -> tuple[list[str], list[str], list[Failure]]:
    """Page locators the specs name (deduplicated, in order), the sites to crawl, and the specs that
    named nothing."""
    locators: dict[str, None] = {}
    sites: list[str] = []
    failures = []
    for spec in specs:
        if is_site(spec):
            sites.append(spec[len("site:"):])
            continue
        try:
            locators.update(dict.fromkeys(expand_source(spec, archive_root=archive_root, local_roots=local_roots)))
        except SourceError as exc:
            failures.append(Failure(exc.url, "read_error", str(exc)))
    return list(locators), sites, failures


def fetch_pages(locators: list[str], fetcher: Fetcher | None = None, known: Known | None = None,
                archive_root=None) -> ReadResult:
    """Read a batch: files and archived bodies from disk, URLs through the fetcher (conditional
    requests where the warehouse knows validators; every fetched body is archived before parsing)."""
    result = ReadResult()
    known = known or Known()
    for locator in locators:
        try:
            if is_url(locator):
                _fetch_url(locator, fetcher or default_fetcher(), known, archive_root, result)
            elif is_archived(locator):
                result.pages.append(read_archived(locator))
            else:
                result.pages.append(read_file(locator))
        except SourceError as exc:
            result.failures.append(Failure(exc.url, "read_error", str(exc)))
    if fetcher is not None:
        result.fetches += fetcher.drain_robots()
    return result


def _fetch_url(url: str, fetcher: Fetcher, known: Known, archive_root, result: ReadResult) -> None:
    etag, modified, _ = known.validators.get(url, (None, None, None))
    fetch = fetcher.fetch(url, etag=etag, last_modified=modified)
    if fetch.outcome == "ok":
        if archive_root is not None:
            fetch.body_sha256 = archive.store_body(archive_root, fetch.body)
        result.pages.append(RawPage(source=url, url=fetch.final_url, data=fetch.body, http_charset=fetch.charset))
        fetch.body = None  # the page holds the bytes; the fetch record travels on without them
    elif fetch.outcome == "not_modified":
        result.not_modified += 1
    elif fetch.outcome in FAILED_FETCHES:
        result.failures.append(Failure(url, "fetch_error", f"{fetch.outcome}: {fetch.detail}"))
    result.fetches.append(fetch)


def default_fetcher() -> Fetcher:
    return Fetcher(CrawlPolicy())


def read_sources(specs: list[str]) -> ReadResult:
    """Read local sources (and single URLs with the default policy) in one go: for tests and tools."""
    locators, _, failures = expand_sources(specs)
    result = fetch_pages(locators)
    result.failures[:0] = failures
    return result


def host_of(locator: str) -> str:
    return (urlsplit(locator).hostname or "") if locator.startswith(("http://", "https://")) else ""


def plan_batches(locators: list[str], batch_size: int, per_host: int) -> list[list[list[str]]]:
    """Lanes of batches. Batches in one lane run one after another; lanes run concurrently. Each host
    gets at most ``per_host`` lanes, so at most ``per_host`` requests to it are in flight."""
    by_host: dict[str, list[str]] = {}
    for locator in locators:
        by_host.setdefault(host_of(locator), []).append(locator)
    lanes = []
    for host_locators in by_host.values():
        batches = [host_locators[i:i + batch_size] for i in range(0, len(host_locators), batch_size)]
        width = min(per_host, len(batches))
        lanes += [batches[i::width] for i in range(width)]
    return lanes


def split_unchanged(refs: list[PageRef], known: Known) -> tuple[set[str], int]:
    """URLs of the pages to parse, and how many were left out because their bytes and the parser
    version match what the warehouse already holds for their URL (they would only restate it)."""
    changed = [r for r in refs if known.pages.get(r.url) != (r.sha256, PARSER_VERSION)]
    return {r.url for r in changed}, len(refs) - len(changed)


def parse_article(page: RawPage, profiles: tuple[SiteProfile, ...]) -> Article:
    return parse_page(page.data, source=page.source, url=page.url, http_charset=page.http_charset,
                      profiles=profiles, content_hash=page.sha256)


def parse_one(page: RawPage, profiles: tuple[SiteProfile, ...]) -> Extraction:
    return extract(parse_article(page, profiles))


def parse_pages(pages: list[RawPage], profiles: tuple[SiteProfile, ...]) -> tuple[list[Extraction], list[Failure]]:
    extractions, failures = [], []
    for page in pages:
        try:
            extractions.append(parse_one(page, profiles))
        except Exception as exc:  # one bad page must not sink the run; it becomes a finding
            failures.append(Failure(page.url, "parse_error", f"{type(exc).__name__}: {exc}"))
    return extractions, failures
