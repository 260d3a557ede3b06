"""A polite, defensive HTTP fetcher on top of requests. This is the only place orgledger talks to the
network.

* **Politeness**: robots.txt is honoured (protego, the parser Scrapy uses; its Crawl-delay too), a
  configurable User-Agent, a minimum delay between requests to one host, at most N requests in flight
  to one host; different hosts proceed concurrently.
* **Robustness**: connect/read timeouts; retries with exponential backoff and jitter on connection
  errors, 429 and 5xx, honouring Retry-After; no retry on other 4xx or on a read timeout; a redirect
  limit; bodies streamed and abandoned beyond a maximum size; only HTML-like types are downloaded.
* **Safety**: only http/https; before every request (redirect hops included) the host is resolved and
  loopback, private, link-local (cloud metadata), multicast and reserved addresses are refused unless
  the host or address is explicitly allowed — no connection is attempted to a refused address.

Every call returns a :class:`Fetch` — the row it will be in ``fetch_log`` — and never raises for what
a server or the network does.
"""

from __future__ import annotations

import email.utils
import ipaddress
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import requests

from parsers.encoding import charset_from_content_type

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
METADATA_ADDRESSES = {"169.254.169.254", "fd00:ec2::254", "100.100.100.200"}


@dataclass(frozen=True)
class CrawlPolicy:
    user_agent: str = "orgledger/0.1 (research crawler; +https://example.invalid/orgledger)"
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 3  # extra attempts after the first
    backoff_base: float = 1.0  # seconds; attempt n waits base * 2**n plus jitter
    backoff_max: float = 60.0  # also caps Retry-After
    max_redirects: int = 5
    max_bytes: int = 10 * 1024 * 1024
    min_delay: float = 1.0  # seconds between requests to one host
    per_host_concurrency: int = 2
    respect_robots: bool = True
    allow_hosts: frozenset[str] = frozenset()  # hosts/addresses allowed even when private or loopback


@dataclass
class Fetch:
    kind: str  # article | listing | robots
    url: str
    outcome: str  # ok | not_modified | robots_disallowed | http_error | timeout | connection_error |
    #               too_large | wrong_type | refused_address | redirect_limit | bad_scheme | off_site
    final_url: str | None = None
    status: int | None = None
    attempts: int = 0
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    bytes: int | None = None
    body_sha256: str | None = None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    elapsed_ms: int = 0
    detail: str = ""
    body: bytes | None = field(default=None, repr=False)

    @property
    def charset(self) -> str | None:
        return charset_from_content_type(self.content_type)

    def record(self) -> dict:
        """The archive's and fetch_log's view of this fetch (without the body)."""
        record = {k: v for k, v in self.__dict__.items() if k != "body"}
        record["fetched_at"] = self.fetched_at.isoformat()
        return record


class _HostGate:
    """Minimum delay and concurrency cap for one host, shared by the threads of a run."""

    def __init__(self, concurrency: int):
        self.slots = threading.Semaphore(max(1, concurrency))
        self.lock = threading.Lock()
        self.next_allowed = 0.0

    def wait_turn(self, delay: float) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_allowed)
            self.next_allowed = start + delay
        if start > now:
            time.sleep(start - now)


class _Refused(Exception):
    def __init__(self, outcome: str, detail: str):
        super().__init__(detail)
        self.outcome, self.detail = outcome, detail


