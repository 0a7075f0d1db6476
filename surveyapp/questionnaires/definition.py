"""Questionnaire definitions: parsed from the YAML files in ``forms/`` and checked at load.

Pure Python (no Flask, no database) so the scoring code can use the same definitions.
The file format is documented in ``forms/README.md``.

>>> definition = parse_definition({
...     "code": "DEMO", "version": 1, "title": "Demo", "purpose": "sipas",
...     "respondent_groups": [{"code": "citizen", "label": "Người dân"}],
...     "scales": {"yn": {"options": [{"value": 1, "label": "Có"}, {"value": 2, "label": "Không"}]}},
...     "methodology": {"index_parts": [{"code": "service", "label": "Dịch vụ",
...                                      "elements": [{"code": "1", "label": "Tiếp cận"}]}]},
...     "sections": [{"code": "A", "title": "Phần A", "questions": [
...         {"code": "Q1", "type": "scale", "scale": "yn", "text": "Câu hỏi?",
...          "index": "satisfaction", "element": "1"}]}],
... }, origin="demo")
>>> [q.code for q in definition.questions]
['Q1']
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from scoring.settings import DEFAULT_SIPAS_COMBINATION, SipasCombination

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
FILE_NAME_PATTERN = re.compile(r"^(?P<code>.+)\.v(?P<version>\d+)\.yaml$")
# The safe loader on libyaml where PyYAML was built with it (its wheels are), ten times faster
# than the pure-Python one: every start and every test reads each form and criteria set.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DEFAULT_TEXT_MAX_LENGTH = 500
# The keys each part of a file may have (forms/README.md): anything else is a typo to report.
FILE_KEYS = frozenset(
    [
        "code",
        "version",
        "title",
        "purpose",
        "notice",
        "is_template",
        "respondent_groups",
        "layout",
        "assessed_unit_kinds",
        "procedure_fields",
        "scales",
        "methodology",
        "sections",
    ]
)
# Reading a question and tapping an answer on a phone: the basis of the time a poster and the
# campaign form announce (the 53 answers of SIPAS-2023 v1 make about 9 minutes).
SECONDS_PER_ANSWER = 10
SECTION_KEYS = frozenset(["code", "title", "description", "per_unit", "questions"])
QUESTION_KEYS = frozenset(
    [
        "code",
        "type",
        "scale",
        "options",
        "no_answer",
        "text",
        "help",
        "required",
        "max_length",
        "index",
        "element",
        "criterion",
        "positive_values",
    ]
)
SCALE_KEYS = frozenset({"options", "no_answer"})
OPTION_KEYS = frozenset({"value", "label", "coefficient"})
METHODOLOGY_KEYS = frozenset(
    {"index_parts", "sipas_combination", "subcriteria", "satisfied_values", "min_valid_answers", "group_weights"}
)
INDEX_PART_KEYS = frozenset({"code", "label", "weight", "elements"})
ELEMENT_KEYS = frozenset({"code", "label", "weight"})
SUBCRITERION_KEYS = frozenset({"code", "label", "max_points"})


class QuestionnaireError(ValueError):
    """A questionnaire file is malformed; the message names the file, question and problem."""


class Purpose(enum.Enum):
    """The index a questionnaire feeds."""

    SIPAS = "sipas"
    PAR = "par"


class Layout(enum.Enum):
    """``single``: one response per submission; ``matrix``: one per assessed unit rated."""

    SINGLE = "single"
    MATRIX = "matrix"


class QuestionType(enum.Enum):
    """How a question is answered; each type owns its validation (see ``answers.py``)."""

    SCALE = "scale"
    CHOICE = "choice"
    MULTI = "multi"
    TEXT = "text"


class IndexKind(enum.Enum):
    """Which SIPAS index a question feeds (METHODOLOGY.md section 5)."""

    SATISFACTION = "satisfaction"
    ASSESSMENT = "assessment"
    EXPECTATION = "expectation"


@dataclass(frozen=True)
class Text:
    """A user-facing text in Vietnamese, with an optional English translation."""

    vi: str
    en: str | None = None

    def in_language(self, language: str) -> str:
        """The text in ``language`` (``vi`` or ``en``), falling back to Vietnamese."""
        return self.en if language == "en" and self.en else self.vi

    def __str__(self) -> str:
        return self.vi


@dataclass(frozen=True)
class Option:
    """An answer option; ``coefficient`` is its PAR score between 0 and 1, when it has one."""

    value: int | str
    label: Text
    coefficient: float | None = None

    @property
    def key(self) -> str:
        """The option's value as sent by an HTML form."""
        return str(self.value)


