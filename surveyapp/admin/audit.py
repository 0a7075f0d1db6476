"""The audit log's page and its CSV export: filtered by the query string, read a page at a time."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.downloads import recorded_download
from surveyapp.admin.forms import AuditFilterForm
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import Campaign
from surveyapp.services.audit import (
    ACTION_LABELS,
    PAGE_SIZE,
    AuditFilter,
    audit_table,
    details_text,
    local_time,
    query_audit_page,
    zone_label,
)
from surveyapp.services.responses import local_today
from surveyapp.tables import writing
from surveyapp.urls import MAX_ID

PAGE_KEYS = ("before", "after")


def _page_key(name: str) -> int | None:
    """A page key of the query string (an entry id), or ``None`` if absent or not an id."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 <= value <= MAX_ID else None


def _filter_args() -> dict[str, str]:
    """The query string's filters, without the page keys: what the links to other pages and the export keep."""
    return {key: value for key, value in request.args.items() if key not in PAGE_KEYS and value}


def _campaign_of(audit_filter: AuditFilter) -> Campaign | None:
    """The campaign the filter keeps, if it still exists (entries outlive what they are about)."""
    return db.session.get(Campaign, audit_filter.campaign_id) if audit_filter.campaign_id else None


@bp.route("/audit")
@officer_required
def audit() -> tuple[str, int]:
    """The audit log of staff actions, newest first, a page at a time, filtered by the query string."""
    form = AuditFilterForm(request.args)
    page, campaign = None, None
    if form.validate():
        audit_filter = form.audit_filter()
        page = query_audit_page(audit_filter, before=_page_key("before"), after=_page_key("after"))
        campaign = _campaign_of(audit_filter)
    page_html = render_template(
        "admin/audit.html",
        form=form,
        page=page,
        campaign=campaign,
        filters=_filter_args(),
        page_size=PAGE_SIZE,
        zone_label=zone_label(),
        local_time=local_time,
        action_labels=ACTION_LABELS,
        details_text=details_text,
    )
    return page_html, 200 if page is not None else 400


@bp.route("/audit.csv")
@officer_required
def audit_export() -> Response | WerkzeugResponse:
    """The whole filtered log as CSV (streamed, recorded as an export once sent whole)."""
    form = AuditFilterForm(request.args)
    if not form.validate():
        return redirect(url_for(".audit", **_filter_args()))
    audit_filter = form.audit_filter()
    campaign = _campaign_of(audit_filter)
    name = f"nhat-ky-thao-tac-{local_today():%Y%m%d}.csv"
    return recorded_download(campaign, name, lambda: _audit_csv(audit_filter))


def _audit_csv(audit_filter: AuditFilter) -> Iterator[bytes]:
    """The filtered log as CSV, read as the download is sent, in the download's own session."""
    yield from writing.csv_chunks(audit_table(audit_filter))
