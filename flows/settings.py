"""Configuration: `config/orgledger.toml` by default. Relative paths in a config file are relative to the
directory holding that file, so the same config works from any working directory."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from parsers.profiles import SiteProfile

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "orgledger.toml"
# Pages per fetch/parse task. A task run costs Prefect about 0.1 s of CPU (flow and server; 1,000 pages in
# batches of 20 vs 200: 90 more task runs, 10.8 more CPU-s, of which 1.5 without Prefect), so fewer,
# larger batches are cheaper; a parse-batch spreads its pages over every parse process
# (flows.parallel.parse_read_in_pool), so a large batch does not leave cores idle.
DEFAULT_BATCH_SIZE = 500


def crawl_policy(raw: dict, allow_hosts: list[str] | tuple[str, ...] = ()):
    """The fetcher's policy from the config's [crawl] table, plus hosts allowed on the command line."""
    from .fetcher import CrawlPolicy

    known = set(CrawlPolicy.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise SystemExit(f"orgledger: unknown [crawl] settings {sorted(unknown)}")
    values = {**raw, "allow_hosts": frozenset(h.lower() for h in [*raw.get("allow_hosts", []), *allow_hosts])}
    return CrawlPolicy(**values)


@dataclass(frozen=True)
class Settings:
    config_path: Path
    sources: tuple[str, ...]
    warehouse: Path
    profiles: tuple[SiteProfile, ...]
    # How long a run waits for another process's connection to the warehouse file to go away.
    lock_timeout_seconds: float = 300.0
    # Pages per fetch/parse task (tasks, not pages, are what Prefect tracks: keep it well above 1).
    batch_size: int = DEFAULT_BATCH_SIZE
    # The schedule of the `daily` deployment served by `orgledger serve` (prefect.yaml carries the same).
    cron: str = "0 6 * * *"
    timezone: str = "Asia/Shanghai"
    # Where fetched bodies are archived (compressed, content-addressed) for `orgledger reparse`.
    archive: Path = PROJECT_ROOT / "data" / "archive"
    crawl: dict = field(default_factory=dict)  # the [crawl] table, see flows.fetcher.CrawlPolicy
    # When not empty, local sources must resolve inside one of these folders (a deployment's
    # `sources` parameter then cannot read arbitrary files).
    local_roots: tuple[str, ...] = ()
    # Where tasks run (see flows/runners.py): "threads" or "dask".
    task_runner: str = "threads"
    threads: int = 4
    # Worker processes that parse (flows/parallel.py) under the threads runner; 0: one per core.
    parse_processes: int = 0
    dask_workers: int = 2
    dask_address: str = ""

    def site(self, key: str) -> SiteProfile:
        for profile in self.profiles:
            if profile.key == key:
                return profile
        raise KeyError(f"no site {key!r} in {self.config_path} (known: {[p.key for p in self.profiles]})")


def config_path(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get("ORGLEDGER_CONFIG")
    return Path(env).expanduser().resolve() if env else DEFAULT_CONFIG


def _resolve(base: Path, value: str) -> str:
    if value.startswith(("http://", "https://")) or os.path.isabs(os.path.expanduser(value)):
        return os.path.expanduser(value)
    return str((base / value).resolve()) if not any(c in value for c in "*?[") else str(base / value)


def load_settings(path: str | os.PathLike | None = None) -> Settings:
    path = config_path(path)
    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise SystemExit(f"orgledger: config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SystemExit(f"orgledger: config file {path} is not valid TOML: {exc}") from None
    run = raw.get("run", {})
    base = path.parent
    return Settings(
        config_path=path,
        sources=tuple(_resolve(base, s) for s in run.get("sources", [])),
        warehouse=Path(_resolve(base, run.get("warehouse", "../data/orgledger.duckdb"))),
        profiles=tuple(SiteProfile.from_config(entry) for entry in raw.get("sites", [])),
        lock_timeout_seconds=float(run.get("lock_timeout_seconds", 300)),
        batch_size=int(run.get("batch_size", DEFAULT_BATCH_SIZE)),
        cron=str(raw.get("schedule", {}).get("cron", "0 6 * * *")),
        timezone=str(raw.get("schedule", {}).get("timezone", "Asia/Shanghai")),
        archive=Path(_resolve(base, run.get("archive", "../data/archive"))),
        crawl=dict(raw.get("crawl", {})),
        local_roots=tuple(_resolve(base, r) for r in run.get("local_roots", [])),
        task_runner=str(run.get("task_runner", "threads")),
        threads=int(run.get("threads", 4)),
        parse_processes=int(run.get("parse_processes", 0)),
        dask_workers=int(run.get("dask_workers", 2)),
        dask_address=str(run.get("dask_address", "")),
    )
