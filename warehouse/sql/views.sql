-- The SQL interface analysts rely on. Re-created after every migration (CREATE OR REPLACE), so a view
-- can change without a migration; their names and documented columns are a contract.

CREATE OR REPLACE VIEW main.articles AS
SELECT a.url, a.title, a.published_at, a.source_name AS source,
       a.article_id, a.title_original, a.body, a.encoding, a.profile, a.content_hash, a.parser_version,
       a.first_recorded, a.last_recorded
FROM ledger.articles a;

CREATE OR REPLACE VIEW main.organization_history AS
SELECT v.org_id, v.name, v.province, v.city, v.county, v.division_code, v.org_type, v.level,
       v.valid_from, v.valid_to, v.recorded_at, a.url AS article_url
FROM ledger.org_versions v
JOIN ledger.articles a USING (article_id);

CREATE OR REPLACE VIEW main.organizations AS
SELECT v.org_id, v.name, v.province, v.city, v.org_type, v.level, v.county, v.division_code,
       (SELECT min(h.valid_from) FROM ledger.org_versions h WHERE h.org_id = v.org_id) AS first_seen,
       (SELECT list(DISTINCT s.value ORDER BY s.value) FROM ledger.statements s
         WHERE s.entity_id = v.org_id AND s.prop = 'alias' AND s.superseded_at IS NULL) AS aliases
FROM ledger.org_versions v
WHERE v.valid_to IS NULL;

-- The current name of every organization that has one (for labelling memberships).
CREATE OR REPLACE VIEW main.org_names AS
SELECT org_id, name FROM ledger.org_versions WHERE valid_to IS NULL;

CREATE OR REPLACE VIEW main.membership_history AS
SELECT o.name AS org_name, f.name AS federation_name, m.role, m.valid_from, m.valid_to, m.recorded_at,
       a.url AS article_url, m.evidence, m.org_id, m.federation_id
FROM ledger.membership_versions m
JOIN ledger.articles a USING (article_id)
LEFT JOIN main.org_names o ON o.org_id = m.org_id
LEFT JOIN main.org_names f ON f.org_id = m.federation_id;

CREATE OR REPLACE VIEW main.memberships AS
SELECT org_name, federation_name, role, valid_from, article_url, evidence, org_id, federation_id
FROM main.membership_history
WHERE valid_to IS NULL;

CREATE OR REPLACE VIEW main.quality_findings AS
SELECT f.article_url, f.kind, f.detail, f.evidence, f.first_recorded, f.finding_id, f.article_id
FROM ledger.findings f
WHERE f.superseded_at IS NULL;

-- Every statement ever recorded, with its article: the provenance of each fact.
CREATE OR REPLACE VIEW main.facts AS
SELECT s.entity_id, e.name AS entity_name, s.prop, s.value, s.object_id, o.name AS object_name,
       s.valid_from, s.evidence, a.url AS article_url, a.published_at, s.parser_version,
       s.first_recorded, s.last_recorded, s.superseded_at, s.statement_id
FROM ledger.statements s
JOIN ledger.articles a USING (article_id)
LEFT JOIN main.org_names e ON e.org_id = s.entity_id
LEFT JOIN main.org_names o ON o.org_id = s.object_id;

CREATE OR REPLACE VIEW main.org_aliases AS
SELECT DISTINCT s.entity_id AS org_id, n.name, s.value AS alias, a.url AS article_url
FROM ledger.statements s
JOIN ledger.articles a USING (article_id)
LEFT JOIN main.org_names n ON n.org_id = s.entity_id
WHERE s.prop = 'alias' AND s.superseded_at IS NULL;

CREATE OR REPLACE VIEW main.count_claims AS
SELECT n.name AS federation_name, s.value ->> 'wording' AS wording,
       CAST(s.value ->> 'value' AS INTEGER) AS claimed, CAST(s.value ->> 'approximate' AS BOOLEAN) AS approximate,
       CAST(s.value ->> 'named' AS INTEGER) AS named, CAST(s.value ->> 'distinct' AS INTEGER) AS distinct_named,
       s.value ->> 'scope' AS scope, a.url AS article_url, s.evidence
FROM ledger.statements s
JOIN ledger.articles a USING (article_id)
LEFT JOIN main.org_names n ON n.org_id = s.entity_id
WHERE s.prop = 'count_claim' AND s.superseded_at IS NULL;

CREATE OR REPLACE VIEW main.statistics AS
SELECT s.value ->> 'wording' AS wording, CAST(s.value ->> 'value' AS DOUBLE) AS value, s.value ->> 'unit' AS unit,
       s.value ->> 'region' AS region, s.value ->> 'as_of' AS as_of, a.url AS article_url, s.evidence
FROM ledger.statements s
JOIN ledger.articles a USING (article_id)
WHERE s.prop = 'statistic' AND s.superseded_at IS NULL;

CREATE OR REPLACE VIEW main.runs AS
SELECT run_id, started_at, finished_at, parser_version, sources, summary FROM ledger.runs;
