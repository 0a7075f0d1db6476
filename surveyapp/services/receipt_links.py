"""Receipt links: the single-use survey link a one-stop system prints on a dossier's receipt.

**One link per dossier, and no dossier code kept.** A link's code is derived from the calling
system and the dossier code under ``SECRET_KEY`` (``receipt_code``): asking again for the same
dossier derives the same code, so nothing needs to remember either. The database keeps only
``HMAC(SECRET_KEY, "receipt-link", code)`` and what the link opens (``ReceiptLink``); an answer
through it writes ``HMAC(SECRET_KEY, "receipt-spent", code)`` into ``spent_links``, in the
answer's transaction, and nothing else (the receipt link row is never touched). Neither digest
can be computed from the other without the code; the code from neither.

A code is 12 characters of Crockford's base32 (60 bits: no I, L, O or U), easy to type from a
printed receipt, shown in groups of four (``ABCD-EFGH-JKMN``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from surveyapp.extensions import db
from surveyapp.models import AuditAction, CallingSystem, ReceiptLink, ResponseMode, SpentLink
from surveyapp.services.audit import record_action
from surveyapp.services.collection import CollectionPoint, get_collection_point
from surveyapp.services.samples import link_digest, spend_link

LINK_DIGEST_PURPOSE = "receipt-link"
SPENT_DIGEST_PURPOSE = "receipt-spent"
CODE_PURPOSE = "receipt-code"
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
# What a person may mistype for a character of the alphabet.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


@dataclass(frozen=True)
class ReturnedDossier:
    """What a calling system says of a dossier whose result was returned (already checked)."""

    dossier_code: str
    unit_code: str
    procedure_field: str
    procedure: str
    returned_on: dt.date


@dataclass(frozen=True)
class GivenLink:
    """A dossier's receipt link: its code, and whether this call made it (or an earlier one did)."""

    code: str
    is_new: bool


class ReceiptRefusal(Exception):
    """A call that cannot be answered with a link: ``field`` (or ``None``), a machine ``code``,
    a message for the calling system's developers, and the HTTP ``status``."""

    def __init__(self, status: int, code: str, field: str | None, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.field, self.message = status, code, field, message


def actor_of(system: CallingSystem) -> str:
    """How the audit log names a calling system: its name after ``api:``, to read apart from staff usernames."""
    return f"api:{system.name}"


def receipt_code(system: CallingSystem, dossier_code: str) -> str:
    """The code of ``dossier_code``'s link for ``system``: the same at every call, unguessable
    without ``SECRET_KEY``."""
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), CODE_PURPOSE.encode(), hashlib.sha256).digest()
    number = int.from_bytes(hmac.new(key, f"{system.id}\0{dossier_code}".encode(), hashlib.sha256).digest()[:8])
    number >>= 64 - 5 * CODE_LENGTH
    return "".join(CODE_ALPHABET[(number >> (5 * place)) & 31] for place in reversed(range(CODE_LENGTH)))


def format_code(code: str) -> str:
    """A code as printed, in groups of four.

    >>> format_code("ABCDEFGHJKMN")
    'ABCD-EFGH-JKMN'
    """
    return "-".join(code[start : start + 4] for start in range(0, len(code), 4))


def normalize_code(typed: str) -> str | None:
    """The code a person typed (any case, dashes or spaces, O for 0, I or L for 1), or ``None``.

    >>> normalize_code(" abcd-efgh-jkmo "), normalize_code("ABCD"), normalize_code("ABCD-EFGH-JKMU")
    ('ABCDEFGHJKM0', None, None)
    """
    code = "".join(typed.split()).replace("-", "").upper().translate(_LOOKALIKES)
    if len(code) != CODE_LENGTH or any(character not in CODE_ALPHABET for character in code):
        return None
    return code


