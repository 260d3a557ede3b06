"""Turn extractions into warehouse rows (pure). Ids are deterministic hashes of versioned recipes, so the
same fact from the same article is the same row however often, and in whatever order, it is loaded.

Props besides those documented in migrations/001_init.sql (views_orgs.sql reads them):
  'changed'         entity=org, value=ISO date stated or '' (变更登记 other than a rename), like 'registered'
  'registered_by'   entity=org, value=JSON {kind, authority}: the 登记管理机关 of the org's event of that kind
                    in this article (valid_from = the event's)
  'credit_code'     entity=org, value=统一社会信用代码 (only codes that pass both checks)
  'grade'           entity=org, value=evaluation grade ("5A"), valid_from = the date it was given
  'previous_grade'  entity=org, value=the grade before, when the text states it (由4A级降为3A级), same date
  'resolution'      entity=org, value=JSON {surface, method}: a surface form resolved to the org by more than
                    its full name (short_prefix, context_region, abbreviation, credit_code), evidence = sentence
An event whose date the text does not state has value '' and valid_from = the publish date (as before).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import zlib
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from parsers.model import Extraction, Finding

ARTICLE_RECIPE = "article/v1"
STATEMENT_RECIPE = "stmt/v1"
FINDING_RECIPE = "finding/v1"


def _digest(*parts: object) -> str:
    payload = "\x1f".join(["" if p is None else str(p) for p in parts])  # a list joins faster than a generator
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def article_id_for(url: str) -> str:
    return "art_" + _digest(ARTICLE_RECIPE, url)[:24]


# One encoder for every call: json.dumps with options builds a new JSONEncoder each time, about a
# quarter of canonical_json's cost (timeit, a profile dict: 3.3 vs 2.4 µs); a page has one per organization.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical_json(value: dict) -> str:
    return _CANONICAL.encode(value)


# Rows are NamedTuples, not frozen dataclasses: a frozen dataclass's __init__ sets each field through
# object.__setattr__, and a page makes dozens of rows (a profile and aliases per organization).
class StatementRow(NamedTuple):
    statement_id: str
    article_id: str
    entity_id: str
    prop: str
    value: str
    object_id: str
    valid_from: date | None
    evidence: str | None


class FindingRow(NamedTuple):
    finding_id: str
    article_url: str
    article_id: str | None
    kind: str
    detail: str
    evidence: str | None


def statement(article_id: str, entity_id: str, prop: str, value: str, object_id: str,
              valid_from: date | None, evidence: str | None) -> StatementRow:
    sid = "st_" + _digest(STATEMENT_RECIPE, article_id, entity_id, prop, value, object_id, valid_from)[:32]
    return StatementRow(sid, article_id, entity_id, prop, value, object_id, valid_from, evidence)


def finding_row(article_url: str, article_id: str | None, finding: Finding) -> FindingRow:
    fid = "qf_" + _digest(FINDING_RECIPE, article_url, finding.kind, finding.detail)[:32]
    return FindingRow(fid, article_url, article_id, finding.kind, finding.detail, finding.evidence or None)


def _first_dates(extraction: Extraction) -> dict[str, date]:
    """The earliest date the article ties each organization to (its founding, a membership it holds or
    grants), else the publish date: the organization's profile is valid from then."""
    published = extraction.article.published_at.date() if extraction.article.published_at else None
    dates: dict[str, list[date]] = {o.org_id: [published] if published else [] for o in extraction.organizations}
    for claim in extraction.claims:
        for org_id in (claim.org_id, claim.federation_id):
            if claim.valid_from:
                dates[org_id].append(claim.valid_from)
    for event in extraction.events:
        on = event.on or published
        if on:
            dates[event.org_id].append(on)
            if event.new_org_id:
                # The new name exists from the rename on, not before.
                dates[event.new_org_id] = [on]
    return {org_id: min(found) for org_id, found in dates.items() if found}


