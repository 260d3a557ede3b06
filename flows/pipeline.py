"""The pipeline's steps as plain functions: the flow orchestrates them, the tests and the CLI call them
directly. A page that fails is recorded and never sinks the rest of the run."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from parsers import PARSER_VERSION
from parsers.article import parse_page
from parsers.extract import extract
from parsers.model import Extraction
from parsers.profiles import SiteProfile
from warehouse.load import Failure

from .sources import RawPage, SourceError, expand_source, fetch_page


@dataclass
class ReadResult:
    pages: list[RawPage] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


@dataclass
class ParsedBatch:
    extractions: list[Extraction] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    unchanged: int = 0


def expand_sources(specs: list[str]) -> tuple[list[str], list[Failure]]:
    """All page locators the specs name, deduplicated in order, and the specs that named nothing."""
    locators: dict[str, None] = {}
    failures = []
    for spec in specs:
        try:
            locators.update(dict.fromkeys(expand_source(spec)))
        except SourceError as exc:
            failures.append(Failure(exc.url, "read_error", str(exc)))
    return list(locators), failures


def fetch_pages(locators: list[str]) -> ReadResult:
    result = ReadResult()
    for locator in locators:
        try:
            result.pages.append(fetch_page(locator))
        except SourceError as exc:
            result.failures.append(Failure(exc.url, "read_error", str(exc)))
    return result


def read_sources(specs: list[str]) -> ReadResult:
    locators, failures = expand_sources(specs)
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


def page_fingerprint(page: RawPage) -> str:
    return hashlib.sha256(page.data).hexdigest()


def split_unchanged(pages: list[RawPage], known: dict[str, tuple[str, str]]) -> tuple[list[RawPage], int]:
    """Drop pages whose bytes and parser version match what the warehouse already holds for their URL:
    they would only restate what is stored."""
    changed = [p for p in pages if known.get(p.url) != (page_fingerprint(p), PARSER_VERSION)]
    return changed, len(pages) - len(changed)


def parse_one(page: RawPage, profiles: tuple[SiteProfile, ...]) -> Extraction:
    article = parse_page(page.data, source=page.source, url=page.url, http_charset=page.http_charset,
                         profiles=profiles)
    return extract(article)


def parse_pages(pages: list[RawPage], profiles: tuple[SiteProfile, ...]) -> tuple[list[Extraction], list[Failure]]:
    extractions, failures = [], []
    for page in pages:
        try:
            extractions.append(parse_one(page, profiles))
        except Exception as exc:  # one bad page must not sink the run; it becomes a finding
            failures.append(Failure(page.url, "parse_error", f"{type(exc).__name__}: {exc}"))
    return extractions, failures
