"""Clean organization values. Pure functions.

``org_id`` is derived from the identity key only (the repaired, whitespace-free name), never from the
region, type or level we infer, so improving those rules never changes an id.
"""

from __future__ import annotations

import hashlib
import re

from .model import Organization
from .regions import division_index

ORG_ID_RECIPE = "org/v1"

# Organization types by name suffix, longest first so 联合会 wins over 会-like endings.
ORG_TYPES = (
    "专业委员会",
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
# democratic parties that are registered outside the 社会组织 system.
_NOT_SOCIAL = re.compile(
    r"(网信办|民政厅|民政局|民政部|宣传部|政府|办公室|委员会办公室|党委|管理局|有限公司|股份|集团|公司|"
    r"九三学社|民主同盟|民主促进会|致公党|文联|文学艺术界联合会|科协|科学技术协会|工商联|工商业联合会|"
    r"妇联|妇女联合会|总工会|共青团|青年联合会|残疾人联合会|红十字会)"
)
_PRONOUN_START = re.compile(r"^(该|本|我|此|各|其|全国各级|各级|这些|上述|下属|\d)")
# Clause words that never occur inside an organization's name: a candidate containing one ran past the
# name's real start ("2家单位新加入联合会").
_CLAUSE_WORDS = re.compile(r"\d+家|单位|加入|成为|当选|担任|召开|举行|参加|出席|申请|同意|审议|的")
_WHITESPACE = re.compile(r"\s+")


def identity_key(name: str) -> str:
    """What identifies an organization across spellings: the repaired name without whitespace."""
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
    return True


def normalize_organization(name: str, aliases: tuple[str, ...] = ()) -> Organization:
    """The full record for a repaired organization name."""
    name = identity_key(name)
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
