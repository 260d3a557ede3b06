"""Consistency checks that turn into quality findings. Pure."""

from __future__ import annotations

from collections import defaultdict

from .model import Extraction, Finding


def check_counts(extraction: Extraction) -> list[Finding]:
    """Compare each exact count the text claims with the distinct organizations it names for it.

    Approximate wording (近200家, 10余家) is never compared as exact. A list introduced with 等 may
    legitimately name fewer than it counts, so only naming *more* distinct organizations than claimed
    is a mismatch there.
    """
    roles_by_org = defaultdict(list)
    for claim in extraction.claims:
        roles_by_org[(claim.federation_name, claim.org_name)].append(claim.role)
    findings = []
    for count in extraction.counts:
        if count.approximate or count.named == 0:
            continue
        abbreviated = count.wording.startswith("等")
        if count.distinct == count.value or (abbreviated and count.distinct < count.value):
            continue
        federation = count.scope.split(":")[1]
        repeated = sorted(
            f"{org} ({'、'.join(roles)})"
            for (fed, org), roles in roles_by_org.items()
            if fed == federation and len(roles) > 1
        )
        detail = (
            f"“{count.wording}” claims {count.value}, the text names {count.named} listings of "
            f"{count.distinct} distinct organizations"
        )
        if repeated:
            detail += "; listed more than once: " + "; ".join(repeated)
        findings.append(Finding("count_mismatch", detail, count.evidence))
    return findings
