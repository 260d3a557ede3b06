"""What a run reports: the rows of its summary table and the markdown list of its findings. Pure."""

from __future__ import annotations

MAX_LISTED = 200


def summary_table(s: dict) -> list[dict]:
    pages_seen = s["articles_read"] + s["articles_unchanged"] + s["articles_failed"]
    rows = [
        ("pages seen", pages_seen),
        ("pages new or changed", s["articles_read"]),
        ("pages unchanged", s["articles_unchanged"]),
        ("pages failed", s["articles_failed"]),
        ("organizations new", s["orgs_new"]),
        ("organizations changed", s["orgs_changed"]),
        ("organizations unchanged", s["orgs_unchanged"]),
        ("memberships changed", s["memberships_changed"]),
        ("statements new", s["statements_new"]),
        ("quality findings", s["findings"]),
    ]
    return [{"measure": name, "value": value} for name, value in rows]


def _link(url: str) -> str:
    return f"[{url}]({url})" if url.startswith(("http://", "https://")) else f"`{url}`"


def findings_markdown(findings: list[tuple[str, str, str]]) -> str:
    """findings: (article_url, kind, detail), failures included (kinds read_error, parse_error, …)."""
    if not findings:
        return "# Quality findings\n\nNone: every page was read and every claimed count matched.\n"
    lines = [f"# Quality findings ({len(findings)})", ""]
    current = None
    for url, kind, detail in findings[:MAX_LISTED]:
        if kind != current:
            lines += ["", f"## {kind}", ""]
            current = kind
        lines.append(f"- {_link(url)}: {detail}")
    if len(findings) > MAX_LISTED:
        lines += ["", f"… and {len(findings) - MAX_LISTED} more: `SELECT * FROM quality_findings`."]
    return "\n".join(lines) + "\n"
