"""Parsing on every core: a pool of worker processes that turn a batch of pages into warehouse rows.

Parsing is pure Python (BeautifulSoup builds its tree in Python), so threads share one core. The flow's
``parse-batch`` tasks split their pages among this pool, a part per worker; each worker parses,
extracts and builds its part's rows (warehouse.records.rows_for) and sends them back packed
(warehouse.records.PackedRows: one compressed pickle per part), so the flow's process, the warehouse's
single writer, only unpacks columns into the stage, and Prefect persists the parse-batch result without
serializing every value.

Workers are started with ``spawn`` (a fresh interpreter, no inherited threads or locks from Prefect's
process) once per run and stopped when it ends. A worker that dies (killed, out of memory) breaks the
pool: the batch is retried once in a fresh pool; if that dies too, the run goes on parsing in its
own process (with a warning), as it would with ``parse_processes = 1``.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from warehouse.records import PackedRows, StagedRows, rows_for

from .pipeline import ReadResult, parse_pages
from .sources import RawPage

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_disabled = False  # set when workers cannot run here; cleared by shutdown()


def default_processes() -> int:
    """The cores this process may run on (a container's CPU set, not the host's core count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def parse_to_rows(pages: list[RawPage], profiles: tuple) -> tuple[StagedRows, list]:
    """Parse pages into rows in this process (what each worker runs); also the pages that failed."""
    extractions, failures = parse_pages(pages, profiles)
    return rows_for(extractions, failures), failures


def parse_packed(pages: list[RawPage], profiles: tuple) -> tuple[PackedRows, list]:
    """parse_to_rows with the rows packed (warehouse.records.PackedRows) where they were made."""
    rows, failures = parse_to_rows(pages, profiles)
    return PackedRows.pack(rows), failures


def parse_spooled(spool: str, urls: set[str], profiles: tuple) -> tuple[PackedRows, list]:
    """Parse the spooled pages (flows.pipeline.spool_pages) with one of ``urls``; a worker reads the
    file itself."""
    return parse_packed(ReadResult(spool=spool).load_pages(urls), profiles)


def parse_in_pool(pages: list[RawPage], profiles: tuple, processes: int) -> tuple[StagedRows, list]:
    """Rows for ``pages`` and their failures, parsed in the pool of ``processes`` workers (1: here, in
    this thread)."""
    if not pages:
        return parse_to_rows([], profiles)
    return _run(parse_to_rows, (pages, profiles), processes)


def parse_read_in_pool(read, urls: set[str], profiles: tuple, processes: int) -> tuple[PackedRows, list]:
    """Packed rows for the pages of ``read`` (a flows.pipeline.ReadResult) with one of ``urls``, as the
    flow's parse-batch result carries them, and the pages that failed. The pages are split into one part
    per worker (split_evenly), so one batch keeps every core busy: a flow task is a batch, and fewer,
    larger batches cost Prefect less. Spooled pages go to the workers as a path: their bytes never pass
    through this process again."""
    if not urls:
        return parse_packed([], profiles)
    if read.spool is None:
        jobs = [(parse_packed, (part, profiles)) for part in split_evenly(read.load_pages(urls), processes)]
    else:
        in_order = [ref.url for ref in read.page_refs() if ref.url in urls]
        jobs = [(parse_spooled, (read.spool, set(part), profiles)) for part in split_evenly(in_order, processes)]
    results = _run_all(jobs, processes)
    return PackedRows.join([rows for rows, _ in results]), [f for _, failures in results for f in failures]


# A batch is split only into parts of at least this many pages: each part is a round trip to a worker
# (and, spooled, a read of the batch's spool file there), which a few pages would not repay.
MIN_PART_PAGES = 25


def split_evenly(items: list, processes: int) -> list[list]:
    """``items`` in at most ``processes`` consecutive parts of near-equal size (each ≥ MIN_PART_PAGES
    unless there is only one), in order: the parts' rows joined are the whole's rows in the same order,
    but for failed pages' findings, which each part lists after its own pages' rows."""
    count = max(1, min(processes, len(items) // MIN_PART_PAGES))
    size, extra = divmod(len(items), count)
    parts, start = [], 0
    for i in range(count):
        end = start + size + (i < extra)
        parts.append(items[start:end])
        start = end
    return parts


def _run(function, args: tuple, processes: int):
    return _run_all([(function, args)], processes)[0]


def _run_all(jobs: list[tuple], processes: int) -> list:
    """``function(*args)`` of each (function, args) job, on the pool's workers at once; results in order."""
    global _disabled
    if processes <= 1 or _disabled:
        return [function(*args) for function, args in jobs]
    for _attempt in (1, 2):
        pool = _get_pool(processes)
        try:
            futures = [pool.submit(_call_in_worker, function, *args) for function, args in jobs]
            return [future.result() for future in futures]
        except BrokenProcessPool:
            _discard(pool)
    # Workers that die twice on one batch are more likely unable to start here (an interpreter that
    # cannot re-import the program, a memory limit) than killed by the pages: parse in this process,
    # for the rest of the run, and say so.
    _disabled = True
    _logger().warning(
        "parse worker processes died twice on one batch; parsing in the flow's process from now on "
        "(set [run] parse_processes = 1 to do so from the start)")
    return [function(*args) for function, args in jobs]


def _call_in_worker(function, *args):
    """What a pool worker runs for a batch: ``function(*args)``, then _settle."""
    result = function(*args)
    _settle()
    return result


def _settle() -> None:
    """Between batches, move what a worker still holds out of the garbage collector's sight.

    What a worker holds between batches is long-lived: its division index, OpenCC and pinyin
    dictionaries, compiled patterns and caches, about 250,000 objects. A batch's trees and rows make
    enough garbage for a full collection every few batches, and each walked all of them again.
    Collected first, so nothing frozen is garbage; frozen objects are still freed by reference
    counting. Measured in the workers of 10,000-page runs (bench child, direct calls): full
    collections took 0.65–0.75 s per worker instead of 1.65–2.16 s, and the frozen set ended at
    252,000–257,000 objects after 25 batches (241,000 when frozen once, after the first batch)."""
    gc.collect()
    gc.freeze()


def _logger():
    from prefect.exceptions import MissingContextError
    from prefect.logging import get_run_logger

    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("orgledger.parallel")


def _get_pool(processes: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != processes:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            _pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"))
            _pool_size = processes
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """Stop the workers (the flow calls this when a run ends, whatever its outcome)."""
    global _pool, _disabled
    with _lock:
        pool, _pool = _pool, None
        _disabled = False
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
