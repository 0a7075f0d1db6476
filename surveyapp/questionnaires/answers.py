"""Validation of a submitted form against its questionnaire definition.

Pure Python: it reads a form through ``getlist`` (as Werkzeug's ``MultiDict`` offers) and
returns either the clean answers or the problem of each field, never raising on bad input.
Problems are codes, so the web layer words them in the respondent's language.

>>> from werkzeug.datastructures import MultiDict
>>> from surveyapp.questionnaires.definition import parse_definition
>>> definition = parse_definition({
...     "code": "DEMO", "version": 1, "title": "Demo", "purpose": "sipas",
...     "respondent_groups": [{"code": "citizen", "label": "Người dân"}],
...     "scales": {"s": {"options": [{"value": 4, "label": "Hài lòng"}, {"value": 5, "label": "Rất hài lòng"}]}},
...     "methodology": {"index_parts": [{"code": "service", "label": "Dịch vụ",
...                                      "elements": [{"code": "1", "label": "Tiếp cận"}]}]},
...     "sections": [{"code": "A", "title": "A", "questions": [
...         {"code": "Q1", "type": "scale", "scale": "s", "text": "?", "index": "satisfaction", "element": "1"}]}],
... }, origin="demo")
>>> check_submission(definition, MultiDict({"q_Q1": "5"})).submission.answers_for(None)
{'Q1': 5}
>>> check_submission(definition, MultiDict({"q_Q1": "9"})).problems
{'q_Q1': <Problem.NOT_AN_OPTION: 'not_an_option'>}
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from surveyapp.questionnaires.definition import Question, QuestionnaireDefinition, QuestionType

RESPONDENT_GROUP_FIELD = "respondent_group"
PROCEDURE_FIELD_FIELD = "procedure_field"

AnswerValue = int | str | list[int | str]


class FormData(Protocol):
    """What the validation needs of a submitted form."""

    def getlist(self, key: str) -> list[str]: ...


class Problem(enum.Enum):
    """Why a field's answer was refused."""

    REQUIRED = "required"
    NOT_AN_OPTION = "not_an_option"
    TOO_LONG = "too_long"
    SEVERAL_VALUES = "several_values"


def field_name(question: Question, unit_key: str | None = None) -> str:
    """The HTML form field of ``question``, or of its cell for one unit in a matrix."""
    return f"q_{question.code}@{unit_key}" if unit_key is not None else f"q_{question.code}"


@dataclass(frozen=True)
class ValidSubmission:
    """Clean answers: shared ones, and per assessed unit for a matrix questionnaire."""

    respondent_group: str
    procedure_field: str | None
    shared_answers: dict[str, AnswerValue]
    unit_answers: dict[str, dict[str, AnswerValue]] = field(default_factory=dict)

    def answers_for(self, unit_key: str | None) -> dict[str, AnswerValue]:
        """Everything one response toward ``unit_key`` stores (shared answers included)."""
        return {**self.shared_answers, **self.unit_answers.get(unit_key, {})} if unit_key else dict(self.shared_answers)


@dataclass(frozen=True)
class SubmissionCheck:
    """The outcome of checking a form: a valid submission, or the problems by field name."""

    submission: ValidSubmission | None
    problems: dict[str, Problem]

    @property
    def is_valid(self) -> bool:
        return self.submission is not None


def check_submission(
    definition: QuestionnaireDefinition, form: FormData, unit_keys: Sequence[str] = ()
) -> SubmissionCheck:
    """Validate every answer of ``form`` against ``definition``.

    ``unit_keys`` are the assessed units of a matrix questionnaire, whose per-unit questions
    are answered once per unit; single-layout questionnaires ignore them.
    """
    problems: dict[str, Problem] = {}
    group_codes = [group.code for group in definition.respondent_groups]
    respondent_group = group_codes[0]
    if definition.asks_respondent_group:
        respondent_group = _check_pick(form, RESPONDENT_GROUP_FIELD, group_codes, problems)
    procedure_field = None
    if definition.asks_procedure_field:
        procedure_field = _check_pick(form, PROCEDURE_FIELD_FIELD, definition.procedure_fields, problems)

    shared: dict[str, AnswerValue] = {}
    per_unit: dict[str, dict[str, AnswerValue]] = {key: {} for key in unit_keys}
    for question in definition.questions:
        if question.per_unit:
            for unit_key in unit_keys:
                _check_answer(question, form, field_name(question, unit_key), per_unit[unit_key], problems)
        else:
            _check_answer(question, form, field_name(question), shared, problems)

    if problems:
        return SubmissionCheck(submission=None, problems=problems)
    submission = ValidSubmission(
        respondent_group=respondent_group,
        procedure_field=procedure_field,
        shared_answers=shared,
        unit_answers=per_unit if definition.is_matrix else {},
    )
    return SubmissionCheck(submission=submission, problems={})


