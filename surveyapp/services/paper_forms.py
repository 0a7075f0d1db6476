"""Printing batches of numbered paper forms from a questionnaire, and typing each one in once.

A serial reads ``<unit code>-<batch>-<form>-<check>``: the batch's number within the campaign,
the form's number within the batch, and eight random characters printed once and stored
nowhere. A serial typed in is kept only as a keyed digest (``spent_serials``), written in the
response's transaction, so a second entry of the same form is refused while nothing ties the
response to the paper a surveyor handed to someone.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from surveyapp.extensions import db
from surveyapp.models import AuditAction, Campaign, PaperBatch, ResponseMode, SpentSerial, Unit
from surveyapp.services.audit import record_action
from surveyapp.services.collection import CollectionPoint
from surveyapp.services.responses import count_responses_by_group_and_mode
from surveyapp.services.samples import link_digest

MAX_FORMS = 500  # forms of one batch: a few reams, as one print job
CHECK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read back from paper
CHECK_LENGTH = 8  # about 39 bits: too many to try every serial of a batch against its digest
SPENT_DIGEST_PURPOSE = "paper-serial-spent"
_SERIAL = re.compile(
    rf"^(?P<unit>.+)-(?P<batch>\d{{1,6}})-(?P<form>\d{{1,4}})-(?P<check>[{CHECK_ALPHABET}]{{{CHECK_LENGTH}}})$"
)
_INSERT_SPENT_SERIAL = insert(SpentSerial.__table__)


class PaperFormError(ValueError):
    """A batch cannot be printed, or a serial cannot be typed in, as asked; the message says why."""


class SerialSpent(PaperFormError):
    """The paper form of this serial was typed in already."""

    def __init__(self, serial: str) -> None:
        super().__init__(
            _("Phiếu giấy số sê-ri %(serial)s đã được nhập trước đó; mỗi phiếu chỉ được nhập một lần.", serial=serial)
        )


@dataclass(frozen=True)
class PrintedBatch:
    """A batch just printed and its serials: the one copy of their random part, to print now."""

    batch: PaperBatch
    serials: tuple[str, ...]


@dataclass(frozen=True)
class UnitPaperCount:
    """One unit's paper forms: how many were printed in batches, how many were typed in."""

    unit: Unit
    batches: int
    printed: int
    entered: int


def print_batch(point: CollectionPoint, respondent_group: str | None, forms: int) -> PrintedBatch:
    """Number a batch of ``forms`` paper forms of ``point``'s questionnaire for its unit.

    The batch takes the campaign's next number; ``respondent_group`` (a group code of the
    questionnaire, or ``None`` for forms where the respondent ticks their group) is printed
    on every form. Records the printing in the audit log.
    """
    if point.unit is None:
        raise PaperFormError(_("Phiếu dạng bảng đánh giá nhiều đơn vị nên không in theo lô cho một đơn vị."))
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
    )
    db.session.add(batch)
    db.session.flush()
    record_action(
        AuditAction.PAPER_BATCH_PRINTED,
        point.campaign,
        questionnaire=point.questionnaire.code,
        unit=point.unit.code,
        batch=batch.number,
        forms=forms,
    )
    db.session.flush()
    serials = tuple(f"{point.unit.code.upper()}-{batch.number}-{n}-{_random_check()}" for n in range(1, forms + 1))
    return PrintedBatch(batch, serials)


def _random_check() -> str:
    return "".join(secrets.choice(CHECK_ALPHABET) for _position in range(CHECK_LENGTH))


def normalize_serial(text: str) -> str:
    """A serial as typed, in the one spelling its digest is taken of: no spaces around it, in
    capitals (a unit code's letters included)."""
    return text.strip().upper()


def get_serial_batch(point: CollectionPoint, serial: str) -> PaperBatch:
    """The batch of ``point`` (same campaign, questionnaire and unit) that printed ``serial``
    (spelt as ``normalize_serial`` gives it, as printed).

    Raises ``PaperFormError`` for a serial that no batch of this entry page printed, and
    ``SerialSpent`` for one typed in already.
    """
    match = _SERIAL.match(serial)
    if match is None:
        raise PaperFormError(
            _("Số sê-ri «%(serial)s» không đúng dạng in trên phiếu (mã đơn vị-lô-số phiếu-mã kiểm tra).", serial=serial)
        )
    batch = db.session.scalar(select(PaperBatch).filter_by(campaign_id=point.campaign.id, number=int(match["batch"])))
    if (
        batch is None
        or point.unit is None
        or batch.unit_id != point.unit.id
        or batch.questionnaire_id != point.questionnaire.id
        or not 1 <= int(match["form"]) <= batch.forms
        or match["unit"] != point.unit.code.upper()
    ):
        raise PaperFormError(
            _("Số sê-ri «%(serial)s» không thuộc lô phiếu giấy nào đã in cho đơn vị và mẫu phiếu này.", serial=serial)
        )
    if db.session.get(SpentSerial, link_digest(serial, SPENT_DIGEST_PURPOSE)) is not None:
        raise SerialSpent(serial)
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


def count_paper_forms(campaign: Campaign) -> list[UnitPaperCount]:
    """Per unit with a printed batch: batches, forms printed, and paper forms typed in (all of
    the unit's paper responses: which of them came from a batch is not recorded)."""
    printed: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for unit_id, forms in db.session.execute(
        select(PaperBatch.unit_id, PaperBatch.forms).filter_by(campaign_id=campaign.id)
    ):
        printed[unit_id][0] += 1
        printed[unit_id][1] += forms
    entered: dict[int, int] = defaultdict(int)
    for (unit_id, _group, mode), count in count_responses_by_group_and_mode(campaign).items():
        if mode is ResponseMode.PAPER:
            entered[unit_id] += count
    units = {unit.id: unit for unit in db.session.scalars(select(Unit).where(Unit.id.in_(printed)))}
    return sorted(
        (
            UnitPaperCount(units[unit_id], batches, forms, entered[unit_id])
            for unit_id, (batches, forms) in printed.items()
        ),
        key=lambda count: count.unit.code,
    )
