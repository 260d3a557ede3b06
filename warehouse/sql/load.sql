-- Named statements used by warehouse/load.py, run in one transaction per load. They read the run's
-- staged rows from the attached database `stage` (see stage.sql).
-- Parameters are DuckDB named parameters ($name); values are never formatted into SQL.

-- name: upsert_articles
-- New pages are inserted; a known page is rewritten only when its content or the parser changed.
UPDATE ledger.articles AS a
SET title = s.title, title_original = s.title_original, published_at = s.published_at,
    source_name = s.source_name, body = s.body, body_original = s.body_original,
    content_hash = s.content_hash, encoding = s.encoding, profile = s.profile,
    parser_version = $parser_version, last_recorded = $now, last_run_id = $run_id
FROM stage.articles s
WHERE a.article_id = s.article_id
  AND (a.content_hash <> s.content_hash OR a.parser_version <> $parser_version);
INSERT INTO ledger.articles
SELECT s.article_id, s.url, s.title, s.title_original, s.published_at, s.source_name, s.body,
       s.body_original, s.content_hash, s.encoding, s.profile, $parser_version, $now, $now, $run_id
FROM stage.articles s
WHERE NOT EXISTS (SELECT 1 FROM ledger.articles a WHERE a.article_id = s.article_id);

-- name: supersede_statements
-- A statement an article no longer yields (page changed, parser improved) is superseded, not deleted.
UPDATE ledger.statements
SET superseded_at = $now
WHERE superseded_at IS NULL
  AND article_id IN (SELECT article_id FROM stage.articles)
  AND NOT EXISTS (SELECT 1 FROM stage.statements s WHERE s.statement_id = ledger.statements.statement_id);

-- name: insert_statements
-- Only ids not stored yet (the table has no key to enforce it, see migration 004): an anti-join, which
-- spills to disk when it does not fit in memory.
INSERT INTO ledger.statements
SELECT s.statement_id, $recipe, s.article_id, s.entity_id, s.prop, s.value, s.object_id, s.valid_from,
       s.evidence, $parser_version, $now, $now, NULL, $run_id
FROM stage.statements s
WHERE NOT EXISTS (SELECT 1 FROM ledger.statements t WHERE t.statement_id = s.statement_id);

-- name: reassert_statements
-- Seen again: note when, and revive one that an intermediate parse had superseded.
UPDATE ledger.statements AS t
SET last_recorded = $now, superseded_at = NULL, parser_version = $parser_version
FROM stage.statements s
WHERE t.statement_id = s.statement_id
  AND (t.superseded_at IS NOT NULL OR t.parser_version <> $parser_version);

-- name: supersede_findings
UPDATE ledger.findings
SET superseded_at = $now
WHERE superseded_at IS NULL
  AND article_url IN (SELECT url FROM stage.articles UNION SELECT article_url FROM stage.findings)
  AND NOT EXISTS (SELECT 1 FROM stage.findings s WHERE s.finding_id = ledger.findings.finding_id);

-- name: insert_findings
INSERT INTO ledger.findings
SELECT s.finding_id, s.article_url, s.article_id, s.kind, s.detail, s.evidence, $parser_version,
       $now, $now, NULL, $run_id
FROM stage.findings s
WHERE NOT EXISTS (SELECT 1 FROM ledger.findings t WHERE t.finding_id = s.finding_id);

-- name: reassert_findings
UPDATE ledger.findings AS t
SET last_recorded = $now, superseded_at = NULL
FROM stage.findings s
WHERE t.finding_id = s.finding_id AND t.superseded_at IS NOT NULL;

-- name: insert_fetches
-- Append-only: every request is a row, including repeats in later runs.
INSERT INTO ledger.fetches
SELECT 'fx_' || substr(sha256(concat_ws(chr(31), $run_id, f.kind, f.url, f.fetched_at::VARCHAR, f.outcome)), 1, 32),
       $run_id, f.kind, f.url, f.final_url, f.outcome, f.status, f.attempts, f.content_type, f.etag,
       f.last_modified, f.bytes, f.body_sha256, f.fetched_at, f.elapsed_ms, coalesce(f.detail, '')
FROM stage.fetches f;

-- name: upsert_source_files
-- How each local file looked when read (for skipping it unread next time; see migration 003).
DELETE FROM ledger.source_files WHERE url IN (SELECT url FROM stage.files);
INSERT INTO ledger.source_files SELECT url, size, mtime_ns, content_hash, $now FROM stage.files;

-- name: resolve
-- Who is who now (history.sql, org_resolution_at), once per load: affected_keys, affect_everything and
-- take_chunk read it.
CREATE OR REPLACE TEMP TABLE resolution AS SELECT * FROM ledger.org_resolution_at('infinity'::TIMESTAMPTZ);

