"""Flask-WTF forms, one per screen.  Choice lists are filled by the views from the database."""

from suggestions.forms.casework_forms import (
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
from suggestions.forms.fields import BODY_MAX, BODY_MIN, NAME_MAX, TITLE_MAX, FlaskForm
from suggestions.forms.resident import HotlineCallForm, PredictForm, PublicSuggestionForm, RateForm, TrackForm

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

from suggestions.forms.settings_forms import (  # noqa: E402
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
