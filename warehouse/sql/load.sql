-- Named statements used by warehouse/load.py, run in one transaction per load.
-- Parameters are DuckDB named parameters ($name); values are never formatted into SQL.

-- name: create_stage
CREATE OR REPLACE TEMP TABLE stage_articles (
    article_id VARCHAR, url VARCHAR, title VARCHAR, title_original VARCHAR, published_at TIMESTAMPTZ,
    source_name VARCHAR, body VARCHAR, body_original VARCHAR, content_hash VARCHAR, encoding VARCHAR,
    profile VARCHAR
);
CREATE OR REPLACE TEMP TABLE stage_statements (
    statement_id VARCHAR, article_id VARCHAR, entity_id VARCHAR, prop VARCHAR, value VARCHAR,
    object_id VARCHAR, valid_from DATE, evidence VARCHAR
);
CREATE OR REPLACE TEMP TABLE stage_findings (
    finding_id VARCHAR, article_url VARCHAR, article_id VARCHAR, kind VARCHAR, detail VARCHAR, evidence VARCHAR
);

-- name: stage_articles
INSERT INTO stage_articles
SELECT unnest($article_id::VARCHAR[]), unnest($url::VARCHAR[]), unnest($title::VARCHAR[]),
       unnest($title_original::VARCHAR[]), unnest($published_at::TIMESTAMPTZ[]), unnest($source_name::VARCHAR[]),
       unnest($body::VARCHAR[]), unnest($body_original::VARCHAR[]), unnest($content_hash::VARCHAR[]),
       unnest($encoding::VARCHAR[]), unnest($profile::VARCHAR[]);

-- name: stage_statements
INSERT INTO stage_statements
SELECT unnest($statement_id::VARCHAR[]), unnest($article_id::VARCHAR[]), unnest($entity_id::VARCHAR[]),
       unnest($prop::VARCHAR[]), unnest($value::VARCHAR[]), unnest($object_id::VARCHAR[]),
       unnest($valid_from::DATE[]), unnest($evidence::VARCHAR[]);

-- name: stage_findings
INSERT INTO stage_findings
SELECT unnest($finding_id::VARCHAR[]), unnest($article_url::VARCHAR[]), unnest($article_id::VARCHAR[]),
       unnest($kind::VARCHAR[]), unnest($detail::VARCHAR[]), unnest($evidence::VARCHAR[]);

-- name: upsert_articles
-- New pages are inserted; a known page is rewritten only when its content or the parser changed.
UPDATE ledger.articles AS a
SET title = s.title, title_original = s.title_original, published_at = s.published_at,
    source_name = s.source_name, body = s.body, body_original = s.body_original,
    content_hash = s.content_hash, encoding = s.encoding, profile = s.profile,
    parser_version = $parser_version, last_recorded = $now, last_run_id = $run_id
FROM stage_articles s
WHERE a.article_id = s.article_id
  AND (a.content_hash <> s.content_hash OR a.parser_version <> $parser_version);
INSERT INTO ledger.articles
SELECT s.article_id, s.url, s.title, s.title_original, s.published_at, s.source_name, s.body,
       s.body_original, s.content_hash, s.encoding, s.profile, $parser_version, $now, $now, $run_id
FROM stage_articles s
WHERE s.article_id NOT IN (SELECT article_id FROM ledger.articles);

-- name: supersede_statements
-- A statement an article no longer yields (page changed, parser improved) is superseded, not deleted.
UPDATE ledger.statements
SET superseded_at = $now
WHERE superseded_at IS NULL
  AND article_id IN (SELECT article_id FROM stage_articles)
  AND statement_id NOT IN (SELECT statement_id FROM stage_statements);

-- name: insert_statements
INSERT INTO ledger.statements
SELECT s.statement_id, $recipe, s.article_id, s.entity_id, s.prop, s.value, s.object_id, s.valid_from,
       s.evidence, $parser_version, $now, $now, NULL, $run_id
FROM stage_statements s
WHERE s.statement_id NOT IN (SELECT statement_id FROM ledger.statements);

