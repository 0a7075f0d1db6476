"""The web side of answering a questionnaire, shared by the public and the surveyors' pages.

Both show the same form, validate it the same way and store it through ``submit_response``;
they differ only in who may open the page, the response mode and where they go afterwards.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, TooManyRequests

from surveyapp.errors import error_page
from surveyapp.extensions import csrf, db
from surveyapp.form_keys import FORM_KEY_FIELD, KeyProblem, check_form_key, key_for_page
from surveyapp.i18n import localized
from surveyapp.kept_pages import kept_page
from surveyapp.models import ResponseMode
from surveyapp.questionnaires.answers import (
    PROCEDURE_FIELD_FIELD,
    RESPONDENT_GROUP_FIELD,
    Problem,
    check_submission,
    field_name,
)
from surveyapp.services.collection import CollectionPoint
from surveyapp.services.devices import DEVICE_COOKIE, is_desk_device
from surveyapp.services.held import hold_response, is_beyond_allowance
from surveyapp.services.limits import client_source
from surveyapp.services.quotas import QuotaFull, record_refusals
from surveyapp.services.responses import DuplicateSubmission, submit_response
from surveyapp.services.results.raw_layout import FIELD, GROUP

QUESTIONS_TEMPLATE = "_questionnaire_questions.html"
# Blank question blocks by (content digest of the version, language, rated units of a matrix,
# respondent groups hidden, fields given by the page, paper codes shown).
_BlankKey = tuple[str, str, tuple[tuple[str, str], ...], tuple[str, ...], tuple[str, ...], bool]
_BLANK_QUESTIONS: dict[_BlankKey, Markup] = {}
# A run of blanks around a line break, as the indented template leaves them (a browser shows
# one blank either way): a third of the blank question blocks' bytes.
_BLANK_LINES = re.compile(r"\s*\n\s*")
# Blank open QR pages kept per worker (surveyapp.kept_pages), 40–70 KB each, and what stands for
# the form key in them until each phone's is written in.
MOST_KEPT_QR_PAGES = 256
_FORM_KEY_MARK = f"form-key-{secrets.token_hex(16)}"
# Blueprints whose forms are anonymous: no session, no CSRF token (see accept_anonymous_forms).
_ANONYMOUS_BLUEPRINTS: set[str] = set()
# What a browser says of a post that another site's page made (Fetch metadata).
_CROSS_SITE = frozenset(["cross-site", "same-site"])


def problem_message(problem: Problem) -> str:
    """What the respondent reads next to a question whose answer was refused."""
    return {
        Problem.REQUIRED: _("Vui lòng trả lời câu hỏi này."),
        Problem.NOT_AN_OPTION: _("Lựa chọn này không có trong phiếu. Vui lòng chọn lại."),
        Problem.TOO_LONG: _("Nội dung quá dài. Vui lòng rút gọn."),
        Problem.SEVERAL_VALUES: _("Chỉ chọn một phương án."),
    }[problem]


def closed_channel_notice() -> str:
    """What a respondent reads when their group answers through a personal link or a surveyor only."""
    return _(
        "Khảo sát này (hoặc nhóm người trả lời bạn đã chọn) chỉ nhận phiếu qua đường dẫn cá nhân hoặc qua "
        "điều tra viên, không nhận phiếu qua mã QR nên phiếu chưa được lưu. Các câu trả lời vẫn còn nguyên."
    )


def key_notice(problem: KeyProblem, wait: int) -> str:
    """What the respondent reads when the form's key did not let it be stored."""
    if problem is KeyProblem.TOO_SOON:
        return _(
            "Phiếu được gửi quá nhanh so với thời gian cần để đọc và trả lời các câu hỏi nên chưa được lưu. "
            "Các câu trả lời vẫn còn nguyên; vui lòng xem lại rồi bấm Gửi phiếu sau %(seconds)d giây nữa.",
            seconds=wait,
        )
    if problem is KeyProblem.EXPIRED:
        return _(
            "Phiếu đã được mở quá lâu nên chưa được lưu. Các câu trả lời vẫn còn nguyên; "
            "vui lòng bấm Gửi phiếu lần nữa."
        )
    return _(
        "Phiếu gửi lên không phải phiếu do hệ thống cấp nên chưa được lưu. Các câu trả lời vẫn còn nguyên; "
        "vui lòng bấm Gửi phiếu lần nữa."
    )


