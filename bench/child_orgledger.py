"""Measurements that run in orgledger's own venv (``.venv``), one per child process, started by
``bench/run.py``. Each mode writes one JSON object to ``--result``. Not meant to be run by hand (but it
can be: ``.venv/bin/python bench/child_orgledger.py bs4 --corpus DIR --result out.json``).

Modes:
  bs4      bare ``BeautifulSoup(page_bytes, "lxml")`` over every page, one process (the parse baseline);
           also the same over text decoded beforehand (informational)
  cores    the same parse on one process and on one process per core, alternating: what the other
           cores add on this machine
  flow     the real Prefect flow ``ingest_news(sources=[corpus], warehouse=W)``, with the temporary Prefect
           server ``orgledger run`` starts (flows/temporary_server.py); a no-op flow runs first so the
           server's start is timed separately. With ``--served``, against a standing
           ``prefect server start`` on a loopback port instead (started by this process, stopped after):
           how scheduled deployments run, without the server's code in the flow's process
  direct   the same steps without Prefect: expand → read → parse into rows on the flow's worker processes →
           stage (in the config's batches, overlapping like the flow's) → load_stage, with a time breakdown
  profile  cProfile of ``flows.pipeline.parse_pages`` (the function the flow's parse-batch task runs)
  load     orgledger's warehouse load of the synthetic snapshots (see bench/snapshots.py)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

T_START = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
# The product code to measure: a snapshot made by run.py (so concurrent edits in the work tree cannot
# change the code under measurement mid-run), else the work tree itself.
CODE = Path(os.environ.get("ORGLEDGER_BENCH_CODE") or ROOT)
sys.path.insert(0, str(CODE))
sys.path.insert(0, str(Path(__file__).resolve().parent))
if CODE.resolve() != ROOT:
    # The venv's editable install would serve a module the snapshot lacks from the work tree instead.
    sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "__module__", "").startswith("__editable__")]

from measure import corpus_files, cpu_tree, parse_bare, peak_self_mb  # noqa: E402




# ---------------------------------------------------------------------------------------------------


def mode_bs4(args) -> dict:
    from bs4 import BeautifulSoup

    from parsers.encoding import decode_html

    files = corpus_files(args.corpus, args.limit)
    started, cpu = time.perf_counter(), time.process_time()
    nodes = parse_bare([str(p) for p in files])
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    # Informational: the same parse over text decoded beforehand (decode not timed).
    text_seconds = 0.0
    for path in files:
        text = decode_html(path.read_bytes()).text
        t = time.perf_counter()
        BeautifulSoup(text, "lxml").decompose()
        text_seconds += time.perf_counter() - t
    return {"pages": len(files), "seconds": seconds, "cpu_seconds": cpu_seconds, "with_body": nodes,
            "text_seconds": text_seconds,
            "peak_rss_mb": peak_self_mb()}


def mode_interleaved(args) -> dict:
    """Per-page CPU of orgledger's worker (read + parse + extract + rows) and of the bare BeautifulSoup
    parse, in alternating chunks of 100 pages in one process: a machine whose speed drifts during a
    run (this one's did, by 2x within an hour) slows both sides alike, so the ratio stays true.

    Every other chunk, the worker's work is done step by step instead, timing each step (``stages``):
    where a page's time goes, measured the same drift-free way. The chunks alternate (not both arms over
    one chunk) because a second pass over the same pages would find the extractor's caches warm."""
    from flows.parallel import parse_to_rows
    from flows.pipeline import read_sources
    from flows.settings import load_settings

    profiles = load_settings().profiles
    files = corpus_files(args.corpus, args.limit or 3000)
    parse_to_rows(read_sources([str(p) for p in files[:20]]).load_pages(), profiles)  # imports, caches
    bs4_cpu = orgledger_cpu = stage_bs4_cpu = 0.0
    pages = stage_pages = 0
    stages: dict[str, float] = {}
    for number, start in enumerate(range(0, len(files), 100)):
        chunk = [str(p) for p in files[start:start + 100]]
        cpu = time.process_time()
        parse_bare(chunk)
        bare = time.process_time() - cpu
        if number % 2:
            stage_bs4_cpu, stage_pages = stage_bs4_cpu + bare, stage_pages + len(chunk)
            for stage, seconds in worker_stages(chunk, profiles).items():
                stages[stage] = stages.get(stage, 0.0) + seconds
            continue
        bs4_cpu, pages = bs4_cpu + bare, pages + len(chunk)
        cpu = time.process_time()
        parse_to_rows(read_sources(chunk).load_pages(), profiles)
        orgledger_cpu += time.process_time() - cpu
    return {"pages": pages, "bs4_cpu_seconds": bs4_cpu, "orgledger_cpu_seconds": orgledger_cpu,
            "stage_pages": stage_pages, "stage_bs4_cpu_seconds": stage_bs4_cpu, "stage_cpu_seconds": stages,
            "peak_rss_mb": peak_self_mb()}


