"""Surveyors' pages: where to collect, and typing in paper forms or interviews."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.admin.downloads import attachment
from surveyapp.answering import keep_answers_when_not_stored, receive_submission, refused_form, render_questionnaire
from surveyapp.auth.access import can_collect_for, can_void_batch
from surveyapp.extensions import db, login_manager
from surveyapp.field import bp
from surveyapp.models import Campaign, ResponseMode, SampleEntry, SampleStatus
from surveyapp.paging import Page
from surveyapp.pdf import html_to_pdf, is_available, unavailable_message
from surveyapp.questionnaires.answers import RESPONDENT_GROUP_FIELD
from surveyapp.races import retried_after_a_race
from surveyapp.services.audit import local_time
from surveyapp.services.collection import CollectionPoint, absolute_url, get_collection_point, list_collection_points
from surveyapp.services.paper_forms import (
    MAX_FORMS,
    MAX_VOID_REASON,
    BatchPrintedAlready,
    PaperFormError,
    PrintedBatch,
    SerialSpent,
    get_batch,
    get_serial_batch,
    list_point_batches,
    new_print_key,
    normalize_serial,
    print_batch,
    spend_serial,
    void_batch,
)
from surveyapp.services.posters import qr_svg
from surveyapp.services.responses import CampaignNotCollecting, get_open_campaigns, local_today
from surveyapp.services.results.raw_layout import FIELD, GROUP
from surveyapp.services.samples import FOLLOW_UP_STATUSES, SampleError, get_sample, record_outcome, replace_entry
from surveyapp.services.worklists import get_worklists

TEMPLATE = "field/enter.html"
TYPED_MODES = (ResponseMode.PAPER, ResponseMode.INTERVIEW)
MODE_FIELD = "mode"
SERIAL_FIELD = "serial"  # a printed paper form's serial (``surveyapp.services.paper_forms``)
# The entry page's context: the modes, the serial, and the paper form's question codes and
# option letters beside the questions, so that the typist matches paper and screen.
ENTRY_CONTEXT = {
    "modes": TYPED_MODES,
    "mode_field": MODE_FIELD,
    "serial_field": SERIAL_FIELD,
    "shows_paper_codes": True,
}
PRINT_KEY_FIELD = "print_key"  # the batch form's one-time key (``services.paper_forms.new_print_key``)
RETURN_FIELD, RETURN_TO_OFFICERS_PAGE = "return_to", "paper_forms"  # where a void form goes back to


@bp.route("/")
@login_required
def home() -> str:
    """The open campaigns and, in each, the forms this person may type in: a summary line, then
    the points still missing forms first; campaigns whose quotas still miss forms come first."""
    covered = []
    for campaign in get_open_campaigns():
        points = [t for t in list_collection_points(campaign) if can_collect_for(current_user, t.units)]
        if points:
            covered.append((campaign, points))
    worklists = get_worklists(covered, local_today())
    lists = [(worklist, Page.of(list(worklist.items), f"page_{worklist.campaign.id}")) for worklist in worklists]
    return render_template("field/home.html", lists=lists)


def point_for_current_user(campaign_id: int, questionnaire_code: str, unit_code: str | None = None) -> CollectionPoint:
    # A form whose session expired reaches this before @login_required (the CSRF check runs
    # first): anyone not logged in goes to the log-in page, never to the form.
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    point = get_collection_point(campaign_id, questionnaire_code, unit_code)
    if point is None:
        abort(404)
    if not can_collect_for(current_user, point.units):
        abort(403)
    return point


def given_by_serial(point: CollectionPoint, serial: str) -> dict[str, str] | None:
    """The answers a printed form's ``serial`` gives (its batch's group, printed on the form, is
    not asked again); ``None`` without a serial. Raises ``PaperFormError`` for a serial that no
    batch of ``point`` printed, or a mistyped one (one typed in already is refused when stored)."""
    if not serial:
        return None
    batch = get_serial_batch(point, serial)
    return {RESPONDENT_GROUP_FIELD: batch.respondent_group} if batch.respondent_group else None


def serial_spender(serial: str) -> Callable[[], None] | None:
    """What spends ``serial`` in the response's transaction (``SerialSpent`` if it was), if any."""
    return (lambda: spend_serial(serial)) if serial else None


