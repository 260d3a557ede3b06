"""Turn extractions into warehouse rows (pure). Ids are deterministic hashes of versioned recipes, so the
same fact from the same article is the same row however often, and in whatever order, it is loaded."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from parsers.model import Extraction, Finding

ARTICLE_RECIPE = "article/v1"
STATEMENT_RECIPE = "stmt/v1"
FINDING_RECIPE = "finding/v1"


def _digest(*parts: object) -> str:
    payload = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def article_id_for(url: str) -> str:
    return "art_" + _digest(ARTICLE_RECIPE, url)[:24]


def canonical_json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class StatementRow:
    statement_id: str
    article_id: str
    entity_id: str
    prop: str
    value: str
    object_id: str
    valid_from: date | None
    evidence: str | None


@dataclass(frozen=True)
class FindingRow:
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
        if event.on:
            dates[event.org_id].append(event.on)
            if event.new_org_id:
                # The new name exists from the rename on, not before.
                dates[event.new_org_id] = [event.on]
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
    for event in extraction.events:
        if event.kind == "renamed":
            # Resolution: the new name's id resolves to this organization's id from now on.
            add(statement(article_id, event.org_id, "renamed", event.new_name, event.new_org_id, event.on,
                          event.evidence))
        else:
            add(statement(article_id, event.org_id, event.kind, event.on.isoformat() if event.on else "", "",
                          event.on, event.evidence))
    by_name = {o.name: o.org_id for o in extraction.organizations}
    for count in extraction.counts:
        federation = count.scope.split(":")[1]
        value = {"wording": count.wording, "value": count.value, "approximate": count.approximate,
                 "named": count.named, "distinct": count.distinct, "scope": count.scope}
        add(statement(article_id, by_name.get(federation, ""), "count_claim", canonical_json(value), "",
                      first.get(by_name.get(federation, "")), count.evidence))
    published = extraction.article.published_at.date() if extraction.article.published_at else None
    for stat in extraction.statistics:
        value = {"wording": stat.wording, "value": stat.value, "unit": stat.unit, "region": stat.region,
                 "as_of": stat.as_of}
        add(statement(article_id, "", "statistic", canonical_json(value), "", published, stat.evidence))
    return list(rows.values())
