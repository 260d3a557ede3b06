"""Change history: order-independent, idempotent, bitemporal, with provenance."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.pipeline import parse_one
from flows.sources import fetch_page
from parsers.article import parse_page
from parsers.extract import extract
from warehouse.check import check_warehouse
from warehouse.db import connect_writer
from warehouse.load import load_extractions

from .helpers import FIXTURES, SAMPLES

HISTORY = FIXTURES / "history"
FED = "中国网络社会组织联合会"
SCENARIO = {
    "seed": SAMPLES / "seed-garbled-traditional.txt",
    "seed-copy": HISTORY / "2018-05-11-seed-copy.html",
    "2019": HISTORY / "2019-06-20-council-meeting.html",
    "2020": HISTORY / "2020-09-15-second-congress.html",
}
HISTORY_SQL = ("SELECT org_name, federation_name, role, valid_from, valid_to, article_url, evidence, article_urls "
               "FROM membership_history ORDER BY org_name, valid_from")
ORG_SQL = ("SELECT org_id, name, province, city, org_type, level, valid_from, valid_to "
           "FROM organization_history ORDER BY org_id, valid_from")


@pytest.fixture(scope="module")
def scenario(settings):
    return {key: parse_one(fetch_page(str(path)), settings.profiles) for key, path in SCENARIO.items()}


def fresh(tmp_path, name="h.duckdb"):
    path = tmp_path / name
    if path.exists():
        path.unlink()
    return connect_writer(path, timeout=5)


def tables(con):
    return con.execute(HISTORY_SQL).fetchall(), con.execute(ORG_SQL).fetchall()


def assert_invariants(con):
    failed = [(c.name, c.sample) for c in check_warehouse(con) if not c.ok]
    assert failed == []


def test_scenario_history_is_exactly_this(tmp_path, scenario):
    con = fresh(tmp_path)
    load_extractions(con, list(scenario.values()))
    rows = {(r[0], r[2], r[3], r[4]) for r in con.execute(HISTORY_SQL).fetchall()}
    changed = {r for r in rows if r[0] in {"杭州市网络文化协会", "浙江省青年网络协会", "温州市网络作家协会", "衢州市电子商务协会",
                                            "丽水市网络文化协会", "嘉兴市网络文化协会", "浙江省网络空间安全协会", "宁波市网络文化协会"}}
    d18, d19, d20 = date(2018, 5, 9), date(2019, 6, 18), date(2020, 9, 12)
    assert changed == {
        ("杭州市网络文化协会", "理事单位", d18, d19),  # raised
        ("杭州市网络文化协会", "常务理事单位", d19, None),
        ("浙江省青年网络协会", "理事单位", d18, d20),
        ("浙江省青年网络协会", "常务理事单位", d20, None),
        ("温州市网络作家协会", "会员单位", d18, d20),
        ("温州市网络作家协会", "理事单位", d20, None),
        ("衢州市电子商务协会", "会员单位", d18, d19),  # left: 退出
        ("丽水市网络文化协会", "会员单位", d18, d20),  # 取消会员资格
        ("嘉兴市网络文化协会", "会员单位", d19, None),  # joined
        ("浙江省网络空间安全协会", "会员单位", d19, None),
        ("宁波市网络文化协会", "理事单位", d18, None),  # listed twice in the seed: the higher role
    }
    assert len(rows) == 19 + 2 + 3  # 19 seed members + 2 joined + 3 role changes
    assert con.execute("SELECT count(*) FROM memberships").fetchone() == (19 + 2 - 2,)
    assert_invariants(con)


def test_every_order_gives_the_same_history(tmp_path, scenario):
    keys = list(scenario)
    reference = None
    for i, order in enumerate(itertools.permutations(keys)):
        con = fresh(tmp_path, f"perm{i}.duckdb")
        for key in order:
            load_extractions(con, [scenario[key]])
        result = tables(con)
        assert_invariants(con)
        con.close()
        if reference is None:
            reference = result
        assert result == reference, order


@pytest.mark.parametrize("keys_per_chunk", [1, 7])
def test_history_derived_in_chunks_equals_one_pass(tmp_path, scenario, monkeypatch, keys_per_chunk):
    """A backfill's first load re-derives every key in chunks (bounded memory): same tables, same
    change counts as deriving them all at once, in every load order tried."""
    import warehouse.derive

    def load_all(name: str, chunk: int):
        monkeypatch.setattr(warehouse.derive, "KEYS_PER_CHUNK", chunk)
        con = fresh(tmp_path, name)
        summaries = [load_extractions(con, [scenario[k]]) for k in ("2020", "seed", "2019", "seed-copy")]
        counts = [(s.orgs_new, s.orgs_changed, s.orgs_unchanged, s.memberships_changed) for s in summaries]
        return con, tables(con), counts

    _, expected, expected_counts = load_all("whole.duckdb", 10**9)
    con, chunked, counts = load_all("chunked.duckdb", keys_per_chunk)
    assert (chunked, counts) == (expected, expected_counts)
    # (organizations new, changed, unchanged; memberships changed) per load, as LoadSummary reports
    # them: the seed changes four of the 2020 article's organizations, and its copy changes nothing.
    assert counts == [(4, 0, 0, 2), (16, 4, 0, 19), (2, 0, 3, 4), (0, 0, 20, 0)]
    assert_invariants(con)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_subset_in_any_batches_matches_one_batch(tmp_path_factory, scenario, data):
    keys = data.draw(st.lists(st.sampled_from(list(scenario)), min_size=1, max_size=6))
    tmp = tmp_path_factory.mktemp("prop")
    one = fresh(tmp, "one.duckdb")
    load_extractions(one, [scenario[k] for k in dict.fromkeys(keys)])
    expected = tables(one)
    many = fresh(tmp, "many.duckdb")
    cuts = sorted(data.draw(st.sets(st.integers(0, len(keys)), max_size=3)))
    for start, stop in zip([0, *cuts], [*cuts, len(keys)]):
        if keys[start:stop]:
            load_extractions(many, [scenario[k] for k in keys[start:stop]])
    assert tables(many) == expected
    assert_invariants(many)


def test_late_older_article_only_adds_the_past(tmp_path, scenario):
    con = fresh(tmp_path)
    load_extractions(con, [scenario["2019"], scenario["2020"]])
    before = dict(((r[0], r[1]), (r[2], r[3])) for r in con.execute(
        "SELECT org_name, federation_name, role, valid_from FROM memberships").fetchall())
    load_extractions(con, [scenario["seed"]])
    after = dict(((r[0], r[1]), (r[2], r[3])) for r in con.execute(
        "SELECT org_name, federation_name, role, valid_from FROM memberships").fetchall())
    for key, (role, valid_from) in before.items():
        assert after[key] == (role, valid_from), key  # current roles (and their start) unchanged
    past = con.execute("SELECT role, valid_to FROM membership_history WHERE org_name = '杭州市网络文化协会' "
                       "AND valid_from = DATE '2018-05-09'").fetchall()
    assert past == [("理事单位", date(2019, 6, 18))]
    assert_invariants(con)


def test_two_copies_of_one_story_make_one_version_with_both_as_evidence(tmp_path, scenario):
    con = fresh(tmp_path)
    load_extractions(con, [scenario["seed"], scenario["seed-copy"]])
    rows = con.execute("SELECT role, valid_from, article_urls FROM membership_history "
                       "WHERE org_name = '浙江省网络文化协会'").fetchall()
    urls = sorted(str(p.resolve().as_uri()) for p in (SCENARIO["seed"], SCENARIO["seed-copy"]))
    assert rows == [("常务理事单位", date(2018, 5, 9), urls)]


def test_reloading_adds_no_rows(tmp_path, scenario):
    con = fresh(tmp_path)
    load_extractions(con, list(scenario.values()))
    counts = [con.execute(f"SELECT count(*) FROM ledger.{t}").fetchone()[0]
              for t in ("statements", "articles", "findings", "membership_versions", "org_versions")]
    for extraction in scenario.values():
        load_extractions(con, [extraction])
    assert [con.execute(f"SELECT count(*) FROM ledger.{t}").fetchone()[0]
            for t in ("statements", "articles", "findings", "membership_versions", "org_versions")] == counts


def article(url: str, html: str):
    return extract(parse_page(html.encode("utf-8"), source=url, url=url))


def page(published: str, *paragraphs: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>动态</title></head><body><div class='info'>发布时间：{published}</div>"
            f"<div class='content'>{body}</div></body></html>")


RENAME_SET = {
    "https://a.example/2018.html": page("2018-03-02 10:00", "3月1日，杭州市网络文化协会召开会员大会。",
                                         "杭州市网络文化促进会、杭州市互联网协会任杭州市网络文化协会理事单位。"),
    "https://a.example/2021.html": page("2021-07-06 10:00",
                                         "经杭州市民政局核准，杭州市网络文化促进会于2021年7月5日完成变更登记，"
                                         "名称由“杭州市网络文化促进会”变更为“杭州市网络生态促进会”。"),
    "https://a.example/2022.html": page("2022-04-11 10:00", "4月10日，杭州市网络文化协会召开理事会。",
                                         "杭州市网络生态促进会当选为杭州市网络文化协会常务理事单位。"),
    "https://a.example/2023.html": page("2023-02-01 10:00",
                                         "杭州市互联网协会于2023年1月20日办理注销登记。"),
}


def test_rename_keeps_the_id_and_the_old_name_as_alias_in_any_order(tmp_path):
    extractions = {url: article(url, html) for url, html in RENAME_SET.items()}
    reference = None
    for i, order in enumerate(itertools.permutations(extractions)):
        con = fresh(tmp_path, f"rename{i}.duckdb")
        for url in order:
            load_extractions(con, [extractions[url]])
        assert_invariants(con)
        result = tables(con)
        reference = reference or result
        assert result == reference, order
    names = con.execute("SELECT name, valid_from, valid_to FROM organization_history "
                        "WHERE name LIKE '杭州市网络%促进会' ORDER BY valid_from").fetchall()
    assert names == [("杭州市网络文化促进会", date(2018, 3, 1), date(2021, 7, 5)),
                     ("杭州市网络生态促进会", date(2021, 7, 5), None)]
    ids = con.execute("SELECT DISTINCT org_id FROM organization_history WHERE name LIKE '杭州市网络%促进会'").fetchall()
    assert len(ids) == 1
    roles = con.execute("SELECT org_name, role, valid_from, valid_to FROM membership_history "
                        "ORDER BY org_name, valid_from").fetchall()
    assert roles == [
        ("杭州市互联网协会", "理事单位", date(2018, 3, 1), date(2023, 1, 20)),  # ended by 注销登记
        ("杭州市网络生态促进会", "理事单位", date(2018, 3, 1), date(2022, 4, 10)),
        ("杭州市网络生态促进会", "常务理事单位", date(2022, 4, 10), None),
    ]
    aliases = con.execute("SELECT alias, valid_to FROM org_aliases WHERE org_id = ? ORDER BY alias",
                          [ids[0][0]]).fetchall()
    assert aliases == [("杭州市网络文化促进会", date(2021, 7, 5)), ("杭州市网络生态促进会", None)]
    assert con.execute("SELECT count(*) FROM organizations WHERE name = '杭州市互联网协会'").fetchone() == (0,)


def test_reparse_supersedes_and_as_of_shows_past_belief(tmp_path):
    url = "https://a.example/x.html"
    old = article(url, page("2019-01-02 10:00", "1月1日，浙江省网络文化协会召开理事会。",
                            "杭州市网络作家协会任浙江省网络文化协会理事单位。"))
    new = article(url, page("2019-01-02 10:00", "1月1日，浙江省网络文化协会召开理事会。",
                            "杭州市网络作家协会任浙江省网络文化协会常务理事单位。"))
    con = fresh(tmp_path)
    t1 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    load_extractions(con, [old], now=t1)
    load_extractions(con, [replace(new, article=replace(new.article, content_hash="changed"))],
                     now=t1 + timedelta(days=30))
    assert con.execute("SELECT role FROM memberships").fetchall() == [("常务理事单位",)]
    superseded = con.execute("SELECT value, superseded_at FROM facts WHERE prop = 'membership' ORDER BY value"
                             ).fetchall()
    assert superseded == [("常务理事单位", None), ("理事单位", t1 + timedelta(days=30))]
    then = con.execute("SELECT org_name, role FROM membership_as_of(DATE '2019-06-01', $k)",
                       {"k": t1 + timedelta(days=1)}).fetchall()
    now = con.execute("SELECT org_name, role FROM membership_as_of(DATE '2019-06-01', now())").fetchall()
    before_anything = con.execute("SELECT count(*) FROM membership_as_of(DATE '2019-06-01', $k)",
                                  {"k": t1 - timedelta(days=1)}).fetchall()
    assert then == [("杭州市网络作家协会", "理事单位")]
    assert now == [("杭州市网络作家协会", "常务理事单位")]
    assert before_anything == [(0,)]
    assert con.execute("SELECT count(*) FROM membership_as_of(DATE '2018-12-31', now())").fetchone() == (0,)
    assert_invariants(con)


def test_a_shared_credit_code_is_one_organization_in_any_order(tmp_path):
    """Two names with one valid 统一社会信用代码 are one organization: the id first seen with the code."""
    from parsers.model import Article, Extraction
    from parsers.normalize import normalize_organization

    code = "51330100MJ0000018T"  # valid: both check characters

    def coded(url: str, published: str, name: str) -> Extraction:
        org = normalize_organization(name)
        when = datetime.fromisoformat(published).replace(tzinfo=timezone(timedelta(hours=8)))
        art = Article(source=url, url=url, title=name, published_at=when, source_name=None, paragraphs=[name],
                      paragraphs_original=[name], title_original=name, encoding="utf-8", encoding_evidence="default",
                      profile=None, content_hash=url)
        return Extraction(article=art, organizations=[org], credit_codes=[(org.org_id, code, f"{name}，代码{code}")])

    older = coded("https://a.example/1.html", "2019-03-01T10:00:00", "杭州市网络文化促进会")
    newer = coded("https://a.example/2.html", "2022-03-01T10:00:00", "杭州市网络生态促进会")
    results = []
    for i, order in enumerate(([older, newer], [newer, older])):
        con = fresh(tmp_path, f"code{i}.duckdb")
        for extraction in order:
            load_extractions(con, [extraction])
        assert_invariants(con)
        results.append(con.execute(ORG_SQL).fetchall())
    assert results[0] == results[1]
    assert [(r[0], r[1], r[6], r[7]) for r in results[0]] == [
        (older.organizations[0].org_id, "杭州市网络文化促进会", date(2019, 3, 1), date(2022, 3, 1)),
        (older.organizations[0].org_id, "杭州市网络生态促进会", date(2022, 3, 1), None)]
