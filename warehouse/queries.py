"""Load SQL from the ``sql/`` folder. ``load.sql`` holds named blocks (``-- name: foo``), each one or more
statements; parameters are DuckDB named parameters and each statement gets only the ones it uses."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

_NAME = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)
_PARAM = re.compile(r"\$([A-Za-z_]\w*)")


def sql_text(filename: str) -> str:
    return resources.files("warehouse").joinpath("sql", filename).read_text(encoding="utf-8")


def split_statements(sql: str) -> list[str]:
    """Split on semicolons that end a line. Our SQL files keep one statement per ';\\n'."""
    parts = re.split(r";\s*(?:\n|$)", sql)
    out = []
    for part in parts:
        lines = [line for line in part.splitlines() if line.strip() and not line.strip().startswith("--")]
        if lines:
            out.append(part.strip())
    return out


@lru_cache(maxsize=None)
def named_queries(filename: str) -> dict[str, list[str]]:
    text = sql_text(filename)
    blocks = _NAME.split(text)
    # blocks = [preamble, name1, body1, name2, body2, ...]
    return {blocks[i]: split_statements(blocks[i + 1]) for i in range(1, len(blocks), 2)}


def run(con, filename: str, name: str, params: dict | None = None):
    """Execute every statement of a named block; returns the cursor of the last one."""
    params = params or {}
    result = None
    for statement in named_queries(filename)[name]:
        used = {key: params[key] for key in dict.fromkeys(_PARAM.findall(statement))}
        result = con.execute(statement, used) if used else con.execute(statement)
    return result


def run_script(con, sql: str) -> None:
    for statement in split_statements(sql):
        con.execute(statement)
