"""Invitations: the message each sampled person is sent with their single-use link.

The campaign's invitation text has placeholders (``{ho_ten}``, ``{don_vi}``, ``{so_phut}``,
``{duong_dan}``); with a batch of newly issued links it becomes a message list for the
province's SMS gateway or a Zalo OA broadcast, or is sent through the configured sender
(``surveyapp.services.senders``). A person whose phone is not a Vietnamese mobile number is
refused, with the reason, and kept with their link in the list of people to reach otherwise.
"""

from __future__ import annotations

import enum
import math
import re
import string
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from surveyapp.extensions import db
from surveyapp.models import AuditAction, Campaign, Questionnaire
from surveyapp.services.audit import record_action
from surveyapp.services.collection import absolute_url
from surveyapp.services.samples import TOKEN_LENGTH, IssuedLink
from surveyapp.tables.writing import Column, Kind, Table, table_of_rows

# Sent to citizens, so in Vietnamese whatever language the officer's pages are in.
DEFAULT_INVITATION = (
    "{don_vi} mời Ông/Bà đánh giá sự phục vụ khi giải quyết hồ sơ. Phiếu ẩn danh, khoảng {so_phut} phút: {duong_dan}"
)
EXAMPLE_NAME = "Nguyễn Văn An"  # the person of the preview
LINK = "duong_dan"
# What each placeholder is replaced by; the link is the only one a text must hold.
PLACEHOLDERS = {
    "ho_ten": _l("họ tên người nộp hồ sơ"),
    "don_vi": _l("tên đơn vị đã giải quyết hồ sơ"),
    "so_phut": _l("số phút trả lời phiếu (ước tính)"),
    LINK: _l("đường dẫn trả lời dùng một lần"),
}
MAX_INVITATION = 1000  # characters of an invitation text

# The GSM 03.38 alphabet: its basic characters take one place of an SMS, those of its
# extension table two; a text with any other character (Vietnamese diacritics) is sent as UCS-2.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
# Characters of one SMS, and of each part of a longer one (the rest carries the joining header).
SEGMENT = {"GSM-7": (160, 153), "UCS-2": (70, 67)}

PHONE_SEPARATORS = re.compile(r"[\s.()\-]")
MOBILE = re.compile(r"[35789]\d{8}")  # a Vietnamese mobile number after its 0 or +84


class InvitationError(ValueError):
    """The invitation text cannot be used; the message says why."""


class ListKind(enum.Enum):
    """The form of a message list: for an SMS gateway, or for a Zalo OA broadcast."""

    SMS = "sms"
    ZALO = "zalo"


@dataclass(frozen=True)
class SmsLength:
    """How an SMS gateway counts a text: its encoding, its length in that encoding, its parts."""

    encoding: str
    characters: int
    segments: int


@dataclass(frozen=True)
class Invitation:
    """One person's message: the phone as the gateway takes it (84…), their name, text and link
    (and their unit and record, for the list of people not reached)."""

    unit_code: str
    record_code: str
    phone: str
    name: str
    text: str
    link: str


@dataclass(frozen=True)
class RefusedInvitation:
    """A person the message list cannot reach, with why, and their link to send another way."""

    unit_code: str
    record_code: str
    name: str
    phone: str
    reason: str
    link: str


@dataclass(frozen=True)
class InvitationList:
    """The messages of a batch of issued links, and the people refused."""

    invitations: list[Invitation]
    refused: list[RefusedInvitation]


def sms_length(text: str) -> SmsLength:
    """The encoding, length and number of parts of ``text`` sent as SMS.

    >>> sms_length("Hello"), sms_length("x" * 161).segments, sms_length("Phường").encoding
    (SmsLength(encoding='GSM-7', characters=5, segments=1), 2, 'UCS-2')
    """
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in text):
        encoding, characters = "GSM-7", sum(2 if char in GSM_EXTENSION else 1 for char in text)
    else:
        encoding, characters = "UCS-2", len(text.encode("utf-16-le")) // 2
    single, part = SEGMENT[encoding]
    segments = 1 if characters <= single else math.ceil(characters / part)
    return SmsLength(encoding, characters, segments)


def normalise_phone(phone: str) -> str | None:
    """A Vietnamese mobile number as gateways take it (``84`` and nine digits), or None.

    >>> normalise_phone("0912 345 678"), normalise_phone("+84.912.345.678"), normalise_phone("024 3825 1234")
    ('84912345678', '84912345678', None)
    """
    digits = PHONE_SEPARATORS.sub("", phone)
    for prefix in ("+84", "84", "0"):
        if digits.startswith(prefix) and MOBILE.fullmatch(digits[len(prefix) :]):
            return "84" + digits[len(prefix) :]
    return None


