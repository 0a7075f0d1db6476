"""The methodology settings a computation uses, read from a questionnaire definition.

The settings are plain data, so a result can record exactly what produced it
(``to_record``) and be reproduced later. They are read from a questionnaire definition by
attribute access only: this package never imports the web application.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

CI_METHOD = (
    "95% CI: Wilson score interval for an item share; for a (weighted) mean of shares, the normal "
    "approximation with the items' variances added as if independent (METHODOLOGY.md section 5)"
)


class SipasCombination(enum.Enum):
    """How SIPAS combines its parts: ``sipas_combination`` in a questionnaire's methodology.

    The official rule is not published in a form we could read (forms/README.md works through
    the national 2024 figures), so each questionnaire version names the rule it follows:

    - ``mean_of_parts``: SIPAS = unweighted mean of the part indices;
    - ``weighted_parts`` (default): SIPAS = Σ w_p·P_p / Σ w_p with the parts' weights from the
      file, 1 each unless given, so on a file without part weights it is the mean of the parts;
    - ``pooled_items``: SIPAS = unweighted mean of every satisfaction item index of every part
      together, each item once, so a part with more items counts more.

    The 95% interval follows the rule: the normal approximation over the parts' standard
    errors for the first two, over the items' (Wilson half-width / 1.96) for pooled items.
    """

    MEAN_OF_PARTS = "mean_of_parts"
    WEIGHTED_PARTS = "weighted_parts"
    POOLED_ITEMS = "pooled_items"

    @property
    def formula(self) -> str:
        """The rule in words, as recorded beside every result."""
        return {
            SipasCombination.MEAN_OF_PARTS: "unweighted mean of part indices",
            SipasCombination.WEIGHTED_PARTS: "weighted mean of part indices (the parts' weights)",
            SipasCombination.POOLED_ITEMS: "unweighted mean of every satisfaction item index, all parts pooled",
        }[self]


DEFAULT_SIPAS_COMBINATION = SipasCombination.WEIGHTED_PARTS


@dataclass(frozen=True)
class ShareItem:
    """A question scored as the share of valid answers that are ``hit_values``.

    ``valid_values`` are the levels of the scale (never "không biết"); ``no_answer_values`` are
    counted apart; ``weight`` is the item's weight within its element.
    """

    code: str
    valid_values: tuple[Any, ...]
    hit_values: tuple[Any, ...]
    no_answer_values: tuple[Any, ...] = ()
    element: str | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class SipasElement:
    """An element (or policy group) with its weight in its part."""

    code: str
    label: str
    part: str
    weight: float = 1.0


@dataclass(frozen=True)
class SipasPart:
    """A part of SIPAS (service delivery, policy) with its weight in SIPAS (``weighted_parts`` only)."""

    code: str
    label: str
    weight: float = 1.0


@dataclass(frozen=True)
class SipasSettings:
    """Everything the SIPAS formulas depend on (METHODOLOGY.md section 5)."""

    questionnaire: str
    version: int
    satisfaction_items: tuple[ShareItem, ...]
    elements: tuple[SipasElement, ...]
    parts: tuple[SipasPart, ...]
    assessment_items: tuple[ShareItem, ...] = ()
    expectation_items: tuple[ShareItem, ...] = ()
    min_valid_answers: int = 10
    combination: SipasCombination = DEFAULT_SIPAS_COMBINATION

    def with_min_valid_answers(self, min_valid_answers: int) -> SipasSettings:
        """The same settings with another flagging threshold (a campaign's own setting)."""
        return replace(self, min_valid_answers=min_valid_answers)

    def to_record(self) -> dict[str, Any]:
        """The settings as JSON-ready data, stored beside every result computed with them."""
        return {
            "index": "SIPAS",
            "questionnaire": self.questionnaire,
            "version": self.version,
            "min_valid_answers": self.min_valid_answers,
            "satisfied_values": _distinct(v for item in self.satisfaction_items for v in item.hit_values),
            "parts": {part.code: part.weight for part in self.parts},
            "elements": {element.code: [element.part, element.weight] for element in self.elements},
            "items": {item.code: [item.element, item.weight] for item in self.satisfaction_items},
            "assessment_positive_values": {item.code: list(item.hit_values) for item in self.assessment_items},
            "expectation_top_values": {item.code: list(item.hit_values) for item in self.expectation_items},
            "item_index": "100 × answers in satisfied_values / valid answers (levels of the scale)",
            "element_index": "weighted mean of item indices",
            "part_index": "weighted mean of element indices",
            "sipas_combination": self.combination.value,
            "sipas": self.combination.formula,
            "confidence_interval": CI_METHOD,
        }


@dataclass(frozen=True)
class ParQuestion:
    """A PAR survey question: its sub-criterion and the coefficient of each option."""

    code: str
    subcriterion: str
    coefficients: Mapping[Any, float]
    no_answer_values: tuple[Any, ...] = ()


@dataclass(frozen=True)
class ParSettings:
    """Everything the PAR survey formulas depend on (METHODOLOGY.md section 6)."""

    questionnaires: tuple[tuple[str, int], ...]
    questions: tuple[ParQuestion, ...]
    max_points: Mapping[str, float]
    labels: Mapping[str, str] = field(default_factory=dict)
    group_weights: Mapping[str, float] = field(default_factory=dict)
    min_valid_answers: int = 10

    def group_weight(self, group: str) -> float:
        """The weight of a respondent group in a sub-criterion's score (1 unless set)."""
        return self.group_weights.get(group, 1.0)

    def to_record(self) -> dict[str, Any]:
        """The settings as JSON-ready data, stored beside every result computed with them."""
        return {
            "index": "PAR survey",
            "questionnaires": [f"{code} v{version}" for code, version in self.questionnaires],
            "min_valid_answers": self.min_valid_answers,
            "max_points": dict(self.max_points),
            "group_weights": dict(self.group_weights) or "equal",
            "coefficients": {
                q.code: [q.subcriterion, {str(k): v for k, v in q.coefficients.items()}] for q in self.questions
            },
            "group_score": "max_points × mean coefficient over the group's valid answers",
            "subcriterion_score": "weighted mean of group scores over the groups that answered",
        }


def sipas_settings(definition: Any) -> SipasSettings:
    """Read the SIPAS settings of a questionnaire definition (``purpose: sipas``)."""
    methodology = definition.methodology
    satisfied = tuple(methodology.satisfied_values)
    satisfaction, assessment, expectation = [], [], []
    for question in definition.questions:
        kind = question.index.value if question.index is not None else None
        levels = tuple(option.value for option in question.options)
        no_answer = (question.no_answer.value,) if question.no_answer is not None else ()
        if kind == "satisfaction":
            satisfaction.append(ShareItem(question.code, levels, satisfied, no_answer, element=question.element))
        elif kind == "assessment":
            assessment.append(ShareItem(question.code, levels, tuple(question.positive_values), no_answer))
        elif kind == "expectation":
            top = tuple(question.positive_values) or (_top_level(levels),)
            expectation.append(ShareItem(question.code, levels, top, no_answer))
    return SipasSettings(
        questionnaire=definition.code,
        version=definition.version,
        satisfaction_items=tuple(satisfaction),
        elements=tuple(
            SipasElement(element.code, str(element.label), part.code, element.weight)
            for part in methodology.index_parts
            for element in part.elements
        ),
        parts=tuple(SipasPart(part.code, str(part.label), part.weight) for part in methodology.index_parts),
        assessment_items=tuple(assessment),
        expectation_items=tuple(expectation),
        min_valid_answers=methodology.min_valid_answers,
        combination=methodology.sipas_combination,
    )


class ConflictingSettings(ValueError):
    """Questionnaires scored together disagree about ``item`` (a sub-criterion or question code),
    as ``questionnaire`` has it."""

    def __init__(self, message: str, *, item: str, questionnaire: str) -> None:
        super().__init__(message)
        self.item = item
        self.questionnaire = questionnaire


def par_settings(definitions: Iterable[Any]) -> ParSettings:
    """Read the PAR settings of one or more questionnaires that score the same unit's index.

    A sub-criterion asked in several questionnaires (one per respondent group) must have the
    same maximum in each; ``ConflictingSettings`` names it otherwise. A question code found in several
    questionnaires (forms coding their questions after their sub-criteria, say) is one column
    of the responses, so it is listed once, and each answer counts once: it must have the same
    sub-criterion, coefficients and "không biết" value in each, or ``ConflictingSettings`` names it.
    """
    definitions = list(definitions)
    max_points: dict[str, float] = {}
    labels: dict[str, str] = {}
    group_weights: dict[str, float] = {}
    questions: dict[str, ParQuestion] = {}
    for definition in definitions:
        methodology = definition.methodology
        for subcriterion in methodology.subcriteria:
            known = max_points.setdefault(subcriterion.code, subcriterion.max_points)
            if known != subcriterion.max_points:
                raise ConflictingSettings(
                    f"sub-criterion {subcriterion.code}: maximum {subcriterion.max_points} in {definition.code} "
                    f"but {known} in another questionnaire",
                    item=subcriterion.code,
                    questionnaire=definition.code,
                )
            labels.setdefault(subcriterion.code, str(subcriterion.label))
        group_weights.update(methodology.group_weights)
        for question in definition.questions:
            coefficients = {o.value: o.coefficient for o in question.options if o.coefficient is not None}
            if question.criterion in max_points and coefficients:
                no_answer = (question.no_answer.value,) if question.no_answer is not None else ()
                scored = ParQuestion(question.code, question.criterion, coefficients, no_answer)
                if questions.setdefault(question.code, scored) != scored:
                    raise ConflictingSettings(
                        f"question {question.code}: sub-criterion, coefficients or no-answer value in "
                        f"{definition.code} differ from another questionnaire's",
                        item=question.code,
                        questionnaire=definition.code,
                    )
    return ParSettings(
        questionnaires=tuple((d.code, d.version) for d in definitions),
        questions=tuple(questions.values()),
        max_points=max_points,
        labels=labels,
        group_weights=group_weights,
        min_valid_answers=min((d.methodology.min_valid_answers for d in definitions), default=10),
    )


def _top_level(levels: tuple[Any, ...]) -> Any:
    """The highest level of a scale: the largest number, or the first option of a text scale."""
    numbers = [level for level in levels if isinstance(level, int | float)]
    return max(numbers) if numbers else levels[0]


def _distinct(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(values))
