"""Forms of the /hot page: staff decisions on a hot issue."""

from __future__ import annotations

from wtforms.validators import InputRequired

from suggestions.forms.casework_forms import OptionalReasonForm, ReasonForm
from suggestions.forms.fields import IdSelectField


class LinkProjectForm(OptionalReasonForm):
    project = IdSelectField("民心工程项目", validators=[InputRequired("请选择项目。")])


class MergeAllForm(ReasonForm):
    master = IdSelectField("主件（其余在办建议并入这一件）", validators=[InputRequired("请选择主件。")])