@dataclass(frozen=True)
class Scale:
    """A named answer scale; ``no_answer`` ("Không biết") is a choice but never a level."""

    code: str
    options: tuple[Option, ...]
    no_answer: Option | None = None


@dataclass(frozen=True)
class Question:
    """One question with its answer options and the methodology settings it belongs to."""

    code: str
    type: QuestionType
    text: Text
    required: bool
    section_code: str
    per_unit: bool = False
    scale_code: str | None = None
    options: tuple[Option, ...] = ()
    no_answer: Option | None = None
    max_length: int = DEFAULT_TEXT_MAX_LENGTH
    help: Text | None = None
    index: IndexKind | None = None
    element: str | None = None
    criterion: str | None = None
    positive_values: tuple[int | str, ...] = ()

    # Computed once: a definition never changes, and every submission looks its answers up.
    @cached_property
    def choices(self) -> tuple[Option, ...]:
        """Every option a respondent can pick, "no answer" last."""
        return self.options + ((self.no_answer,) if self.no_answer else ())

    @cached_property
    def _choices_by_key(self) -> dict[str, Option]:
        return {option.key: option for option in self.choices}

    @cached_property
    def _positions_by_value(self) -> dict[int | str, int]:
        return {option.value: position for position, option in enumerate(self.choices)}

    def option_for(self, key: str) -> Option | None:
        """The option whose form value is ``key``, if any."""
        return self._choices_by_key.get(key)

    def position_of(self, value: int | str | None) -> int | None:
        """Where the option of value ``value`` stands among ``choices``, if there is one."""
        return self._positions_by_value.get(value)


@dataclass(frozen=True)
class Section:
    """A titled group of questions; in a matrix layout ``per_unit`` sections repeat per unit."""

    code: str
    title: Text
    questions: tuple[Question, ...]
    per_unit: bool = False
    description: Text | None = None


@dataclass(frozen=True)
class RespondentGroup:
    """A group of respondents the questionnaire is meant for (*đối tượng điều tra*)."""

    code: str
    label: Text


@dataclass(frozen=True)
class Element:
    """A SIPAS element (or policy group) that items are averaged into, with its weight in its part."""

    code: str
    label: Text
    weight: float = 1.0


