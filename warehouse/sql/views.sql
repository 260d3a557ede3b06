-- The SQL interface analysts rely on. Re-created after every migration (CREATE OR REPLACE), so a view
-- can change without a migration; their names and documented columns are a contract.

CREATE OR REPLACE VIEW main.articles AS
SELECT a.url, a.title, a.published_at, a.source_name AS source,
       a.article_id, a.title_original, a.body, a.encoding, a.profile, a.content_hash, a.parser_version,
       a.first_recorded, a.last_recorded
FROM ledger.articles a;

CREATE OR REPLACE VIEW main.organization_history AS
SELECT v.org_id, v.name, v.province, v.city, v.county, v.division_code, v.org_type, v.level,
       v.valid_from, v.valid_to, v.recorded_at, a.url AS article_url, v.article_urls
FROM ledger.org_versions v
JOIN ledger.articles a USING (article_id);

CREATE OR REPLACE VIEW main.organizations AS
SELECT v.org_id, v.name, v.province, v.city, v.org_type, v.level, v.county, v.division_code,
       (SELECT min(h.valid_from) FROM ledger.org_versions h WHERE h.org_id = v.org_id) AS first_seen,
       (SELECT list(DISTINCT s.value ORDER BY s.value) FROM ledger.statements s
         WHERE s.entity_id = v.org_id AND s.prop = 'alias' AND s.superseded_at IS NULL) AS aliases
FROM ledger.org_versions v
WHERE v.valid_to IS NULL;

-- The latest name of every organization, for labelling: from its versions, else (an organization first
-- known on the day it was dissolved has no version) the latest name its profile statements give.
CREATE OR REPLACE VIEW main.org_names AS
WITH versioned AS (
    SELECT org_id, arg_max(name, valid_from) AS name FROM ledger.org_versions GROUP BY org_id
),
stated AS (
    SELECT coalesce(r.to_id, s.entity_id) AS org_id, arg_max(s.value ->> 'name', s.valid_from) AS name
    FROM ledger.statements s
    LEFT JOIN ledger.org_resolution_at('infinity'::TIMESTAMPTZ) r ON r.from_id = s.entity_id
    WHERE s.prop = 'profile' AND s.superseded_at IS NULL
    GROUP BY 1
)
SELECT org_id, coalesce(v.name, s.name) AS name
FROM stated s FULL OUTER JOIN versioned v USING (org_id);

CREATE OR REPLACE VIEW main.membership_history AS
SELECT o.name AS org_name, f.name AS federation_name, m.role, m.valid_from, m.valid_to, m.recorded_at,
       a.url AS article_url, m.evidence, m.org_id, m.federation_id, m.article_urls
FROM ledger.membership_versions m
JOIN ledger.articles a USING (article_id)
LEFT JOIN main.org_names o ON o.org_id = m.org_id
LEFT JOIN main.org_names f ON f.org_id = m.federation_id;

CREATE OR REPLACE VIEW main.memberships AS
SELECT org_name, federation_name, role, valid_from, article_url, evidence, org_id, federation_id, article_urls
FROM main.membership_history
WHERE valid_to IS NULL;

CREATE OR REPLACE VIEW main.quality_findings AS
SELECT f.article_url, f.kind, f.detail, f.evidence, f.first_recorded, f.finding_id, f.article_id
FROM ledger.findings f
WHERE f.superseded_at IS NULL;

-- Every statement ever recorded, with its article: the provenance of each fact. entity_id/object_id are
-- as extracted; org_id/federation_id are resolved through renames.
CREATE OR REPLACE VIEW main.facts AS
SELECT coalesce(re.to_id, s.entity_id) AS org_id, e.name AS entity_name, s.prop, s.value,
       nullif(coalesce(ro.to_id, s.object_id), '') AS federation_id, o.name AS object_name,
       s.valid_from, s.evidence, a.url AS article_url, a.published_at, s.parser_version,
       s.first_recorded, s.last_recorded, s.superseded_at, s.first_run_id, s.statement_id,
       s.entity_id, s.object_id
