"""The Prefect flow ``ingest-news``: read → parse → load. It only orchestrates; every step is a plain
function in :mod:`flows.pipeline` or :mod:`warehouse`."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from parsers.model import Extraction
from warehouse.db import connect_writer
from warehouse.load import Failure, LoadSummary, load_extractions

from .pipeline import ReadResult, parse_pages, read_sources
from .settings import load_settings


class NothingReadError(RuntimeError):
    """Every source failed: the run has nothing to load and must not look successful."""


@task(name="read-sources", cache_policy=NO_CACHE)
def read_sources_task(sources: list[str]) -> ReadResult:
    result = read_sources(sources)
    logger = get_run_logger()
    logger.info("read %d pages, %d sources failed", len(result.pages), len(result.failures))
    for failure in result.failures:
        logger.warning("%s: %s", failure.url, failure.detail)
    return result


@task(name="parse-pages", cache_policy=NO_CACHE)
def parse_pages_task(read: ReadResult, config: str | None) -> tuple[list[Extraction], list[Failure]]:
    extractions, failures = parse_pages(read.pages, load_settings(config).profiles)
    logger = get_run_logger()
    for failure in failures:
        logger.warning("%s: %s", failure.url, failure.detail)
    return extractions, read.failures + failures


@task(name="load-warehouse", cache_policy=NO_CACHE)
def load_task(extractions: list[Extraction], failures: list[Failure], warehouse: str, sources: list[str],
              lock_timeout: float) -> LoadSummary:
    # The write connection is held for the load only, so analysts can query between runs.
    con = connect_writer(warehouse, timeout=lock_timeout)
    try:
        return load_extractions(con, extractions, failures, sources=sources)
    finally:
        con.close()


@flow(name="ingest-news")
def ingest_news(sources: list[str] | None = None, warehouse: str | None = None,
                config: str | None = None) -> dict:
    """Read sources (paths, directories, globs or URLs), parse them, load the DuckDB warehouse.

    ``sources`` and ``warehouse`` default to the config file (``config/orgledger.toml``)."""
    settings = load_settings(config)
    sources = list(sources) if sources else list(settings.sources)
    warehouse = str(warehouse or settings.warehouse)
    read = read_sources_task(sources)
    extractions, failures = parse_pages_task(read, config)
    if not extractions and failures:
        raise NothingReadError(f"no page could be read or parsed ({len(failures)} failures); nothing was loaded")
    summary = load_task(extractions, failures, warehouse, sources, settings.lock_timeout_seconds)
    get_run_logger().info("run summary: %s", summary.as_dict())
    return {**summary.as_dict(), "warehouse": warehouse}
