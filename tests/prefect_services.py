"""A real Prefect server and process worker on 127.0.0.1 for deployment tests: own PREFECT_HOME, no
analytics, started from Python in their own process groups (a worker started with `&` from a
non-interactive shell ignores SIGTERM) and stopped with their children."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prefect_env(home: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_PREFETCH_SECONDS": "5",
        "PREFECT_RESULTS_LOCAL_STORAGE_PATH": str(home / "storage"),
        # The deployed schedule (06:00 Asia/Shanghai = 22:00 UTC) must not fire in tests: with the
        # scheduler on, a suite running across 22:00 UTC ran the real daily job (default sources, the
        # clone's data/orgledger.duckdb) beside the tests' own runs.
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    })
    return env


class Service:
    def __init__(self, args: list[str], env: dict, log: Path, cwd: Path):
        self.log = log
        self.handle = open(log, "wb")
        self.proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=self.handle, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def stop(self, grace: float = 20.0) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.handle.close()

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


class PrefectStack:
    """Server (+ optionally a worker) for one test module."""

    def __init__(self, home: Path, cwd: Path):
        self.home, self.cwd = home, cwd
        self.port = free_port()
        self.env = prefect_env(home, self.port)
        self.api = self.env["PREFECT_API_URL"]
        self.services: list[Service] = []

    def start_server(self, timeout: float = 180.0) -> None:
        server = Service([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
                         self.env, self.home / "server.log", self.cwd)
        self.services.append(server)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.proc.poll() is not None:
                raise RuntimeError(f"prefect server exited:\n{server.tail()}")
            try:
                if requests.get(f"{self.api}/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"prefect server did not become healthy in {timeout}s:\n{server.tail()}")

    def start_worker(self, pool: str) -> Service:
        worker = Service([str(BIN / "prefect"), "worker", "start", "--pool", pool, "--limit", "4"],
                         self.env, self.home / "worker.log", self.cwd)
        self.services.append(worker)
        return worker

    def cli(self, *args: str, timeout: float = 300.0) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "prefect"), *args], env=self.env, cwd=self.cwd, capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()

    # REST helpers (what the UI and any client see)
    def flow_run(self, run_id: str) -> dict:
        return requests.get(f"{self.api}/flow_runs/{run_id}", timeout=10).json()

    def states(self, run_id: str) -> list[str]:
        rows = requests.get(f"{self.api}/flow_run_states/", params={"flow_run_id": run_id}, timeout=10).json()
        return [row["name"] for row in sorted(rows, key=lambda r: r["timestamp"])]

    def artifacts(self, run_id: str) -> dict[str, dict]:
        body = {"artifacts": {"flow_run_id": {"any_": [run_id]}}}
        rows = requests.post(f"{self.api}/artifacts/filter", data=json.dumps(body), timeout=10).json()
        return {row["key"]: row for row in rows if row.get("key")}

    def wait_terminal(self, run_id: str, timeout: float = 300.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.flow_run(run_id)
            if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                return run
            time.sleep(1)
        raise TimeoutError(f"flow run {run_id} not finished after {timeout}s: {self.flow_run(run_id)['state']}")
