-- How history is derived from the statement log. One definition serves both the materialized tables
-- (ledger.org_versions, ledger.membership_versions, rebuilt per affected key inside each load) and the
-- as-of queries (main.membership_as_of). Re-created on every connect; when this file changes, every
-- key is re-derived (warehouse/db.py compares its fingerprint).
--
-- known_at:      transaction time. Statements recorded after it, or superseded at or before it, are
--                ignored. 'infinity' means what we believe now.
-- affected_only: restrict to the keys in ledger.affected_* (what the current load touched).
-- source:        the statement table to read, 'ledger.statements' unless given. A load derives history
--                chunk by chunk, each from a temporary table holding only the chunk's statements
--                (load.sql, take_chunk): reading and resolving the whole log for every chunk made a
--                large load quadratic.

-- Statements as believed at known_at.
CREATE OR REPLACE MACRO ledger.live_statements(known_at, source := 'ledger.statements') AS TABLE
SELECT * FROM query_table(source)
WHERE first_recorded <= known_at AND (superseded_at IS NULL OR superseded_at > known_at);

-- Identity resolution: raw org id (from a name) -> the organization's id. Two kinds of evidence:
--   * 名称由A变更为B: B's id resolves to A's (the organization keeps the id it had first);
--   * a valid 统一社会信用代码 shared by several names: all resolve to the id first seen with that code
--     (earliest valid date, then the smallest id) — the strongest evidence there is.
-- Derived from the log, so it is recorded (the statements) and reversible (supersede them).
CREATE OR REPLACE MACRO ledger.org_resolution_at(known_at, source := 'ledger.statements') AS TABLE
WITH RECURSIVE live AS (SELECT * FROM ledger.live_statements(known_at, source := source)),
rename_edges AS (
    SELECT DISTINCT object_id AS from_id, entity_id AS to_id
    FROM live WHERE prop = 'renamed' AND object_id <> entity_id
),
coded AS (
    SELECT value AS code, entity_id, min(valid_from) AS first_valid
    FROM live WHERE prop = 'credit_code' GROUP BY value, entity_id
),
code_owner AS (
    SELECT code, first(entity_id ORDER BY first_valid NULLS LAST, entity_id) AS owner FROM coded GROUP BY code
),
code_edges AS (
    SELECT DISTINCT c.entity_id AS from_id, o.owner AS to_id
    FROM coded c JOIN code_owner o USING (code)
    WHERE c.entity_id <> o.owner
),
edges AS (SELECT * FROM rename_edges UNION SELECT * FROM code_edges),
walk(from_id, to_id, depth) AS (
    SELECT from_id, to_id, 1 FROM edges
    UNION ALL
    SELECT w.from_id, e.to_id, w.depth + 1 FROM walk w JOIN edges e ON e.from_id = w.to_id WHERE w.depth < 16
)
SELECT from_id, first(to_id ORDER BY depth DESC, to_id) AS to_id FROM walk GROUP BY from_id;