def give_receipt_link(system: CallingSystem, dossier: ReturnedDossier, today: dt.date) -> GivenLink:
    """The receipt link of ``dossier``: made at the first call, the same one at every later call.

    Refused (``ReceiptRefusal``) for a unit outside the system's scope or its campaign, a field
    that is not one of the questionnaire's, or a campaign that does not take answers ``today``.
    A later call gets the first call's link whatever it says of the unit, field or procedure,
    and whether or not the link was answered: the API never tells. Recorded in the audit log
    under the system's name, without the dossier code. Not committed.
    """
    point = _point_in_scope(system, dossier.unit_code)
    if not point.campaign.accepts(ResponseMode.RECEIPT_LINK, today):
        raise ReceiptRefusal(
            409, "campaign_not_collecting", None, _("Đợt điều tra không nhận phiếu vào thời gian này.")
        )
    procedure_field = _known_field(point, dossier.procedure_field)
    code = receipt_code(system, dossier.dossier_code)
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    written = db.session.execute(
        insert(ReceiptLink)
        .values(
            digest=link_digest(code, LINK_DIGEST_PURPOSE),
            campaign_id=point.campaign.id,
            questionnaire_id=point.questionnaire.id,
            unit_id=point.units[0].id,
            procedure_field=procedure_field,
            procedure=dossier.procedure,
        )
        .on_conflict_do_nothing()
        .returning(ReceiptLink.digest)
    )
    # A row comes back only when this call wrote it (psycopg gives no row count here).
    is_new = written.first() is not None
    system.last_used_at = dt.datetime.now(dt.UTC)
    record_action(
        AuditAction.RECEIPT_LINK_GIVEN,
        point.campaign,
        actor=actor_of(system),
        unit=dossier.unit_code,
        procedure_field=procedure_field,
        is_new=is_new,
    )
    db.session.flush()
    return GivenLink(code, is_new)


def record_refused_call(system: CallingSystem, refusal: ReceiptRefusal) -> None:
    """Note a refused call of a known system in the audit log (its reason, never the dossier). Not committed."""
    system.last_used_at = dt.datetime.now(dt.UTC)
    record_action(
        AuditAction.API_CALL_REFUSED,
        system.campaign,
        actor=actor_of(system),
        code=refusal.code,
        field=refusal.field,
        status=refusal.status,
    )
    db.session.flush()


def _point_in_scope(system: CallingSystem, unit_code: str) -> CollectionPoint:
    """Where the dossier's answers go: the system's questionnaire about the unit, if it may ask for it."""
    point = None
    if unit_code in {unit.code for unit in system.units}:
        point = get_collection_point(system.campaign_id, system.questionnaire.code, unit_code)
    if point is None:
        raise ReceiptRefusal(
            403,
            "unit_out_of_scope",
            "unit_code",
            _("Hệ thống này không được cấp đường dẫn cho đơn vị %(code)s.", code=unit_code),
        )
    return point


def _known_field(point: CollectionPoint, field: str) -> str | None:
    """The questionnaire's own spelling of ``field`` (any case), or ``None`` if it asks no field."""
    fields = point.definition.procedure_fields
    if not fields:
        return None
    match = next((known for known in fields if known.casefold() == field.casefold()), None)
    if match is None:
        raise ReceiptRefusal(
            422,
            "not_an_option",
            "procedure_field",
            _(
                "Lĩnh vực «%(field)s» không có trong phiếu. Các lĩnh vực: %(fields)s.",
                field=field,
                fields="; ".join(fields),
            ),
        )
    return match


def get_receipt_link(code: str) -> ReceiptLink | None:
    """The link of a code that may still be answered: known and not spent."""
    if len(code) != CODE_LENGTH:
        return None
    if db.session.get(SpentLink, link_digest(code, SPENT_DIGEST_PURPOSE)) is not None:
        return None
    return db.session.scalar(select(ReceiptLink).filter_by(digest=link_digest(code, LINK_DIGEST_PURPOSE)))


def spend_receipt_link(code: str) -> None:
    """Record the link as spent, in the answer's transaction; a second use raises ``LinkSpent``."""
    spend_link(code, SPENT_DIGEST_PURPOSE)
