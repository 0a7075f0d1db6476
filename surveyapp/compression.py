"""Gzip for the citizen's pages and the static files, and for nothing that holds a secret.

A citizen on a slow mobile network gets the questionnaire in a fifth of its bytes
(bench/README.md, "Page weight"). Only responses that cannot leak a secret through their
compressed size (BREACH, README "Security") are compressed: the answers to GET requests of
the blueprints registered with ``compress_pages_of`` (pages that carry no CSRF token and no
session and reflect nothing a third party chooses) and the static stylesheet and images.
Staff pages (and so every download), posted forms coming back with their answers, and
anything but HTML, CSS and SVG are sent as they are.

Compressing a 40 KB questionnaire took a third of the CPU of serving it (bench/README.md,
"CPU per completed form"), while every answer on one address repeats the same page but for its
form key, placed near the end for that reason. So each worker remembers, per address and
language, the beginning its answers shared and that beginning compressed once
(``SharedBeginnings``); an answer starting with it is sent as those bytes followed by the rest,
compressed on its own. The result is an ordinary gzip stream, identical in content.
"""

from __future__ import annotations

import gzip
import struct
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Beginning:
    """The first bytes answers on one address shared, and (once seen twice) them deflated."""

    text: bytes
    deflated: bytes | None = None  # raw deflate ending on a full flush: the rest needs nothing of it
    crc: int = 0


class SharedBeginnings:
    """gzip that compresses, once per address, the beginning its answers share.

    ``gzip(address, body)`` remembers the first body of an address; from the second on, the
    beginning both share, cut after a tag, is deflated once (ending on a full flush, so what
    follows refers to nothing in it) and each later body that starts with it costs only the
    deflating of what follows. A body that does not start with it narrows the beginning to what
    they share. At most ``capacity`` addresses are remembered, the least recently used forgotten.
    """

    GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, mtime 0, unknown OS
    MINIMUM_SHARED = 2000  # a shorter beginning is not worth remembering
    KEY_BYTES = 200  # the body's first bytes name its language (``<html lang>``): part of the key

    def __init__(self, capacity: int = 64) -> None:
        self.capacity = capacity
        self._known: OrderedDict[tuple[str, bytes], _Beginning] = OrderedDict()
        self._lock = threading.Lock()

    def gzip(self, address: str, body: bytes) -> bytes:
        """``body`` as a gzip stream (level 6, no name, mtime 0)."""
        key = (address, body[: self.KEY_BYTES])
        with self._lock:
            known = self._known.get(key)
            if known is not None:
                self._known.move_to_end(key)
        if known is None or known.deflated is None or not body.startswith(known.text):
            known = self._learn(key, known, body)
            if known.deflated is None:
                return gzip.compress(body, compresslevel=6, mtime=0)
        rest = body[len(known.text) :]
        # The rest is a few KB at most (the form's key and what follows it): a small window suffices.
        deflater = zlib.compressobj(6, zlib.DEFLATED, -12, 3)
        trailer = struct.pack("<II", zlib.crc32(rest, known.crc), len(body) & 0xFFFFFFFF)
        return b"".join((self.GZIP_HEADER, known.deflated, deflater.compress(rest), deflater.flush(), trailer))

    def _learn(self, key: tuple[str, bytes], known: _Beginning | None, body: bytes) -> _Beginning:
        """What this address's answers are now known to share, remembered for the next."""
        shared = _shared_length(known.text, body) if known is not None else 0
        cut = body.rfind(b">", 0, shared) + 1
        if cut >= self.MINIMUM_SHARED:
            text = body[:cut]
            deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
            learned = _Beginning(text, deflater.compress(text) + deflater.flush(zlib.Z_FULL_FLUSH), zlib.crc32(text))
        else:
            learned = _Beginning(body)  # seen once: compared with the next
        with self._lock:
            self._known[key] = learned
            self._known.move_to_end(key)
            while len(self._known) > self.capacity:
                self._known.popitem(last=False)
        return learned


def _shared_length(first: bytes, second: bytes) -> int:
    """How many bytes ``first`` and ``second`` share from their start."""
    low, high = 0, min(len(first), len(second))
    first_view, second_view = memoryview(first), memoryview(second)
    while low < high:
        middle = (low + high + 1) // 2
        if first_view[:middle] == second_view[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


_beginnings = SharedBeginnings()


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
        response.set_data(_beginnings.gzip(request.path, body))
    return response


def init_app(app: Flask) -> None:
    """Compress what may be compressed, after every other hook has written the body."""
    app.after_request(_compress)
