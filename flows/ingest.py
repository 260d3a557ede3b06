"""The Prefect flow ``ingest-news``: plan → (crawl) → fetch → parse → stage → load → report.

It only orchestrates: every step is a plain function in :mod:`flows.pipeline`, :mod:`flows.crawl`,
:mod:`flows.report` or :mod:`warehouse`. Pages travel in batches (a task per batch, never per page);
batches of one host run in at most ``per_host_concurrency`` lanes; parsed batches are staged as they
complete, and the warehouse is written once, in one transaction, at the end.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
from datetime import timedelta
import tempfile
import threading
import time
import uuid
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, create_table_artifact
from prefect.artifacts import update_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import as_completed
from prefect.states import Completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import opaque, quote

from flows import archive as archive_store, parallel, progress
from flows.parallel import parse_read_in_pool
from flows.crawl import Discovery, discover_site
from flows.fetcher import CrawlPolicy, Fetcher
from flows.pipeline import (
    Known,
    ParsedBatch,
    ReadResult,
    expand_sources,
    fetch_pages,
    file_records,
    plan_batches,
    split_unchanged,
    spool_pages,
)
from flows.report import findings_markdown, summary_table
from flows.runners import task_runner
from flows.settings import crawl_policy, load_settings
from parsers import PARSER_VERSION
from warehouse.db import connect_writer, known_state
from warehouse.load import LoadSummary, Stage, load_stage
from warehouse.lock import RunLock


class NothingReadError(RuntimeError):
    """Every source failed: the run has nothing to load and must not look successful."""


_fetchers: dict[str, Fetcher] = {}
_fetchers_lock = threading.Lock()


def run_fetcher(run_id: str, policy: CrawlPolicy) -> Fetcher:
    """One fetcher per run and process, so per-host delays, caps and robots.txt are shared by its tasks."""
    with _fetchers_lock:
        if run_id not in _fetchers:
            for stale in list(_fetchers)[:-3]:
                del _fetchers[stale]
            _fetchers[run_id] = Fetcher(policy)
        return _fetchers[run_id]


def _archive_records(archive_root: str, run_id: str, fetches) -> None:
    archive_store.append_fetches(archive_root, run_id, [f.record() for f in fetches if f.outcome != "off_site"])


@task(name="discover-site", retries=1, retry_delay_seconds=exponential_backoff(backoff_factor=2),
      retry_jitter_factor=0.5, cache_policy=NO_CACHE)
def discover_site_task(site, run_id: str, policy: CrawlPolicy, known: Known, archive_root: str) -> Discovery:
    fetcher = run_fetcher(run_id, policy)
    found = discover_site(site, fetcher, known.urls, known.validators)
    for fetch in found.fetches:
        if fetch.outcome == "ok" and fetch.body is not None:
            fetch.body_sha256 = archive_store.store_body(archive_root, fetch.body)
    found.fetches += fetcher.drain_robots()
    _archive_records(archive_root, run_id, found.fetches)
    get_run_logger().info("site %s: %d article links from %d listing pages", site.key, len(found.article_urls),
                          sum(1 for f in found.fetches if f.kind == "listing"))
    return found


@task(name="fetch-batch", retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=2),
      retry_jitter_factor=0.5, cache_policy=NO_CACHE)
def fetch_batch(locators: list[str], run_id: str, policy: CrawlPolicy, known: Known, archive_root: str,
                spool_folder: str | None = None) -> ReadResult:
    """Fetch one batch. Per-page failures are results, not exceptions; an unexpected error (such as a
    full disk under the archive) retries and then fails the run before anything is loaded. With a
    ``spool_folder`` the pages' bytes go to a file there and the result carries only their refs."""
    result = fetch_pages(locators, run_fetcher(run_id, policy), known, archive_root)
    _archive_records(archive_root, run_id, result.fetches)
    for failure in result.failures:
        get_run_logger().warning("%s: %s", failure.url, failure.detail)
    return spool_pages(result, spool_folder) if spool_folder else result


