"""PDF files made from our print pages by WeasyPrint (BSD-3-Clause).

There is one layout: a PDF is the HTML of a print page (the sign-off sheets, the payment list,
a batch of paper forms) rendered with that page's own print stylesheet, as a browser's *Save as
PDF* would. WeasyPrint needs Pango (1.44 or newer) from the system, so it is imported on first
use: a machine without Pango still starts and serves every page, and a PDF download then raises
``PdfUnavailable``, whose message sends people to the print page.

Nothing is fetched over the network or from the disk outside our static folder: the fetcher
serves the files under the page's static address from ``app.static_folder`` and refuses every
other address (``http:``, ``file:``, ``data:``, anything). Text that someone typed, a unit's name
say, can never make the server fetch or embed anything. Fonts are the system's (fontconfig).
"""

from __future__ import annotations

import mimetypes
import urllib.parse
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from werkzeug.security import safe_join


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot be imported here (no Pango): the message says what to do instead."""


class RefusedAddress(ValueError):
    """A page asked for an address outside our static files; WeasyPrint leaves that resource out."""


@cache
def _weasyprint() -> Any:
    """The ``weasyprint`` module, imported once; ``None`` where it cannot be (no Pango, say)."""
    try:
        import weasyprint  # here, not at the top: it loads Pango, which may be missing
    except (ImportError, OSError):
        return None
    return weasyprint


def is_available() -> bool:
    """Whether PDF files can be made on this machine."""
    return _weasyprint() is not None


def unavailable_message() -> str:
    """What to do where no PDF can be made: the print page still works."""
    return _(
        "Máy chủ chưa cài được thư viện tạo tệp PDF (WeasyPrint cần gói Pango của hệ điều hành). "
        "Hãy mở trang in và dùng lệnh In của trình duyệt để in hoặc lưu thành PDF."
    )


def static_file(url: str, static_url: str, static_folder: str) -> tuple[bytes, str]:
    """The content and type of the static file that ``url`` names, when it starts with
    ``static_url`` (the static folder's absolute address, ending in ``/``) and names a file
    inside ``static_folder``; otherwise ``RefusedAddress``.

    >>> static_file("http://x/static/../secret", "http://x/static/", "/srv/static")
    Traceback (most recent call last):
    ...
    surveyapp.pdf.RefusedAddress: http://x/static/../secret
    """
    if not url.startswith(static_url):
        raise RefusedAddress(url)
    static_path = urllib.parse.urlsplit(static_url).path
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.removeprefix(static_path))
    file = safe_join(static_folder, name)
    if file is None or not Path(file).is_file():
        raise RefusedAddress(url)
    return Path(file).read_bytes(), mimetypes.guess_type(file)[0] or "application/octet-stream"


def html_to_pdf(html: str, base_url: str) -> bytes:
    """The PDF of the page ``html``, whose relative addresses are read against ``base_url``
    (the address it would have been served at); only our static files are read.

    Raises ``PdfUnavailable`` where WeasyPrint cannot be imported."""
    weasyprint = _weasyprint()
    if weasyprint is None:
        raise PdfUnavailable(unavailable_message())
    static_url = urllib.parse.urljoin(base_url, url_for("static", filename=""))
    static_folder = current_app.static_folder
    assert static_folder is not None

    class StaticFilesOnly(weasyprint.urls.URLFetcher):
        def fetch(self, url: str, headers: object = None) -> Any:
            body, content_type = static_file(url, static_url, static_folder)
            return weasyprint.urls.URLFetcherResponse(url, body, {"Content-Type": content_type})

    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=StaticFilesOnly())
    return document.write_pdf()
