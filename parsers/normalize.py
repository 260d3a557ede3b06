"""Clean organization values. Pure functions.

``org_id`` is derived from the identity key only, never from the region, type or level we infer, so
improving those rules never changes an id. The identity key is the repaired, whitespace-free name with a
leading short division name written out (浙江网络文化协会 and 浙江省网络文化协会 are one organization);
for a name that already starts with the full division name the key is the name itself, so the ids of
such names are the ones earlier releases gave them.
"""

from __future__ import annotations

import hashlib
import re

from .model import Organization
from .regions import division_index

ORG_ID_RECIPE = "org/v1"

# Organization types by name suffix, longest first so 联合会 wins over 会-like endings.
# 专业委员会/分会 are branches (分支机构) of an organization, not organizations: see names.py.
ORG_TYPES = (
    "联合会",
    "促进会",
    "联谊会",
    "研究会",
    "研究院",
    "研究所",
    "研究中心",
    "基金会",
    "同业公会",
    "商会",
    "学会",
    "协会",
    "联盟",
    "总会",
    "俱乐部",
)

# Not social organizations: government and party bodies, companies, and people's organizations /
# democratic parties that are registered outside the 社会组织 system — among them the associations of
# 文联 (作家协会, 美术家协会 … but a 网络作家协会 is a registered social organization) and the other
# bodies exempt from registration (记协, 法学会, 侨联, 台联, 对外友协 …).
_NOT_SOCIAL = re.compile(
    r"(网信办|民政厅|民政局|民政部|宣传部|政府|办公室|委员会办公室|党委|管理局|有限公司|股份|集团|公司|"
    r"九三学社|民主同盟|民主促进会|致公党|文联|文学艺术界联合会|科协|科学技术协会|工商联|工商业联合会|"
    r"妇联|妇女联合会|总工会|共青团|青年联合会|残疾人联合会|红十字会|社科联|社会科学界联合会|"
    r"(?<!网络)(?:作家|美术家|音乐家|书法家|摄影家|戏剧家|舞蹈家|曲艺家|民间文艺家|电影家|电视艺术家|杂技家)协会|"
    r"新闻工作者协会|记者协会|法学会|归国华侨联合会|侨联|台湾同胞联谊会|台联|欧美同学会|黄埔军校同学会|"
    r"宋庆龄基金会|对外友好协会|外交学会|学生联合会|计划生育协会)"
)
_PRONOUN_START = re.compile(r"^(该|本|我|此|这|那|各|其|全国各级|各级|这些|上述|下属|所属|\d)")
# Clause words that never occur inside an organization's name: a candidate containing one ran past the
# name's real start ("2家单位新加入联合会").
_CLAUSE_WORDS = re.compile(
    r"\d+家|单位|加入|成为|当选|担任|召开|举行|参加|出席|申请|同意|审议|的|[两各多数几]地|\d+年|\d+月|\d+日"
)
# A name without a leading place name has no anchor for its start, so the run of text before the suffix
# is taken: it is a name only when it reads like one. These words start or make up clauses ("希望商会",
# "评估专家组对商会", "更名后协会", "共同维护协会"), never names.
_CLAUSE_WITHOUT_REGION = re.compile(
    r"对|是|后|将|把|被|让|了|着|过|也|还|又|希望|指导|维护|共同|表示|要求|发来|签署|开展|推动|"
    r"支持|举办|主办|承办|协办|参与|团结|引导|围绕|通过|按照|根据|依据|目前|现有|首次|继续|进一步|\d"
)
_WHITESPACE = re.compile(r"\s+")


def identity_key(name: str) -> str:
    """What identifies an organization across spellings: the repaired name without whitespace, with a
    leading short division name written in full (浙江… → 浙江省…, 广西… → 广西壮族自治区…)."""
    return division_index().expand_prefix(clean_name(name))


def clean_name(name: str) -> str:
    """The repaired name without whitespace: the form shown to users."""
    return _WHITESPACE.sub("", name)


def org_id_for(name: str) -> str:
    digest = hashlib.sha256(f"{ORG_ID_RECIPE}|{identity_key(name)}".encode()).hexdigest()
    return f"org_{digest[:16]}"


def org_type_of(name: str) -> str | None:
    for suffix in ORG_TYPES:
        if name.endswith(suffix):
            return suffix
    return None


def is_social_organization(name: str) -> bool:
    """True for a specific, named social organization; False for government bodies, companies,
    people's organizations and bare references such as 该协会 or 联合会."""
    suffix = org_type_of(name)
    if suffix is None or len(name) - len(suffix) < 2:
        return False
    if _PRONOUN_START.match(name) or _NOT_SOCIAL.search(name) or _CLAUSE_WORDS.search(name):
        return False
    if division_index().region_of(name) is None and _CLAUSE_WITHOUT_REGION.search(name[: -len(suffix)]):
        return False
    return True


def normalize_organization(name: str, aliases: tuple[str, ...] = ()) -> Organization:
    """The full record for a repaired organization name."""
    name = clean_name(name)
    region = division_index().region_of(name)
    return Organization(
        org_id=org_id_for(name),
        name=name,
        province=region.province if region else None,
        city=region.city if region else None,
        county=region.county if region else None,
        division_code=region.code if region else None,
        org_type=org_type_of(name),
        level=region.level if region else None,
        aliases=tuple(sorted(set(a for a in aliases if a and a != name))),
    )
