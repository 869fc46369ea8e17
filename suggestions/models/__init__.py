"""Database models, one module per area; import them from here."""

from suggestions.models.account import StaffUser
from suggestions.models.base import UTCDateTime, split_words, utcnow
from suggestions.models.campaign import Campaign, CampaignDomain, Project, ProjectMilestone, QrPoster
from suggestions.models.hotissue import HOT_ISSUE_ACTIONS, HotIssue, HotIssueEvent, HotIssueMember
from suggestions.models.importjob import IMPORT_STATES, ImportJob
from suggestions.models.modelversion import MODEL_STATES, ModelVersion
from suggestions.models.notification import NOTIFICATION_MEDIA, NOTIFICATION_STATES, Notification
from suggestions.models.partner import ApiKey
from suggestions.models.ratelimit import RateCounter
from suggestions.models.reference import (
    HANDLER_TYPES,
    LOCAL_GOVERNMENT,
    AuditEntry,
    CalendarDay,
    Category,
    Department,
    District,
    ReplyTemplate,
    RoutingRule,
    TimeLimit,
)
from suggestions.models.suggestion import (
    ExtensionRequest,
    Note,
    Reply,
    RouteCorrection,
    Suggestion,
    SuggestionEvent,
)

__all__ = [
    "split_words",
    "ApiKey",
    "HOT_ISSUE_ACTIONS",
    "HotIssue",
    "HotIssueEvent",
    "HotIssueMember",
    "HANDLER_TYPES",
    "IMPORT_STATES",
    "ImportJob",
    "LOCAL_GOVERNMENT",
    "MODEL_STATES",
    "ModelVersion",
    "AuditEntry",
    "CalendarDay",
    "Campaign",
    "CampaignDomain",
    "NOTIFICATION_MEDIA",
    "NOTIFICATION_STATES",
    "Notification",
    "RateCounter",
    "ProjectMilestone",
    "QrPoster",
    "ExtensionRequest",
    "Note",
    "Project",
    "ReplyTemplate",
    "RouteCorrection",
    "RoutingRule",
    "TimeLimit",
    "Category",
    "Department",
    "District",
    "Reply",
    "StaffUser",
    "Suggestion",
    "SuggestionEvent",
    "UTCDateTime",
    "utcnow",
]
