"""The public pages of published results and their open-data files.

A published version never changes, so its page and files are cached by browsers and proxies
for a day (``Cache-Control: public``, with an ETag of the body); the list and the page of a
publication's newest version may gain a correction, so they are cached for minutes only.
"""

from __future__ import annotations

import io

from flask import Response, abort, render_template, request
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin.downloads import attachment
from surveyapp.models import Publication
from surveyapp.public import bp
from surveyapp.services.audit import local_time
from surveyapp.services.publications import get_versions, list_publications
from surveyapp.services.results.snapshots import snapshot_tables
from surveyapp.tables import writing

FROZEN_SECONDS = 86_400  # a published version: it never changes
NEWEST_SECONDS = 300  # the list and the newest version: a correction may come


def _cached(response: Response, seconds: int) -> Response:
    """``response`` cacheable by anyone for ``seconds``, answered 304 when the browser has it."""
    response.headers["Cache-Control"] = f"public, max-age={seconds}"
    response.add_etag()
    return response.make_conditional(request)


def _versions_or_404(slug_text: str) -> list[Publication]:
    versions = get_versions(slug_text)
    if not versions:
        abort(404)
    return versions


def _version_or_404(slug_text: str, version: int) -> tuple[Publication, list[Publication]]:
    versions = _versions_or_404(slug_text)
    shown = next((publication for publication in versions if publication.version == version), None)
    if shown is None:
        abort(404)
    return shown, versions


def _page(shown: Publication, versions: list[Publication], seconds: int) -> Response:
    html = render_template(
        "public/publication.html",
        publication=shown,
        versions=versions,
        newest=versions[-1],
        published_at=local_time(shown.published_at),
    )
    return _cached(Response(html), seconds)


@bp.route("/")
def index() -> Response:
    """Every publication, its newest version first."""
    return _cached(Response(render_template("public/index.html", publications=list_publications())), NEWEST_SECONDS)


@bp.route("/<slug_text>")
def publication(slug_text: str) -> Response:
    """The newest version of a publication, with links to the earlier ones."""
    versions = _versions_or_404(slug_text)
    return _page(versions[-1], versions, NEWEST_SECONDS)


@bp.route("/<slug_text>/v<int:version>")
def publication_version(slug_text: str, version: int) -> Response:
    """One version of a publication, as it was published."""
    shown, versions = _version_or_404(slug_text, version)
    return _page(shown, versions, FROZEN_SECONDS)


def _file_stem(publication: Publication) -> str:
    return f"{publication.slug}_v{publication.version}"


@bp.route("/<slug_text>/v<int:version>/du-lieu.xlsx")
def workbook(slug_text: str, version: int) -> Response:
    """Every table of a version as one workbook (one sheet each)."""
    shown, _versions = _version_or_404(slug_text, version)
    buffer = io.BytesIO()
    writing.write_xlsx(snapshot_tables(shown.snapshot), buffer, stamped_at=shown.published_at)
    return _cached(attachment(f"{_file_stem(shown)}.xlsx", buffer.getvalue()), FROZEN_SECONDS)


@bp.route("/<slug_text>/v<int:version>/<key>.csv")
def table_csv(slug_text: str, version: int, key: str) -> Response | WerkzeugResponse:
    """One table of a version as a CSV file."""
    shown, _versions = _version_or_404(slug_text, version)
    table = next((table for table in snapshot_tables(shown.snapshot) if table.key == key), None)
    if table is None:
        abort(404)
    return _cached(attachment(f"{_file_stem(shown)}_{key}.csv", writing.csv_bytes(table)), FROZEN_SECONDS)
