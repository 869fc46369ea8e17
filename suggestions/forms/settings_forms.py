"""Forms of the administration pages."""

from __future__ import annotations

from datetime import timedelta

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from suggestions.forms.fields import (
    BODY_MAX,
    BoundedDateField,
    FlaskForm,
    FreeTextField,
    IdSelectField,
    clean_text,
    options,
    strip,
)
from suggestions.workflow import PARTNER_CHANNELS, ProjectStatus, Role, Status, Step, TimeUnit, Urgency


class TimeLimitForm(FlaskForm):
    step = SelectField("环节", choices=options([(s.value, s.label) for s in Step]))
    category = IdSelectField("类别", validators=[Optional()])
    urgency = SelectField(
        "紧急程度", validators=[Optional()], choices=options([("", "全部")] + [(u.value, u.label) for u in Urgency])
    )
    amount = IntegerField("时限", validators=[InputRequired("请填写时限。"), NumberRange(1, 10000, "时限应为正整数。")])
    unit = SelectField("单位", choices=options([(u.value, u.label) for u in TimeUnit]))


CALENDAR_RANGE_MAX_DAYS = 31


class CalendarDayForm(FlaskForm):
    """One date, or a range of dates entered at once (a whole holiday, as the State Council's notice gives it)."""

    day = BoundedDateField("日期（起）", validators=[InputRequired("请选择日期。")])
    until = BoundedDateField("至（选填，录入连续多天）", validators=[Optional()])
    is_workday = SelectField("类型", choices=options([("0", "放假（非工作日）"), ("1", "调休上班（工作日）")]))
    note = StringField("说明", filters=[strip], validators=[Optional(), Length(max=64), clean_text])

    def validate_until(self, field):
        if field.data is None or self.day.data is None:
            return
        if field.data < self.day.data:
            raise ValidationError("结束日期不能早于开始日期。")
        if (field.data - self.day.data).days >= CALENDAR_RANGE_MAX_DAYS:
            raise ValidationError(f"一次最多录入 {CALENDAR_RANGE_MAX_DAYS} 天。")

    def days(self) -> list:
        last = self.until.data or self.day.data
        return [self.day.data + timedelta(days=n) for n in range((last - self.day.data).days + 1)]


class ReplyTemplateForm(FlaskForm):
    name = StringField(
        "模板名称", filters=[strip], validators=[DataRequired("请填写模板名称。"), Length(max=64), clean_text]
    )
    category = IdSelectField("适用类别", validators=[Optional()])
    status = SelectField(
        "适用状态", validators=[Optional()], choices=options([("", "全部")] + [(s.value, s.label) for s in Status])
    )
    # Unmasked: a template quotes the department's numbers, and an officer fills in the rest.
    body = FreeTextField("模板内容", called="模板内容", max_length=BODY_MAX, required="请填写模板内容。", mask=False)
    is_active = BooleanField("启用", default=True)


class CampaignForm(FlaskForm):
    year = IntegerField("年度", validators=[InputRequired("请填写年度。"), NumberRange(2000, 2100, "年度不正确。")])
    name = StringField("名称", filters=[strip], validators=[DataRequired("请填写名称。"), Length(max=128), clean_text])
    opens_on = BoundedDateField("开始日期", validators=[InputRequired("请选择开始日期。")])
    closes_on = BoundedDateField("截止日期", validators=[InputRequired("请选择截止日期。")])
    copy_from = IdSelectField("征集领域", validators=[Optional()])

    def validate_closes_on(self, field):
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError("截止日期不能早于开始日期。")


class DomainForm(FlaskForm):
    name = StringField(
        "领域名称", filters=[strip], validators=[DataRequired("请填写领域名称。"), Length(max=32), clean_text]
    )
    default_department = IdSelectField("默认承办部门（选填）", validators=[Optional()])
    keywords = StringField("关键词（选填）", filters=[strip], validators=[Length(max=500)])
    excludes = StringField("排除词（选填）", filters=[strip], validators=[Length(max=500)])
    handler_types = StringField("对应的承办类型（选填）", filters=[strip], validators=[Length(max=200)])
    categories = StringField("对应的类别（选填）", filters=[strip], validators=[Length(max=200)])


class CopyDomainsForm(FlaskForm):
    source = IdSelectField("复制哪一年的领域", validators=[InputRequired("请选择年度。")])

    def validate_source(self, field):
        if field.data is None:
            raise ValidationError("请选择年度。")


class ProjectForm(FlaskForm):
    campaign = IdSelectField("征集活动", validators=[InputRequired("请选择征集活动。")])
    year = IntegerField(
        "项目年度（民心工程年度）", validators=[InputRequired("请填写年度。"), NumberRange(2000, 2100, "年度不正确。")]
    )
    number = IntegerField("序号", validators=[InputRequired("请填写序号。"), NumberRange(1, 99, "序号应为 1–99。")])
    title = StringField(
        "项目名称", filters=[strip], validators=[DataRequired("请填写项目名称。"), Length(max=128), clean_text]
    )
    domain = IdSelectField("领域", validators=[Optional()])
    lead_department = IdSelectField("牵头部门", validators=[Optional()])
    co_departments = SelectMultipleField("配合部门（可多选）", coerce=int, validators=[Optional()])
    status = SelectField("状态", choices=options([(s.value, s.label) for s in ProjectStatus]))
    summary = FreeTextField("项目简介（公开）", called="项目简介", max_length=BODY_MAX, landlines=False)

    def validate_campaign(self, field):
        if field.data is None:
            raise ValidationError("请选择征集活动。")


