"""The ``orgledger`` command.

``orgledger run``   runs the Prefect flow ``ingest-news`` once and prints a summary.
``orgledger reparse`` runs it over the raw archive of fetched pages (no network), e.g. after a parser fix.
``orgledger serve`` serves the `daily` deployment from this process (needs a Prefect server).
``orgledger eval``  prints precision and recall of extraction on an evaluation set (tests/eval).
``orgledger check`` checks a warehouse's history invariants and that its tables match the log.
``orgledger parse`` shows what orgledger would extract from pages, writing nothing (no Prefect import:
                    it has to be fast enough to debug a page with).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys

from parsers.model import to_jsonable

from .settings import load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orgledger", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the ingest-news flow once and print a summary")
    run.add_argument("--source", action="append", metavar="PATH_OR_GLOB_OR_URL",
                     help="a file, directory, glob or http(s) URL; repeatable (default: config's sources)")
    run.add_argument("--config", metavar="FILE", help="config file (default: config/orgledger.toml)")
    run.add_argument("--warehouse", metavar="FILE", help="DuckDB file to write (default: config's warehouse)")
    run.add_argument("--allow-host", action="append", metavar="HOST", default=[],
                     help="fetch from HOST although it resolves to a loopback/private address; repeatable")
    run.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    reparse = sub.add_parser("reparse", help="rebuild from the raw archive of fetched pages (no network)")
    reparse.add_argument("--archive", metavar="DIR", help="archive folder (default: config's archive)")
    reparse.add_argument("--config", metavar="FILE", help="config file (default: config/orgledger.toml)")
    reparse.add_argument("--warehouse", metavar="FILE", help="DuckDB file to write (default: config's warehouse)")
    reparse.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    serve = sub.add_parser("serve", help="serve the `daily` deployment of ingest-news from this process")
    serve.add_argument("--config", metavar="FILE", help="config file (default: config/orgledger.toml)")

    evaluate = sub.add_parser("eval", help="precision and recall of extraction on an evaluation set",
                              add_help=False)
    evaluate.add_argument("rest", nargs=argparse.REMAINDER)

    check = sub.add_parser("check", help="integrity check of a warehouse file (read-only); exit 1 on violations")
    check.add_argument("--warehouse", metavar="FILE", help="DuckDB file (default: config's warehouse)")
    check.add_argument("--config", metavar="FILE", help="config file (default: config/orgledger.toml)")

    parse = sub.add_parser("parse", help="show what would be extracted from pages, writing nothing")
    parse.add_argument("inputs", nargs="+", metavar="FILE_OR_URL")
    parse.add_argument("--config", metavar="FILE", help="config file with site profiles")
    parse.add_argument("--json", action="store_true", help="one JSON object per input, one per line")
    parse.add_argument("--allow-host", action="append", metavar="HOST", default=[],
                       help="fetch from HOST although it resolves to a loopback/private address")
    return parser


def main(argv: list[str] | None = None) -> int:
    # `orgledger parse … | head` should end quietly, like any Unix tool.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = _parser().parse_args(argv)
    if args.command in ("run", "reparse"):
        return _run(args)
    if args.command == "check":
        return _check(args)
    if args.command == "serve":
        return _serve(args)
    if args.command == "eval":
        from parsers.evaluate import main as evaluate_main

        return evaluate_main(args.rest)
    return _parse(args)


def _serve(args) -> int:
    """The same deployment as prefect.yaml's, served by this process (no work pool or worker needed)."""
    _quiet_prefect_defaults()
    if not os.environ.get("PREFECT_API_URL"):
        from prefect.settings import PREFECT_API_URL

        if not PREFECT_API_URL.value():
            print("orgledger serve needs a running Prefect server: start one with `prefect server start` and "
                  "set PREFECT_API_URL=http://127.0.0.1:4200/api (a temporary server cannot take manual runs)",
                  file=sys.stderr)
            return 2
    from prefect.schedules import Cron

    from .ingest import ingest_news

    settings = load_settings(args.config)
    parameters = {"config": str(settings.config_path)} if args.config else {}
    ingest_news.serve(
        name="daily",
        schedules=[Cron(settings.cron, timezone=settings.timezone)],
        parameters=parameters,
        global_limit=1,  # one run at a time writes the warehouse
        limit=1,
        tags=["orgledger"],
    )
    return 0


