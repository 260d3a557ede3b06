"""Measure extraction against the hand-written evaluation set (``tests/eval``): precision, recall and F1.

Each document there has an expected record (``expected/NNN.json``, format in ``tests/eval/README.md``).
The program's output is put into the same shape (:func:`predicted_record`), then every metric compares
two sets of items (:func:`score_document`, pure). Scores are micro-averaged over the documents, so a
long member list weighs more than a one-line notice, as it does for anyone using the data.

    python -m parsers.evaluate [FOLDER] [--verbose]

Metrics (item = what must match exactly):

* organizations: canonical name;  regions: (province, city, county) of each organization found by both;
* memberships: (organization, role, federation), and with ``valid_from``; ends: (organization, federation);
* grades: (organization, grade, previous grade), and with the date;
* events: (organization, kind, new name), with the date, and with the registration authority;
* credit codes: (organization, code, valid) — an invalid code must surface as a quality finding;
* counts: (value, approximate) as a multiset;  aliases: (organization, surface form);
* non-organizations: expected ``not_organizations`` that the program still reported as organizations.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .model import Extraction

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "tests" / "eval"

# Order of the rows in the printed table.
METRICS = (
    "organizations",
    "regions",
    "memberships",
    "memberships+date",
    "membership_ends",
    "membership_ends+date",
    "grades",
    "grades+date",
    "events",
    "events+date",
    "events+authority",
    "credit_codes",
    "counts",
    "aliases",
    "title",
    "published_at",
)
_INVALID_CODE = re.compile(r"“([0-9A-Z]{18})” of (\S+?): ")


@dataclass(frozen=True)
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        # Nothing predicted and nothing expected is perfect, not undefined.
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class DocScore:
    doc: str
    tallies: dict[str, Tally] = field(default_factory=dict)
    missed: dict[str, list] = field(default_factory=dict)  # expected, not produced
    spurious: dict[str, list] = field(default_factory=dict)  # produced, not expected
    leaked: list[str] = field(default_factory=list)  # not_organizations reported as organizations


@dataclass
class Report:
    documents: list[DocScore]
    listed_non_organizations: int = 0

    def total(self, metric: str) -> Tally:
        total = Tally()
        for doc in self.documents:
            total += doc.tallies.get(metric, Tally())
        return total

    @property
    def non_organizations(self) -> tuple[int, int]:
        """(leaked, listed): how many listed non-organizations were still reported as organizations."""
        return sum(len(d.leaked) for d in self.documents), self.listed_non_organizations

    def figures(self) -> dict[str, tuple[float, float]]:
        """metric -> (precision, recall), rounded to three places as printed."""
        return {m: (round(self.total(m).precision, 3), round(self.total(m).recall, 3)) for m in METRICS}


def _iso_date(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def predicted_record(extraction: Extraction) -> dict:
    """The program's output in the expected records' shape (only the keys that are scored)."""
    a = extraction.article
    valid_codes = []
    for e in extraction.events:
        code = getattr(e, "credit_code", None)
        if code:
            valid_codes.append({"org_name": e.org_name, "credit_code": code, "credit_code_valid": True})
    for finding in extraction.findings:
        if finding.kind == "invalid_credit_code":
            m = _INVALID_CODE.search(finding.detail)
            if m:
                valid_codes.append({"org_name": m.group(2), "credit_code": m.group(1), "credit_code_valid": False})
    return {
        "title": a.title,
        "published_at": a.published_at.isoformat() if a.published_at else None,
        "organizations": [{"name": o.name, "province": o.province, "city": o.city, "county": o.county}
                          for o in extraction.organizations],
        "memberships": [{"org_name": c.org_name, "role": c.role, "federation_name": c.federation_name,
                         "valid_from": _iso_date(c.valid_from)} for c in extraction.claims],
        "membership_ends": [{"org_name": e.org_name, "federation_name": e.federation_name, "on": _iso_date(e.on),
                             "wording": e.wording} for e in extraction.ends],
        "grades": [{"org_name": g.org_name, "grade": g.grade, "previous_grade": g.previous_grade,
                    "on": _iso_date(g.on)} for g in getattr(extraction, "grades", [])],
        "events": [{"org_name": e.org_name, "kind": e.kind, "on": _iso_date(e.on), "new_name": e.new_name,
                    "authority": getattr(e, "authority", None)} for e in extraction.events],
        "credit_codes": valid_codes,
        "counts": [{"wording": c.wording, "value": c.value, "approximate": c.approximate}
                   for c in extraction.counts],
        "aliases": [{"org_name": o.name, "alias": alias} for o in extraction.organizations for alias in o.aliases],
    }


def _items(record: dict, metric: str) -> Counter:
    """The items one metric compares, as a multiset (sets have count 1)."""
    if metric == "organizations":
        return Counter({o["name"]: 1 for o in record["organizations"]})
    if metric == "memberships":
        return Counter({(m["org_name"], m["role"], m["federation_name"]): 1 for m in record["memberships"]})
    if metric == "memberships+date":
        return Counter({(m["org_name"], m["role"], m["federation_name"], m["valid_from"]): 1
                        for m in record["memberships"]})
    if metric == "membership_ends":
        return Counter({(m["org_name"], m["federation_name"]): 1 for m in record["membership_ends"]})
    if metric == "membership_ends+date":
        return Counter({(m["org_name"], m["federation_name"], m["on"]): 1 for m in record["membership_ends"]})
    if metric == "grades":
        return Counter({(g["org_name"], g["grade"], g["previous_grade"]): 1 for g in record["grades"]})
    if metric == "grades+date":
        return Counter({(g["org_name"], g["grade"], g["previous_grade"], g["on"]): 1 for g in record["grades"]})
    if metric == "events":
        return Counter({(e["org_name"], e["kind"], e["new_name"]): 1 for e in record["events"]})
    if metric == "events+date":
        return Counter({(e["org_name"], e["kind"], e["new_name"], e["on"]): 1 for e in record["events"]})
    if metric == "events+authority":
        # Only events that have an authority to state (registration-type events from a 登记管理机关).
        return Counter({(e["org_name"], e["kind"], e["authority"]): 1 for e in record["events"] if e["authority"]})
    if metric == "credit_codes":
        codes = record.get("credit_codes")
        if codes is None:  # an expected record: the codes sit in its events
            codes = [e for e in record["events"] if e.get("credit_code")]
        return Counter({(c["org_name"], c["credit_code"], c["credit_code_valid"]): 1 for c in codes})
    if metric == "counts":
        # Wording only locates a claim; value and approximateness are what must be right.
        return Counter((c["value"], c["approximate"]) for c in record["counts"])
    if metric == "aliases":
        return Counter({(a["org_name"], a["alias"]): 1 for a in record["aliases"]})
    raise KeyError(metric)


def _compare(expected: Counter, predicted: Counter) -> tuple[Tally, list, list]:
    common = expected & predicted
    missed = expected - predicted
    spurious = predicted - expected
    tp = sum(common.values())
    return Tally(tp, sum(spurious.values()), sum(missed.values())), sorted(missed.elements(), key=str), \
        sorted(spurious.elements(), key=str)


def score_document(expected: dict, predicted: dict) -> DocScore:
    """Compare one expected record with the program's record (both in the expected format). Pure."""
    score = DocScore(expected.get("doc", ""))
    for metric in METRICS:
        if metric == "regions":
            want = {o["name"]: (o["province"], o["city"], o["county"]) for o in expected["organizations"]}
            got = {o["name"]: (o["province"], o["city"], o["county"]) for o in predicted["organizations"]}
            both = sorted(set(want) & set(got))
            tally, missed, spurious = _compare(Counter({(n, want[n]): 1 for n in both}),
                                               Counter({(n, got[n]): 1 for n in both}))
        elif metric in ("title", "published_at"):
            want, got = expected[metric], predicted[metric]
            ok = want == got
            tally = Tally(int(ok), int(not ok and got is not None), int(not ok))
            missed = [] if ok else [want]
            spurious = [] if ok or got is None else [got]
        else:
            tally, missed, spurious = _compare(_items(expected, metric), _items(predicted, metric))
        score.tallies[metric] = tally
        if missed:
            score.missed[metric] = missed
        if spurious:
            score.spurious[metric] = spurious
    names = {o["name"] for o in predicted["organizations"]}
    score.leaked = [n for n in expected.get("not_organizations", []) if n in names]
    return score


