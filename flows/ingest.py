"""The Prefect flow ``ingest-news``: plan → fetch → parse → stage → load → report.

It only orchestrates: every step is a plain function in :mod:`flows.pipeline`, :mod:`flows.report` or
:mod:`warehouse`. Pages travel in batches (a task per batch, never per page); batches of one host run in
at most ``per_host_concurrency`` lanes; parsed batches are staged as they complete, and the warehouse is
written once, in one transaction, at the end.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, create_table_artifact
from prefect.artifacts import update_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.states import Completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from flows import progress
from flows.pipeline import (
    ParsedBatch,
    ReadResult,
    expand_sources,
    fetch_pages,
    page_fingerprint,
    parse_pages,
    plan_batches,
    split_unchanged,
)
from flows.report import findings_markdown, summary_table
from flows.settings import Settings, load_settings
from parsers import PARSER_VERSION
from warehouse.db import connect_writer, known_pages
from warehouse.load import LoadSummary, Stage, load_stage
from warehouse.lock import RunLock


class NothingReadError(RuntimeError):
    """Every source failed: the run has nothing to load and must not look successful."""


@task(name="fetch-batch", retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=2),
      retry_jitter_factor=0.5, cache_policy=NO_CACHE)
def fetch_batch(locators: list[str]) -> ReadResult:
    """Fetch one batch. Per-page failures are results, not exceptions; an unexpected error retries."""
    result = fetch_pages(locators)
    for failure in result.failures:
        get_run_logger().warning("%s: %s", failure.url, failure.detail)
    return result


def _parse_cache_key(context, parameters) -> str:
    """Same page bytes, same parser version, same site profiles → same extraction."""
    digest = hashlib.sha256(f"{PARSER_VERSION}|{parameters['profiles']!r}".encode())
    for page in parameters["pages"]:
        digest.update(f"|{page.url}|{page.http_charset}|{page_fingerprint(page)}".encode())
    return "parse-" + digest.hexdigest()


@task(name="parse-batch", cache_key_fn=_parse_cache_key, persist_result=True, cache_expiration=None)
def parse_batch(pages: list, profiles: tuple) -> ParsedBatch:
    extractions, failures = parse_pages(pages, profiles)
    for failure in failures:
        get_run_logger().warning("%s: %s", failure.url, failure.detail)
    return ParsedBatch(extractions, failures)


@task(name="load-warehouse", cache_policy=NO_CACHE)
def load_warehouse(stage: Stage, warehouse: str, sources: list[str], lock_timeout: float) -> LoadSummary:
    # The write connection is held for the load only, so analysts can query between runs.
    con = connect_writer(warehouse, timeout=lock_timeout, logger=get_run_logger())
    try:
        return load_stage(con, stage, sources=sources)
    finally:
        con.close()


@flow(name="ingest-news", task_runner=ThreadPoolTaskRunner(max_workers=4))
def ingest_news(sources: list[str] | None = None, warehouse: str | None = None, config: str | None = None):
    """Read sources (paths, directories, globs or http(s) URLs), parse them, load the DuckDB warehouse.

    ``sources`` and ``warehouse`` default to the config file (``config/orgledger.toml``)."""
    settings = load_settings(config)
    sources = list(sources) if sources else list(settings.sources)
    warehouse = str(Path(warehouse or settings.warehouse).expanduser().resolve())
    logger = get_run_logger()
    with RunLock(warehouse), tempfile.TemporaryDirectory(prefix="orgledger-run-") as folder:
        locators, failures = expand_sources(sources)
        known = known_pages(warehouse, timeout=settings.lock_timeout_seconds, logger=logger)
        stage = Stage(Path(folder) / "stage.duckdb")
        stage.add([], failures)
        _fetch_parse_and_stage(locators, known, settings, stage)
        stage.finish()
        if stage.articles_read == 0 and stage.articles_unchanged == 0 and stage.articles_failed:
            raise NothingReadError(
                f"no page could be read or parsed ({stage.articles_failed} failures); nothing was loaded")
        summary = load_warehouse(stage, warehouse, sources, settings.lock_timeout_seconds)
        findings = stage_findings(stage)
    result = {**summary.as_dict(), "warehouse": warehouse}
    _publish(result, findings)
    logger.info("run summary: %s", result)
    if summary.articles_failed:
        return Completed(message=f"{summary.articles_failed} page(s) failed; see the findings artifact",
                         data=result)
    return result


def _fetch_parse_and_stage(locators: list[str], known, settings: Settings, stage: Stage) -> None:
    lanes = plan_batches(locators, settings.batch_size, settings.per_host_concurrency)
    parsed, sizes = [], {}
    for lane in lanes:
        previous = None
        for batch in lane:
            fetched = fetch_batch.submit(batch, wait_for=[previous] if previous else None)
            previous = fetched
            parse = _parse_changed.submit(fetched, known_subset(known, batch), settings.profiles)
            parsed.append(parse)
            sizes[parse] = len(batch)
    tracker = _Progress(len(locators))
    for future in as_completed(parsed):
        batch: ParsedBatch = future.result()
        stage.add(batch.extractions, batch.failures, unchanged=batch.unchanged)
        tracker.advance(sizes[future])


def known_subset(known: dict, batch: list[str]) -> dict:
    """Only what a batch needs (file locators are stored as file:// URIs)."""
    keys = [b if b.startswith(("http://", "https://")) else Path(b).resolve().as_uri() for b in batch]
    return {k: known[k] for k in keys if k in known}


@task(name="parse-changed", cache_policy=NO_CACHE)
def _parse_changed(fetched: ReadResult, known: dict, profiles: tuple) -> ParsedBatch:
    """Skip pages the warehouse already holds unchanged; parse the rest (cached by content)."""
    changed, unchanged = split_unchanged(fetched.pages, known)
    batch = parse_batch(changed, profiles) if changed else ParsedBatch()
    return ParsedBatch(batch.extractions, fetched.failures + batch.failures, unchanged)


class _Progress:
    def __init__(self, total: int):
        self.total, self.done = total, 0
        self.artifact = create_progress_artifact(0.0, key="ingest-news-progress",
                                                 description=f"pages processed of {total}")
        progress.notify(0, total)

    def advance(self, n: int) -> None:
        self.done += n
        update_progress_artifact(self.artifact, 100.0 * self.done / max(self.total, 1))
        progress.notify(self.done, self.total)


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
