"""统一社会信用代码 (unified social credit code, GB 32100-2015): find and validate. Pure.

A code is 18 characters: registration authority (1), organization type (1), division code (6), the
GB 11714 organization code (9: eight characters and a check character) and a final check character.
Both check characters are verified, so a code mistyped in either place is caught:

* position 17 is the check of the organization code (GB 11714): weights 3,7,9,10,5,8,4,2 over positions
  9–16, digits as themselves and letters A=10 … Z=35; ``11 - sum % 11`` written as 0–9, 10 → ``X``,
  11 → ``0``;
* position 18 is the check of the whole code (GB 32100) over the 31-character alphabet without I, O, S,
  V, Z: weights ``3^(i-1) mod 31``; ``31 - sum % 31`` (31 → 0) written in that alphabet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# A code as pages print it after its label: "统一社会信用代码：…", "（统一社会信用代码…）", "信用代码为…".
# Any 18 upper-case letters or digits are taken, so that a code with a wrong character is reported as
# invalid instead of silently not being seen.
_LABELLED = re.compile(r"(?:统一社会信用代码|社会信用代码|信用代码)\s*(?:[:：（(]|为|是)?\s*([0-9A-Z]{18})(?![0-9A-Z])")


@dataclass(frozen=True)
class CodeCheck:
    code: str
    valid: bool
    problem: str | None  # why it is invalid, for the quality finding


def _org_check(body: str) -> str:
    total = sum((int(c) if c.isdigit() else ord(c) - ord("A") + 10) * w for c, w in zip(body, _ORG_WEIGHTS))
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def _full_check(first17: str) -> str:
    total = sum(ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return ALPHABET[(31 - total % 31) % 31]


def check_code(code: str) -> CodeCheck:
    """Validate one code: length, alphabet, then the organization-code check (17th character) and the
    code's own check (18th character)."""
    if len(code) != 18:
        return CodeCheck(code, False, f"has {len(code)} characters, not 18")
    bad = [c for c in code if c not in ALPHABET]
    if bad:
        return CodeCheck(code, False, f"contains {''.join(dict.fromkeys(bad))}, not allowed in a credit code")
    expected17 = _org_check(code[8:16])
    if code[16] != expected17:
        return CodeCheck(code, False, f"17th character (organization-code check) is {code[16]}, should be {expected17}")
    expected18 = _full_check(code[:17])
    if code[17] != expected18:
        return CodeCheck(code, False, f"18th character (check character) is {code[17]}, should be {expected18}")
    return CodeCheck(code, True, None)


def is_valid(code: str) -> bool:
    return check_code(code).valid


def find_codes(text: str) -> list[tuple[int, str]]:
    """(position, code) of every labelled credit code in ``text``."""
    return [(m.start(1), m.group(1)) for m in _LABELLED.finditer(text)]


def is_code_cell(text: str) -> bool:
    """A table cell that holds only a code (registration tables give it a column of its own)."""
    return bool(re.fullmatch(r"[0-9A-Z]{18}", text.strip()))


def finding_detail(code: str, org_name: str, problem: str) -> str:
    """The detail of an ``invalid_credit_code`` finding (parsed back by :mod:`parsers.evaluate`)."""
    return f"“{code}” of {org_name}: {problem}"
