"""Quota allocation and sample selection: pure Python, no Flask, no database.

METHODOLOGY.md sections 2 and 3: quotas per assessed unit and respondent group, fixed or
proportional to the frame (a minimum as a floor, or given first and the rest shared in
proportion); Slovin's sample size; substitution between sub-groups; systematic selection
from a recorded seed with a reserve list for replacements.
"""

from sampling.allocation import (
    Allocation,
    AllocationMethod,
    Stratum,
    allocate_fixed,
    allocate_minimum_then_proportional,
    allocate_proportional,
)
from sampling.sample_size import slovin_sample_size
from sampling.selection import Selection, select_stratified, select_systematic, stratum_seed
from sampling.substitution import Substitution, fill_quota

__all__ = [
    "Allocation",
    "AllocationMethod",
    "Selection",
    "Stratum",
    "Substitution",
    "allocate_fixed",
    "allocate_minimum_then_proportional",
    "allocate_proportional",
    "fill_quota",
    "select_stratified",
    "select_systematic",
    "slovin_sample_size",
    "stratum_seed",
]