def worker_stages(paths: list[str], profiles: tuple) -> dict[str, float]:
    """CPU seconds of each step of flows.parallel.parse_to_rows over ``paths``: read the files, decode
    and build the article (parse_page: decoding, BeautifulSoup's pruned tree, title/body/date rules),
    extract organizations (extract), and make the warehouse rows (rows_for: ids, JSON, columns; failed
    pages' findings are left out, the benchmark corpus has none)."""
    from flows.pipeline import parse_article, read_sources
    from parsers.extract import extract
    from warehouse.records import rows_for

    clock = time.process_time
    t0 = clock()
    pages = read_sources(paths).load_pages()
    for page in pages:
        page.sha256  # the content hash: computed while reading, as the flow's fetch-batch does
    t1 = clock()
    parse = extract_s = 0.0
    extractions = []
    for page in pages:
        a = clock()
        try:
            article = parse_article(page, profiles)
        except Exception:  # a failed page is parsed no further (the worker records it as a finding)
            parse += clock() - a
            continue
        b = clock()
        extractions.append(extract(article))
        parse, extract_s = parse + b - a, extract_s + clock() - b
    c = clock()
    rows_for(extractions, [])
    return {"read": t1 - t0, "parse_page": parse, "extract": extract_s, "rows_for": clock() - c}


def mode_cores(args) -> dict:
    """How much this machine's other cores add to the bare parse. Each chunk of 200 pages is parsed by one
    spawned process, then by one spawned process per core (pages dealt round-robin), in alternation, so
    drift slows both alike; every worker is a fresh interpreter with the same imports (the same parse in
    this process, which imports more, ran slower in one comparison). ``one_seconds / all_seconds`` is what
    perfectly parallel parsing gains here: the ceiling of the flow's ratio to the one-process baseline at
    equal per-page work. (Two busy vCPUs share caches and memory bandwidth, sometimes a physical core.)"""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    files = [str(p) for p in corpus_files(args.corpus, args.limit or 2000)]
    cores = len(os.sched_getaffinity(0))
    spawn = multiprocessing.get_context("spawn")
    one = every = 0.0
    with ProcessPoolExecutor(1, mp_context=spawn) as single, ProcessPoolExecutor(cores, mp_context=spawn) as pool:
        list(single.map(parse_bare, [files[:1]]))  # start and import in every worker, untimed
        list(pool.map(parse_bare, [files[:1]] * cores))
        for start in range(0, len(files), 200):
            chunk = files[start:start + 200]
            t = time.perf_counter()
            single.submit(parse_bare, chunk).result()
            one += time.perf_counter() - t
            t = time.perf_counter()
            list(pool.map(parse_bare, [chunk[i::cores] for i in range(cores)]))
            every += time.perf_counter() - t
    return {"pages": len(files), "cores": cores, "one_seconds": one, "all_seconds": every,
            "peak_rss_mb": peak_self_mb()}


# ---------------------------------------------------------------------------------------------------


def _standing_server():
    """``prefect server start`` on a free loopback port, in the Prefect home run.py gave this child: the
    tests' own server helper (its own process group, so stopping it stops uvicorn too)."""
    sys.path.append(str(ROOT))  # after the measured code's folder, so `flows` still comes from there
    from tests.prefect_services import PrefectStack

    home = Path(os.environ.get("PREFECT_HOME") or tempfile.mkdtemp())
    home.mkdir(parents=True, exist_ok=True)  # run.py names a folder it has not made (the server logs there)
    stack = PrefectStack(home, cwd=Path.cwd())
    stack.start_server()
    return stack


