"""Write a run's results into the warehouse.

Two steps, so that memory stays flat and the warehouse is held only briefly:

1. :class:`Stage` collects rows batch by batch as pages are parsed, in a staging DuckDB file of its own
   (in a temporary folder); no lock on the warehouse is needed for that.
2. :func:`load_stage` moves the staged rows into the warehouse in **one transaction**: upsert the log,
   re-derive history for the keys it touched (warehouse/derive.py), record the run. On any error nothing
   of the run is kept.

Rows go in a batch at a time, as one Arrow array per table (warehouse/arrow.py), never one by one.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from parsers import PARSER_VERSION
from parsers.model import Extraction

from .arrow import arrow_batch, column_types
from .db import with_memory_fallback
from .derive import LOAD_SQL, rederive_history
from .queries import run
from .records import STATEMENT_RECIPE, StagedRows, rows_for

STAGE_SQL = "stage.sql"
# The staging connection's buffer pool keeps the blocks it wrote, up to its limit: replaying a 100k
# stage (500 batches) peaked at 376 MB with 128 MB, 317 MB with 64 MB, 310 MB with 32 MB, in the same
# time (inserts only append).
STAGE_MEMORY_LIMIT = "64MB"
# DuckDB checkpoints a file each time its write-ahead log passes this size (default 16 MB), and those
# checkpoints were a third of staging's CPU: replaying 90,000 pages' rows in 200-page batches took 152 s
# with 16 MB, 99 s with 64 MB (256 MB and 1 GB were no better), peak RSS +9 MB.
STAGE_CHECKPOINT_THRESHOLD = "64MB"


@dataclass
class Failure:
    """A source that could not be read or parsed; recorded as a quality finding."""

    url: str
    kind: str  # read_error | parse_error | fetch outcome
    detail: str


@dataclass
class LoadSummary:
    run_id: str
    articles_read: int = 0
    articles_failed: int = 0
    articles_unchanged: int = 0
    orgs_new: int = 0
    orgs_changed: int = 0
    orgs_unchanged: int = 0
    memberships_changed: int = 0
    statements_new: int = 0
    findings: int = 0
    finding_kinds: dict[str, int] = field(default_factory=dict)
    fetch_outcomes: dict[str, int] = field(default_factory=dict)
    # Steps (stage inserts, migrations on connecting the writer, the load transaction) that ran out of
    # DuckDB's memory limit and were run again with a larger one (warehouse.db.with_memory_fallback): 0
    # when the run kept to its limits.
    memory_retries: int = 0

    def count_memory_retry(self) -> None:
        self.memory_retries += 1

    def as_dict(self) -> dict:
        return dict(self.__dict__)


_FETCH_COLUMNS = ("kind", "url", "final_url", "outcome", "status", "attempts", "content_type", "etag",
                  "last_modified", "bytes", "body_sha256", "fetched_at", "elapsed_ms", "detail")


class Stage:
    """The run's staged rows, in a staging DuckDB file at ``path`` (made if missing)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        # A small buffer pool: staged rows are written through to the file instead of piling up in
        # memory (an insert that does not fit is retried with a larger limit, see _insert).
        self.con = duckdb.connect(str(self.path), config={"preserve_insertion_order": False,
                                                          "memory_limit": STAGE_MEMORY_LIMIT,
                                                          "checkpoint_threshold": STAGE_CHECKPOINT_THRESHOLD})
        run(self.con, STAGE_SQL, "create")
        self._types: dict[str, dict[str, str]] = {}  # table -> column -> DuckDB type, read on first insert
        self.articles_read = 0
        self.articles_failed = 0
        self.articles_unchanged = 0
        self.memory_retries = 0  # inserts retried with a larger memory limit

    def __getstate__(self) -> dict:
        # Tasks may run in other processes (Dask): ship the path and counters, not the connection.
        return {k: v for k, v in self.__dict__.items() if k != "con"}

    def add_fetches(self, fetches) -> None:
        """Fetch outcomes (objects with the fetch_log fields, see flows.fetcher.Fetch)."""
        if fetches:
            self._insert("fetches", {name: [getattr(f, name) for f in fetches] for name in _FETCH_COLUMNS})

    def add_files(self, files: list[tuple[str, int, int, str]]) -> None:
        """Local files as read: (url, size, mtime_ns, content hash); see ledger.source_files."""
        staged, batch = self._staged("staged_files", [f[0] for f in files]), set()
        files = [f for f in files if f[0] not in staged and _first(batch, f[0])]
        if files:
            url, size, mtime_ns, content_hash = (list(column) for column in zip(*files))
            self._insert("files",
                {"url": url, "size": size, "mtime_ns": mtime_ns, "content_hash": content_hash})

    def add(self, extractions: list[Extraction], failures: list[Failure] = (), unchanged: int = 0) -> None:
        self.add_rows(rows_for(extractions, failures), unchanged=unchanged)

    def _count_memory_retry(self) -> None:
        self.memory_retries += 1

    def _insert(self, table: str, columns: dict[str, list]) -> None:
        """Append ``columns`` (name → equally long lists) to a staged table, as one Arrow array."""
        if table not in self._types:  # asked once per table: 6 ms each, and most runs use two or three tables
            self._types[table] = column_types(self.con, table)
        self.con.register("batch_rows", arrow_batch(columns, self._types[table]))
        try:
            # One statement in autocommit: a failed attempt left nothing behind, so it can be repeated.
            with_memory_fallback(self.con, lambda: run(self.con, STAGE_SQL, f"add_{table}"),
                                 on_retry=self._count_memory_retry)
        finally:
            self.con.unregister("batch_rows")

    def add_rows(self, rows: StagedRows, unchanged: int = 0) -> None:
        """A batch's rows (see warehouse.records.rows_for): column inserts, no Python per row."""
        rows = self._unstaged(rows)
        if rows.articles:
            self._insert("articles", rows.articles)
        if rows.statements:
            self._insert("statements", rows.statements)
        if rows.findings:
            self._insert("findings", rows.findings)
        self.articles_read += rows.articles_read
        self.articles_failed += rows.articles_failed
        self.articles_unchanged += unchanged

    def _unstaged(self, rows: StagedRows) -> StagedRows:
        """The batch's rows without those of pages staged already (in this batch or an earlier one)."""
        article_ids = rows.articles.get("article_id", ())
        again = self._staged("staged_articles", article_ids)  # staged by an earlier batch
        batch_articles: set[str] = set()
        keep = [a not in again and _first(batch_articles, a) for a in article_ids]
        finding_ids, finding_articles = rows.findings.get("finding_id", ()), rows.findings.get("article_id", ())
        failed = self._staged("staged_failures", [f for f, a in zip(finding_ids, finding_articles) if a is None])
        batch_failures: set[str] = set()
        failures = [a is not None or (f not in failed and _first(batch_failures, f))
                    for f, a in zip(finding_ids, finding_articles)]
        if all(keep) and all(failures):
            return rows  # the usual case: nothing staged twice
        # Statements and findings are unique within a batch already (rows_for): drop only those of
        # pages an earlier batch staged.
        return replace(rows, articles=_where(rows.articles, keep),
                       statements=_where(rows.statements,
                                         [a not in again for a in rows.statements.get("article_id", ())]),
                       findings=_where(rows.findings,
                                       [ok and a not in again for ok, a in zip(failures, finding_articles)]))

    def _staged(self, query: str, keys: list[str]) -> set[str]:
        """Those of ``keys`` the stage holds already. Asked of the stage rather than kept in Python sets:
        a 100,000-page run's ids and URLs held 28 MB there, scattered among each batch's short-lived
        objects, and Python's allocator kept the arenas they pinned after they were freed, into the load
        (100k pages: RSS before the load 310 → 296 MB, peak 516 → 497 MB). The lookup scans one column
        of the stage: about 5 ms a batch at 100,000 pages."""
        if not keys:
            return set()
        return {key for (key,) in run(self.con, STAGE_SQL, query, {"keys": list(keys)}).fetchall()}

    def finish(self) -> None:
        """Close the file, so the warehouse connection can attach it."""
        self.con.close()


