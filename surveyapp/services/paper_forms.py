"""Printing batches of numbered paper forms from a questionnaire, and typing each one in once.

A serial reads ``<unit code>-<batch>-<form>-<check>``: the batch's number within the campaign,
the form's number within the batch, then eight random characters printed once and stored
nowhere, and one check character computed from all that comes before it (``check_character``),
so that a serial mistyped (one character wrong, two neighbours swapped) is refused instead of
being taken for another form. A matrix questionnaire (one sheet rating every unit it applies to, typed in on the
entry page without a unit) is printed in batches for the whole campaign, and its serials start
with the questionnaire's code instead of a unit's (``CH3-4-12-K7Q9ZC4M``).

A serial typed in is kept only as a keyed digest (``spent_serials``), written in the response's
transaction, so a second entry of the same form is refused while nothing ties the response to
the paper a surveyor handed to someone. Whether a serial was typed in is said only when a form
is stored with it (the insert of its digest): the entry page opened with a serial does not say
it, or whoever knows who got which paper could watch for the moment it is typed in and find its
answers among the responses.

After printing, a batch is handed out and comes back (counts the officer records), or is
voided when lost or misprinted (its serials are then refused). The batch form carries a
one-time key, so the same form sent twice (a refreshed print page) prints one batch.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, fields

from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from surveyapp.extensions import db
from surveyapp.i18n import localized
from surveyapp.models import (
    AuditAction,
    Campaign,
    PaperBatch,
    Questionnaire,
    Response,
    ResponseMode,
    SpentSerial,
    Unit,
    User,
)
from surveyapp.services.audit import local_time, record_action
from surveyapp.services.collection import CollectionPoint
from surveyapp.services.samples import link_digest
from surveyapp.tables.writing import Column, Kind, Table, table_of_rows, write_xlsx

MAX_FORMS = 500  # forms of one batch: a few reams, as one print job
CHECK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read back from paper
CHECK_LENGTH = 8  # about 39 bits: too many to try every serial of a batch against its digest
SPENT_DIGEST_PURPOSE = "paper-serial-spent"
# One spelling per serial: numbers in ASCII digits without leading zeros, then the random part
# and its check character.
_SERIAL = re.compile(
    rf"^(?P<unit>.+)-(?P<batch>[1-9][0-9]{{0,5}})-(?P<form>[1-9][0-9]{{0,3}})"
    rf"-(?P<check>[{CHECK_ALPHABET}]{{{CHECK_LENGTH + 1}}})$"
)
_INSERT_SPENT_SERIAL = insert(SpentSerial.__table__)
PRINT_KEY_BYTES = 16
_PRINT_KEY = re.compile(r"^[A-Za-z0-9_-]{22}$")  # secrets.token_urlsafe(PRINT_KEY_BYTES)
MAX_VOID_REASON = 500
MAX_HANDED_TO = 200


class PaperFormError(ValueError):
    """A batch cannot be printed, or a serial cannot be typed in, as asked; the message says why."""


class SerialSpent(PaperFormError):
    """The paper form of this serial was typed in already."""

    def __init__(self, serial: str) -> None:
        super().__init__(
            _("Phiếu giấy số sê-ri %(serial)s đã được nhập trước đó; mỗi phiếu chỉ được nhập một lần.", serial=serial)
        )


class BatchPrintedAlready(PaperFormError):
    """The batch form was sent before (a refreshed or resent print page): ``batch`` is what it printed."""

    def __init__(self, batch: PaperBatch) -> None:
        super().__init__(_("Lô số %(number)d đã được in từ trang này.", number=batch.number))
        self.batch = batch


@dataclass(frozen=True)
class PrintedBatch:
    """A batch just printed and its serials: the one copy of their random part, to print now."""

    batch: PaperBatch
    serials: tuple[str, ...]


@dataclass(frozen=True)
class HandOut:
    """What the officer records of a batch: forms handed out (to whom, free text) and come back."""

    handed_out: int
    handed_to: str
    returned: int


def new_print_key() -> str:
    """A one-time key for a batch form about to be shown (``print_batch`` takes it back)."""
    return secrets.token_urlsafe(PRINT_KEY_BYTES)


def serial_prefix(point: CollectionPoint) -> str:
    """What the serials of ``point``'s forms start with: its unit's code, or a matrix
    questionnaire's code (its batches are the campaign's, about no one unit), in capitals."""
    return (point.unit.code if point.unit is not None else point.questionnaire.code).upper()


def print_batch(
    point: CollectionPoint, respondent_group: str | None, forms: int, print_key: str, printed_by: User
) -> PrintedBatch:
    """Number a batch of ``forms`` paper forms of ``point``'s questionnaire for its unit (for a
    matrix questionnaire: for the campaign, each form rating every unit it applies to).

    The batch takes the campaign's next number; ``respondent_group`` (a group code of the
    questionnaire, or ``None`` for forms where the respondent ticks their group) is printed
    on every form. ``print_key`` is the batch form's one-time key (``new_print_key``): a form
    sent again raises ``BatchPrintedAlready`` with the batch it printed, and prints nothing.
    Records the printing in the audit log.
    """
    if not _PRINT_KEY.match(print_key):
        raise PaperFormError(_("Trang in lô đã cũ hoặc không đầy đủ. Hãy mở lại trang in lô phiếu rồi in."))
    if not 1 <= forms <= MAX_FORMS:
        raise PaperFormError(_("Số phiếu cần in phải từ 1 đến %(max)d; đã nhập %(forms)d.", max=MAX_FORMS, forms=forms))
    groups = [group.code for group in point.definition.respondent_groups]
    if respondent_group is not None and respondent_group not in groups:
        raise PaperFormError(
            _(
                "Nhóm người trả lời «%(group)s» không có trong phiếu. Các nhóm: %(groups)s.",
                group=respondent_group,
                groups=", ".join(groups),
            )
        )
    if respondent_group is None and len(groups) == 1:
        respondent_group = groups[0]
    # Two batches printed at once must not take the same number. The number is computed inside
    # the INSERT (SQLite: under its write lock); on PostgreSQL the second printer also waits
    # here for the first (FOR NO KEY UPDATE: answers stored meanwhile, which only share the
    # campaign's key, do not wait).
    db.session.execute(select(Campaign.id).filter_by(id=point.campaign.id).with_for_update(key_share=True))
    # A form sent again finds its batch here. Sent twice at once, the second waited above and
    # now sees the first's batch (PostgreSQL); on SQLite both may pass, and the unique key
    # refuses the second insert (the caller retries: ``surveyapp.races``).
    printed = db.session.scalar(select(PaperBatch).filter_by(print_key=print_key))
    if printed is not None:
        raise BatchPrintedAlready(printed)
    batch = PaperBatch(
        campaign=point.campaign,
        questionnaire=point.questionnaire,
        unit=point.unit,
        respondent_group=respondent_group,
        number=select(func.coalesce(func.max(PaperBatch.number), 0) + 1)
        .filter_by(campaign_id=point.campaign.id)
        .scalar_subquery(),
        forms=forms,
        created_at=dt.datetime.now(dt.UTC),
        print_key=print_key,
        printed_by=printed_by,
    )
    db.session.add(batch)
    db.session.flush()
    record_action(
        AuditAction.PAPER_BATCH_PRINTED,
        point.campaign,
        questionnaire=point.questionnaire.code,
        unit=point.unit_code,
        batch=batch.number,
        forms=forms,
    )
    db.session.flush()
    prefix = f"{serial_prefix(point)}-{batch.number}"
    serials = tuple(_checked(f"{prefix}-{n}-{_random_part()}") for n in range(1, forms + 1))
    return PrintedBatch(batch, serials)


def _random_part() -> str:
    return "".join(secrets.choice(CHECK_ALPHABET) for _position in range(CHECK_LENGTH))


def _checked(serial: str) -> str:
    return serial + check_character(serial)


def check_character(text: str) -> str:
    """The check character of a serial's ``text`` (all of it before the check character).

    A weighted sum modulo 31 (prime) of the characters' values, weights 1 to 30 by position: one
    character of the random part or of a number typed wrong, or two neighbours swapped, changes
    it. A character's value is its place in ``CHECK_ALPHABET``, or 31 + its code for any other
    (the digits 0 and 1, a unit code's letters).
    """
    total = 0
    for position, character in enumerate(text):
        place = CHECK_ALPHABET.find(character)
        total += (position % 30 + 1) * (place if place >= 0 else 31 + ord(character))
    return CHECK_ALPHABET[total % len(CHECK_ALPHABET)]


def normalize_serial(text: str) -> str:
    """A serial as typed, in the one spelling its digest is taken of: no spaces around it, in
    capitals (a unit code's letters included)."""
    return text.strip().upper()


def get_serial_batch(point: CollectionPoint, serial: str) -> PaperBatch:
    """The batch of ``point`` (same campaign, questionnaire and unit, or no unit for a matrix)
    that printed ``serial`` (spelt as ``normalize_serial`` gives it, as printed).

    Raises ``PaperFormError`` for a serial that no batch of this entry page printed, or that is
    mistyped (its check character does not match). Whether it was typed in already is not
    looked at: ``spend_serial`` says it when a form is stored with it.
    """
    match = _SERIAL.match(serial)
    if match is None:
        raise PaperFormError(
            _("Số sê-ri «%(serial)s» không đúng dạng in trên phiếu (mã đơn vị-lô-số phiếu-mã kiểm tra).", serial=serial)
        )
    if check_character(serial[:-1]) != serial[-1]:
        raise PaperFormError(
            _("Số sê-ri «%(serial)s» có ký tự bị gõ nhầm: hãy so lại từng ký tự với số in trên phiếu.", serial=serial)
        )
    batch = db.session.scalar(select(PaperBatch).filter_by(campaign_id=point.campaign.id, number=int(match["batch"])))
    if (
        batch is None
        or batch.unit_id != (point.unit.id if point.unit is not None else None)
        or batch.questionnaire_id != point.questionnaire.id
        or not 1 <= int(match["form"]) <= batch.forms
        or match["unit"] != serial_prefix(point)
    ):
        raise PaperFormError(
            _("Số sê-ri «%(serial)s» không thuộc lô phiếu giấy nào đã in cho đơn vị và mẫu phiếu này.", serial=serial)
        )
    if batch.is_voided:
        raise PaperFormError(
            _(
                "Số sê-ri «%(serial)s» thuộc lô số %(number)d, lô đã hủy (%(reason)s): "
                "phiếu của lô này không được nhập.",
                serial=serial,
                number=batch.number,
                reason=batch.void_reason,
            )
        )
    return batch


def spend_serial(serial: str) -> None:
    """Record the serial as typed in, in the response's transaction; ``SerialSpent`` if it was.

    Only its keyed digest is written, in a table that names no batch and no response; on
    ``SerialSpent`` the caller rolls back what it wrote before.
    """
    try:
        db.session.connection().execute(_INSERT_SPENT_SERIAL, {"digest": link_digest(serial, SPENT_DIGEST_PURPOSE)})
    except IntegrityError:
        raise SerialSpent(serial) from None


def get_batch(campaign: Campaign, number: int) -> PaperBatch | None:
    """The batch numbered ``number`` in ``campaign``."""
    return db.session.scalar(select(PaperBatch).filter_by(campaign_id=campaign.id, number=number))


def list_point_batches(point: CollectionPoint) -> list[PaperBatch]:
    """The batches printed for ``point`` (its campaign, questionnaire and unit), newest first."""
    return list(
        db.session.scalars(
            select(PaperBatch)
            .filter_by(campaign_id=point.campaign.id, questionnaire_id=point.questionnaire.id)
            .where(PaperBatch.unit_id == (point.unit.id if point.unit is not None else None))
            .order_by(PaperBatch.number.desc())
        )
    )


def void_batch(batch: PaperBatch, reason: str) -> None:
    """Void ``batch`` (lost or misprinted), for ``reason``: its serials are refused from now on
    and its forms are counted apart. Records it in the audit log."""
    reason = reason.strip()
    if batch.is_voided:
        raise PaperFormError(_("Lô số %(number)d đã hủy trước đó.", number=batch.number))
    if not reason:
        raise PaperFormError(_("Lý do hủy lô: bắt buộc (ví dụ: thất lạc, in lỗi)."))
    if len(reason) > MAX_VOID_REASON:
        raise PaperFormError(_("Lý do hủy lô: tối đa %(max)d ký tự.", max=MAX_VOID_REASON))
    batch.voided_at = dt.datetime.now(dt.UTC)
    batch.void_reason = reason
    record_action(
        AuditAction.PAPER_BATCH_VOIDED, batch.campaign, unit=batch.unit_code, batch=batch.number, reason=reason
    )
    db.session.flush()


def record_hand_out(batch: PaperBatch, hand_out: HandOut) -> None:
    """Record how many forms of ``batch`` were handed out (to whom) and came back:
    0 <= returned <= handed out <= printed. Records it in the audit log."""
    if batch.is_voided:
        raise PaperFormError(
            _("Lô số %(number)d đã hủy: không ghi phát, thu phiếu cho lô đã hủy.", number=batch.number)
        )
    if not 0 <= hand_out.handed_out <= batch.forms:
        raise PaperFormError(
            _(
                "Số phiếu đã phát: phải từ 0 đến %(forms)d (số phiếu đã in của lô %(number)d); đã nhập %(value)d.",
                forms=batch.forms,
                number=batch.number,
                value=hand_out.handed_out,
            )
        )
    if not 0 <= hand_out.returned <= hand_out.handed_out:
        raise PaperFormError(
            _(
                "Số phiếu đã thu về: phải từ 0 đến %(handed_out)d (số phiếu đã phát); đã nhập %(value)d.",
                handed_out=hand_out.handed_out,
                value=hand_out.returned,
            )
        )
    handed_to = hand_out.handed_to.strip()
    if len(handed_to) > MAX_HANDED_TO:
        raise PaperFormError(_("Người nhận phiếu: tối đa %(max)d ký tự.", max=MAX_HANDED_TO))
    batch.handed_out, batch.handed_to, batch.returned = hand_out.handed_out, handed_to or None, hand_out.returned
    record_action(
        AuditAction.PAPER_BATCH_COUNTED,
        batch.campaign,
        unit=batch.unit_code,
        batch=batch.number,
        handed_out=hand_out.handed_out,
        returned=hand_out.returned,
        handed_to=handed_to,
    )
    db.session.flush()


def group_label(batch: PaperBatch) -> str:
    """A batch's respondent group as the page and the workbook show it: by its name, never its
    code ("" for a batch printed with a box per group)."""
    groups = batch.questionnaire.definition.respondent_groups
    return next((localized(group.label) for group in groups if group.code == batch.respondent_group), "")


def void_label(batch: PaperBatch) -> str:
    """A voided batch as the page and the workbook show it: when, and why."""
    return _("Đã hủy ngày %(day)s: %(reason)s", day=f"{local_time(batch.voided_at):%d/%m/%Y}", reason=batch.void_reason)


@dataclass(frozen=True)
class PaperTally:
    """Forms printed (in batches not voided), handed out, returned and typed in; and what the
    voided batches printed, counted apart."""

    printed: int = 0
    handed_out: int = 0
    returned: int = 0
    entered: int = 0
    voided_batches: int = 0
    voided_forms: int = 0

    def __add__(self, other: PaperTally) -> PaperTally:
        return PaperTally(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def voided_label(self) -> str:
        """The voided batches as the page and the workbook show them ("" when none)."""
        if not self.voided_batches:
            return ""
        return _("%(batches)d lô (%(forms)d phiếu)", batches=self.voided_batches, forms=self.voided_forms)

    @classmethod
    def of_batch(cls, batch: PaperBatch) -> PaperTally:
        if batch.is_voided:
            return cls(voided_batches=1, voided_forms=batch.forms)
        return cls(printed=batch.forms, handed_out=batch.handed_out or 0, returned=batch.returned or 0)


@dataclass(frozen=True)
class PaperFormsRow:
    """One unit's batches (by number) and tally; or, with ``unit`` ``None``, a matrix
    questionnaire's batches for the whole campaign.

    ``entered``: for a unit, its paper responses to single-layout questionnaires (which of them
    came from which batch is not recorded); for a matrix questionnaire, its paper forms typed in
    (each is stored as one answer per unit it rates: the count of its most answered unit).
    """

    unit: Unit | None
    questionnaire: Questionnaire | None
    batches: tuple[PaperBatch, ...]
    tally: PaperTally


@dataclass(frozen=True)
class CampaignPaperForms:
    """The units with a printed batch (by code), then the matrix questionnaires with one (by
    code), and the campaign's tally."""

    rows: tuple[PaperFormsRow, ...]
    tally: PaperTally


def count_paper_forms(campaign: Campaign) -> CampaignPaperForms:
    """Per unit (or matrix questionnaire) with a printed batch: its batches and its tally
    (printed, handed out, returned, typed in; voided batches apart), and the campaign's total."""
    matrix_ids = {q.id for q in campaign.questionnaires if q.definition.is_matrix}
    entered: dict[tuple[int | None, int | None], int] = defaultdict(int)
    for unit_id, questionnaire_id, count in db.session.execute(
        select(Response.unit_id, Response.questionnaire_id, func.count())
        .filter_by(campaign_id=campaign.id, mode=ResponseMode.PAPER)
        .group_by(Response.unit_id, Response.questionnaire_id)
    ):
        if questionnaire_id in matrix_ids:
            entered[None, questionnaire_id] = max(entered[None, questionnaire_id], count)
        else:
            entered[unit_id, None] += count
    batches: dict[tuple[int | None, int | None], list[PaperBatch]] = defaultdict(list)
    for batch in db.session.scalars(select(PaperBatch).filter_by(campaign_id=campaign.id).order_by(PaperBatch.number)):
        batches[batch.unit_id, None if batch.unit_id else batch.questionnaire_id].append(batch)
    rows = sorted(
        (
            PaperFormsRow(
                first.unit,
                None if first.unit else first.questionnaire,
                tuple(row_batches),
                sum(map(PaperTally.of_batch, row_batches), PaperTally(entered=entered[key])),
            )
            for key, row_batches in batches.items()
            for first in row_batches[:1]
        ),
        key=lambda row: (row.unit is None, row.unit.code if row.unit else row.questionnaire.code),
    )
    return CampaignPaperForms(tuple(rows), sum((row.tally for row in rows), PaperTally()))


def paper_forms_tables(paper: CampaignPaperForms) -> list[Table]:
    """The officer's table of paper batches as a sheet: per unit (or matrix questionnaire) a
    total row, then its batches; the campaign's total last."""

    def tally_cells(tally: PaperTally) -> list[object]:
        return [tally.printed, tally.handed_out, "", tally.returned, tally.entered, tally.voided_label]

    rows: list[list[object]] = []
    for row in paper.rows:
        code, name = (
            (row.unit.code, row.unit.name) if row.unit else (row.questionnaire.code, _("Phiếu dạng bảng (cả đợt)"))
        )
        rows.append([code, name, None, "", "", "", *tally_cells(row.tally)])
        for batch in row.batches:
            if batch.is_voided:
                counts = [None, None, "", None, None, void_label(batch)]
            else:
                counts = [batch.forms, batch.handed_out, batch.handed_to or "", batch.returned, None, ""]
            at = f"{local_time(batch.created_at):%d/%m/%Y %H:%M}"
            rows.append([code, name, batch.number, batch.questionnaire.code, group_label(batch), at, *counts])
    rows.append(["", _("Toàn đợt"), None, "", "", "", *tally_cells(paper.tally)])
    columns = [
        Column(_("Mã đơn vị")),
        Column(_("Đơn vị")),
        Column(_("Lô số"), Kind.COUNT),
        Column(_("Mẫu phiếu"), Kind.CODE),
        Column(_("Nhóm người trả lời")),
        Column(_("In lúc"), Kind.CODE),
        Column(_("Đã in"), Kind.COUNT),
        Column(_("Đã phát"), Kind.COUNT),
        Column(_("Người nhận")),
        Column(_("Đã thu về"), Kind.COUNT),
        Column(_("Phiếu giấy đã nhập"), Kind.COUNT),
        Column(_("Lô đã hủy")),
    ]
    return [table_of_rows("paper_batches", _("Phiếu giấy in theo lô"), columns, rows)]


def paper_forms_xlsx(paper: CampaignPaperForms) -> bytes:
    """The paper batches workbook, written (and neutralised) like every other export."""
    buffer = io.BytesIO()
    write_xlsx(paper_forms_tables(paper), buffer)
    return buffer.getvalue()