# Part of the cache key: a result cached in an older shape (before PackedRows: rows as StagedRows) is
# not read back by code that expects the new one. Change it whenever ParsedBatch, PackedRows or
# StagedRows change shape (fields, ARTICLE_COLUMNS …): cached results are pickles of those classes.
RESULT_FORMAT = "packed-rows/2"


def _parse_cache_key(context, parameters) -> str:
    """Same page bytes, same parser version, same site profiles, same stored state → same result."""
    digest = hashlib.sha256(f"{PARSER_VERSION}|{RESULT_FORMAT}|{parameters['profiles']!r}".encode())
    known: Known = parameters["known"]
    for ref in parameters["fetched"].page_refs():
        digest.update(f"|{ref.url}|{ref.http_charset}|{ref.sha256}|{known.pages.get(ref.url)}".encode())
    return "parse-" + digest.hexdigest()


# cache_result_in_memory=False: the result is persisted anyway (that is the cache), and Prefect's
# in-memory copy of every persisted result (an LRU of 1000) held a 10k-page run's parsed rows: 1.8 GB.
@task(name="parse-batch", cache_key_fn=_parse_cache_key, persist_result=True, cache_expiration=timedelta(days=7),
      cache_result_in_memory=False)
def parse_batch(fetched: ReadResult, known: Known, profiles: tuple, processes: int = 1) -> ParsedBatch:
    """Skip pages the warehouse already holds unchanged; parse the rest into warehouse rows, on
    ``processes`` worker processes (flows/parallel.py). Cached by content hash and parser version.
    Fetch records are not part of the result (a cached result must not replay them)."""
    refs = fetched.page_refs()
    changed, unchanged = split_unchanged(refs, known)
    rows, failures = parse_read_in_pool(fetched, changed, profiles, processes)
    if fetched.spool:
        Path(fetched.spool).unlink(missing_ok=True)
    for failure in failures:
        get_run_logger().warning("%s: %s", failure.url, failure.detail)
    return ParsedBatch(rows, unchanged, file_records(refs))


@task(name="load-warehouse", cache_policy=NO_CACHE)
def load_warehouse(stage: Stage, warehouse: str, sources: list[str], lock_timeout: float, run_id: str) -> LoadSummary:
    # The write connection is held for the load only, so analysts can query between runs.
    logger = get_run_logger()
    retried: list[bool] = []  # migrations that needed more memory, counted with the load's own retries
    con = connect_writer(warehouse, timeout=lock_timeout, logger=logger, on_memory_retry=lambda: retried.append(True))
    try:
        return load_stage(con, stage, sources=sources, run_id=run_id, logger=logger,
                          connect_memory_retries=len(retried))
    finally:
        con.close()


