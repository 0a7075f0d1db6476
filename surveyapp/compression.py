"""Gzip for the citizen's pages and the static files, and for nothing that holds a secret.

A citizen on a slow mobile network gets the questionnaire in a fifth of its bytes
(bench/README.md, "Page weight"). Only responses that cannot leak a secret through their
compressed size (BREACH, README "Security") are compressed: the answers to GET requests of
the blueprints registered with ``compress_pages_of`` (pages that carry no CSRF token and no
session and reflect nothing a third party chooses) and the static stylesheet and images.
Staff pages (and so every download), posted forms coming back with their answers, and
anything but HTML, CSS and SVG are sent as they are.
"""

from __future__ import annotations

import gzip

from flask import Blueprint, Flask, Response, request

# Smaller bodies gain less than the headers cost; most fit in one TCP packet anyway.
MINIMUM_BYTES = 1000
COMPRESSIBLE_TYPES = frozenset(["text/html", "text/css", "image/svg+xml"])
# Blueprints whose GET pages may be compressed (see the module's docstring).
_COMPRESSED_BLUEPRINTS: set[str] = set()


def compress_pages_of(blueprint: Blueprint) -> None:
    """Let the answers to GET requests of ``blueprint`` be compressed: it must hold no secret a page reflects."""
    _COMPRESSED_BLUEPRINTS.add(blueprint.name)


def _may_compress(response: Response) -> bool:
    """Whether the response is one that is sent compressed to a client that accepts gzip."""
    if request.method != "GET" or response.status_code != 200:
        return False
    if request.endpoint != "static" and request.blueprint not in _COMPRESSED_BLUEPRINTS:
        return False
    if response.mimetype not in COMPRESSIBLE_TYPES or "Content-Encoding" in response.headers:
        return False
    return response.direct_passthrough or not response.is_streamed  # a stream is sent as it comes


def _compress(response: Response) -> Response:
    if not _may_compress(response):
        return response
    response.vary.add("Accept-Encoding")
    if not request.accept_encodings["gzip"]:
        return response
    response.direct_passthrough = False  # a static file is read whole: they are a few KB
    body = response.get_data()
    if len(body) < MINIMUM_BYTES:
        return response
    response.headers["Content-Encoding"] = "gzip"
    etag, is_weak = response.get_etag()
    if etag:  # the compressed body is another representation: it needs its own tag,
        response.set_etag(f"{etag}-gzip", weak=is_weak)
        response.make_conditional(request)  # which a browser that holds it sends back: 304
    if response.status_code == 200:
        response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    return response


def init_app(app: Flask) -> None:
    """Compress what may be compressed, after every other hook has written the body."""
    app.after_request(_compress)