@bp.route("/enter/<int:campaign_id>/<questionnaire_code>", methods=["GET", "POST"])
@bp.route("/enter/<int:campaign_id>/<questionnaire_code>/<unit_code>", methods=["GET", "POST"])
@login_required
def enter(
    campaign_id: int, questionnaire_code: str, unit_code: str | None = None
) -> tuple[str, int] | WerkzeugResponse:
    """Type in one paper form (or an interview); after saving, the page is ready for the next."""
    point = point_for_current_user(campaign_id, questionnaire_code, unit_code)
    if not point.campaign.accepts(ResponseMode.PAPER, local_today()):  # as every typed-in mode
        flash(_("Đợt điều tra không ở trạng thái đang mở nên không nhập được phiếu."), "error")
        return redirect(url_for(".home"))
    serial = normalize_serial((request.form if request.method == "POST" else request.args).get(SERIAL_FIELD, ""))
    try:
        given = given_by_serial(point, serial)
    except PaperFormError as error:
        return render_questionnaire(TEMPLATE, point, notice=str(error), status=422, serial=serial, **ENTRY_CONTEXT)
    page = {"serial": serial, "printed_group": (given or {}).get(RESPONDENT_GROUP_FIELD)}
    if request.method == "POST":
        mode_value = request.form.get(MODE_FIELD, ResponseMode.PAPER.value)
        mode = next((m for m in TYPED_MODES if m.value == mode_value), None)
        if mode is None:
            abort(400)
        try:
            outcome = receive_submission(point, mode, before_commit=serial_spender(serial), given=given)
        except CampaignNotCollecting:
            flash(_("Đợt điều tra đã kết thúc nên không nhập được phiếu."), "error")
            return redirect(url_for(".home"))
        except SerialSpent as error:
            db.session.rollback()
            return render_questionnaire(
                TEMPLATE, point, notice=str(error), status=422, given=given, **page, **ENTRY_CONTEXT
            )
        if outcome.was_stored_before:
            flash(_("Phiếu này đã được lưu trước đó; không lưu lần thứ hai."), "info")
            return redirect(request.path)
        if outcome.is_stored:
            flash(_("Đã lưu phiếu. Trang đã sẵn sàng để nhập phiếu tiếp theo."), "success")
            return redirect(request.path)
        if outcome.is_quota_full:
            flash(_("Nhóm này đã đủ số phiếu theo chỉ tiêu; phiếu không được lưu."), "error")
            return redirect(url_for(".home"))
        return refused_form(TEMPLATE, point, outcome, given=given, **page, **ENTRY_CONTEXT)
    return render_questionnaire(TEMPLATE, point, given=given, **page, **ENTRY_CONTEXT)


keep_answers_when_not_stored(bp, "field.enter", TEMPLATE, point_for_current_user, **ENTRY_CONTEXT)


@bp.route("/sample/<int:campaign_id>/<unit_code>")
@login_required
def sample(campaign_id: int, unit_code: str) -> str:
    """The unit's sampled people to contact, their status, and the reserve list.

    No personal link is shown here: a surveyor could answer through it in the person's name.
    What a surveyor asks a person is typed in as an interview or a paper form.
    """
    campaign = db.get_or_404(Campaign, campaign_id)
    unit = next((u for u in campaign.units if u.code == unit_code), None)
    if unit is None:
        abort(404)
    if not can_collect_for(current_user, [unit]):
        abort(403)
    return render_template("field/sample.html", campaign=campaign, unit=unit, entries=get_sample(campaign, unit))


@bp.route("/sample/outcome", methods=["POST"])
@login_required
def sample_outcome() -> WerkzeugResponse:
    """Record that a sampled person answered, refused or was unreachable; or replace them.

    The person's entry is named in the form, not in the URL, so the request log cannot
    place it next to the interview typed in just before.
    """
    entry = db.session.get(SampleEntry, request.form.get("entry_id", type=int) or 0)
    if entry is None:
        abort(404)
    if not can_collect_for(current_user, [entry.unit]):
        abort(403)
    action = request.form.get("action", "")
    try:
        if action == "replace":
            reserve = replace_entry(entry, local_today())
            flash(_("Đã thay bằng người dự phòng số %(rank)d.", rank=reserve.reserve_rank), "success")
        else:
            status = next((s for s in FOLLOW_UP_STATUSES if s.value == action), None)
            if status is None:
                abort(400)
            record_outcome(entry, status)
            if status is SampleStatus.COMPLETED:
                flash(
                    _(
                        "Đã ghi nhận. Trạng thái “Đã trả lời” được cập nhật cùng lúc cho từng nhóm người, "
                        "để không ai ghép được một người với phiếu của họ."
                    ),
                    "success",
                )
            else:
                flash(_("Đã ghi nhận."), "success")
    except SampleError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
    return redirect(url_for(".sample", campaign_id=entry.campaign_id, unit_code=entry.unit.code))


def qr_image(endpoint: str, **values: object) -> Markup:
    """The QR code (inline SVG) of the address of ``endpoint`` with ``values``."""
    return Markup(qr_svg(absolute_url(endpoint, **values)))