@dataclass(frozen=True)
class SubmissionOutcome:
    """What became of a posted form: stored (``was_stored_before`` when it is a form that was
    stored already: a double tap, a page sent again), or refused.

    A refused form comes back with its ``problems`` (answers to correct) or a ``notice``
    (why its key did not let it be stored), with the HTTP ``status`` to send.
    """

    is_stored: bool
    was_stored_before: bool = False
    problems: dict[str, Problem] | None = None
    is_quota_full: bool = False
    notice: str | None = None
    status: int = 422


def receive_submission(
    point: CollectionPoint,
    mode: ResponseMode,
    before_commit: Callable[[], None] | None = None,
    given: Mapping[str, str] | None = None,
) -> SubmissionOutcome:
    """Check the form's key, validate the posted form and store it; commits on success.

    A forged or expired key, or a form sent sooner than it can be answered, is not stored
    (``surveyapp.form_keys``). A form that was already stored (double tap, resent page)
    counts as stored, so the respondent sees the thank-you page again and nothing is stored
    twice. A form for a full cell of a campaign that closes full cells is not stored
    (``is_quota_full``). ``before_commit`` runs in the same transaction once the responses
    are written. ``given`` fields (e.g. the field of a dossier's procedure) are the page's,
    not the respondent's: they replace whatever the form posts for them.

    A QR form (``DESK_QR``) is refused for a respondent group its campaign closed to QR
    (``Campaign.is_qr_open_to``), and held for review beyond its source's allowance
    (``surveyapp.services.held``) unless it comes from a registered desk device; a held
    form looks stored to its sender.
    """
    key = check_form_key(request.form.get(FORM_KEY_FIELD, ""), point, is_typed_in=mode.is_typed_in)
    if key.problem is KeyProblem.FORGED or key.problem is KeyProblem.EXPIRED:
        return SubmissionOutcome(is_stored=False, notice=key_notice(key.problem, key.wait), status=400)
    form = request.form
    if given:
        form = request.form.copy()
        for name, value in given.items():
            form.setlist(name, [value])
    check = check_submission(point.definition, form, point.unit_keys)
    if not check.is_valid:
        return SubmissionOutcome(is_stored=False, problems=check.problems)
    if key.problem is KeyProblem.TOO_SOON:
        return SubmissionOutcome(is_stored=False, notice=key_notice(key.problem, key.wait))
    if mode is ResponseMode.DESK_QR and not point.campaign.is_qr_open_to(check.submission.respondent_group):
        return SubmissionOutcome(is_stored=False, notice=closed_channel_notice(), status=403)
    try:
        if mode is ResponseMode.DESK_QR and _is_held(point):
            hold_response(
                campaign=point.campaign,
                questionnaire=point.questionnaire,
                unit=point.unit,
                submission=check.submission,
                key_digest=str(key.digest),
                source=client_source(),
                seconds_taken=key.age,
            )
        else:
            submit_response(
                campaign=point.campaign,
                questionnaire=point.questionnaire,
                units=point.units,
                submission=check.submission,
                mode=mode,
                key_digest=str(key.digest),
            )
    except DuplicateSubmission:
        db.session.rollback()
        return SubmissionOutcome(is_stored=True, was_stored_before=True)
    except QuotaFull as full:
        db.session.rollback()  # the form key stays unspent: the form may be sent elsewhere
        record_refusals(full.cells)
        db.session.commit()
        return SubmissionOutcome(is_stored=False, is_quota_full=True)
    if before_commit is not None:
        before_commit()
    db.session.commit()
    return SubmissionOutcome(is_stored=True)


def _is_held(point: CollectionPoint) -> bool:
    """Whether this QR form goes beyond its source's allowance and is not from a desk device.

    Counted in the submission's transaction: a form that is not stored in the end does not count.
    """
    if is_desk_device(request.cookies.get(DEVICE_COOKIE)):
        return False
    return is_beyond_allowance(point.campaign, client_source())


def field_labels(point: CollectionPoint) -> dict[str, str]:
    """What each form field asks, to name the questions in the summary of problems."""
    labels = {
        RESPONDENT_GROUP_FIELD: _("Nhóm người trả lời"),
        PROCEDURE_FIELD_FIELD: _("Lĩnh vực thủ tục hành chính"),
    }
    for question in point.definition.questions:
        text = localized(question.text)
        if question.per_unit:
            labels.update({field_name(question, unit.code): f"{text} — {unit.name}" for unit in point.units})
        else:
            labels[field_name(question)] = text
    return labels


