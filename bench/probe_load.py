"""Probe the warehouse load step by step (not part of bench/run.py's table).

Stage a corpus once, then load that stage into fresh warehouses as often as needed, printing each named
SQL step's time, the process's RSS after it and the peak RSS during it (sampled every 50 ms):

    .venv/bin/python bench/probe_load.py stage bench/corpora/corpus-100000 /tmp/stage100k.duckdb
    .venv/bin/python bench/probe_load.py load /tmp/stage100k.duckdb /tmp/w.duckdb --memory-limit 256MB
    .venv/bin/python bench/probe_load.py load … --set allocator_flush_threshold=16MB   # any DuckDB setting

Staging 100,000 pages takes about 11 minutes on two cores; each load about two.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rss_mb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def stage(corpus: str, out: str) -> None:
    """Read, parse and stage ``corpus`` as a flow run would (worker processes, overlapping batches)."""
    from concurrent.futures import ThreadPoolExecutor

    from flows import parallel
    from flows.ingest import parse_processes
    from flows.pipeline import expand_sources, fetch_pages, file_records
    from flows.settings import load_settings
    from warehouse.load import Stage

    settings = load_settings(None)
    processes = parse_processes(settings)
    locators, _, failures = expand_sources([corpus])

    def read_and_parse(batch):
        fetched = fetch_pages(batch)
        rows, _ = parallel.parse_in_pool(fetched.pages, settings.profiles, processes)
        return fetched, rows

    started = time.perf_counter()
    staged = Stage(Path(out))
    staged.add([], failures)
    batches = [locators[i:i + settings.batch_size] for i in range(0, len(locators), settings.batch_size)]
    with ThreadPoolExecutor(max_workers=processes) as pool:
        for fetched, rows in pool.map(read_and_parse, batches):
            staged.add_rows(rows)
            staged.add_files(file_records(fetched.page_refs()))
    parallel.shutdown()
    staged.finish()
    with open(out + ".pkl", "wb") as handle:  # the counters load_stage reads
        pickle.dump({k: v for k, v in staged.__dict__.items() if k != "con"}, handle)
    print(f"staged {staged.articles_read} pages in {time.perf_counter() - started:.1f} s, peak RSS {rss_mb()} MB")


def load(stage_path: str, warehouse: str, memory_limit: str, keys_per_chunk: int | None,
         settings: list[str] = ()) -> None:
    os.environ["ORGLEDGER_DUCKDB_MEMORY_LIMIT"] = memory_limit
    from warehouse import derive, load as load_module
    from warehouse.db import connect_writer

    peak = [0]

    def sample() -> None:
        while True:
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    for path in (warehouse, warehouse + ".wal"):
        if os.path.exists(path):
            os.remove(path)
    staged = load_module.Stage.__new__(load_module.Stage)
    with open(stage_path + ".pkl", "rb") as handle:
        staged.__dict__.update(pickle.load(handle))
    if keys_per_chunk:
        derive.KEYS_PER_CHUNK = keys_per_chunk
    real_run = load_module.run

    def traced(con, filename, name, params=None):
        started, peak[0] = time.perf_counter(), rss_mb()
        try:
            return real_run(con, filename, name, params)
        finally:
            print(f"{name:24s} {time.perf_counter() - started:7.1f} s  RSS {rss_mb():6d} MB  peak {peak[0]:6d} MB",
                  flush=True)

    load_module.run = derive.run = traced
    con = connect_writer(warehouse, timeout=5)
    for setting in settings:  # name=value, e.g. allocator_flush_threshold=16MB
        name, value = setting.split("=", 1)
        con.execute(f"SET {name} = $value", {"value": value})  # a setting's name cannot be a parameter
    started = time.perf_counter()
    summary = load_module.load_stage(con, staged, sources=["probe"])
    con.close()
    print(f"load {time.perf_counter() - started:.1f} s; summary {json.dumps(summary.as_dict())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("stage")
    p.add_argument("corpus")
    p.add_argument("out")
    p = commands.add_parser("load")
    p.add_argument("stage")
    p.add_argument("warehouse")
    p.add_argument("--memory-limit", default="256MB")
    p.add_argument("--keys-per-chunk", type=int)
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a DuckDB setting for the writer connection (repeatable)")
    args = parser.parse_args()
    if args.command == "stage":
        stage(args.corpus, args.out)
    else:
        load(args.stage, args.warehouse, args.memory_limit, args.keys_per_chunk, args.set)


if __name__ == "__main__":  # spawned parse workers import this module: only the parent runs
    main()
