"""Read sources: local files, directories, globs, and single http(s) article URLs. This is the I/O edge;
everything after it is pure."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".txt")
USER_AGENT = "orgledger/0.1 (+https://example.invalid/orgledger; research crawler)"
TIMEOUT = (10, 30)  # connect, read seconds


@dataclass(frozen=True)
class RawPage:
    source: str  # what the user gave
    url: str  # file:// URI or http(s) URL
    data: bytes
    http_charset: str | None = None


class SourceError(Exception):
    """A source that could not be read; carries the locator for the run's findings."""

    def __init__(self, url: str, message: str):
        super().__init__(message)
        self.url = url


def is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def expand_source(spec: str) -> list[str]:
    """One spec → page locators: a URL as is, a file, every page file under a directory, or a glob's
    matches. Sorted, so runs are reproducible. A spec that matches nothing is an error."""
    if is_url(spec):
        return [spec]
    if spec.startswith("file://"):
        spec = spec[len("file://"):]
    path = Path(spec).expanduser()
    if path.is_file():
        return [str(path.resolve())]
    if path.is_dir():
        return sorted(str(p.resolve()) for p in path.rglob("*") if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES)
    matches = sorted(str(Path(p).resolve()) for p in glob.glob(os.path.expanduser(spec), recursive=True)
                     if Path(p).is_file())
    if not matches:
        raise SourceError(spec, f"source {spec!r} matches no file, directory or glob")
    return matches


def fetch_page(locator: str) -> RawPage:
    """Read one page's bytes. Raises SourceError with a clear message on any failure."""
    if is_url(locator):
        return _fetch_url(locator)
    path = Path(locator)
    try:
        return RawPage(source=locator, url=path.resolve().as_uri(), data=path.read_bytes())
    except OSError as exc:
        raise SourceError(path.resolve().as_uri(), f"cannot read {locator}: {exc.strerror or exc}") from exc


def _fetch_url(url: str) -> RawPage:
    import requests

    from parsers.encoding import charset_from_content_type

    try:
        response = requests.get(url, timeout=TIMEOUT, headers={"User-Agent": USER_AGENT})
        response.raise_for_status()
    except requests.RequestException as exc:
        raise SourceError(url, f"cannot fetch {url}: {exc}") from exc
    return RawPage(
        source=url,
        url=response.url,
        data=response.content,
        http_charset=charset_from_content_type(response.headers.get("Content-Type")),
    )