def profile_of(org) -> dict:
    return {
        "name": org.name, "province": org.province, "city": org.city, "county": org.county,
        "division_code": org.division_code, "org_type": org.org_type, "level": org.level,
    }


def statements_for(extraction: Extraction, article_id: str) -> list[StatementRow]:
    rows: dict[str, StatementRow] = {}

    def add(row: StatementRow) -> None:
        rows.setdefault(row.statement_id, row)  # first evidence in reading order wins

    first = _first_dates(extraction)
    renamed_from = {e.org_id for e in extraction.events if e.kind == "renamed"}
    for org in extraction.organizations:
        valid = first.get(org.org_id)
        # A name this article says was changed is kept as an alias, not asserted as the current profile.
        if org.org_id not in renamed_from:
            add(statement(article_id, org.org_id, "profile", canonical_json(profile_of(org)), "", valid, None))
        for alias in (org.name, *org.aliases):
            add(statement(article_id, org.org_id, "alias", alias, "", valid, None))
    for claim in extraction.claims:
        add(statement(article_id, claim.org_id, "membership", claim.role, claim.federation_id,
                      claim.valid_from, claim.evidence))
    for end in extraction.ends:
        add(statement(article_id, end.org_id, "membership_end", end.wording, end.federation_id, end.on,
                      end.evidence))
    published = extraction.article.published_at.date() if extraction.article.published_at else None
    for event in extraction.events:
        # Valid time: the date the text states, else the publish date (the value says which it was).
        valid = event.on or published
        if event.kind == "renamed":
            # Resolution: the new name's id resolves to this organization's id from now on.
            add(statement(article_id, event.org_id, "renamed", event.new_name, event.new_org_id, valid,
                          event.evidence))
        else:
            add(statement(article_id, event.org_id, event.kind, event.on.isoformat() if event.on else "", "",
                          valid, event.evidence))
        if event.authority:
            add(statement(article_id, event.org_id, "registered_by",
                          canonical_json({"kind": event.kind, "authority": event.authority}), "", valid,
                          event.evidence))
    for org_id, code, evidence in extraction.credit_codes:
        add(statement(article_id, org_id, "credit_code", code, "", first.get(org_id), evidence or None))
    for grade in extraction.grades:
        # Grade.on is None only when the text places the grade earlier without a day: no valid date then.
        add(statement(article_id, grade.org_id, "grade", grade.grade, "", grade.on, grade.evidence))
        if grade.previous_grade:
            add(statement(article_id, grade.org_id, "previous_grade", grade.previous_grade, "", grade.on,
                          grade.evidence))
    for resolution in extraction.resolutions:
        add(statement(article_id, resolution.org_id, "resolution",
                      canonical_json({"surface": resolution.surface, "method": resolution.method}), "",
                      first.get(resolution.org_id), resolution.evidence))
    by_name = {o.name: o.org_id for o in extraction.organizations}
    for count in extraction.counts:
        federation = count.scope.split(":")[1]
        value = {"wording": count.wording, "value": count.value, "approximate": count.approximate,
                 "named": count.named, "distinct": count.distinct, "scope": count.scope}
        add(statement(article_id, by_name.get(federation, ""), "count_claim", canonical_json(value), "",
                      first.get(by_name.get(federation, "")), count.evidence))
    for stat in extraction.statistics:
        value = {"wording": stat.wording, "value": stat.value, "unit": stat.unit, "region": stat.region,
                 "as_of": stat.as_of}
        add(statement(article_id, "", "statistic", canonical_json(value), "", published, stat.evidence))
    return list(rows.values())


ARTICLE_COLUMNS = ("article_id", "url", "title", "title_original", "published_at", "source_name", "body",
                   "body_original", "content_hash", "encoding", "profile")


