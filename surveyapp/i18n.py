"""Language of the pages: Vietnamese by default, English on request, remembered in the session."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, request, session
from flask_babel import format_date, format_decimal, get_locale

from surveyapp.extensions import babel
from surveyapp.questionnaires.definition import Text

LANGUAGE_PARAMETER = "lang"


def select_locale() -> str:
    """``?lang=en`` switches the language for the rest of the session."""
    languages = current_app.config["LANGUAGES"]
    requested = request.args.get(LANGUAGE_PARAMETER)
    if requested in languages:
        session["lang"] = requested
    chosen = session.get("lang")
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def short_date(value: dt.date | None) -> str:
    """A date as people write it in Vietnam, in either language: 24/11/2026."""
    return format_date(value, format="dd/MM/yyyy") if value else ""


def localized(text: Text | None) -> str:
    """A questionnaire text in the page's language (Vietnamese when no translation exists)."""
    return text.in_language(str(get_locale())) if text else ""


def init_app(app: Flask) -> None:
    """Attach Flask-Babel and the template helpers for dates and numbers."""
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["short_date"] = short_date
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["localized"] = localized

    @app.context_processor
    def inject_language() -> dict[str, str]:
        return {"current_language": select_locale()}
