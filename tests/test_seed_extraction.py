"""The seed article in its three forms yields exactly the same records."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from flows.cli import parse_result
from flows.pipeline import parse_one
from flows.sources import fetch_page

from .helpers import SAMPLES, SEED_FORMS

FEDERATION = "中国网络社会组织联合会"
STANDING = {"浙江省网络文化协会"}
COUNCIL = {"浙江省青年网络协会", "杭州市网络文化协会", "宁波市网络文化协会"}
MEMBERS = {
    "杭州市网络安全研究院", "宁波市计算机信息网络安全协会", "宁波市计算机学会", "温州市互联网发展促进会",
    "温州市网络公益联合会", "温州市网络作家协会", "温州市网络文化协会", "绍兴市网络界人士联谊会",
    "金华市网络文化协会", "衢州市网络作家协会", "衢州市电子商务协会", "舟山市网络文化协会", "台州市网络文化协会",
    "台州市网络界人士联谊会", "丽水市网络文化协会",
}
ZHEJIANG = STANDING | COUNCIL | MEMBERS
CITY_OF = {name: name[:3] for name in ZHEJIANG if name[2] == "市"}
COUNT_FINDING = {
    "kind": "count_mismatch",
    "detail": "“浙江共有20家” claims 20, the text names 20 listings of 19 distinct organizations; "
              "listed more than once: 宁波市网络文化协会 (理事单位、会员单位)",
    "evidence": "在第一届中国网络社会组织联合会成立大会上，浙江共有20家网络社会组织成为首批会员。",
}


@pytest.fixture(scope="module", params=SEED_FORMS)
def seed(request, settings):
    return parse_result(parse_one(fetch_page(str(SAMPLES / request.param)), settings.profiles))


def test_title_and_time(seed):
    assert seed["title"] == "中国网络社会组织联合会在京成立 浙江20家网络社会组织入会"
    assert seed["published_at"] == datetime(2018, 5, 10, 16, 12, tzinfo=ZoneInfo("Asia/Shanghai")).isoformat()


def test_body_is_the_article_only(seed):
    paragraphs = seed["body"].split("\n")
    assert len(paragraphs) == 6
    assert paragraphs[0].startswith("中国网络社会组织联合会成立大会5月9日在京召开。")
    assert paragraphs[-1].endswith("丽水市网络文化协会等16家单位任会员单位。")
    for noise in ("分享到", "热门文章", "相关新闻", "主办", "发布时间", "版权所有", "首页"):
        assert noise not in seed["body"]


def test_memberships_by_role(seed):
    by_role: dict[str, set[str]] = {}
    for m in seed["memberships"]:
        assert m["federation_name"] == FEDERATION
        assert m["valid_from"] == "2018-05-09"
        by_role.setdefault(m["role"], set()).add(m["org_name"])
    assert by_role == {"常务理事单位": STANDING, "理事单位": COUNCIL, "会员单位": MEMBERS}


def test_both_listings_of_ningbo_are_kept_as_claims(seed):
    ningbo = sorted(c["role"] for c in seed["membership_claims"] if c["org_name"] == "宁波市网络文化协会")
    assert ningbo == ["会员单位", "理事单位"]
    assert len(seed["membership_claims"]) == 20


def test_organizations_exactly(seed):
    orgs = {o["name"]: o for o in seed["organizations"]}
    assert set(orgs) == ZHEJIANG | {FEDERATION}
    assert {k: orgs[FEDERATION][k] for k in ("province", "city", "org_type", "level")} == {
        "province": None, "city": None, "org_type": "联合会", "level": "national"}
    for name in ZHEJIANG:
        o = orgs[name]
        assert o["province"] == "浙江省"
        if name in CITY_OF:
            assert (o["city"], o["level"]) == (CITY_OF[name], "city")
        else:
            assert (o["city"], o["level"]) == (None, "provincial")
    assert orgs["杭州市网络安全研究院"]["org_type"] == "研究院"
    assert orgs["绍兴市网络界人士联谊会"]["org_type"] == "联谊会"
    assert orgs["温州市互联网发展促进会"]["org_type"] == "促进会"
    assert orgs["宁波市计算机学会"]["org_type"] == "学会"


def test_federation_founded(seed):
    assert [(e["org_name"], e["kind"], e["on"]) for e in seed["events"]] == [(FEDERATION, "founded", "2018-05-09")]


def test_counts_and_the_finding(seed):
    counts = {(c["wording"], c["value"], c["named"], c["distinct"]) for c in seed["counts"]}
    assert counts == {("浙江共有20家", 20, 20, 19), ("3家单位", 3, 3, 3), ("等16家单位", 16, 16, 16)}
    assert seed["findings"] == [COUNT_FINDING]


def test_statistics(seed):
    stats = [(s["value"], s["unit"], s["region"], s["as_of"]) for s in seed["statistics"]]
    assert stats == [(301.0, "家", "浙江省", "2018-05"), (123051.0, "名", "浙江省", "2018-05"),
                     (71.0, "家", "浙江省", "2018-05"), (23.6, "%", "浙江省", "2018-05")]


def test_traditional_surface_forms_are_aliases(settings):
    result = parse_result(parse_one(fetch_page(str(SAMPLES / "seed-garbled-traditional.txt")), settings.profiles))
    aliases = {o["name"]: o["aliases"] for o in result["organizations"]}
    assert aliases["宁波市网络文化协会"] == ["寧波市網絡文化協會"]
    assert aliases[FEDERATION] == ["中國網絡社會組織聯合會"]
    assert aliases["舟山市网络文化协会"] == ["舟山市網絡文化協會"]


def test_three_forms_agree(settings):
    results = [parse_result(parse_one(fetch_page(str(SAMPLES / f)), settings.profiles)) for f in SEED_FORMS]
    keys = ("title", "published_at", "body", "organizations", "memberships", "counts", "statistics")
    first = results[0]
    for other in results[1:]:
        for key in keys:
            if key == "organizations":  # aliases differ: only the garbled copy has traditional spellings
                strip = lambda orgs: [{k: v for k, v in o.items() if k != "aliases"} for o in orgs]  # noqa: E731
                assert strip(other[key]) == strip(first[key])
            else:
                assert other[key] == first[key], key


def test_golden_parse_output(settings, golden):
    for name in SEED_FORMS:
        result = parse_result(parse_one(fetch_page(str(SAMPLES / name)), settings.profiles))
        result["source"] = result["url"] = f"config/samples/{name}"
        golden(f"parse-{name}", result)

