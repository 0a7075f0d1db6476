"""Citizens' pages that are the same for everyone, rendered once and kept by each worker.

Every answered form opens the questionnaire and ends on the thank-you page, and both are the
same for every phone at one address in one language (the questionnaire but for its form
key). A worker renders each once and keeps it, in a bounded store per application that drops
the least recently used page first. A page is kept with what it was made from (its
``source``): asked for with another (a collection point built again since an officer
changed its campaign or unit), it is made again. Nothing is kept while templates reload
(development), so that edits show. Figures in bench/README.md, "CPU per completed form".
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, request
from flask_babel import get_locale

EXTENSION_KEY = "surveyapp.kept_pages"


class KeptPages:
    """At most ``capacity`` pages, each under a key with the source it was made from."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._pages: OrderedDict[Hashable, tuple[object, str]] = OrderedDict()
        self._lock = threading.Lock()  # the development server answers in threads

    def page(self, key: Hashable, source: object, render: Callable[[], str]) -> str:
        """The page kept under ``key`` if it was made from ``source`` (the same object), else
        ``render()``'s, kept in its place."""
        with self._lock:
            kept = self._pages.get(key)
            if kept is not None and kept[0] is source:
                self._pages.move_to_end(key)
                return kept[1]
        page = render()
        with self._lock:
            self._pages[key] = (source, page)
            self._pages.move_to_end(key)
            while len(self._pages) > self.capacity:
                self._pages.popitem(last=False)
        return page


def kept_page(kind: str, capacity: int, source: object, render: Callable[[], str]) -> str:
    """The page of ``kind`` for this request from this application's store of that kind
    (``KeptPages.page``); ``render()``'s, unkept, while templates reload.

    Its key is what the page's links are built from, as the application reads it: the
    endpoint, its arguments (``/r/01/…`` is ``/r/1/…``) and the prefix the server puts before
    every address (``SCRIPT_NAME``, which gunicorn takes from a header of a proxy on the same
    host), and the language. A request that changes any of them gets a page of its own.
    """
    if current_app.jinja_env.auto_reload:
        return render()
    stores: dict[str, KeptPages] = current_app.extensions.setdefault(EXTENSION_KEY, {})
    store = stores.get(kind)
    if store is None:
        store = stores.setdefault(kind, KeptPages(capacity))
    key = (request.script_root, request.endpoint, tuple(sorted((request.view_args or {}).items())), str(get_locale()))
    return store.page(key, source, render)