@flow(name="ingest-news", task_runner=ThreadPoolTaskRunner(max_workers=4))
def _ingest_news(sources: list[str] | None = None, warehouse: str | None = None, config: str | None = None,
                allow_hosts: list[str] | None = None, archive: str | None = None):
    """Read sources (paths, directories, globs, http(s) URLs, ``site:KEY``, ``archive:``), parse them,
    load the DuckDB warehouse. ``sources``, ``warehouse`` and ``archive`` (raw archive folder) default
    to the config file; ``allow_hosts`` may fetch from hosts that resolve to loopback/private addresses."""
    settings = load_settings(config)
    sources = list(sources) if sources else list(settings.sources)
    warehouse = str(Path(warehouse or settings.warehouse).expanduser().resolve())
    policy = crawl_policy(settings.crawl, allow_hosts or [])
    archive_root = str(Path(archive).expanduser().resolve()) if archive else str(settings.archive)
    run_id = uuid.uuid4().hex
    logger = get_run_logger()
    with RunLock(warehouse), tempfile.TemporaryDirectory(prefix="orgledger-run-") as folder:
        locators, sites, failures = expand_sources(sources, archive_root, settings.local_roots)
        known = Known(*known_state(warehouse, timeout=settings.lock_timeout_seconds, logger=logger))
        stage = Stage(Path(folder) / "stage.duckdb")
        locators, unchanged_files = known.skip_unchanged_files(locators)
        stage.add([], failures, unchanged=unchanged_files)
        seen = set(locators)
        for found in [discover_site_task.submit(settings.site(key), run_id, policy, known, archive_root)
                      for key in sites]:
            discovery = found.result()
            stage.add_fetches(discovery.fetches)
            locators += [url for url in discovery.article_urls if url not in seen]
            seen.update(discovery.article_urls)
        try:
            _fetch_parse_and_stage(locators, run_id, policy, known, archive_root, settings, stage)
        finally:
            parallel.shutdown()
        locators = seen = known = None  # the load needs none of them (100k locators: 16 MB with their set)
        stage.finish()
        return_freed_memory()
        if stage.articles_read == 0 and stage.articles_unchanged == 0 and stage.articles_failed:
            raise NothingReadError(
                f"no page could be read or parsed ({stage.articles_failed} failures); nothing was loaded")
        summary = load_warehouse(stage, warehouse, sources, settings.lock_timeout_seconds, run_id)
        findings = stage_findings(stage)
    result = {**summary.as_dict(), "warehouse": warehouse,
              "task_runner": type(FlowRunContext.get().task_runner).__name__}
    _publish(result, findings)
    logger.info("run summary: %s", result)
    if summary.articles_failed:
        return Completed(message=f"{summary.articles_failed} page(s) failed; see the findings artifact",
                         data=result)
    return result


# The deployable flow: its task runner comes from the config (ORGLEDGER_CONFIG or config/orgledger.toml)
# when this module is imported, because Prefect fixes a flow's runner before its parameters are known.
ingest_news = _ingest_news.with_options(task_runner=task_runner(load_settings()))


GC_EVERY_BATCHES = 20


def return_freed_memory() -> None:
    """Before the load (the run's peak: the writer's DuckDB pool comes on top of what the process
    holds), hand memory that staging freed back to the system. glibc keeps freed blocks in its
    per-thread arenas, and staging's Arrow buffers (warehouse/arrow.py, several MB each, allocated
    and freed once per batch and table) leave such holes; malloc_trim returns their pages. A no-op
    where the C library has no malloc_trim."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):  # not glibc (musl, macOS, Windows)
        return None


def _fetch_parse_and_stage(locators, run_id, policy, known: Known, archive_root, settings, stage: Stage) -> None:
    """Submit fetch+parse per batch, at most a window of batches in flight (memory stays flat however
    many pages), staging each parsed batch as it completes. Batches of one lane run in order."""
    lanes = plan_batches(locators, settings.batch_size, policy.per_host_concurrency)
    processes = parse_processes(settings)
    # Pages travel between fetch and parse as a file in the run's folder, unless tasks run on Dask
    # (possibly other machines: then Dask moves the bytes).
    spool_folder = str(stage.path.parent) if settings.task_runner == "threads" else None
    # Two batches per parsing worker keep every worker busy while the next batch is read (each batch is
    # split among all the workers, flows.parallel); more would only hold more pages in memory.
    window = max(2, 2 * (settings.dask_workers if settings.task_runner == "dask" else processes))
    # Prefect walks every task parameter, recursively, looking for futures: a batch's locators, its known
    # pages and the fetch result's page refs cost 5-16 ms a task (200-page batches). quote() hands a value over as
    # is; opaque() waits for the fetch and hands over its result without walking into it. On Dask the
    # annotations do not survive the trip to the worker (the task got a plain tuple), so there the
    # parameters are walked.
    as_is, result_of = (quote, opaque) if settings.task_runner == "threads" else (_unchanged, _unchanged)
    tracker = _Progress(len(locators))
    in_flight: list = []
    meta: dict = {}  # parse future -> (pages in batch, its fetch future)
    last_fetch: dict[int, object] = {}
    consumed = 0

    def consume(future) -> None:
        nonlocal consumed
        size, fetched = meta.pop(future)
        read: ReadResult = fetched.result()  # a failed fetch (e.g. the archive's disk is full) fails the run
        batch: ParsedBatch = future.result()
        stage.add_rows(batch.rows.unpack(), unchanged=batch.unchanged + read.not_modified)
        stage.add_files(batch.files)
        batch.release()
        if read.failures:
            stage.add([], read.failures)
        stage.add_fetches(read.fetches)
        read.release()
        tracker.advance(size)
        consumed += 1
        if consumed % GC_EVERY_BATCHES == 0:
            # A Prefect future and its wrapped future refer to each other (a done-callback), so what
            # they hold is freed only by the cycle collector, whose full passes come rarely in a process
            # with many long-lived objects. The batch's rows are released above; this frees the rest.
            gc.collect()

    for lane, batch in _interleave(lanes):
        while len(in_flight) >= window:
            done = next(as_completed(in_flight))
            in_flight.remove(done)
            consume(done)
        subset = known.subset(batch)
        previous = last_fetch.get(lane)
        fetched = fetch_batch.submit(as_is(batch), run_id, policy, as_is(subset), archive_root, spool_folder,
                                     wait_for=[previous] if previous is not None else None)
        last_fetch[lane] = fetched
        parse = parse_batch.submit(result_of(fetched), as_is(subset), settings.profiles, processes)
        in_flight.append(parse)
        meta[parse] = (len(batch), fetched)
    for done in as_completed(in_flight):
        consume(done)


def _unchanged(value):
    return value


def parse_processes(settings) -> int:
    """Worker processes for parsing: the config's parse_processes (0: one per core). On Dask the
    workers are Dask's, so each task parses in place."""
    if settings.task_runner != "threads":
        return 1
    return settings.parse_processes or parallel.default_processes()


