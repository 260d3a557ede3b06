"""Roles, grades, registration events and counts, each in the phrasings pages use (whole values)."""

from __future__ import annotations

from datetime import date

from parsers.extract import extract
from parsers.model import Event, Finding, Grade
from parsers.normalize import org_id_for

from .articles import PUBLISHED, article

MET = date(2021, 5, 8)


def roles(e) -> list[tuple]:
    return [(c.org_name, c.role, c.federation_name, c.valid_from) for c in e.claims]


def test_roles_in_running_text():
    fed = "温州市网络文化协会"
    e = extract(article(
        f"{fed}换届",
        f"5月8日，{fed}第三届会员大会在温州召开。",
        "大会选举温州市网络作家协会为会长单位，瑞安市网络文化协会、乐清市网络文化协会当选为副会长单位；"
        "温州市互联网协会、温州市网络公益联合会等2家单位任理事单位。",
        "温州市鹿城区网络文化协会、温州市瓯海区互联网协会和永嘉县网络文化协会分别当选为秘书长单位、监事长单位和监事单位。",
        "温州市动漫游戏协会是中国网络社会组织联合会第二届理事会理事单位。",
    ))
    assert roles(e) == [
        ("温州市网络作家协会", "会长单位", fed, MET),
        ("瑞安市网络文化协会", "副会长单位", fed, MET),
        ("乐清市网络文化协会", "副会长单位", fed, MET),
        ("温州市互联网协会", "理事单位", fed, MET),
        ("温州市网络公益联合会", "理事单位", fed, MET),
        ("温州市鹿城区网络文化协会", "秘书长单位", fed, MET),
        ("温州市瓯海区互联网协会", "监事长单位", fed, MET),
        ("永嘉县网络文化协会", "监事单位", fed, MET),
        # another federation, whose meeting the text does not date: the publish date
        ("温州市动漫游戏协会", "理事单位", "中国网络社会组织联合会", PUBLISHED.date()),
    ]
    assert [(c.wording, c.value, c.approximate, c.named) for c in e.counts] == [("等2家单位", 2, False, 2)]


def test_respectively_with_unequal_lists_gives_nothing():
    e = extract(article("丽水市网络文化协会换届", "6月1日，丽水市网络文化协会召开第二届会员大会。",
                        "丽水市网络作家协会、丽水市互联网协会分别当选为会长单位、副会长单位和秘书长单位。"))
    assert e.claims == []


def test_a_role_given_up_ends_it_unless_another_is_taken():
    fed = "山东省网络文化协会"
    e = extract(article(
        f"{fed}调整理事会成员单位",
        f"5月8日，{fed}二届五次理事会在济南召开。",
        "会议同意青岛市网络文化协会不再担任副会长单位，改任常务理事单位；增补烟台市互联网协会为副会长单位。",
        "潍坊市网络文化协会因机构调整，不再担任理事单位。",
    ))
    assert roles(e) == [("青岛市网络文化协会", "常务理事单位", fed, MET), ("烟台市互联网协会", "副会长单位", fed, MET)]
    assert [(x.org_name, x.federation_name, x.on, x.wording) for x in e.ends] == [
        ("潍坊市网络文化协会", fed, MET, "不再担任理事单位")]


def test_lists_under_headings_and_in_tables():
    fed = "浙江省互联网协会"
    e = extract(article(
        f"{fed}第六届理事会名单",
        f"{fed}第六届会员大会于2021年5月8日召开。现将理事会名单公布如下：",
        "序号", "单位名称", "职务",
        "1", "浙江省网络文化协会", "会长单位",
        "2", "杭州市互联网协会", "副会长单位",
        "理事单位（共2家）：", "宁波市互联网协会", "台州市互联网协会",
        "会议号召全省互联网行业组织坚持正确政治方向，积极参与网络综合治理。",
        "温州市互联网协会",  # after prose: not in the list
    ))
    assert roles(e) == [
        ("浙江省网络文化协会", "会长单位", fed, MET), ("杭州市互联网协会", "副会长单位", fed, MET),
        ("宁波市互联网协会", "理事单位", fed, MET), ("台州市互联网协会", "理事单位", fed, MET),
    ]
    assert [(c.wording, c.value, c.scope, c.named) for c in e.counts] == [("共2家", 2, f"role:{fed}:理事单位", 2)]
    assert e.findings == []


def test_roles_as_subheadings_without_colons():
    fed = "浙江省互联网协会"
    e = extract(article(f"{fed}公布新一届理事会名单", f"{fed}第六届会员大会于2021年5月8日召开。",
                        "第六届理事会成员名单：", "会长单位", "浙江省网络文化协会", "副会长单位", "杭州市互联网协会",
                        "宁波市互联网协会"))
    assert roles(e) == [("浙江省网络文化协会", "会长单位", fed, MET), ("杭州市互联网协会", "副会长单位", fed, MET),
                        ("宁波市互联网协会", "副会长单位", fed, MET)]


