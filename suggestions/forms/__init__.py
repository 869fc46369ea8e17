"""Flask-WTF forms, one per screen.  Choice lists are filled by the views from the database."""

from suggestions.forms.base import BODY_MAX, BODY_MIN, NAME_MAX, TITLE_MAX, FlaskForm
from suggestions.forms.intake import HotlineCallForm, PredictForm, PublicSuggestionForm, RateForm, TrackForm
from suggestions.forms.staff import (
    ActionForm,
    AdoptionForm,
    AssignForm,
    BulkForm,
    CallbackForm,
    CategoryRouteForm,
    CorrectRouteForm,
    DepartmentTypeForm,
    DispatchForm,
    ExtensionForm,
    LoginForm,
    MergeForm,
    NoteForm,
    OptionalReasonForm,
    QueueFilterForm,
    ReasonForm,
    ReplyForm,
    RevealForm,
)

__all__ = [
    "BODY_MAX",
    "BODY_MIN",
    "NAME_MAX",
    "TITLE_MAX",
    "ActionForm",
    "AdoptionForm",
    "AssignForm",
    "BulkForm",
    "CallbackForm",
    "CategoryRouteForm",
    "CorrectRouteForm",
    "DepartmentTypeForm",
    "DispatchForm",
    "ExtensionForm",
    "FlaskForm",
    "HotlineCallForm",
    "LoginForm",
    "MergeForm",
    "NoteForm",
    "OptionalReasonForm",
    "PredictForm",
    "PublicSuggestionForm",
    "RateForm",
    "QueueFilterForm",
    "ReasonForm",
    "ReplyForm",
    "RevealForm",
    "TrackForm",
]

from suggestions.forms.admin import (  # noqa: E402
    CalendarDayForm,
    CampaignForm,
    ProjectForm,
    ReplyTemplateForm,
    RoutingRuleForm,
    StaffForm,
    TimeLimitForm,
)

__all__ += [
    "CalendarDayForm",
    "CampaignForm",
    "ProjectForm",
    "ReplyTemplateForm",
    "RoutingRuleForm",
    "StaffForm",
    "TimeLimitForm",
]
