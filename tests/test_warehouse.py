"""Warehouse tests on temporary DuckDB files: exact rows in the views, idempotency, migrations, and
all-or-nothing loads."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import duckdb
import pytest

from flows.pipeline import parse_pages, read_sources
from warehouse.db import connect_writer, migrate, migrations
from warehouse.load import Failure, load_extractions

from .helpers import SAMPLES, SEED_FORMS

TABLES = ("articles", "statements", "findings", "org_versions", "membership_versions", "runs")


@pytest.fixture(scope="module")
def seed_extractions(settings):
    read = read_sources([str(SAMPLES / name) for name in SEED_FORMS])
    extractions, failures = parse_pages(read.pages, settings.profiles)
    assert failures == [] and read.failures == []
    return extractions


@pytest.fixture
def con(tmp_path):
    con = connect_writer(tmp_path / "w.duckdb", timeout=5)
    yield con
    con.close()


def counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM ledger.{t}").fetchone()[0] for t in TABLES}


def url(name: str) -> str:
    return (SAMPLES / name).resolve().as_uri()


def test_memberships_view_exact(con, seed_extractions):
    load_extractions(con, seed_extractions)
    rows = con.execute(
        "SELECT org_name, federation_name, role, valid_from FROM memberships ORDER BY role, org_name"
    ).fetchall()
    fed = "中国网络社会组织联合会"
    d = date(2018, 5, 9)
    expected = sorted(
        [(n, fed, "会员单位", d) for n in (
            "丽水市网络文化协会", "台州市网络文化协会", "台州市网络界人士联谊会", "宁波市计算机信息网络安全协会",
            "宁波市计算机学会", "杭州市网络安全研究院", "温州市互联网发展促进会", "温州市网络作家协会",
            "温州市网络公益联合会", "温州市网络文化协会", "绍兴市网络界人士联谊会", "舟山市网络文化协会",
            "衢州市电子商务协会", "衢州市网络作家协会", "金华市网络文化协会")]
        + [("浙江省网络文化协会", fed, "常务理事单位", d)]
        + [(n, fed, "理事单位", d) for n in ("宁波市网络文化协会", "杭州市网络文化协会", "浙江省青年网络协会")],
        key=lambda r: (r[2], r[0]),
    )
    assert rows == expected


def test_history_row_carries_provenance(con, seed_extractions):
    load_extractions(con, seed_extractions)
    row = con.execute(
        "SELECT org_name, role, valid_from, valid_to, article_url, evidence FROM membership_history "
        "WHERE org_name = '浙江省网络文化协会'"
    ).fetchall()
    # Three copies of one story: one version; the tie goes to the same article whatever the load order.
    assert row == [("浙江省网络文化协会", "常务理事单位", date(2018, 5, 9), None, url("seed-clean-utf8.html"),
                    "其中浙江省网络文化协会任常务理事单位；浙江省青年网络协会、杭州市网络文化协会、宁波市网络文化协会"
                    "3家单位任理事单位；杭州市网络安全研究院、宁波市网络文化协会、宁波市计算机信息网络安全协会、"
                    "宁波市计算机学会、温州市互联网发展促进会、温州市网络公益联合会、温州市网络作家协会、温州市网络文化协会、"
                    "绍兴市网络界人士联谊会、金华市网络文化协会、衢州市网络作家协会、衢州市电子商务协会、舟山市网络文化协会、"
                    "台州市网络文化协会、台州市网络界人士联谊会、丽水市网络文化协会等16家单位任会员单位。")]


def test_both_ningbo_statements_stay_in_the_log(con, seed_extractions):
    load_extractions(con, seed_extractions[:1])
    rows = con.execute(
        "SELECT value, object_name, valid_from FROM facts WHERE entity_name = '宁波市网络文化协会' "
        "AND prop = 'membership' ORDER BY value"
    ).fetchall()
    assert rows == [("会员单位", "中国网络社会组织联合会", date(2018, 5, 9)),
                    ("理事单位", "中国网络社会组织联合会", date(2018, 5, 9))]


def test_organizations_view_exact_for_some(con, seed_extractions):
    load_extractions(con, seed_extractions)
    rows = con.execute(
        "SELECT name, province, city, org_type, level FROM organizations "
        "WHERE name IN ('中国网络社会组织联合会', '浙江省网络文化协会', '杭州市网络安全研究院') ORDER BY name"
    ).fetchall()
    assert rows == [("中国网络社会组织联合会", None, None, "联合会", "national"),
                    ("杭州市网络安全研究院", "浙江省", "杭州市", "研究院", "city"),
                    ("浙江省网络文化协会", "浙江省", None, "协会", "provincial")]
    assert con.execute("SELECT count(*), count(DISTINCT org_id) FROM organizations").fetchone() == (20, 20)
    assert con.execute("SELECT count(*) FROM organizations WHERE province = '浙江省'").fetchone() == (19,)


def test_articles_and_findings_views(con, seed_extractions):
    load_extractions(con, seed_extractions)
    articles = con.execute("SELECT url, title, published_at, source FROM articles ORDER BY url").fetchall()
    published = datetime(2018, 5, 10, 8, 12, tzinfo=timezone.utc)
    title = "中国网络社会组织联合会在京成立 浙江20家网络社会组织入会"
    assert articles == [(url("seed-clean-utf8.html"), title, published, "浙江网信网"),
                        (url("seed-garbled-traditional.txt"), title, published, None),
                        (url("seed-gb2312-noisy.html"), title, published, "浙江网信网")]
    findings = con.execute("SELECT article_url, kind FROM quality_findings ORDER BY article_url").fetchall()
    assert findings == [(url(n), "count_mismatch") for n in sorted(SEED_FORMS)]


def test_second_load_adds_no_rows(con, seed_extractions):
    first = load_extractions(con, seed_extractions)
    after_first = counts(con)
    second = load_extractions(con, seed_extractions)
    after_second = counts(con)
    assert {k: v for k, v in after_second.items() if k != "runs"} == {k: v for k, v in after_first.items() if k != "runs"}
    assert after_second["runs"] == after_first["runs"] + 1
    assert (first.orgs_new, first.memberships_changed, first.statements_new) == (20, 19, after_first["statements"])
    assert (second.orgs_new, second.orgs_changed, second.orgs_unchanged, second.memberships_changed,
            second.statements_new) == (0, 0, 20, 0, 0)


def test_a_page_given_twice_in_one_run_is_staged_once(tmp_path, seed_extractions):
    """Within a batch and across batches: the first read wins, and the warehouse gets exactly what one
    copy gives (the stage has no primary keys to do this, see stage.sql)."""
    from warehouse.check import check_warehouse
    from warehouse.load import Stage, load_stage

    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    gone = Failure("file:///gone.html", "read_error", "missing")
    once = connect_writer(tmp_path / "once.duckdb", timeout=5)
    load_extractions(once, seed_extractions, [gone], now=now, run_id="r")
    files = [("file:///a.html", 10, 20, "h1")]
    stage = Stage(tmp_path / "stage.duckdb")
    stage.add(seed_extractions + seed_extractions[:1], [gone])
    stage.add_files(files + [("file:///a.html", 11, 21, "h2")])
    stage.add(seed_extractions[1:] + seed_extractions[:1], [gone, gone])
    stage.add_files(files)
    stage.finish()
    twice = connect_writer(tmp_path / "twice.duckdb", timeout=5)
    load_stage(twice, stage, now=now, run_id="r")
    once.execute("INSERT INTO ledger.source_files VALUES ('file:///a.html', 10, 20, 'h1', $now)", {"now": now})
    for table in ("articles", "statements", "findings", "org_versions", "membership_versions", "source_files"):
        query = f"SELECT * FROM ledger.{table} ORDER BY ALL"
        assert twice.execute(query).fetchall() == once.execute(query).fetchall(), table
    assert [c.name for c in check_warehouse(twice) if not c.ok] == []


def test_failures_become_findings(con):
    load_extractions(con, [], [Failure("file:///nowhere.html", "read_error", "cannot read /nowhere.html: No such file")])
    assert con.execute("SELECT article_url, kind, detail FROM quality_findings").fetchall() == [
        ("file:///nowhere.html", "read_error", "cannot read /nowhere.html: No such file")]


def test_failed_load_leaves_warehouse_as_before(con, seed_extractions, monkeypatch):
    load_extractions(con, seed_extractions[:1])
    before = counts(con)
    snapshot = con.execute("SELECT * FROM membership_history ORDER BY org_id").fetchall()
    import warehouse.derive as derive_module

    real_run = derive_module.run

    def failing_run(con_, filename, name, params=None):
        if name == "change_counts":  # after versions were rewritten
            raise RuntimeError("injected failure")
        return real_run(con_, filename, name, params)

    monkeypatch.setattr(derive_module, "run", failing_run)
    with pytest.raises(RuntimeError, match="injected failure"):
        load_extractions(con, seed_extractions)
    assert counts(con) == before
    assert con.execute("SELECT * FROM membership_history ORDER BY org_id").fetchall() == snapshot


def test_memory_retries_are_counted_in_the_summary_and_change_nothing(tmp_path, seed_extractions, monkeypatch):
    """A stage insert, the writer's migrations and the load transaction that run out of DuckDB's memory
    once each are run again (with_memory_fallback); the summary says so, and the warehouse is the same
    as without."""
    import warehouse.db as db_module
    import warehouse.derive as derive_module
    import warehouse.load as load_module
    from warehouse.load import Stage, load_stage

    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    plain = connect_writer(tmp_path / "plain.duckdb", timeout=5)
    assert load_extractions(plain, seed_extractions, now=now, run_id="r").memory_retries == 0

    failed: set[str] = set()

    def out_of_memory_once(module, step):
        real_run = module.run

        def run(con_, filename, name, params=None):
            if name == step and step not in failed:
                failed.add(step)
                raise duckdb.OutOfMemoryException("Out of Memory Error: injected")
            return real_run(con_, filename, name, params)
        monkeypatch.setattr(module, "run", run)

    out_of_memory_once(load_module, "add_statements")  # a stage insert
    out_of_memory_once(derive_module, "change_counts")  # deep inside the load transaction
    stage = Stage(tmp_path / "stage.duckdb")
    stage.add(seed_extractions)
    stage.finish()
    real_migrate = db_module.migrate

    def migrate_out_of_memory_once(con_):
        if "migrate" not in failed:
            failed.add("migrate")
            raise duckdb.OutOfMemoryException("Out of Memory Error: injected")
        return real_migrate(con_)
    monkeypatch.setattr(db_module, "migrate", migrate_out_of_memory_once)
    connecting: list[bool] = []
    retried = connect_writer(tmp_path / "retried.duckdb", timeout=5, on_memory_retry=lambda: connecting.append(True))
    summary = load_stage(retried, stage, now=now, run_id="r", connect_memory_retries=len(connecting))
    assert failed == {"add_statements", "migrate", "change_counts"}
    assert (summary.memory_retries, summary.as_dict()["memory_retries"]) == (3, 3)
    assert json.loads(retried.execute("SELECT summary FROM ledger.runs").fetchone()[0])["memory_retries"] == 3
    for table in ("articles", "statements", "findings", "org_versions", "membership_versions"):
        query = f"SELECT * FROM ledger.{table} ORDER BY ALL"
        assert retried.execute(query).fetchall() == plain.execute(query).fetchall(), table
    assert retried.execute("SELECT count(*) FROM ledger.runs").fetchone() == (1,)
    from flows.cli import format_summary

    assert format_summary({**summary.as_dict(), "warehouse": "w.duckdb"}).splitlines()[-1] == (
        "memory         DuckDB ran out of its memory limit 3x; retried with more (see the run's log)")
    assert "memory " not in format_summary({**summary.as_dict(), "warehouse": "w.duckdb", "memory_retries": 0})


def test_migrations_are_recorded_and_rerun_safely(tmp_path):
    path = tmp_path / "m.duckdb"
    con = duckdb.connect(str(path))
    applied = migrate(con)
    assert applied == [v for v, _, _ in migrations()] == [1, 2, 3, 4]
    assert migrate(con) == []
    assert con.execute("SELECT version, name FROM ledger.schema_migrations ORDER BY version").fetchall() == [
        (1, "init"), (2, "fetch_log"), (3, "source_files"), (4, "unindexed_logs")]
    con.close()


def test_migration_004_drops_the_keys_of_the_log_tables_and_keeps_their_rows(tmp_path, seed_extractions,
                                                                             monkeypatch):
    import warehouse.db as db

    path = tmp_path / "v3.duckdb"
    every = db.migrations()
    monkeypatch.setattr(db, "migrations", lambda: [m for m in every if m[0] <= 3])
    con = connect_writer(path, timeout=5)
    load_extractions(con, seed_extractions, [Failure("file:///gone.html", "read_error", "missing")],
                     now=datetime(2024, 1, 1, tzinfo=timezone.utc))
    con.execute("INSERT INTO ledger.source_files VALUES ('file:///a.html', 1, 2, 'h', now())")
    keyed = "SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' " \
            "AND schema_name = 'ledger' ORDER BY table_name"
    assert [t for (t,) in con.execute(keyed).fetchall()] == [
        "articles", "fetches", "findings", "meta", "role_ranks", "runs", "schema_migrations", "source_files",
        "statements"]
    before = {t: con.execute(f"SELECT * FROM ledger.{t} ORDER BY ALL").fetchall()
              for t in ("articles", "statements", "findings", "fetches", "source_files")}
    con.close()
    monkeypatch.setattr(db, "migrations", lambda: every)
    con = connect_writer(path, timeout=5)
    assert [t for (t,) in con.execute(keyed).fetchall()] == ["meta", "role_ranks", "runs", "schema_migrations"]
    assert {t: con.execute(f"SELECT * FROM ledger.{t} ORDER BY ALL").fetchall() for t in before} == before
    assert before["statements"] and before["findings"] and before["source_files"]
    con.close()


def test_locked_warehouse_gives_clear_error(tmp_path):
    import subprocess
    import sys
    import textwrap

    path = tmp_path / "locked.duckdb"
    connect_writer(path, timeout=1).close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r}, read_only=True)
        print("held", flush=True)
        time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        from warehouse.db import WarehouseLocked

        with pytest.raises(WarehouseLocked, match="still held by another process after 1s"):
            connect_writer(path, timeout=1, poll=0.2)
    finally:
        holder.kill()
        holder.wait()


def test_a_load_that_outgrows_the_memory_limit_is_retried_with_more(tmp_path, caplog):
    """DuckDB spills most operators to disk under its memory limit, not all: then the action runs again
    with four times the limit (twice), then without one, instead of failing the run."""
    from warehouse.db import _UNITS, _memory_limit, with_memory_fallback

    con = duckdb.connect(str(tmp_path / "m.duckdb"), config={"memory_limit": "8MB", "threads": 1})
    unlimited = _memory_limit(duckdb.connect(str(tmp_path / "u.duckdb")))[1]
    query = "SELECT length(string_agg(x::VARCHAR, ',' ORDER BY x DESC)) FROM range(3000000) t(x)"
    # digits of 0..2999999 plus the commas
    assert with_memory_fallback(con, lambda: con.execute(query).fetchone()[0]) == 22888889
    steps = [r.getMessage().split("memory limit")[0].split("of its ")[1].strip() for r in caplog.records]
    steps.append(caplog.records[-1].getMessage().split("retrying with ")[1])
    assert steps[-1] == unlimited and _memory_limit(con)[1] == unlimited
    sizes = [float(n) * _UNITS[unit] for n, unit in (step.split() for step in steps[:3])]
    assert [round(b / a, 1) for a, b in zip(sizes, sizes[1:])] == [4.0, 4.0]

    def always_out_of_memory():
        raise duckdb.OutOfMemoryException("Out of Memory Error: simulated")

    caplog.clear()
    con.execute("SET memory_limit = '8MB'")
    with pytest.raises(duckdb.OutOfMemoryException, match="simulated"):
        with_memory_fallback(con, always_out_of_memory, raises=1)
    assert len(caplog.records) == 2  # four times the limit, then none, then the error is the caller's
