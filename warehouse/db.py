"""Open the warehouse file and bring its schema up to date.

DuckDB allows one writing process per file, and any other process's connection, even read-only, blocks
it. A writer therefore waits (with a log line) for analysts' connections to close, up to a timeout, and
holds its connection only for the load itself.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from .derive import rederive_history
from .queries import run_script, sql_text

log = logging.getLogger("orgledger.warehouse")

_MIGRATION_FILE = re.compile(r"^(\d{3})_(\w+)\.sql$")


# The writer's DuckDB buffer pool. Loads spill to `<warehouse>.tmp` beyond it instead of growing the
# process: a 10,000-page first load peaked at 2.2 GB with DuckDB's own default (80% of RAM) and at
# 0.35 GB with 256 MB (history derived in chunks, warehouse/derive.py), equal tables. A 100,000-page
# first load fits too, since the log tables lost their primary keys (migration 004). The 100k load
# (bench/probe_load.py on a saved stage) added 300 MB to its process with 256 MB, 234 MB with 192 MB and
# 199 MB with 160 MB, in about the same time (179 s, 154 s, 161 s); with 128 MB it ran out and went on
# with 512 MB. Reports and checks share this connection: every view and README example fits in 100 MB
# (tests/test_readme.py; org_aliases needed 160 MB until it stopped stacking copies of main.facts).
# Should a load still not fit, it is retried with more (with_memory_fallback).
WRITER_MEMORY_LIMIT = "160MB"


def duckdb_config(*, writer: bool = False) -> dict:
    """ORGLEDGER_DUCKDB_MEMORY_LIMIT if set (e.g. "2GB"); else WRITER_MEMORY_LIMIT for the writer and
    DuckDB's default for readers."""
    limit = os.environ.get("ORGLEDGER_DUCKDB_MEMORY_LIMIT") or (WRITER_MEMORY_LIMIT if writer else None)
    return {"memory_limit": limit} if limit else {}


_UNITS = {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}


def _memory_limit(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    text = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]  # e.g. '244.1 MiB'
    number, unit = text.split()
    return int(float(number) * _UNITS[unit]), text


def with_memory_fallback(con: duckdb.DuckDBPyConnection, action, logger=None, raises: int = 2, on_retry=None):
    """Run ``action()`` (a whole transaction, or one statement, that leaves nothing behind on error).
    If DuckDB runs out of its memory limit (some operators and indexes cannot spill to disk), raise the
    limit fourfold and run it again, ``raises`` times, then once more without a limit. Each step is
    logged, and counted by ``on_retry()``: a run that needed more memory says so."""
    for attempt in range(raises + 2):
        try:
            return action()
        except duckdb.OutOfMemoryException as exc:
            if attempt > raises:
                raise
            current, text = _memory_limit(con)
            if attempt < raises:
                con.execute(f"SET memory_limit = '{4 * current // 2**10}KiB'")  # a number we computed
            else:
                con.execute("RESET memory_limit")
            (logger or log).warning("DuckDB ran out of its %s memory limit (%s); retrying with %s",
                                    text, str(exc).splitlines()[0], _memory_limit(con)[1])
            if on_retry is not None:
                on_retry()
    raise AssertionError("unreachable")


class WarehouseLocked(RuntimeError):
    """Another process holds the warehouse file for longer than we are willing to wait."""