-- name: affected_keys
-- Every history key whose statements this load touched (new, superseded or revived), resolved through
-- renames and credit codes. A touched rename or credit code changes identity resolution, so then
-- every key is re-derived (affect_everything).
DELETE FROM ledger.affected_orgs;
DELETE FROM ledger.affected_memberships;
CREATE OR REPLACE TEMP TABLE touched AS
SELECT entity_id, object_id, prop FROM ledger.statements WHERE last_recorded = $now OR superseded_at = $now;
INSERT INTO ledger.affected_orgs
SELECT DISTINCT coalesce(r.to_id, t.entity_id)
FROM touched t LEFT JOIN resolution r ON r.from_id = t.entity_id
WHERE t.prop IN ('profile', 'deregistered', 'revoked');
INSERT INTO ledger.affected_memberships
SELECT DISTINCT coalesce(ro.to_id, t.entity_id), coalesce(rf.to_id, t.object_id)
FROM touched t
LEFT JOIN resolution ro ON ro.from_id = t.entity_id
LEFT JOIN resolution rf ON rf.from_id = t.object_id
WHERE t.prop IN ('membership', 'membership_end');
-- A dissolution touches every membership the organization holds.
INSERT INTO ledger.affected_memberships
SELECT DISTINCT coalesce(ro.to_id, s.entity_id), coalesce(rf.to_id, s.object_id)
FROM ledger.statements s
LEFT JOIN resolution ro ON ro.from_id = s.entity_id
LEFT JOIN resolution rf ON rf.from_id = s.object_id
WHERE s.prop IN ('membership', 'membership_end')
  AND coalesce(ro.to_id, s.entity_id) IN (
      SELECT coalesce(r.to_id, t.entity_id) FROM touched t LEFT JOIN resolution r ON r.from_id = t.entity_id
      WHERE t.prop IN ('deregistered', 'revoked'));

-- name: affect_everything
-- Used when identity resolution or the history definitions changed: every key, old and new (the keys
-- of every live statement, a superset of those with versions, which is harmless).
DELETE FROM ledger.affected_orgs;
DELETE FROM ledger.affected_memberships;
INSERT INTO ledger.affected_orgs
SELECT org_id FROM ledger.org_versions
UNION SELECT coalesce(r.to_id, s.entity_id)
FROM ledger.statements s LEFT JOIN resolution r ON r.from_id = s.entity_id
WHERE s.superseded_at IS NULL AND s.prop IN ('profile', 'deregistered', 'revoked');
INSERT INTO ledger.affected_memberships
SELECT org_id, federation_id FROM ledger.membership_versions
UNION SELECT coalesce(ro.to_id, s.entity_id), coalesce(rf.to_id, s.object_id)
FROM ledger.statements s
LEFT JOIN resolution ro ON ro.from_id = s.entity_id
LEFT JOIN resolution rf ON rf.from_id = s.object_id
WHERE s.superseded_at IS NULL AND s.prop IN ('membership', 'membership_end');

-- name: identity_touched
-- Renames and credit codes decide who is who (history.sql, org_resolution_at).
SELECT count(*) > 0 FROM ledger.statements
WHERE prop IN ('renamed', 'credit_code') AND (last_recorded = $now OR superseded_at = $now);

