"""Text repair: pinyin annotations, traditional → simplified, widths."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from parsers.repair import normalize_width, repair_text, strip_pinyin


def test_pinyin_after_each_character_is_removed():
    assert strip_pinyin("中國網(wǎng)絡(luò)社會組織聯(lián)合會") == "中國網絡社會組織聯合會"
    assert strip_pinyin("發(fā)布時(shí)間") == "發布時間"


def test_multi_syllable_and_toneless_annotations():
    assert strip_pinyin("网络(wǎng luò)协会") == "网络协会"
    assert strip_pinyin("网络(wangluo)协会") == "网络协会"


def test_real_parentheses_are_kept():
    for text in ("杭州(浙江)协会", "数据(2018)", "平台(ABC)", "协会(筹)", "中心(hub)", "会(an)"):
        assert strip_pinyin(text) == text


def test_seed_title_repaired():
    assert repair_text("中國網(wǎng)絡(luò)社會組織聯(lián)合會在京成立 浙江20家網(wǎng)絡(luò)社會組織入會") == \
        "中国网络社会组织联合会在京成立 浙江20家网络社会组织入会"


def test_widths():
    assert normalize_width("２０１８年５月，ＡＢＣ協會") == "2018年5月，ABC協會"
    assert normalize_width("浙江\u3000杭州\u00a0协会\u2009ｘ") == "浙江 杭州 协会 x"  # spaces, only one wide letter
    assert normalize_width("會員,理事;其中:浙江") == "會員，理事；其中：浙江"
    assert normalize_width("杭州(浙江)") == "杭州（浙江）"
    assert normalize_width("a,,b 浙江,,杭州") == "a，b 浙江，杭州"
    assert normalize_width("version 1.2, see (ABC)") == "version 1.2, see (ABC)"
    # Nested pairs: converted from the inside out, as far as every inner pair is Chinese too.
    assert normalize_width("((協))") == "（（協））"
    assert normalize_width("(协(ab))") == "(协(ab))"
    assert normalize_width("(a(协)") == "(a（协）"
    assert normalize_width("(协)b)") == "（协）b)"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("網絡協會浙江杭州()（）wǎngluòABC12,;: 、。")), max_size=60))
@example("((協))")  # was '(（协）)' after one repair and '（（协））' after two
def test_repair_is_idempotent(text):
    once = repair_text(text)
    assert repair_text(once) == once