def mode_flow(args) -> dict:
    server = None
    if args.served:  # before prefect is imported: its settings are read at import
        server = _standing_server()
        os.environ["PREFECT_API_URL"] = server.api
    try:
        return _flow(args) | {"served": bool(server)}
    finally:
        if server is not None:
            server.stop()


def _flow(args) -> dict:
    t_import = time.perf_counter()
    from prefect import flow

    from flows.ingest import ingest_news

    import_seconds = time.perf_counter() - t_import
    api = _prefect_api()()
    t = time.perf_counter()
    with api:
        server_seconds = time.perf_counter() - t  # ~0 when Prefect starts its own (in the first no-op flow)
        return _timed_flow(args, ingest_news, flow) | {"import_seconds": import_seconds,
                                                       "server_start_seconds": server_seconds}


def _prefect_api():
    """The temporary server `orgledger run` starts when no API is set (a no-op with one); for code from
    before it, Prefect's own (which imports the server's code into this process)."""
    try:
        from flows.temporary_server import prefect_api
    except ImportError:
        return contextlib.nullcontext
    return prefect_api


def _timed_flow(args, ingest_news, flow) -> dict:
    @flow(name="bench-noop")
    def noop() -> int:
        return 1

    t = time.perf_counter()
    noop()
    noop_seconds = time.perf_counter() - t
    t = time.perf_counter()
    noop()
    noop_warm_seconds = time.perf_counter() - t

    t, cpu = time.perf_counter(), cpu_tree()
    result = ingest_news(sources=[args.corpus], warehouse=args.warehouse)
    flow_seconds, flow_cpu = time.perf_counter() - t, cpu_tree() - cpu
    if hasattr(result, "result"):  # a Completed state (some pages failed)
        result = result.result()
    return {"noop_first_seconds": noop_seconds,
            "noop_warm_seconds": noop_warm_seconds, "flow_seconds": flow_seconds,
            "cpu_seconds": flow_cpu, "process_cpu_seconds": cpu_tree(),
            "process_seconds": time.perf_counter() - T_START, "summary": result,
            "peak_rss_mb": peak_self_mb()}


# ---------------------------------------------------------------------------------------------------


