"""orgledger benchmark suite (issue 7): one command, one table. Not a timed test.

    .venv/bin/python bench/run.py --pages 1000 [--pages 10000 ...] [--skip-slow]

For each corpus size it generates (or reuses) a corpus with bench/generate.py, then measures, each in
its own child process (so every figure has its own peak RSS and nothing is cached across measures):

  1  bare BeautifulSoup(page_bytes, "lxml") over every page, one process — the parse baseline
  2  orgledger end to end through the real Prefect flow (read → parse → normalize → stage → load), with
     and without the ephemeral Prefect server's start
  3  GNE and trafilatura over the same pages (in bench/.venv-baselines)
  5  a second flow run over the unchanged corpus, same warehouse
  6  peak RSS of the flow's process (and of the flow + Prefect server tree, sampled from /proc), with the
     ephemeral server and with a standing `prefect server start` (as deployments run; also timed under 2)
  7  the same steps called directly, without Prefect → Prefect's overhead

and once per invocation:

  4  warehouse load of the same synthetic statements (N organizations × 5 attributes, two snapshots: 10 %
     changed, 5 % new, 2 % gone): orgledger vs dlt scd2 (arrow, explicit boundary timestamps) vs a naive
     row-by-row upsert, plus whether each keeps the same history when the snapshots arrive in the
     other order
  P  cProfile of the flow's parse step (flows.pipeline.parse_pages) over the first 1000 pages

Children run in a private network namespace (``unshare -n``, loopback only) when the machine allows it,
so nothing can leave the machine; Prefect analytics are off and PREFECT_HOME is a fresh temp folder.
Everything a run measured is written to bench/results/ (JSON + the printed table as Markdown).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402

PRODUCT_PY = ROOT / ".venv" / "bin" / "python"
BASELINE_VENV = BENCH / ".venv-baselines"
BASELINE_PY = BASELINE_VENV / "bin" / "python"
# lxml_html_clean by name: gne imports lxml.html.clean, and lxml 6.1 no longer has the html_clean extra
# that trafilatura asks for (the venv was left without it and gne failed to import).
BASELINE_PACKAGES = ["gne", "trafilatura", "lxml_html_clean", "dlt[duckdb]", "pyarrow", "pandas"]
PAGE_SIZE_BYTES = 110_000  # disk estimate per page (the generator's mean is ≈105 KB)


# ---------------------------------------------------------------------------------------------------
# Child processes: wall time, exact peak RSS (wait4), sampled peak RSS of the whole process tree


def _netns_ok() -> bool:
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    try:
        return subprocess.run(["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True,
                              timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _tree_rss_mb(root_pid: int) -> float:
    """Resident memory of ``root_pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode("utf-8", "replace")
            fields = stat[stat.rindex(")") + 2:].split()
            pid, ppid = int(entry), int(fields[1])
            rss[pid] = int(fields[21]) * page
            children.setdefault(ppid, []).append(pid)
        except (OSError, ValueError, IndexError):
            continue
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total / 1e6


class Rate:
    """n items in ``wall`` seconds (and ``cpu`` CPU seconds, when known)."""

    def __init__(self, n: int, wall: float, cpu: float | None, rate: bool = True):
        self.n, self.wall, self.cpu, self.is_rate = n, wall, cpu, rate

    def per_second(self) -> float | None:
        return self.n / self.wall if self.is_rate and self.wall else None

    def ratio(self, other: "Rate") -> tuple[float, float | None]:
        """How many times faster this is than ``other`` (wall, cpu)."""
        cpu = (other.cpu / other.n) / (self.cpu / self.n) if self.cpu and other.cpu else None
        return (other.wall / other.n) / (self.wall / self.n), cpu


def _busy_jiffies() -> int:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal …: busy = all but idle and iowait
    return sum(fields[:3]) + sum(fields[5:8])


MEMORY_RETRY = "DuckDB ran out of its"  # the start of warehouse.db.with_memory_fallback's warning


