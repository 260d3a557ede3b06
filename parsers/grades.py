"""Evaluation grades of social organizations (社会组织评估等级, 1A–5A). Pure.

* ``A被评为5A级社会组织``, ``A、B被评为4A级``, ``获评AAAAA级`` — the organizations before the verb, as
  with roles;
* ``A由4A级降为3A级`` / ``由3A级升为4A级`` / ``等级从4A级下调至3A级`` — the new grade with the previous one;
* a table of names with a grade column, and a remark cell such as ``复评，由5A级降为4A级``.

Only a grade given to named organizations counts: ``3A级以上社会组织近500家`` grades nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .identity import Mention
from .roles import within

_GRADE = r"(?:([1-5１-５])\s*A|(A{1,5}))"
_AWARDED = re.compile(r"(?:被评为|被评定为|评定为|评为|获评|荣获|获得|确定为|认定为)\s*" + _GRADE + r"\s*级")
_CHANGED = re.compile(
    r"(?:由|从)\s*" + _GRADE + r"\s*级?\s*(?:下调|上调|调整|调|降级|升级|降|升|提升|晋升|变更)(?:为|至|到)\s*"
    + _GRADE + r"\s*级"
)
_CELL = re.compile(r"^\s*" + _GRADE + r"\s*级?\s*$")


@dataclass(frozen=True)
class GradeStatement:
    org_name: str
    grade: str  # "5A"
    previous_grade: str | None


def _grade(digit: str | None, letters: str | None) -> str:
    if digit:
        return f"{int(digit.translate(str.maketrans('１２３４５', '12345')))}A"
    return f"{len(letters)}A"


def grade_statements(clause: str, mentions: list[Mention]) -> list[GradeStatement]:
    """Grades a clause gives to the organizations named before each grade wording."""
    if "A" not in clause:
        return []
    found = sorted([(m, False) for m in _AWARDED.finditer(clause)] + [(m, True) for m in _CHANGED.finditer(clause)],
                   key=lambda pair: pair[0].start())
    out = []
    previous_end = 0
    starts = [x.start for x in mentions]
    for m, changed in found:
        members = [x.name for x in within(mentions, starts, previous_end, m.start())]
        if changed:
            previous, grade = _grade(m.group(1), m.group(2)), _grade(m.group(3), m.group(4))
        else:
            previous, grade = None, _grade(m.group(1), m.group(2))
        out += [GradeStatement(name, grade, previous) for name in dict.fromkeys(members)]
        previous_end = m.end()
    return out


def grade_of_row(cells: list[str]) -> tuple[str, str | None] | None:
    """(grade, previous grade) from a table row's cells: the grade column, and a remark that states a
    change (the remark's new grade must agree with the column)."""
    grade = previous = None
    for cell in cells:
        m = _CELL.match(cell)
        if m and grade is None:
            grade = _grade(m.group(1), m.group(2))
    for cell in cells:
        m = _CHANGED.search(cell)
        if m:
            new = _grade(m.group(3), m.group(4))
            if grade is None or grade == new:
                grade, previous = new, _grade(m.group(1), m.group(2))
    return (grade, previous) if grade else None
