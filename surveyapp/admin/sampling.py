"""Officers' sampling: the frame's import, the draw, purging contacts and the single-use links."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from surveyapp.admin import bp
from surveyapp.admin.downloads import attachment
from surveyapp.admin.forms import DrawSampleForm, FrameUploadForm, InvitationForm, LinksForm
from surveyapp.admin.loading import loads_campaign
from surveyapp.admin.uploads import ProblemReport, accepts_uploads, refuse_rows
from surveyapp.auth.access import officer_required
from surveyapp.extensions import db
from surveyapp.models import Campaign
from surveyapp.services.frames import FrameAlreadySampled, count_frame, import_frame, purge_contacts
from surveyapp.services.invitations import (
    PLACEHOLDERS,
    InvitationError,
    ListKind,
    check_invitation,
    failed_invitation,
    invitation_text,
    message_table,
    preview_invitation,
    record_invitations_listed,
    refused_table,
    save_invitation,
    write_invitations,
)
from surveyapp.services.responses import local_today
from surveyapp.services.samples import (
    SampleError,
    count_sample,
    draw_sample,
    get_replacements,
    issue_links,
    links_table,
    new_seed,
)
from surveyapp.services.senders import configured_sender, send_invitations
from surveyapp.tables.reading import RowsRejected, UnreadableTable
from surveyapp.tables.writing import csv_bytes, csv_zip


@bp.route("/campaigns/<int:campaign_id>/sample", methods=["GET", "POST"])
@officer_required
@loads_campaign
@accepts_uploads
def sample(campaign: Campaign) -> str | WerkzeugResponse:
    """The sampling frame: import it, see the bad rows, draw the sample, purge contacts."""
    upload = FrameUploadForm(prefix="frame")
    problems = None
    if upload.validate_on_submit():
        file = upload.frame_file.data
        try:
            result = import_frame(campaign, file.filename, file.stream, skip_bad_rows=upload.skip_bad_rows.data)
        except RowsRejected as rejected:
            message = _(
                "Tệp có %(count)s lỗi nên chưa nhập dòng nào. Sửa tệp, hoặc chọn bỏ qua các dòng lỗi.",
                count=format_decimal(rejected.count),
            )
            problems = refuse_rows(campaign, rejected, message)
        except (UnreadableTable, FrameAlreadySampled) as error:
            db.session.rollback()
            flash(_("Không nhập được tệp: %(reason)s", reason=str(error)), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "Đã nhập %(stored)s hồ sơ; bỏ qua %(skipped)s dòng lỗi.",
                    stored=format_decimal(result.stored),
                    skipped=format_decimal(result.skipped.rows),
                ),
                "success",
            )
            if result.converted:
                flash(
                    _(
                        "%(count)s dòng ghi mã xã, phường trước ngày 1/7/2025 đã được đọc theo mã đơn vị mới.",
                        count=format_decimal(result.converted),
                    ),
                    "success",
                )
            return redirect(url_for(".sample", campaign_id=campaign.id))
    return _sample_page(campaign, upload=upload, problems=problems)


def _sample_page(
    campaign: Campaign,
    *,
    upload: FrameUploadForm | None = None,
    draw: DrawSampleForm | None = None,
    problems: ProblemReport | None = None,
    invitation: InvitationForm | None = None,
) -> str:
    """The sampling page, with the forms as given (refused, with their errors) or new ones."""
    if draw is None:
        draw = DrawSampleForm(prefix="draw", formdata=None)
        draw.seed.data = new_seed()
    draw.questionnaire_id.choices = [SelectChoice(q.id, f"{q.code} – {q.title}") for q in campaign.questionnaires]
    if invitation is None:
        invitation = InvitationForm(prefix="invitation", formdata=None, text=invitation_text(campaign))
    # A refused text cannot be previewed: the saved one is, beside it and its errors.
    shown = invitation_text(campaign) if invitation.errors else invitation.text.data or ""
    preview, length = preview_invitation(campaign, shown)
    return render_template(
        "admin/sample.html",
        campaign=campaign,
        upload=upload or FrameUploadForm(prefix="frame", formdata=None),
        draw=draw,
        problems=problems,
        frame_counts=count_frame(campaign),
        sample_counts=count_sample(campaign),
        replacements=get_replacements(campaign),
        invitation=invitation,
        placeholders=PLACEHOLDERS,
        preview=preview,
        preview_length=length,
        links=LinksForm(formdata=None),
        can_send=configured_sender() is not None,
    )


@bp.route("/campaigns/<int:campaign_id>/sample/draw", methods=["POST"])
@officer_required
@loads_campaign
def draw_sample_view(campaign: Campaign) -> WerkzeugResponse:
    form = DrawSampleForm(prefix="draw")
    form.questionnaire_id.choices = [SelectChoice(q.id, q.code) for q in campaign.questionnaires]
    if not form.validate_on_submit():
        flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
        return redirect(url_for(".sample", campaign_id=campaign.id))
    questionnaire = next(q for q in campaign.questionnaires if q.id == form.questionnaire_id.data)
    try:
        drawn = draw_sample(campaign, questionnaire, form.seed.data.strip(), form.reserve_per_unit.data)
    except SampleError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _(
                "Đã chọn mẫu: %(selected)s người cần liên hệ, %(reserves)s người dự phòng (hạt giống %(seed)s).",
                selected=sum(s.selected for s in drawn),
                reserves=sum(s.reserves for s in drawn),
                seed=form.seed.data.strip(),
            ),
            "success",
        )
    return redirect(url_for(".sample", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/sample/purge-contacts", methods=["POST"])
@officer_required
@loads_campaign
def purge_contacts_view(campaign: Campaign) -> WerkzeugResponse:
    removed = purge_contacts(campaign)
    db.session.commit()
    flash(_("Đã xóa thông tin liên hệ của %(count)s người.", count=format_decimal(removed)), "success")
    return redirect(url_for(".sample", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/sample/invitation", methods=["POST"])
@officer_required
@loads_campaign
def invitation_view(campaign: Campaign) -> str | tuple[str, int] | WerkzeugResponse:
    """Preview the invitation text as typed, or save it: a refused text is shown back as typed."""
    form = InvitationForm(prefix="invitation")
    if form.validate_on_submit():
        try:
            text = form.text.data or ""  # a form without the field leaves it None
            if form.preview.data:
                check_invitation(text)
                return _sample_page(campaign, invitation=form)
            save_invitation(campaign, text)
        except InvitationError as error:
            form.text.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Đã lưu nội dung tin nhắn mời trả lời."), "success")
            return redirect(url_for(".sample", campaign_id=campaign.id))
    return _sample_page(campaign, invitation=form), 422


@bp.route("/campaigns/<int:campaign_id>/sample/links", methods=["POST"])
@officer_required
@loads_campaign
def issue_links_view(campaign: Campaign) -> WerkzeugResponse:
    """New single-use links for the sample, downloaded once: the links alone (CSV), or the
    message list for an SMS gateway or a Zalo OA broadcast with the people it cannot reach
    (ZIP). The service keeps none of them."""
    form = LinksForm()
    if not form.validate_on_submit():
        flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
        return redirect(url_for(".sample", campaign_id=campaign.id))
    issued = issue_links(campaign)
    if not issued:
        flash(_("Không có người nào cần liên hệ để tạo đường dẫn."), "error")
        return redirect(url_for(".sample", campaign_id=campaign.id))
    stem = f"dot-{campaign.id}-{local_today():%Y%m%d}"
    if form.kind.data == "links":
        data, name = csv_bytes(links_table(issued)), f"duong-dan-{stem}.csv"
    else:
        kind = ListKind(form.kind.data)
        written = write_invitations(campaign, issued)
        record_invitations_listed(campaign, kind, written)
        tables = [message_table(kind, written.invitations), refused_table(written.refused)]
        data, name = csv_zip(tables, f"tin-nhan-{stem}"), f"tin-nhan-{kind.value}-{stem}.zip"
    db.session.commit()
    return attachment(name, data)


@bp.route("/campaigns/<int:campaign_id>/sample/send", methods=["POST"])
@officer_required
@loads_campaign
def send_invitations_view(campaign: Campaign) -> WerkzeugResponse:
    """New single-use links sent at once through the configured gateway; the people it cannot
    reach are downloaded with their links (once), otherwise back to the page with the counts."""
    sender = configured_sender()
    if sender is None:
        flash(_("Chưa cấu hình tổng đài gửi tin nhắn: hãy tải danh sách tin nhắn về để gửi."), "error")
        return redirect(url_for(".sample", campaign_id=campaign.id))
    issued = issue_links(campaign)
    if not issued:
        flash(_("Không có người nào cần liên hệ để tạo đường dẫn."), "error")
        return redirect(url_for(".sample", campaign_id=campaign.id))
    written = write_invitations(campaign, issued)
    result = send_invitations(campaign, sender, written.invitations)
    unreached = written.refused + [failed_invitation(invitation) for invitation in result.failed]
    db.session.commit()
    flash(
        _(
            "Đã gửi %(sent)s tin nhắn; %(unreached)s người không gửi được.",
            sent=format_decimal(result.sent),
            unreached=format_decimal(len(unreached)),
        ),
        "success",
    )
    if not unreached:
        return redirect(url_for(".sample", campaign_id=campaign.id))
    name = f"khong-gui-duoc-dot-{campaign.id}-{local_today():%Y%m%d}.csv"
    return attachment(name, csv_bytes(refused_table(unreached)))
