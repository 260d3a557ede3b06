"""The crawler against a fixture site on 127.0.0.1: exact fetch_log outcomes, exact articles and
organizations, conditional re-runs that write nothing, and reparse from the archive with the server
stopped."""

from __future__ import annotations

import duckdb
import pytest

from .helpers import ROOT
from .site_server import LAST_MODIFIED, FixtureSite

pytestmark = pytest.mark.e2e


def write_config(path, base: str, archive) -> str:
    main = (ROOT / "config" / "orgledger.toml").read_text(encoding="utf-8")
    zjwx = main[main.index("\n[[sites]]"):]
    path.write_text(f"""
[run]
sources = []
warehouse = "unused.duckdb"
archive = "{archive}"
batch_size = 4

[crawl]
min_delay = 0.0
connect_timeout = 2.0
read_timeout = 1.0
retries = 3
backoff_base = 0.05
backoff_max = 5.0
max_bytes = 5242880

[[sites]]
key = "fixture"
hosts = ["127.0.0.1"]
start_urls = ["{base}/col/index.html"]
article_links = "ul.list a"
next_page = "a.next"
max_pages = 5

{zjwx}
""", encoding="utf-8")
    return str(path)


def q(path, sql, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


TABLES = {
    "articles": "SELECT url, title, published_at, source, content_hash FROM articles ORDER BY url",
    "organizations": "SELECT * EXCLUDE (aliases) FROM organizations ORDER BY org_id",
    "membership_history": "SELECT * EXCLUDE (recorded_at) FROM membership_history ORDER BY org_id, federation_id, valid_from",
    "organization_history": "SELECT * EXCLUDE (recorded_at) FROM organization_history ORDER BY org_id, valid_from",
    "count_claims": "SELECT * FROM count_claims ORDER BY article_url, wording",
    "statistics": "SELECT * FROM statistics ORDER BY article_url, wording",
    "findings": "SELECT article_url, kind, detail FROM quality_findings WHERE kind <> 'fetch_error' ORDER BY ALL",
}
COUNTED = ("articles", "statements", "findings", "org_versions", "membership_versions")


def snapshot(path):
    return {name: q(path, sql) for name, sql in TABLES.items()}


def counts(path):
    return {t: q(path, f"SELECT count(*) FROM ledger.{t}")[0][0] for t in COUNTED}


@pytest.fixture(scope="module")
def crawled(prefect_harness, tmp_path_factory):
    from flows.ingest import ingest_news

    tmp = tmp_path_factory.mktemp("crawl")
    warehouse, archive = tmp / "crawl.duckdb", tmp / "archive"
    with FixtureSite() as site:
        config = write_config(tmp / "orgledger.toml", site.base, archive)
        run = lambda sources: ingest_news(sources=sources, warehouse=str(warehouse), config=config,  # noqa: E731
                                          allow_hosts=["127.0.0.1"])
        first = run(["site:fixture"])
        after_first = {"counts": counts(warehouse), "tables": snapshot(warehouse), "requests": list(site.requests)}
        second = run(["site:fixture"])
        after_second = {"counts": counts(warehouse), "requests": site.requests[len(after_first["requests"]):]}
        article_urls = [f"{site.base}/art/{name}" for name in (
            "seed.html", "seed-copy.html", "gbk-2019.html", "gbk-2020.html", "flaky.html", "busy.html", "moved.html")]
        third = run(article_urls)
        after_third = {"counts": counts(warehouse)}
        base = site.base
    return dict(base=base, warehouse=warehouse, archive=archive, config=config, first=first, second=second,
                third=third, after_first=after_first, after_second=after_second, after_third=after_third, tmp=tmp)


def test_fetch_log_outcomes_are_exact(crawled):
    b = crawled["base"]
    rows = q(crawled["warehouse"], "SELECT kind, url, outcome, status, attempts, final_url FROM fetch_log "
                                   "WHERE run_id = (SELECT run_id FROM runs ORDER BY started_at LIMIT 1) ORDER BY kind, url")
    assert rows == sorted([
        ("robots", f"{b}/robots.txt", "ok", 200, 1, f"{b}/robots.txt"),
        ("listing", f"{b}/col/index.html", "ok", 200, 1, f"{b}/col/index.html"),
        ("listing", f"{b}/col/index_2.html", "ok", 200, 1, f"{b}/col/index_2.html"),
        ("listing", f"{b}/col/index_3.html", "ok", 200, 1, f"{b}/col/index_3.html"),
        ("article", f"{b}/art/seed.html", "ok", 200, 1, f"{b}/art/seed.html"),
        ("article", f"{b}/art/seed-copy.html", "ok", 200, 1, f"{b}/art/seed-copy.html"),
        ("article", f"{b}/art/gbk-2019.html", "ok", 200, 1, f"{b}/art/gbk-2019.html"),
        ("article", f"{b}/art/gbk-2020.html", "ok", 200, 1, f"{b}/art/gbk-2020.html"),
        ("article", f"{b}/art/flaky.html", "ok", 200, 3, f"{b}/art/flaky.html"),  # 500, 500, 200
        ("article", f"{b}/art/busy.html", "ok", 200, 2, f"{b}/art/busy.html"),  # 429 Retry-After: 1, 200
        ("article", f"{b}/art/slow.html", "timeout", None, 1, None),
        ("article", f"{b}/art/moved.html", "ok", 200, 3, f"{b}/art/final.html"),  # 301 → 302 → 200
        ("article", "http://news.example.org/art/1.html", "off_site", None, 0, None),
        ("article", f"{b}/art/evil.html", "refused_address", 302, 1, None),  # → 169.254.169.254
        ("article", f"{b}/art/huge.html", "too_large", 200, 1, f"{b}/art/huge.html"),  # stopped at 5 MB
        ("article", f"{b}/art/report.pdf", "wrong_type", 200, 1, f"{b}/art/report.pdf"),
        ("article", f"{b}/art/gone.html", "http_error", 404, 1, f"{b}/art/gone.html"),
        ("article", f"{b}/private/secret.html", "robots_disallowed", None, 0, None),
    ])


def test_nothing_is_requested_that_must_not_be(crawled):
    paths = [p for p, _, _ in crawled["after_first"]["requests"]]
    assert "/private/secret.html" not in paths
    assert all(not p.startswith("http") for p in paths)  # only this host; news.example.org never asked
    assert paths.count("/art/flaky.html") == 3 and paths.count("/art/gone.html") == 1  # no retry on 404
    busy = [t for p, _, t in crawled["after_first"]["requests"] if p == "/art/busy.html"]
    assert busy[1] - busy[0] >= 1.0  # Retry-After honoured
    agents = {h.get("User-Agent") for _, h, _ in crawled["after_first"]["requests"]}
    assert agents == {"orgledger/0.1 (research crawler; +https://example.invalid/orgledger)"}


def test_articles_and_organizations_stored(crawled):
    b = crawled["base"]
    tables = crawled["after_first"]["tables"]
    assert [(url, title) for url, title, *_ in tables["articles"]] == sorted([
        (f"{b}/art/busy.html", "中国网络社会组织联合会在京成立 浙江20家网络社会组织入会"),
        (f"{b}/art/final.html", "宁波市网络文化协会召开第二次会员大会"),
        (f"{b}/art/flaky.html", "中国网络社会组织联合会在京成立 浙江20家网络社会组织入会"),
        (f"{b}/art/gbk-2019.html", "中国网络社会组织联合会召开一届三次理事会 浙江网络社会组织职务调整"),
        (f"{b}/art/gbk-2020.html", "中国网络社会组织联合会第二次会员代表大会召开"),
        (f"{b}/art/seed-copy.html", "中国网络社会组织联合会在京成立 浙江20家网络社会组织入会"),
        (f"{b}/art/seed.html", "中国网络社会组织联合会在京成立 浙江20家网络社会组织入会"),
    ])
    names = {row[1] for row in tables["organizations"]}
    assert len(names) == 25
    assert {"嘉兴市网络文化协会", "浙江省网络空间安全协会", "宁波市网络安全协会", "余姚市网络文化协会",
            "慈溪市网络文化协会"} <= names
    assert q(crawled["warehouse"], "SELECT role, count(*) FROM memberships WHERE federation_name = '宁波市网络文化协会' "
                                   "GROUP BY role ORDER BY role") == [("副会长单位", 2), ("理事单位", 2)]
    fetch_errors = q(crawled["warehouse"], "SELECT article_url, detail FROM quality_findings WHERE kind = 'fetch_error' "
                                           "ORDER BY article_url")
    assert [(url.rsplit("/", 1)[1], detail.split(":")[0]) for url, detail in fetch_errors] == [
        ("evil.html", "refused_address"), ("gone.html", "http_error"), ("huge.html", "too_large"),
        ("report.pdf", "wrong_type"), ("slow.html", "timeout")]
    assert crawled["first"]["fetch_outcomes"] == {
        "http_error": 1, "off_site": 1, "ok": 11, "refused_address": 1, "robots_disallowed": 1, "timeout": 1,
        "too_large": 1, "wrong_type": 1}


def test_second_run_is_conditional_and_writes_nothing(crawled):
    requests = crawled["after_second"]["requests"]
    assert [p for p, _, _ in requests] == ["/robots.txt", "/col/index.html"]
    listing_headers = requests[1][1]
    assert listing_headers.get("If-None-Match", "").startswith('"')
    assert listing_headers.get("If-Modified-Since") == LAST_MODIFIED
    assert crawled["after_second"]["counts"] == crawled["after_first"]["counts"]
    second = crawled["second"]
    assert (second["articles_read"], second["statements_new"], second["fetch_outcomes"]) == (
        0, 0, {"not_modified": 1, "ok": 1})


def test_articles_fetched_again_are_not_modified(crawled):
    third = crawled["third"]
    assert third["fetch_outcomes"] == {"not_modified": 6, "ok": 2}  # robots.txt; the redirect lands on a 200
    assert (third["articles_read"], third["articles_unchanged"], third["statements_new"]) == (0, 7, 0)
    assert crawled["after_third"]["counts"] == crawled["after_first"]["counts"]


def test_reparse_from_the_archive_rebuilds_identical_tables(crawled, prefect_harness):
    """The fixture server is stopped: everything comes from the archive."""
    from flows.ingest import ingest_news

    rebuilt = crawled["tmp"] / "rebuilt.duckdb"
    summary = ingest_news(sources=[f"archive:{crawled['archive']}"], warehouse=str(rebuilt), config=crawled["config"])
    assert (summary["articles_read"], summary["articles_failed"], summary["fetch_outcomes"]) == (7, 0, {})
    assert snapshot(rebuilt) == crawled["after_first"]["tables"]
    again = ingest_news(sources=[f"archive:{crawled['archive']}"], warehouse=str(crawled["warehouse"]),
                        config=crawled["config"])
    assert (again["articles_unchanged"], again["statements_new"]) == (7, 0)
