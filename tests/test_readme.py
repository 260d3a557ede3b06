"""The README's SQL examples run against a real warehouse (scenario articles loaded) and return rows."""

from __future__ import annotations

import re

import duckdb
import pytest

from flows.pipeline import parse_pages, read_sources
from warehouse.db import WRITER_MEMORY_LIMIT, connect_writer
from warehouse.load import load_extractions
from warehouse.queries import split_statements

from .helpers import FIXTURES, ROOT, SAMPLES

README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = [s for block in re.findall(r"```sql\n(.*?)```", README, re.S) for s in split_statements(block)]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, settings):
    con = connect_writer(tmp_path_factory.mktemp("readme") / "r.duckdb", timeout=5)
    for sources in ([str(SAMPLES)], [str(FIXTURES / "history")]):  # two runs, so "the last run" means something
        read = read_sources(sources)
        extractions, failures = parse_pages(read.pages, settings.profiles)
        load_extractions(con, extractions, failures)
    yield con
    con.close()


def test_there_are_examples():
    assert len(EXAMPLES) >= 12


@pytest.mark.parametrize("sql", EXAMPLES, ids=[s.splitlines()[-1][:40] for s in EXAMPLES])
def test_readme_example_returns_rows(warehouse, sql):
    assert warehouse.execute(sql).fetchall() != []


# Well under the writer's own limit (warehouse.db.WRITER_MEMORY_LIMIT), which reports and checks share
# with the load. DuckDB's operators have a fixed cost (a view of 300 statements needs 2–70 MB here), so
# a view that stacks copies of others can run out on a tiny warehouse: org_aliases once needed 160 MB.
QUERY_MEMORY_LIMIT = "100MB"


def _views(con) -> list[str]:
    return [name for (name,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal ORDER BY 1").fetchall()]


def test_every_view_and_example_fits_a_small_memory_limit(warehouse):
    queries = [f"SELECT * FROM main.{view}" for view in _views(warehouse)] + EXAMPLES
    expected = {sql: sorted(map(repr, warehouse.execute(sql).fetchall())) for sql in queries}
    warehouse.execute(f"SET memory_limit = '{QUERY_MEMORY_LIMIT}'")
    try:
        got = {}
        for sql in queries:
            try:
                got[sql] = sorted(map(repr, warehouse.execute(sql).fetchall()))
            except duckdb.OutOfMemoryException as exc:
                got[sql] = str(exc).splitlines()[0]
    finally:
        warehouse.execute(f"SET memory_limit = '{WRITER_MEMORY_LIMIT}'")
    assert {sql: got[sql] for sql in queries if got[sql] != expected[sql]} == {}
    assert len(_views(warehouse)) >= 14