-- name: reassert_statements
-- Seen again: note when, and revive one that an intermediate parse had superseded.
UPDATE ledger.statements AS t
SET last_recorded = $now, superseded_at = NULL, parser_version = $parser_version
FROM stage_statements s
WHERE t.statement_id = s.statement_id
  AND (t.superseded_at IS NOT NULL OR t.parser_version <> $parser_version);

-- name: supersede_findings
UPDATE ledger.findings
SET superseded_at = $now
WHERE superseded_at IS NULL
  AND article_url IN (SELECT url FROM stage_articles UNION SELECT article_url FROM stage_findings)
  AND finding_id NOT IN (SELECT finding_id FROM stage_findings);

-- name: insert_findings
INSERT INTO ledger.findings
SELECT s.finding_id, s.article_url, s.article_id, s.kind, s.detail, s.evidence, $parser_version,
       $now, $now, NULL, $run_id
FROM stage_findings s
WHERE s.finding_id NOT IN (SELECT finding_id FROM ledger.findings);

-- name: reassert_findings
UPDATE ledger.findings AS t
SET last_recorded = $now, superseded_at = NULL
FROM stage_findings s
WHERE t.finding_id = s.finding_id AND t.superseded_at IS NOT NULL;

-- name: affected_keys
-- Every history key whose statements this load touched (new, superseded or revived).
CREATE OR REPLACE TEMP TABLE affected_orgs AS
SELECT DISTINCT entity_id AS org_id FROM ledger.statements
WHERE prop = 'profile' AND (last_recorded = $now OR superseded_at = $now);
CREATE OR REPLACE TEMP TABLE affected_memberships AS
SELECT DISTINCT entity_id AS org_id, object_id AS federation_id FROM ledger.statements
WHERE prop = 'membership' AND (last_recorded = $now OR superseded_at = $now);

-- name: snapshot_before
CREATE OR REPLACE TEMP TABLE org_before AS
SELECT org_id, md5(string_agg(concat_ws('|', name, province, city, county, org_type, level, valid_from, valid_to), '#'
                               ORDER BY valid_from)) AS fingerprint
FROM ledger.org_versions WHERE org_id IN (SELECT org_id FROM affected_orgs) GROUP BY org_id;
CREATE OR REPLACE TEMP TABLE membership_before AS
SELECT org_id, federation_id, md5(string_agg(concat_ws('|', role, valid_from, valid_to), '#' ORDER BY valid_from)) AS fingerprint
FROM ledger.membership_versions m
WHERE EXISTS (SELECT 1 FROM affected_memberships k WHERE k.org_id = m.org_id AND k.federation_id = m.federation_id)
GROUP BY org_id, federation_id;

-- name: derive_org_versions
-- Versions of each affected organization, from its live 'profile' statements ordered by valid date.
-- Same inputs, same output, whatever order the articles arrived in: ties are broken by the article's
-- publish time and URL, never by load time.
DELETE FROM ledger.org_versions WHERE org_id IN (SELECT org_id FROM affected_orgs);
INSERT INTO ledger.org_versions
WITH s AS (
    SELECT st.entity_id AS org_id, st.value, st.valid_from, st.statement_id, st.article_id, st.first_recorded,
           a.published_at, a.url
    FROM ledger.statements st
    JOIN ledger.articles a USING (article_id)
    WHERE st.prop = 'profile' AND st.superseded_at IS NULL AND st.valid_from IS NOT NULL
      AND st.entity_id IN (SELECT org_id FROM affected_orgs)
),
ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY org_id, valid_from ORDER BY published_at DESC NULLS LAST, url, statement_id) AS rn,
           min(first_recorded) OVER (PARTITION BY org_id, valid_from, value) AS value_recorded
    FROM s
),
winners AS (SELECT * FROM ranked WHERE rn = 1),
starts AS (
    SELECT *, value IS DISTINCT FROM lag(value) OVER (PARTITION BY org_id ORDER BY valid_from) AS is_start
    FROM winners
),
versions AS (
    SELECT *, lead(valid_from) OVER (PARTITION BY org_id ORDER BY valid_from) AS next_start
    FROM starts WHERE is_start
)
SELECT org_id, value ->> 'name', value ->> 'province', value ->> 'city', value ->> 'county',
       value ->> 'division_code', value ->> 'org_type', value ->> 'level',
       valid_from, next_start, value_recorded, statement_id, article_id