def memory_retries(result: dict, log: str) -> int:
    """How often the child's loads ran out of DuckDB's memory limit and were retried with more: the
    ``memory_retries`` its LoadSummaries report (anywhere in the result), or, for code from before
    LoadSummary counted them, the warnings in its log."""
    reported = []

    def walk(value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "memory_retries" and isinstance(item, int):
                    reported.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(result)
    return sum(reported) if reported else log.count(MEMORY_RETRY)


class Child:
    def __init__(self, runner: "Runner", label: str, python: Path, script: str, args: list[str],
                 env: dict | None = None):
        self.runner, self.label = runner, label
        self.result_path = runner.results / f"{runner.stamp}-{label}.json"
        self.log_path = runner.results / f"{runner.stamp}-{label}.log"
        cmd = [str(python), str(BENCH / script), *args, "--result", str(self.result_path)]
        if runner.netns:
            cmd = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', *cmd]
        self.cmd, self.env = cmd, env

    def run(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "ORGLEDGER_"))}
        env.update({"ORGLEDGER_BENCH_CODE": str(self.runner.code), "PYTHONHASHSEED": "0", "DO_NOT_TRACK": "1", "RUNTIME__DLTHUB_TELEMETRY": "false",
                    "RUNTIME__LOG_LEVEL": "ERROR", "PYTHONDONTWRITEBYTECODE": "1"})
        env.update(self.env or {})
        self.result_path.unlink(missing_ok=True)
        print(f"  … {self.label}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        busy_before, own_before = _busy_jiffies(), time.process_time()
        with open(self.log_path, "wb") as log:
            proc = subprocess.Popen(self.cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=str(ROOT))
            peak = [0.0]
            done = threading.Event()

            def sample():
                while not done.wait(0.5):
                    peak[0] = max(peak[0], _tree_rss_mb(proc.pid))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            done.set()
            sampler.join()
        wall = time.perf_counter() - started
        tick = os.sysconf("SC_CLK_TCK")
        child_cpu = usage.ru_utime + usage.ru_stime
        busy = (_busy_jiffies() - busy_before) / tick
        # CPU used on the machine by anything but this child (and this runner) while it ran, in cores.
        others = max(0.0, busy - child_cpu - (time.process_time() - own_before)) / max(wall, 1e-9)
        if proc.returncode != 0 or not self.result_path.exists():
            tail = self.log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{self.label} failed (exit {proc.returncode}); log {self.log_path}:\n{tail}")
        result = json.loads(self.result_path.read_text())
        result["_wall_seconds"] = wall
        result["_maxrss_mb"] = usage.ru_maxrss / 1024  # the largest single process of the child's tree
        result["_tree_peak_mb"] = peak[0]
        result["_cpu_seconds"] = child_cpu
        result["_others_cores"] = others
        # A load that ran out of the writer's memory limit is retried with more (warehouse.db): faster and
        # bigger than the product as configured, so every row of this child says so.
        result["_memory_retries"] = memory_retries(result, self.log_path.read_text(errors="replace"))
        print(f"    done in {wall:.1f} s (cpu {child_cpu:.1f} s; other processes used {others:.1f} cores meanwhile)",
              file=sys.stderr, flush=True)
        return result


def mean_of(runs: list[dict]) -> dict:
    """One child's figures from several runs of it: times (and any other numbers) averaged, peak memory
    (keys naming rss or peak, at any depth) the largest; the first run's for everything else."""
    if len(runs) == 1:
        return runs[0]

    def merge(values: list, key: str = ""):
        first = values[0]
        if all(v == first for v in values):
            return first
        if isinstance(first, dict) and all(isinstance(v, dict) for v in values):
            return {k: merge([v[k] for v in values], k) if all(k in v for v in values) else first[k]
                    for k in first}
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return max(values) if "rss" in key or "peak" in key else sum(values) / len(values)
        return first  # strings (run ids), lists, a None in one run: the first run's

    return merge(runs)


def bracket_note(runs: list[dict], key: str) -> str:
    """How far apart the runs before and after the flow were (the machine's drift meanwhile)."""
    if len(runs) < 2:
        return ""
    before, after = runs[0][key], runs[-1][key]
    if len(runs) == 2:
        return f"; mean of runs before and after the flow: {before:.1f} s, {after:.1f} s ({after / before - 1:+.0%})"
    return (f"; mean of {len(runs)} runs around the flows: " + ", ".join(f"{r[key]:.1f}" for r in runs)
            + f" s (last vs first {after / before - 1:+.0%})")


def overhead_estimates(flow: dict, served: dict, direct_runs: list[dict]) -> dict[str, tuple]:
    """Prefect's overhead as flow ÷ direct − 1 (wall, cpu) and the difference in seconds (wall, cpu), for
    each flow that has direct runs on both sides: the first flow (temporary server) between the first two
    direct runs, the standing-server flow between the last two. Without bracketing, the first flow
    against the one direct run."""
    def estimate(run: dict, around: list[dict]) -> tuple:
        direct = mean_of(around)
        wall, cpu = direct["seconds"], direct["cpu_seconds"]
        return (run["flow_seconds"] / wall - 1, run["cpu_seconds"] / cpu - 1,
                run["flow_seconds"] - wall, run["cpu_seconds"] - cpu)

    estimates = {"flow": estimate(flow, direct_runs[:2])}
    if len(direct_runs) >= 3:
        estimates["standing-server flow"] = estimate(served, direct_runs[1:3])
    return estimates


# ---------------------------------------------------------------------------------------------------


def snapshot_code(spec: str) -> tuple[Path, str]:
    """A private copy of the product code (flows, parsers, warehouse, config) to measure: the work tree
    as it is now (``worktree``), or a git revision (``HEAD``, a sha) exported with ``git archive``."""
    folder = Path(tempfile.mkdtemp(prefix="orgledger-bench-code-"))
    parts = ["flows", "parsers", "warehouse", "config"]
    if spec == "worktree":
        for part in parts:
            shutil.copytree(ROOT / part, folder / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--", *parts], cwd=ROOT,
                               capture_output=True, text=True).stdout.splitlines()
        label = f"work tree at {datetime.now():%H:%M:%S} (HEAD {head.stdout.strip()}" + (
            f" + {len(dirty)} changed/new files in {', '.join(parts)})" if dirty else ", clean)")
    else:
        rev = subprocess.run(["git", "rev-parse", "--short", spec], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()
        archive = subprocess.run(["git", "archive", "--format=tar", rev, *parts], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
        label = f"git {spec} ({rev})"
    return folder, label


class Runner:
    def __init__(self, args):
        self.args = args
        self.code, self.code_label = snapshot_code(args.code)
        self.results = Path(args.results).resolve()
        self.results.mkdir(parents=True, exist_ok=True)
        self.stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.netns = not args.no_netns and _netns_ok()
        self.rows: list[dict] = []
        self.raw: dict = {"started": self.stamp, "netns": self.netns, "sizes": {}, "machine": machine(),
                          "code": self.code_label}

    # -- helpers
    def child(self, label, python, script, args, env=None) -> dict:
        return Child(self, label, python, script, args, env).run()

    def row(self, size, item, measure, n, unit, value, child, versus="", ratio=None, target="", met=None,
            note=""):
        """``value`` is a Rate (timed rows), a number of MB (unit "MB"), or None; ``ratio`` is a (wall, cpu)
        pair; ``met`` a predicate applied to each ratio (or, without a ratio, to None)."""
        wall_ratio, cpu_ratio = ratio if ratio else (None, None)
        if callable(met):
            met_wall = met(wall_ratio) if (wall_ratio is not None or ratio is None) else None
            met_cpu = met(cpu_ratio) if cpu_ratio is not None else None
        else:
            met_wall = met_cpu = met
        if child and child.get("_memory_retries"):
            note = f"{note}; DuckDB ran out of its memory limit {child['_memory_retries']:g}× and retried with more"
        self.rows.append({"size": size, "item": item, "measure": measure, "n": n, "unit": unit,
                          "seconds": value.wall if isinstance(value, Rate) else None,
                          "cpu_seconds": value.cpu if isinstance(value, Rate) else None,
                          "rate": value.per_second() if isinstance(value, Rate) else value,
                          "versus": versus, "ratio": wall_ratio, "ratio_cpu": cpu_ratio, "target": target,
                          "met": met_wall, "met_cpu": met_cpu,
                          "others_cores": child.get("_others_cores") if child else None, "note": note})

    def bracketing(self, pages: int) -> bool:
        """Whether the baseline and the direct calls also run after the flow (see measure_size)."""
        return not self.args.no_bracket and not (self.args.skip_slow and pages > 10_000)

    # -- the corpus
    def corpus(self, pages: int) -> Path:
        path = Path(self.args.corpus_root).resolve() / f"corpus-{pages}"
        if not generate.manifest_ok(path, pages, self.args.seed):
            need = pages * PAGE_SIZE_BYTES
            free = shutil.disk_usage(path.parent if path.parent.exists() else Path(self.args.corpus_root).parent).free
            if need * 1.5 > free:
                raise SystemExit(f"not enough disk for {pages} pages: need ≈{need / 1e9:.1f} GB (+50 % margin), "
                                 f"{free / 1e9:.1f} GB free")
            print(f"generating {pages} pages into {path}", file=sys.stderr)
        generate.generate(pages, path, seed=self.args.seed, jobs=2, quiet=False)
        return path

    # -- one size
    def measure_size(self, pages: int) -> None:
        corpus = self.corpus(pages)
        manifest = json.loads((corpus / "manifest.json").read_text())
        raw = self.raw["sizes"][pages] = {"corpus": str(corpus), "manifest": manifest}
        size = f"{pages:,}"
        print(f"\n== {pages} pages ({manifest['bytes'] / 1e6:.0f} MB) ==", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="orgledger-bench-") as tmp:
            tmp = Path(tmp)
            # The baseline and the direct calls run before and after the flow, and each figure is the mean of
            # the two: this machine's speed drifts by a third within minutes, and a measure taken minutes
            # from the flow's compared drift, not code (stop 16: the suite said +21.5 % Prefect overhead
            # where adjacent runs said 3 %). With linear drift the mean is what the flow's moment would give.
            bracket = self.bracketing(pages)
            bs4_runs = [self.child(f"{pages}-bs4", PRODUCT_PY, "child_orgledger.py", ["bs4", "--corpus", str(corpus)])]

            def direct_run(when: str) -> dict:
                return self.child(f"{pages}-direct{when}", PRODUCT_PY, "child_orgledger.py",
                                  ["direct", "--corpus", str(corpus), "--warehouse", str(tmp / f"direct{when}.duckdb")])

            direct_runs = [direct_run("")] if bracket else []
            prefect_env = {"PREFECT_HOME": str(tmp / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                           "DO_NOT_TRACK": "1", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}
            warehouse = tmp / "flow.duckdb"
            flow1 = raw["flow1"] = self.child(f"{pages}-flow-run1", PRODUCT_PY, "child_orgledger.py",
                                              ["flow", "--corpus", str(corpus), "--warehouse", str(warehouse)],
                                              prefect_env)
            flow2 = raw["flow2"] = self.child(f"{pages}-flow-run2-unchanged", PRODUCT_PY, "child_orgledger.py",
                                              ["flow", "--corpus", str(corpus), "--warehouse", str(warehouse)],
                                              prefect_env)
            raw["warehouse_mb"] = warehouse.stat().st_size / 1e6 if warehouse.exists() else None
            direct_runs.append(direct_run("-after" if bracket else ""))
            if bracket:
                bs4_runs.append(self.child(f"{pages}-bs4-after", PRODUCT_PY, "child_orgledger.py",
                                           ["bs4", "--corpus", str(corpus)]))
            # Against a standing `prefect server start` (how scheduled deployments run), with a Prefect home
            # of its own: a shared one would hand it flow1's cached parse results.
            served = raw["flow_served"] = self.child(
                f"{pages}-flow-served", PRODUCT_PY, "child_orgledger.py",
                ["flow", "--served", "--corpus", str(corpus), "--warehouse", str(tmp / "served.duckdb")],
                prefect_env | {"PREFECT_HOME": str(tmp / "prefect-home-served")})
            if bracket:
                # A third direct run after the standing-server flow: each flow then has direct runs on both
                # sides, and the overhead is the mean of two bracketed estimates instead of one (one flow run
                # between two direct runs read anywhere from +4.7 % to +13.9 % over four suites).
                direct_runs.append(direct_run("-last"))
            ab = raw["interleaved"] = self.child(f"{pages}-interleaved", PRODUCT_PY, "child_orgledger.py",
                                                 ["interleaved", "--corpus", str(corpus), "--limit", "3000"])
            cores = raw["cores"] = self.child(f"{pages}-cores", PRODUCT_PY, "child_orgledger.py",
                                              ["cores", "--corpus", str(corpus), "--limit", "2000"])
        raw["bs4_runs"], raw["direct_runs"] = bs4_runs, direct_runs
        bs4, direct = raw["bs4"], raw["direct"] = mean_of(bs4_runs), mean_of(direct_runs)

        base = Rate(pages, bs4["seconds"], bs4["cpu_seconds"])
        self.row(size, "1", "BeautifulSoup(bytes, 'lxml'), one process — parse baseline", pages, "pages", base,
                 bs4, ratio=(1.0, 1.0), note="read + parse" + bracket_note(bs4_runs, "seconds"))
        text = Rate(pages, bs4["text_seconds"], None)
        self.row(size, "1", "  same, over text decoded beforehand (decode untimed)", pages, "pages", text, bs4,
                 "bs4 baseline", (base.wall / text.wall, None))

        on_cores = Rate(cores["pages"], cores["all_seconds"], None)
        self.row(size, "1b", f"  same on {cores['cores']} processes (one per core), alternating with one process",
                 cores["pages"], "pages", on_cores, cores, "one process",
                 (cores["one_seconds"] / cores["all_seconds"], None),
                 note=f"{cores['one_seconds']:.1f} s on one process, {cores['all_seconds']:.1f} s on "
                      f"{cores['cores']}, alternating 200-page chunks (drift-free): what the other cores add here, "
                      "the ceiling of row 2's ratio at equal per-page work")

        e2e = Rate(pages, flow1["flow_seconds"], flow1["cpu_seconds"])
        summary = flow1.get("summary") or {}
        self.row(size, "2", "orgledger end to end, real flow (Prefect server already up)", pages, "pages", e2e,
                 flow1, "bs4 baseline", e2e.ratio(base), "≥ 2×", lambda r: r >= 2,
                 note=f"{summary.get('statements_new', '?')} statements, {summary.get('articles_failed')} failed pages;"
                      " cpu incl. Prefect server")
        cold = Rate(pages, flow1["_wall_seconds"], flow1["_cpu_seconds"])
        self.row(size, "2", "  same, whole process: imports + Prefect server start + flow", pages, "pages", cold,
                 flow1, "bs4 baseline", cold.ratio(base),
                 note=f"server start {flow1.get('server_start_seconds', 0):.1f} s (Prefect's own: inside the next), "
                      f"first no-op flow {flow1['noop_first_seconds']:.1f} s, "
                      f"warm no-op flow {flow1['noop_warm_seconds']:.1f} s, imports {flow1['import_seconds']:.1f} s")

        on_server = Rate(pages, served["flow_seconds"], served["cpu_seconds"])
        self.row(size, "2", "  same, against a standing Prefect server (how deployments run)", pages, "pages",
                 on_server, served, "bs4 baseline", on_server.ratio(base), "≥ 2×", lambda r: r >= 2,
                 note="`prefect server start` on loopback, started by the child; cpu incl. the server")

        per_page = Rate(ab["pages"], ab["orgledger_cpu_seconds"], ab["orgledger_cpu_seconds"])
        self.row(size, "2", "  per-page work of one parse worker, A/B-interleaved with the baseline (one core)",
                 ab["pages"], "pages", per_page, ab, "bs4 baseline",
                 (ab["bs4_cpu_seconds"] / ab["orgledger_cpu_seconds"],) * 2,
                 note=f"read+parse+extract+rows {1000 * ab['orgledger_cpu_seconds'] / ab['pages']:.2f} ms/page vs "
                      f"bs4 {1000 * ab['bs4_cpu_seconds'] / ab['pages']:.2f} ms/page, alternating 100-page chunks "
                      "(drift-free; cpu s)")
        if ab.get("stage_cpu_seconds"):  # children of older code did not split the steps
            split = ab["stage_cpu_seconds"]
            total = sum(split.values())
            self.row(size, "2", "  the same work step by step, on the chunks in between (one core)",
                     ab["stage_pages"], "pages", Rate(ab["stage_pages"], total, total), ab, "bs4 baseline",
                     (ab["stage_bs4_cpu_seconds"] / total,) * 2,
                     note=", ".join(f"{step} {1000 * seconds / ab['stage_pages']:.2f}" for step, seconds in split.items())
                          + f" ms/page vs bs4 {1000 * ab['stage_bs4_cpu_seconds'] / ab['stage_pages']:.2f} ms/page "
                          "(cpu s; parse_page: decode, pruned tree, article rules)")

        for tool in ("gne", "trafilatura"):
            name = "GNE" if tool == "gne" else "trafilatura"
            if self.args.skip_slow and pages > 10_000:
                self.row(size, "3", f"{name} (skipped: --skip-slow above 10k pages)", pages, "pages", None, None)
                continue
            args = [tool, "--corpus", str(corpus)] + (["--limit", str(self.args.baseline_limit)]
                                                      if self.args.baseline_limit else [])
            res = raw[tool] = self.child(f"{pages}-{tool}", BASELINE_PY, "child_baselines.py", args)
            rate = Rate(res["pages"], res["seconds"], res["cpu_seconds"])
            self.row(size, "3", f"{name} extract (decoded text in)", res["pages"], "pages", rate, res,
                     "orgledger e2e ÷ this", e2e.ratio(rate), "≥ 3×", lambda r: r >= 3,
                     note=f"{res['failures']} errors, {res['empty']} empty"
                          + (f"; first {res['pages']} pages" if res["pages"] < pages else ""))

        s2 = flow2.get("summary") or {}
        again = Rate(pages, flow2["flow_seconds"], flow2["cpu_seconds"])
        self.row(size, "5", "second flow run, unchanged corpus (server up)", pages, "pages", again, flow2,
                 "÷ first run", (again.wall / e2e.wall, again.cpu / e2e.cpu), "≤ 3 %", lambda r: r <= 0.03,
                 note=f"unchanged {s2.get('articles_unchanged')}, new statements {s2.get('statements_new')}")
        again_cold = Rate(pages, flow2["_wall_seconds"], flow2["_cpu_seconds"])
        self.row(size, "5", "  same, whole process", pages, "pages", again_cold, flow2, "÷ first run",
                 (again_cold.wall / cold.wall, again_cold.cpu / cold.cpu))

        for key, child, label in (("peak_rss_mb", flow1, "peak RSS, flow process (first run, ephemeral server)"),
                                  ("peak_rss_served_mb", served, "peak RSS, flow process, standing Prefect server")):
            rss = raw[key] = child["peak_rss_mb"]
            ref = self.raw["sizes"].get(10_000, {}).get(key)
            compare = bool(ref) and pages != 10_000
            if pages >= 100_000:
                # row() applies it at once, before the loop rebinds rss and ref
                target, met = "≤ 500 MB and ≤ 1.2× 10k", lambda r: rss <= 500 and (ref is None or rss <= 1.2 * ref)
            else:
                target, met = "(≤ 500 MB at 100k)", None
            self.row(size, "6", label, pages, "MB", rss, child,
                     "÷ 10k figure" if compare else "", (rss / ref, None) if compare else None, target, met,
                     note=f"flow + Prefect server tree, sampled: {child['_tree_peak_mb']:.0f} MB")
        self.row(size, "6", "  peak RSS, second run (unchanged)", pages, "MB", flow2["peak_rss_mb"], flow2)
        self.row(size, "6", "  peak RSS, direct calls (no Prefect)", pages, "MB", direct["peak_rss_mb"], direct)
        self.row(size, "6", "  peak RSS, bs4 baseline", pages, "MB", bs4["peak_rss_mb"], bs4)

        plain = Rate(pages, direct["seconds"], direct["cpu_seconds"])
        self.row(size, "7", "same steps called directly (no Prefect)", pages, "pages", plain, direct, "bs4 baseline",
                 plain.ratio(base),
                 note="read+parse+stage {read_parse_stage:.1f} s, load {load:.1f} s, {processes} parse processes"
                 .format(**direct["timings"], processes=direct.get("processes")) + bracket_note(direct_runs, "seconds"))
        estimates = overhead_estimates(flow1, served, direct_runs)
        # The estimates' mean, field by field: ratios (wall, cpu), then seconds (wall, cpu).
        means = [sum(column) / len(estimates) for column in zip(*estimates.values())]
        self.row(size, "7", "Prefect overhead: flow (server up) vs direct", pages, "pages",
                 Rate(pages, *means[2:], rate=False), flow1, "flow ÷ direct − 1",
                 tuple(means[:2]), "≤ 10 % at 10k", (lambda r: r <= 0.10) if pages == 10_000 else None,
                 note=("mean of " if len(estimates) > 1 else "")
                      + "; ".join(f"{name} {wall:+.1%} / {cpu:+.1%}" for name, (wall, cpu, _, _) in estimates.items())
                      + f"; whole processes incl. server start: {cold.wall / direct['_wall_seconds'] - 1:+.0%}")
        self._save()

    # -- the warehouse load comparison
    def measure_load(self) -> None:
        orgs = self.args.load_orgs
        print(f"\n== warehouse load: {orgs} organizations × 5 attributes, 2 snapshots ==", file=sys.stderr)
        raw = self.raw["load"] = {}
        mine = raw["orgledger"] = self.child("load-orgledger", PRODUCT_PY, "child_orgledger.py",
                                             ["load", "--orgs", str(orgs), "--seed", str(self.args.seed)])
        dlt = raw["dlt"] = self.child("load-dlt", BASELINE_PY, "child_baselines.py",
                                      ["dlt", "--orgs", str(orgs), "--seed", str(self.args.seed)])
        size = "load"
        intact = mine["order_independent"] and not any(mine["checks"].values())
        theirs = Rate(dlt["rows"], dlt["seconds"], dlt["cpu_seconds"])
        ours = Rate(mine["rows"], mine["seconds"], mine["cpu_seconds"])

        def split(res):
            return "snapshot 0: {0:.1f} s, snapshot 1: {1:.1f} s".format(*(p["seconds"] for p in res["per_snapshot"]))

        def staged(res):  # orgledger's rows_for + Stage inserts, before load_stage
            return " and ".join(f"{p['stage_seconds']:.1f} s" for p in res["per_snapshot"])

        self.row(size, "4", "dlt scd2 merge → DuckDB (arrow in, explicit boundary) — baseline", dlt["rows"], "rows",
                 theirs, dlt, ratio=(1.0, 1.0), note=f"{split(dlt)}; {dlt['counts']['versions']} versions")
        self.row(size, "4", "orgledger Stage.add + load_stage → DuckDB", mine["rows"], "rows", ours, mine,
                 "dlt scd2", ours.ratio(theirs), "≥ 2× and history intact", lambda r: r >= 2 and intact,
                 note=f"{split(mine)} (of which staging {staged(mine)}); {mine['counts']['statements']} statements, "
                      f"{mine['counts']['org_versions']} versions")
        if not self.args.skip_slow:
            naive = raw["naive"] = self.child("load-naive", BASELINE_PY, "child_baselines.py",
                                              ["naive", "--orgs", str(orgs), "--seed", str(self.args.seed)])
            slow = Rate(naive["rows"], naive["seconds"], naive["cpu_seconds"])
            self.row(size, "4", "naive row-by-row upsert (executemany single-row INSERT/UPDATE)", naive["rows"],
                     "rows", slow, naive, "dlt scd2", slow.ratio(theirs),
                     note=f"{split(naive)}; {naive['counts']['versions']} versions")
        self.row(size, "4", "orgledger history: same in either load order; `check` clean", mine["rows"], "rows",
                 None, None, target="intact", met=lambda r: intact,
                 note=f"order-independent={mine['order_independent']}, check violations="
                      f"{sum(mine['checks'].values())}")
        self.row(size, "4", "dlt scd2 history: same in either load order", dlt["rows"], "rows", None, None,
                 note=f"order-independent={dlt['order_independent']} (scd2 history follows load order)")
        self._save()

    def measure_profile(self, pages: int) -> None:
        corpus = Path(self.args.corpus_root).resolve() / f"corpus-{pages}"
        limit = min(pages, 1000)
        prof = self.results / f"{self.stamp}-parse-{limit}.prof"
        print(f"\n== cProfile of parse_pages over {limit} pages ==", file=sys.stderr)
        res = self.raw["profile"] = self.child(f"profile-parse-{limit}", PRODUCT_PY, "child_orgledger.py",
                                               ["profile", "--corpus", str(corpus), "--limit", str(limit),
                                                "--prof", str(prof)])
        self.profile_text = res
        self._save()

    # -- output
    def table(self) -> str:
        head = ["size", "#", "measure", "n", "wall s", "cpu s", "rate (wall)", "ratio (wall)", "ratio (cpu)", "ratio is",
                "target", "met (wall / cpu)", "other load", "note"]
        lines = []
        percent = ("÷ first run", "flow ÷ direct − 1")

        def fmt_ratio(value, versus):
            if value is None:
                return ""
            return f"{value:+.1%}" if versus == "flow ÷ direct − 1" else (
                f"{value:.1%}" if versus in percent else f"{value:.2f}×")

        def yn(v):
            return "" if v is None else ("yes" if v else "no")

        for r in self.rows:
            unit = {"pages": "pages/s", "rows": "rows/s", "MB": "MB"}[r["unit"]]
            if r["rate"] is None:
                rate = ""
            elif unit == "MB":
                rate = f"{r['rate']:,.0f} MB"
            else:
                rate = f"{r['rate']:,.1f} {unit}"
            met = yn(r["met"]) + (f" / {yn(r['met_cpu'])}" if r["met_cpu"] is not None else "")
            lines.append([r["size"], r["item"], r["measure"], f"{r['n']:,} {'pages' if r['unit'] == 'MB' else r['unit']}",
                          "" if r["seconds"] is None else f"{r['seconds']:,.2f}",
                          "" if r["cpu_seconds"] is None else f"{r['cpu_seconds']:,.2f}", rate,
                          fmt_ratio(r["ratio"], r["versus"]), fmt_ratio(r["ratio_cpu"], r["versus"]), r["versus"],
                          r["target"], met,
                          "" if r["others_cores"] is None else f"{r['others_cores']:.1f} cores", r["note"]])
        return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
                         + ["| " + " | ".join(str(c) for c in line) + " |" for line in lines])

    def profile_table(self, top: int = 15) -> str:
        res = self.raw.get("profile")
        if not res:
            return ""
        lines = [f"cProfile of flows.pipeline.parse_pages over {res['pages']} pages: {res['seconds_profiled']:.1f} s "
                 f"under the profiler ({res['failures']} failures). Top {top} by cumulative time:", "",
                 "| # | function | calls | tottime s | cumtime s | % of parse |", "|---|---|---|---|---|---|"]
        total = max(r["cumtime"] for r in res["top_cumulative"])
        def where(r):
            path = r["path"].replace(str(ROOT / ".venv/lib/python3.11/site-packages") + "/", "")
            path = re.sub(r"^.*/orgledger-bench-code-[^/]+/", "", path.replace(str(ROOT) + "/", ""))
            return f"`{path}:{r['function'].split(':', 1)[1]}`"

        shown = [r for r in res["top_cumulative"] if "_lsprof" not in r["function"]]
        for i, r in enumerate(shown[:top], start=1):
            lines.append(f"| {i} | {where(r)} | {r['ncalls']:,} | {r['tottime']:.2f} | "
                         f"{r['cumtime']:.2f} | {r['cumtime'] / total:.0%} |")
        lines += ["", f"Top {top} by own time (tottime):", "",
                  "| # | function | calls | tottime s | cumtime s | % of parse (own) |", "|---|---|---|---|---|---|"]
        for i, r in enumerate([r for r in res["top_tottime"] if "_lsprof" not in r["function"]][:top], start=1):
            lines.append(f"| {i} | {where(r)} | {r['ncalls']:,} | {r['tottime']:.2f} | "
                         f"{r['cumtime']:.2f} | {r['tottime'] / total:.0%} |")
        return "\n".join(lines)

    def _save(self) -> None:
        self.raw["rows"] = self.rows
        (self.results / f"{self.stamp}-results.json").write_text(json.dumps(self.raw, ensure_ascii=False, indent=1,
                                                                          default=str))


def machine() -> dict:
    info = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    try:
        mem = next(line for line in open("/proc/meminfo") if line.startswith("MemTotal"))
        info["mem_gb"] = round(int(mem.split()[1]) / 1024 / 1024, 1)
        model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                     "")
        info["cpu"] = model
    except (OSError, StopIteration):
        pass
    return info


def ensure_baselines(install: bool) -> None:
    if BASELINE_PY.exists():
        probe = subprocess.run([str(BASELINE_PY), "-c", "import gne, trafilatura, dlt, pyarrow, pandas, duckdb"],
                               capture_output=True)
        if probe.returncode == 0:
            return
    if not install:
        raise SystemExit(f"{BASELINE_VENV} is missing or incomplete; run without --no-install, or:\n"
                         f"  python3 -m venv {BASELINE_VENV} && {BASELINE_PY} -m pip install "
                         + " ".join(f"'{p}'" for p in BASELINE_PACKAGES))
    print(f"creating {BASELINE_VENV} (" + ", ".join(BASELINE_PACKAGES) + ") …", file=sys.stderr)
    subprocess.run(["python3", "-m", "venv", str(BASELINE_VENV)], check=True)
    subprocess.run([str(BASELINE_PY), "-m", "pip", "install", "--quiet", *BASELINE_PACKAGES], check=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="orgledger benchmark suite (issue 7)")
    parser.add_argument("--pages", type=int, action="append", help="corpus size; repeat for several (default 1000)")
    parser.add_argument("--skip-slow", action="store_true",
                        help="skip the naive row-by-row load, and GNE/trafilatura above 10k pages")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--corpus-root", default=str(BENCH / "corpora"))
    parser.add_argument("--results", default=str(BENCH / "results"))
    parser.add_argument("--load-orgs", type=int, default=100_000, help="organizations in the load comparison")
    parser.add_argument("--baseline-limit", type=int, help="run GNE/trafilatura over the first N pages only")
    parser.add_argument("--no-bracket", action="store_true",
                        help="run the bs4 baseline and the direct calls once, not before and after the flow "
                             "(also the default above 10k pages with --skip-slow)")
    parser.add_argument("--no-load", action="store_true", help="skip the warehouse load comparison")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile of the parse step")
    parser.add_argument("--code", default="worktree",
                        help="product code to measure: 'worktree' (a copy taken at start, the default) or a git "
                             "revision such as HEAD (exported with git archive)")
    parser.add_argument("--no-netns", action="store_true", help="do not run children in a private network namespace")
    parser.add_argument("--no-install", action="store_true", help="never create bench/.venv-baselines")
    args = parser.parse_args(argv)
    sizes = sorted(set(args.pages or [1000]))
    if not PRODUCT_PY.exists():
        raise SystemExit(f"{PRODUCT_PY} missing: run `make run` or `make test` once to create orgledger's venv")
    ensure_baselines(not args.no_install)
    runner = Runner(args)
    started = time.perf_counter()
    try:  # the code snapshot goes when the suite ends, interrupted (Ctrl-C) or not
        for pages in sizes:
            runner.measure_size(pages)
        if not args.no_load:
            runner.measure_load()
        if not args.no_profile:
            runner.measure_profile(sizes[0])
    finally:
        shutil.rmtree(runner.code, ignore_errors=True)
    table = runner.table()
    profile = runner.profile_table()
    header = (f"orgledger benchmark — {runner.stamp}, code: {runner.code_label}; {runner.raw['machine']}; network namespace: "
              f"{'private (loopback only)' if runner.netns else 'host'}; total {time.perf_counter() - started:.0f} s")
    print("\n" + header + "\n\n" + table + ("\n\n" + profile if profile else ""))
    (runner.results / f"{runner.stamp}-table.md").write_text(header + "\n\n" + table + "\n\n" + profile + "\n")
    print(f"\nresults: {runner.results}/{runner.stamp}-*", file=sys.stderr)


if __name__ == "__main__":
    main()
