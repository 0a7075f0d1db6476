"""Reminding the units that have not submitted their self-assessment: who they are, how far
they are, who to write to, a reminder text per unit, and a record of reminders sent.

The service sends nothing (there is no e-mail or SMS gateway): the officer downloads the list
or copies a text into their own channels, then records that the units were reminded, which is
audited and shown on the round's page. What is shown is computed once (``MissingUnit``) and the
page, the text and the CSV all read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.i18n import short_date
from surveyapp.models import AssessmentRound, AuditAction, SelfAssessment, SelfAssessmentStatus, User, UserRole
from surveyapp.services.audit import record_action
from surveyapp.services.collection import absolute_url
from surveyapp.services.self_assessments import (
    STANDING_LABELS,
    Progress,
    Standing,
    days_left,
    get_progress,
    get_round_assessments,
    get_standing,
)
from surveyapp.tables.writing import Column, Kind, Table, table_of_rows


class ReminderError(ValueError):
    """Reminders cannot be recorded as asked; the message (Vietnamese by default) says why."""


@dataclass(frozen=True)
class MissingUnit:
    """A unit of the round that has not submitted: how far it is, the days left until the due
    date (negative once past) and its active accounts, who receive the reminder."""

    assessment: SelfAssessment
    standing: Standing
    progress: Progress
    days_left: int
    accounts: tuple[User, ...]

    @property
    def account_names(self) -> str:
        """The accounts as "Full name (username)", for the page, the text and the list."""
        return "; ".join(f"{user.full_name} ({user.username})" for user in self.accounts)


def get_missing_units(assessment_round: AssessmentRound) -> list[MissingUnit]:
    """The round's units whose self-assessment is not submitted (returned ones included), in unit code order."""
    waiting = [
        assessment
        for assessment in get_round_assessments(assessment_round)
        if assessment.status is not SelfAssessmentStatus.SUBMITTED
    ]
    accounts: dict[int, list[User]] = {}
    statement = select(User).filter(
        User.role == UserRole.UNIT,
        User.is_active_account.is_(True),
        User.assessed_unit_id.in_([assessment.unit_id for assessment in waiting]),
    )
    for user in db.session.scalars(statement.order_by(User.username)):
        accounts.setdefault(user.assessed_unit_id, []).append(user)
    return [
        MissingUnit(
            assessment=assessment,
            standing=get_standing(assessment),
            progress=get_progress(assessment),
            days_left=days_left(assessment),
            accounts=tuple(accounts.get(assessment.unit_id, ())),
        )
        for assessment in waiting
    ]


def deadline_phrase(days: int) -> str:
    """How near the due date is, in words: "còn 3 ngày", "hôm nay là hạn cuối", "đã quá hạn"."""
    if days > 0:
        return _("còn %(days)s ngày", days=days)
    if days == 0:
        return _("hôm nay là hạn cuối")
    return _("đã quá hạn")


def reminder_text(missing: MissingUnit) -> str:
    """The reminder to send a unit, ready to paste into a message: the round, how far the unit
    is, the due date and where to log in with which account."""
    assessment = missing.assessment
    assessment_round = assessment.assessment_round
    return _(
        "Kính gửi %(unit)s: đơn vị chưa gửi bản tự đánh giá của %(round)s (đã hoàn thành %(done)s/%(total)s "
        "tiêu chí tự chấm). Hạn tự đánh giá là ngày %(date)s (%(left)s). Đề nghị đơn vị đăng nhập tại %(url)s "
        "bằng tài khoản %(accounts)s để hoàn thành và gửi bản tự đánh giá.",
        unit=assessment.unit.name,
        round=assessment_round.name,
        done=missing.progress.done,
        total=missing.progress.total,
        date=short_date(assessment_round.self_assessment_due_on),
        left=deadline_phrase(missing.days_left),
        url=absolute_url("auth.login"),
        accounts=", ".join(user.username for user in missing.accounts) or _("của đơn vị"),
    )


def reminder_table(missing_units: list[MissingUnit]) -> Table:
    """The reminder list the officer downloads: one row per unit not submitted, with its text."""
    columns = [
        Column(_("Mã đơn vị"), Kind.CODE),
        Column(_("Đơn vị")),
        Column(_("Tình trạng")),
        Column(_("Số tiêu chí đã hoàn thành"), Kind.COUNT),
        Column(_("Tổng số tiêu chí tự chấm"), Kind.COUNT),
        Column(_("Hạn tự đánh giá"), Kind.CODE),
        Column(_("Tài khoản"), Kind.TEXT),
        Column(_("Nội dung nhắc"), Kind.TEXT),
    ]
    rows = [
        [
            missing.assessment.unit.code,
            missing.assessment.unit.name,
            str(STANDING_LABELS[missing.standing]),
            missing.progress.done,
            missing.progress.total,
            short_date(missing.assessment.assessment_round.self_assessment_due_on),
            missing.account_names,
            reminder_text(missing),
        ]
        for missing in missing_units
    ]
    return table_of_rows("nhac-tu-danh-gia", _("Đơn vị chưa gửi bản tự đánh giá"), columns, rows)


def record_reminders(assessment_round: AssessmentRound, assessment_ids: list[int]) -> list[SelfAssessment]:
    """Record that the officer reminded the units of the self-assessments ``assessment_ids``
    now (through their own channels). Audited (who, when, which units).

    Refused, nothing recorded, when none is chosen or one is not a self-assessment of the
    round still waiting to be submitted.
    """
    if not assessment_ids:
        raise ReminderError(_("Hãy chọn ít nhất một đơn vị đã được nhắc."))
    waiting = {missing.assessment.id: missing.assessment for missing in get_missing_units(assessment_round)}
    unknown = [str(assessment_id) for assessment_id in assessment_ids if assessment_id not in waiting]
    if unknown:
        raise ReminderError(
            _(
                "Không ghi nhận được: bản tự đánh giá số %(ids)s không thuộc kỳ đánh giá này hoặc đã được gửi.",
                ids=", ".join(unknown),
            )
        )
    now = dt.datetime.now(dt.UTC)
    reminded = [waiting[assessment_id] for assessment_id in dict.fromkeys(assessment_ids)]
    for assessment in reminded:
        assessment.reminded_at = now
    db.session.flush()
    record_action(
        AuditAction.REMINDERS_SENT,
        round_id=assessment_round.id,
        units=[assessment.unit.code for assessment in reminded],
    )
    return reminded
