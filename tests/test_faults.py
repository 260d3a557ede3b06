"""Faults injected on purpose: killed loads, broken servers, an unreachable Prefect API, a full disk,
an old warehouse, hostile names, sources that try to leave their folders."""

from __future__ import annotations

import errno
import gzip
import os
import random
import signal
import socket
import subprocess
import sys
import textwrap
import time
from datetime import date
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import duckdb
import pytest

from flows.fetcher import CrawlPolicy, Fetcher
from flows.sources import SourceError, expand_source
from parsers.model import Article, Extraction, MembershipClaim, Organization
from warehouse.check import check_warehouse
from warehouse.db import connect_writer, migrate
from warehouse.load import load_extractions

from .helpers import FIXTURES, ROOT, SAMPLES
from .http_server import running
from .prefect_services import free_port

ALL_SOURCES = [str(SAMPLES), str(FIXTURES / "history")]
COMPARED = {
    "articles": "SELECT url, title, published_at, content_hash FROM articles ORDER BY url",
    "facts": "SELECT statement_id, prop, value, valid_from, superseded_at IS NULL FROM facts ORDER BY statement_id",
    "membership_history": "SELECT org_id, federation_id, role, valid_from, valid_to FROM membership_history ORDER BY ALL",
    "organization_history": "SELECT org_id, name, valid_from, valid_to FROM organization_history ORDER BY ALL",
    "findings": "SELECT article_url, kind, detail FROM quality_findings ORDER BY ALL",
}


def tables(path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in COMPARED.items()}
    finally:
        con.close()


# -- a load killed with SIGKILL at random points -------------------------------------------------------

LOADER = textwrap.dedent("""
    import sys
    from flows.pipeline import parse_pages, read_sources
    from flows.settings import load_settings
    from warehouse.db import connect_writer
    from warehouse.load import load_extractions
    from warehouse.lock import RunLock

    warehouse, *sources = sys.argv[1:]
    profiles = load_settings().profiles
    with RunLock(warehouse):
        for source in sources:  # one load per source, like consecutive runs
            read = read_sources([source])
            extractions, failures = parse_pages(read.pages, profiles)
            con = connect_writer(warehouse, timeout=30)
            print("loading", flush=True)
            load_extractions(con, extractions, failures)
            con.close()
    print("done", flush=True)
""")


def _load_in_child(warehouse: Path, kill_after: float | None) -> str:
    # A killed loader cannot remove its stage folder: keep it in the test's folder, not in /tmp.
    env = {**os.environ, "TMPDIR": str(warehouse.parent)}
    child = subprocess.Popen([sys.executable, "-c", LOADER, str(warehouse), *ALL_SOURCES], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True, env=env)
    if kill_after is None:
        out, _ = child.communicate(timeout=120)
        assert child.returncode == 0
        return out
    assert child.stdout.readline().strip() == "loading"
    time.sleep(kill_after)
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    return "killed"


def test_sigkill_during_loads_never_corrupts(tmp_path):
    reference = tmp_path / "reference.duckdb"
    _load_in_child(reference, None)
    expected = tables(reference)
    rng = random.Random(20181)
    for attempt in range(6):
        warehouse = tmp_path / f"killed-{attempt}.duckdb"
        _load_in_child(warehouse, rng.uniform(0.0, 0.6))
        if warehouse.exists():
            con = connect_writer(warehouse, timeout=10)  # opens, migrates if it died mid-migration
            assert [c.name for c in check_warehouse(con) if not c.ok] == []
            con.close()
        _load_in_child(warehouse, None)  # the next run completes (the killed run's lock is gone)
        assert tables(warehouse) == expected, attempt


# -- a broken HTTP server ------------------------------------------------------------------------------

class _Broken(BaseHTTPRequestHandler):
    GBK_PAGE = ('<html><head><meta charset="gb2312"></head><body><p>浙江省网络文化协会任理事单位。王喆</p>'
                '</body></html>').encode("gbk")

    def do_GET(self):  # noqa: N802
        if self.path == "/drop":
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if self.path == "/stall":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<html><body>" + b"x" * 1000)
            self.wfile.flush()
            time.sleep(3)
            return
        if self.path == "/short":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"<html><body><p>only this</p>")
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if self.path == "/badgzip":
            body = b"this is not gzip at all"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path in ("/wrong-charset", "/gzip-ok"):
            body = self.GBK_PAGE if self.path == "/wrong-charset" else gzip.compress(self.GBK_PAGE)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")  # wrong for /wrong-charset
            if self.path == "/gzip-ok":
                self.send_header("Content-Type", "text/html; charset=gbk")
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def broken_server():
    with running(_Broken) as base:
        yield base


