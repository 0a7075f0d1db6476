"""Sending invitations through a gateway, when the province configures one.

``MESSAGE_SENDER`` names it: empty (the default), the service sends nothing and the officer
downloads the message list; ``log``, each message is written to the log with its link's token
redacted (for trying the service out, and for tests); otherwise the dotted path of a class,
``package.module:ClassName`` (or ``package.module.ClassName``), made with no arguments, whose
``send(phone, text)`` delivers one message or raises.
"""

from __future__ import annotations

import importlib
import logging
import re
from dataclasses import dataclass
from typing import Protocol

from flask import current_app

from surveyapp.models import AuditAction, Campaign
from surveyapp.services.audit import record_action
from surveyapp.services.invitations import Invitation

LOG_SENDER = "log"
LOGGER_NAME = "surveyapp.messages"
_TOKEN = re.compile(r"(/r/link/)[A-Za-z0-9_-]+")


class MessageSender(Protocol):
    """What a gateway's class gives: ``send`` delivers one text to one phone (84…) or raises."""

    def send(self, phone: str, text: str) -> None: ...


class LogSender:
    """Writes each message to the ``surveyapp.messages`` log, the link's token and most of the
    phone number redacted."""

    def send(self, phone: str, text: str) -> None:
        # Nor the whole phone: the log is no list of who was sampled.
        masked = f"{phone[:4]}…{phone[-3:]}"
        logging.getLogger(LOGGER_NAME).info("message to %s: %s", masked, _TOKEN.sub(r"\1<redacted>", text))


@dataclass(frozen=True)
class SendResult:
    """How many messages the sender accepted, and the invitations it failed to send."""

    sent: int
    failed: list[Invitation]


def sender_class(name: str) -> type[MessageSender]:
    """The class ``MESSAGE_SENDER`` names (``log`` or a dotted path); ``ValueError`` naming the
    setting when it cannot be imported, so that a service misconfigured refuses to start."""
    if name == LOG_SENDER:
        return LogSender
    module, _, attribute = name.rpartition(":") if ":" in name else name.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError, ValueError) as error:
        raise ValueError(f"MESSAGE_SENDER: cannot import {name!r} ({error})") from error


def configured_sender() -> MessageSender | None:
    """The sender ``MESSAGE_SENDER`` names, made once per application; None when it is empty."""
    name = current_app.config["MESSAGE_SENDER"].strip()
    if not name:
        return None
    senders = current_app.extensions.setdefault("message_senders", {})
    if name not in senders:
        senders[name] = sender_class(name)()
    return senders[name]


def send_invitations(campaign: Campaign, sender: MessageSender, invitations: list[Invitation]) -> SendResult:
    """Send each invitation; one the sender refuses (raises) is counted as failed and logged
    without its text. The audit entry holds the counts only."""
    failed = []
    for invitation in invitations:
        try:
            sender.send(invitation.phone, invitation.text)
        except Exception as error:  # a province's gateway may raise anything
            current_app.logger.warning("message not sent: %s", type(error).__name__)
            failed.append(invitation)
    result = SendResult(len(invitations) - len(failed), failed)
    record_action(AuditAction.INVITATIONS_SENT, campaign, sent=result.sent, failed=len(failed))
    return result