FROM ledger.statements s
JOIN ledger.articles a USING (article_id)
LEFT JOIN ledger.org_resolution_at('infinity'::TIMESTAMPTZ) re ON re.from_id = s.entity_id
LEFT JOIN ledger.org_resolution_at('infinity'::TIMESTAMPTZ) ro ON ro.from_id = s.object_id
LEFT JOIN main.org_names e ON e.org_id = coalesce(re.to_id, s.entity_id)
LEFT JOIN main.org_names o ON o.org_id = coalesce(ro.to_id, s.object_id);

-- Every surface form an organization was seen under, with the dates it was seen; a name changed by
-- 更名 is valid until the rename. Read straight from the log, resolving identities once: built on
-- main.facts (three copies of it and a correlated subquery), this view needed over 150 MB of DuckDB
-- memory on a warehouse of 300 statements, more than the writer's limit (tests/test_readme.py keeps
-- every view under 100 MB).
CREATE OR REPLACE VIEW main.org_aliases AS
WITH res AS (SELECT * FROM ledger.org_resolution_at('infinity'::TIMESTAMPTZ)),
aliases AS (
    -- Superseded alias statements too: an alias a renamed organization was ever stated under ends
    -- with the rename.
    SELECT coalesce(r.to_id, s.entity_id) AS org_id, s.entity_id, s.value AS alias, s.valid_from,
           s.superseded_at, a.url AS article_url
    FROM ledger.statements s
    JOIN ledger.articles a USING (article_id)
    LEFT JOIN res r ON r.from_id = s.entity_id
    WHERE s.prop = 'alias'
),
seen AS (
    SELECT org_id, alias, min(valid_from) AS first_seen, max(valid_from) AS last_seen,
           list(DISTINCT article_url ORDER BY article_url) AS article_urls
    FROM aliases WHERE superseded_at IS NULL
    GROUP BY org_id, alias
),
renamed AS (
    SELECT entity_id, min(valid_from) AS renamed_on FROM ledger.statements
    WHERE prop = 'renamed' AND superseded_at IS NULL GROUP BY entity_id
),
ended AS (
    -- An alias ends with the earliest rename of a name it was stated for.
    SELECT a.org_id, a.alias, min(r.renamed_on) AS valid_to
    FROM aliases a JOIN renamed r USING (entity_id)
    GROUP BY a.org_id, a.alias
)
SELECT s.org_id, n.name, s.alias, s.first_seen, s.last_seen, e.valid_to, s.article_urls
FROM seen s LEFT JOIN ended e USING (org_id, alias) LEFT JOIN main.org_names n USING (org_id);

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

-- "What did we believe on known_at about valid_date?": memberships valid on valid_date, derived only
-- from statements recorded by known_at and not yet superseded then.
--   SELECT * FROM membership_as_of(DATE '2019-01-01', TIMESTAMPTZ '2026-11-01 00:00:00+08');
CREATE OR REPLACE MACRO main.membership_as_of(valid_date, known_at) AS TABLE
SELECT o.name AS org_name, f.name AS federation_name, v.role, v.valid_from, v.valid_to, v.recorded_at,
       a.url AS article_url, v.evidence, v.org_id, v.federation_id
FROM ledger.membership_versions_at(CAST(known_at AS TIMESTAMPTZ), false) v
JOIN ledger.articles a USING (article_id)
LEFT JOIN main.org_names o ON o.org_id = v.org_id
LEFT JOIN main.org_names f ON f.org_id = v.federation_id
WHERE v.valid_from <= CAST(valid_date AS DATE)
  AND (v.valid_to IS NULL OR v.valid_to > CAST(valid_date AS DATE));

CREATE OR REPLACE VIEW main.runs AS
SELECT run_id, started_at, finished_at, parser_version, sources, summary FROM ledger.runs;