@dataclass(frozen=True)
class IndexPart:
    """A part of SIPAS (service delivery, policy): the weighted mean of its elements, weighted in SIPAS."""

    code: str
    label: Text
    elements: tuple[Element, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class Subcriterion:
    """A PAR sub-criterion (*tiêu chí thành phần*) decided by the survey, with its maximum."""

    code: str
    label: Text
    max_points: float


@dataclass(frozen=True)
class Methodology:
    """Scoring settings stored beside the questions (METHODOLOGY.md sections 5 and 6)."""

    index_parts: tuple[IndexPart, ...] = ()
    sipas_combination: SipasCombination = DEFAULT_SIPAS_COMBINATION
    subcriteria: tuple[Subcriterion, ...] = ()
    satisfied_values: tuple[int | str, ...] = (4, 5)
    min_valid_answers: int = 10
    group_weights: Mapping[str, float] = field(default_factory=dict)

    @property
    def element_codes(self) -> frozenset[str]:
        """Codes of every element of every index part."""
        return frozenset(e.code for part in self.index_parts for e in part.elements)


@dataclass(frozen=True)
class Length:
    """How long a questionnaire is, as a respondent is told before starting: its numbered
    questions and about how many minutes answering takes."""

    questions: int
    minutes: int


@dataclass(frozen=True)
class QuestionnaireDefinition:
    """A whole questionnaire version: the respondent-facing form and its scoring settings."""

    code: str
    version: int
    title: Text
    purpose: Purpose
    respondent_groups: tuple[RespondentGroup, ...]
    scales: Mapping[str, Scale]
    methodology: Methodology
    sections: tuple[Section, ...]
    layout: Layout = Layout.SINGLE
    assessed_unit_kinds: tuple[str, ...] = ()
    procedure_fields: tuple[str, ...] = ()
    notice: Text | None = None
    is_template: bool = False
    _by_code: Mapping[str, Question] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Every question, in the order of the form."""
        return tuple(q for section in self.sections for q in section.questions)

    def question(self, code: str) -> Question:
        """The question with ``code``; ``KeyError`` if there is none."""
        return self._by_code[code]

    @property
    def is_matrix(self) -> bool:
        """Whether one submission rates several assessed units."""
        return self.layout is Layout.MATRIX

    def answer_count(self, units: int = 1) -> int:
        """How many answers one submission asks for: a matrix's per-unit questions once per unit."""
        per_submission = units if self.is_matrix else 1
        return sum(per_submission if question.per_unit else 1 for question in self.questions)

    def estimated_minutes(self, units: int = 1) -> int:
        """About how long answering takes on a phone, in whole minutes (``SECONDS_PER_ANSWER`` each)."""
        return max(1, math.ceil(self.answer_count(units) * SECONDS_PER_ANSWER / 60))

    def length(self, units: int = 1) -> Length:
        """What the campaign form, the poster and the questionnaire's first screen announce.

        >>> sipas = load_questionnaire_file(Path(__file__).parents[2] / "forms" / "SIPAS-2017.v1.yaml")
        >>> sipas.length()
        Length(questions=27, minutes=5)
        """
        return Length(questions=len(self.questions), minutes=self.estimated_minutes(units))

    @property
    def asks_respondent_group(self) -> bool:
        """Whether the respondent must say which of several groups they belong to."""
        return len(self.respondent_groups) > 1

    @property
    def asks_procedure_field(self) -> bool:
        """Whether the respondent must name the field of their procedure (*lĩnh vực*)."""
        return bool(self.procedure_fields)


def load_questionnaire_file(path: str | Path) -> QuestionnaireDefinition:
    """Read and check one questionnaire file named ``<CODE>.v<VERSION>.yaml``."""
    return read_questionnaire_file(path)[0]


def read_questionnaire_file(path: str | Path) -> tuple[QuestionnaireDefinition, dict[str, Any]]:
    """One questionnaire file read once: its checked definition and its raw mapping (what a
    campaign's version stores)."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise QuestionnaireError(f"{path.name}: cannot be read as YAML: {error}") from error
    definition = parse_definition(data, origin=path.name)
    match = FILE_NAME_PATTERN.match(path.name)
    expected = f"{definition.code}.v{definition.version}.yaml"
    if not match or path.name != expected:
        raise QuestionnaireError(f"{path.name}: the file must be named {expected} after its code and version")
    return definition, data


def parse_definition(data: Any, *, origin: str) -> QuestionnaireDefinition:
    """Check the mapping read from a questionnaire file and build its definition.

    ``origin`` (usually the file name) starts every error message.
    """
    return _Parser(origin).questionnaire(data)


class _Parser:
    """Walks the raw mapping, remembering where it is so that errors can say so."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, problem: str) -> QuestionnaireError:
        return QuestionnaireError(f"{self.origin}: {where}: {problem}")

    def mapping(self, value: Any, where: str, allowed: frozenset[str] | None = None) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, "must be a mapping of keys to values")
        unknown = sorted(set(map(str, value)) - allowed) if allowed is not None else []
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(unknown)}; see forms/README.md")
        return value

    def listing(self, value: Any, where: str, *, allow_empty: bool = False) -> list[Any]:
        if not isinstance(value, list) or (not value and not allow_empty):
            raise self.fail(where, "must be a non-empty list")
        return value

    def code(self, value: Any, where: str) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not CODE_PATTERN.match(value):
            raise self.fail(where, f"code {value!r} must be 1-40 letters, digits, '.', '_' or '-'")
        return value

    def text(self, value: Any, where: str) -> Text:
        if isinstance(value, str) and value.strip():
            return Text(vi=value.strip())
        if isinstance(value, Mapping) and isinstance(value.get("vi"), str) and value["vi"].strip():
            english = value.get("en")
            if english is not None and not isinstance(english, str):
                raise self.fail(where, "the English text must be a string")
            return Text(vi=value["vi"].strip(), en=english.strip() if english else None)
        raise self.fail(where, "must be a text, or a mapping with a Vietnamese 'vi' text")

    def optional_text(self, raw: Mapping[str, Any], key: str, where: str) -> Text | None:
        return self.text(raw[key], f"{where} {key}") if raw.get(key) is not None else None

    def boolean(self, raw: Mapping[str, Any], key: str, default: bool, where: str) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(where, f"'{key}' must be true or false")
        return value

    def choice_of(self, enum_class: type[enum.Enum], value: Any, where: str) -> Any:
        try:
            return enum_class(value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum_class)
            raise self.fail(where, f"{value!r} is not one of: {allowed}") from None

    def option(self, raw: Any, where: str) -> Option:
        raw = self.mapping(raw, where, OPTION_KEYS)
        value = raw.get("value")
        if isinstance(value, bool) or not isinstance(value, int | str) or str(value) == "":
            raise self.fail(where, f"option value {value!r} must be an integer or a short text")
        coefficient = raw.get("coefficient")
        if coefficient is not None:
            if isinstance(coefficient, bool) or not isinstance(coefficient, int | float):
                raise self.fail(where, f"coefficient {coefficient!r} must be a number")
            if not 0 <= coefficient <= 1:
                raise self.fail(where, f"coefficient {coefficient} must lie between 0 and 1")
            coefficient = float(coefficient)
        return Option(value=value, label=self.text(raw.get("label"), f"{where} label"), coefficient=coefficient)

    def options(self, raw: Any, where: str, no_answer: Option | None = None) -> tuple[Option, ...]:
        options = tuple(
            self.option(item, f"{where} option {number}")
            for number, item in enumerate(self.listing(raw, f"{where} options"), start=1)
        )
        keys = [option.key for option in options] + ([no_answer.key] if no_answer else [])
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise self.fail(where, f"option value(s) {', '.join(duplicates)} appear more than once")
        return options

    def scale(self, code: str, raw: Any) -> Scale:
        where = f"scale {code}"
        raw = self.mapping(raw, where, SCALE_KEYS)
        no_answer = self.option(raw["no_answer"], f"{where} no_answer") if raw.get("no_answer") else None
        return Scale(code=code, options=self.options(raw.get("options"), where, no_answer), no_answer=no_answer)

    def weight(self, raw: Mapping[str, Any], where: str) -> float:
        value = raw.get("weight", 1.0)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(where, f"weight {value!r} must be a positive number")
        return float(value)

    def index_part(self, raw: Any, number: int) -> IndexPart:
        where = f"methodology index part {number}"
        raw = self.mapping(raw, where, INDEX_PART_KEYS)
        elements = []
        for raw_element in self.listing(raw.get("elements"), f"{where} elements"):
            raw_element = self.mapping(raw_element, f"{where} element", ELEMENT_KEYS)
            code = self.code(raw_element.get("code"), f"{where} element")
            where_element = f"methodology element {code}"
            label = self.text(raw_element.get("label"), f"{where_element} label")
            elements.append(Element(code, label, self.weight(raw_element, where_element)))
        return IndexPart(
            code=self.code(raw.get("code"), where),
            label=self.text(raw.get("label"), f"{where} label"),
            elements=tuple(elements),
            weight=self.weight(raw, where),
        )

    def group_weights(self, raw: Any) -> dict[str, float]:
        weights = self.mapping(raw or {}, "methodology group_weights")
        for group, value in weights.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise self.fail(f"methodology group_weights {group}", f"weight {value!r} must be a positive number")
        return {str(group): float(value) for group, value in weights.items()}

    def sipas_combination(self, raw: Mapping[str, Any], purpose: Purpose) -> SipasCombination:
        """How SIPAS combines its parts; part weights only under ``weighted_parts``, where they
        are checked positive like every weight (``weight``)."""
        if "sipas_combination" not in raw:
            return DEFAULT_SIPAS_COMBINATION
        if purpose is not Purpose.SIPAS:
            raise self.fail("methodology", "sipas_combination belongs to a SIPAS questionnaire")
        combination = self.choice_of(SipasCombination, raw["sipas_combination"], "methodology sipas_combination")
        # The parts were checked already: each is a mapping with a code.
        weighted = [str(part["code"]) for part in raw.get("index_parts") or [] if "weight" in part]
        if weighted and combination is not SipasCombination.WEIGHTED_PARTS:
            raise self.fail(
                "methodology",
                f"index part(s) {', '.join(weighted)} have a weight, which only sipas_combination: "
                f"weighted_parts uses, not {combination.value}",
            )
        return combination

    def methodology(self, raw: Any, purpose: Purpose) -> Methodology:
        raw = self.mapping(raw, "methodology", METHODOLOGY_KEYS)
        parts = tuple(
            self.index_part(raw_part, n)
            for n, raw_part in enumerate(
                self.listing(raw.get("index_parts") or [], "methodology index_parts", allow_empty=True), start=1
            )
        )
        subcriteria = []
        for n, item in enumerate(raw.get("subcriteria") or [], start=1):
            item = self.mapping(item, f"methodology sub-criterion {n}", SUBCRITERION_KEYS)
            code = self.code(item.get("code"), f"methodology sub-criterion {n}")
            max_points = item.get("max_points")
            if isinstance(max_points, bool) or not isinstance(max_points, int | float) or max_points <= 0:
                raise self.fail(
                    f"methodology sub-criterion {code}", f"max_points {max_points!r} must be a positive number"
                )
            subcriteria.append(
                Subcriterion(
                    code, self.text(item.get("label"), f"methodology sub-criterion {code} label"), float(max_points)
                )
            )
        codes = [e.code for part in parts for e in part.elements] + [p.code for p in parts]
        codes += [s.code for s in subcriteria]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise self.fail("methodology", f"code(s) {', '.join(repeated)} are used more than once")
        if purpose is Purpose.SIPAS and not parts:
            raise self.fail("methodology", "a SIPAS questionnaire needs index_parts with elements")
        if purpose is Purpose.PAR and not subcriteria:
            raise self.fail("methodology", "a PAR questionnaire needs subcriteria with max_points")
        combination = self.sipas_combination(raw, purpose)
        min_valid = raw.get("min_valid_answers", 10)
        if isinstance(min_valid, bool) or not isinstance(min_valid, int) or min_valid < 1:
            raise self.fail("methodology", f"min_valid_answers {min_valid!r} must be a positive integer")
        satisfied = raw.get("satisfied_values", [4, 5])
        if not isinstance(satisfied, list) or not satisfied:
            raise self.fail("methodology", "satisfied_values must be a non-empty list of option values")
        return Methodology(
            index_parts=parts,
            sipas_combination=combination,
            subcriteria=tuple(subcriteria),
            satisfied_values=tuple(satisfied),
            min_valid_answers=min_valid,
            group_weights=self.group_weights(raw.get("group_weights")),
        )

    def question(
        self, raw: Any, section_code: str, per_unit: bool, scales: Mapping[str, Scale], methodology: Methodology
    ) -> Question:
        code = self.code(
            self.mapping(raw, f"section {section_code} question").get("code"), f"section {section_code} question"
        )
        raw = self.mapping(raw, f"question {code}", QUESTION_KEYS)
        where = f"question {code}"
        question_type = self.choice_of(QuestionType, raw.get("type"), f"{where} type")
        scale_code, options, no_answer = None, (), None
        if question_type is QuestionType.SCALE:
            scale_code = raw.get("scale")
            if scale_code not in scales:
                raise self.fail(where, f"scale {scale_code!r} is not defined in scales")
            options, no_answer = scales[scale_code].options, scales[scale_code].no_answer
        elif question_type in (QuestionType.CHOICE, QuestionType.MULTI):
            no_answer = self.option(raw["no_answer"], f"{where} no_answer") if raw.get("no_answer") else None
            options = self.options(raw.get("options"), where, no_answer)
        required = self.boolean(raw, "required", question_type is not QuestionType.TEXT, where)
        if question_type is QuestionType.TEXT and required:
            raise self.fail(where, "a text question cannot be required")
        max_length = raw.get("max_length", DEFAULT_TEXT_MAX_LENGTH)
        if isinstance(max_length, bool) or not isinstance(max_length, int) or not 1 <= max_length <= 5000:
            raise self.fail(where, f"max_length {max_length!r} must be an integer from 1 to 5000")
        index = self.choice_of(IndexKind, raw["index"], f"{where} index") if raw.get("index") else None
        element = self.code(raw["element"], f"{where} element") if raw.get("element") is not None else None
        if element is not None and element not in methodology.element_codes:
            raise self.fail(where, f"element {element!r} is not an element of methodology.index_parts")
        criterion = self.code(raw["criterion"], f"{where} criterion") if raw.get("criterion") is not None else None
        subcriterion_codes = {s.code for s in methodology.subcriteria}
        is_scored_par = subcriterion_codes and question_type is QuestionType.SCALE
        if criterion is not None and is_scored_par and criterion not in subcriterion_codes:
            raise self.fail(where, f"criterion {criterion!r} is not listed in methodology.subcriteria")
        if index is IndexKind.SATISFACTION and element is None:
            raise self.fail(where, "a satisfaction question needs the element it belongs to")
        positive = tuple(raw.get("positive_values") or ())
        if index is IndexKind.ASSESSMENT:
            known = {option.value for option in options}
            if not positive or not set(positive) <= known:
                raise self.fail(where, "an assessment question needs positive_values among its options")
        return Question(
            code=code,
            type=question_type,
            text=self.text(raw.get("text"), f"{where} text"),
            required=required,
            section_code=section_code,
            per_unit=per_unit,
            scale_code=scale_code,
            options=options,
            no_answer=no_answer,
            max_length=max_length,
            help=self.optional_text(raw, "help", where),
            index=index,
            element=element,
            criterion=criterion,
            positive_values=positive,
        )

    def questionnaire(self, data: Any) -> QuestionnaireDefinition:
        data = self.mapping(data, "file", FILE_KEYS)
        code = self.code(data.get("code"), "code")
        version = data.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.fail("version", f"{version!r} must be a whole number from 1")
        purpose = self.choice_of(Purpose, data.get("purpose"), "purpose")
        layout = self.choice_of(Layout, data.get("layout", "single"), "layout")
        groups = []
        for n, raw_group in enumerate(self.listing(data.get("respondent_groups"), "respondent_groups"), start=1):
            raw_group = self.mapping(raw_group, f"respondent group {n}")
            groups.append(
                RespondentGroup(
                    self.code(raw_group.get("code"), f"respondent group {n}"),
                    self.text(raw_group.get("label"), f"respondent group {n} label"),
                )
            )
        scales = {
            self.code(scale_code, "scales"): self.scale(scale_code, raw_scale)
            for scale_code, raw_scale in self.mapping(data.get("scales"), "scales").items()
        }
        methodology = self.methodology(data.get("methodology"), purpose)
        sections, by_code = [], {}
        for n, raw_section in enumerate(self.listing(data.get("sections"), "sections"), start=1):
            raw_section = self.mapping(raw_section, f"section {n}", SECTION_KEYS)
            section_code = self.code(raw_section.get("code"), f"section {n}")
            per_unit = self.boolean(raw_section, "per_unit", False, f"section {section_code}")
            if per_unit and layout is not Layout.MATRIX:
                raise self.fail(f"section {section_code}", "per_unit sections need layout: matrix")
            questions = []
            for raw_question in self.listing(raw_section.get("questions"), f"section {section_code} questions"):
                question = self.question(raw_question, section_code, per_unit, scales, methodology)
                if question.code in by_code:
                    raise self.fail(f"question {question.code}", "the code is used by another question")
                by_code[question.code] = question
                questions.append(question)
            sections.append(
                Section(
                    code=section_code,
                    title=self.text(raw_section.get("title"), f"section {section_code} title"),
                    questions=tuple(questions),
                    per_unit=per_unit,
                    description=self.optional_text(raw_section, "description", f"section {section_code}"),
                )
            )
        if layout is Layout.MATRIX and not any(section.per_unit for section in sections):
            raise self.fail("sections", "a matrix questionnaire needs at least one per_unit section")
        kinds = data.get("assessed_unit_kinds") or []
        fields = data.get("procedure_fields") or []
        if not all(isinstance(k, str) and k for k in kinds):
            raise self.fail("assessed_unit_kinds", "must be a list of unit kinds")
        if not all(isinstance(f, str) and f for f in fields) or len(set(fields)) != len(fields):
            raise self.fail("procedure_fields", "must be a list of distinct field names")
        return QuestionnaireDefinition(
            code=code,
            version=version,
            title=self.text(data.get("title"), "title"),
            purpose=purpose,
            respondent_groups=tuple(groups),
            scales=scales,
            methodology=methodology,
            sections=tuple(sections),
            layout=layout,
            assessed_unit_kinds=tuple(kinds),
            procedure_fields=tuple(fields),
            notice=self.optional_text(data, "notice", "notice"),
            is_template=self.boolean(data, "is_template", False, "file"),
            _by_code=by_code,
        )
