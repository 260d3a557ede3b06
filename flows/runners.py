"""Where tasks run, chosen by the config's [run] task_runner:

* ``threads`` (default): a thread pool in the flow's process (fetching is I/O-bound; parsing shares
  the GIL, so this uses about one core);
* ``dask``: prefect-dask's DaskTaskRunner — a local cluster of worker processes (one per core by
  default, all on 127.0.0.1), or an existing cluster at ``dask_address``. Fetch and parse fan out to
  the workers; the flow's process stays the warehouse's single writer.

The Dask runner needs a Prefect API its workers can reach (a real `prefect server`, PREFECT_API_URL
set): the temporary server `orgledger run` would start is not visible to other processes.
"""

from __future__ import annotations

from prefect.task_runners import ThreadPoolTaskRunner


def task_runner(settings):
    if settings.task_runner == "threads":
        return ThreadPoolTaskRunner(max_workers=settings.threads)
    if settings.task_runner == "dask":
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError:
            raise SystemExit("orgledger: task_runner = \"dask\" needs prefect-dask: pip install -e '.[dask]'") from None
        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(cluster_kwargs={
            "n_workers": settings.dask_workers, "threads_per_worker": 1, "processes": True,
            "host": "127.0.0.1", "dashboard_address": None,
        })
    raise SystemExit(f"orgledger: unknown task_runner {settings.task_runner!r} (threads or dask)")
