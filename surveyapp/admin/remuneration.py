"""Officers' remuneration sheet: the campaign's rates, forms and pay per unit, to print, as a
workbook and as a PDF; the sign-off sheets of the respondents paid in person, the same three ways.
A PDF is its print page rendered by ``surveyapp.pdf``."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin import bp
from surveyapp.admin.downloads import recorded_download
from surveyapp.admin.forms import RatesForm
from surveyapp.admin.loading import loads_campaign
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import Campaign
from surveyapp.pdf import PdfUnavailable, html_to_pdf
from surveyapp.services.remuneration import (
    RemunerationError,
    RemunerationRow,
    remuneration_rows,
    remuneration_xlsx,
    set_rates,
    sign_off_heading,
    sign_off_xlsx,
)
from surveyapp.services.responses import local_today
from surveyapp.services.results.exports import MODE_LABELS


@bp.route("/campaigns/<int:campaign_id>/remuneration", methods=["GET", "POST"])
@officer_required
@loads_campaign
def remuneration(campaign: Campaign) -> str | WerkzeugResponse:
    """The remuneration sheet: forms per unit at the campaign's rates, editable."""
    form = RatesForm(obj=campaign)
    if form.validate_on_submit():
        try:
            set_rates(campaign, form.rate_per_form.data, form.rate_per_unit.data)
        except RemunerationError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Đã lưu mức thù lao."), "success")
            return redirect(url_for(".remuneration", campaign_id=campaign.id))
    rows = remuneration_rows(campaign)
    return render_template("admin/remuneration.html", campaign=campaign, form=form, rows=rows, mode_labels=MODE_LABELS)


def file_name(kind: str, campaign: Campaign, extension: str) -> str:
    """The name of a downloaded list: its kind, the campaign and today's date."""
    return f"{kind}-dot-{campaign.id}-{campaign.year}-{local_today():%Y%m%d}.{extension}"


def recorded_pdf(campaign: Campaign, name: str, lines: int, page: Callable[[], str]) -> Response | WerkzeugResponse:
    """The print page that ``page()`` renders, of ``lines`` table lines, as the PDF file ``name``,
    recorded like the workbooks. Past the setting ``PDF_MAX_LINES``, or where no PDF can be made,
    back to the remuneration page with the reason (its print pages and workbooks still work)."""
    back = redirect(url_for(".remuneration", campaign_id=campaign.id))
    limit = current_app.config["PDF_MAX_LINES"]
    if lines > limit:
        message = _(
            "Tệp PDF chỉ làm được cho danh sách đến %(max)s dòng; danh sách này có %(lines)s dòng. Hãy mở "
            "trang in và dùng lệnh In của trình duyệt để in hoặc lưu thành PDF, hoặc tải tệp .xlsx.",
            max=format_decimal(limit),
            lines=format_decimal(lines),
        )
        flash(message, "error")
        return back
    try:
        data = html_to_pdf(page(), request.url_root)
    except PdfUnavailable as error:
        flash(str(error), "error")
        return back
    return recorded_download(campaign, name, lambda: [data])


@bp.route("/campaigns/<int:campaign_id>/remuneration.xlsx")
@officer_required
@loads_campaign
def remuneration_download(campaign: Campaign) -> Response:
    data = remuneration_xlsx(campaign, remuneration_rows(campaign))
    return recorded_download(campaign, file_name("thu-lao", campaign, "xlsx"), lambda: [data])


@bp.route("/campaigns/<int:campaign_id>/remuneration/print")
@officer_required
@loads_campaign
def remuneration_print(campaign: Campaign) -> str:
    """The payment list to print on A4 (landscape): totals per unit, then the details."""
    return render_payment_list(campaign, remuneration_rows(campaign))


@bp.route("/campaigns/<int:campaign_id>/remuneration.pdf")
@officer_required
@loads_campaign
def remuneration_pdf(campaign: Campaign) -> Response | WerkzeugResponse:
    rows = remuneration_rows(campaign)
    lines = sum(len(row.lines) + 2 for row in rows)  # a unit's total, its lines and its subtotal
    name = file_name("thu-lao", campaign, "pdf")
    return recorded_pdf(campaign, name, lines, lambda: render_payment_list(campaign, rows))


def render_payment_list(campaign: Campaign, rows: list[RemunerationRow]) -> str:
    return render_template("admin/remuneration_print.html", campaign=campaign, rows=rows, mode_labels=MODE_LABELS)


@bp.route("/campaigns/<int:campaign_id>/remuneration/sign-off")
@officer_required
@loads_campaign
def sign_off(campaign: Campaign) -> str:
    """The sign-off sheets to print on A4: one per unit."""
    return render_sign_off(campaign, signed_rows(campaign))


@bp.route("/campaigns/<int:campaign_id>/remuneration/sign-off.pdf")
@officer_required
@loads_campaign
def sign_off_pdf(campaign: Campaign) -> Response | WerkzeugResponse:
    rows = signed_rows(campaign)
    lines = sum(row.in_person_forms for row in rows)
    name = file_name("ky-nhan", campaign, "pdf")
    return recorded_pdf(campaign, name, lines, lambda: render_sign_off(campaign, rows))


def signed_rows(campaign: Campaign) -> list[RemunerationRow]:
    """The units with forms paid in person: one sign-off sheet each."""
    return [row for row in remuneration_rows(campaign) if row.in_person_forms]


def render_sign_off(campaign: Campaign, rows: list[RemunerationRow]) -> str:
    return render_template("admin/sign_off_print.html", campaign=campaign, rows=rows, sign_off_heading=sign_off_heading)


@bp.route("/campaigns/<int:campaign_id>/remuneration/sign-off.xlsx")
@officer_required
@loads_campaign
def sign_off_download(campaign: Campaign) -> Response:
    data = sign_off_xlsx(campaign, remuneration_rows(campaign))
    return recorded_download(campaign, file_name("ky-nhan", campaign, "xlsx"), lambda: [data])
