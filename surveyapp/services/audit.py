"""Recording staff actions in the audit log, and reading it back.

Views and commands record an action in the same transaction as the change it describes, so
an action is logged exactly when it happened. The log is never pruned by the service. It is
read a page at a time, newest first, by keyset (``id`` below or above an entry's), so an old
entry stays reachable however many came after it; filters narrow it by action, actor,
campaign and local dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from flask import current_app, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, exists, func, select

from surveyapp.extensions import db
from surveyapp.models import AuditAction, AuditEntry, Campaign
from surveyapp.tables import writing

COMMAND_ACTOR = "cli"
PAGE_SIZE = 100

ACTION_LABELS = {
    AuditAction.CAMPAIGN_CREATED: _l("Tạo đợt điều tra"),
    AuditAction.CAMPAIGN_EDITED: _l("Sửa đợt điều tra"),
    AuditAction.CAMPAIGN_OPENED: _l("Mở đợt điều tra"),
    AuditAction.CAMPAIGN_CLOSED: _l("Kết thúc đợt điều tra"),
    AuditAction.CAMPAIGN_REOPENED: _l("Mở lại đợt điều tra"),
    AuditAction.QUOTAS_SAVED: _l("Lưu chỉ tiêu phiếu"),
    AuditAction.FRAME_IMPORTED: _l("Nhập khung chọn mẫu"),
    AuditAction.SAMPLE_DRAWN: _l("Chọn mẫu"),
    AuditAction.LINKS_ISSUED: _l("Tạo đường dẫn dùng một lần"),
    AuditAction.CONTACTS_PURGED: _l("Xóa thông tin liên hệ"),
    AuditAction.RATES_SAVED: _l("Lưu mức thù lao"),
    AuditAction.TARGETS_SAVED: _l("Lưu chỉ tiêu kết quả"),
    AuditAction.RESPONSES_IMPORTED: _l("Nhập phiếu từ tệp"),
    AuditAction.APPRAISALS_IMPORTED: _l("Nhập điểm thẩm định"),
    AuditAction.EXPORTED: _l("Tải tệp số liệu"),
    AuditAction.UNITS_LOADED: _l("Nạp danh sách đơn vị"),
    AuditAction.USER_CREATED: _l("Tạo tài khoản"),
    AuditAction.PASSWORD_CHANGED: _l("Đổi mật khẩu"),
    AuditAction.USER_DEACTIVATED: _l("Khóa tài khoản"),
    AuditAction.USER_REACTIVATED: _l("Mở lại tài khoản"),
    AuditAction.HELD_ACCEPTED: _l("Tính các phiếu tạm giữ"),
    AuditAction.HELD_REJECTED: _l("Loại các phiếu tạm giữ"),
    AuditAction.DEVICE_REGISTERED: _l("Đăng ký thiết bị tại quầy"),
    AuditAction.DEVICE_REVOKED: _l("Thu hồi thiết bị tại quầy"),
    AuditAction.CHANNELS_SAVED: _l("Lưu kênh nhận phiếu"),
    AuditAction.ROUND_CREATED: _l("Tạo kỳ đánh giá Chỉ số CCHC"),
    AuditAction.ROUND_MOVED: _l("Chuyển kỳ đánh giá sang phiên bản khác của bộ chỉ số"),
    AuditAction.ASSESSMENT_OPENED: _l("Mở tự đánh giá"),
    AuditAction.EVIDENCE_UPLOADED: _l("Tải lên tài liệu kiểm chứng"),
    AuditAction.EVIDENCE_DELETED: _l("Xóa tài liệu kiểm chứng"),
    AuditAction.SELF_SCORE_SAVED: _l("Lưu điểm tự đánh giá"),
    AuditAction.SELF_SUBMITTED: _l("Gửi bản tự đánh giá"),
    AuditAction.SELF_RETURNED: _l("Trả lại bản tự đánh giá để sửa"),
    AuditAction.RESULTS_PUBLISHED: _l("Công bố kết quả"),
    AuditAction.APPRAISER_ASSIGNED: _l("Phân công thẩm định viên"),
    AuditAction.APPRAISAL_OPENED: _l("Mở thẩm định"),
    AuditAction.ITEM_APPRAISED: _l("Thẩm định điểm một tiêu chí"),
    AuditAction.APPRAISAL_FINISHED: _l("Hoàn thành thẩm định lần 1"),
    AuditAction.EXPLANATION_OPENED: _l("Mở giải trình"),
    AuditAction.ITEM_EXPLAINED: _l("Lưu giải trình tiêu chí"),
    AuditAction.EXPLANATION_REMOVED: _l("Bỏ giải trình tiêu chí"),
    AuditAction.EXPLANATION_SENT: _l("Gửi giải trình"),
    AuditAction.APPRAISAL_2_OPENED: _l("Mở thẩm định lần 2"),
    AuditAction.ITEM_REAPPRAISED: _l("Thẩm định lần 2 tiêu chí"),
    AuditAction.APPRAISAL_CLOSED: _l("Kết thúc thẩm định"),
    AuditAction.INDEX_SOURCES_SET: _l("Chọn nguồn điểm của Chỉ số CCHC"),
    AuditAction.CLASS_BOUNDS_SET: _l("Đặt ngưỡng xếp loại Chỉ số CCHC"),
    AuditAction.POINTS_ENTERED: _l("Nhập điểm một tiêu chí của đơn vị"),
    AuditAction.POINTS_IMPORTED: _l("Nhập tệp điểm tiêu chí của các đơn vị"),
    AuditAction.INDEX_PUBLISHED: _l("Công bố Chỉ số CCHC"),
    AuditAction.REMINDERS_SENT: _l("Nhắc đơn vị gửi bản tự đánh giá"),
    AuditAction.EVIDENCE_CARRIED: _l("Dùng lại tài liệu kiểm chứng năm trước"),
    AuditAction.APPRAISER_UNASSIGNED: _l("Bỏ phân công thẩm định"),
    AuditAction.CALLING_SYSTEM_CREATED: _l("Cấp khóa cho hệ thống gọi API"),
    AuditAction.CALLING_SYSTEM_REVOKED: _l("Thu hồi khóa của hệ thống gọi API"),
    AuditAction.RECEIPT_LINK_GIVEN: _l("Cấp đường dẫn khảo sát cho hồ sơ"),
    AuditAction.API_CALL_REFUSED: _l("Từ chối lời gọi API"),
    AuditAction.KIOSK_REGISTERED: _l("Đăng ký ki-ốt khảo sát tại quầy"),
    AuditAction.INVITATIONS_LISTED: _l("Tải danh sách tin nhắn mời trả lời"),
    AuditAction.INVITATIONS_SENT: _l("Gửi tin nhắn mời trả lời qua tổng đài"),
    AuditAction.PAPER_BATCH_PRINTED: _l("In lô phiếu giấy có số sê-ri"),
    AuditAction.PAPER_BATCH_COUNTED: _l("Ghi số phiếu giấy đã phát, đã thu về của một lô"),
    AuditAction.PAPER_BATCH_VOIDED: _l("Hủy lô phiếu giấy"),
}


def current_actor() -> str:
    """Who is acting: the logged-in user's username, or ``cli`` outside a request."""
    return current_user.username if has_request_context() and current_user.is_authenticated else COMMAND_ACTOR


