"""Reading sources: files, directories, globs, and URLs from a loopback HTTP server."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.pipeline import parse_one, read_sources
from flows.sources import SourceError, expand_source, fetch_page, local_uri

from .helpers import SAMPLES, SEED_FORMS
from .http_server import serve

ALL = sorted(str((SAMPLES / name).resolve()) for name in SEED_FORMS)


def test_directory_glob_and_file():
    assert expand_source(str(SAMPLES)) == ALL
    assert expand_source(str(SAMPLES / "*.html")) == [p for p in ALL if p.endswith(".html")]
    assert expand_source(str(SAMPLES.parent / "**" / "*.txt")) == [p for p in ALL if p.endswith(".txt")]
    assert expand_source(str(SAMPLES / "seed-clean-utf8.html")) == [str(SAMPLES / "seed-clean-utf8.html")]


def test_nothing_matched_is_an_error():
    with pytest.raises(SourceError, match="matches no file, directory or glob"):
        expand_source(str(SAMPLES / "*.pdf"))


def test_read_sources_keeps_going_after_a_failure(tmp_path):
    result = read_sources([str(tmp_path / "absent.html"), str(SAMPLES / "seed-clean-utf8.html")])
    assert [p.url for p in result.pages] == [(SAMPLES / "seed-clean-utf8.html").resolve().as_uri()]
    assert [(f.kind, f.url) for f in result.failures] == [("read_error", str(tmp_path / "absent.html"))]


def test_fetch_gb2312_page_over_http(settings):
    body = (SAMPLES / "seed-gb2312-noisy.html").read_bytes()
    routes = {"/art/2018/5/10/art_1.html": (200, {"Content-Type": "text/html; charset=GB2312"}, body)}
    with serve(routes) as (base, seen):
        page = fetch_page(f"{base}/art/2018/5/10/art_1.html", allow_hosts=("127.0.0.1",))
    assert (page.url, page.http_charset, page.data) == (f"{base}/art/2018/5/10/art_1.html", "GB2312", body)
    assert seen == ["/robots.txt", "/art/2018/5/10/art_1.html"]  # robots.txt first, then the page
    extraction = parse_one(page, settings.profiles)
    assert extraction.article.encoding == "gb18030"
    assert extraction.article.profile == "zjwx"
    assert len({c.org_name for c in extraction.claims}) == 19


def test_http_error_is_a_source_error():
    with serve({}) as (base, _):
        with pytest.raises(SourceError, match="http_error: HTTP 404"):
            fetch_page(f"{base}/missing.html", allow_hosts=("127.0.0.1",))


def test_loopback_is_refused_unless_allowed():
    with serve({"/a.html": (200, {"Content-Type": "text/html"}, b"<p>x</p>")}) as (base, seen):
        with pytest.raises(SourceError, match="refused_address: 127.0.0.1 resolves to 127.0.0.1, a loopback address"):
            fetch_page(f"{base}/a.html")
    assert seen == []  # no request was made


def test_a_spooled_page_carries_its_hash_to_the_parser(tmp_path):
    # The flow hashes each page to skip unchanged ones; the worker that parses it must not hash it again.
    import hashlib

    from flows.pipeline import ReadResult, spool_pages
    from flows.sources import RawPage

    data = b"<html><body><p>x</p></body></html>"
    spooled = spool_pages(ReadResult(pages=[RawPage("a", "file:///a.html", data)]), str(tmp_path))
    [page] = spooled.load_pages()
    assert vars(page)["sha256"] == spooled.refs[0].sha256 == hashlib.sha256(data).hexdigest()


def test_local_uri_is_the_resolved_paths_uri(tmp_path):
    folder = tmp_path / "a b%20" / "页"
    folder.mkdir(parents=True)
    (folder / "x #1.html").write_text("<p>x</p>")
    (tmp_path / "link").symlink_to(folder, target_is_directory=True)
    locators = expand_source(str(tmp_path / "link")) + ALL
    assert [local_uri(loc) for loc in locators] == [Path(loc).resolve().as_uri() for loc in locators]
    assert local_uri(str(folder / "x #1.html")) == tmp_path.as_uri() + "/a%20b%2520/%E9%A1%B5/x%20%231.html"
    assert local_uri("relative.html") == (Path.cwd() / "relative.html").as_uri()
