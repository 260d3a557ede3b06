-- 002: every http(s) fetch outcome, one row per request (fetch_log view).
CREATE TABLE ledger.fetches (
    fetch_id        VARCHAR PRIMARY KEY,  -- sha256 over run, url, kind, fetched_at
    run_id          VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,     -- article | listing | robots
    url             VARCHAR NOT NULL,     -- as requested
    final_url       VARCHAR,              -- after redirects
    outcome         VARCHAR NOT NULL,     -- ok | not_modified | robots_disallowed | http_error | timeout | …
    status          INTEGER,
    attempts        INTEGER NOT NULL,
    content_type    VARCHAR,
    etag            VARCHAR,
    last_modified   VARCHAR,
    bytes           BIGINT,
    body_sha256     VARCHAR,              -- the archived body (archive/bodies/…)
    fetched_at      TIMESTAMPTZ NOT NULL,
    elapsed_ms      INTEGER NOT NULL,
    detail          VARCHAR NOT NULL
);