def _first(seen: set[str], key: str) -> bool:
    """True the first time ``key`` is seen (and remember it)."""
    if key in seen:
        return False
    seen.add(key)
    return True


def _where(columns: dict[str, list], keep: list[bool]) -> dict[str, list]:
    """The rows of ``columns`` whose flag in ``keep`` is true ({} when none is)."""
    if not any(keep):
        return {}
    return {name: [v for v, k in zip(values, keep) if k] for name, values in columns.items()}


def load_stage(con: duckdb.DuckDBPyConnection, stage: Stage, *, sources: list[str] = (),
               run_id: str | None = None, now: datetime | None = None, logger=None,
               connect_memory_retries: int = 0) -> LoadSummary:
    """Move a finished stage into the warehouse in one transaction. ``connect_memory_retries``: the
    memory retries of connecting ``con`` (connect_writer's on_memory_retry), counted in the summary
    the load stores with the stage's and its own."""
    run_id = run_id or uuid.uuid4().hex
    now = now or datetime.now(timezone.utc)
    params = {"now": now, "run_id": run_id, "parser_version": PARSER_VERSION, "recipe": STATEMENT_RECIPE}
    summary = LoadSummary(run_id=run_id, articles_read=stage.articles_read, articles_failed=stage.articles_failed,
                          articles_unchanged=stage.articles_unchanged,
                          memory_retries=stage.memory_retries + connect_memory_retries)
    con.execute("ATTACH $path AS stage (READ_ONLY)", {"path": str(stage.path)})

    def transaction() -> None:
        con.execute("BEGIN TRANSACTION")
        try:
            _load(con, params, summary, stage, list(sources))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    try:
        with_memory_fallback(con, transaction, logger, on_retry=summary.count_memory_retry)
    finally:
        con.execute("DETACH stage")
    return summary