-- name: keep_affected
-- All keys to re-derive. History is derived chunk by chunk (take_chunk), so that memory stays bounded
-- however many keys a load touches (a backfill's first load touches every key); each chunk reads only
-- its own statements.
CREATE OR REPLACE TEMP TABLE all_affected_orgs AS SELECT DISTINCT org_id FROM ledger.affected_orgs;
CREATE OR REPLACE TEMP TABLE all_affected_memberships AS
SELECT DISTINCT org_id, federation_id FROM ledger.affected_memberships;

-- name: count_affected
SELECT (SELECT count(*) FROM all_affected_orgs) + (SELECT count(*) FROM all_affected_memberships);

-- name: gather_identity_statements
-- Identity statements (renames, credit codes) go with every chunk: resolution needs all of them.
CREATE OR REPLACE TEMP TABLE identity_statements AS
SELECT statement_id, article_id, entity_id, prop, value, object_id, valid_from, evidence, first_recorded, superseded_at
FROM ledger.statements WHERE superseded_at IS NULL AND prop IN ('renamed', 'credit_code');

-- name: take_chunk
-- Keys of one chunk (by a hash of the organization, so an organization's memberships go together),
-- and their live statements (only the columns history.sql reads), taken from the log itself. Not from
-- one copy of every affected key's statements made beforehand: that copy and each chunk's share of it
-- both sat in the writer's 160 MB buffer pool, which pushed the derivation out to disk. A view over
-- the copy instead of the share ran out of memory at 100,000 pages. 100,000-page stage, 6 chunks:
-- load 101.9 -> 80.9 s; 10,000 pages, 2 chunks: 7.3-7.7 -> 6.2-6.9 s (bench/probe_load.py).
DELETE FROM ledger.affected_orgs;
DELETE FROM ledger.affected_memberships;
INSERT INTO ledger.affected_orgs SELECT org_id FROM all_affected_orgs WHERE hash(org_id) % $chunks = $chunk;
INSERT INTO ledger.affected_memberships
SELECT org_id, federation_id FROM all_affected_memberships WHERE hash(org_id) % $chunks = $chunk;
CREATE OR REPLACE TEMP TABLE chunk_statements AS
SELECT s.statement_id, s.article_id, s.entity_id, s.prop, s.value, s.object_id, s.valid_from, s.evidence,
       s.first_recorded, s.superseded_at
FROM ledger.statements s LEFT JOIN resolution r ON r.from_id = s.entity_id
WHERE s.superseded_at IS NULL
  AND s.prop IN ('profile', 'deregistered', 'revoked', 'membership', 'membership_end')
  AND coalesce(r.to_id, s.entity_id) IN (SELECT org_id FROM ledger.affected_orgs
                                         UNION SELECT org_id FROM ledger.affected_memberships)
UNION ALL SELECT * FROM identity_statements;

-- name: fingerprint_macros
-- Each affected key's versions as one number, to tell what a load changed (snapshot_before,
-- change_counts): the sum of a hash of each version's fields. A sum does not depend on the order of the
-- versions and keeps a fixed-size state; the string of all versions in order that it replaces took ten
-- times as long (105,000 organizations: 0.335 vs 0.035 s). Created per load: temporary macros.
CREATE OR REPLACE TEMP MACRO affected_org_fingerprints() AS TABLE
SELECT org_id,
       sum(hash(name, province, city, county, org_type, level, valid_from, valid_to)::HUGEINT) AS fingerprint
FROM ledger.org_versions WHERE org_id IN (SELECT org_id FROM ledger.affected_orgs) GROUP BY org_id;
CREATE OR REPLACE TEMP MACRO affected_membership_fingerprints() AS TABLE
SELECT org_id, federation_id, sum(hash(role, valid_from, valid_to)::HUGEINT) AS fingerprint
FROM ledger.membership_versions m
WHERE EXISTS (SELECT 1 FROM ledger.affected_memberships k WHERE k.org_id = m.org_id AND k.federation_id = m.federation_id)
GROUP BY org_id, federation_id;

-- name: snapshot_before
CREATE OR REPLACE TEMP TABLE org_before AS SELECT * FROM affected_org_fingerprints();
CREATE OR REPLACE TEMP TABLE membership_before AS SELECT * FROM affected_membership_fingerprints();

-- name: derive_versions
-- Re-derive history for the chunk's keys from the chunk's statements (see history.sql for the rules).
DELETE FROM ledger.org_versions WHERE org_id IN (SELECT org_id FROM ledger.affected_orgs);
INSERT INTO ledger.org_versions
SELECT * FROM ledger.org_versions_at('infinity'::TIMESTAMPTZ, true, source := 'chunk_statements');
DELETE FROM ledger.membership_versions m
WHERE EXISTS (SELECT 1 FROM ledger.affected_memberships k WHERE k.org_id = m.org_id AND k.federation_id = m.federation_id);
INSERT INTO ledger.membership_versions
SELECT * FROM ledger.membership_versions_at('infinity'::TIMESTAMPTZ, true, source := 'chunk_statements');

-- name: change_counts
-- What this load changed, by comparing each affected key's version fingerprint before and after.
WITH org_after AS (SELECT * FROM affected_org_fingerprints()),
membership_after AS (SELECT * FROM affected_membership_fingerprints())
SELECT
    (SELECT count(*) FROM org_after a WHERE a.org_id NOT IN (SELECT org_id FROM org_before)) AS orgs_new,
    (SELECT count(*) FROM org_after a JOIN org_before b USING (org_id) WHERE a.fingerprint <> b.fingerprint) AS orgs_changed,
    (SELECT count(*) FROM membership_after a FULL OUTER JOIN membership_before b USING (org_id, federation_id)
      WHERE a.fingerprint IS DISTINCT FROM b.fingerprint
    ) AS memberships_changed;

-- name: clear_affected
DELETE FROM ledger.affected_orgs;
DELETE FROM ledger.affected_memberships;
DROP TABLE IF EXISTS identity_statements;
DROP TABLE IF EXISTS chunk_statements;
DROP TABLE IF EXISTS resolution;
DROP MACRO TABLE IF EXISTS affected_org_fingerprints;
DROP MACRO TABLE IF EXISTS affected_membership_fingerprints;

-- name: named_orgs
-- Organizations the run's pages name: records.statements_for gives each one an alias statement (its
-- name), whether or not it is asserted as a profile.
SELECT count(DISTINCT entity_id) FROM stage.statements WHERE prop = 'alias';

-- name: record_run
INSERT INTO ledger.runs VALUES ($run_id, $started_at, $now, $parser_version, $sources::VARCHAR[], $summary::JSON);
