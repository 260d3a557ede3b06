-- 003: what each local source file looked like when its stored content was read, so that a run can
-- tell an unchanged file by its size and modification time without reading it (as make, rsync and
-- git do). A file whose mtime was too recent to trust when read is not recorded (see flows.sources).
CREATE TABLE ledger.source_files (
    url             VARCHAR PRIMARY KEY,  -- file:// URI, as ledger.articles.url
    size            BIGINT NOT NULL,
    mtime_ns        BIGINT NOT NULL,
    content_hash    VARCHAR NOT NULL,     -- sha256 of the bytes read then
    recorded_at     TIMESTAMPTZ NOT NULL
);
