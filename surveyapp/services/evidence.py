"""Evidence files of assessed units (*tài liệu kiểm chứng*): upload, deletion, the unit's list.

The verbs flush and record their audit entry; the caller commits. What happens on disk
follows the transaction: an upload's content is placed in the store after the commit that
records it (and thrown away when the transaction ends without one); a deleted record's
content is removed after the commit, unless another record still names it. Placing only
committed contents is what makes a removal safe against an upload of the same content at the
same moment: the removal asks whether a record names the content while it holds the store's
lock, and a content is placed under that lock only once its record is visible.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, exists, func, select
from sqlalchemy.orm import Session, SessionTransaction

from surveyapp import evidence_files
from surveyapp.evidence_files import EVIDENCE_TYPES, TooLarge, extension_of, safe_file_name
from surveyapp.extensions import db
from surveyapp.i18n import file_size
from surveyapp.models import AuditAction, EvidenceFile, Explanation, SelfScore, Unit, User
from surveyapp.models.self_assessments import explanation_evidence, self_score_evidence
from surveyapp.services.audit import record_action

logger = logging.getLogger(__name__)
MAX_TITLE_LENGTH = 300
ACCEPTED_TYPES = _l(
    "PDF, ảnh (PNG, JPG), văn bản Word (DOC, DOCX, ODT), bảng tính Excel (XLS, XLSX, ODS) hoặc trình chiếu (PPTX)"
)
# session.info keys: what to do on disk once the transaction commits, or if it ends without.
_ON_COMMIT = "evidence_on_commit"
_ON_ABANDON = "evidence_on_abandon"


class EvidenceError(ValueError):
    """An evidence file is refused; the message (a lazy translation) names the file and why."""


def evidence_store() -> Path:
    """The folder that keeps the contents of evidence files (``EVIDENCE_DIR``)."""
    return Path(current_app.config["EVIDENCE_DIR"])


def evidence_path(evidence: EvidenceFile) -> Path:
    """Where the content of ``evidence`` is kept."""
    return evidence_files.blob_path(evidence_store(), evidence.sha256)


def get_unit_evidence(unit: Unit) -> list[EvidenceFile]:
    """The evidence files of ``unit``, newest first."""
    statement = select(EvidenceFile).filter_by(unit_id=unit.id)
    return list(db.session.scalars(statement.order_by(EvidenceFile.uploaded_at.desc(), EvidenceFile.id.desc())))


def unit_evidence_bytes(unit: Unit) -> int:
    """How many bytes the evidence files of ``unit`` take in all (as uploaded, each counted)."""
    return db.session.scalar(select(func.coalesce(func.sum(EvidenceFile.size), 0)).filter_by(unit_id=unit.id)) or 0


@dataclass(frozen=True)
class StoreCheck:
    """What ``check_evidence_store`` found: records whose content is missing or changed, and
    contents that no record names (left by an interrupted removal; harmless)."""

    checked: int
    missing: list[EvidenceFile]
    changed: list[EvidenceFile]
    unreferenced: set[str]

    @property
    def is_whole(self) -> bool:
        return not self.missing and not self.changed


def check_evidence_store() -> StoreCheck:
    """Read every evidence file's content back and compare it with its recorded SHA-256."""
    store = evidence_store()
    records = list(db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)))
    missing, changed = [], []
    for evidence in records:
        path = evidence_path(evidence)
        if not path.is_file():
            missing.append(evidence)
        elif evidence_files.content_hash(path) != evidence.sha256:
            changed.append(evidence)
    unreferenced = evidence_files.stored_hashes(store) - {evidence.sha256 for evidence in records}
    return StoreCheck(len(records), missing, changed, unreferenced)


def upload_evidence(unit: Unit, title: str, file_name: str, stream: BinaryIO, *, by: User) -> EvidenceFile:
    """Keep the file ``file_name`` read from ``stream`` as evidence of ``unit`` under ``title``. Audited.

    Refused with ``EvidenceError`` (nothing kept) when the title is empty or too long, the
    name is unusable, the type is not accepted or the content is not of the declared type,
    the file is empty or larger than ``EVIDENCE_MAX_BYTES``, or the unit's files would exceed
    ``EVIDENCE_UNIT_MAX_BYTES`` together.
    """
    title = " ".join(title.split())
    if not title:
        raise EvidenceError(_l("Hãy nhập tên tài liệu."))
    if len(title) > MAX_TITLE_LENGTH:
        raise EvidenceError(_l("Tên tài liệu dài quá %(count)d ký tự; hãy viết gọn lại.", count=MAX_TITLE_LENGTH))
    name = safe_file_name(file_name)
    if not name:
        raise EvidenceError(
            _l("Tên tệp «%(name)s» không dùng được; hãy đặt lại tên tệp rồi tải lên lại.", name=file_name)
        )
    kind = EVIDENCE_TYPES.get(extension_of(name))
    if kind is None:
        raise EvidenceError(
            _l("Tệp «%(name)s» không thuộc loại được nhận. Chỉ nhận tệp %(types)s.", name=name, types=ACCEPTED_TYPES)
        )
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    try:
        received = evidence_files.receive(stream, evidence_store(), limit)
    except TooLarge:
        raise EvidenceError(
            _l(
                "Tệp «%(name)s» vượt giới hạn %(limit)s cho mỗi tệp nên chưa được lưu. Hãy giảm dung lượng "
                "(ví dụ quét lại ở độ phân giải thấp hơn) hoặc tách thành nhiều tệp.",
                name=name,
                limit=file_size(limit),
            )
        ) from None
    try:
        _check_content(unit, name, kind.extension, received)
    except BaseException:
        received.discard()
        raise
    evidence = EvidenceFile(
        unit_id=unit.id,
        title=title,
        file_name=name,
        extension=kind.extension,
        mimetype=kind.mimetype,
        size=received.size,
        sha256=received.sha256,
        uploaded_by_id=by.id,
        uploaded_at=dt.datetime.now(dt.UTC),
    )
    db.session.add(evidence)
    db.session.flush()
    record_action(
        AuditAction.EVIDENCE_UPLOADED,
        unit=unit.code,
        evidence=evidence.id,
        title=title,
        file=name,
        size=received.size,
        sha256=received.sha256,
    )
    store = evidence_store()
    _when_committed(lambda: evidence_files.place(received, store), otherwise=received.discard)
    return evidence


