"""Selector helpers that fail loudly: a site profile whose selector matches nothing is a broken profile,
and silently extracting an empty body would hide it."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag


class SelectorMatchError(ValueError):
    """A configured selector matched nothing on a page it is meant for."""

    def __init__(self, profile: str, field: str, selector: str):
        super().__init__(f"site profile {profile!r}: selector for {field} ({selector!r}) matched nothing")
        self.profile, self.field, self.selector = profile, field, selector


def select_one_required(soup: BeautifulSoup | Tag, selector: str, *, profile: str, field: str) -> Tag:
    found = soup.select_one(selector)
    if found is None:
        raise SelectorMatchError(profile, field, selector)
    return found


def select_all_required(soup: BeautifulSoup | Tag, selector: str, *, profile: str, field: str) -> list[Tag]:
    found = soup.select(selector)
    if not found:
        raise SelectorMatchError(profile, field, selector)
    return found
