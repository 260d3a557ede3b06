"""Test set-up: Prefect isolated in a temporary home (no analytics, generous server start-up), golden
files with an ``--update-golden`` switch, and helpers shared by the tests."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile

import pytest

# Prefect reads its settings at import: isolate before anything imports it.
_PREFECT_HOME = tempfile.mkdtemp(prefix="orgledger-prefect-")
# Removed when the test process exits: registered first, so it runs after Prefect's own exit handlers.
atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_RESULTS_LOCAL_STORAGE_PATH"] = os.path.join(_PREFECT_HOME, "storage")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"  # Prefect's client-side analytics
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "180"
os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
os.environ.pop("PREFECT_API_URL", None)

from .helpers import GOLDEN  # noqa: E402


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from current output")


@pytest.fixture
def golden(request):
    """``golden(name, value)`` compares ``value`` with tests/golden/<name>.json as a whole."""
    update = request.config.getoption("--update-golden")

    def check(name: str, value):
        path = GOLDEN / f"{name}.json"
        text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        if update:
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"no golden file {path}; run pytest --update-golden and review the diff"
        assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text)

    return check


@pytest.fixture(scope="session")
def settings():
    from flows.settings import load_settings

    return load_settings()


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield
