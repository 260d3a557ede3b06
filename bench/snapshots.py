"""Synthetic snapshots for the warehouse-load comparison (item 4 of issue 7), identical in both venvs.

``build(n)`` returns two snapshots of ``n`` organizations with five attributes each (name, province,
city, org_type, level) plus the key ``org_id``:

* snapshot 0 (boundary 2024-01-01T00:00+08:00): ``n`` organizations;
* snapshot 1 (boundary 2024-02-01T00:00+08:00): 10 % of them changed (city, level or type), 5 % new,
  2 % gone. ``rows`` is the full snapshot (what dlt's scd2 and the naive upsert receive: absent rows are
  retired); ``gone_rows`` are the gone organizations as they last were (orgledger receives them with an
  explicit 注销登记 / deregistered statement, because in orgledger absence never ends anything).

Pure Python and seeded, so every consumer sees the same rows.
"""

from __future__ import annotations

import hashlib
import random

PROVINCES = ["浙江省", "江苏省", "广东省", "山东省", "河南省", "四川省", "湖北省", "湖南省", "福建省", "安徽省"]
CITIES = ["甲市", "乙市", "丙市", "丁市", "戊市", "己市", "庚市", "辛市"]
TYPES = ["协会", "学会", "联合会", "促进会", "研究院", "联谊会"]
LEVELS = ["provincial", "city", "county"]
BOUNDARIES = ("2024-01-01T00:00:00+08:00", "2024-02-01T00:00:00+08:00")


def _org(i: int, rng: random.Random) -> dict:
    province = rng.choice(PROVINCES)
    org_type = rng.choice(TYPES)
    name = f"{province}{rng.choice(CITIES)}样本{i:07d}号网络文化{org_type}"
    return {"org_id": "org_" + hashlib.sha256(name.encode()).hexdigest()[:16], "name": name,
            "province": province, "city": province[:2] + rng.choice(CITIES), "org_type": org_type,
            "level": rng.choice(LEVELS)}


def build(n: int = 100_000, seed: int = 7) -> list[dict]:
    rng = random.Random(f"{seed}:snapshots:{n}")
    first = [_org(i, rng) for i in range(n)]
    order = list(range(n))
    rng.shuffle(order)
    n_changed, n_gone, n_new = n // 10, n * 2 // 100, n * 5 // 100
    changed = set(order[:n_changed])
    gone = set(order[n_changed:n_changed + n_gone])
    second, gone_rows = [], []
    for i, row in enumerate(first):
        if i in gone:
            gone_rows.append(dict(row))
            continue
        row = dict(row)
        if i in changed:
            what = rng.choice(["city", "level", "org_type"])
            if what == "city":
                row["city"] = row["province"][:2] + rng.choice([c for c in CITIES if row["province"][:2] + c != row["city"]])
            elif what == "level":
                row["level"] = rng.choice([lv for lv in LEVELS if lv != row["level"]])
            else:
                row["org_type"] = rng.choice([t for t in TYPES if t != row["org_type"]])
        second.append(row)
    second += [_org(n + i, rng) for i in range(n_new)]
    return [{"boundary": BOUNDARIES[0], "rows": first, "gone_rows": []},
            {"boundary": BOUNDARIES[1], "rows": second, "gone_rows": gone_rows,
             "changed": n_changed, "new": n_new, "gone": n_gone}]
