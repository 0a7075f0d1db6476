"""Language of the pages: Vietnamese by default, English on request, remembered in the session."""

from __future__ import annotations

import datetime as dt

from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request, session, url_for
from flask_babel import format_date, format_decimal, get_locale, get_translations, refresh
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from surveyapp.extensions import babel
from surveyapp.questionnaires.definition import Text

LANGUAGE_PARAMETER = "lang"
# The name of the questionnaire's language buttons: the form posted with it is shown again
# in the other language with its answers, and is not a submission (is_language_switch).
LANGUAGE_SWITCH_FIELD = "switch_language"


def select_locale() -> str:
    """``?lang=en`` switches the language for the rest of the session; Vietnamese outside requests (CLI)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    requested = request.args.get(LANGUAGE_PARAMETER)
    if requested in languages:
        session["lang"] = requested
    chosen = session.get("lang")
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def short_date(value: dt.date | None) -> str:
    """A date as people write it in Vietnam, in either language: 24/11/2026."""
    return format_date(value, format="dd/MM/yyyy") if value else ""


def two_decimals(value: float | None) -> str:
    """A percentage or points with two decimals in the page's language (82,76 in Vietnamese); "—" when unknown."""
    if value is None or value != value:  # NaN: no valid answer
        return "—"
    return format_decimal(value, format="#,##0.00")


def file_size(size: int) -> str:
    """A size in bytes as people read it, in the page's language: 350 KB, 4,2 MB (1 MB = 1024 KB)."""
    if size < 1024 * 1024:
        return f"{format_decimal(max(round(size / 1024), 1 if size else 0))} KB"
    return f"{format_decimal(round(size / 1024 / 1024, 1))} MB"


def language_url(language: str) -> str:
    """The current page in ``language``; error pages (no endpoint) switch on the home page."""
    if request.endpoint is None:
        return url_for("auth.home", **{LANGUAGE_PARAMETER: language})
    return url_for(request.endpoint, **(request.view_args or {}), **{LANGUAGE_PARAMETER: language})


def is_language_switch() -> bool:
    """Whether this request posts a form only to see it in another language (nothing to store)."""
    return request.method == "POST" and LANGUAGE_SWITCH_FIELD in request.form


def localized(text: Text | None) -> str:
    """A questionnaire text in the page's language (Vietnamese when no translation exists)."""
    return text.in_language(str(get_locale())) if text else ""


def current_translations() -> NullTranslations:
    """The translations of the current locale, looked up once per request and locale.

    Flask-Babel looks them up again on every translated string (its domain, the locale's
    name, its cache): more than half of what a string cost a template, and a citizen's form
    and thank-you page translate some 26 (bench/README.md, "CPU per completed form"). A
    locale forced for a while (``force_locale``) is another locale object: it is looked up
    for itself, and the request's own is found again afterwards.
    """
    locale = get_locale()
    kept = g.get("_surveyapp_translations")
    if kept is None or kept[0] is not locale:
        kept = g._surveyapp_translations = (locale, get_translations())
    return kept[1]


@pass_eval_context
def template_gettext(eval_context: EvalContext, message: str, **variables: object) -> str:
    """``_()`` and ``gettext()`` in templates, as Jinja's new-style gettext does it: translated,
    then formatted with ``variables`` (escaped when the template escapes)."""
    text = current_translations().ugettext(message)
    if eval_context.autoescape:
        text = Markup(text)
    return text % variables


@pass_eval_context
def template_ngettext(eval_context: EvalContext, singular: str, plural: str, num: int, **variables: object) -> str:
    """``ngettext()`` in templates, as Jinja's new-style ngettext does it (``num`` is a variable too)."""
    text = current_translations().ungettext(singular, plural, num)
    if eval_context.autoescape:
        text = Markup(text)
    return text % {"num": num, **variables}


def init_app(app: Flask) -> None:
    """Attach Flask-Babel and the template helpers for dates and numbers."""
    babel.init_app(app, locale_selector=select_locale)
    # In place of Flask-Babel's (see current_translations); pgettext is not used.
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext, ngettext=template_ngettext)
    # Flask-Babel caches the locale on the application context, which outlives a request
    # when one is pushed around several (tests, scripts): choose the language per request.
    app.before_request(refresh)
    app.jinja_env.filters["short_date"] = short_date
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["two_decimals"] = two_decimals
    app.jinja_env.filters["localized"] = localized
    app.jinja_env.filters["file_size"] = file_size

    @app.context_processor
    def inject_language() -> dict[str, object]:
        return {
            "current_language": select_locale(),
            "language_url": language_url,
            "language_switch_field": LANGUAGE_SWITCH_FIELD,
        }
