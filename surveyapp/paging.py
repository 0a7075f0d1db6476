"""Long tables a page at a time: a province has thousands of units and links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for

PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    """One page of a long table: its rows, its number (from 1) and how many pages there are."""

    rows: list[Any]
    number: int
    count: int

    @classmethod
    def of(cls, rows: list[Any], param: str) -> Page:
        """The page of ``rows`` that the request's ``?<param>=`` names (the nearest that exists)."""
        count = max(1, -(-len(rows) // PAGE_SIZE))
        number = min(max(request.args.get(param, 1, type=int), 1), count)
        return cls(rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE], number, count)


def page_url(param: str, number: int) -> str:
    """This page's address with page ``number`` of the table that ``param`` pages."""
    return url_for(request.endpoint, **(request.view_args or {}), **(request.args.to_dict() | {param: number}))


def init_app(app: Flask) -> None:
    """Let templates link to other pages of a table (the ``pager`` macro of ``_macros.html``)."""
    app.add_template_global(page_url)
