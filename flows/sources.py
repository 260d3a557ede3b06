"""Sources: what a run reads, and reading it. This is the I/O edge; everything after it is pure.

A source spec is one of
* a file, a directory (every page file under it), or a glob;
* an ``http(s)://`` URL of one article (fetched politely, see :mod:`flows.fetcher`);
* ``site:KEY`` — crawl the listing pages of the ``[[sites]]`` entry KEY (see :mod:`flows.crawl`);
* ``archive:`` or ``archive:DIR`` — every article body in the raw archive (newest per URL), for
  ``orgledger reparse``: no network needed.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import quote_from_bytes

from . import archive

PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".txt")


@dataclass(frozen=True)
class RawPage:
    source: str  # what the user gave
    url: str  # file:// URI or http(s) URL (after redirects)
    data: bytes
    http_charset: str | None = None
    # A local file's (size, mtime_ns) as read, when trustworthy for skipping it unread next time.
    file_stat: tuple[int, int] | None = None

    @cached_property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes. Hashed once: the flow needs it to skip unchanged pages, the parser
        for the article's content hash, and the cached value travels with the page to a worker."""
        return hashlib.sha256(self.data).hexdigest()


# A file modified this close to when it was read may change again within the same mtime tick
# without its stat changing ("racy" in git's words): its stat is not recorded, so the next run
# reads and hashes it.
RACY_SECONDS = 2.0


class SourceError(Exception):
    """A source that could not be read; carries the locator for the run's findings."""

    def __init__(self, url: str, message: str):
        super().__init__(message)
        self.url = url


def is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def is_site(spec: str) -> bool:
    return spec.startswith("site:")


def is_archived(spec: str) -> bool:
    return spec.startswith("archive:")


def _inside(path: str, root: str) -> bool:
    """Whether resolved ``path`` is ``root`` or under it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _confined(spec: str, files: list[Path], base: Path | None, roots: tuple[Path, ...]) -> list[str]:
    """Resolved files, refusing any that a symlink or '..' takes outside the folder the spec names, or
    outside the configured local roots."""
    out = []
    for file in files:
        resolved = file.resolve()
        if base is not None and not _inside(str(resolved), str(base)):
            raise SourceError(str(file), f"{file} leads outside {base} (symlink or '..'); refused")
        if roots and not any(_inside(str(resolved), str(root)) for root in roots):
            raise SourceError(str(file), f"{resolved} is outside the configured local_roots; refused")
        out.append(str(resolved))
    return out


def _folder_pages(folder: Path, roots: tuple[Path, ...]) -> list[str]:
    """The page files under ``folder``, resolved, in path order; the same list as resolving every file of
    ``sorted(folder.rglob("*"))`` and confining it with :func:`_confined`, with a fraction of the system
    calls. The walk starts at the resolved folder and never enters a symlinked folder (nor does rglob),
    so only a symlinked file can lead elsewhere: only those are resolved. On an unchanged re-run of
    10,000 files, resolving each one was most of the run's own time."""
    base = str(folder.resolve())
    root_texts = [str(root) for root in roots]
    base_allowed = not roots or any(_inside(base, root) for root in root_texts)
    out = []
    for path, is_link in sorted(_walk_pages(base), key=lambda item: item[0].split(os.sep)):
        resolved = os.path.realpath(path) if is_link else path
        if is_link and not _inside(resolved, base):
            shown = _as_spelled(folder, path, base)
            raise SourceError(shown, f"{shown} leads outside {base} (symlink or '..'); refused")
        # A link that stayed inside an allowed folder is allowed; so only a folder that is not needs checks.
        if not base_allowed and not any(_inside(resolved, root) for root in root_texts):
            raise SourceError(_as_spelled(folder, path, base),
                              f"{resolved} is outside the configured local_roots; refused")
        out.append(resolved)
    return out


def _as_spelled(folder: Path, path: str, base: str) -> str:
    """``path`` (under the resolved ``base``) under ``folder`` as the user spelled it, for messages."""
    return str(folder / os.path.relpath(path, base))


def _walk_pages(top: str):
    """(path, is symlink) of each file with a page suffix under ``top``; symlinked folders are not entered."""
    folders = [top]
    while folders:
        try:
            entries = os.scandir(folders.pop())
        except PermissionError:  # as rglob: an unreadable folder is skipped
            continue
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif _suffix(entry.name).lower() in PAGE_SUFFIXES and entry.is_file():
                    yield entry.path, entry.is_symlink()


