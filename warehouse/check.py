"""Integrity checks over a warehouse: history invariants and agreement between the derived tables and
the statement log. Used by ``orgledger check`` and by the tests after every kind of load."""

from __future__ import annotations

from dataclasses import dataclass

from .queries import named_queries, run

CHECKS_SQL = "checks.sql"


@dataclass(frozen=True)
class CheckResult:
    name: str
    violations: int
    sample: list[tuple]

    @property
    def ok(self) -> bool:
        return self.violations == 0


def check_warehouse(con) -> list[CheckResult]:
    results = []
    for name in named_queries(CHECKS_SQL):
        rows = run(con, CHECKS_SQL, name).fetchall()
        results.append(CheckResult(name, len(rows), rows[:5]))
    return results
