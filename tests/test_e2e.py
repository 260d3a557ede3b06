"""End to end through real Prefect: the flow on the bundled samples, then the views."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import duckdb
import pytest

from .helpers import ROOT, SAMPLES

pytestmark = pytest.mark.e2e


def query(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_flow_loads_samples_and_is_idempotent(prefect_harness, tmp_path):
    from flows.ingest import ingest_news

    warehouse = tmp_path / "e2e.duckdb"
    first = ingest_news(sources=[str(SAMPLES)], warehouse=str(warehouse))
    assert {k: first[k] for k in ("articles_read", "articles_failed", "orgs_new", "orgs_changed",
                                  "orgs_unchanged", "memberships_changed", "findings")} == {
        "articles_read": 3, "articles_failed": 0, "orgs_new": 20, "orgs_changed": 0, "orgs_unchanged": 0,
        "memberships_changed": 19, "findings": 3}
    assert query(warehouse, "SELECT role, count(*) FROM memberships GROUP BY role ORDER BY role") == [
        ("会员单位", 15), ("常务理事单位", 1), ("理事单位", 3)]
    assert query(warehouse, "SELECT DISTINCT federation_name, valid_from FROM memberships") == [
        ("中国网络社会组织联合会", date(2018, 5, 9))]
    tables = "articles statements findings org_versions membership_versions".split()
    before = {t: query(warehouse, f"SELECT count(*) FROM ledger.{t}")[0][0] for t in tables}

    second = ingest_news(sources=[str(SAMPLES)], warehouse=str(warehouse))
    # Unchanged pages are recognised by content hash and parser version: nothing is parsed or written.
    assert {k: second[k] for k in ("articles_read", "articles_unchanged", "statements_new", "orgs_new",
                                   "memberships_changed", "findings")} == {
        "articles_read": 0, "articles_unchanged": 3, "statements_new": 0, "orgs_new": 0,
        "memberships_changed": 0, "findings": 0}
    assert {t: query(warehouse, f"SELECT count(*) FROM ledger.{t}")[0][0] for t in tables} == before


def test_unchanged_files_are_skipped_by_stat_without_reading_them(prefect_harness, tmp_path, monkeypatch):
    import shutil

    import flows.pipeline
    from flows.ingest import ingest_news

    folder = tmp_path / "pages"
    shutil.copytree(SAMPLES, folder)
    old = 1_600_000_000  # an mtime long past: trusted (a file modified seconds ago is re-read)
    for path in folder.iterdir():
        os.utime(path, (old, old))
    reads: list[str] = []
    real_read = flows.pipeline.read_file
    monkeypatch.setattr(flows.pipeline, "read_file", lambda loc: reads.append(os.path.basename(loc)) or real_read(loc))
    warehouse = tmp_path / "stat.duckdb"
    keys = ("articles_read", "articles_unchanged", "statements_new")

    first = ingest_news(sources=[str(folder)], warehouse=str(warehouse))
    assert ({k: first[k] for k in keys}, sorted(reads)) == (
        {"articles_read": 3, "articles_unchanged": 0, "statements_new": first["statements_new"]},
        sorted(p.name for p in folder.iterdir()))
    assert query(warehouse, "SELECT count(*), count(DISTINCT content_hash) FROM ledger.source_files") == [(3, 3)]

    reads.clear()
    second = ingest_news(sources=[str(folder)], warehouse=str(warehouse))
    assert ({k: second[k] for k in keys}, reads) == (
        {"articles_read": 0, "articles_unchanged": 3, "statements_new": 0}, [])

    # Touched (same bytes, new mtime): read and hashed once, found unchanged, its new stat recorded.
    touched = folder / "seed-clean-utf8.html"
    os.utime(touched, (old + 10, old + 10))
    reads.clear()
    third = ingest_news(sources=[str(folder)], warehouse=str(warehouse))
    assert ({k: third[k] for k in keys}, reads) == (
        {"articles_read": 0, "articles_unchanged": 3, "statements_new": 0}, ["seed-clean-utf8.html"])
    reads.clear()
    assert ingest_news(sources=[str(folder)], warehouse=str(warehouse))["articles_unchanged"] == 3
    assert reads == []

    # Changed bytes with the old mtime put back: the size gives it away. (Same size and same mtime would
    # not: that is the stat heuristic of make and rsync, and why recent mtimes are not trusted.)
    changed = folder / "seed-gb2312-noisy.html"
    changed.write_bytes(changed.read_bytes() + b"<p>\xd0\xc2</p>")
    os.utime(changed, (old, old))
    reads.clear()
    fourth = ingest_news(sources=[str(folder)], warehouse=str(warehouse))
    assert (fourth["articles_read"], fourth["articles_unchanged"], reads) == (1, 2, ["seed-gb2312-noisy.html"])

    # A file modified just now is read but its stat is not trusted, so the next run reads it again.
    fresh = folder / "seed-garbled-traditional.txt"
    fresh.write_bytes(fresh.read_bytes())
    ingest_news(sources=[str(folder)], warehouse=str(warehouse))
    reads.clear()
    ingest_news(sources=[str(folder)], warehouse=str(warehouse))
    assert reads == ["seed-garbled-traditional.txt"]


def test_a_parsed_batch_is_read_back_from_the_parse_cache(prefect_harness, tmp_path, monkeypatch):
    # parse-batch's persisted result (PackedRows) is the cache: a run whose warehouse does not know the
    # pages yet (a retried backfill whose load failed) takes the parsed rows from it instead of parsing.
    from prefect.settings import PREFECT_TASKS_REFRESH_CACHE, temporary_settings

    import flows.ingest
    from flows.ingest import ingest_news

    first = tmp_path / "first.duckdb"
    # Parsed afresh (an earlier test may have cached the same pages), and the result cached anew.
    parsed = []
    real_parse = flows.ingest.parse_read_in_pool
    monkeypatch.setattr(flows.ingest, "parse_read_in_pool", lambda *a, **k: parsed.append(1) or real_parse(*a, **k))
    with temporary_settings({PREFECT_TASKS_REFRESH_CACHE: True}):
        ingest_news(sources=[str(SAMPLES)], warehouse=str(first))
    assert parsed == [1]

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again instead of reading the cached result")

    monkeypatch.setattr(flows.ingest, "parse_read_in_pool", no_parsing)
    again = tmp_path / "again.duckdb"
    summary = ingest_news(sources=[str(SAMPLES)], warehouse=str(again))
    assert (summary["articles_read"], summary["articles_failed"], summary["orgs_new"]) == (3, 0, 20)
    rows = "SELECT * EXCLUDE ({}) FROM ledger.{} ORDER BY ALL"
    recorded = "first_recorded, last_recorded"
    for table, volatile in (("articles", f"{recorded}, last_run_id"), ("statements", f"{recorded}, first_run_id"),
                            ("findings", f"{recorded}, first_run_id")):
        assert query(again, rows.format(volatile, table)) == query(first, rows.format(volatile, table))


def test_bad_page_does_not_sink_the_run(prefect_harness, tmp_path):
    from flows.ingest import ingest_news

    missing = str(tmp_path / "missing.html")
    warehouse = tmp_path / "partial.duckdb"
    summary = ingest_news(sources=[str(SAMPLES / "seed-clean-utf8.html"), missing], warehouse=str(warehouse))
    assert (summary["articles_read"], summary["articles_failed"]) == (1, 1)
    assert query(warehouse, "SELECT kind, detail FROM quality_findings WHERE kind = 'read_error'") == [
        ("read_error", f"source {missing!r} matches no file, directory or glob")]


def test_nothing_readable_fails_the_flow(prefect_harness, tmp_path):
    from flows.ingest import NothingReadError, ingest_news

    with pytest.raises(NothingReadError):
        ingest_news(sources=[str(tmp_path / "nope" / "*.html")], warehouse=str(tmp_path / "x.duckdb"))
    assert not (tmp_path / "x.duckdb").exists()


def test_cli_run_and_parse(tmp_path):
    """The installed command, as a user runs it (its own temporary Prefect server on 127.0.0.1)."""
    exe = [sys.executable, "-m", "flows.cli"]
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    warehouse = tmp_path / "cli.duckdb"
    done = subprocess.run([*exe, "run", "--source", str(SAMPLES / "*.html"), "--warehouse", str(warehouse),
                           "--json"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert (summary["articles_read"], summary["orgs_new"], summary["memberships_changed"],
            summary["memory_retries"]) == (2, 20, 19, 0)
    assert query(warehouse, "SELECT count(*) FROM memberships") == [(19,)]

    parsed = subprocess.run([*exe, "parse", "--json", str(SAMPLES / "seed-garbled-traditional.txt")],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert parsed.returncode == 0, parsed.stderr
    record = json.loads(parsed.stdout)
    assert record["source"] == str(SAMPLES / "seed-garbled-traditional.txt")
    assert record["published_at"] == "2018-05-10T16:12:00+08:00"
    assert len(record["memberships"]) == 19
    assert [f["kind"] for f in record["findings"]] == ["count_mismatch"]


def test_flow_reads_an_article_url(prefect_harness, tmp_path):
    from flows.ingest import ingest_news

    from .http_server import serve

    body = (SAMPLES / "seed-clean-utf8.html").read_bytes()
    with serve({"/news/1.html": (200, {"Content-Type": "text/html; charset=utf-8"}, body)}) as (base, _):
        summary = ingest_news(sources=[f"{base}/news/1.html"], warehouse=str(tmp_path / "url.duckdb"),
                              allow_hosts=["127.0.0.1"], archive=str(tmp_path / "archive"))
    assert (summary["articles_read"], summary["orgs_new"]) == (1, 20)
    assert query(tmp_path / "url.duckdb", "SELECT url, title FROM articles") == [
        (f"{base}/news/1.html", "中国网络社会组织联合会在京成立 浙江20家网络社会组织入会")]


def test_second_writer_gets_a_clear_early_error(prefect_harness, tmp_path):
    """Even past the deployment's concurrency limit, two runs never write one warehouse at once."""
    import textwrap

    from flows.ingest import ingest_news
    from warehouse.lock import WarehouseBusy

    warehouse = tmp_path / "busy.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from warehouse.lock import RunLock
        with RunLock({str(warehouse)!r}):
            print("locked", flush=True)
            time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseBusy, match="another orgledger run is writing .*busy.duckdb"):
            ingest_news(sources=[str(SAMPLES)], warehouse=str(warehouse))
    finally:
        holder.kill()
        holder.wait()
    assert not warehouse.exists()
