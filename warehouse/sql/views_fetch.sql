-- Crawling: every fetch outcome (ok, not_modified, robots_disallowed, http_error, timeout,
-- connection_error, too_large, wrong_type, refused_address, redirect_limit, bad_scheme, off_site).
CREATE OR REPLACE VIEW main.fetch_log AS
SELECT url, outcome, status, kind, final_url, attempts, content_type, bytes, body_sha256, etag, last_modified,
       fetched_at, elapsed_ms, detail, run_id, fetch_id
FROM ledger.fetches;
