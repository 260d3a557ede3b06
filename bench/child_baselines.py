"""Measurements of the tools users would pick instead, run in the separate venv
``bench/.venv-baselines`` (gne, trafilatura, dlt[duckdb], pyarrow) so orgledger's dependencies stay
unchanged. One mode per child process, started by ``bench/run.py``; each writes one JSON object to
``--result``.

Modes:
  gne          ``GeneralNewsExtractor().extract(html)`` per page
  trafilatura  ``trafilatura.extract(html, with_metadata=True)`` per page
  dlt          dlt's scd2 merge into DuckDB, arrow input, explicit boundary timestamp per snapshot
  naive        a row-by-row scd2 upsert into DuckDB (executemany of single-row INSERT/UPDATE)

Both extractors get the page as decoded text (str): the charset is sniffed from the page's own
declaration (GB2312/GBK decoded as GB18030), else UTF-8; decoding is not timed, only the extractor call.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")  # before dlt is imported: no telemetry
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import corpus_files, cpu_tree, peak_self_mb  # noqa: E402

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def decode(data: bytes) -> str:
    m = _CHARSET.search(data)
    label = m.group(1).decode("ascii").lower() if m else "utf-8"
    codec = "gb18030" if label in ("gb2312", "gbk", "gb18030") else label
    try:
        return data.decode(codec, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")



def _extract_loop(files: list[Path], call) -> dict:
    seconds, cpu_seconds, failures, empty, chars = 0.0, 0.0, 0, 0, 0
    errors: dict[str, int] = {}
    for path in files:
        html = decode(path.read_bytes())
        t, cpu = time.perf_counter(), time.process_time()
        try:
            out = call(html)
        except Exception as exc:  # count, go on
            seconds += time.perf_counter() - t
            cpu_seconds += time.process_time() - cpu
            failures += 1
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            continue
        seconds += time.perf_counter() - t
        cpu_seconds += time.process_time() - cpu
        text = out.get("content", "") if isinstance(out, dict) else (out or "")
        if not text:
            empty += 1
        chars += len(text)
    return {"pages": len(files), "seconds": seconds, "cpu_seconds": cpu_seconds, "failures": failures, "errors": errors, "empty": empty,
            "chars": chars, "peak_rss_mb": peak_self_mb()}


def mode_gne(args) -> dict:
    from gne import GeneralNewsExtractor

    extractor = GeneralNewsExtractor()
    return _extract_loop(corpus_files(args.corpus, args.limit), extractor.extract)


def mode_trafilatura(args) -> dict:
    import trafilatura

    return _extract_loop(corpus_files(args.corpus, args.limit),
                         lambda html: trafilatura.extract(html, with_metadata=True))


# ---------------------------------------------------------------------------------------------------

COLUMNS = ("org_id", "name", "province", "city", "org_type", "level")


def mode_dlt(args) -> dict:
    import dlt
    import duckdb
    import pyarrow as pa
    from dlt.sources.helpers.transform import add_row_hash_to_table

    import snapshots

    snaps = snapshots.build(args.orgs, seed=args.seed)
    per = []
    with tempfile.TemporaryDirectory(prefix="bench-dlt-") as folder:

        def run(order: list[int], name: str) -> list[dict]:
            out = []
            target = str(Path(folder) / f"{name}.duckdb")
            pipeline = dlt.pipeline(pipeline_name=f"bench_scd2_{name}", pipelines_dir=str(Path(folder) / "pipelines"),
                                    destination=dlt.destinations.duckdb(target), dataset_name="bench")
            for k in order:
                snap = snaps[k]
                table = pa.table({c: [r[c] for r in snap["rows"]] for c in COLUMNS})  # input, not timed

                @dlt.resource(name="organizations", write_disposition={
                    "disposition": "merge", "strategy": "scd2", "boundary_timestamp": snap["boundary"],
                    "row_version_column_name": "row_hash"})
                def organizations():
                    yield table

                # dlt's documented way to give arrow rows a content hash for scd2 (pandas inside).
                resource = organizations().add_map(add_row_hash_to_table("row_hash"))

                t, cpu = time.perf_counter(), cpu_tree()
                pipeline.run(resource)
                out.append({"snapshot": k, "rows": len(snap["rows"]), "seconds": time.perf_counter() - t,
                            "cpu_seconds": cpu_tree() - cpu})
            return out, target

        per, target = run([0, 1], "forward")
        con = duckdb.connect(target, read_only=True)
        try:
            cols = [c[0] for c in con.execute("DESCRIBE bench.organizations").fetchall()]
            valid_from, valid_to = "_dlt_valid_from", "_dlt_valid_to"
            counts = dict(zip(("versions", "current", "closed"), con.execute(
                f"SELECT count(*), count(*) FILTER (WHERE {valid_to} IS NULL), count(*) FILTER (WHERE {valid_to} IS NOT NULL) "
                "FROM bench.organizations").fetchone()))
            forward = con.execute(f"SELECT {', '.join(COLUMNS)}, {valid_from}, {valid_to} FROM bench.organizations "
                                  "ORDER BY ALL").fetchall()
        finally:
            con.close()
        size_mb = Path(target).stat().st_size / 1e6
        reverse_per, reverse_target = run([1, 0], "reverse")
        con = duckdb.connect(reverse_target, read_only=True)
        try:
            reverse = con.execute(f"SELECT {', '.join(COLUMNS)}, _dlt_valid_from, _dlt_valid_to FROM bench.organizations "
                                  "ORDER BY ALL").fetchall()
        finally:
            con.close()
    return {"rows": sum(p["rows"] for p in per), "seconds": sum(p["seconds"] for p in per),
            "cpu_seconds": sum(p["cpu_seconds"] for p in per), "per_snapshot": per, "reverse": reverse_per, "order_independent": forward == reverse, "counts": counts, "columns": cols,
            "file_mb": size_mb, "dlt_version": dlt.__version__, "peak_rss_mb": peak_self_mb()}


def mode_naive(args) -> dict:
    """SCD2 by hand, row by row: read the current versions once, compare in Python, then write each
    change as its own single-row statement (executemany)."""
    from datetime import datetime

    import duckdb

    import snapshots

    snaps = snapshots.build(args.orgs, seed=args.seed)
    per = []
    with tempfile.TemporaryDirectory(prefix="bench-naive-") as folder:
        con = duckdb.connect(str(Path(folder) / "naive.duckdb"))
        con.execute("CREATE TABLE org_history (org_id VARCHAR, name VARCHAR, province VARCHAR, city VARCHAR, "
                    "org_type VARCHAR, level VARCHAR, valid_from TIMESTAMPTZ, valid_to TIMESTAMPTZ)")
        con.execute("CREATE INDEX org_history_key ON org_history (org_id)")
        for k in (0, 1):
            snap = snaps[k]
            boundary = datetime.fromisoformat(snap["boundary"])
            rows = snap["rows"]
            t, cpu = time.perf_counter(), time.process_time()
            con.execute("BEGIN TRANSACTION")
            current = {r[0]: r[1:] for r in con.execute(
                f"SELECT {', '.join(COLUMNS)} FROM org_history WHERE valid_to IS NULL").fetchall()}
            inserts, closes = [], []
            seen = set()
            for r in rows:
                values = tuple(r[c] for c in COLUMNS)
                seen.add(values[0])
                held = current.get(values[0])
                if held == values[1:]:
                    continue
                if held is not None:
                    closes.append((boundary, values[0]))
                inserts.append((*values, boundary))
            closes += [(boundary, key) for key in current if key not in seen]
            if closes:
                con.executemany("UPDATE org_history SET valid_to = ? WHERE org_id = ? AND valid_to IS NULL", closes)
            if inserts:
                con.executemany("INSERT INTO org_history VALUES (?, ?, ?, ?, ?, ?, ?, NULL)", inserts)
            con.execute("COMMIT")
            per.append({"snapshot": k, "rows": len(rows), "seconds": time.perf_counter() - t,
                        "cpu_seconds": time.process_time() - cpu, "inserts": len(inserts), "closes": len(closes)})
        counts = dict(zip(("versions", "current", "closed"), con.execute(
            "SELECT count(*), count(*) FILTER (WHERE valid_to IS NULL), count(*) FILTER (WHERE valid_to IS NOT NULL) "
            "FROM org_history").fetchone()))
        con.close()
    return {"rows": sum(p["rows"] for p in per), "seconds": sum(p["seconds"] for p in per),
            "cpu_seconds": sum(p["cpu_seconds"] for p in per), "per_snapshot": per, "counts": counts, "peak_rss_mb": peak_self_mb()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["gne", "trafilatura", "dlt", "naive"])
    parser.add_argument("--corpus")
    parser.add_argument("--result", required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    result = globals()[f"mode_{args.mode}"](args)
    Path(args.result).write_text(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
