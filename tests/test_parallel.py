"""Parsing in worker processes (flows/parallel.py) gives exactly the rows of parsing in place, and a
worker that dies does not sink the run."""

from __future__ import annotations

import os
import pickle

import pytest

from flows import parallel
from flows.pipeline import read_sources
from flows.settings import load_settings
from flows.sources import RawPage
from warehouse.records import PackedRows, StagedRows

from .helpers import ROOT, SAMPLES


@pytest.fixture
def pages():
    read = read_sources([str(SAMPLES), str(ROOT / "tests" / "eval" / "docs")])
    assert not read.failures
    return read.pages


@pytest.fixture(autouse=True)
def stop_workers():
    yield
    parallel.shutdown()


def test_worker_processes_give_the_same_rows_as_parsing_in_place(pages):
    profiles = load_settings().profiles
    in_place, failures_in_place = parallel.parse_in_pool(pages, profiles, processes=1)
    pooled, failures_pooled = parallel.parse_in_pool(pages, profiles, processes=2)
    assert len(pages) > 40 and in_place.articles_read == len(pages) and not failures_in_place
    assert pooled == in_place
    assert failures_pooled == failures_in_place
    # The pool stays up for the next batch (one start per run, not per batch).
    pool = parallel._pool
    assert parallel.parse_in_pool(pages[:3], profiles, processes=2)[0].articles_read == 3
    assert parallel._pool is pool


class _KillsTheWorker(RawPage):
    """A page that, when a worker process unpickles it, ends that process (as an OOM kill would)."""

    def __reduce__(self):
        return (os._exit, (3,))


def test_dying_workers_fall_back_to_parsing_in_place(pages, caplog):
    page = pages[0]
    poison = _KillsTheWorker(page.source, page.url, page.data, page.http_charset)
    rows, failures = parallel.parse_in_pool([poison], (), processes=2)
    expected, _ = parallel.parse_to_rows([page], ())
    assert rows == expected and failures == []
    assert "parsing in the flow's process from now on" in caplog.text
    # For the rest of the run batches parse in place; shutdown() (end of run) resets that.
    assert parallel.parse_in_pool(pages[:2], (), processes=2)[0].articles_read == 2
    assert parallel._pool is None
    parallel.shutdown()
    assert parallel.parse_in_pool(pages[:2], (), processes=2)[0].articles_read == 2
    assert parallel._pool is not None


def test_a_worker_freezes_its_heap_after_each_batch():
    """parallel._settle: what a worker holds after a batch leaves the collector's sight (nothing before
    its first batch); the calling process's heap is left alone."""
    import gc

    # eval is a builtin, so a spawned worker can unpickle it; the probe runs in whichever worker is free.
    probe = "(__import__('os').getpid(), __import__('gc').get_freeze_count())"
    here = gc.get_freeze_count()
    seen: dict[int, list[int]] = {}
    for _ in range(5):  # two workers, five batches: at least one worker runs three
        pid, frozen = parallel._run(eval, (probe,), 2)
        seen.setdefault(pid, []).append(frozen)
    assert os.getpid() not in seen and max(len(counts) for counts in seen.values()) >= 3
    for counts in seen.values():
        assert counts[0] == 0  # the probe ran before that worker's first batch ended
        assert 1000 < counts[1] <= min(counts[2:])  # thousands of objects, kept frozen
    assert gc.get_freeze_count() == here


def test_spooled_pages_parse_to_the_same_rows(pages, tmp_path):
    """Between fetch and parse a batch travels as a file and page refs, not bytes (flows.pipeline.spool_pages)."""
    from flows.pipeline import ReadResult, spool_pages

    profiles = load_settings().profiles
    read = ReadResult(pages=pages)
    spooled = spool_pages(read, str(tmp_path))
    assert (spooled.pages, spooled.page_refs()) == ([], read.page_refs())
    assert spooled.load_pages() == pages
    chosen = {p.url for p in pages[::5]}
    expected = parallel.parse_in_pool([p for p in pages if p.url in chosen], profiles, processes=1)
    for given in (spooled, read):
        packed, failures = parallel.parse_read_in_pool(given, chosen, profiles, processes=2)
        assert (packed.unpack(), failures) == expected
    assert parallel.parse_read_in_pool(read, set(), profiles, processes=2)[0].unpack() == StagedRows()


def test_packed_rows_unpack_to_the_rows_packed(pages):
    rows, _ = parallel.parse_to_rows(pages[:5], load_settings().profiles)
    packed = PackedRows.pack(rows)
    assert packed.unpack() == rows and rows.articles_read == 5
    assert len(packed.blobs[0]) < len(pickle.dumps(rows)) / 2  # what it is for: a smaller persisted result


def test_a_batch_split_among_the_workers_gives_the_rows_of_the_whole(pages, tmp_path, monkeypatch):
    """parse_read_in_pool gives each worker a part of the batch; the parts' rows joined, in order, are
    the rows of parsing the whole batch in one place (spooled or not)."""
    from flows.pipeline import ReadResult, spool_pages

    profiles = load_settings().profiles
    monkeypatch.setattr(parallel, "MIN_PART_PAGES", 5)
    read = ReadResult(pages=pages)
    chosen = {p.url for p in pages[1:]}
    expected = parallel.parse_in_pool(pages[1:], profiles, processes=1)
    for given in (spool_pages(read, str(tmp_path)), read):
        packed, failures = parallel.parse_read_in_pool(given, chosen, profiles, processes=2)
        assert len(packed.blobs) == 2  # two parts, one per worker
        assert (packed.unpack(), failures) == expected


def test_split_evenly_keeps_order_and_part_sizes():
    assert parallel.split_evenly(list(range(7)), 1) == [list(range(7))]
    assert parallel.split_evenly(list(range(10)), 2) == [list(range(10))]  # below 2 × MIN_PART_PAGES
    items = list(range(101))
    assert parallel.split_evenly(items, 2) == [items[:51], items[51:]]
    assert parallel.split_evenly(items, 3) == [items[:34], items[34:68], items[68:]]
    assert parallel.split_evenly([], 2) == [[]]


def test_joined_packed_rows_unpack_to_the_rows_of_both(pages):
    profiles = load_settings().profiles
    first, _ = parallel.parse_to_rows(pages[:3], profiles)
    second, _ = parallel.parse_to_rows(pages[3:5], profiles)
    both, _ = parallel.parse_to_rows(pages[:5], profiles)
    joined = PackedRows.join([PackedRows.pack(first), PackedRows.pack(second), PackedRows.pack(StagedRows())])
    assert joined.unpack() == both and both.articles_read == 5


def test_the_parse_cache_key_names_the_result_format(pages, monkeypatch):
    # Cached results are pickles of ParsedBatch/PackedRows: results of another shape must not be read back.
    import flows.ingest
    from flows.pipeline import Known, ReadResult

    parameters = {"profiles": (), "known": Known(), "fetched": ReadResult(pages=pages[:3])}
    key = flows.ingest._parse_cache_key(None, parameters)
    assert key == flows.ingest._parse_cache_key(None, parameters) and key.startswith("parse-")
    monkeypatch.setattr(flows.ingest, "RESULT_FORMAT", "rows/0")
    assert flows.ingest._parse_cache_key(None, parameters) != key