def _check_content(unit: Unit, name: str, extension: str, received: evidence_files.Received) -> None:
    """Refuse an empty file, a content that is not of its declared type, or one over the unit's total."""
    if received.size == 0:
        raise EvidenceError(_l("Tệp «%(name)s» rỗng (0 byte); hãy chọn đúng tệp tài liệu.", name=name))
    if not EVIDENCE_TYPES[extension].matches(received.path):
        raise EvidenceError(
            _l(
                "Nội dung tệp «%(name)s» không phải là tệp .%(extension)s như tên tệp cho biết. Hãy mở tệp kiểm "
                "tra, lưu lại đúng định dạng rồi tải lên lại.",
                name=name,
                extension=extension,
            )
        )
    used, total = unit_evidence_bytes(unit), current_app.config["EVIDENCE_UNIT_MAX_BYTES"]
    if used + received.size > total:
        raise EvidenceError(
            _l(
                "Tệp «%(name)s» (%(size)s) chưa được lưu: tài liệu kiểm chứng của đơn vị đã dùng %(used)s trong "
                "tổng dung lượng %(total)s. Hãy xóa các tệp không còn dùng hoặc giảm dung lượng tệp.",
                name=name,
                size=file_size(received.size),
                used=file_size(used),
                total=file_size(total),
            )
        )


def delete_evidence(evidence: EvidenceFile) -> None:
    """Delete an evidence file a unit uploaded by mistake. Audited.

    Its content is removed from the store after the commit, unless another record has it.
    Refused with ``EvidenceError`` while a self-assessment or an explanation cites it (the
    citation goes first).
    """
    by_items = (
        select(SelfScore.code)
        .join(self_score_evidence, self_score_evidence.c.self_score_id == SelfScore.id)
        .filter(self_score_evidence.c.evidence_file_id == evidence.id)
    )
    by_explanations = (
        select(Explanation.code)
        .join(explanation_evidence, explanation_evidence.c.explanation_id == Explanation.id)
        .filter(explanation_evidence.c.evidence_file_id == evidence.id)
    )
    cited_by = sorted(db.session.scalars(by_items.union_all(by_explanations)))
    if cited_by:
        raise EvidenceError(
            _l(
                "Tài liệu «%(title)s» đang được trích dẫn cho tiêu chí %(codes)s nên chưa xóa được. Tài liệu "
                "đã trích dẫn trong bản tự đánh giá hay giải trình còn sửa được thì bỏ trích dẫn ở đó trước; "
                "đã gửi thì được giữ làm hồ sơ.",
                title=evidence.title,
                codes=", ".join(dict.fromkeys(cited_by)),
            )
        )
    record_action(
        AuditAction.EVIDENCE_DELETED,
        unit=evidence.unit.code,
        evidence=evidence.id,
        title=evidence.title,
        file=evidence.file_name,
        sha256=evidence.sha256,
    )
    sha256, store = evidence.sha256, evidence_store()
    db.session.delete(evidence)
    db.session.flush()
    engine = db.engine

    def is_referenced() -> bool:
        # After the commit: a connection of its own sees what is committed now.
        with engine.connect() as connection:
            return bool(connection.scalar(select(exists().where(EvidenceFile.sha256 == sha256))))

    _when_committed(lambda: evidence_files.remove_unless(store, sha256, is_referenced))


def _when_committed(action: Callable[[], object], otherwise: Callable[[], object] | None = None) -> None:
    """Run ``action`` once the session's transaction commits, or ``otherwise`` if it ends without."""
    info = db.session.info
    info.setdefault(_ON_COMMIT, []).append(action)
    if otherwise is not None:
        info.setdefault(_ON_ABANDON, []).append(otherwise)


@event.listens_for(Session, "after_commit")
def _run_committed_actions(session: Session) -> None:
    """Place or remove contents once their records are committed.

    The commit has happened: a disk error here cannot undo it, so it is logged (``check-evidence``
    then names the record whose content is missing) rather than shown as a failed request.
    """
    session.info.pop(_ON_ABANDON, None)
    for action in session.info.pop(_ON_COMMIT, []):
        try:
            action()
        except OSError:
            logger.exception("evidence store: a committed change could not be made on disk")


@event.listens_for(Session, "after_transaction_end")
def _run_abandoned_actions(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    session.info.pop(_ON_COMMIT, None)
    for action in session.info.pop(_ON_ABANDON, []):
        action()
