"""The stylesheet written into the citizen's pages, so that they paint after a single request.

On a slow mobile network every request waits its latency (400 ms on "3G Slow"): a linked
stylesheet is a second wait before anything paints, since the browser paints nothing
before it has the styles. The citizen's pages carry ``app.css`` in a ``<style>`` element
instead (about 2.5 KB compressed), allowed by its digest in their Content-Security-Policy;
no other inline style is. Staff pages, opened many times a day, keep the linked stylesheet
their browser caches. Figures in bench/README.md, "Page weight".
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from flask import Blueprint, Response, current_app
from flask.blueprints import BlueprintSetupState
from markupsafe import Markup

from surveyapp.security import content_security_policy

STYLESHEET = "app.css"
EXTENSION_KEY = "surveyapp.inline_style"


def inline_stylesheet_in(blueprint: Blueprint) -> None:
    """Give the templates of ``blueprint`` the stylesheet (``inline_stylesheet``) and its pages the policy allowing it.

    The file is read once, when the blueprint is registered on an application.
    """

    @blueprint.record_once
    def read_stylesheet(state: BlueprintSetupState) -> None:
        css = Path(str(state.app.static_folder), STYLESHEET).read_text(encoding="utf-8")
        digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
        state.app.extensions[EXTENSION_KEY] = (Markup(css), content_security_policy(digest))

    @blueprint.context_processor
    def stylesheet() -> dict[str, object]:
        return {"inline_stylesheet": current_app.extensions[EXTENSION_KEY][0]}

    @blueprint.after_request
    def allow_stylesheet(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = current_app.extensions[EXTENSION_KEY][1]
        return response
