"""Forms staff use on queues and on the suggestion page."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from suggestions.casework.department import placeholder_message, unfilled_placeholders
from suggestions.forms.fields import BODY_MAX, BoundedDateField, FlaskForm, FreeTextField, IdSelectField, options, strip
from suggestions.models.reference import HANDLER_TYPES
from suggestions.workflow import Adoption, Satisfaction, Urgency

REASON_MAX = 500


class LoginForm(FlaskForm):
    username = StringField("账号", filters=[strip], validators=[DataRequired("请填写账号。"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请填写密码。"), Length(max=128)])


class ActionForm(FlaskForm):
    """An action with nothing to fill in; ``queue`` says where "next in queue" continues."""

    queue = HiddenField()


class ReasonForm(ActionForm):
    reason = FreeTextField("原因", called="原因", max_length=REASON_MAX, required="请填写原因。")


class OptionalReasonForm(ActionForm):
    reason = FreeTextField("说明（选填）", called="说明", max_length=REASON_MAX)


def template_filled_in(form, field):
    """Say at the field what a reply template still asks the officer to write in."""
    left = unfilled_placeholders(field.data)
    if left:
        raise ValidationError(placeholder_message(left))


class ReplyForm(ActionForm):
    body = FreeTextField(
        "答复内容",
        called="答复内容",
        min_length=10,
        max_length=BODY_MAX,
        required="请填写答复内容。",
        landlines=False,  # the department's office number, for the resident to call
        validators=[template_filled_in],
    )


class NoteForm(ActionForm):
    body = FreeTextField("内部备注", called="备注", max_length=BODY_MAX, required="请填写备注内容。")


class ExtensionForm(ReasonForm):
    working_days = IntegerField(
        "延期工作日",
        validators=[
            InputRequired("请填写延期天数。"),
            NumberRange(1, 15, "延期天数应为 1–15 个工作日。"),
        ],
    )


class DispatchForm(ActionForm):
    department = IdSelectField("承办部门", validators=[InputRequired("请选择承办部门。")])
    category = IdSelectField("类别", validators=[Optional()])
    urgency = SelectField(
        "紧急程度",
        choices=options([("", "不变")] + [(u.value, u.label) for u in Urgency]),
        validators=[Optional()],
    )
    reason = FreeTextField("说明", called="说明", max_length=REASON_MAX, single_line=True)

    def validate_department(self, field):
        if field.data is None:
            raise ValidationError("请选择承办部门。")


class AssignForm(ActionForm):
    assignee = IdSelectField("指派给", validators=[InputRequired("请选择承办人。")])

    def validate_assignee(self, field):
        if field.data is None:
            raise ValidationError("请选择承办人。")


class CorrectRouteForm(ReasonForm):
    category = IdSelectField("正确的类别", validators=[Optional()])
    department = IdSelectField("正确的承办部门（选填）", validators=[Optional()])
    domain = IdSelectField("正确的领域", validators=[Optional()])

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if self.category.data is None and self.department.data is None and self.domain.data is None:
            self.category.errors.append("请至少选择正确的类别、承办部门或领域中的一项。")
            return False
        return True


class MergeForm(ReasonForm):
    master_code = StringField(
        "并入的主件追踪码", filters=[strip], validators=[DataRequired("请填写主件追踪码。"), Length(max=32)]
    )
    # Set only by the confirmation page, which shows both items side by side: a merge is never one click.
    confirmed = HiddenField()


class CallbackForm(ActionForm):
    outcome = RadioField(
        "回访结果",
        choices=options([(s.value, s.label) for s in Satisfaction]),
        validators=[InputRequired("请选择回访结果。")],
    )
    note = FreeTextField("回访记录", called="回访记录", max_length=REASON_MAX)


class AdoptionForm(ActionForm):
    outcome = RadioField(
        "采纳评估",
        choices=options([(a.value, a.label) for a in Adoption]),
        validators=[InputRequired("请选择评估结果。")],
    )
    project = IdSelectField("对应的民心工程项目", validators=[Optional()])
    reason = FreeTextField("说明（将告知市民）", called="说明", max_length=REASON_MAX)
    publish = BooleanField("在项目公开页公示以下标题和摘要（已确认不含姓名、电话、住址等个人信息）")
    # Refused by the adoption service when they hold a personal number, never masked behind the dispatcher's back.
    public_title = FreeTextField("公示标题", called="公示标题", max_length=50, mask=False, single_line=True)
    public_excerpt = FreeTextField("公示摘要", called="公示摘要", max_length=200, mask=False)


class BulkForm(FlaskForm):
    """Bulk sign-for or assignment on a queue page."""

    ids = SelectMultipleField("选择的工单", coerce=int, validate_choice=False)
    operation = SelectField("批量操作", choices=options([("sign", "批量签收"), ("assign", "批量指派")]))
    assignee = IdSelectField("指派给", validators=[Optional()])

    def validate_ids(self, field):
        if not field.data:
            raise ValidationError("请先勾选工单。")
        if any(not 0 < item < 2**53 for item in field.data):
            raise ValidationError("工单编号不正确。")
        if len(field.data) > 100:
            raise ValidationError("一次最多处理 100 件工单。")


class QueueFilterForm(FlaskForm):
    """Filters on a queue page; read from the query string, so no CSRF token."""

    class Meta(FlaskForm.Meta):
        csrf = False

    q = StringField("搜索", filters=[strip], validators=[Optional(), Length(max=50)])
    # A phone search travels as the number's keyed hash, never as the number (see views.triage.lists).
    caller = HiddenField(
        validators=[Optional(), Regexp(r"^[0-9a-f]{64}$", message="来电号码查找条件无效，请重新输入号码。")]
    )
    status = SelectField("状态", validators=[Optional()])
    deadline = SelectField(
        "时限", choices=options([("", "全部"), ("overdue", "超期"), ("due_soon", "即将超期")]), validators=[Optional()]
    )
    category = IdSelectField("类别", validators=[Optional()])
    district = IdSelectField("所在区", validators=[Optional()])
    channel = SelectField("渠道", validators=[Optional()])
    year = IdSelectField("征集年度", validators=[Optional()])
    domain = SelectField("领域", validators=[Optional()])
    assignee = SelectField("承办人", validators=[Optional()])
    department = IdSelectField("承办部门", validators=[Optional()])
    received_from = BoundedDateField("受理日期从", validators=[Optional()])
    received_to = BoundedDateField("至", validators=[Optional()])
    sort = SelectField(
        "排序",
        choices=options(
            [("received", "受理时间（早→晚）"), ("-received", "受理时间（晚→早）"), ("due", "到期时间（近→远）")]
        ),
        validators=[Optional()],
    )


# Why someone needs a resident's personal data; "其他" needs a real explanation.
REVEAL_PURPOSES = (
    ("callback", "回访市民"),
    ("contact", "办理中需要联系市民核实情况"),
    ("repeat_caller", "核实重复来电"),
    ("other", "其他（请说明）"),
)
REVEAL_OTHER_MIN = 10


class RevealForm(ActionForm):
    purpose = SelectField(
        "查看原因", choices=options((("", "请选择"),) + REVEAL_PURPOSES), validators=[DataRequired("请选择查看原因。")]
    )
    reason = FreeTextField("补充说明", called="补充说明", max_length=REASON_MAX)

    def validate_purpose(self, field):
        if field.data not in dict(REVEAL_PURPOSES):
            raise ValidationError("请选择查看原因。")

    def validate_reason(self, field):
        if self.purpose.data == "other" and len(field.data or "") < REVEAL_OTHER_MIN:
            raise ValidationError(f"选择“其他”时，请具体说明查看原因（至少 {REVEAL_OTHER_MIN} 个字）。")

    def stated_reason(self) -> str:
        """The reason as the audit log keeps it: the chosen purpose, and the explanation if any."""
        label = dict(REVEAL_PURPOSES)[self.purpose.data]
        return f"{label}：{self.reason.data}" if self.reason.data else label


class CategoryRouteForm(FlaskForm):
    department = IdSelectField("承办部门", validators=[Optional()])


class DepartmentTypeForm(FlaskForm):
    handler_type = SelectField(
        "承办类型",
        choices=options((t, t) for t in HANDLER_TYPES),
        validators=[DataRequired(message="请选择承办类型。")],
    )
