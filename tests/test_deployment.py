"""The `daily` deployment for real: a Prefect server and a process worker on 127.0.0.1, the deployment
registered from prefect.yaml, runs triggered with `prefect deployment run`, checked through the API."""

from __future__ import annotations

import json
import re
import time
import tomllib
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import duckdb
import pytest
import yaml

from .helpers import ROOT, SAMPLES
from .http_server import running
from .prefect_services import BIN, PrefectStack, Service

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect-home")
    stack = PrefectStack(home, ROOT)
    try:
        stack.start_server()
        created = stack.cli("work-pool", "create", "orgledger", "--type", "process")
        assert created.returncode == 0, created.stdout + created.stderr
        deployed = stack.cli("--no-prompt", "deploy", "--name", "daily")
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        stack.worker = stack.start_worker("orgledger")
        yield stack
    finally:
        stack.stop()


def trigger(stack: PrefectStack, **params) -> str:
    args = ["deployment", "run", "ingest-news/daily"]
    for key, value in params.items():
        args += ["--param", f"{key}={json.dumps(value)}"]
    done = stack.cli(*args)
    assert done.returncode == 0, done.stdout + done.stderr
    return re.search(r"UUID:\s*([0-9a-f-]{36})", done.stdout).group(1)


def rows(path: Path, sql: str):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_schedule_matches_config():
    deployment = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"][0]
    config = tomllib.loads((ROOT / "config" / "orgledger.toml").read_text())["schedule"]
    assert (deployment["name"], deployment["entrypoint"]) == ("daily", "flows/ingest.py:ingest_news")
    assert deployment["schedules"][0]["cron"] == config["cron"]
    assert deployment["schedules"][0]["timezone"] == config["timezone"] == "Asia/Shanghai"
    assert deployment["concurrency_limit"]["limit"] == 1


def test_deployment_run_writes_the_warehouse_and_artifacts(stack, tmp_path):
    warehouse = tmp_path / "deployed.duckdb"
    run_id = trigger(stack, sources=[str(SAMPLES), str(tmp_path / "missing.html")], warehouse=str(warehouse))
    run = stack.wait_terminal(run_id)
    assert run["state"]["type"] == "COMPLETED", (run["state"], stack.worker.tail())
    assert run["state"]["message"] == "1 page(s) failed; see the findings artifact"
    assert rows(warehouse, "SELECT role, count(*) FROM memberships GROUP BY role ORDER BY role") == [
        ("会员单位", 15), ("常务理事单位", 1), ("理事单位", 3)]
    artifacts = stack.artifacts(run_id)
    assert set(artifacts) == {"ingest-news-summary", "ingest-news-findings", "ingest-news-progress"}
    table = json.loads(artifacts["ingest-news-summary"]["data"])
    assert {row["measure"]: row["value"] for row in table} == {
        "pages seen": 4, "pages new or changed": 3, "pages unchanged": 0, "pages failed": 1,
        "organizations new": 20, "organizations changed": 0, "organizations unchanged": 0,
        "memberships changed": 19, "statements new": 224, "quality findings": 4}
    markdown = artifacts["ingest-news-findings"]["data"]
    assert "## count_mismatch" in markdown and "## read_error" in markdown
    assert str(tmp_path / "missing.html") in markdown
    assert artifacts["ingest-news-progress"]["data"] == 100.0


def test_run_with_nothing_readable_fails(stack, tmp_path):
    run_id = trigger(stack, sources=[str(tmp_path / "nothing" / "*.html")], warehouse=str(tmp_path / "n.duckdb"))
    run = stack.wait_terminal(run_id)
    assert run["state"]["type"] == "FAILED"
    assert not (tmp_path / "n.duckdb").exists()