FROM versions;

-- name: derive_membership_versions
-- Versions of each affected (organization, federation) pair. For one date the highest-ranked role wins
-- (宁波市网络文化协会 listed as both 理事单位 and 会员单位 on 2018-05-09 is a 理事单位); both statements
-- stay in the log with their evidence.
DELETE FROM ledger.membership_versions m
WHERE EXISTS (SELECT 1 FROM affected_memberships k WHERE k.org_id = m.org_id AND k.federation_id = m.federation_id);
INSERT INTO ledger.membership_versions
WITH s AS (
    SELECT st.entity_id AS org_id, st.object_id AS federation_id, st.value AS role, st.valid_from,
           coalesce(r.rank, 0) AS rank, st.statement_id, st.article_id, st.evidence, st.first_recorded,
           a.published_at, a.url
    FROM ledger.statements st
    JOIN ledger.articles a USING (article_id)
    LEFT JOIN ledger.role_ranks r ON r.role = st.value
    WHERE st.prop = 'membership' AND st.superseded_at IS NULL AND st.valid_from IS NOT NULL
      AND EXISTS (SELECT 1 FROM affected_memberships k
                  WHERE k.org_id = st.entity_id AND k.federation_id = st.object_id)
),
ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY org_id, federation_id, valid_from
                              ORDER BY rank DESC, published_at NULLS LAST, url, statement_id) AS rn,
           min(first_recorded) OVER (PARTITION BY org_id, federation_id, valid_from, role) AS role_recorded
    FROM s
),
winners AS (SELECT * FROM ranked WHERE rn = 1),
starts AS (
    SELECT *, role IS DISTINCT FROM lag(role) OVER (PARTITION BY org_id, federation_id ORDER BY valid_from) AS is_start
    FROM winners
),
versions AS (
    SELECT *, lead(valid_from) OVER (PARTITION BY org_id, federation_id ORDER BY valid_from) AS next_start
    FROM starts WHERE is_start
)
SELECT org_id, federation_id, role, valid_from, next_start, role_recorded, statement_id, article_id, evidence
FROM versions;

-- name: change_counts
-- What this load changed, by comparing each affected key's version fingerprint before and after.
WITH org_after AS (
    SELECT org_id, md5(string_agg(concat_ws('|', name, province, city, county, org_type, level, valid_from, valid_to), '#'
                                   ORDER BY valid_from)) AS fingerprint
    FROM ledger.org_versions WHERE org_id IN (SELECT org_id FROM affected_orgs) GROUP BY org_id
),
membership_after AS (
    SELECT org_id, federation_id, md5(string_agg(concat_ws('|', role, valid_from, valid_to), '#' ORDER BY valid_from)) AS fingerprint
    FROM ledger.membership_versions m
    WHERE EXISTS (SELECT 1 FROM affected_memberships k WHERE k.org_id = m.org_id AND k.federation_id = m.federation_id)
    GROUP BY org_id, federation_id
)
SELECT
    (SELECT count(*) FROM org_after a WHERE a.org_id NOT IN (SELECT org_id FROM org_before)) AS orgs_new,
    (SELECT count(*) FROM org_after a JOIN org_before b USING (org_id) WHERE a.fingerprint <> b.fingerprint) AS orgs_changed,
    (SELECT count(*) FROM membership_after a
      WHERE NOT EXISTS (SELECT 1 FROM membership_before b
                        WHERE b.org_id = a.org_id AND b.federation_id = a.federation_id AND b.fingerprint = a.fingerprint)
    ) AS memberships_changed;

-- name: record_run
INSERT INTO ledger.runs VALUES ($run_id, $started_at, $now, $parser_version, $sources::VARCHAR[], $summary::JSON);