def record_action(
    action: AuditAction, campaign: Campaign | None = None, *, actor: str | None = None, **details: Any
) -> None:
    """Add an entry for ``action`` by ``actor``, by default the logged-in user (``cli`` outside
    a request); not committed."""
    db.session.add(
        AuditEntry(
            at=dt.datetime.now(dt.UTC),
            actor=actor or current_actor(),
            action=action,
            campaign_id=campaign.id if campaign is not None else None,
            details=details,
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to read: each condition given narrows the log; dates are days in the
    service's time zone (``TIMEZONE``), both ends included."""

    action: AuditAction | None = None
    actor: str | None = None
    campaign_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True)
class AuditPage:
    """Entries newest first, and the keys of the pages around them (``None`` where there is none):
    ``newer_after`` reads the page of entries above the first one, ``older_before`` below the last."""

    entries: list[AuditEntry]
    total: int
    newer_after: int | None
    older_before: int | None


def service_zone() -> ZoneInfo:
    """The service's time zone, in which the log's times are shown and its dates are read."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_time(at: dt.datetime) -> dt.datetime:
    """An entry's time in the service's time zone (SQLite gives the stored UTC time back naive)."""
    return (at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)).astimezone(service_zone())


def zone_label() -> str:
    """The service's time zone as the log labels its times, e.g. ``Asia/Ho_Chi_Minh, UTC+07:00``."""
    offset = dt.datetime.now(service_zone()).strftime("%z")
    return f"{current_app.config['TIMEZONE']}, UTC{offset[:3]}:{offset[3:]}"


def _day_start(day: dt.date) -> dt.datetime:
    """The UTC instant at which ``day`` starts in the service's time zone."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=service_zone()).astimezone(dt.UTC)


def _filtered(audit_filter: AuditFilter) -> Select[tuple[AuditEntry]]:
    statement = select(AuditEntry)
    if audit_filter.action is not None:
        statement = statement.where(AuditEntry.action == audit_filter.action)
    if audit_filter.actor:
        statement = statement.where(AuditEntry.actor == audit_filter.actor)
    if audit_filter.campaign_id is not None:
        statement = statement.where(AuditEntry.campaign_id == audit_filter.campaign_id)
    if audit_filter.since is not None:
        statement = statement.where(AuditEntry.at >= _day_start(audit_filter.since))
    if audit_filter.until is not None:
        statement = statement.where(AuditEntry.at < _day_start(audit_filter.until + dt.timedelta(days=1)))
    return statement


def query_audit_page(
    audit_filter: AuditFilter, *, before: int | None = None, after: int | None = None, size: int = PAGE_SIZE
) -> AuditPage:
    """A page of the filtered log: the newest entries below id ``before``, or the oldest above
    id ``after`` (shown newest first), or the newest of all."""
    statement = _filtered(audit_filter)
    entries: list[AuditEntry] = []
    if after is not None:
        above = statement.where(AuditEntry.id > after).order_by(AuditEntry.id).limit(size)
        entries = list(db.session.scalars(above))[::-1]
    if not entries:
        below = statement if before is None or after is not None else statement.where(AuditEntry.id < before)
        entries = list(db.session.scalars(below.order_by(AuditEntry.id.desc()).limit(size)))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    if not entries:
        return AuditPage([], total or 0, None, None)
    ids = statement.with_only_columns(AuditEntry.id)
    newer = db.session.scalar(select(exists(ids.where(AuditEntry.id > entries[0].id))))
    older = db.session.scalar(select(exists(ids.where(AuditEntry.id < entries[-1].id))))
    return AuditPage(entries, total or 0, entries[0].id if newer else None, entries[-1].id if older else None)


def iter_audit_entries(audit_filter: AuditFilter, batch: int = 1000) -> Iterator[list[AuditEntry]]:
    """The whole filtered log, newest first, in batches read one query at a time."""
    statement = _filtered(audit_filter).order_by(AuditEntry.id.desc()).limit(batch)
    entries = list(db.session.scalars(statement))
    while entries:
        yield entries
        entries = list(db.session.scalars(statement.where(AuditEntry.id < entries[-1].id)))


def audit_table(audit_filter: AuditFilter) -> writing.Table:
    """The filtered log as an exported table, newest first, with the page's labels and times.

    Actors, campaign numbers and details were typed or chosen by people: written as text,
    they are neutralised against formula injection like every other export.
    """
    columns = [
        writing.Column(_("Thời điểm (giờ %(zone)s)", zone=zone_label()), writing.Kind.CODE),
        writing.Column(_("Người thực hiện")),
        writing.Column(_("Thao tác"), writing.Kind.CODE),
        writing.Column(_("Đợt"), writing.Kind.CODE),
        writing.Column(_("Chi tiết")),
    ]

    def frames() -> Iterator[pd.DataFrame]:
        for entries in iter_audit_entries(audit_filter):
            rows = [
                (
                    f"{local_time(entry.at):%Y-%m-%d %H:%M:%S}",
                    entry.actor,
                    str(ACTION_LABELS[entry.action]),
                    entry.campaign_id,
                    details_text(entry.details),
                )
                for entry in entries
            ]
            yield pd.DataFrame(rows, columns=range(len(columns)), dtype=object)

    return writing.Table("audit", _("Nhật ký thao tác"), columns, frames())


def details_text(details: dict[str, Any]) -> str:
    """An entry's details as the page and the export show them: ``key: value`` pairs."""
    return "; ".join(f"{key}: {value}" for key, value in details.items())
