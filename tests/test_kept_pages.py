"""A worker keeps a bounded number of pages, each only for what it was made from."""

from __future__ import annotations

from surveyapp.kept_pages import KeptPages


def test_a_page_is_made_once_for_its_source_and_again_for_another() -> None:
    pages, made = KeptPages(capacity=4), []
    first, second = object(), object()

    def render(text: str):
        return lambda: made.append(text) or text

    assert pages.page("/r/1/CX4/A", first, render("old name")) == "old name"
    assert pages.page("/r/1/CX4/A", first, render("not made")) == "old name"
    assert pages.page("/r/1/CX4/A", second, render("new name")) == "new name"  # the point was built again
    assert made == ["old name", "new name"]


def test_the_least_recently_used_page_goes_first_when_the_store_is_full() -> None:
    pages, made = KeptPages(capacity=2), []
    source = object()

    def open_page(address: str) -> str:
        return pages.page(address, source, lambda: made.append(address) or address)

    for address in ["a", "b", "a", "c", "a", "b"]:
        open_page(address)
    # "b" was dropped for "c" (a was used since), then came back: made again.
    assert made == ["a", "b", "c", "b"]
