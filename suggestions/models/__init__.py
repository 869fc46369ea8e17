"""Database models, one module per area; import them from here."""

from suggestions.models.base import UTCDateTime, utcnow
from suggestions.models.reference import Campaign, Category, Department, District
from suggestions.models.staff import StaffUser
from suggestions.models.suggestion import Reply, Suggestion, SuggestionEvent

__all__ = [
    "Campaign",
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
