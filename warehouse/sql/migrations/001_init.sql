-- 001: the statement log (system of record) and the history derived from it.
-- Tables live in schema `ledger`; analysts query the views in `main` (views.sql).
-- (CREATE SCHEMA ledger and ledger.schema_migrations are made by the migrator itself.)

CREATE TABLE ledger.runs (
    run_id          VARCHAR PRIMARY KEY,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    parser_version  VARCHAR NOT NULL,
    sources         VARCHAR[],
    summary         JSON
);

-- One row per page locator. article_id = sha256('article/v1|' || url): the URL never changes when
-- parsing improves. Body and title are kept both repaired and as on the page.
CREATE TABLE ledger.articles (
    article_id      VARCHAR PRIMARY KEY,
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

-- Immutable facts. statement_id = sha256(recipe | article | entity | prop | value | object | valid_from):
-- the same fact from the same article is one row however often it is loaded. Facts are never deleted;
-- a re-parse that no longer yields a fact marks it superseded.
--   prop 'profile'     entity=org, value=JSON {name, province, city, …}
--   prop 'alias'       entity=org, value=surface form
--   prop 'membership'  entity=org, object=federation, value=role
--   prop 'membership_end' entity=org, object=federation, value=wording (退出 …)
--   prop 'renamed'     entity=org (old name's id), object=new name's id, value=new name
--   prop 'founded' / 'registered' / 'deregistered' / 'revoked'  entity=org, value=ISO date
--   prop 'count_claim' entity=federation, value=JSON {wording, value, approximate, named, distinct, scope}
--   prop 'statistic'   entity='', value=JSON {wording, value, unit, region, as_of}
CREATE TABLE ledger.statements (
    statement_id    VARCHAR PRIMARY KEY,
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

-- Quality findings: inconsistencies in what a page says, and pages that could not be read or parsed.
CREATE TABLE ledger.findings (
    finding_id      VARCHAR PRIMARY KEY,
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

-- Derived from statements (rebuilt for the affected keys in the load's transaction).
CREATE TABLE ledger.org_versions (
    org_id          VARCHAR NOT NULL,
    name            VARCHAR NOT NULL,
    province        VARCHAR,
    city            VARCHAR,
    county          VARCHAR,
    division_code   VARCHAR,
    org_type        VARCHAR,
    level           VARCHAR,
    valid_from      DATE NOT NULL,
    valid_to        DATE,
    recorded_at     TIMESTAMPTZ NOT NULL,
    statement_id    VARCHAR NOT NULL,
    article_id      VARCHAR NOT NULL,
    article_urls    VARCHAR[] NOT NULL
);

CREATE TABLE ledger.membership_versions (
    org_id          VARCHAR NOT NULL,
    federation_id   VARCHAR NOT NULL,
    role            VARCHAR NOT NULL,
    valid_from      DATE NOT NULL,
    valid_to        DATE,
    recorded_at     TIMESTAMPTZ NOT NULL,
    statement_id    VARCHAR NOT NULL,
    article_id      VARCHAR NOT NULL,
    evidence        VARCHAR,
    article_urls    VARCHAR[] NOT NULL
);

-- Role precedence (filled from parsers.extract.ROLE_RANKS on every migrate): when one article gives an
-- organization two roles for the same date, the higher one is its role.
CREATE TABLE ledger.role_ranks (
    role            VARCHAR PRIMARY KEY,
    rank            INTEGER NOT NULL
);

-- Keys whose history the current load re-derives (filled and emptied inside the load's transaction).
CREATE TABLE ledger.affected_orgs (org_id VARCHAR NOT NULL);
CREATE TABLE ledger.affected_memberships (org_id VARCHAR NOT NULL, federation_id VARCHAR NOT NULL);

-- Small key/value facts about the warehouse itself (e.g. the fingerprint of the history definitions).
CREATE TABLE ledger.meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