def _load(con, params, summary: LoadSummary, stage: Stage, sources: list[str]) -> None:
    before = con.execute("SELECT count(*) FROM ledger.statements").fetchone()[0]
    for step in ("upsert_articles", "supersede_statements", "insert_statements", "reassert_statements",
                 "supersede_findings", "insert_findings", "reassert_findings", "insert_fetches",
                 "upsert_source_files"):
        run(con, LOAD_SQL, step, params)
    summary.statements_new = con.execute("SELECT count(*) FROM ledger.statements").fetchone()[0] - before
    # A rename or a credit code changes who is who: then every key is re-derived, else the touched ones.
    identity = run(con, LOAD_SQL, "identity_touched", params).fetchone()[0]
    changes = rederive_history(con, everything=identity, now=params["now"])
    summary.orgs_new = changes.orgs_new
    summary.orgs_changed = changes.orgs_changed
    summary.memberships_changed = changes.memberships_changed
    named = run(con, LOAD_SQL, "named_orgs").fetchone()[0]
    summary.orgs_unchanged = named - summary.orgs_new - summary.orgs_changed
    kinds = con.execute("SELECT kind, count(*) FROM stage.findings GROUP BY kind ORDER BY kind").fetchall()
    summary.finding_kinds = dict(kinds)
    summary.findings = sum(summary.finding_kinds.values())
    summary.fetch_outcomes = dict(con.execute(
        "SELECT outcome, count(*) FROM stage.fetches GROUP BY outcome ORDER BY outcome").fetchall())
    run(con, LOAD_SQL, "record_run", {
        **params, "started_at": params["now"], "sources": sources,
        "summary": json.dumps(summary.as_dict()),
    })


def load_extractions(con: duckdb.DuckDBPyConnection, extractions: list[Extraction], failures: list[Failure] = (),
                     *, sources: list[str] = (), run_id: str | None = None,
                     now: datetime | None = None) -> LoadSummary:
    """Stage and load in one call (tests, small runs): the whole load is still one transaction."""
    with tempfile.TemporaryDirectory(prefix="orgledger-stage-") as folder:
        stage = Stage(Path(folder) / "stage.duckdb")
        stage.add(extractions, failures)
        stage.finish()
        return load_stage(con, stage, sources=sources, run_id=run_id, now=now)
