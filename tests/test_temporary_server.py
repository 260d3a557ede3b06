"""The temporary Prefect server of ``orgledger run`` (flows/temporary_server.py): started on 127.0.0.1 in
its own process, without Prefect's server code in the flow's process, logs delivered, stopped after."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from .helpers import ROOT

pytestmark = pytest.mark.e2e

PROGRAM = """
import json, sys
import requests
from prefect import flow, get_run_logger
from flows.temporary_server import prefect_api

@flow(name="temporary-server-probe")
def probe() -> int:
    get_run_logger().info("hello from the probe")
    return 7

with prefect_api() as url:
    healthy = requests.get(url + "/health", timeout=5).status_code
    result = probe()
try:
    requests.get(url + "/health", timeout=5)
    after = "still up"
except requests.ConnectionError:
    after = "stopped"
print(json.dumps({"local": url.startswith("http://127.0.0.1:"), "healthy": healthy, "result": result,
                  "after": after, "server_code_imported": "prefect.server.api.server" in sys.modules}))
"""


def test_run_without_an_api_gets_its_own_server_and_stops_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {
        "PREFECT_HOME": str(tmp_path), "PREFECT_LOGGING_LEVEL": "INFO"}  # as users run it (the tests: WARNING)
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "local": True, "healthy": 200, "result": 7, "after": "stopped", "server_code_imported": False}
    assert "Error logging to API" not in done.stderr
    # The server kept the run and its logs, the last ones included (drained before it stopped).
    db = sqlite3.connect(tmp_path / "prefect.db")
    try:
        assert db.execute("SELECT name, state_name FROM flow_run").fetchall()[0][1] == "Completed"
        messages = [m for (m,) in db.execute("SELECT message FROM log ORDER BY timestamp")]
    finally:
        db.close()
    assert "hello from the probe" in messages
    assert messages[-1] == "Finished in state Completed()"


def test_a_configured_api_is_used_as_it_is():
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.temporary_server import prefect_api

    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}), prefect_api() as url:
        assert url is None
        assert PREFECT_API_URL.value() == "http://127.0.0.1:9/api"
