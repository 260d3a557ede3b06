-- Organizations' evaluation grades and registration events, from the statement log (props documented in
-- warehouse/records.py). Re-created after views.sql on every connect; names and the first columns are a
-- contract. org_id is resolved through renames and credit codes; org_name is main.org_names' latest name.

-- Every grade an article gave an organization (社会组织评估等级), with the previous grade when the article
-- states the change (由4A级降为3A级). valid_from is the date the text gives, else the publish date.
CREATE OR REPLACE VIEW main.grades AS
WITH res AS (SELECT * FROM ledger.org_resolution_at('infinity'::TIMESTAMPTZ))
SELECT coalesce(r.to_id, g.entity_id) AS org_id, n.name AS org_name, g.value AS grade,
       p.value AS previous_grade, g.valid_from, a.url AS article_url, g.evidence, a.published_at, g.statement_id
FROM ledger.statements g
JOIN ledger.articles a USING (article_id)
LEFT JOIN ledger.statements p
       ON p.prop = 'previous_grade' AND p.superseded_at IS NULL AND p.article_id = g.article_id
      AND p.entity_id = g.entity_id AND p.valid_from IS NOT DISTINCT FROM g.valid_from
LEFT JOIN res r ON r.from_id = g.entity_id
LEFT JOIN main.org_names n ON n.org_id = coalesce(r.to_id, g.entity_id)
WHERE g.prop = 'grade' AND g.superseded_at IS NULL;

-- Registration events (成立登记 'registered', 变更登记 'changed', 更名 'renamed', 注销登记 'deregistered',
-- 撤销登记 'revoked') with the registration authority and the organization's 统一社会信用代码 as the same
-- article gives them (only codes that pass both checks are ever recorded; invalid ones are quality
-- findings). on_date is the date the text states, else the article's publish date.
CREATE OR REPLACE VIEW main.registration_events AS
WITH res AS (SELECT * FROM ledger.org_resolution_at('infinity'::TIMESTAMPTZ)),
codes AS (
    SELECT article_id, entity_id, min(value) AS credit_code
    FROM ledger.statements WHERE prop = 'credit_code' AND superseded_at IS NULL
    GROUP BY article_id, entity_id
)
SELECT coalesce(r.to_id, e.entity_id) AS org_id, n.name AS org_name, e.prop AS kind,
       e.valid_from AS on_date, b.value ->> 'authority' AS authority, c.credit_code, a.url AS article_url,
       e.evidence, CASE WHEN e.prop = 'renamed' THEN e.value END AS new_name, a.published_at, e.statement_id
FROM ledger.statements e
JOIN ledger.articles a USING (article_id)
LEFT JOIN ledger.statements b
       ON b.prop = 'registered_by' AND b.superseded_at IS NULL AND b.article_id = e.article_id
      AND b.entity_id = e.entity_id AND b.valid_from IS NOT DISTINCT FROM e.valid_from
      AND b.value ->> 'kind' = e.prop
LEFT JOIN codes c ON c.article_id = e.article_id AND c.entity_id = e.entity_id
LEFT JOIN res r ON r.from_id = e.entity_id
LEFT JOIN main.org_names n ON n.org_id = coalesce(r.to_id, e.entity_id)
WHERE e.prop IN ('registered', 'changed', 'renamed', 'deregistered', 'revoked') AND e.superseded_at IS NULL;