class _SlowPage(BaseHTTPRequestHandler):
    body = (SAMPLES / "seed-clean-utf8.html").read_bytes()

    def do_GET(self):  # noqa: N802
        time.sleep(6)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def test_overlapping_triggers_run_one_after_the_other(stack, tmp_path):
    with running(_SlowPage) as base:
        url = f"{base}/slow.html"
        warehouse = str(tmp_path / "shared.duckdb")
        params = dict(sources=[url], warehouse=warehouse, allow_hosts=["127.0.0.1"], archive=str(tmp_path / "archive"))
        first = trigger(stack, **params)
        second = trigger(stack, **params)
        runs = [stack.wait_terminal(first), stack.wait_terminal(second)]
    assert [r["state"]["type"] for r in runs] == ["COMPLETED", "COMPLETED"]
    runs.sort(key=lambda r: r["start_time"])
    assert runs[1]["start_time"] >= runs[0]["end_time"]  # never two writers at once
    assert "AwaitingConcurrencySlot" in stack.states(runs[1]["id"])
    assert rows(Path(warehouse), "SELECT count(*) FROM ledger.runs") == [(2,)]


DASK_RUN = """
import json, sys
from flows.ingest import ingest_news
print(json.dumps(ingest_news(sources=sys.argv[2:], warehouse=sys.argv[1])))
"""


def _config_with(tmp_path, name: str, **run_settings) -> Path:
    text = (ROOT / "config" / "orgledger.toml").read_text(encoding="utf-8")
    for key, value in run_settings.items():
        text = re.sub(rf"(?m)^{key} = .*$", f"{key} = {json.dumps(value)}", text)
    path = ROOT / "config" / f".test-{name}-{tmp_path.name}.toml"  # beside the real one: same relative paths
    path.write_text(text, encoding="utf-8")
    return path


def test_dask_runner_gives_the_same_tables(stack, tmp_path):
    """Fetch and parse on a local Dask cluster of two worker processes: the same warehouse as threads."""
    import subprocess
    import sys

    from .helpers import FIXTURES
    from .test_faults import tables

    sources = [str(SAMPLES), str(FIXTURES / "history"), str(FIXTURES / "site" / "*.html")]
    results = {}
    for runner in ("threads", "dask"):
        config = _config_with(tmp_path, runner, task_runner=runner, dask_workers=2, batch_size=2,
                              archive=str(tmp_path / "archive"))
        try:
            env = {**stack.env, "ORGLEDGER_CONFIG": str(config)}
            done = subprocess.run([sys.executable, "-c", DASK_RUN, str(tmp_path / f"{runner}.duckdb"), *sources],
                                  env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
        finally:
            config.unlink()
        assert done.returncode == 0, done.stderr[-3000:]
        results[runner] = json.loads(done.stdout.strip().splitlines()[-1])
    assert (results["threads"]["task_runner"], results["dask"]["task_runner"]) == ("ThreadPoolTaskRunner", "DaskTaskRunner")
    assert results["dask"]["articles_read"] == results["threads"]["articles_read"] == 9
    assert tables(tmp_path / "dask.duckdb") == tables(tmp_path / "threads.duckdb")


def test_the_deployed_schedule_never_fires_in_tests(stack):
    """The test server's scheduler is off (prefect_services.prefect_env): with it on, the deployed cron
    put three runs on the calendar within seconds, the next at 22:00 UTC, which a suite running then
    executed against the clone's own data/orgledger.duckdb. Before the serve test: its re-registration
    of the deployment drops scheduled runs."""
    import requests

    runs = requests.post(f"{stack.api}/flow_runs/filter", json={}, timeout=30).json()
    assert runs and [r["name"] for r in runs if r["auto_scheduled"]] == []


def test_orgledger_serve_takes_manual_runs(stack, tmp_path):
    """`orgledger serve` registers the same deployment from one process (runs last: it takes the name)."""
    serve = Service([str(BIN / "orgledger"), "serve"], stack.env, tmp_path / "serve.log", ROOT)
    try:
        deadline = time.monotonic() + 120
        while "ingest-news/daily" not in serve.log.read_text(errors="replace"):
            assert serve.proc.poll() is None and time.monotonic() < deadline, serve.tail()
            time.sleep(0.5)
        warehouse = tmp_path / "served.duckdb"
        run_id = trigger(stack, sources=[str(SAMPLES / "seed-gb2312-noisy.html")], warehouse=str(warehouse))
        run = stack.wait_terminal(run_id)
    finally:
        serve.stop()
    assert run["state"]["type"] == "COMPLETED", serve.tail()
    assert rows(warehouse, "SELECT count(*) FROM memberships") == [(19,)]