def mode_direct(args) -> dict:
    """The flow's steps as plain calls, in the config's batches, on a fresh warehouse (so, like the flow's
    first run, nothing is known yet and every page is parsed): expand → read → spool → parse into packed
    rows on the same worker processes as the flow (flows.parallel) → unpack → stage → load_stage. The
    flow's window of batches in flight (two per worker), on at most its task runner's threads, consumed
    as they complete, so the difference to the flow is Prefect alone. Code from before pages were
    spooled (no parse_read_in_pool) runs read → parse_in_pool → stage; code from before rows were packed
    (no PackedRows) stages the rows parse_read_in_pool returns as they are."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, as_completed, wait

    from flows import parallel
    from flows.ingest import parse_processes
    from flows.pipeline import expand_sources, fetch_pages
    from flows.settings import load_settings
    from warehouse.db import connect_writer
    from warehouse.load import Stage, load_stage

    timings = dict.fromkeys(("expand", "read_parse_stage", "load"), 0.0)
    started, cpu = time.perf_counter(), cpu_tree()
    settings = load_settings(None)
    processes = parse_processes(settings)
    as_the_flow = hasattr(parallel, "parse_read_in_pool")
    if as_the_flow:  # both exist wherever parse_read_in_pool does (70ed4a9)
        from flows.pipeline import file_records, spool_pages
    t = time.perf_counter()
    locators, _, failures = expand_sources([args.corpus])
    timings["expand"] = time.perf_counter() - t

    with tempfile.TemporaryDirectory(prefix="bench-direct-") as folder:
        def read_and_parse(batch):
            if not as_the_flow:
                fetched = fetch_pages(batch)
                return fetched, parallel.parse_in_pool(fetched.pages, settings.profiles, processes)[0], []
            # As fetch-batch does; and, as there, the bytes read are not held while the batch is parsed
            # (held, four threads of 500-page batches raised this child's peak RSS from 341 to 440 MB).
            read = spool_pages(fetch_pages(batch), folder)
            refs = read.page_refs()
            rows, _ = parallel.parse_read_in_pool(read, {r.url for r in refs}, settings.profiles, processes)
            if read.spool:
                Path(read.spool).unlink(missing_ok=True)
            return read, rows, file_records(refs)

        def consume(read, rows, files) -> None:
            stage.add_rows(rows.unpack() if hasattr(rows, "unpack") else rows)  # here, as the flow's consumer does
            if files:
                stage.add_files(files)
            if read.failures:
                stage.add([], read.failures)

        stage = Stage(Path(folder) / "stage.duckdb")
        stage.add([], failures)
        t = time.perf_counter()
        batches = [locators[i:i + settings.batch_size] for i in range(0, len(locators), settings.batch_size)]
        if as_the_flow:  # the flow's window (flows.ingest._fetch_parse_and_stage), on its runner's threads
            window = max(2, 2 * processes)
            threads = min(window, getattr(settings, "threads", window))
        else:
            window = threads = processes
        with ThreadPoolExecutor(max_workers=threads) as pool:
            in_flight: set = set()
            for batch in batches:
                if len(in_flight) >= window:
                    done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        consume(*future.result())
                in_flight.add(pool.submit(read_and_parse, batch))
            for future in as_completed(in_flight):
                consume(*future.result())
        parallel.shutdown()
        stage.finish()
        timings["read_parse_stage"] = time.perf_counter() - t
        t = time.perf_counter()
        con = connect_writer(args.warehouse, timeout=settings.lock_timeout_seconds)
        try:
            summary = load_stage(con, stage, sources=[args.corpus])
        finally:
            con.close()
        timings["load"] = time.perf_counter() - t
    seconds, cpu_seconds = time.perf_counter() - started, cpu_tree() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "timings": timings, "summary": summary.as_dict(),
            "pages": len(locators), "processes": processes, "as_the_flow": as_the_flow,
            "process_seconds": time.perf_counter() - T_START, "peak_rss_mb": peak_self_mb()}


# ---------------------------------------------------------------------------------------------------


def mode_profile(args) -> dict:
    import cProfile
    import io
    import pstats

    from flows.pipeline import fetch_pages, parse_pages
    from flows.settings import load_settings

    settings = load_settings(None)
    files = [str(p.resolve()) for p in corpus_files(args.corpus, args.limit)]
    pages = fetch_pages(files).pages
    profiler = cProfile.Profile()
    t = time.perf_counter()
    profiler.enable()
    extractions, failures = parse_pages(pages, settings.profiles)
    profiler.disable()
    seconds = time.perf_counter() - t
    profiler.dump_stats(args.prof)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(40)
    rows = []
    for (filename, line, name), (cc, nc, tt, ct, _callers) in stats.stats.items():
        rows.append({"function": f"{Path(filename).name}:{line}({name})", "path": filename, "ncalls": nc,
                     "tottime": tt, "cumtime": ct})
    rows.sort(key=lambda r: r["cumtime"], reverse=True)
    by_tottime = sorted(rows, key=lambda r: r["tottime"], reverse=True)[:25]
    return {"pages": len(pages), "seconds_profiled": seconds, "failures": len(failures),
            "top_cumulative": rows[:60], "top_tottime": by_tottime, "text": out.getvalue()}


# ---------------------------------------------------------------------------------------------------


def mode_load(args) -> dict:
    from datetime import datetime, timedelta, timezone

    import snapshots
    from parsers.model import Article, Event, Extraction, Organization
    from warehouse.check import check_warehouse
    from warehouse.db import connect_writer
    from warehouse.load import Stage, load_stage

    snaps = snapshots.build(args.orgs, seed=args.seed)
    shanghai = timezone(timedelta(hours=8))

    def extractions_for(k: int) -> list[Extraction]:
        """One snapshot as articles of 100 organizations each: a profile statement per organization (its
        five attributes), and a 注销登记 (deregistered) event for each organization that is gone."""
        snap = snaps[k]
        when = datetime.fromisoformat(snap["boundary"]).astimezone(shanghai)
        rows, gone = snap["rows"] + snap["gone_rows"], {r["org_id"] for r in snap["gone_rows"]}
        out = []
        for start in range(0, len(rows), 100):
            chunk = rows[start:start + 100]
            article = Article(source="bench", url=f"https://bench.invalid/snapshot{k}/{start // 100}.html",
                              title=f"snapshot {k} part {start // 100}", published_at=when, source_name=None,
                              paragraphs=[], paragraphs_original=[], title_original=None, encoding="utf-8",
                              encoding_evidence="default", profile=None,
                              content_hash=f"{k}-{start}")
            orgs = [Organization(org_id=r["org_id"], name=r["name"], province=r["province"], city=r["city"],
                                 county=None, division_code=None, org_type=r["org_type"], level=r["level"])
                    for r in chunk]
            events = [Event(org_id=r["org_id"], org_name=r["name"], kind="deregistered", on=when.date(),
                            evidence=f"{r['name']}注销登记") for r in chunk if r["org_id"] in gone]
            out.append(Extraction(article=article, organizations=orgs, events=events))
        return out

    def load_into(path: Path, order: list[int]) -> dict:
        per = []
        for k in order:
            extractions = extractions_for(k)  # building the input objects is not timed
            t, cpu = time.perf_counter(), time.process_time()
            with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
                stage = Stage(Path(folder) / "stage.duckdb")
                for i in range(0, len(extractions), 50):
                    stage.add(extractions[i:i + 50])
                stage.finish()
                t_staged = time.perf_counter()
                con = connect_writer(path)
                try:
                    summary = load_stage(con, stage, sources=["bench"],
                                         now=datetime.now(timezone.utc))
                finally:
                    con.close()
            per.append({"snapshot": k, "rows": len(snaps[k]["rows"]), "seconds": time.perf_counter() - t,
                        "cpu_seconds": time.process_time() - cpu,
                        "stage_seconds": t_staged - t, "load_seconds": time.perf_counter() - t_staged,
                        "statements_new": summary.statements_new, "orgs_new": summary.orgs_new,
                        "orgs_changed": summary.orgs_changed,
                        "memory_retries": getattr(summary, "memory_retries", None)})  # None: code before the count
        return {"per_snapshot": per}

    def history(path: Path) -> list[tuple]:
        import duckdb

        con = duckdb.connect(str(path), read_only=True)
        try:
            return con.execute(
                "SELECT org_id, name, province, city, org_type, level, valid_from, valid_to "
                "FROM ledger.org_versions ORDER BY ALL").fetchall()
        finally:
            con.close()

    with tempfile.TemporaryDirectory(prefix="bench-orgledger-load-") as folder:
        forward = Path(folder) / "forward.duckdb"
        result = load_into(forward, [0, 1])
        size_mb = forward.stat().st_size / 1e6
        reference = history(forward)
        con = connect_writer(forward)
        try:
            checks = {c.name: c.violations for c in check_warehouse(con)}
            counts = dict(zip(("statements", "org_versions", "current_orgs", "closed_orgs"), con.execute(
                "SELECT (SELECT count(*) FROM ledger.statements), (SELECT count(*) FROM ledger.org_versions), "
                "(SELECT count(*) FROM ledger.org_versions WHERE valid_to IS NULL), "
                "(SELECT count(*) FROM ledger.org_versions WHERE valid_to IS NOT NULL)").fetchone()))
        finally:
            con.close()
        reverse = Path(folder) / "reverse.duckdb"
        reverse_result = load_into(reverse, [1, 0])
        same = history(reverse) == reference
    rows = sum(p["rows"] for p in result["per_snapshot"])
    seconds = sum(p["seconds"] for p in result["per_snapshot"])
    cpu_seconds = sum(p["cpu_seconds"] for p in result["per_snapshot"])
    return {"rows": rows, "seconds": seconds, "cpu_seconds": cpu_seconds, **result, "reverse": reverse_result,
            "order_independent": same, "checks": checks, "counts": counts, "file_mb": size_mb,
            "peak_rss_mb": peak_self_mb()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["bs4", "flow", "direct", "profile", "load", "interleaved", "cores"])
    parser.add_argument("--corpus")
    parser.add_argument("--warehouse")
    parser.add_argument("--result", required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--prof")
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--served", action="store_true", help="flow: against a standing Prefect server")
    args = parser.parse_args()
    result = globals()[f"mode_{args.mode}"](args)
    if "flows" in sys.modules:
        result["code"] = str(Path(sys.modules["flows"].__file__).resolve().parent.parent)
    Path(args.result).write_text(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
