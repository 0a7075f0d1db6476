"""A surveyor's worklist: the collection points they cover, what each still misses, most urgent first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from surveyapp.models import Campaign, Questionnaire
from surveyapp.services.collection import CollectionPoint
from surveyapp.services.quotas import Progress, collection_progress, is_behind_schedule, partial_quotas
from surveyapp.services.samples import get_sampled_unit_ids


@dataclass(frozen=True)
class WorkItem:
    """One point of the list: what it collected (``collection_progress``), and its verdict."""

    point: CollectionPoint
    progress: Progress
    is_behind: bool
    has_sample: bool  # people were drawn for its unit: a contact list to open


@dataclass(frozen=True)
class PartialQuota:
    """A questionnaire whose quota covers only some respondent groups: their names, and the
    forms of the other groups stored for the surveyor's points (outside the quota)."""

    questionnaire: Questionnaire
    groups: tuple[str, ...]
    outside: int


@dataclass(frozen=True)
class Worklist:
    """A campaign's points for one surveyor, sorted by urgency, with the summary line's figures.

    ``partial_quotas`` are said once under the summary, so that no line reads a group's target
    as the whole unit's and the lines stay short.
    """

    campaign: Campaign
    items: tuple[WorkItem, ...]
    days_left: int
    partial_quotas: tuple[PartialQuota, ...]

    @property
    def with_quota(self) -> int:
        return sum(1 for item in self.items if item.progress.target)

    @property
    def complete(self) -> int:
        """Points with a quota that has nothing left to collect."""
        return sum(1 for item in self.items if item.progress.target and item.progress.remaining <= 0)

    @property
    def forms_missing(self) -> int:
        return sum(max(item.progress.remaining, 0) for item in self.items)


def get_worklist(campaign: Campaign, points: Sequence[CollectionPoint], today: dt.date) -> Worklist:
    """``points`` of ``campaign`` with their progress: behind schedule first, then by forms still
    missing (most first); points complete or without a quota last, in their given order."""
    unit_ids = {unit.id for point in points for unit in point.units}
    progress = collection_progress(campaign, unit_ids)
    sampled = get_sampled_unit_ids(campaign, unit_ids)
    items = []
    for point in points:
        own = sum((progress.get((unit.id, point.questionnaire.id), Progress()) for unit in point.units), Progress())
        has_sample = point.unit is not None and point.unit.id in sampled
        items.append(WorkItem(point, own, is_behind_schedule(campaign, own, today), has_sample))
    items.sort(key=lambda item: (not item.is_behind, -max(item.progress.remaining, 0)))
    partial = tuple(
        PartialQuota(q, tuple(labels), sum(i.progress.outside for i in items if i.point.questionnaire is q))
        for q, labels in partial_quotas(campaign, progress)
    )
    return Worklist(campaign, tuple(items), max((campaign.closes_on - today).days, 0), partial)


def get_worklists(campaigns: Iterable[tuple[Campaign, Sequence[CollectionPoint]]], today: dt.date) -> list[Worklist]:
    """One worklist per campaign: those whose quotas still miss forms first, then the others
    (complete, or without any quota), each part in the given order."""
    worklists = [get_worklist(campaign, points, today) for campaign, points in campaigns]
    return sorted(worklists, key=lambda worklist: worklist.forms_missing == 0)
