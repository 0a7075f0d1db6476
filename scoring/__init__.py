"""The aggregator: SIPAS indices and PAR survey points from responses, pure pandas.

METHODOLOGY.md sections 5 and 6. The input layout is documented in ``scoring.schema``; the
settings come from a questionnaire definition (``scoring.settings``) and are recorded with
every result. Nothing here imports Flask or the database.
"""

from scoring.par import ParResult, classify, compute_par, rank_units
from scoring.ranking import Unranked, competition_ranks, rank_within_groups
from scoring.schema import SLICE_COLUMNS, SchemaError
from scoring.settings import ConflictingSettings, ParSettings, SipasSettings, par_settings, sipas_settings
from scoring.sipas import SipasResult, compute_sipas, sipas_points

__all__ = [
    "SLICE_COLUMNS",
    "ConflictingSettings",
    "ParResult",
    "ParSettings",
    "SchemaError",
    "SipasResult",
    "SipasSettings",
    "Unranked",
    "classify",
    "competition_ranks",
    "compute_par",
    "compute_sipas",
    "par_settings",
    "rank_units",
    "rank_within_groups",
    "sipas_points",
    "sipas_settings",
]
