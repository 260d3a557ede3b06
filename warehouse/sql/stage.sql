-- The run's staging database: rows accumulate here batch by batch while pages are fetched and parsed
-- (no lock on the warehouse is needed), then one transaction moves them into the warehouse
-- (load.sql reads them as stage.*). A file in a temporary folder for flow runs; in memory for
-- direct calls.

-- name: create
-- No primary keys: DuckDB keeps a key's index in memory, and a 100,000-page run stages millions of
-- statements. A page given twice in one run (two sources naming the same file, two URLs redirecting to
-- one) is staged once because Stage.add_rows drops the rows of a page already staged (the first read
-- wins, as for the article itself: staged_* below ask which are); ids are unique within a batch by
-- construction (records.rows_for).
CREATE TABLE IF NOT EXISTS articles (
    article_id VARCHAR, url VARCHAR, title VARCHAR, title_original VARCHAR, published_at TIMESTAMPTZ,
    source_name VARCHAR, body VARCHAR, body_original VARCHAR, content_hash VARCHAR, encoding VARCHAR,
    profile VARCHAR
);
CREATE TABLE IF NOT EXISTS statements (
    statement_id VARCHAR, article_id VARCHAR, entity_id VARCHAR, prop VARCHAR, value VARCHAR,
    object_id VARCHAR, valid_from DATE, evidence VARCHAR
);
CREATE TABLE IF NOT EXISTS findings (
    finding_id VARCHAR, article_url VARCHAR, article_id VARCHAR, kind VARCHAR, detail VARCHAR, evidence VARCHAR
);
CREATE TABLE IF NOT EXISTS files (
    url VARCHAR, size BIGINT, mtime_ns BIGINT, content_hash VARCHAR
);
CREATE TABLE IF NOT EXISTS fetches (
    kind VARCHAR, url VARCHAR, final_url VARCHAR, outcome VARCHAR, status INTEGER, attempts INTEGER,
    content_type VARCHAR, etag VARCHAR, last_modified VARCHAR, bytes BIGINT, body_sha256 VARCHAR,
    fetched_at TIMESTAMPTZ, elapsed_ms INTEGER, detail VARCHAR
);

-- The type of each column of a staged table, in table order (warehouse/arrow.py maps them to Arrow).
-- name: column_types
SELECT column_name, data_type FROM information_schema.columns
WHERE table_name = $table ORDER BY ordinal_position;

-- Each batch arrives as one Arrow array registered as `batch_rows` (Stage._insert, warehouse/arrow.py),
-- its fields named as the table's columns; dates and timestamps come as ISO 8601 text, cast here.
-- name: add_articles
INSERT INTO articles BY NAME SELECT * FROM batch_rows;

-- name: add_statements
INSERT INTO statements BY NAME SELECT * FROM batch_rows;

-- name: add_findings
INSERT INTO findings BY NAME SELECT * FROM batch_rows;

-- name: add_fetches
INSERT INTO fetches BY NAME SELECT * FROM batch_rows;

-- name: add_files
INSERT INTO files BY NAME SELECT * FROM batch_rows;

-- The keys of a batch that are staged already (Stage._staged): a scan of one column, no index needed.
-- name: staged_articles
SELECT DISTINCT article_id FROM articles WHERE article_id IN (SELECT unnest($keys::VARCHAR[]));

-- name: staged_failures
-- A page that could not be read has a finding without an article.
SELECT DISTINCT finding_id FROM findings
WHERE article_id IS NULL AND finding_id IN (SELECT unnest($keys::VARCHAR[]));

-- name: staged_files
SELECT DISTINCT url FROM files WHERE url IN (SELECT unnest($keys::VARCHAR[]));
