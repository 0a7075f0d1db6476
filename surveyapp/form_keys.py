"""Signed one-time form keys: each rendered questionnaire carries one, issued by the server.

A key is ``<nonce>.<issued at>.<signature>``: 16 random bytes, the Unix second the page was
served, and an HMAC (SHA-256, from ``SECRET_KEY`` with a purpose of its own, so no other
signature of the service can stand in for it) over both and the form's identity (campaign,
questionnaire, unit). A client cannot invent one, nor carry one from another form. The key
is accepted

- once: ``submit_response`` records the digest of its nonce under a unique constraint (the
  receipt keeps the date only, and the nonce is random, so it leads to no response);
- until it expires (``key_max_age``): ``FORM_KEY_MAX_AGE`` (12 h) after it was served for a
  respondent's form, ``FIELD_KEY_MAX_AGE`` (7 days) for a form a logged-in surveyor types in,
  which may wait on a phone for days without a signal; an expired key brings the form back,
  answers kept, with a fresh key;
- not before a person could have read and answered the form: ``FORM_SECONDS_PER_ANSWER``
  seconds per question, at most ``FORM_MIN_SECONDS_CAP`` (22 questions are not answered in
  3 seconds). A post that comes sooner comes back with its answers and its key.

Spent keys (``submission_receipts``) are never purged: a key is remembered as spent for longer
than any key is accepted, so a form sent again days later is still stored once. A purge, if one
is ever added, must keep a receipt at least ``FIELD_KEY_MAX_AGE``.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from flask import current_app

from surveyapp.services.collection import CollectionPoint

FORM_KEY_FIELD = "form_key"
_PURPOSE = b"surveyapp form key v1"
_EXTENSION_KEY = "surveyapp.form_keys"
_NONCE_BYTES = 16
_SIGNATURE_BYTES = 16
# Longest key a form may carry; anything longer is refused without being parsed.
_MAX_LENGTH = 80


class KeyProblem(enum.Enum):
    """Why a posted form key was not accepted."""

    FORGED = "forged"
    EXPIRED = "expired"
    TOO_SOON = "too_soon"


@dataclass(frozen=True)
class CheckedKey:
    """A posted key: its nonce digest (for the receipt) when accepted, else its problem.

    ``wait`` is how many seconds a too-soon post should wait before it is sent again;
    ``age`` how many seconds ago an accepted key's page was served.
    """

    digest: str | None = None
    problem: KeyProblem | None = None
    wait: int = 0
    age: int = 0


def _signing_key() -> bytes:
    """The form-key HMAC key of the current application (derived once per process)."""
    keys: dict[str, bytes] = current_app.extensions.setdefault(_EXTENSION_KEY, {})
    secret = str(current_app.config["SECRET_KEY"])
    key = keys.get(secret)
    if key is None:
        key = keys[secret] = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()
    return key


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(nonce: str, issued_at: int, point: CollectionPoint) -> str:
    identity = f"{nonce}.{issued_at}.{point.campaign.id}.{point.questionnaire.id}.{point.unit_code or ''}"
    return _b64(hmac.new(_signing_key(), identity.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES])


def minimum_seconds(point: CollectionPoint) -> int:
    """How long answering the point's form takes at the least: per question, capped."""
    items = point.definition.answer_count(len(point.units))
    config = current_app.config
    return int(min(float(config["FORM_MIN_SECONDS_CAP"]), float(config["FORM_SECONDS_PER_ANSWER"]) * items))


def issue_form_key(point: CollectionPoint, *, credit_seconds: int = 0) -> str:
    """A fresh key for a form of ``point`` served now.

    ``credit_seconds`` dates the key back: a form that comes back with answers already
    given (its earlier key expired) need not be answered again before it can be sent.
    """
    nonce = _b64(secrets.token_bytes(_NONCE_BYTES))
    issued_at = int(time.time()) - credit_seconds
    return f"{nonce}.{issued_at}.{_signature(nonce, issued_at, point)}"


def _parse(key: str, point: CollectionPoint) -> tuple[str, int] | None:
    """The nonce and issue time of a key this service signed for ``point``, else ``None``."""
    if len(key) > _MAX_LENGTH or key.count(".") != 2:
        return None
    nonce, issued, signature = key.split(".")
    if not issued.isdigit() or len(issued) > 12:
        return None
    try:
        if len(_unb64(nonce)) != _NONCE_BYTES:
            return None
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(signature, _signature(nonce, int(issued), point)):
        return None
    return nonce, int(issued)


def key_digest(key: str) -> str:
    """What a stored form's receipt keeps of its key: the digest of its random nonce only."""
    return hashlib.sha256(key.split(".", 1)[0].encode()).hexdigest()


def key_max_age(*, is_typed_in: bool) -> int:
    """Seconds after it was served that a key may still store its form.

    A form a surveyor types in (``ResponseMode.is_typed_in``: sent only through the surveyors'
    pages, by a logged-in account that may collect for the unit, which can take keys at will
    anyway) gets ``FIELD_KEY_MAX_AGE``: it may be kept on a phone for days in villages without a
    signal. Every other form gets ``FORM_KEY_MAX_AGE``, which bounds how long keys gathered in
    advance can stuff the public forms.
    """
    return int(current_app.config["FIELD_KEY_MAX_AGE" if is_typed_in else "FORM_KEY_MAX_AGE"])


def check_form_key(key: str, point: CollectionPoint, *, is_typed_in: bool = False) -> CheckedKey:
    """Whether a posted key may store the form of ``point`` now (see the module docstring);
    ``is_typed_in`` for a form a surveyor types in (``key_max_age``).

    It does not record the key: the caller stores the digest with the answers, in one
    transaction, so a key is spent only by a stored form.
    """
    parsed = _parse(key, point)
    if parsed is None:
        return CheckedKey(problem=KeyProblem.FORGED)
    _nonce, issued_at = parsed
    age = int(time.time()) - issued_at
    if age > key_max_age(is_typed_in=is_typed_in):
        return CheckedKey(problem=KeyProblem.EXPIRED)
    wait = minimum_seconds(point) - age
    if wait > 0:
        return CheckedKey(problem=KeyProblem.TOO_SOON, wait=wait)
    return CheckedKey(digest=key_digest(key), age=age)


def key_for_page(posted: str | None, point: CollectionPoint) -> str:
    """The key a rendered form carries: the posted one while it may still be used, else new.

    A form refused for its answers or sent too soon keeps its key (the wait goes on from when
    it was served); one whose key expired gets a new key dated back by the form's minimum
    time, since its answers are already given; a forged key is replaced by a fresh one.
    """
    if posted:
        parsed = _parse(posted, point)
        if parsed is not None:
            if int(time.time()) - parsed[1] <= key_max_age(is_typed_in=False):
                return posted
            return issue_form_key(point, credit_seconds=minimum_seconds(point))
    return issue_form_key(point)
