"""Staged rows reach DuckDB as Arrow arrays (warehouse/arrow.py): exact values in, exact rows out."""

from datetime import date, datetime, timedelta, timezone

import duckdb
import pytest

from warehouse.arrow import arrow_batch, column_types
from warehouse.load import Stage

SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE t (s VARCHAR, n BIGINT, i INTEGER, d DATE, ts TIMESTAMPTZ)")
    yield con
    con.close()


def test_column_types_come_from_the_table(con):
    assert column_types(con, "t") == {"s": "VARCHAR", "n": "BIGINT", "i": "INTEGER", "d": "DATE",
                                      "ts": "TIMESTAMP WITH TIME ZONE"}
    with pytest.raises(ValueError, match="no table 'missing'"):
        column_types(con, "missing")


def test_values_arrive_exactly_with_nulls_and_in_any_field_order(con):
    batch = arrow_batch({
        "ts": [datetime(2018, 5, 10, 9, 30, tzinfo=SHANGHAI), None, "2020-01-02T03:04:05.123456+00:00"],
        "d": [date(2018, 5, 10), None, date(1999, 12, 31)],
        "i": [1, None, -7],
        "n": [2**62, 0, None],
        "s": ["網(wǎng)絡(luò)", None, ""],
    }, column_types(con, "t"))
    con.register("batch_rows", batch)
    con.execute("INSERT INTO t BY NAME SELECT * FROM batch_rows")
    assert con.execute("SELECT s, n, i, d, ts FROM t").fetchall() == [
        ("網(wǎng)絡(luò)", 2**62, 1, date(2018, 5, 10), datetime(2018, 5, 10, 1, 30, tzinfo=timezone.utc)),
        (None, 0, None, None, None),
        ("", None, -7, date(1999, 12, 31), datetime(2020, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)),
    ]


def test_a_malformed_batch_is_refused_before_it_reaches_duckdb(con):
    types = column_types(con, "t")
    with pytest.raises(ValueError, match="unequal length"):
        arrow_batch({"s": ["a", "b"], "n": [1]}, types)
    with pytest.raises(ValueError, match="no column 'x'"):
        arrow_batch({"x": ["a"]}, types)
    with pytest.raises(ValueError, match="no Arrow mapping for DuckDB type DOUBLE"):
        arrow_batch({"f": [1.5]}, {"f": "DOUBLE"})


def test_stage_tables_keep_every_value(tmp_path):
    """Each staged table through Stage: fetch outcomes have every column type the stage uses."""
    from types import SimpleNamespace

    from warehouse.load import _FETCH_COLUMNS

    fetched_at = datetime(2026, 11, 30, 8, 0, 1, 250000, tzinfo=SHANGHAI)
    fetch = SimpleNamespace(kind="page", url="http://127.0.0.1/a", final_url="http://127.0.0.1/b",
                            outcome="ok", status=200, attempts=2, content_type="text/html; charset=gbk",
                            etag='"x"', last_modified=None, bytes=102400, body_sha256="ab" * 32,
                            fetched_at=fetched_at, elapsed_ms=37, detail=None)
    stage = Stage(tmp_path / "stage.duckdb")
    stage.add_fetches([fetch])
    stage.add_files([("file:///a.html", 10, 1732950000123456789, "h1")])
    stage.finish()
    con = duckdb.connect(str(tmp_path / "stage.duckdb"))
    con.execute("SET TimeZone = 'UTC'")
    assert con.execute(f"SELECT {', '.join(_FETCH_COLUMNS)} FROM fetches").fetchall() == [
        ("page", "http://127.0.0.1/a", "http://127.0.0.1/b", "ok", 200, 2, "text/html; charset=gbk", '"x"',
         None, 102400, "ab" * 32, datetime(2026, 11, 30, 0, 0, 1, 250000, tzinfo=timezone.utc), 37, None)]
    assert con.execute("SELECT * FROM files").fetchall() == [("file:///a.html", 10, 1732950000123456789, "h1")]
