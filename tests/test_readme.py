"""The README's SQL examples run against a real warehouse (scenario articles loaded) and return rows."""

from __future__ import annotations

import re

import pytest

from flows.pipeline import parse_pages, read_sources
from warehouse.db import connect_writer
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
