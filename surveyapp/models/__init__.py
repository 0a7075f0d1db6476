"""The database models, one module per aggregate."""

from surveyapp.models.audit import AuditAction, AuditEntry
from surveyapp.models.calling_systems import CallingSystem, ReceiptLink
from surveyapp.models.campaigns import Campaign, CampaignPurpose, CampaignStatus
from surveyapp.models.criteria import AssessmentRound, CriteriaSetVersion, RoundStage
from surveyapp.models.evidence import EvidenceFile
from surveyapp.models.frames import FrameContact, FrameRecord, Replacement, SampleEntry, SampleStatus, SpentLink
from surveyapp.models.held import DeskDevice, HeldForm, QuickRating
from surveyapp.models.index_points import EnteredPoints
from surveyapp.models.limits import LimitCount
from surveyapp.models.paper_forms import PaperBatch, SpentSerial
from surveyapp.models.publications import Publication, PublicationSubject, PublishedVersionChanged
from surveyapp.models.questionnaires import Questionnaire
from surveyapp.models.quotas import ANY_GROUP, QuotaCell, QuotaPolicy
from surveyapp.models.responses import Response, ResponseMode, SubmissionReceipt
from surveyapp.models.scores import AppraisedScore
from surveyapp.models.self_assessments import (
    AppraisalScore,
    AppraiserAssignment,
    Explanation,
    Reappraisal,
    SelfAssessment,
    SelfAssessmentStatus,
    SelfScore,
)
from surveyapp.models.units import Unit
from surveyapp.models.users import User, UserRole

__all__ = [
    "ANY_GROUP",
    "AppraisalScore",
    "AppraisedScore",
    "AppraiserAssignment",
    "AssessmentRound",
    "AuditAction",
    "AuditEntry",
    "CallingSystem",
    "Campaign",
    "CampaignPurpose",
    "CampaignStatus",
    "CriteriaSetVersion",
    "DeskDevice",
    "EnteredPoints",
    "EvidenceFile",
    "Explanation",
    "FrameContact",
    "FrameRecord",
    "HeldForm",
    "LimitCount",
    "PaperBatch",
    "Publication",
    "PublicationSubject",
    "PublishedVersionChanged",
    "Questionnaire",
    "QuickRating",
    "QuotaCell",
    "QuotaPolicy",
    "Reappraisal",
    "ReceiptLink",
    "Replacement",
    "Response",
    "ResponseMode",
    "RoundStage",
    "SampleEntry",
    "SampleStatus",
    "SelfAssessment",
    "SelfAssessmentStatus",
    "SelfScore",
    "SpentLink",
    "SpentSerial",
    "SubmissionReceipt",
    "Unit",
    "User",
    "UserRole",
]