class MilestoneForm(FlaskForm):
    due_on = BoundedDateField("计划日期", validators=[InputRequired("请选择计划日期。")])
    title = StringField(
        "节点", filters=[strip], validators=[DataRequired("请填写节点名称。"), Length(max=128), clean_text]
    )
    progress_note = FreeTextField("进展说明（公开）", called="进展说明", max_length=BODY_MAX, landlines=False)
    done_on = BoundedDateField("完成日期（未完成不填）", validators=[Optional()])


class PosterForm(FlaskForm):
    location = StringField(
        "张贴地点", filters=[strip], validators=[DataRequired("请填写张贴地点。"), Length(max=100), clean_text]
    )
    district = IdSelectField("所在区（扫码后预先选好）", validators=[Optional()])


class ApiKeyForm(FlaskForm):
    channel = SelectField("合作渠道", choices=options([(c.value, c.partner_label) for c in PARTNER_CHANNELS]))
    name = StringField(
        "用途说明",
        filters=[strip],
        validators=[DataRequired("请填写密钥用途，例如“天津政务网专题页”。"), Length(max=64)],
    )
    per_minute = IntegerField(
        "每分钟最多提交次数",
        default=60,
        validators=[InputRequired("请填写每分钟最多提交次数。"), NumberRange(1, 10000, "应为 1–10000 之间的整数。")],
    )


class StaffForm(FlaskForm):
    username = StringField(
        "登录账号",
        filters=[strip],
        validators=[
            DataRequired("请填写登录账号。"),
            Length(3, 64, "账号应为 3–64 个字符。"),
            Regexp(r"^[A-Za-z0-9_.-]+$", message="账号只能包含字母、数字、下划线、点和连字符。"),
        ],
    )
    display_name = StringField(
        "姓名", filters=[strip], validators=[DataRequired("请填写姓名。"), Length(max=64), clean_text]
    )
    role = SelectField("角色", choices=options([(r.value, r.label) for r in Role]))
    department = IdSelectField("所属部门", validators=[Optional()])
    password = PasswordField(
        "初始密码", validators=[DataRequired("请设置初始密码。"), Length(10, 128, "密码至少 10 位。")]
    )

    def validate_department(self, field):
        if self.role.data == Role.OFFICER and field.data is None:
            raise ValidationError("部门承办人必须选择所属部门。")


class StaffEditForm(FlaskForm):
    """An administrator's changes to an account: name, role and department (the login name stays)."""

    display_name = StaffForm.display_name
    role = StaffForm.role
    department = StaffForm.department
    validate_department = StaffForm.validate_department


class PasswordResetForm(FlaskForm):
    """A new password an administrator sets for someone who forgot theirs; every session of the account ends."""

    password = PasswordField("新密码", validators=[DataRequired("请填写新密码。"), Length(10, 128, "密码至少 10 位。")])
    confirm = PasswordField("再次输入新密码", validators=[DataRequired("请再次输入新密码。")])

    def validate_confirm(self, field):
        if field.data != self.password.data:
            raise ValidationError("两次输入的密码不一致。")


class ConfirmForm(FlaskForm):
    """A second, explicit step before an action that is hard to undo (停用 an account)."""

    # No default: a form posted without the confirmation page's field is refused.
    confirmed = HiddenField()

    def validate_confirmed(self, field):
        if field.data != "yes":
            raise ValidationError("请在确认页面确认后再操作。")


class RoutingRuleForm(FlaskForm):
    name = StringField(
        "规则名称", filters=[strip], validators=[DataRequired("请填写规则名称。"), Length(max=64), clean_text]
    )
    keywords = StringField(
        "关键词（用顿号分隔，提到任意一个即匹配）",
        filters=[strip],
        validators=[DataRequired("请填写至少一个关键词。"), Length(max=500)],
    )
    excludes = StringField(
        "排除词（选填，如：养老金）", filters=[strip], validators=[Optional(), Length(max=500), clean_text]
    )
    department = IdSelectField("派往部门", validators=[InputRequired("请选择部门。")])
    category = IdSelectField("仅限类别（选填）", validators=[Optional()])
    priority = IntegerField("优先级（数字小的优先）", default=100, validators=[InputRequired(), NumberRange(0, 10000)])
    is_active = BooleanField("启用", default=True)

    def validate_department(self, field):
        if field.data is None:
            raise ValidationError("请选择部门。")


class ImportUploadForm(FlaskForm):
    """The admin's upload of a 12345 work-order export."""

    file = FileField(
        "工单文件（.csv 或 .xlsx）",
        validators=[
            FileRequired("请选择要导入的文件。"),
            FileAllowed(["csv", "xlsx"], "只能导入 .csv 或 .xlsx 文件。"),
        ],
    )
    dry_run = BooleanField("只检查，不导入（报告将新增多少件、跳过多少件、哪些行有误）")
