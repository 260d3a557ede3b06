"""Build small articles in code, for tests of extraction rules (the page parser is tested elsewhere)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from parsers.model import Article
from parsers.repair import repair_text

PUBLISHED = datetime(2021, 5, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def article(title: str, *paragraphs: str, published: datetime | None = PUBLISHED, source: str | None = None,
            url: str = "file:///test/article.html") -> Article:
    """An article as the page parser would give it: ``paragraphs`` as on the page, repaired alongside."""
    return Article(
        source=url, url=url, title=repair_text(title), published_at=published, source_name=source,
        paragraphs=[repair_text(p) for p in paragraphs], paragraphs_original=list(paragraphs),
        title_original=title, encoding="utf-8", encoding_evidence="test", profile=None, content_hash="0" * 64,
    )