def pdf_max_forms(point: CollectionPoint) -> int:
    """The most forms of ``point``'s questionnaire that one PDF holds (setting ``PDF_MAX_QUESTIONS``;
    a matrix form's per-unit questions count once per unit it rates)."""
    return max(1, current_app.config["PDF_MAX_QUESTIONS"] // point.definition.answer_count(len(point.units)))


def batch_form(point: CollectionPoint) -> str:
    """The form that asks how many forms to print, for which group, and whether as a PDF, with a
    fresh one-time key; and the batches printed for ``point`` (with a void form for those the
    user may void)."""
    batches = list_point_batches(point)
    return render_template(
        "field/paper_batch.html",
        point=point,
        max_forms=MAX_FORMS,
        pdf_max_forms=pdf_max_forms(point),
        print_key=new_print_key(),
        print_key_field=PRINT_KEY_FIELD,
        batches=batches,
        voidable={batch.id for batch in batches if not batch.is_voided and can_void_batch(current_user, batch)},
        local_time=local_time,
        max_void_reason=MAX_VOID_REASON,
    )


def batch_pdf_refusal(point: CollectionPoint, printed: PrintedBatch) -> str | None:
    """Why the batch just printed cannot come as a PDF, or ``None``. The batch is made by then
    and its serials exist only in this answer, so a refused PDF gives the print page instead."""
    if len(printed.serials) > pdf_max_forms(point):
        return _(
            "Tệp PDF chỉ làm được cho lô đến %(max)d phiếu của mẫu này; lô số %(number)d có %(forms)d phiếu nên "
            "được hiện thành trang in dưới đây. Hãy dùng lệnh In của trình duyệt để in hoặc lưu thành PDF ngay: "
            "trang này chỉ hiện một lần.",
            max=pdf_max_forms(point),
            number=printed.batch.number,
            forms=len(printed.serials),
        )
    if not is_available():
        return unavailable_message()
    return None


@bp.route("/paper/<int:campaign_id>/<questionnaire_code>", methods=["GET", "POST"])
@bp.route("/paper/<int:campaign_id>/<questionnaire_code>/<unit_code>", methods=["GET", "POST"])
@login_required
def paper_batch(
    campaign_id: int, questionnaire_code: str, unit_code: str | None = None
) -> str | tuple[str, int] | WerkzeugResponse:
    """Print a batch of numbered paper forms for one unit (a matrix questionnaire: for the
    campaign): the form asks how many and for which group; the answer is the A4 print page, or
    its PDF (*Tải PDF*), shown once (the serials' random part is kept nowhere)."""
    point = point_for_current_user(campaign_id, questionnaire_code, unit_code)
    if request.method == "POST":
        group = request.form.get("respondent_group", "") or None
        forms = request.form.get("forms", type=int)
        try:
            if forms is None:
                raise PaperFormError(_("Số phiếu cần in phải là một số nguyên."))
            key = request.form.get(PRINT_KEY_FIELD, "")
            # The same form sent twice at once (a double click): the second finds the first's batch.
            printed = retried_after_a_race(lambda: print_batch(point, group, forms, key, current_user))
        except BatchPrintedAlready as error:
            return render_template(
                "field/paper_batch_printed.html",
                point=point,
                batch=error.batch,
                printed_at=local_time(error.batch.created_at),
                may_void=can_void_batch(current_user, error.batch),
                max_void_reason=MAX_VOID_REASON,
            ), 409
        except PaperFormError as error:
            flash(str(error), "error")
            return batch_form(point), 422
        db.session.commit()
        qr_codes = {
            serial: qr_image(
                "field.enter",
                campaign_id=campaign_id,
                questionnaire_code=questionnaire_code,
                unit_code=unit_code,
                serial=serial,
            )
            for serial in printed.serials
        }
        as_pdf = request.form.get("format") == "pdf"
        pdf_refusal = batch_pdf_refusal(point, printed) if as_pdf else None
        # The import template's column names, whatever the page's language: a typist copies the codes.
        page = render_template(
            "field/paper_forms_print.html",
            point=point,
            printed=printed,
            qr_codes=qr_codes,
            group_column=GROUP,
            field_column=FIELD,
            pdf_refusal=pdf_refusal,
        )
        if as_pdf and pdf_refusal is None:
            name = f"phieu-giay-{point.unit_code or point.questionnaire.code}-lo-{printed.batch.number}.pdf"
            return attachment(name, html_to_pdf(page, request.url_root))
        return page
    return batch_form(point)


@bp.route("/paper/<int:campaign_id>/batches/<int:number>/void", methods=["POST"])
@login_required
def void_paper_batch(campaign_id: int, number: int) -> WerkzeugResponse:
    """Void a printed batch that was lost or misprinted (a reason is required): its serials are
    refused from now on. Officers void any batch, a surveyor the batches they printed; an
    officer voiding from the paper forms page goes back to it."""
    batch = get_batch(db.get_or_404(Campaign, campaign_id), number)
    if batch is None:
        abort(404)
    if not can_void_batch(current_user, batch):
        abort(403)
    try:
        void_batch(batch, request.form.get("reason", ""))
    except PaperFormError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã hủy lô số %(number)d: số sê-ri của lô không được nhập nữa.", number=number), "success")
    if request.form.get(RETURN_FIELD) == RETURN_TO_OFFICERS_PAGE and current_user.is_officer:
        return redirect(url_for("admin.paper_forms", campaign_id=campaign_id))
    return redirect(
        url_for(
            ".paper_batch",
            campaign_id=campaign_id,
            questionnaire_code=batch.questionnaire.code,
            unit_code=batch.unit_code,
        )
    )