def migrations() -> list[tuple[int, str, str]]:
    from importlib import resources

    folder = resources.files("warehouse").joinpath("sql", "migrations")
    found = []
    for entry in folder.iterdir():
        m = _MIGRATION_FILE.match(entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def view_files() -> list[str]:
    """views.sql first, then any views_*.sql in name order (views may build on earlier ones)."""
    from importlib import resources

    folder = resources.files("warehouse").joinpath("sql")
    extra = sorted(e.name for e in folder.iterdir() if e.name.startswith("views_") and e.name.endswith(".sql"))
    return ["views.sql", *extra]


def pending_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Migration versions not yet applied (all of them for a file orgledger never wrote)."""
    try:
        done = {row[0] for row in con.execute("SELECT version FROM ledger.schema_migrations").fetchall()}
    except duckdb.CatalogException:
        done = set()
    return [version for version, _, _ in migrations() if version not in done]


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations not yet recorded in ``ledger.schema_migrations``; refresh views. Safe to repeat."""
    con.execute("CREATE SCHEMA IF NOT EXISTS ledger")
    con.execute(
        "CREATE TABLE IF NOT EXISTS ledger.schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM ledger.schema_migrations").fetchall()}
    applied = []
    for version, name, sql in migrations():
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            run_script(con, sql)
            con.execute(
                "INSERT INTO ledger.schema_migrations VALUES ($version, $name, $now)",
                {"version": version, "name": name, "now": datetime.now(timezone.utc)},
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    _refresh_derived_definitions(con)
    return applied


def _refresh_derived_definitions(con: duckdb.DuckDBPyConnection) -> None:
    """Role ranks, history macros and views are definitions, not data: (re)create them on every connect.
    When they changed since the history tables were derived, re-derive every key, in one transaction."""
    from parsers.extract import ROLE_RANKS

    history = sql_text("history.sql")
    fingerprint = hashlib.sha256(
        (history + repr(sorted(ROLE_RANKS.items()))).encode("utf-8")
    ).hexdigest()
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM ledger.role_ranks")
        con.execute(
            "INSERT INTO ledger.role_ranks SELECT unnest($role::VARCHAR[]), unnest($rank::INTEGER[])",
            {"role": list(ROLE_RANKS), "rank": list(ROLE_RANKS.values())},
        )
        run_script(con, history)
        for name in view_files():
            run_script(con, sql_text(name))
        stored = con.execute("SELECT value FROM ledger.meta WHERE key = 'history_fingerprint'").fetchone()
        if stored is None or stored[0] != fingerprint:
            rederive_history(con, everything=True)
            con.execute(
                "INSERT OR REPLACE INTO ledger.meta VALUES ('history_fingerprint', $fingerprint)",
                {"fingerprint": fingerprint},
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _is_lock_error(exc: Exception) -> bool:
    return "lock" in str(exc).lower()


def _connect_waiting(path: Path, *, timeout: float, poll: float = 2.0, read_only: bool = False, logger=None,
                     writer: bool = False):
    logger = logger or log
    deadline = time.monotonic() + timeout
    announced = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=duckdb_config(writer=writer))
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseLocked(
                    f"warehouse {path} is still held by another process after {timeout:.0f}s "
                    f"(an open DuckDB connection, perhaps an analyst's session or another run): {exc}"
                ) from exc
            if not announced:
                logger.warning("warehouse %s is held by another process (an analyst's open connection?); "
                               "waiting up to %.0fs for it to close: %s", path, timeout, exc)
                announced = True
            time.sleep(poll)


def connect_writer(path: str | Path, *, timeout: float = 300.0, poll: float = 2.0,
                   logger=None, on_memory_retry=None) -> duckdb.DuckDBPyConnection:
    """Open ``path`` for writing, waiting up to ``timeout`` seconds for other processes to let go, and
    apply pending migrations. ``on_memory_retry()`` is called for each migration run again with a larger
    memory limit (with_memory_fallback), so a run can count it with its own retries."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect_waiting(path, timeout=timeout, poll=poll, logger=logger, writer=True)
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    with_memory_fallback(con, lambda: migrate(con), logger, on_retry=on_memory_retry)
    return con


def connect_reader(path: str | Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=True, config=duckdb_config())
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    return con


def known_state(path: str | Path, *, timeout: float = 300.0, logger=None):
    """What a run needs to know before it reads anything: article url -> (content hash, parser version);
    url -> (ETag, Last-Modified, final URL) of its latest successful fetch, for conditional requests
    (and to recognise a redirected page as the article stored under its final URL); and file:// url ->
    (size, mtime_ns, content hash) of local files as last read. Empty for a new warehouse. Read through
    a short read-only connection, so it never blocks analysts."""
    path = Path(path)
    if not path.exists():
        return {}, {}, {}
    con = _connect_waiting(path, timeout=timeout, read_only=True, logger=logger)
    try:
        pending = pending_migrations(con)
        if 1 in pending:  # no articles table yet
            return {}, {}, {}
        pages = {url: (h, v) for url, h, v in
                 con.execute("SELECT url, content_hash, parser_version FROM ledger.articles").fetchall()}
        validators = {}
        if 2 not in pending:  # the fetch log exists
            validators = {url: (etag, modified, final) for url, etag, modified, final in con.execute(
                "SELECT url, arg_max(etag, fetched_at), arg_max(last_modified, fetched_at), "
                "arg_max(final_url, fetched_at) FROM ledger.fetches "
                "WHERE outcome = 'ok' AND kind IN ('article', 'listing') GROUP BY url").fetchall()}
        files = {}
        if 3 not in pending:
            files = {url: (size, mtime_ns, h) for url, size, mtime_ns, h in con.execute(
                "SELECT url, size, mtime_ns, content_hash FROM ledger.source_files").fetchall()}
        return pages, validators, files
    finally:
        con.close()
