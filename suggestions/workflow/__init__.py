"""The workflow: states, the one table of legal transitions, and (in ``steps``) the one way to apply them.

``states`` and ``transitions`` are pure Python and are re-exported here; ``steps``, ``deadlines`` and
``workdays`` use the database and are imported by their full names.
"""

from suggestions.workflow.states import (
    DEPARTMENT_STATUSES,
    OPEN_STATUSES,
    PUBLIC_STATUS_LABELS,
    STATUS_LABELS,
    TERMINAL_STATUSES,
    Adoption,
    Channel,
    Role,
    Satisfaction,
    Status,
    Step,
    TimeUnit,
    Urgency,
)
from suggestions.workflow.transitions import (
    RESIDENT,
    SYSTEM,
    TRANSITIONS,
    Action,
    InvalidTransition,
    NotPermitted,
    ReasonRequired,
    Transition,
    WorkflowError,
    available_actions,
    check_transition,
    transition_for,
)

__all__ = [
    "DEPARTMENT_STATUSES",
    "OPEN_STATUSES",
    "PUBLIC_STATUS_LABELS",
    "RESIDENT",
    "STATUS_LABELS",
    "SYSTEM",
    "TERMINAL_STATUSES",
    "TRANSITIONS",
    "Action",
    "Adoption",
    "Channel",
    "InvalidTransition",
    "NotPermitted",
    "ReasonRequired",
    "Role",
    "Satisfaction",
    "Status",
    "Step",
    "TimeUnit",
    "Transition",
    "Urgency",
    "WorkflowError",
    "available_actions",
    "check_transition",
    "transition_for",
]