def _clean(raw: str) -> str:
    return unicodedata.normalize("NFC", raw).strip()


def _check_pick(form: FormData, name: str, allowed: Sequence[str], problems: dict[str, Problem]) -> str:
    values = [_clean(v) for v in form.getlist(name) if _clean(v)]
    if not values:
        problems[name] = Problem.REQUIRED
    elif len(values) > 1:
        problems[name] = Problem.SEVERAL_VALUES
    elif values[0] not in allowed:
        problems[name] = Problem.NOT_AN_OPTION
    else:
        return values[0]
    return ""


def _check_answer(
    question: Question, form: FormData, name: str, answers: dict[str, AnswerValue], problems: dict[str, Problem]
) -> None:
    values = [value for value in map(_clean, form.getlist(name)) if value]
    if not values:
        if question.required:
            problems[name] = Problem.REQUIRED
        return
    if question.type is QuestionType.TEXT:
        text = "\n".join(values)
        if len(text) > question.max_length:
            problems[name] = Problem.TOO_LONG
        else:
            answers[question.code] = text
        return
    if question.type is not QuestionType.MULTI:
        # One pick, most fields of every submission: looked up directly, without lists.
        if len(values) > 1:
            problems[name] = Problem.SEVERAL_VALUES
        elif (option := question.option_for(values[0])) is None:
            problems[name] = Problem.NOT_AN_OPTION
        else:
            answers[question.code] = option.value
        return
    options = [question.option_for(value) for value in values]
    if any(option is None for option in options):
        problems[name] = Problem.NOT_AN_OPTION
    else:
        answers[question.code] = sorted({option.value for option in options}, key=str)


# One character per scored question: the position of the chosen option among the question's
# choices ("không biết" last), or "." when it was not answered. Printable ASCII from "0".
ANSWER_CODE_BLANK = "."
ANSWER_CODE_FIRST = ord("0")


def scored_questions(definition: QuestionnaireDefinition) -> tuple[Question, ...]:
    """The questions answered with one option (scale or choice): what indices are computed from."""
    return tuple(q for q in definition.questions if q.type in (QuestionType.SCALE, QuestionType.CHOICE))


def encode_answer_codes(definition: QuestionnaireDefinition, answers: dict[str, AnswerValue]) -> str:
    """The answers to the scored questions as one short string, which the results read column-wise.

    >>> from surveyapp.questionnaires.definition import parse_definition
    >>> definition = parse_definition({
    ...     "code": "DEMO", "version": 1, "title": "Demo", "purpose": "par",
    ...     "respondent_groups": [{"code": "citizen", "label": "Người dân"}],
    ...     "scales": {"s": {"options": [{"value": "A", "label": "Tốt", "coefficient": 1},
    ...                                  {"value": "B", "label": "Kém", "coefficient": 0}],
    ...                      "no_answer": {"value": "X", "label": "Không biết"}}},
    ...     "methodology": {"subcriteria": [{"code": "1.1", "label": "Kế hoạch", "max_points": 1}]},
    ...     "sections": [{"code": "A", "title": "A", "questions": [
    ...         {"code": "Q1", "type": "scale", "scale": "s", "text": "?", "criterion": "1.1"},
    ...         {"code": "Q2", "type": "scale", "scale": "s", "text": "?", "criterion": "1.1", "required": False},
    ...         {"code": "Q3", "type": "scale", "scale": "s", "text": "?", "criterion": "1.1"}]}],
    ... }, origin="demo")
    >>> encode_answer_codes(definition, {"Q1": "B", "Q3": "X"})
    '1.2'
    """
    codes = []
    for question in scored_questions(definition):
        position = question.position_of(answers.get(question.code))
        codes.append(ANSWER_CODE_BLANK if position is None else chr(ANSWER_CODE_FIRST + position))
    return "".join(codes)