def test_broken_server_outcomes(broken_server):
    from parsers.encoding import decode_html

    fetcher = Fetcher(CrawlPolicy(min_delay=0, read_timeout=1, retries=1, backoff_base=0.01,
                                  respect_robots=False, allow_hosts=frozenset({"127.0.0.1"})))
    results = {path: fetcher.fetch(broken_server + path) for path in
               ("/drop", "/stall", "/short", "/badgzip", "/wrong-charset")}
    assert {p: (r.outcome, r.attempts) for p, r in results.items()} == {
        "/drop": ("connection_error", 2),  # retried once, then given up
        "/stall": ("timeout", 1),
        "/short": ("connection_error", 1),
        "/badgzip": ("http_error", 1),
        "/wrong-charset": ("ok", 1),
    }
    assert results["/stall"].detail.startswith("body interrupted after")
    assert results["/badgzip"].detail.startswith("undecodable body")
    page = results["/wrong-charset"]
    decoded = decode_html(page.body, page.charset)  # header says utf-8, the page's meta says gb2312
    assert (decoded.encoding, decoded.evidence) == ("gb18030", "meta")
    assert "浙江省网络文化协会任理事单位。王喆" in decoded.text


# -- the Prefect API unavailable at start ---------------------------------------------------------------

def test_unreachable_prefect_api_fails_clearly_and_writes_nothing(tmp_path):
    env = {**os.environ, "PREFECT_API_URL": f"http://127.0.0.1:{free_port()}/api", "PREFECT_HOME": str(tmp_path / "p"),
           "PREFECT_CLIENT_MAX_RETRIES": "1"}
    warehouse = tmp_path / "never.duckdb"
    done = subprocess.run([sys.executable, "-m", "flows.cli", "run", "--warehouse", str(warehouse)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "orgledger run failed: the Prefect API at http://127.0.0.1:" in done.stderr
    assert "is not reachable" in done.stderr
    assert not warehouse.exists()


# -- the disk fills up while the archive is written ------------------------------------------------------

def test_full_disk_during_archive_write_leaves_the_warehouse_unchanged(prefect_harness, tmp_path, monkeypatch):
    from flows import archive
    from flows.ingest import ingest_news

    from .site_server import FixtureSite

    warehouse = tmp_path / "w.duckdb"
    con = connect_writer(warehouse, timeout=5)
    from flows.pipeline import parse_pages, read_sources
    from flows.settings import load_settings

    read = read_sources([str(SAMPLES)])
    load_extractions(con, parse_pages(read.pages, load_settings().profiles)[0])
    con.close()
    before = tables(warehouse)

    def full_disk(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(archive, "_atomic_write", full_disk)
    with FixtureSite() as site:
        with pytest.raises(archive.ArchiveError, match="cannot write the raw archive at .*: No space left on device"):
            ingest_news(sources=[f"{site.base}/art/final.html"], warehouse=str(warehouse), allow_hosts=["127.0.0.1"],
                        archive=str(tmp_path / "archive"))
    assert tables(warehouse) == before


# -- a warehouse made by an older orgledger ------------------------------------------------------------

def test_older_warehouse_is_migrated_in_place(tmp_path, settings):
    from flows.pipeline import parse_pages, read_sources

    path = tmp_path / "old.duckdb"
    con = connect_writer(path, timeout=5)
    read = read_sources(ALL_SOURCES)
    load_extractions(con, parse_pages(read.pages, settings.profiles)[0])
    con.close()
    expected = tables(path)
    # What version 1 of the schema left behind: no fetch log, history derived by older definitions.
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE ledger.fetches")
    con.execute("DROP TABLE ledger.source_files")
    con.execute("DELETE FROM ledger.schema_migrations WHERE version IN (2, 3, 4)")
    con.execute("UPDATE ledger.meta SET value = 'older' WHERE key = 'history_fingerprint'")
    con.execute("DELETE FROM ledger.membership_versions WHERE valid_to IS NOT NULL")
    con.close()
    con = connect_writer(path, timeout=5)
    assert con.execute("SELECT version FROM ledger.schema_migrations ORDER BY version").fetchall() == [
        (1,), (2,), (3,), (4,)]
    assert [c.name for c in check_warehouse(con) if not c.ok] == []
    con.close()
    assert tables(path) == expected


# -- hostile names ----------------------------------------------------------------------------------

HOSTILE = "X协会'); DROP TABLE ledger.statements; --\"\x00\x07\u202e协会"


def test_hostile_names_are_stored_verbatim(tmp_path):
    article = Article(source="x", url="https://e.example/x.html", title="t'\"; --", published_at=None,
                      source_name=None, paragraphs=["p"], paragraphs_original=["p"], title_original=None,
                      encoding="utf-8", encoding_evidence="default", profile=None, content_hash="h")
    org = Organization("org_hostile", HOSTILE, None, None, None, None, "协会", None, (HOSTILE + "2",))
    fed = Organization("org_fed", "联合会'--", None, None, None, None, "联合会", None)
    claim = MembershipClaim("org_hostile", HOSTILE, "会员单位", "org_fed", "联合会'--", date(2020, 1, 1), HOSTILE)
    con = connect_writer(tmp_path / "h.duckdb", timeout=5)
    load_extractions(con, [Extraction(article=article, organizations=[org, fed], claims=[claim])])
    assert con.execute("SELECT org_name, federation_name, evidence FROM memberships").fetchall() == [
        (HOSTILE, "联合会'--", HOSTILE)]
    assert con.execute("SELECT title FROM articles").fetchall() == [("t'\"; --",)]
    assert con.execute("SELECT count(*) FROM ledger.statements").fetchone()[0] > 0
    assert sorted(a for (a,) in con.execute("SELECT alias FROM org_aliases WHERE org_id = 'org_hostile'").fetchall()) == [
        HOSTILE, HOSTILE + "2"]


# -- local sources stay in their folders ---------------------------------------------------------------

def test_symlink_out_of_a_source_folder_is_refused(tmp_path):
    outside = tmp_path / "secret.html"
    outside.write_text("<p>secret</p>")
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "ok.html").write_text("<p>ok</p>")
    (folder / "link.html").symlink_to(outside)
    with pytest.raises(SourceError, match="link.html leads outside .*pages"):
        expand_source(str(folder))
    with pytest.raises(SourceError, match="link.html leads outside .*pages"):
        expand_source(str(folder / "*.html"))


def test_local_roots_confine_sources(tmp_path):
    root = tmp_path / "allowed"
    root.mkdir()
    (root / "a.html").write_text("<p>a</p>")
    (tmp_path / "b.html").write_text("<p>b</p>")
    assert expand_source(str(root / "a.html"), local_roots=(str(root),)) == [str(root / "a.html")]
    for spec in (str(tmp_path / "b.html"), str(root / ".." / "b.html"), str(root / ".." / "*.html")):
        with pytest.raises(SourceError, match="outside the configured local_roots"):
            expand_source(spec, local_roots=(str(root),))


def test_migrate_twice_on_fresh_file_is_safe(tmp_path):
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    migrate(con)
    migrate(con)
    assert [c.name for c in check_warehouse(con) if not c.ok] == []


def _rglob_reference(folder, roots=()):
    """What expand_source did for a folder before it walked with os.scandir: resolve every file of
    sorted(rglob) and confine it (flows.sources._confined). The fast walk must give the same list."""
    from flows.sources import PAGE_SUFFIXES, _confined

    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES)
    return _confined(str(folder), files, folder.resolve(), tuple(r.resolve() for r in roots))


def _tricky_tree(tmp_path):
    """Names whose string order differs from path order, case, dot files, odd suffixes, a symlinked file
    that stays inside, a symlinked folder (not entered), a folder reached through a symlink."""
    real = tmp_path / "real"
    for name in ("a/b.html", "a-c.html", "a/x/y.HTM", "a/.html", "a/..html", "a/z.html.", "a/n.txt", "a/p.pdf",
                 "b/deep/er/page.shtml", "b/page.xhtml", "Z.html", "é/页.html"):
        (real / name).parent.mkdir(parents=True, exist_ok=True)
        (real / name).write_text("<p>x</p>")
    (real / "a" / "inner-link.html").symlink_to(real / "b" / "page.xhtml")
    (real / "linked-folder").symlink_to(real / "b", target_is_directory=True)
    (real / "a" / "broken.html").symlink_to(real / "missing.html")
    via = tmp_path / "via"
    via.symlink_to(real, target_is_directory=True)
    return real, via


def test_a_folder_expands_exactly_as_resolving_every_rglob_match(tmp_path):
    real, via = _tricky_tree(tmp_path)
    expected = [str(real / n) for n in ("Z.html", "a/..html", "a/b.html", "b/page.xhtml", "a/n.txt",
                                        "a/x/y.HTM", "a-c.html", "b/deep/er/page.shtml", "b/page.xhtml",
                                        "é/页.html")]
    assert expand_source(str(via)) == expected
    assert expand_source(str(real), local_roots=(str(real),)) == expected
    for folder in (real, via, real / "b", via / "b"):
        assert expand_source(str(folder)) == _rglob_reference(folder)
    roots = (real / "b", real / "é")
    assert expand_source(str(real / "b"), local_roots=tuple(map(str, roots))) == _rglob_reference(real / "b", roots)


def test_a_link_out_of_the_folder_or_the_roots_is_refused_as_before(tmp_path):
    real, via = _tricky_tree(tmp_path)
    # a/inner-link.html leads to b/page.xhtml: inside real/, outside real/a/.
    for folder in (real / "a", via / "a"):
        message = f"{folder / 'inner-link.html'} leads outside {real / 'a'} (symlink or '..'); refused"
        for expand in (lambda f: expand_source(str(f)), _rglob_reference):
            with pytest.raises(SourceError) as raised:
                expand(folder)
            assert (str(raised.value), raised.value.url) == (message, str(folder / "inner-link.html"))
    # Roots that leave out part of the folder: the first page outside them (in path order) is refused.
    for expand in (lambda f, r: expand_source(str(f), local_roots=tuple(map(str, r))), _rglob_reference):
        with pytest.raises(SourceError) as raised:
            expand(real, (real / "a", real / "b"))
        assert (str(raised.value), raised.value.url) == (
            f"{real / 'Z.html'} is outside the configured local_roots; refused", str(real / "Z.html"))
