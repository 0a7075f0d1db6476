"""A surveyor's worklist: the collection points they cover, what each still misses, most urgent first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from surveyapp.models import Campaign
from surveyapp.services.collection import CollectionPoint
from surveyapp.services.quotas import Progress, collection_progress, is_behind_schedule, quota_group_labels


@dataclass(frozen=True)
class WorkItem:
    """One point of the list: what it collected (``collection_progress``), and its verdict."""

    point: CollectionPoint
    progress: Progress
    quota_groups: tuple[str, ...]  # names of the groups its quota covers, when only some
    is_behind: bool


@dataclass(frozen=True)
class Worklist:
    """A campaign's points for one surveyor, sorted by urgency, with the summary line's figures."""

    campaign: Campaign
    items: tuple[WorkItem, ...]
    days_left: int

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
    progress = collection_progress(campaign, {unit.id for point in points for unit in point.units})
    items = []
    for point in points:
        own = sum((progress.get((unit.id, point.questionnaire.id), Progress()) for unit in point.units), Progress())
        labels = tuple(quota_group_labels(own, point.questionnaire))
        items.append(WorkItem(point, own, labels, is_behind_schedule(campaign, own, today)))
    items.sort(key=lambda item: (not item.is_behind, -max(item.progress.remaining, 0)))
    return Worklist(campaign, tuple(items), max((campaign.closes_on - today).days, 0))
