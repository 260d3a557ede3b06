"""One writer per warehouse file, decided early.

A run takes an exclusive ``flock`` on ``<warehouse>.lock`` before it does any work. A second run on the
same file (a mistaken manual trigger while the schedule runs, two workers) gets a clear error at once
instead of fetching and parsing for nothing and then fighting over DuckDB's file lock. The lock is
released by the kernel when the process dies, so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime, timezone
from pathlib import Path


class WarehouseBusy(RuntimeError):
    """Another orgledger run is writing this warehouse."""


class RunLock:
    def __init__(self, warehouse: str | Path):
        self.path = Path(str(warehouse) + ".lock")
        self._handle = None

    def __enter__(self) -> "RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise WarehouseBusy(
                f"another orgledger run is writing {self.path.with_suffix('')} (holder: {holder}); "
                "this run stops before doing any work. Deployments run with a concurrency limit of 1 "
                "so scheduled runs queue instead."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "since": datetime.now(timezone.utc).isoformat()}))
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc) -> None:
        if self._handle is not None:
            self._handle.truncate(0)
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
