"""The raw archive: every fetched body, gzip-compressed and content-addressed, plus one JSON line per
fetch (URL, status, headers, time, body hash). `orgledger reparse` rebuilds the warehouse from it with
no network, so nothing fetched is ever lost because parsing failed.

Layout::

    <archive>/bodies/ab/abcdef…(sha256).gz     the body, written once (same bytes, same file)
    <archive>/fetches/<run_id>-<n>.jsonl        one record per fetch (a file per batch of a run)

Writes are atomic (temporary file, fsync, rename): a crash or a full disk leaves either the whole file
or none of it, and the error is raised to the run.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path


class ArchiveError(OSError):
    """The archive could not be written (e.g. the disk is full); the run must stop before loading."""


def body_path(root: Path, sha256: str) -> Path:
    return root / "bodies" / sha256[:2] / f"{sha256}.gz"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def store_body(root: str | Path, data: bytes) -> str:
    """Keep ``data``; returns its sha256. Storing the same bytes twice writes nothing the second time."""
    sha = hashlib.sha256(data).hexdigest()
    path = body_path(Path(root), sha)
    if not path.exists():
        try:
            # mtime=0: the same bytes give the same compressed file.
            _atomic_write(path, gzip.compress(data, compresslevel=6, mtime=0))
        except OSError as exc:
            raise ArchiveError(exc.errno, f"cannot write the raw archive at {path}: {exc.strerror or exc}") from exc
    return sha


def load_body(root: str | Path, sha256: str) -> bytes:
    return gzip.decompress(body_path(Path(root), sha256).read_bytes())


def append_fetches(root: str | Path, run_id: str, records: list[dict]) -> None:
    """Add fetch records of a run: one new file per call, so no earlier record is ever rewritten."""
    if not records:
        return
    path = Path(root) / "fetches" / f"{run_id}-{uuid.uuid4().hex[:12]}.jsonl"
    lines = b"".join(json.dumps(r, ensure_ascii=False, sort_keys=True).encode() + b"\n" for r in records)
    try:
        _atomic_write(path, lines)
    except OSError as exc:
        raise ArchiveError(exc.errno, f"cannot write the raw archive at {path}: {exc.strerror or exc}") from exc


def fetch_records(root: str | Path) -> Iterator[dict]:
    folder = Path(root) / "fetches"
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)


def latest_articles(root: str | Path) -> list[dict]:
    """The newest archived body of every article URL (by fetch time), for reparse."""
    latest: dict[str, dict] = {}
    for record in fetch_records(root):
        if record.get("kind") != "article" or record.get("outcome") != "ok" or not record.get("body_sha256"):
            continue
        url = record["final_url"]
        # ISO 8601 UTC timestamps of one format: string order is time order.
        if url not in latest or record["fetched_at"] > latest[url]["fetched_at"]:
            latest[url] = record
    return [latest[url] for url in sorted(latest)]
