"""The grades and registration_events views: exact rows for evaluation documents loaded into a temporary
warehouse (a downgrade and an upgrade; a notice with 成立/注销/更名 sections; 注销 items, one code invalid)."""

from __future__ import annotations

from datetime import date

import pytest

from parsers.article import parse_page
from parsers.extract import extract
from parsers.normalize import org_id_for
from warehouse.db import connect_writer
from warehouse.load import load_extractions

from .helpers import ROOT

EVAL_DOCS = ROOT / "tests" / "eval" / "docs"
GRADES = "013-hz-pinggu-shengjiang.html"
NOTICE = "029-gbk-ha-mzt-dengji-gonggao.html"
DEREGISTERED = "009-gd-mzt-zhuxiao-dengji.html"


def url(name: str) -> str:
    return (EVAL_DOCS / name).resolve().as_uri()


@pytest.fixture(scope="module")
def con(tmp_path_factory, settings):
    extractions = []
    for name in (GRADES, NOTICE, DEREGISTERED):
        path = EVAL_DOCS / name
        extractions.append(extract(parse_page(path.read_bytes(), source=str(path), url=url(name),
                                              profiles=settings.profiles)))
    con = connect_writer(tmp_path_factory.mktemp("orgs") / "w.duckdb", timeout=5)
    load_extractions(con, extractions)
    yield con
    con.close()


def test_grades_view(con):
    rows = con.execute("SELECT org_name, grade, previous_grade, valid_from, article_url, evidence FROM grades "
                       "ORDER BY org_name").fetchall()
    day = date(2021, 3, 2)  # 日前: the publish date
    awarded = "杭州市网络作家协会被评为5A级社会组织，杭州市互联网协会、杭州市网络安全研究院被评为4A级社会组织。"
    changed = "在到期复评中，杭州市电子商务促进会由4A级降为3A级，杭州市动漫游戏协会由3A级升为4A级。"
    assert rows == [
        ("杭州市互联网协会", "4A", None, day, url(GRADES), awarded),
        ("杭州市动漫游戏协会", "4A", "3A", day, url(GRADES), changed),
        ("杭州市电子商务促进会", "3A", "4A", day, url(GRADES), changed),
        ("杭州市网络作家协会", "5A", None, day, url(GRADES), awarded),
        ("杭州市网络安全研究院", "4A", None, day, url(GRADES), awarded),
    ]


def test_registration_events_view(con):
    rows = con.execute("SELECT org_name, kind, on_date, authority, credit_code, new_name, article_url "
                       "FROM registration_events ORDER BY article_url, on_date").fetchall()
    gd, ha = "广东省民政厅", "河南省民政厅"
    assert rows == [
        ("广东省网络游戏行业协会", "deregistered", date(2021, 5, 12), gd, "51440000MJL0A5N37R", None, url(DEREGISTERED)),
        ("广东省移动互联网应用研究会", "deregistered", date(2021, 5, 14), gd, "51440000MJL1B8P69Q", None,
         url(DEREGISTERED)),
        # its code fails the check: a quality finding, never attached
        ("广东省网络直播电商促进会", "deregistered", date(2021, 5, 17), gd, None, None, url(DEREGISTERED)),
        ("河南省网络文化协会", "registered", date(2019, 3, 28), ha, "51410000MJY0K3D522", None, url(NOTICE)),
        ("河南省数字经济研究院", "registered", date(2019, 4, 2), ha, "52410000MJY1L7E80Q", None, url(NOTICE)),
        ("河南省信息化促进会", "deregistered", date(2019, 4, 3), ha, "51410000501234569D", None, url(NOTICE)),
        # the organization keeps its id; its name is the new one from the rename on
        ("河南省电子商务行业协会", "renamed", date(2019, 4, 8), ha, "51410000MJY2M4F18P", "河南省电子商务行业协会",
         url(NOTICE)),
    ]


def test_invalid_code_is_a_quality_finding(con):
    assert con.execute("SELECT article_url, kind, detail FROM quality_findings").fetchall() == [
        (url(DEREGISTERED), "invalid_credit_code",
         "“51440000MJL2C4Q95R” of 广东省网络直播电商促进会: 18th character (check character) is R, should be J")]
    assert con.execute("SELECT count(*) FROM facts WHERE prop = 'credit_code' AND value = '51440000MJL2C4Q95R'"
                       ).fetchone() == (0,)


def test_codes_belong_to_the_organizations(con):
    # The renamed organization keeps its first id, so its code stays with it under the new name.
    assert con.execute("SELECT org_id, value FROM facts WHERE prop = 'credit_code' AND article_url = ? "
                       "ORDER BY value", [url(NOTICE)]).fetchall() == [
        (org_id_for("河南省信息化促进会"), "51410000501234569D"),
        (org_id_for("河南省网络文化协会"), "51410000MJY0K3D522"),
        (org_id_for("河南省电子商务协会"), "51410000MJY2M4F18P"),
        (org_id_for("河南省数字经济研究院"), "52410000MJY1L7E80Q"),
    ]
