"""Re-derive history (ledger.org_versions, ledger.membership_versions) for the keys a load touched, or
for every key, chunk by chunk. Runs inside the caller's transaction.

A first load of a backfill touches every key: deriving them all at once needed gigabytes (window
functions over millions of statements), so keys are split into chunks of at most KEYS_PER_CHUNK by a
hash of the organization, and each chunk is derived from a temporary table holding only its own
statements, taken from the log for each chunk (load.sql: keep_affected … take_chunk). The tables are
the same for any chunk size (tests/test_history.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from .queries import run

LOAD_SQL = "load.sql"
# Measured on a 100,000-page first load (534,000 keys, 4.8M statements) with the writer's 256 MB limit,
# when chunks were copied from one copy of all affected statements: 25,000 keys a chunk took 22 chunks,
# and each chunk's copy re-read the spilled copy; 100,000 keys gave 6 chunks, 116 s for the whole load,
# 394 MB peak RSS.
KEYS_PER_CHUNK = 100_000


@dataclass
class Changes:
    orgs_new: int = 0
    orgs_changed: int = 0
    memberships_changed: int = 0


def rederive_history(con, *, everything: bool, now=None) -> Changes:
    """Re-derive the keys this load touched (statements recorded or superseded at ``now``), or every
    key when ``everything`` (identity resolution or the history definitions changed)."""
    run(con, LOAD_SQL, "resolve")
    if everything:
        run(con, LOAD_SQL, "affect_everything")
    else:
        run(con, LOAD_SQL, "affected_keys", {"now": now})
    run(con, LOAD_SQL, "keep_affected")
    keys = run(con, LOAD_SQL, "count_affected").fetchone()[0]
    changes = Changes()
    if keys == 0:  # an unchanged re-run: nothing to read
        run(con, LOAD_SQL, "clear_affected")
        return changes
    chunks = -(-keys // KEYS_PER_CHUNK)  # keys > 0 here
    run(con, LOAD_SQL, "gather_identity_statements")
    run(con, LOAD_SQL, "fingerprint_macros")
    for chunk in range(chunks):
        run(con, LOAD_SQL, "take_chunk", {"chunk": chunk, "chunks": chunks})
        run(con, LOAD_SQL, "snapshot_before")
        run(con, LOAD_SQL, "derive_versions")
        new, changed, memberships = run(con, LOAD_SQL, "change_counts").fetchone()
        changes.orgs_new += new
        changes.orgs_changed += changed
        changes.memberships_changed += memberships
    run(con, LOAD_SQL, "clear_affected")
    return changes
