"""Writes the three garbled mirror texts of the held-out set (docs/114-116-garbled-*.txt).

Each source is simplified Chinese. It is converted character by character to traditional with
OpenCC s2t (爲 written as 為, as in tests/eval), a pinyin reading in ASCII parentheses is added
after the characters in PINYIN (e.g. 網(wǎng)絡(luò)), and the full-width ，；： become ASCII.
Line 1 is the title, line 2 is `發(fā)布時(shí)間:YYYY-MM-DD HH:MM`, an optional `分享到:` line
follows, then the paragraphs.
Removing the pinyin and converting back with OpenCC t2s gives the source exactly.

Needs the opencc package (the project venv has it): .venv/bin/python tests/eval_holdout/make_garbled.py
"""
import re
from pathlib import Path

import opencc

DOCS_DIR = Path(__file__).resolve().parent / "docs"

PINYIN = {
    "網": "wǎng", "絡": "luò", "協": "xié", "聯": "lián", "議": "yì", "評": "píng", "務": "wù",
    "發": "fā", "區": "qū", "級": "jí", "屆": "jiè", "時": "shí", "進": "jìn", "結": "jié",
    "業": "yè", "審": "shěn", "設": "shè", "縣": "xiàn", "據": "jù", "導": "dǎo", "選": "xuǎn",
    "調": "diào", "當": "dāng", "構": "gòu", "強": "qiáng", "堅": "jiān", "個": "gè", "領": "lǐng",
    "質": "zhì", "護": "hù", "舉": "jǔ", "經": "jīng", "統": "tǒng", "礎": "chǔ", "監": "jiān",
    "獻": "xiàn", "機": "jī", "勵": "lì",
}
PUNCT = {"，": ",", "；": ";", "：": ":"}
# OpenCC 1.1+ renders a lone 为 as 爲; the mirror sites (and tests/eval) show 為.
OVERRIDE = {"爲": "為"}

SOURCES = {
    "114-garbled-dl-hulianwang-xiehui-chuming.txt": (
        "大连市互联网协会召开五届四次理事会", "2022-10-27 09:40", True, [
            "10月26日，大连市互联网协会五届四次理事会在大连召开，大连市委网信办派员到会指导。",
            "会议审议通过了会员单位调整事项。大连市甘井子区网络文化协会因严重违反协会章程，经理事会表决，予以除名；大连市旅顺口区电子商务协会主动申请退出本会，会议同意其退出。",
            "会议增补大连市沙河口区互联网协会为副会长单位，瓦房店市电子商务协会为理事单位；同意庄河市网络文化协会、长海县网络公益协会加入本会，成为会员单位。",
            "据统计，协会现有会员单位70余家，其中区市县网络社会组织10家。",
            "会议还研究部署了2022年网络安全宣传周和网络文明进社区等重点工作。",
        ]),
    "115-garbled-lzh-pinggu-jieguo.txt": (
        "柳州市2022年度社会组织评估等级揭晓", "2023-02-17 15:30", False, [
            "日前，柳州市民政局发布公告，确定了2022年度市级社会组织评估等级，41家社会组织获评3A级以上等级。",
            "柳州市网络安全学会、柳州市汽车产业研究院获得5A级等级；柳州市米粉产业促进会、柳州市网络文化协会获评4A级。",
            "参加复评的社会组织中，柳州市柳江区电子商务协会等级由3A级提升至4A级，柳州市柳北区网络作家协会因内部治理不规范，等级由4A级下调为3A级。",
            "结果发布会上，市民政局为获评单位代表颁发了证书和牌匾，柳州市红十字会、柳州市文联作为特邀单位参加。",
            "市民政局社会组织管理科负责人介绍，下一步将强化评估结果运用，将评估等级与政府购买服务、年度检查等工作挂钩。",
        ]),
    "116-garbled-yt-genming-cujinhui.txt": (
        "烟台市网络文化研究会更名为烟台市网络文明促进会", "2022-07-22 10:05", True, [
            "近日，烟台市网络文化研究会更名为烟台市网络文明促进会。该会已于7月15日在烟台市民政局完成名称变更登记，原登记证书同时收回。",
            "7月20日，烟台市网络文明促进会召开一届六次理事会。会议同意烟台市新媒体从业人员联谊会、龙口市网络文化协会为理事单位，烟台市芝罘区网络公益协会当选副会长单位。",
            "据了解，促进会现有会员单位近60家，包括网络社会组织、网络媒体和互联网企业。",
            "烟台市委网信办有关负责同志表示，希望该会更名后进一步拓展工作领域，在网络文明建设中发挥更大作用。",
        ]),
}

_S2T = opencc.OpenCC("s2t")
_T2S = opencc.OpenCC("t2s")
PINYIN_RE = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def garble(text: str) -> str:
    out = []
    for ch in text:
        t = _S2T.convert(ch)
        t = OVERRIDE.get(t, t)
        out.append(t + (f"({PINYIN[t]})" if t in PINYIN else ""))
    return "".join(PUNCT.get(c, c) for c in "".join(out))


def ungarble(text: str) -> str:
    """Pinyin removed, back to simplified (ASCII punctuation is kept)."""
    return "".join(_T2S.convert(c) for c in PINYIN_RE.sub("", text))


def main() -> None:
    DOCS_DIR.mkdir(parents=True, exist_ok=True)
    for name, (title, when, share, paras) in SOURCES.items():
        lines = [garble(title), garble("发布时间") + ":" + when]
        if share:
            lines.append("分享到:")
        lines += [garble(p) for p in paras]
        text = "\n".join(lines) + "\n"
        for src, got in zip([title] + paras, [lines[0]] + lines[2 + share:]):
            back = ungarble(got)
            want = "".join(PUNCT.get(c, c) for c in src)
            assert back == want, (name, src, back)
        (DOCS_DIR / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
