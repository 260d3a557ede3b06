"""Write one run's extractions into the warehouse: stage, upsert the log, re-derive history for the keys
the load touched, all in one transaction. Set-based: rows go in as column lists, never one by one."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb

from parsers import PARSER_VERSION
from parsers.model import Extraction, Finding

from .queries import run
from .records import (
    STATEMENT_RECIPE,
    FindingRow,
    StatementRow,
    article_id_for,
    finding_row,
    statements_for,
)

LOAD_SQL = "load.sql"


@dataclass
class Failure:
    """A source that could not be read or parsed; recorded as a quality finding."""

    url: str
    kind: str  # read_error | parse_error
    detail: str


@dataclass
class LoadSummary:
    run_id: str
    articles_read: int = 0
    articles_failed: int = 0
    orgs_new: int = 0
    orgs_changed: int = 0
    orgs_unchanged: int = 0
    memberships_changed: int = 0
    statements_new: int = 0
    findings: int = 0
    finding_kinds: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _columns(rows, names) -> dict[str, list]:
    return {name: [getattr(r, name) for r in rows] for name in names}


def load_extractions(
    con: duckdb.DuckDBPyConnection,
    extractions: list[Extraction],
    failures: list[Failure] = (),
    *,
    sources: list[str] = (),
    run_id: str | None = None,
    now: datetime | None = None,
) -> LoadSummary:
    """Load a run's results in one transaction. On any error nothing of this run is kept."""
    run_id = run_id or uuid.uuid4().hex
    now = now or datetime.now(timezone.utc)
    articles, statements, findings = _rows(extractions, failures)
    params = {"now": now, "run_id": run_id, "parser_version": PARSER_VERSION, "recipe": STATEMENT_RECIPE}
    summary = LoadSummary(run_id=run_id, articles_read=len(extractions), articles_failed=len(failures))

    con.execute("BEGIN TRANSACTION")
    try:
        run(con, LOAD_SQL, "create_stage")
        if articles["article_id"]:
            run(con, LOAD_SQL, "stage_articles", articles)
        if statements["statement_id"]:
            run(con, LOAD_SQL, "stage_statements", statements)
        if findings["finding_id"]:
            run(con, LOAD_SQL, "stage_findings", findings)
        before = con.execute("SELECT count(*) FROM ledger.statements").fetchone()[0]
        for step in ("upsert_articles", "supersede_statements", "insert_statements", "reassert_statements",
                     "supersede_findings", "insert_findings", "reassert_findings"):
            run(con, LOAD_SQL, step, params)
        summary.statements_new = con.execute("SELECT count(*) FROM ledger.statements").fetchone()[0] - before
        # A rename changes who is who: then every key is re-derived, else only the touched ones.
        renamed = run(con, LOAD_SQL, "renames_touched", params).fetchone()[0]
        run(con, LOAD_SQL, "affect_everything" if renamed else "affected_keys", params)
        run(con, LOAD_SQL, "snapshot_before", params)
        run(con, LOAD_SQL, "derive_versions", params)
        summary.orgs_new, summary.orgs_changed, summary.memberships_changed = run(
            con, LOAD_SQL, "change_counts", params
        ).fetchone()
        run(con, LOAD_SQL, "clear_affected", params)
        mentioned = {o.org_id for e in extractions for o in e.organizations}
        summary.orgs_unchanged = len(mentioned) - summary.orgs_new - summary.orgs_changed
        summary.findings = len(findings["finding_id"])
        for kind in findings["kind"]:
            summary.finding_kinds[kind] = summary.finding_kinds.get(kind, 0) + 1
        run(con, LOAD_SQL, "record_run", {
            **params, "started_at": now, "sources": list(sources), "summary": json.dumps(summary.as_dict()),
        })
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return summary


_ARTICLE_COLUMNS = ("article_id", "url", "title", "title_original", "published_at", "source_name", "body",
                    "body_original", "content_hash", "encoding", "profile")


def _rows(extractions: list[Extraction], failures: list[Failure]):
    articles = {name: [] for name in _ARTICLE_COLUMNS}
    statement_rows: dict[str, StatementRow] = {}
    finding_rows: dict[str, FindingRow] = {}
    seen_articles = set()
    for extraction in extractions:
        a = extraction.article
        article_id = article_id_for(a.url)
        if article_id in seen_articles:  # the same page given twice in one run
            continue
        seen_articles.add(article_id)
        for name, value in (
            ("article_id", article_id), ("url", a.url), ("title", a.title), ("title_original", a.title_original),
            ("published_at", a.published_at), ("source_name", a.source_name), ("body", a.body),
            ("body_original", "\n".join(a.paragraphs_original)), ("content_hash", a.content_hash),
            ("encoding", a.encoding), ("profile", a.profile),
        ):
            articles[name].append(value)
        for row in statements_for(extraction, article_id):
            statement_rows.setdefault(row.statement_id, row)
        for finding in extraction.findings:
            row = finding_row(a.url, article_id, finding)
            finding_rows.setdefault(row.finding_id, row)
    for failure in failures:
        row = finding_row(failure.url, None, Finding(failure.kind, failure.detail))
        finding_rows.setdefault(row.finding_id, row)
    statements = _columns(statement_rows.values(), StatementRow.__dataclass_fields__)
    findings = _columns(finding_rows.values(), FindingRow.__dataclass_fields__)
    return articles, statements, findings