def _questions_html(
    point: CollectionPoint,
    values: MultiDict[str, str] | None,
    problems: Mapping[str, str],
    hidden_groups: tuple[str, ...],
    given_fields: tuple[str, ...] = (),
    shows_paper_codes: bool = False,
) -> Markup:
    """The question blocks of the form, with the person's answers and the problems if any.

    ``hidden_groups`` are respondent groups not offered (closed to the open QR form), and
    ``given_fields`` the fields the page fills in itself, not asked. ``shows_paper_codes`` puts
    the printed paper form's question codes and option letters beside the questions (for
    the surveyor typing one in; never on a respondent's page).
    A blank form depends only on the questionnaire version, the page's language, the hidden
    groups, the given fields, whether it shows the paper codes and, for a matrix, the rated
    units: it is rendered once per process and kept, because versions never change and these
    blocks are most of the cost of opening the page. (Not while templates reload in
    development, so that edits show.) A blank form loses the template's indentation: fewer
    bytes for a phone to fetch and parse.
    """
    is_kept = values is None and not problems and not current_app.jinja_env.auto_reload
    key = (
        point.questionnaire.content_digest,
        str(get_locale()),
        tuple((unit.code, unit.name) for unit in point.units) if point.definition.is_matrix else (),
        hidden_groups,
        given_fields,
        shows_paper_codes,
    )
    if is_kept and key in _BLANK_QUESTIONS:
        return _BLANK_QUESTIONS[key]
    html = render_template(
        QUESTIONS_TEMPLATE,
        point=point,
        definition=point.definition,
        values=values,
        problems=problems,
        field_name=field_name,
        respondent_group_field=RESPONDENT_GROUP_FIELD,
        procedure_field_field=PROCEDURE_FIELD_FIELD,
        hidden_groups=hidden_groups,
        given_fields=given_fields,
        shows_paper_codes=shows_paper_codes,
        group_column=GROUP,
        field_column=FIELD,
    )
    if values is None:  # (with answers, a text answer's own line breaks stay as they were typed)
        html = _BLANK_LINES.sub("\n", html)
    if is_kept:
        _BLANK_QUESTIONS[key] = Markup(html)
    return Markup(html)


def render_questionnaire(
    template: str,
    point: CollectionPoint,
    *,
    problems: dict[str, Problem] | None = None,
    notice: str | None = None,
    status: int = 200,
    is_open_qr: bool = False,
    given: Mapping[str, str] | None = None,
    shows_paper_codes: bool = False,
    **context: object,
) -> tuple[str, int]:
    """The questionnaire page, with the person's answers and the problems when it comes back.

    The form carries a signed key (``surveyapp.form_keys``): the posted one while it can
    still be used, else a fresh one. The open QR form (``is_open_qr``) does not offer the
    respondent groups its campaign closed to it; ``given`` fields are not asked (see
    ``receive_submission``); ``shows_paper_codes`` is for the page that types in paper forms
    (see ``_questions_html``). A blank open QR page is rendered once per worker and kept
    while its collection point is unchanged; each phone's key is written into it.
    """
    is_posted = request.method == "POST"
    values = request.form if is_posted else None
    problems = problems or {}
    messages = {name: problem_message(problem) for name, problem in problems.items()}
    labels = field_labels(point) if problems else {}
    form_key = key_for_page(request.form.get(FORM_KEY_FIELD) if is_posted else None, point)

    def render(key: str) -> str:
        return render_template(
            template,
            point=point,
            definition=point.definition,
            values=values,
            questions=_questions_html(
                point,
                values,
                messages,
                tuple(sorted(point.campaign.qr_closed_groups)) if is_open_qr else (),
                tuple(sorted(given or ())),
                shows_paper_codes,
            ),
            problem_summary=[(name, labels.get(name, name), messages[name]) for name in problems],
            notice=notice,
            form_key=key,
            form_key_field=FORM_KEY_FIELD,
            with_csrf=request.blueprint not in _ANONYMOUS_BLUEPRINTS,
            **context,
        )

    # A blank open QR page without a session's CSRF token is the same for every phone at its
    # address in one language but for its key: kept (surveyapp.kept_pages), while its point is
    # (a matrix point is built for each request, get_public_point: its page would never be reused).
    is_blank_qr_page = (
        is_open_qr
        and not point.definition.is_matrix
        and not is_posted
        and not problems
        and notice is None
        and not given
        and not shows_paper_codes
        and not context
        and request.blueprint in _ANONYMOUS_BLUEPRINTS
    )
    if not is_blank_qr_page:
        return render(form_key), status
    page = kept_page("questionnaire", MOST_KEPT_QR_PAGES, point, lambda: render(_FORM_KEY_MARK))
    return page.replace(_FORM_KEY_MARK, form_key, 1), status