def refusal(url: str, allow: frozenset[str]) -> str | None:
    """Why a request to ``url`` must not be made, or None. Resolves the host (no connection is made)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme!r} is not http or https"
    host = (parts.hostname or "").lower()
    if not host:
        return "no host"
    if host in allow:
        return None
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return None  # unresolvable: the request itself will fail as a connection error
    for info in infos:
        ip = info[4][0].split("%")[0]
        if ip in allow:
            continue
        address = ipaddress.ip_address(ip)
        for kind in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
            if getattr(address, f"is_{kind}") or ip in METADATA_ADDRESSES:
                what = "metadata" if ip in METADATA_ADDRESSES else kind.replace("_", "-")
                return f"{host} resolves to {ip}, a {what} address (allow it with --allow-host {host})"
    return None


class Fetcher:
    def __init__(self, policy: CrawlPolicy, session: requests.Session | None = None):
        self.policy = policy
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = policy.user_agent
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, object] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.robots_fetches: list[Fetch] = []

    # -- public -------------------------------------------------------------------------------------

    def fetch(self, url: str, *, kind: str = "article", etag: str | None = None,
              last_modified: str | None = None) -> Fetch:
        started = time.monotonic()
        result = Fetch(kind=kind, url=url, outcome="connection_error")
        try:
            self._fetch(url, result, etag, last_modified)
        except _Refused as refused:
            result.outcome, result.detail = refused.outcome, refused.detail
        result.elapsed_ms = int((time.monotonic() - started) * 1000)
        return result

    def drain_robots(self) -> list[Fetch]:
        """robots.txt fetches made since the last call (each reported once, for fetch_log)."""
        with self._lock:
            drained, self.robots_fetches = self.robots_fetches, []
        return drained

    # -- steps --------------------------------------------------------------------------------------

    def _gate(self, host: str) -> _HostGate:
        with self._lock:
            if host not in self._gates:
                self._gates[host] = _HostGate(self.policy.per_host_concurrency)
            return self._gates[host]

    def _check(self, url: str) -> None:
        reason = refusal(url, self.policy.allow_hosts)
        if reason:
            raise _Refused("bad_scheme" if reason.startswith("scheme") else "refused_address", reason)

    def _fetch(self, url: str, result: Fetch, etag: str | None, last_modified: str | None) -> None:
        current = url
        for hop in range(self.policy.max_redirects + 1):
            self._check(current)
            if result.kind != "robots" and not self._allowed_by_robots(current):
                raise _Refused("robots_disallowed", f"robots.txt of {urlsplit(current).netloc} disallows {current}")
            headers = {}
            if hop == 0 and etag:
                headers["If-None-Match"] = etag
            if hop == 0 and last_modified:
                headers["If-Modified-Since"] = last_modified
            response = self._request(current, headers, result)
            if response is None:
                return
            if response.is_redirect or response.status_code in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                response.close()
                if not location:
                    result.outcome, result.detail = "http_error", f"redirect {response.status_code} without Location"
                    return
                current = urljoin(current, location)
                continue
            self._read(response, current, result)
            return
        raise _Refused("redirect_limit", f"more than {self.policy.max_redirects} redirects from {url}")

    def _request(self, url: str, headers: dict, result: Fetch) -> requests.Response | None:
        """One hop, with retries. Returns the response, or None when the outcome is final."""
        gate = self._gate(urlsplit(url).netloc)
        policy = self.policy
        for attempt in range(policy.retries + 1):
            result.attempts += 1
            with gate.slots:
                gate.wait_turn(max(policy.min_delay, self._crawl_delay(url)))
                try:
                    response = self.session.get(url, headers=headers, stream=True, allow_redirects=False,
                                                timeout=(policy.connect_timeout, policy.read_timeout))
                except requests.exceptions.ReadTimeout as exc:
                    result.outcome, result.detail = "timeout", f"no answer within {policy.read_timeout:g}s: {exc}"
                    return None
                except (requests.exceptions.ConnectionError, requests.exceptions.ConnectTimeout) as exc:
                    result.outcome, result.detail = "connection_error", str(exc)
                    wait = None
                else:
                    result.status = response.status_code
                    if response.status_code != 429 and response.status_code < 500:
                        return response
                    result.outcome, result.detail = "http_error", f"HTTP {response.status_code}"
                    wait = _retry_after(response.headers.get("Retry-After"))
                    response.close()
            if attempt < policy.retries:
                time.sleep(min(policy.backoff_max, wait if wait is not None else self._backoff(attempt)))
        return None

    def _backoff(self, attempt: int) -> float:
        base = self.policy.backoff_base * (2 ** attempt)
        return min(self.policy.backoff_max, base + random.uniform(0, base))

    def _read(self, response: requests.Response, url: str, result: Fetch) -> None:
        result.final_url = url
        result.status = response.status_code
        result.content_type = response.headers.get("Content-Type")
        result.etag = response.headers.get("ETag")
        result.last_modified = response.headers.get("Last-Modified")
        with response:
            if response.status_code == 304:
                result.outcome, result.detail = "not_modified", ""
                return
            if response.status_code >= 400:
                result.outcome, result.detail = "http_error", f"HTTP {response.status_code}"
                return
            media = (result.content_type or "text/html").split(";")[0].strip().lower()
            if media not in HTML_TYPES:
                result.outcome, result.detail = "wrong_type", f"content type {media} is not HTML"
                return
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > self.policy.max_bytes:
                result.outcome, result.detail = "too_large", f"Content-Length {declared} > {self.policy.max_bytes}"
                return
            chunks, size = [], 0
            try:
                for chunk in response.iter_content(65536):
                    size += len(chunk)
                    if size > self.policy.max_bytes:
                        result.outcome, result.detail = "too_large", f"body exceeds {self.policy.max_bytes} bytes"
                        return
                    chunks.append(chunk)
            except requests.exceptions.ConnectionError as exc:  # includes read timeouts mid-body
                timed_out = "timed out" in str(exc).lower()
                result.outcome = "timeout" if timed_out else "connection_error"
                result.detail = f"body interrupted after {size} bytes: {exc}"
                return
            except requests.exceptions.ChunkedEncodingError as exc:
                result.outcome, result.detail = "connection_error", f"body interrupted after {size} bytes: {exc}"
                return
            except requests.exceptions.ContentDecodingError as exc:
                result.outcome, result.detail = "http_error", f"undecodable body: {exc}"
                return
        result.body = b"".join(chunks)
        result.bytes = size
        result.outcome, result.detail = "ok", ""

    # -- robots.txt ---------------------------------------------------------------------------------

    def _robots_for(self, url: str):
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            if key in self._robots:
                return self._robots[key]
            host_lock = self._robots_locks.setdefault(key, threading.Lock())
        with host_lock:  # one robots.txt request per host, however many threads ask at once
            with self._lock:
                if key in self._robots:
                    return self._robots[key]
            return self._fetch_robots(key)

    def _fetch_robots(self, key: str):
        robots_url = key + "/robots.txt"
        fetch = self.fetch(robots_url, kind="robots")
        from protego import Protego

        if fetch.outcome == "ok":
            rules = Protego.parse(fetch.body.decode("utf-8", "replace"))
        elif fetch.outcome == "http_error" and fetch.status and 400 <= fetch.status < 500:
            rules = Protego.parse("")  # no robots.txt: everything allowed
        else:
            # Server error or unreachable: assume the site does not want to be crawled now.
            rules = Protego.parse("User-agent: *\nDisallow: /")
        with self._lock:
            self._robots.setdefault(key, rules)
            self.robots_fetches.append(fetch)
        return rules

    def _allowed_by_robots(self, url: str) -> bool:
        if not self.policy.respect_robots:
            return True
        return self._robots_for(url).can_fetch(url, self.policy.user_agent)

    def _crawl_delay(self, url: str) -> float:
        if not self.policy.respect_robots:
            return 0.0
        parts = urlsplit(url)
        rules = self._robots.get(f"{parts.scheme}://{parts.netloc}")
        delay = rules.crawl_delay(self.policy.user_agent) if rules is not None else None
        return float(delay or 0.0)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
