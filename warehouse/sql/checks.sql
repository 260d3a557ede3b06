-- Integrity checks (orgledger check). Each returns the violating rows; an empty result is a pass.

-- name: one_current_membership_version
SELECT org_id, federation_id, count(*) AS current_versions
FROM ledger.membership_versions WHERE valid_to IS NULL
GROUP BY org_id, federation_id HAVING count(*) > 1;

-- name: one_current_org_version
SELECT org_id, count(*) AS current_versions
FROM ledger.org_versions WHERE valid_to IS NULL
GROUP BY org_id HAVING count(*) > 1;

-- name: no_empty_or_inverted_intervals
SELECT 'membership' AS kind, org_id, valid_from, valid_to FROM ledger.membership_versions WHERE valid_to <= valid_from
UNION ALL
SELECT 'organization', org_id, valid_from, valid_to FROM ledger.org_versions WHERE valid_to <= valid_from;

-- name: no_overlapping_membership_versions
SELECT org_id, federation_id, valid_from, valid_to, next_from
FROM (
    SELECT *, lead(valid_from) OVER (PARTITION BY org_id, federation_id ORDER BY valid_from) AS next_from
    FROM ledger.membership_versions
)
WHERE next_from IS NOT NULL AND (valid_to IS NULL OR valid_to > next_from);

-- name: no_overlapping_org_versions
SELECT org_id, valid_from, valid_to, next_from
FROM (
    SELECT *, lead(valid_from) OVER (PARTITION BY org_id ORDER BY valid_from) AS next_from
    FROM ledger.org_versions
)
WHERE next_from IS NOT NULL AND (valid_to IS NULL OR valid_to > next_from);

-- name: every_fact_has_an_article
SELECT s.statement_id, s.article_id FROM ledger.statements s
WHERE NOT EXISTS (SELECT 1 FROM ledger.articles a WHERE a.article_id = s.article_id);

-- name: membership_history_matches_log
(SELECT org_id, federation_id, role, valid_from, valid_to FROM ledger.membership_versions
 EXCEPT SELECT org_id, federation_id, role, valid_from, valid_to
        FROM ledger.membership_versions_at('infinity'::TIMESTAMPTZ, false))
UNION ALL
(SELECT org_id, federation_id, role, valid_from, valid_to
        FROM ledger.membership_versions_at('infinity'::TIMESTAMPTZ, false)
 EXCEPT SELECT org_id, federation_id, role, valid_from, valid_to FROM ledger.membership_versions);

-- name: org_history_matches_log
(SELECT org_id, name, valid_from, valid_to FROM ledger.org_versions
 EXCEPT SELECT org_id, name, valid_from, valid_to FROM ledger.org_versions_at('infinity'::TIMESTAMPTZ, false))
UNION ALL
(SELECT org_id, name, valid_from, valid_to FROM ledger.org_versions_at('infinity'::TIMESTAMPTZ, false)
 EXCEPT SELECT org_id, name, valid_from, valid_to FROM ledger.org_versions);

-- name: unique_ids
-- The log tables carry no primary key (migration 004): the load keeps ids unique, this verifies it.
SELECT 'article' AS kind, article_id AS id, count(*) AS copies FROM ledger.articles GROUP BY article_id HAVING count(*) > 1
UNION ALL
SELECT 'statement', statement_id, count(*) FROM ledger.statements GROUP BY statement_id HAVING count(*) > 1
UNION ALL
SELECT 'finding', finding_id, count(*) FROM ledger.findings GROUP BY finding_id HAVING count(*) > 1
UNION ALL
SELECT 'fetch', fetch_id, count(*) FROM ledger.fetches GROUP BY fetch_id HAVING count(*) > 1
UNION ALL
SELECT 'source_file', url, count(*) FROM ledger.source_files GROUP BY url HAVING count(*) > 1;
