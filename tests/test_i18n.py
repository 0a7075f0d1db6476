"""Templates translate in the language of the moment, however many strings a page holds."""

from __future__ import annotations

from flask import Flask, render_template_string
from flask_babel import force_locale

SEND = "{{ _('Gửi phiếu') }}"
PROBLEMS = "{{ ngettext('Có %(num)d câu cần xem lại', 'Có %(num)d câu cần xem lại', count) }}"


def test_a_template_speaks_the_language_of_each_request_on_one_application_context(app: Flask) -> None:
    # Tests and scripts push one application context around several requests: what one
    # request looked up must not answer the next in another language.
    for language, expected in [("en", "Send"), ("vi", "Gửi phiếu"), ("en", "Send")]:
        with app.test_request_context(f"/?lang={language}"):
            app.preprocess_request()
            assert render_template_string(SEND) == expected


def test_a_forced_language_holds_inside_its_block_and_the_page_language_comes_back_after_it(app: Flask) -> None:
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        assert render_template_string(SEND) == "Send"
        with force_locale("vi"):  # a snapshot is written in Vietnamese whatever the page's language
            assert render_template_string(SEND) == "Gửi phiếu"
        assert render_template_string(SEND) == "Send"


def test_plural_forms_follow_the_count(app: Flask) -> None:
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        assert render_template_string(PROBLEMS, count=1) == "1 question needs your attention"
        assert render_template_string(PROBLEMS, count=3) == "3 questions need your attention"


def test_values_put_into_a_translated_text_are_escaped_but_the_text_is_not(app: Flask) -> None:
    template = "{{ _('%(code)s, phiên bản %(version)s', code=code, version=2) }}"
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        assert render_template_string(template, code="<b>CX4</b>") == "&lt;b&gt;CX4&lt;/b&gt;, version 2"
