"""Consistency check for the held-out evaluation set: python3 tests/eval_holdout/check_holdout.py

Same checks as tests/eval/check_eval.py (agreed JSON keys, doc exists, credit-code validity per
GB 32100, GBK pages decode as GB18030) plus text checks: every expected name, federation, new
name, alias and count wording occurs in the article body (BODY below names each page's body
element; for the garbled texts the body is the paragraphs after the date line, read with the
pinyin removed and, for names, converted back to simplified), every not_organizations string
occurs somewhere in the page, and every org referred to by a record is listed in organizations.
The t2s conversion needs opencc (the project venv has it); without it the garbled docs' name
checks are skipped. It does not run orgledger.
"""
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEYS = ["doc", "title", "published_at", "organizations", "memberships", "membership_ends", "grades",
        "events", "counts", "not_organizations", "aliases", "notes"]
ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ROLES = {"会长单位", "副会长单位", "常务理事单位", "理事单位", "会员单位", "监事长单位", "监事单位", "秘书长单位"}
KINDS = {"registered", "renamed", "deregistered", "revoked", "changed", "founded"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")

# (attribute, value) of the element holding each HTML page's article body
BODY = {
    "101": ("class", "detail-body"), "102": ("class", "art-txt"), "103": ("class", "TRS_UEDITOR"),
    "104": ("class", "TRS_Editor"), "105": ("class", "detail-content"), "106": ("id", "article_content"),
    "107": ("class", "article-body"), "108": ("class", "cont"), "109": ("class", "content_text"),
    "110": ("id", "artContent"), "111": ("class", "articleCon"), "112": ("class", "news_text"),
    "113": ("class", "art_content"),
}


def _orgcode_ok(code: str) -> bool:
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


class _Body(HTMLParser):
    """Collects the text inside the first element whose attribute has the given value."""

    def __init__(self, attr, value):
        super().__init__(convert_charrefs=True)
        self.attr, self.value, self.depth, self.done, self.parts = attr, value, 0, False, []

    def handle_starttag(self, tag, attrs):
        if self.done:
            return
        if self.depth:
            self.depth += tag not in ("br", "img", "meta", "link", "input", "hr")
        elif self.value in (dict(attrs).get(self.attr) or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and not self.done:
            self.depth -= 1
            self.done = self.depth == 0

    def handle_data(self, data):
        if self.depth and not self.done:
            self.parts.append(data)


def _t2s():
    try:
        import opencc
    except ImportError:
        return None
    conv = opencc.OpenCC("t2s")
    return lambda s: "".join(conv.convert(c) for c in s)


def main() -> int:
    problems = []
    t2s = _t2s()
    expected = sorted((HERE / "expected").glob("*.json"))
    docs = sorted(p.name for p in (HERE / "docs").iterdir())
    for path in expected:
        try:
            e = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            problems.append(f"{path.name}: does not parse: {exc}")
            continue
        bad = lambda msg: problems.append(f"{path.name}: {msg}")  # noqa: E731
        if list(e) != KEYS:
            bad(f"keys {list(e)}")
        doc = HERE / "docs" / e.get("doc", "")
        if not doc.is_file():
            bad(f"doc {e.get('doc')} missing")
            continue
        if doc.stem != path.stem:
            bad("doc and expected file names differ")
        raw = doc.read_bytes()
        gbk = b"charset=gb2312" in raw
        try:
            page = raw.decode("gb18030" if gbk else "utf-8")
        except UnicodeDecodeError as exc:
            bad(f"does not decode: {exc}")
            continue
        if ("-gbk-" in doc.name) != gbk:
            bad("GBK naming and charset declaration disagree")
        for ev in e["events"]:
            code = ev.get("credit_code")
            if code is not None and credit_code_valid(code) != ev.get("credit_code_valid"):
                bad(f"{code} marked {ev.get('credit_code_valid')}")
            if ev["kind"] not in KINDS:
                bad(f"event kind {ev['kind']}")
        if not STAMP.match(e["published_at"]):
            bad(f"published_at {e['published_at']}")

        # body text, and the form names are compared in
        if doc.suffix == ".txt":
            lines = page.splitlines()
            if not lines[1].startswith("發(fā)布時(shí)間:"):
                bad("line 2 is not the date line")
            paras = [l for l in lines[2:] if l != "分享到:"]
            plain = PINYIN.sub("", "\n".join(paras))
            if t2s is None:
                print(f"{path.name}: opencc missing, name checks skipped")
                continue
            body = t2s(plain)
            title_page = t2s(PINYIN.sub("", lines[0]))
            page_names = t2s(PINYIN.sub("", page))
            alias_text = plain
        else:
            attr, value = BODY[doc.name[:3]]
            p = _Body(attr, value)
            p.feed(page)
            body = "".join(p.parts)
            if not body.strip():
                bad("body element not found")
            title_page = page_names = page
            alias_text = body
        if e["title"] not in title_page:
            bad(f"title {e['title']!r} not in page")
        names = [o["name"] for o in e["organizations"]]
        for n in names:
            if n not in body:
                bad(f"organization {n} not in body")
        if len(set(names)) != len(names):
            bad("duplicate organizations")
        refs = ([m["org_name"] for m in e["memberships"]] + [m["federation_name"] for m in e["memberships"]]
                + [m["org_name"] for m in e["membership_ends"]] + [m["federation_name"] for m in e["membership_ends"]]
                + [g["org_name"] for g in e["grades"]] + [v["org_name"] for v in e["events"]]
                + [v["new_name"] for v in e["events"] if v["new_name"]] + [a["org_name"] for a in e["aliases"]])
        for r in refs:
            if r not in names:
                bad(f"{r} referred to but not in organizations")
        for m in e["memberships"]:
            if m["role"] not in ROLES or not DATE.match(m["valid_from"]):
                bad(f"membership {m}")
        for m in e["membership_ends"]:
            if m["wording"] not in body or not DATE.match(m["on"]):
                bad(f"membership end {m}")
        for c in e["counts"]:
            if c["wording"] not in body:
                bad(f"count wording {c['wording']!r} not in body")
        for a in e["aliases"]:
            if a["alias"] not in alias_text:
                bad(f"alias {a['alias']!r} not in body")
        for n in e["not_organizations"]:
            if n not in page_names:
                bad(f"not_organization {n!r} not in page")
            if n in names:
                bad(f"{n} is both an organization and a non-organization")
    if len(expected) != len(docs):
        problems.append(f"{len(expected)} expected files for {len(docs)} docs")
    for p in problems:
        print(p)
    print(f"{len(expected)} expected files, {len(docs)} docs, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