def evaluate(pairs: list[tuple[dict, dict]]) -> Report:
    """Score (expected, predicted) record pairs. Pure."""
    return Report([score_document(e, p) for e, p in pairs],
                  sum(len(e.get("not_organizations", [])) for e, _ in pairs))


def format_table(report: Report) -> str:
    lines = [f"{'metric':<22}{'precision':>10}{'recall':>8}{'F1':>7}{'tp':>6}{'fp':>5}{'fn':>5}"]
    for metric in METRICS:
        t = report.total(metric)
        lines.append(f"{metric:<22}{t.precision:>10.3f}{t.recall:>8.3f}{t.f1:>7.3f}{t.tp:>6}{t.fp:>5}{t.fn:>5}")
    leaked, listed = report.non_organizations
    lines.append(f"non-organizations kept as organizations: {leaked} of {listed} listed")
    lines.append(f"documents: {len(report.documents)}")
    return "\n".join(lines)


def format_misses(report: Report) -> str:
    lines = []
    for doc in report.documents:
        if not (doc.missed or doc.spurious or doc.leaked):
            continue
        lines.append(f"== {doc.doc}")
        for metric in METRICS:
            for item in doc.missed.get(metric, []):
                lines.append(f"  missed   {metric:<20} {item}")
            for item in doc.spurious.get(metric, []):
                lines.append(f"  spurious {metric:<20} {item}")
        for name in doc.leaked:
            lines.append(f"  non-organization kept: {name}")
    return "\n".join(lines)


def run_folder(folder: Path, profiles=None) -> list[tuple[dict, dict]]:
    """(expected, predicted) for every expected record in ``folder/expected``. Reads files."""
    from .article import parse_page
    from .extract import extract

    if profiles is None:
        profiles = _profiles()
    pairs = []
    for path in sorted((folder / "expected").glob("*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        doc = folder / "docs" / expected["doc"]
        article = parse_page(doc.read_bytes(), source=str(doc), url=doc.resolve().as_uri(), profiles=profiles)
        pairs.append((expected, predicted_record(extract(article))))
    return pairs


def _profiles():
    """The configured site profiles (one eval document uses a profiled site's layout)."""
    from flows.settings import load_settings

    return load_settings().profiles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="orgledger eval", description="precision and recall of extraction "
                                     "against hand-written expected records")
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER),
                        help="folder with docs/ and expected/ (default: tests/eval)")
    parser.add_argument("--verbose", "-v", action="store_true", help="also list each document's misses")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if not (folder / "expected").is_dir():
        print(f"{folder}: no expected/ folder", file=sys.stderr)
        return 2
    report = evaluate(run_folder(folder))
    print(format_table(report))
    if args.verbose:
        misses = format_misses(report)
        if misses:
            print()
            print(misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
