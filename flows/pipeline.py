"""The pipeline's steps as plain functions: the flow orchestrates them, the tests and the CLI call them
directly. A page that fails is recorded and never sinks the rest of the run."""

from __future__ import annotations

from dataclasses import dataclass, field

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


def read_sources(specs: list[str]) -> ReadResult:
    result = ReadResult()
    seen = set()
    for spec in specs:
        try:
            locators = expand_source(spec)
        except SourceError as exc:
            result.failures.append(Failure(exc.url, "read_error", str(exc)))
            continue
        for locator in locators:
            if locator in seen:
                continue
            seen.add(locator)
            try:
                result.pages.append(fetch_page(locator))
            except SourceError as exc:
                result.failures.append(Failure(exc.url, "read_error", str(exc)))
    return result


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
