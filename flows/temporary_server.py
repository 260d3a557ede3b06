"""The temporary Prefect server ``orgledger run`` starts when no ``PREFECT_API_URL`` is set.

Prefect would start one itself (``SubprocessASGIServer``: the API under uvicorn in a child process), but
to do so it imports the whole server application (FastAPI, SQLAlchemy, the ORM models) into the flow's
own process: about 80 MB of RSS that the run never uses (a 100,000-page run peaked at 510.6 MB with
Prefect's temporary server and at 433.6 MB with this one; bench/README.md). So the run starts the same
child process without that import: the same command and environment as Prefect's, on a free port of
127.0.0.1, stopped when the run ends.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

# As Prefect's SubprocessASGIServer sets them: no UI, and only the background services Prefect runs in
# its own temporary servers.
_SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


class TemporaryServerError(RuntimeError):
    """The temporary Prefect server did not start (its errors went to the run's stderr)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def prefect_api() -> Iterator[str | None]:
    """Within the block, Prefect talks to the configured API, or else to a temporary server started
    here (yields its URL; None when an API is configured)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield None
        return
    with _temporary_server() as url, temporary_settings({PREFECT_API_URL: url}):
        try:
            yield url
        finally:
            _drain_prefect_clients()


def _drain_prefect_clients() -> None:
    """Send the logs and events Prefect still buffers while the server is up (Prefect does the same
    before stopping its own temporary server); else they fail against a closed port at exit."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):  # a worker that never started has nothing to send
            worker.drain_all(timeout=10)


@contextlib.contextmanager
def _temporary_server() -> Iterator[str]:
    import prefect
    from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, get_current_settings

    port = free_port()
    env = {**os.environ, **get_current_settings().to_environment_variables(exclude_unset=True), **_SERVER_ENV}
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(prefect.__file__).parent.parent),
               "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "error", "--lifespan", "on"]
    # In the run's process group, as Prefect starts it: a Ctrl-C or a signal to the group reaches both.
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(process, url, max(20, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()))
        yield url
    finally:
        _stop(process)


def _wait_healthy(process: subprocess.Popen, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise TemporaryServerError(f"the temporary Prefect server exited with code {process.returncode}")
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise TemporaryServerError(f"the temporary Prefect server at {url} was not up within {timeout:.0f} s "
                               "(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS sets the wait)")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM (uvicorn serves in that one process), SIGKILL after 5 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
