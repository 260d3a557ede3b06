"""Measuring helpers shared by the benchmark's child processes (each runs in its own venv, with this
folder on sys.path)."""

from __future__ import annotations

import os
import resource
from pathlib import Path

PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".txt")


def corpus_files(corpus: str, limit: int | None = None) -> list[Path]:
    files = sorted(p for p in Path(corpus).rglob("*") if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES)
    return files[:limit] if limit else files


def cpu_tree(pid: int | None = None) -> float:
    """CPU seconds (user + system) of this process and all its descendants, live or exited and waited
    for, from /proc: catches subprocesses too (the Prefect server, parse workers, dlt's workers), which
    time.process_time() would not."""
    pid = pid or os.getpid()
    tick = os.sysconf("SC_CLK_TCK")
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/stat", "rb") as f:
                stat = f.read().decode("utf-8", "replace")
            fields = stat[stat.rindex(")") + 2:].split()
            # utime + stime, plus cutime + cstime: children that already exited and were waited for
            # (the parse worker processes, stopped at the end of a run) count too.
            total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / tick
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    stack += [int(c) for c in f.read().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def peak_self_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parse_bare(paths: list[str]) -> int:
    """The parse baseline's work: ``BeautifulSoup(bytes, "lxml")`` of each page (bs4 sniffs the encoding).
    Returns how many pages came out with a <body>. Module level, so spawned worker processes can run it."""
    from bs4 import BeautifulSoup

    with_body = 0
    for path in paths:
        soup = BeautifulSoup(Path(path).read_bytes(), "lxml")
        with_body += soup.body is not None
        soup.decompose()
    return with_body
