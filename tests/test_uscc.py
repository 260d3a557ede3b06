"""统一社会信用代码: both check characters, the problems reported, and codes found after their label."""

from __future__ import annotations

import pytest

from parsers.uscc import CodeCheck, check_code, find_codes, finding_detail


@pytest.mark.parametrize("code", [
    "51100000500002862F", "51140200MJ1693047P", "52610500MJU60350X1",  # published examples
    "51410000501234569D",  # an older code whose organization-code part is all digits
    "5132010050987654XA",  # 17th character X (organization-code check 10)
])
def test_valid_codes(code):
    assert check_code(code) == CodeCheck(code, True, None)


def test_wrong_18th_character():
    assert check_code("51440000MJL2C4Q95R") == CodeCheck(
        "51440000MJL2C4Q95R", False, "18th character (check character) is R, should be J")


def test_wrong_17th_character_with_a_consistent_18th():
    # The 18th character is right for the first 17 as printed: only the GB 11714 check catches it.
    assert check_code("51510000MJQ3D6A107") == CodeCheck(
        "51510000MJQ3D6A107", False, "17th character (organization-code check) is 0, should be 9")


@pytest.mark.parametrize("code, problem", [
    ("5110000050000286", "has 16 characters, not 18"),
    ("51100000500002862I", "contains I, not allowed in a credit code"),
])
def test_malformed_codes(code, problem):
    assert check_code(code) == CodeCheck(code, False, problem)


def test_codes_are_found_after_their_label():
    text = ("龙港市网络文化协会于2020年7月16日登记成立，统一社会信用代码51330383MJ9K05T291；"
            "湖北省网络文化研究会（统一社会信用代码：51420000MJH6G0L230）；信用代码为5132010050987654XA。"
            "电话 13312345678901234567")
    codes = ["51330383MJ9K05T291", "51420000MJH6G0L230", "5132010050987654XA"]
    assert find_codes(text) == [(text.index(code), code) for code in codes]  # not the unlabelled number


def test_finding_detail():
    assert finding_detail("51440000MJL2C4Q95R", "广东省网络直播电商促进会", "bad") == \
        "“51440000MJL2C4Q95R” of 广东省网络直播电商促进会: bad"
