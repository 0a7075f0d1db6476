"""Sending exported files, and recording each download once it is complete.

A download's body is sent after the view returned: by then the request's database session
has been closed (the objects the view loaded are detached) and gunicorn has sent the status
line. So a body is given as a function called when sending starts, inside the request's
context (``stream_with_context``) with a fresh session: it loads what it reads by id. The
audit entry is added and committed in that session after the last chunk, in its own short
transaction: a download that breaks off, or fails half-way, is not recorded as an export.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator

from flask import Response, stream_with_context

from surveyapp.extensions import db
from surveyapp.models import AuditAction, Campaign
from surveyapp.services.audit import record_action
from surveyapp.tables import writing

# The type of every file the officers download, by the extension of its name.
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
DOWNLOAD_BLOCK = 256 * 1024  # bytes sent at a time from a file written before the download


def attachment(name: str, body: Iterable[bytes] | bytes) -> Response:
    """``body`` as a file to save as ``name``: its type follows from the extension, and the
    name is quoted into ``Content-Disposition`` by Werkzeug."""
    response = Response(body, mimetype=MIMETYPES[name.rpartition(".")[2]])
    response.headers.set("Content-Disposition", "attachment", filename=name)
    return response


def recorded_download(campaign: Campaign | None, name: str, body: Callable[[], Iterable[bytes]]) -> Response:
    """The file ``name`` as an attachment whose chunks ``body()`` gives as it is sent; the
    export is recorded in the audit log after its last chunk (see the module docstring)."""
    campaign_id = campaign.id if campaign is not None else None

    def chunks() -> Iterator[bytes]:
        yield from body()
        record_action(
            AuditAction.EXPORTED, db.session.get(Campaign, campaign_id) if campaign_id is not None else None, file=name
        )
        db.session.commit()

    return attachment(name, stream_with_context(chunks()))


def workbook_blocks(tables: list[writing.Table]) -> Callable[[], Iterator[bytes]]:
    """The workbook of ``tables``, written now to a temporary file (it reads the database) and
    then sent from it in blocks, so that a million rows do not sit in memory; the file goes
    when the download ends."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 (closed when the blocks below are sent)
    try:
        writing.write_xlsx(tables, file)
    except BaseException:
        file.close()
        raise

    def blocks() -> Iterator[bytes]:
        with file:
            file.seek(0)
            while block := file.read(DOWNLOAD_BLOCK):
                yield block

    return blocks