def _suffix(name: str) -> str:
    """``PurePath(name).suffix``: the last dot's part, unless the dot is first or last."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _glob_base(spec: str) -> Path:
    """The folder a glob names: its leading components without wildcards (``pages/2019/**/*.html`` →
    ``pages/2019``). Matches reached through symlinks out of it are refused."""
    parts = []
    for part in Path(os.path.expanduser(spec)).parts:
        if any(c in part for c in "*?["):
            break
        parts.append(part)
    return Path(*parts).resolve() if parts else Path.cwd()


def expand_source(spec: str, *, archive_root: str | os.PathLike | None = None,
                  local_roots: tuple[str, ...] = ()) -> list[str]:
    """One spec → page locators, sorted so runs are reproducible. A spec that matches nothing is an
    error. ``site:KEY`` specs are returned as they are (the crawler expands them). Local files must stay
    inside the folder a directory or glob names, and inside ``local_roots`` when configured."""
    if is_url(spec) or is_site(spec):
        return [spec]
    if is_archived(spec):
        root = spec[len("archive:"):] or archive_root
        if not root:
            raise SourceError(spec, "archive: needs a folder (archive:DIR) or a configured archive")
        records = archive.latest_articles(root)
        if not records:
            raise SourceError(spec, f"the archive at {root} holds no article bodies")
        return [archive_locator(str(root), r) for r in records]
    if spec.startswith("file://"):
        spec = spec[len("file://"):]
    roots = tuple(Path(r).expanduser().resolve() for r in local_roots)
    path = Path(spec).expanduser()
    if path.is_file():
        return _confined(spec, [path], None, roots)
    if path.is_dir():
        return _folder_pages(path, roots)
    matches = sorted(Path(p) for p in glob.glob(os.path.expanduser(spec), recursive=True) if Path(p).is_file())
    if not matches:
        raise SourceError(spec, f"source {spec!r} matches no file, directory or glob")
    return sorted(_confined(spec, matches, _glob_base(spec), roots))


def archive_locator(root: str, record: dict) -> str:
    return "archive:" + json.dumps([root, record["body_sha256"], record["final_url"], record.get("content_type")],
                                   ensure_ascii=False)


def local_uri(locator: str) -> str:
    """The file:// URI of a local locator, as ``Path(locator).resolve().as_uri()`` gives it, cheaply for
    the absolute, resolved paths that expand_source returns (building 10,000 Path objects was a third of
    an unchanged re-run's own work). An absolute path that is not resolved (a symlink in it) gets its
    own URI, not the target's: a lookup by it then misses, and the page is read and compared by content."""
    if os.name != "posix" or not locator.startswith("/"):
        return Path(locator).resolve().as_uri()
    return "file://" + quote_from_bytes(os.fsencode(os.path.normpath(locator)))


def read_file(locator: str) -> RawPage:
    path = Path(locator)
    try:
        with open(path, "rb") as handle:
            before = os.fstat(handle.fileno())
            data = handle.read()
            after = os.fstat(handle.fileno())
        stat = (after.st_size, after.st_mtime_ns)
        trusted = (before.st_size, before.st_mtime_ns) == stat and len(data) == after.st_size \
            and time.time() - after.st_mtime >= RACY_SECONDS
        return RawPage(source=locator, url=path.resolve().as_uri(), data=data,
                       file_stat=stat if trusted else None)
    except OSError as exc:
        raise SourceError(path.resolve().as_uri(), f"cannot read {locator}: {exc.strerror or exc}") from exc


def read_archived(locator: str) -> RawPage:
    from parsers.encoding import charset_from_content_type

    root, sha, url, content_type = json.loads(locator[len("archive:"):])
    try:
        data = archive.load_body(root, sha)
    except OSError as exc:
        raise SourceError(url, f"archived body {sha} of {url} cannot be read: {exc}") from exc
    return RawPage(source=url, url=url, data=data, http_charset=charset_from_content_type(content_type))


def fetch_page(locator: str, allow_hosts: tuple[str, ...] = ()) -> RawPage:
    """Read one page given by a file path, an archive locator or (with default politeness) a URL.
    Used by ``orgledger parse``; runs fetch URLs through :func:`flows.pipeline.fetch_pages`."""
    if is_archived(locator):
        return read_archived(locator)
    if not is_url(locator):
        return read_file(locator)
    from .fetcher import CrawlPolicy, Fetcher

    policy = CrawlPolicy(min_delay=0.0, allow_hosts=frozenset(h.lower() for h in allow_hosts))
    fetch = Fetcher(policy).fetch(locator)
    if fetch.outcome != "ok":
        raise SourceError(locator, f"cannot fetch {locator}: {fetch.outcome}: {fetch.detail}")
    return RawPage(source=locator, url=fetch.final_url, data=fetch.body, http_charset=fetch.charset)
