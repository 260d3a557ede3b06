"""flows.ingest's own helpers, called directly (the flow itself runs in tests/test_e2e.py)."""

from __future__ import annotations

import platform

import pytest

from flows import ingest


def test_the_progress_artifact_is_updated_every_few_seconds_and_at_the_end(monkeypatch):
    """The terminal bar hears of every batch; the Prefect artifact (a server round trip each) at most
    every PROGRESS_ARTIFACT_INTERVAL_SECONDS, and always at 100 %."""
    from flows import progress

    updates, heard = [], []
    monkeypatch.setattr(ingest, "create_progress_artifact", lambda *args, **kwargs: "artifact-id")
    monkeypatch.setattr(ingest, "update_progress_artifact", lambda artifact, value: updates.append((artifact, value)))
    now = [100.0]
    listener = lambda done, total: heard.append((done, total))  # noqa: E731
    progress.add_listener(listener)
    try:
        tracker = ingest._Progress(1000, clock=lambda: now[0])
        for seconds in (1.0, 1.0, 3.0, 0.5, 6.0, 0.1, 0.1, 0.1, 0.1, 0.1):  # ten batches of 100 pages
            now[0] += seconds
            tracker.advance(100)
    finally:
        progress.remove_listener(listener)
    assert ingest.PROGRESS_ARTIFACT_INTERVAL_SECONDS == 5.0
    # 5.0 s after the start (third batch), 6.0 s after that (fifth), then the last batch.
    assert updates == [("artifact-id", 30.0), ("artifact-id", 50.0), ("artifact-id", 100.0)]
    assert heard == [(0, 1000)] + [(100 * k, 1000) for k in range(1, 11)]


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_freed_memory_can_be_returned_before_the_load():
    """On glibc (Linux, CI) the trim before the load finds malloc_trim, so it is not silently a no-op."""
    assert ingest._malloc_trim() is not None
    ingest.return_freed_memory()


def test_the_load_task_counts_migrations_retried_with_more_memory(tmp_path, monkeypatch):
    """load-warehouse connects the writer (migrations) and loads; a migration that ran out of DuckDB's memory
    and was run again counts in the summary the load stores, like the load's own retries."""
    import json
    import logging

    import duckdb

    import warehouse.db as db_module
    from warehouse.load import Stage

    real_migrate, failed = db_module.migrate, []

    def migrate_out_of_memory_once(con):
        if not failed:
            failed.append(True)
            raise duckdb.OutOfMemoryException("Out of Memory Error: injected")
        return real_migrate(con)
    monkeypatch.setattr(db_module, "migrate", migrate_out_of_memory_once)
    monkeypatch.setattr(ingest, "get_run_logger", lambda: logging.getLogger("test"))  # no flow run here
    stage = Stage(tmp_path / "stage.duckdb")  # nothing staged: the run is still recorded, with its summary
    stage.finish()
    warehouse = tmp_path / "w.duckdb"
    summary = ingest.load_warehouse.fn(stage, str(warehouse), ["nothing"], 5.0, "run-1")
    assert (failed, summary.memory_retries) == ([True], 1)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert json.loads(con.execute("SELECT summary FROM ledger.runs").fetchone()[0])["memory_retries"] == 1
    finally:
        con.close()