def _check(args) -> int:
    from warehouse.check import check_warehouse
    from warehouse.db import connect_reader, pending_migrations

    path = args.warehouse or load_settings(args.config).warehouse
    con = connect_reader(path)
    try:
        pending = pending_migrations(con)
        if pending:
            print(f"orgledger check: {path} lacks migrations {pending}; run `orgledger run` (or any load) "
                  "to migrate it first", file=sys.stderr)
            return 2
        results = check_warehouse(con)
    finally:
        con.close()
    for result in results:
        print(f"{'ok  ' if result.ok else 'FAIL'}  {result.name}" + ("" if result.ok else f"  {result.violations} rows, e.g. {result.sample}"))
    return 0 if all(r.ok for r in results) else 1


def _quiet_prefect_defaults() -> None:
    """No analytics leave this machine unless the user asked for them."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _prefect_api_problem() -> str | None:
    """Why the configured Prefect API cannot be used, or None (also None when no API is configured:
    the run then starts a temporary server on 127.0.0.1, see flows/temporary_server.py)."""
    from prefect.settings import PREFECT_API_URL

    api = PREFECT_API_URL.value()
    if not api:
        return None
    import requests

    try:
        requests.get(api.rstrip("/") + "/health", timeout=10).raise_for_status()
    except requests.RequestException as exc:
        return (f"the Prefect API at {api} is not reachable ({type(exc).__name__}); start it "
                "(`prefect server start`) or unset PREFECT_API_URL to use a temporary server. Nothing was written.")
    return None


def _run(args) -> int:
    _quiet_prefect_defaults()
    problem = _prefect_api_problem()
    if problem:
        print(f"orgledger run failed: {problem}", file=sys.stderr)
        return 1
    from . import progress
    from .ingest import ingest_news
    from .temporary_server import prefect_api

    if args.command == "reparse":
        sources = [f"archive:{args.archive or load_settings(args.config).archive}"]
        allow_hosts = []
    else:
        sources, allow_hosts = args.source, args.allow_host
    bar = progress.TerminalBar()
    progress.add_listener(bar)
    try:
        with prefect_api():  # a temporary server on 127.0.0.1 when no PREFECT_API_URL is set
            summary = ingest_news(sources=sources, warehouse=args.warehouse, config=args.config,
                                  allow_hosts=allow_hosts)
    except Exception as exc:  # the flow run is already marked Failed; say why in one line
        print(f"orgledger run failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        progress.remove_listener(bar)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, sort_keys=True))
    else:
        print(format_summary(summary))
    return 0


def format_summary(s: dict) -> str:
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(s["finding_kinds"].items())) or "none"
    fetches = ", ".join(f"{k} {v}" for k, v in sorted(s["fetch_outcomes"].items())) or "none (local sources)"
    return "\n".join([
        f"warehouse      {s['warehouse']}",
        f"articles       {s['articles_read']} new or changed, {s['articles_unchanged']} unchanged, "
        f"{s['articles_failed']} failed",
        f"organizations  {s['orgs_new']} new, {s['orgs_changed']} changed, {s['orgs_unchanged']} unchanged",
        f"memberships    {s['memberships_changed']} changed",
        f"statements     {s['statements_new']} new",
        f"findings       {s['findings']} ({kinds})",
        f"fetches        {fetches}",
    ] + ([f"memory         DuckDB ran out of its memory limit {s['memory_retries']}x; retried with more "
          "(see the run's log)"] if s.get("memory_retries") else []))


def parse_result(extraction) -> dict:
    """The JSON shape of ``orgledger parse --json`` (also the golden files' shape)."""
    from parsers.extract import current_memberships

    a = extraction.article
    return to_jsonable({
        "source": a.source,
        "url": a.url,
        "title": a.title,
        "published_at": a.published_at,
        "source_name": a.source_name,
        "encoding": a.encoding,
        "profile": a.profile,
        "body": a.body,
        "organizations": [
            {"name": o.name, "province": o.province, "city": o.city, "org_type": o.org_type, "level": o.level,
             "county": o.county, "org_id": o.org_id, "aliases": list(o.aliases)}
            for o in extraction.organizations
        ],
        "memberships": [
            {"org_name": c.org_name, "role": c.role, "federation_name": c.federation_name,
             "valid_from": c.valid_from}
            for c in current_memberships(extraction.claims)
        ],
        "membership_claims": [
            {"org_name": c.org_name, "role": c.role, "federation_name": c.federation_name,
             "valid_from": c.valid_from, "evidence": c.evidence}
            for c in extraction.claims
        ],
        "membership_ends": [
            {"org_name": e.org_name, "federation_name": e.federation_name, "on": e.on, "wording": e.wording,
             "evidence": e.evidence}
            for e in extraction.ends
        ],
        "events": [{"org_name": e.org_name, "kind": e.kind, "on": e.on, "new_name": e.new_name,
                    "authority": e.authority, "credit_code": e.credit_code, "evidence": e.evidence}
                   for e in extraction.events],
        "grades": [{"org_name": g.org_name, "grade": g.grade, "previous_grade": g.previous_grade, "on": g.on,
                    "evidence": g.evidence} for g in extraction.grades],
        "credit_codes": [{"org_id": org_id, "code": code} for org_id, code, _ in extraction.credit_codes],
        "resolutions": [{"org_name": r.org_name, "surface": r.surface, "method": r.method}
                        for r in extraction.resolutions],
        "counts": extraction.counts,
        "statistics": extraction.statistics,
        "findings": extraction.findings,
    })


def _parse(args) -> int:
    from .pipeline import parse_one
    from .sources import SourceError, expand_source, fetch_page

    profiles = load_settings(args.config).profiles
    status = 0
    for spec in args.inputs:
        try:
            locators = expand_source(spec)
        except SourceError as exc:
            status = _report_error(args, spec, exc)
            continue
        for locator in locators:
            try:
                result = parse_result(parse_one(fetch_page(locator, tuple(args.allow_host)), profiles))
            except Exception as exc:
                status = _report_error(args, locator, exc)
                continue
            result["source"] = spec if len(locators) == 1 else locator
            print(json.dumps(result, ensure_ascii=False) if args.json else format_parse(result))
    return status


def _report_error(args, source: str, exc: Exception) -> int:
    if args.json:
        print(json.dumps({"source": source, "error": f"{type(exc).__name__}: {exc}"}, ensure_ascii=False))
    else:
        print(f"{source}: error: {type(exc).__name__}: {exc}", file=sys.stderr)
    return 1


def format_parse(r: dict) -> str:
    lines = [
        f"== {r['source']}",
        f"title         {r['title']}",
        f"published_at  {r['published_at']}",
        f"source        {r['source_name']}    encoding {r['encoding']}    profile {r['profile'] or 'generic'}",
        f"body          {len(r['body'])} characters in {r['body'].count(chr(10)) + 1 if r['body'] else 0} paragraphs",
        f"organizations ({len(r['organizations'])})",
    ]
    lines += [f"  {o['name']}  [{o['level'] or '-'}; {o['province'] or '-'}/{o['city'] or '-'}; {o['org_type']}]"
              for o in r["organizations"]]
    lines.append(f"memberships ({len(r['memberships'])})")
    lines += [f"  {m['org_name']}  {m['role']}  of {m['federation_name']}  from {m['valid_from']}"
              for m in r["memberships"]]
    if r["membership_ends"]:
        lines.append("membership ends")
        lines += [f"  {e['org_name']}  leaves {e['federation_name']} ({e['wording']})  on {e['on']}"
                  for e in r["membership_ends"]]
    if r["events"]:
        lines.append("events")
        lines += [f"  {e['org_name']} {e['kind']}{' → ' + e['new_name'] if e['new_name'] else ''} {e['on']}"
                  + (f"  by {e['authority']}" if e["authority"] else "")
                  + (f"  code {e['credit_code']}" if e["credit_code"] else "") for e in r["events"]]
    if r["grades"]:
        lines.append("grades")
        lines += [f"  {g['org_name']}  {g['grade']}" + (f" (was {g['previous_grade']})" if g["previous_grade"] else "")
                  + f"  {g['on']}" for g in r["grades"]]
    if r["resolutions"]:
        lines.append("resolved names")
        lines += [f"  {x['surface']} → {x['org_name']}  ({x['method']})" for x in r["resolutions"]]
    if r["statistics"]:
        lines.append("statistics")
        lines += [f"  {s['wording']}  = {s['value']:g}{s['unit']}  ({s['region']}, as of {s['as_of']})"
                  for s in r["statistics"]]
    lines.append(f"findings ({len(r['findings'])})")
    lines += [f"  {f['kind']}: {f['detail']}" for f in r["findings"]]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
