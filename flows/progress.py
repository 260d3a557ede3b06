"""Progress of a run: a Prefect progress artifact (for the UI) and, for `orgledger run`, a terminal bar.

The flow reports; whoever started it listens. The CLI registers a listener that draws on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

Listener = Callable[[int, int], None]
_listeners: list[Listener] = []


def add_listener(listener: Listener) -> None:
    _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def notify(done: int, total: int) -> None:
    for listener in list(_listeners):
        listener(done, total)


class TerminalBar:
    """``[##########----------]  12/30 pages`` redrawn in place on a terminal; silent when piped."""

    def __init__(self, stream=None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        filled = int(self.width * done / total)
        self.stream.write(f"\r[{'#' * filled}{'-' * (self.width - filled)}] {done:>6}/{total} pages")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