def _interleave(lanes: list[list[list[str]]]):
    """(lane, batch) taking one batch from each lane in turn, so every host makes progress."""
    for depth in range(max((len(lane) for lane in lanes), default=0)):
        for index, lane in enumerate(lanes):
            if depth < len(lane):
                yield index, lane[depth]


# Each update of the progress artifact is a round trip to the Prefect server, made by the thread that
# stages batches: 100 updates took 0.95 s of that thread and about 0.7 s of the server's CPU. A 100k-page
# backfill has 500 batches, so the artifact is updated at most every few seconds (and at the end).
PROGRESS_ARTIFACT_INTERVAL_SECONDS = 5.0


class _Progress:
    def __init__(self, total: int, clock=time.monotonic):
        self.total, self.done, self.clock = total, 0, clock
        self.artifact = create_progress_artifact(0.0, key="ingest-news-progress",
                                                 description=f"pages processed of {total}")
        self.updated_at = clock()
        progress.notify(0, total)

    def advance(self, n: int) -> None:
        self.done += n
        now = self.clock()
        if self.done >= self.total or now - self.updated_at >= PROGRESS_ARTIFACT_INTERVAL_SECONDS:
            update_progress_artifact(self.artifact, 100.0 * self.done / max(self.total, 1))
            self.updated_at = now
        progress.notify(self.done, self.total)  # the terminal bar: local, every batch


def stage_findings(stage: Stage) -> list[tuple[str, str, str]]:
    import duckdb

    con = duckdb.connect(str(stage.path), read_only=True)
    try:
        return con.execute("SELECT article_url, kind, detail FROM findings ORDER BY kind, article_url").fetchall()
    finally:
        con.close()


def _publish(result: dict, findings: list[tuple[str, str, str]]) -> None:
    create_table_artifact(summary_table(result), key="ingest-news-summary", description="What this run did")
    create_markdown_artifact(findings_markdown(findings), key="ingest-news-findings",
                             description="Quality findings and failures of this run")
