"""Consistency check for the evaluation set (stdlib only): python3 tests/eval/check_eval.py

Checks that every expected/*.json parses and has the agreed keys, that its doc exists, that every
credit code's recorded validity matches the GB 32100 checks, and that the GBK pages decode as GB18030.
It does not run orgledger; comparing pipeline output with the expected files is a separate step.
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEYS = ["doc", "title", "published_at", "organizations", "memberships", "membership_ends", "grades",
        "events", "counts", "not_organizations", "aliases", "notes"]
ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _orgcode_ok(code: str) -> bool:
    """positions 9-17: GB 11714 organization code with its check char."""
    body, check = code[8:16], code[16]
    vals = [int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in body]
    r = 11 - sum(v * w for v, w in zip(vals, (3, 7, 9, 10, 5, 8, 4, 2))) % 11
    return check == ("X" if r == 10 else "0" if r == 11 else str(r))


def _full_ok(code: str) -> bool:
    s = sum(ALPHA.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17]))
    return code[17] == ALPHA[(31 - s % 31) % 31]


def credit_code_valid(code: str) -> bool:
    return (len(code) == 18 and all(c in ALPHA for c in code)
            and _orgcode_ok(code) and _full_ok(code))


def main() -> int:
    problems = []
    expected = sorted((HERE / "expected").glob("*.json"))
    docs = sorted(p.name for p in (HERE / "docs").iterdir())
    for path in expected:
        try:
            e = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            problems.append(f"{path.name}: does not parse: {exc}")
            continue
        if list(e) != KEYS:
            problems.append(f"{path.name}: keys {list(e)}")
        doc = HERE / "docs" / e.get("doc", "")
        if not doc.is_file():
            problems.append(f"{path.name}: doc {e.get('doc')} missing")
            continue
        raw = doc.read_bytes()
        if b"charset=gb2312" in raw:
            try:
                raw.decode("gb18030")
            except UnicodeDecodeError as exc:
                problems.append(f"{doc.name}: not GB18030: {exc}")
        else:
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                problems.append(f"{doc.name}: not UTF-8: {exc}")
        for ev in e.get("events", []):
            code = ev.get("credit_code")
            if code is not None and credit_code_valid(code) != ev.get("credit_code_valid"):
                problems.append(f"{path.name}: {code} marked {ev.get('credit_code_valid')}")
    if len(expected) != len(docs):
        problems.append(f"{len(expected)} expected files for {len(docs)} docs")
    for p in problems:
        print(p)
    print(f"{len(expected)} expected files, {len(docs)} docs, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
