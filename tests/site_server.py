"""A fixture news site on 127.0.0.1 for crawler tests: a column of three listing pages, a dozen
articles (GBK ones, the seed, one story on two URLs) and every misbehaviour the crawler must survive:
robots.txt, 500-then-200, 429 with Retry-After, a slow page, a redirect chain, an off-site link, a
redirect to a metadata address, a 20 MB page, a PDF and a 404. Serves ETag/Last-Modified and answers
conditional requests with 304. Records every request it gets."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler

from .helpers import FIXTURES, SAMPLES
from .http_server import running, send

SITE = FIXTURES / "site"
HISTORY = FIXTURES / "history"
LAST_MODIFIED = "Thu, 10 May 2018 08:12:00 GMT"

HTML = "text/html; charset=utf-8"


def listing(title: str, links: list[str], next_page: str | None) -> bytes:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    pager = f'<a class="next" href="{next_page}">下一页</a>' if next_page else ""
    return (f'<html><head><meta charset="utf-8"><title>{title}_工作动态</title></head><body>'
            f'<div class="nav"><a href="/">首页</a></div><ul class="list">{items}</ul>'
            f'<div class="pager">{pager}</div></body></html>').encode("utf-8")


class FixtureSite:
    def __init__(self, read_timeout_hit: float = 3.0):
        seed = (SAMPLES / "seed-gb2312-noisy.html").read_bytes()
        self.pages: dict[str, tuple[str, bytes]] = {
            "/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /private/\n"),
            "/col/index.html": (HTML, listing("工作动态", [
                ("/art/seed.html", "中国网络社会组织联合会在京成立"), ("/art/seed-copy.html", "（转载）联合会成立"),
                ("/art/gbk-2019.html", "一届三次理事会"), ("/art/gbk-2020.html", "第二次会员代表大会"),
                ("/art/flaky.html", "联合会成立（续）"), ("/art/busy.html", "联合会成立（转）")], "/col/index_2.html")),
            "/col/index_2.html": (HTML, listing("工作动态 第2页", [
                ("/art/slow.html", "慢页面"), ("/art/moved.html", "宁波市网络文化协会会员大会"),
                ("http://news.example.org/art/1.html", "站外链接"), ("/art/evil.html", "跳转")], "/col/index_3.html")),
            "/col/index_3.html": (HTML, listing("工作动态 第3页", [
                ("/art/huge.html", "大文件"), ("/art/report.pdf", "报告"), ("/art/gone.html", "已删除"),
                ("/private/secret.html", "内部")], None)),
            "/art/seed.html": ("text/html", seed),  # no charset in the header: the page's meta decides
            "/art/seed-copy.html": ("text/html", seed),  # the same story on a second URL
            "/art/gbk-2019.html": ("text/html; charset=GBK", (SITE / "gbk-2019.html").read_bytes()),
            "/art/gbk-2020.html": ("text/html; charset=gb2312", (SITE / "gbk-2020.html").read_bytes()),
            "/art/flaky.html": (HTML, (SAMPLES / "seed-clean-utf8.html").read_bytes()),
            "/art/busy.html": (HTML, (HISTORY / "2018-05-11-seed-copy.html").read_bytes()),
            "/art/final.html": (HTML, (SITE / "final.html").read_bytes()),
            "/art/slow.html": (HTML, b"<html><body><p>too late</p></body></html>"),
            "/art/report.pdf": ("application/pdf", b"%PDF-1.4\n" + b"0" * 2048),
            "/private/secret.html": (HTML, b"<html><body><p>secret</p></body></html>"),
        }
        self.redirects = {"/art/moved.html": (301, "/art/moved-2.html"), "/art/moved-2.html": (302, "/art/final.html"),
                          "/art/evil.html": (302, "http://169.254.169.254/latest/meta-data/")}
        self.huge = b"<html><body>" + b"<p>" + b"x" * (20 * 1024 * 1024) + b"</p></body></html>"
        self.read_timeout_hit = read_timeout_hit
        self.requests: list[tuple[str, dict[str, str], float]] = []
        self.hits: Counter = Counter()
        self.lock = threading.Lock()

    def handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                with site.lock:
                    site.requests.append((self.path, dict(self.headers), time.monotonic()))
                    site.hits[self.path] += 1
                    hit = site.hits[self.path]
                try:
                    self._answer(hit)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawler gave up on purpose (too large, timeout)

            def _answer(self, hit: int):
                path = self.path
                if path == "/art/flaky.html" and hit <= 2:
                    return self._send(500, "text/plain", b"temporarily broken")
                if path == "/art/busy.html" and hit == 1:
                    return self._send(429, "text/plain", b"slow down", {"Retry-After": "1"})
                if path == "/art/slow.html":
                    time.sleep(site.read_timeout_hit)
                if path in site.redirects:
                    status, location = site.redirects[path]
                    return self._send(status, "text/plain", b"", {"Location": location})
                if path == "/art/huge.html":  # no Content-Length: the crawler must stop reading itself
                    self.send_response(200)
                    self.send_header("Content-Type", HTML)
                    self.end_headers()
                    for start in range(0, len(site.huge), 1 << 20):
                        self.wfile.write(site.huge[start:start + (1 << 20)])
                    return
                if path not in site.pages:
                    return self._send(404, "text/plain", b"not found")
                content_type, body = site.pages[path]
                etag = '"' + hashlib.md5(body).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    return self._send(304, None, b"", {"ETag": etag})
                return self._send(200, content_type, body, {"ETag": etag, "Last-Modified": LAST_MODIFIED})

            def _send(self, status, content_type, body, headers=None):
                send(self, status, {**({"Content-Type": content_type} if content_type else {}), **(headers or {})}, body)

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self):
        self._running = running(self.handler())
        self.base = self._running.__enter__()
        return self

    def __exit__(self, *exc):
        self._running.__exit__(*exc)

    def paths_requested(self) -> list[str]:
        return [path for path, _, _ in self.requests]
