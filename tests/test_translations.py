"""Every user-facing text is translatable, and the English catalogue covers all of them."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "surveyapp" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHODS = [("surveyapp/**.py", "python"), ("templates/**.html", "jinja2")]


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, comment_tags=()
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def english_catalog() -> dict[str, object]:
    with CATALOG.open("rb") as po:
        catalog = read_po(po, locale="en")
    return {(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in catalog if m.id}


def test_every_text_in_the_code_has_an_english_translation() -> None:
    catalog = english_catalog()
    untranslated = sorted(
        message
        for message in source_messages()
        if not catalog.get(message) or (isinstance(catalog[message], tuple) and not all(catalog[message]))
    )
    assert untranslated == [], "run `make translations` and translate these in messages.po"


def test_the_catalogue_holds_no_texts_the_code_no_longer_uses() -> None:
    assert sorted(set(english_catalog()) - source_messages()) == []