-- Versions of each (organization, federation) membership.
--   * statements are placed at their valid date; for one date the highest-ranked role wins
--     (an explicit end — 退出, or the organization's 注销/撤销登记 — ranks below every role);
--   * consecutive equal roles merge; an end closes the version before it; absence ends nothing;
--   * ties are broken by publish time and URL, never by load order, so any load order gives the
--     same history. recorded_at is when orgledger first learned the version's fact.
CREATE OR REPLACE MACRO ledger.membership_versions_at(known_at, affected_only, source := 'ledger.statements') AS TABLE
-- NOT MATERIALIZED: read twice, a materialized `live` copied every statement with all its columns.
WITH live AS NOT MATERIALIZED (SELECT * FROM ledger.live_statements(known_at, source := source)),
res AS (SELECT * FROM ledger.org_resolution_at(known_at, source := source)),
claims AS (
    SELECT coalesce(ro.to_id, s.entity_id) AS org_id, coalesce(rf.to_id, s.object_id) AS federation_id,
           s.valid_from, CASE WHEN s.prop = 'membership' THEN s.value END AS role,
           s.statement_id, s.article_id, s.evidence, s.first_recorded
    FROM live s
    LEFT JOIN res ro ON ro.from_id = s.entity_id
    LEFT JOIN res rf ON rf.from_id = s.object_id
    WHERE s.prop IN ('membership', 'membership_end') AND s.valid_from IS NOT NULL
),
dissolutions AS (
    SELECT coalesce(ro.to_id, s.entity_id) AS org_id, s.valid_from, s.statement_id, s.article_id, s.evidence,
           s.first_recorded
    FROM live s LEFT JOIN res ro ON ro.from_id = s.entity_id
    WHERE s.prop IN ('deregistered', 'revoked') AND s.valid_from IS NOT NULL
),
marks AS (
    SELECT * FROM claims
    UNION ALL
    SELECT k.org_id, k.federation_id, d.valid_from, NULL, d.statement_id, d.article_id, d.evidence, d.first_recorded
    FROM (SELECT DISTINCT org_id, federation_id FROM claims) k JOIN dissolutions d USING (org_id)
),
scoped AS (
    SELECT m.* FROM marks m
    WHERE NOT affected_only
       OR EXISTS (SELECT 1 FROM ledger.affected_memberships k
                  WHERE k.org_id = m.org_id AND k.federation_id = m.federation_id)
),
placed AS (
    SELECT m.*, a.url, a.published_at,
           CASE WHEN m.role IS NULL THEN -1 ELSE coalesce(r.rank, 0) END AS rank
    FROM scoped m
    JOIN ledger.articles a USING (article_id)
    LEFT JOIN ledger.role_ranks r ON r.role = m.role
),
per_value AS (
    -- The earliest-published source speaks for the version (arg_min over a sort key rather than an
    -- ordered aggregate: it keeps a fixed-size state per group, so large loads can spill to disk). Only
    -- its id: carrying its evidence through the aggregate and the windows took most of the time; the
    -- statement is looked up again at the end.
    SELECT org_id, federation_id, valid_from, role, max(rank) AS rank, min(first_recorded) AS recorded_at,
           arg_min(statement_id, (coalesce(published_at, 'infinity'::TIMESTAMPTZ), url, statement_id)) AS source_id,
           list_sort(list_distinct(list(url))) AS article_urls
    FROM placed
    GROUP BY org_id, federation_id, valid_from, role
),
winners AS (
    SELECT * FROM per_value
    QUALIFY row_number() OVER (PARTITION BY org_id, federation_id, valid_from ORDER BY rank DESC, role) = 1
),
starts AS (
    SELECT *, role IS DISTINCT FROM lag(role) OVER (PARTITION BY org_id, federation_id ORDER BY valid_from) AS is_start
    FROM winners
),
versions AS (
    SELECT *, lead(valid_from) OVER (PARTITION BY org_id, federation_id ORDER BY valid_from) AS valid_to
    FROM starts WHERE is_start
)
SELECT v.org_id, v.federation_id, v.role, v.valid_from, v.valid_to, v.recorded_at, v.source_id AS statement_id,
       src.article_id, src.evidence, v.article_urls
FROM versions v JOIN live src ON src.statement_id = v.source_id
WHERE v.role IS NOT NULL;

-- Versions of each organization's profile (name, region, type, level), ended by 注销/撤销登记.
CREATE OR REPLACE MACRO ledger.org_versions_at(known_at, affected_only, source := 'ledger.statements') AS TABLE
WITH live AS NOT MATERIALIZED (SELECT * FROM ledger.live_statements(known_at, source := source)),
res AS (SELECT * FROM ledger.org_resolution_at(known_at, source := source)),
marks AS (
    SELECT coalesce(ro.to_id, s.entity_id) AS org_id, s.valid_from,
           CASE WHEN s.prop = 'profile' THEN s.value END AS value,
           s.statement_id, s.article_id, s.first_recorded
    FROM live s LEFT JOIN res ro ON ro.from_id = s.entity_id
    WHERE s.prop IN ('profile', 'deregistered', 'revoked') AND s.valid_from IS NOT NULL
),
scoped AS (
    SELECT m.* FROM marks m
    WHERE NOT affected_only OR m.org_id IN (SELECT org_id FROM ledger.affected_orgs)
),
placed AS (
    SELECT m.*, a.url, a.published_at FROM scoped m JOIN ledger.articles a USING (article_id)
),
per_value AS (
    SELECT org_id, valid_from, value, min(first_recorded) AS recorded_at,
           max(published_at) AS newest_published,
           arg_min(statement_id, (coalesce(published_at, 'infinity'::TIMESTAMPTZ), url, statement_id)) AS source_id,
           list_sort(list_distinct(list(url))) AS article_urls
    FROM placed
    GROUP BY org_id, valid_from, value
),
winners AS (
    -- For one date: an end wins; otherwise the newest article's view of the organization.
    SELECT * FROM per_value
    QUALIFY row_number() OVER (PARTITION BY org_id, valid_from
                               ORDER BY value IS NULL DESC, newest_published DESC NULLS LAST, value) = 1
),
starts AS (
    SELECT *, value IS DISTINCT FROM lag(value) OVER (PARTITION BY org_id ORDER BY valid_from) AS is_start
    FROM winners
),
versions AS (
    SELECT *, lead(valid_from) OVER (PARTITION BY org_id ORDER BY valid_from) AS valid_to
    FROM starts WHERE is_start
)
SELECT v.org_id, v.value ->> 'name' AS name, v.value ->> 'province' AS province, v.value ->> 'city' AS city,
       v.value ->> 'county' AS county, v.value ->> 'division_code' AS division_code,
       v.value ->> 'org_type' AS org_type, v.value ->> 'level' AS level, v.valid_from, v.valid_to, v.recorded_at,
       v.source_id AS statement_id, src.article_id, v.article_urls
FROM versions v JOIN live src ON src.statement_id = v.source_id
WHERE v.value IS NOT NULL;