def _parts(text: str) -> list[tuple[str, str | None]]:
    """The literal text and placeholder of each part of ``text``; ``InvitationError`` if a
    placeholder is unknown, formatted, or its braces are unbalanced."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise InvitationError(
            _("Dấu ngoặc { } không cân đối: viết tên trường trong cặp ngoặc, ví dụ {duong_dan}.")
        ) from None
    for _literal, field, spec, conversion in parsed:
        if field is not None and (field not in PLACEHOLDERS or spec or conversion):
            raise InvitationError(
                _(
                    "Không có trường {%(field)s}. Các trường dùng được: %(known)s.",
                    field=field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""),
                    known=", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
                )
            )
    return [(literal, field) for literal, field, _spec, _conversion in parsed]


def check_invitation(text: str) -> None:
    """Raise ``InvitationError`` unless ``text`` is a usable invitation: only known
    placeholders, the link among them, and at most ``MAX_INVITATION`` characters (an empty
    text stands for the default one)."""
    text = text.strip() or DEFAULT_INVITATION
    if len(text) > MAX_INVITATION:
        raise InvitationError(_("Nội dung tin nhắn dài quá %(max)d ký tự.", max=MAX_INVITATION))
    if not any(field == LINK for _literal, field in _parts(text)):
        raise InvitationError(_("Nội dung tin nhắn phải có trường {duong_dan} (đường dẫn trả lời)."))


def fill_invitation(text: str, values: dict[str, str]) -> str:
    """``text`` with each placeholder replaced by its value in ``values``."""
    return "".join(literal + (values[field] if field is not None else "") for literal, field in _parts(text))


def invitation_text(campaign: Campaign) -> str:
    """The campaign's invitation text, or the default one."""
    return campaign.invitation_text or DEFAULT_INVITATION


def save_invitation(campaign: Campaign, text: str) -> None:
    """Set the campaign's invitation text (empty: the default one), checked first."""
    check_invitation(text)
    campaign.invitation_text = text.strip() or None
    db.session.flush()


def preview_invitation(campaign: Campaign, text: str) -> tuple[str, SmsLength]:
    """``text`` (empty: the default one) as a person of the campaign's first unit would read it,
    with a link of the real length, and its SMS length (names and units differ: the length of
    each message too)."""
    text = text.strip() or DEFAULT_INVITATION
    questionnaire = campaign.questionnaires[0] if campaign.questionnaires else None
    message = fill_invitation(
        text,
        {
            "ho_ten": EXAMPLE_NAME,
            "don_vi": campaign.units[0].name if campaign.units else "",
            "so_phut": str(questionnaire.definition.estimated_minutes() if questionnaire else 5),
            LINK: absolute_url("respond.personal_link", token="x" * TOKEN_LENGTH),
        },
    )
    return message, sms_length(message)


def write_invitations(campaign: Campaign, issued: list[IssuedLink]) -> InvitationList:
    """Each newly issued link's message, from the campaign's invitation text; a person without
    a usable mobile number is refused, with the reason."""
    text = invitation_text(campaign)
    minutes: dict[int | None, str] = {}
    invitations, refused = [], []
    for link in issued:
        entry, contact = link.entry, link.entry.record.contact
        address = absolute_url("respond.personal_link", token=link.token)
        name, written = (contact.name, contact.phone) if contact else ("", "")
        phone = normalise_phone(written)
        if phone is None:
            reason = (
                _("không phải số điện thoại di động Việt Nam (0 hoặc +84 và 9 chữ số, đầu số 3, 5, 7, 8, 9)")
                if contact
                else _("thông tin liên hệ đã bị xóa")
            )
            refused.append(RefusedInvitation(entry.unit.code, entry.record.record_code, name, written, reason, address))
            continue
        if entry.questionnaire_id not in minutes:
            questionnaire = db.session.get(Questionnaire, entry.questionnaire_id)
            minutes[entry.questionnaire_id] = str(questionnaire.definition.estimated_minutes() if questionnaire else 5)
        values = {"ho_ten": name, "don_vi": entry.unit.name, "so_phut": minutes[entry.questionnaire_id], LINK: address}
        invitations.append(
            Invitation(entry.unit.code, entry.record.record_code, phone, name, fill_invitation(text, values), address)
        )
    return InvitationList(invitations, refused)


def record_invitations_listed(campaign: Campaign, kind: ListKind, written: InvitationList) -> None:
    """Audit a downloaded message list: its form and how many people it holds (counts only)."""
    record_action(
        AuditAction.INVITATIONS_LISTED,
        campaign,
        form=kind.value,
        messages=len(written.invitations),
        refused=len(written.refused),
    )


def message_table(kind: ListKind, invitations: list[Invitation]) -> Table:
    """The file a gateway imports: ``phone,message`` for SMS, ``phone,name,message,link`` for Zalo.

    Its headers are the gateways' field names, not translated."""
    if kind is ListKind.SMS:
        columns = [Column("phone", Kind.CODE), Column("message")]
        rows = [[invitation.phone, invitation.text] for invitation in invitations]
    else:
        columns = [Column("phone", Kind.CODE), Column("name"), Column("message"), Column("link", Kind.CODE)]
        rows = [[i.phone, i.name, i.text, i.link] for i in invitations]
    return table_of_rows(kind.value, kind.value, columns, rows)


def failed_invitation(invitation: Invitation) -> RefusedInvitation:
    """An invitation the gateway did not accept, as a person to reach another way."""
    return RefusedInvitation(
        invitation.unit_code,
        invitation.record_code,
        invitation.name,
        invitation.phone,
        _("tổng đài không nhận tin nhắn"),
        invitation.link,
    )


def refused_table(refused: list[RefusedInvitation]) -> Table:
    """The people the message list cannot reach: why, and their link to send another way."""
    columns = [
        Column(_("Mã đơn vị")),
        Column(_("Mã hồ sơ")),
        Column(_("Họ tên")),
        Column(_("Số điện thoại")),
        Column(_("Lý do không gửi được")),
        Column(_("Đường dẫn trả lời"), Kind.CODE),
    ]
    rows = [[r.unit_code, r.record_code, r.name, r.phone, r.reason, r.link] for r in refused]
    return table_of_rows("khong-gui-duoc", _("Không gửi được"), columns, rows)
