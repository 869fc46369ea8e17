"""Flask-WTF forms, one per screen.  Choice lists are filled by the views from the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_wtf import FlaskForm as _FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from suggestions import clock
from suggestions.privacy import is_mobile, normalize_phone

BODY_MIN, BODY_MAX = 10, 2000
TITLE_MAX = 50
NAME_MAX = 20


class FlaskForm(_FlaskForm):
    """Base form whose built-in validator messages are in Simplified Chinese."""

    class Meta(_FlaskForm.Meta):
        locales = ("zh",)

        def get_translations(self, form):
            # Use WTForms' own zh catalogue; Flask-Babel is not part of the stack.
            return DefaultMeta.get_translations(self, form)


def strip(value):
    return value.strip() if isinstance(value, str) else value


def _coerce_optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class IdSelectField(SelectField):
    """A select of database ids whose placeholder choice (None) renders as an empty value."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", _coerce_optional_int)
        kwargs.setdefault("invalid_value_message", "请从列表中选择。")
        kwargs.setdefault("invalid_choice_message", "请从列表中选择。")
        super().__init__(label, validators, **kwargs)

    def iter_choices(self):
        return [choice._replace(value="") if choice.value is None else choice for choice in super().iter_choices()]


class ChineseLength(Length):
    """Length with a message that names the field's own limits in Chinese."""

    def __init__(self, min=-1, max=-1, label=""):
        if min > 0 and max > 0:
            message = f"{label}应为 {min}–{max} 个字，当前 %(length)d 个字。"
        elif max > 0:
            message = f"{label}最多 {max} 个字，当前 %(length)d 个字。"
        else:
            message = f"{label}至少 {min} 个字。"
        super().__init__(min=min, max=max, message=message)

    def __call__(self, form, field):
        length = len(field.data or "")
        if length < self.min or (self.max != -1 and length > self.max):
            raise ValidationError(self.message % {"length": length})


def validate_mobile(form, field):
    if not field.data:
        return
    phone = normalize_phone(field.data)
    if not is_mobile(phone):
        raise ValidationError("请填写11位中国大陆手机号码，例如 13812345678。")
    field.data = phone


class CallTimeField(StringField):
    """A call time typed as text, in Beijing time; one tab stop, unlike datetime-local.

    Accepts ``2026-11-20 09:30``, ``11-20 09:30`` or just ``09:30`` (today).
    ``data`` is a naive local datetime.
    """

    FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M", "%m-%d %H:%M", "%H:%M")

    def __init__(self, label=None, validators=None, *, now=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self._now = now

    def _value(self):
        if isinstance(self.data, datetime):
            return self.data.strftime("%Y-%m-%d %H:%M")
        return self.raw_data[0] if self.raw_data else ""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = (valuelist[0] or "").strip()
        if not text:
            self.data = None
            return
        today = self._now().date()
        for pattern in self.FORMATS:
            try:
                parsed = datetime.strptime(text, pattern)
            except ValueError:
                continue
            if pattern == "%H:%M":
                parsed = datetime.combine(today, parsed.time())
            elif "%Y" not in pattern:
                parsed = parsed.replace(year=today.year)
            self.data = parsed
            return
        self.data = None
        raise ValueError("来电时间格式应为 2026-11-20 09:30，或只填时间 09:30。")

    def pre_validate(self, form):
        if isinstance(self.data, datetime) and self.data > self._now() + timedelta(minutes=5):
            raise ValidationError("来电时间不能晚于现在。")


def _local_now() -> datetime:
    return clock.local(clock.now()).replace(tzinfo=None)


class PublicSuggestionForm(FlaskForm):
    title = StringField("标题", filters=[strip], validators=[Optional(), ChineseLength(max=TITLE_MAX, label="标题")])
    body = TextAreaField(
        "建议内容",
        filters=[strip],
        validators=[DataRequired("请填写建议内容。"), ChineseLength(BODY_MIN, BODY_MAX, label="建议内容")],
    )
    district = IdSelectField("所在区", validators=[InputRequired("请选择所在区。")])
    topic = SelectField("建议领域（选填）", validators=[Optional()], invalid_choice_message="请从列表中选择。")
    contact_name = StringField(
        "称呼（选填）", filters=[strip], validators=[Optional(), ChineseLength(max=NAME_MAX, label="称呼")]
    )
    phone = StringField("手机号码（选填）", filters=[strip], validators=[Optional(), validate_mobile])
    consent = BooleanField(
        "我已阅读并同意《个人信息保护说明》", validators=[DataRequired("请阅读并同意个人信息保护说明后再提交。")]
    )
    idempotency_key = HiddenField()

    def validate_district(self, field):
        if field.data is None:
            raise ValidationError("请选择所在区。")


class HotlineCallForm(FlaskForm):
    phone = StringField("来电号码", filters=[strip], validators=[DataRequired("请填写来电号码。"), validate_mobile])
    district = IdSelectField("所在区", validators=[InputRequired("请选择所在区。")])
    body = TextAreaField(
        "来电内容",
        filters=[strip],
        validators=[DataRequired("请填写来电内容。"), ChineseLength(BODY_MIN, BODY_MAX, label="来电内容")],
    )
    title = StringField(
        "标题（选填）", filters=[strip], validators=[Optional(), ChineseLength(max=TITLE_MAX, label="标题")]
    )
    called_at = CallTimeField("来电时间", validators=[InputRequired("请填写来电时间。")], now=_local_now)
    contact_name = StringField(
        "来电人称呼（选填）", filters=[strip], validators=[Optional(), ChineseLength(max=NAME_MAX, label="称呼")]
    )
    notice_read = BooleanField(
        "已向来电人宣读个人信息保护告知", validators=[DataRequired("请先向来电人宣读个人信息保护告知。")]
    )
    category = IdSelectField("类别")
    department = SelectField("承办部门", invalid_choice_message="请从列表中选择。")
    idempotency_key = HiddenField()

    def validate_district(self, field):
        if field.data is None:
            raise ValidationError("请选择所在区。")


class PredictForm(FlaskForm):
    """The live route preview on the hotline form posts only the text."""

    title = StringField(filters=[strip], validators=[Optional(), Length(max=TITLE_MAX)])
    body = TextAreaField(filters=[strip], validators=[DataRequired(), Length(max=BODY_MAX)])


class TrackForm(FlaskForm):
    code = StringField("追踪码", filters=[strip], validators=[DataRequired("请填写追踪码。"), Length(max=32)])
    credential = StringField(
        "手机号后四位或查询密钥",
        filters=[strip],
        validators=[DataRequired("请填写手机号后四位或查询密钥。"), Length(max=32)],
    )


class DispatchForm(FlaskForm):
    department = IdSelectField("承办部门", validators=[InputRequired("请选择承办部门。")])
    category = IdSelectField("类别", validators=[Optional()])
    reason = StringField("说明", filters=[strip], validators=[Optional(), Length(max=500)])

    def validate_department(self, field):
        if field.data is None:
            raise ValidationError("请选择承办部门。")


class CategoryRouteForm(FlaskForm):
    department = IdSelectField("承办部门", validators=[Optional()])


class LoginForm(FlaskForm):
    username = StringField("账号", filters=[strip], validators=[DataRequired("请填写账号。"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请填写密码。"), Length(max=128)])