def test_grades_in_text_and_tables():
    e = extract(article(
        "湖州市公布社会组织评估结果",
        "日前，湖州市网络文化协会被评为5A级社会组织，湖州市互联网协会、湖州市网络作家协会获评AAAA级社会组织；"
        "湖州市电子商务协会由4A级降为3A级。",
        "此前，湖州市动漫协会于2018年被评为4A级社会组织。",
        "据统计，全市共有3A级以上社会组织近200家。",
        "序号", "单位名称", "评估等级", "备注",
        "1", "湖州市软件行业协会", "4A", "复评，由5A级降为4A级",
    ))
    published = PUBLISHED.date()
    assert [(g.org_name, g.grade, g.previous_grade, g.on) for g in e.grades] == [
        ("湖州市网络文化协会", "5A", None, published),
        ("湖州市互联网协会", "4A", None, published),
        ("湖州市网络作家协会", "4A", None, published),
        ("湖州市电子商务协会", "3A", "4A", published),
        ("湖州市动漫协会", "4A", None, None),  # an earlier grade the text gives no day for
        ("湖州市软件行业协会", "4A", "5A", published),
    ]
    assert e.grades[0] == Grade(org_id_for("湖州市网络文化协会"), "湖州市网络文化协会", "5A", None, published,
                                e.article.paragraphs[0])
    assert [(c.wording, c.value, c.approximate) for c in e.counts] == [("共有3A级以上社会组织近200家", 200, True)]


def test_registration_in_news():
    e = extract(article(
        "龙港市网络文化协会成立",
        "龙港市网络文化协会于2020年7月16日在龙港市民政局登记成立，统一社会信用代码51330383MJ9K05T291。",
        "协会于2020年8月1日召开成立大会。",
    ))
    name = "龙港市网络文化协会"
    assert e.events == [
        Event(org_id_for(name), name, "founded", date(2020, 8, 1), "协会于2020年8月1日召开成立大会。"),
        Event(org_id_for(name), name, "registered", date(2020, 7, 16), e.article.paragraphs[0],
              authority="龙港市民政局", credit_code="51330383MJ9K05T291"),
    ]
    assert e.credit_codes == [(org_id_for(name), "51330383MJ9K05T291", e.article.paragraphs[0])]


def test_registration_notice_with_sections_and_an_invalid_code():
    e = extract(article(
        "河南省民政厅社会组织登记公告（2019年第3号）",
        "现将我厅办理的省级社会组织登记事项公告如下：",
        "一、成立登记",
        "1．河南省网络文化协会，统一社会信用代码：51410000MJY0K3D522，登记日期：2019年3月28日。",
        "二、注销登记",
        "河南省信息化促进会，统一社会信用代码：51440000MJL2C4Q95R，注销日期：2019年4月3日。",
        "三、变更登记",
        "河南省电子商务协会，名称由“河南省电子商务协会”变更为“河南省电子商务行业协会”，变更日期：2019年4月8日。",
        "河南省数字经济促进会。统一社会信用代码：51420000MJH7H9M47F。变更日期：2019年4月9日。",
        "河南省民政厅",
    ))
    assert [(x.org_name, x.kind, x.on, x.new_name, x.authority, x.credit_code) for x in e.events] == [
        ("河南省网络文化协会", "registered", date(2019, 3, 28), None, "河南省民政厅", "51410000MJY0K3D522"),
        ("河南省信息化促进会", "deregistered", date(2019, 4, 3), None, "河南省民政厅", None),
        ("河南省电子商务协会", "renamed", date(2019, 4, 8), "河南省电子商务行业协会", "河南省民政厅", None),
        ("河南省数字经济促进会", "changed", date(2019, 4, 9), None, "河南省民政厅", "51420000MJH7H9M47F"),
    ]
    assert e.findings == [Finding(
        "invalid_credit_code",
        "“51440000MJL2C4Q95R” of 河南省信息化促进会: 18th character (check character) is R, should be J",
        "河南省信息化促进会，统一社会信用代码：51440000MJL2C4Q95R，注销日期：2019年4月3日。")]


def test_collective_revocation_dates_the_items_before_it():
    e = extract(article(
        "四川省民政厅关于撤销四川省网红经济促进会等2个社会组织登记的公告",
        "四川省网红经济促进会（统一社会信用代码：51510000MJQ4E2B7XA）连续两年未参加年度检查。",
        "四川省电子竞技运动协会自取得登记证书之日起一年未开展活动。",
        "我厅于2019年11月5日决定撤销上述2个社会组织的登记。",
    ))
    assert [(x.org_name, x.kind, x.on, x.authority, x.credit_code) for x in e.events] == [
        ("四川省网红经济促进会", "revoked", date(2019, 11, 5), "四川省民政厅", "51510000MJQ4E2B7XA"),
        ("四川省电子竞技运动协会", "revoked", date(2019, 11, 5), "四川省民政厅", None),
    ]
    assert [(c.wording, c.value) for c in e.counts] == [("2个社会组织", 2)]


def test_counts_of_organizations_only():
    e = extract(article(
        "成都市公益创投大赛落幕",
        "本届大赛共吸引近200家社会组织报名参赛，10余家网络社会组织进入决赛，共有500余名志愿者参与，"
        "由10家单位联合主办，引进项目百余个。",
        "据悉，协会现有会员单位62家，个人会员300余名。",
    ))
    assert [(c.wording, c.value, c.approximate) for c in e.counts] == [
        ("共吸引近200家", 200, True), ("10余家", 10, True), ("现有会员单位62家", 62, False)]