@dataclass
class StagedRows:
    """A batch's warehouse rows as columns (name -> list of values), ready for the stage's inserts
    (as Arrow arrays, warehouse/arrow.py). Built where the pages are parsed (a worker process, say),
    so the single writer only copies columns; plain lists pickle cheaply between processes."""

    articles: dict[str, list] = field(default_factory=dict)
    statements: dict[str, list] = field(default_factory=dict)
    findings: dict[str, list] = field(default_factory=dict)
    articles_read: int = 0
    articles_failed: int = 0

    @classmethod
    def concat(cls, parts: list[StagedRows]) -> StagedRows:
        """The rows of several batches of distinct pages as one (columns appended in order). Rows of
        distinct pages never share an id: every id is derived from the page's URL (rows_for)."""
        if len(parts) == 1:
            return parts[0]
        return cls(articles=_concat([p.articles for p in parts]), statements=_concat([p.statements for p in parts]),
                   findings=_concat([p.findings for p in parts]),
                   articles_read=sum(p.articles_read for p in parts),
                   articles_failed=sum(p.articles_failed for p in parts))


def _concat(tables: list[dict[str, list]]) -> dict[str, list]:
    tables = [t for t in tables if t]
    if not tables:
        return {}
    return {name: [value for t in tables for value in t[name]] for name in tables[0]}


@dataclass(frozen=True)
class PackedRows:
    """A batch's StagedRows as one compressed pickle, made where the batch was parsed.

    The flow's ``parse-batch`` result is persisted (it is the parse cache), and Prefect's pickle serializer
    cloudpickles the result, base64-encodes it and writes it inside a JSON record, all in the flow's
    process, the warehouse's single writer: for a 10,000-page run about 120 MB of rows and 4 s of that
    process's time. Packed by the worker (zlib level 1: 0.08 s and 12 → 2.8 MB per 1,000 pages), the
    result is a bytes object that the flow's process only copies, and the cache on disk is 4× smaller.

    A batch that several workers parsed in parts is one blob per part (``join``); it unpacks as one."""

    blobs: tuple[bytes, ...]

    @classmethod
    def pack(cls, rows: StagedRows) -> PackedRows:
        return cls((zlib.compress(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL), 1),))

    @classmethod
    def join(cls, parts: list[PackedRows]) -> PackedRows:
        """The parts' rows as one batch's (the parts' pages must be distinct, see StagedRows.concat)."""
        return cls(tuple(blob for part in parts for blob in part.blobs))

    def unpack(self) -> StagedRows:
        return StagedRows.concat([pickle.loads(zlib.decompress(blob)) for blob in self.blobs])


def rows_for(extractions: list[Extraction], failures=()) -> StagedRows:
    """Warehouse rows of parsed pages and of pages that failed (objects with url, kind, detail)."""
    articles: dict[str, list] = {name: [] for name in ARTICLE_COLUMNS}
    statements: dict[str, StatementRow] = {}
    findings: dict[str, FindingRow] = {}
    for extraction in extractions:
        a = extraction.article
        article_id = article_id_for(a.url)
        for name, value in zip(ARTICLE_COLUMNS, (
            article_id, a.url, a.title, a.title_original, a.published_at, a.source_name, a.body,
            "\n".join(a.paragraphs_original), a.content_hash, a.encoding, a.profile,
        ), strict=True):
            articles[name].append(value)
        for row in statements_for(extraction, article_id):
            statements.setdefault(row.statement_id, row)
        for finding in extraction.findings:
            row = finding_row(a.url, article_id, finding)
            findings.setdefault(row.finding_id, row)
    for failure in failures:
        row = finding_row(failure.url, None, Finding(failure.kind, failure.detail))
        findings.setdefault(row.finding_id, row)
    return StagedRows(articles=articles if articles["article_id"] else {},
                      statements=_columns(statements.values(), StatementRow),
                      findings=_columns(findings.values(), FindingRow),
                      articles_read=len(extractions), articles_failed=len(failures))


def _columns(rows, cls) -> dict[str, list]:
    rows = list(rows)
    if not rows:
        return {}
    return {name: list(column) for name, column in zip(cls._fields, zip(*rows), strict=True)}
