"""Hostile and broken input: never a crash, never a hang. Every input yields a result or a recorded
finding within a time bound proportional to its size (no catastrophic regex backtracking)."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.pipeline import parse_pages
from flows.sources import RawPage
from parsers.article import parse_page
from parsers.extract import extract
from parsers.repair import repair_text

from .helpers import FIXTURES, SAMPLES

# Seconds allowed per MB of input, and a floor for tiny inputs. Generous for a loaded 2-core CI
# machine; catastrophic backtracking or quadratic walks blow through them by orders of magnitude.
SECONDS_PER_MB = 6.0
FLOOR = 2.0


def bounded(data_size: int) -> float:
    return FLOOR + SECONDS_PER_MB * data_size / 1e6


def run_page(data: bytes, url: str = "https://fuzz.example/p.html"):
    started = time.perf_counter()
    extraction = extract(parse_page(data, source=url, url=url))
    elapsed = time.perf_counter() - started
    assert elapsed < bounded(len(data)), f"{len(data)} bytes took {elapsed:.1f}s"
    return extraction


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=4000))
def test_random_bytes(data):
    run_page(data)


HTMLISH = st.lists(st.sampled_from([
    "<div>", "</div>", "<p>", "</p>", "<table><tr><td>", "</td></tr></table>", "<ul><li>", "</li></ul>", "<br>",
    "<script>", "</script>", "<!--", "-->", "<h1>", "</h1>", "<title>", "</title>", "&amp;", "&#x4e2d;", "\x00",
    "浙江省网络文化协会", "任", "常务理事单位", "、", "等3家单位", "理事单位：", "会员单位有", "中国网络社会组织联合会",
    "成立大会5月9日召开", "發(fā)布時(shí)間:2018-05-10 16:12", "網(wǎng)絡(luò)", "(", ")", "（", "）", "共有20家",
    "名称由", "变更为", "注销登记", "退出", "5A级", "统一社会信用代码：51100000500002862F", "\n", " ", "；", "。",
]), max_size=300).map("".join)


@FUZZ
@given(HTMLISH)
def test_html_soup_of_the_right_words(text):
    run_page(text.encode("utf-8"))


@FUZZ
@given(st.text(max_size=2000))
def test_repair_any_text(text):
    started = time.perf_counter()
    once = repair_text(text)
    assert repair_text(once) == once
    assert time.perf_counter() - started < bounded(len(text.encode()))


@pytest.mark.parametrize("name", ["seed-gb2312-noisy.html", "seed-clean-utf8.html", "seed-garbled-traditional.txt"])
def test_truncated_pages(name):
    data = (SAMPLES / name).read_bytes()
    rng = random.Random(name)
    for cut in sorted(rng.sample(range(1, len(data)), 40)):
        run_page(data[:cut], url=f"https://fuzz.example/{name}")


def test_deep_nesting():
    data = ("<html><body>" + "<div>" * 10_000 + "<p>浙江省网络文化协会任常务理事单位。</p>" + "</div>" * 10_000
            + "</body></html>").encode()
    run_page(data)


def test_one_megabyte_single_line():
    unit = "浙江省网络文化协会、杭州市网络文化协会(hangzhou)等2家单位任理事单位，網(wǎng)絡(luò)“A”（B）；"
    text = (unit * (1_000_000 // len(unit.encode()) + 1))
    data = f"<html><body><p>{text}</p></body></html>".encode()
    assert len(data) > 1_000_000 and data.count(b"\n") == 0
    run_page(data)


def test_pinyin_like_parentheses_everywhere():
    text = "網(wǎng)" * 20_000 + "協(xié)" * 20_000 + "(abc)" * 20_000 + "中(zhōng guó rén mín)" * 5_000
    started = time.perf_counter()
    repaired = repair_text(text)
    assert time.perf_counter() - started < bounded(len(text.encode()))
    assert repaired.startswith("网网网") and "(abc)" in repaired


def test_mixed_encodings():
    data = ("<html><body><p>" + "浙江省网络文化协会任理事单位。" * 50).encode("utf-8") + \
           ("杭州市网络文化协会任会员单位。" * 50 + "</p></body></html>").encode("gbk")
    extraction = run_page(data)
    assert extraction.article.encoding in ("utf-8", "gb18030")


def test_fifty_megabyte_page_is_a_finding_not_a_hang():
    data = b"<html><body>" + b"<p>" + "浙江省网络文化协会任常务理事单位。".encode() * (50 * 1024 * 1024 // 48) + b"</p></body></html>"
    assert len(data) >= 50 * 1024 * 1024
    started = time.perf_counter()
    extractions, failures = parse_pages([RawPage("big.html", "file:///big.html", data)], ())
    assert time.perf_counter() - started < 10
    assert (extractions, [(f.kind, f.detail.split(":")[0]) for f in failures]) == (
        [], [("parse_error", "PageTooLarge")])


def test_every_fixture_page_parses_within_bounds():
    for path in sorted(FIXTURES.rglob("*.htm*")) + sorted(SAMPLES.iterdir()):
        run_page(path.read_bytes(), url=path.as_uri())