@dataclass(frozen=True)
class _KeptForm:
    """How to show one endpoint's questionnaire again: its template, collection point and page
    context (fixed, and loaded from the view arguments)."""

    template: str
    load_point: Callable[..., CollectionPoint]
    context: Mapping[str, object]
    load_context: Callable[..., Mapping[str, object]] | None


# Endpoint → its form, per blueprint (a blueprint has one handler per kind of error).
_KEPT_FORMS: dict[str, dict[str, _KeptForm]] = {}


def keep_answers_when_not_stored(
    blueprint: Blueprint,
    endpoint: str,
    template: str,
    load_point: Callable[..., CollectionPoint],
    load_context: Callable[..., Mapping[str, object]] | None = None,
    **context: object,
) -> None:
    """When a posted form is refused before it is read, show it again with every answer kept.

    Two refusals happen before the view: an expired session (CSRF failure) and too many
    submissions from one address (429). A respondent or surveyor may take longer over a form
    than a session lasts, or share a busy desk's address; losing their answers then would be
    the worst outcome, so the page comes back ready to be sent again. ``load_point`` (and
    ``load_context``, for page context that depends on the address) gets the endpoint's view
    arguments; several endpoints of one blueprint may be registered.
    """
    forms = _KEPT_FORMS.setdefault(blueprint.name, {})
    is_first = not forms
    forms[endpoint] = _KeptForm(template, load_point, context, load_context)
    if not is_first:
        return

    def show_again(error: HTTPException, notice: str, status: int) -> object:
        form = forms.get(request.endpoint or "")
        if form is None:  # another page of the blueprint: its usual error page
            return error_page(error)
        try:
            point = form.load_point(**(request.view_args or {}))
            loaded = form.load_context(**(request.view_args or {})) if form.load_context else {}
        except HTTPException as refused:  # an unknown collection point or no access: say so, not 500
            return error_page(refused)
        page = render_questionnaire(form.template, point, notice=notice, status=status, **form.context, **loaded)
        return make_response(page)

    @blueprint.errorhandler(CSRFError)
    def expired_form(error: CSRFError) -> object:
        notice = _(
            "Phiên làm việc đã hết hạn nên phiếu chưa được gửi. Các câu trả lời vẫn còn nguyên; "
            "vui lòng bấm Gửi phiếu lần nữa."
        )
        return show_again(error, notice, 400)

    @blueprint.errorhandler(TooManyRequests)
    def too_many(error: TooManyRequests) -> object:
        notice = _(
            "Có quá nhiều phiếu được gửi từ mạng của bạn trong thời gian ngắn nên phiếu này chưa được lưu. "
            "Các câu trả lời vẫn còn nguyên; vui lòng đợi ít phút rồi bấm Gửi phiếu lần nữa."
        )
        response = show_again(error, notice, 429)
        if error.retry_after is not None and hasattr(response, "headers"):
            response.headers["Retry-After"] = str(error.retry_after)
        return response


def refused_form(
    template: str, point: CollectionPoint, outcome: SubmissionOutcome, **context: object
) -> tuple[str, int]:
    """The form of a refused submission, shown again with its answers, problems or notice."""
    return render_questionnaire(
        template, point, problems=outcome.problems, notice=outcome.notice, status=outcome.status, **context
    )


def accept_anonymous_forms(blueprint: Blueprint) -> None:
    """Let the blueprint's forms be posted without a session, and never from another site.

    A citizen's form needs no session: its signed one-time key (``surveyapp.form_keys``)
    already proves the server served it, and binds it to its campaign, questionnaire and unit,
    so no CSRF token (and no session cookie that could expire under a long form) is needed.
    What a CSRF token also stopped, another site's page making its visitors' browsers post
    forms here with keys it fetched, is refused by the browser's own word: the Fetch metadata
    header ``Sec-Fetch-Site`` (or, from older browsers, an ``Origin`` of another site).
    """
    csrf.exempt(blueprint)
    _ANONYMOUS_BLUEPRINTS.add(blueprint.name)

    @blueprint.before_request
    def refuse_cross_site_posts() -> None:
        if request.method != "POST":
            return
        origin = request.headers.get("Origin")
        is_foreign_origin = origin not in (None, "null") and origin != request.host_url.rstrip("/")
        if request.headers.get("Sec-Fetch-Site") in _CROSS_SITE or is_foreign_origin:
            abort(403)
