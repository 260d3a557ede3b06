"""Organization names, regions, types, levels and ids."""

from __future__ import annotations

import pytest

from parsers.names import find_org_names
from parsers.normalize import is_social_organization, normalize_organization, org_id_for


@pytest.mark.parametrize("name, province, city, county, level, org_type", [
    ("杭州市网络安全研究院", "浙江省", "杭州市", None, "city", "研究院"),
    ("浙江省网络文化协会", "浙江省", None, None, "provincial", "协会"),
    ("浙江网络文化协会", "浙江省", None, None, "provincial", "协会"),
    ("中国网络社会组织联合会", None, None, None, "national", "联合会"),
    ("上海市浙江商会", "上海市", None, None, "provincial", "商会"),
    ("龙港市网络文化协会", "浙江省", "温州市", "龙港市", "county", "协会"),
    ("杭州市临平区网络文化协会", "浙江省", "杭州市", "临平区", "county", "协会"),
    ("首都互联网协会", "北京市", None, None, "provincial", "协会"),
    ("绍兴市网络界人士联谊会", "浙江省", "绍兴市", None, "city", "联谊会"),
    ("温州市互联网发展促进会", "浙江省", "温州市", None, "city", "促进会"),
    ("网络作家学会", None, None, None, None, "学会"),
])
def test_normalize(name, province, city, county, level, org_type):
    org = normalize_organization(name)
    assert (org.province, org.city, org.county, org.level, org.org_type) == (province, city, county, level, org_type)


def test_org_id_depends_on_name_only():
    assert normalize_organization("浙江省网络文化协会").org_id == org_id_for("浙江省 网络文化协会")
    assert org_id_for("浙江省网络文化协会") == "org_b063f2093bcf0aba"  # stable across releases: never change


@pytest.mark.parametrize("name", ["国家网信办", "浙江省民政厅", "某某科技有限公司", "九三学社", "浙江省文联", "该协会",
                                  "联合会", "本会", "浙江省科学技术协会"])
def test_not_social_organizations(name):
    assert not is_social_organization(name)


def test_name_boundaries_come_from_the_text():
    text = "其中浙江省网络文化协会任常务理事单位；在第一届中国网络社会组织联合会成立大会上，由国家网信办主管，该协会和宁波市计算机学会3家单位。"
    assert [s.name for s in find_org_names(text)] == ["浙江省网络文化协会", "中国网络社会组织联合会", "宁波市计算机学会"]
