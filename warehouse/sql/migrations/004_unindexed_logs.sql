-- 004: the growing tables lose their PRIMARY KEYs. DuckDB backs a key with an ART index that must fit
-- in memory and that a transaction's inserts build in memory too: a 100,000-page first load
-- (4.8 million statements) needed more than 4 GB for it, and the need grows with the warehouse.
-- Uniqueness is kept by the load instead, which inserts only ids not yet stored (anti-joins, which
-- spill to disk), and is verified by `orgledger check` (checks.sql, unique_ids).
-- DuckDB cannot drop a constraint, so each table is rebuilt under its own name, rows unchanged.

CREATE TABLE ledger.articles_004 (
    article_id      VARCHAR NOT NULL,
    url             VARCHAR NOT NULL,
    title           VARCHAR,
    title_original  VARCHAR,
    published_at    TIMESTAMPTZ,
    source_name     VARCHAR,
    body            VARCHAR,
    body_original   VARCHAR,
    content_hash    VARCHAR NOT NULL,
    encoding        VARCHAR,
    profile         VARCHAR,
    parser_version  VARCHAR NOT NULL,
    first_recorded  TIMESTAMPTZ NOT NULL,
    last_recorded   TIMESTAMPTZ NOT NULL,
    last_run_id     VARCHAR NOT NULL
);
INSERT INTO ledger.articles_004 SELECT * FROM ledger.articles;
DROP TABLE ledger.articles;
ALTER TABLE ledger.articles_004 RENAME TO articles;

CREATE TABLE ledger.statements_004 (
    statement_id    VARCHAR NOT NULL,
    recipe          VARCHAR NOT NULL,
    article_id      VARCHAR NOT NULL,
    entity_id       VARCHAR NOT NULL,
    prop            VARCHAR NOT NULL,
    value           VARCHAR NOT NULL,
    object_id       VARCHAR NOT NULL,
    valid_from      DATE,
    evidence        VARCHAR,
    parser_version  VARCHAR NOT NULL,
    first_recorded  TIMESTAMPTZ NOT NULL,
    last_recorded   TIMESTAMPTZ NOT NULL,
    superseded_at   TIMESTAMPTZ,
    first_run_id    VARCHAR NOT NULL
);
INSERT INTO ledger.statements_004 SELECT * FROM ledger.statements;
DROP TABLE ledger.statements;
ALTER TABLE ledger.statements_004 RENAME TO statements;

CREATE TABLE ledger.findings_004 (
    finding_id      VARCHAR NOT NULL,
    article_url     VARCHAR NOT NULL,
    article_id      VARCHAR,
    kind            VARCHAR NOT NULL,
    detail          VARCHAR NOT NULL,
    evidence        VARCHAR,
    parser_version  VARCHAR NOT NULL,
    first_recorded  TIMESTAMPTZ NOT NULL,
    last_recorded   TIMESTAMPTZ NOT NULL,
    superseded_at   TIMESTAMPTZ,
    first_run_id    VARCHAR NOT NULL
);
INSERT INTO ledger.findings_004 SELECT * FROM ledger.findings;
DROP TABLE ledger.findings;
ALTER TABLE ledger.findings_004 RENAME TO findings;

CREATE TABLE ledger.fetches_004 (
    fetch_id        VARCHAR NOT NULL,     -- sha256 over run, url, kind, fetched_at
    run_id          VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,     -- article | listing | robots
    url             VARCHAR NOT NULL,     -- as requested
    final_url       VARCHAR,              -- after redirects
    outcome         VARCHAR NOT NULL,     -- ok | not_modified | robots_disallowed | http_error | timeout | …
    status          INTEGER,
    attempts        INTEGER NOT NULL,
    content_type    VARCHAR,
    etag            VARCHAR,
    last_modified   VARCHAR,
    bytes           BIGINT,
    body_sha256     VARCHAR,              -- the archived body (archive/bodies/…)
    fetched_at      TIMESTAMPTZ NOT NULL,
    elapsed_ms      INTEGER NOT NULL,
    detail          VARCHAR NOT NULL
);
INSERT INTO ledger.fetches_004 SELECT * FROM ledger.fetches;
DROP TABLE ledger.fetches;
ALTER TABLE ledger.fetches_004 RENAME TO fetches;

CREATE TABLE ledger.source_files_004 (
    url             VARCHAR NOT NULL,     -- file:// URI, as ledger.articles.url
    size            BIGINT NOT NULL,
    mtime_ns        BIGINT NOT NULL,
    content_hash    VARCHAR NOT NULL,     -- sha256 of the bytes read then
    recorded_at     TIMESTAMPTZ NOT NULL
);
INSERT INTO ledger.source_files_004 SELECT * FROM ledger.source_files;
DROP TABLE ledger.source_files;
ALTER TABLE ledger.source_files_004 RENAME TO source_files;
