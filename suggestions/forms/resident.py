"""Forms residents and operators fill in."""

from __future__ import annotations

from datetime import datetime, timedelta

from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from suggestions import clock
from suggestions.forms.fields import (
    BODY_MAX,
    BODY_MIN,
    FIRST_DATE,
    NAME_MAX,
    TITLE_MAX,
    FlaskForm,
    FreeTextField,
    IdSelectField,
    has_words,
    options,
    strip,
    validate_callback_number,
    validate_mobile,
)
from suggestions.workflow import Urgency


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
        if not isinstance(self.data, datetime):
            return
        if self.data > self._now() + timedelta(minutes=5):
            raise ValidationError("来电时间不能晚于现在。")
        # A year like 0001 is a typo (and cannot even be converted to UTC): the same bounds as every date field.
        if self.data.date() < FIRST_DATE:
            raise ValidationError(f"来电时间不能早于 {FIRST_DATE:%Y-%m-%d}，请核对日期。")


def _local_now() -> datetime:
    return clock.local(clock.now()).replace(tzinfo=None)


class PublicSuggestionForm(FlaskForm):
    title = FreeTextField("标题", called="标题", max_length=TITLE_MAX, mask=False, single_line=True)
    body = FreeTextField(
        "建议内容",
        called="建议内容",
        min_length=BODY_MIN,
        max_length=BODY_MAX,
        required="请填写建议内容。",
        mask=False,
        validators=[has_words(5)],
    )
    district = IdSelectField("所在区", validators=[InputRequired("请选择所在区。")])
    domain = IdSelectField("建议领域（选填）", validators=[Optional()])
    contact_name = FreeTextField("称呼（选填）", called="称呼", max_length=NAME_MAX, single_line=True)
    phone = StringField("手机号码（选填）", filters=[strip], validators=[Optional(), validate_mobile])
    confidential = BooleanField("保密处理：承办部门看不到我的称呼和电话，只由12345热线回访")
    consent = BooleanField(
        "我已阅读并同意《个人信息保护说明》", validators=[DataRequired("请阅读并同意个人信息保护说明后再提交。")]
    )
    idempotency_key = HiddenField()
    # 「我也有同样的建议」: the id of the earlier idea the resident supports; set by the similar-ideas panel.
    supports = HiddenField(filters=[strip], validators=[Optional(), Length(max=16)])
    # A field people never see; software that fills every field gives itself away.
    website = StringField("网址（请勿填写）", validators=[Optional()])

    def validate_website(self, field):
        if field.data:
            raise ValidationError("提交未通过安全检查，请刷新页面后重试。")

    def validate_district(self, field):
        if field.data is None:
            raise ValidationError("请选择所在区。")


class HotlineCallForm(FlaskForm):
    # Checked in validate_phone: 不愿留号 decides whether a number is needed at all.
    phone = StringField("来电号码", filters=[strip])
    phone_withheld = BooleanField("来电人不愿留号（无法回访，答复只在网上查询）")
    district = IdSelectField("所在区", validators=[InputRequired("请选择所在区。")])
    body = FreeTextField(
        "来电内容",
        called="来电内容",
        min_length=BODY_MIN,
        max_length=BODY_MAX,
        required="请填写来电内容。",
        mask=False,
        validators=[has_words(5)],
    )
    title = FreeTextField("标题（选填）", called="标题", max_length=TITLE_MAX, mask=False, single_line=True)
    called_at = CallTimeField("来电时间", validators=[InputRequired("请填写来电时间。")], now=_local_now)
    contact_name = FreeTextField("来电人称呼（选填）", called="称呼", max_length=NAME_MAX, single_line=True)
    confidential = BooleanField("来电人要求保密（承办部门看不到其身份）")
    urgency = SelectField(
        "紧急程度", choices=options([(u.value, u.label) for u in Urgency]), default=Urgency.GENERAL.value
    )
    notice_read = BooleanField(
        "已向来电人宣读个人信息保护告知", validators=[DataRequired("请先向来电人宣读个人信息保护告知。")]
    )
    domain = IdSelectField("建议领域", validators=[Optional()])
    category = IdSelectField("类别")
    department = SelectField("承办部门", invalid_choice_message="请从列表中选择。")
    idempotency_key = HiddenField()

    def validate_district(self, field):
        if field.data is None:
            raise ValidationError("请选择所在区。")

    def validate_phone(self, field):
        if self.phone_withheld.data:
            field.data = ""  # a number typed before the caller declined is not stored
        elif not field.data:
            raise ValidationError("请填写来电号码；来电人不愿留号的，请勾选「来电人不愿留号」。")
        else:
            validate_callback_number(self, field)


class PredictForm(FlaskForm):
    """The live route preview on the hotline form posts the text (and the caller's number, if typed)."""

    title = StringField(filters=[strip], validators=[Optional(), Length(max=TITLE_MAX)])
    body = TextAreaField(filters=[strip], validators=[DataRequired(), Length(max=BODY_MAX)])
    phone = StringField(filters=[strip], validators=[Optional(), Length(max=20)])
    district = IdSelectField(validators=[Optional()])


class TrackForm(FlaskForm):
    code = StringField("追踪码", filters=[strip], validators=[DataRequired("请填写追踪码。"), Length(max=32)])
    credential = StringField(
        "手机号码或查询密钥",
        filters=[strip],
        validators=[DataRequired("请填写您留下的手机号码或查询密钥。"), Length(max=32)],
    )


class RateForm(FlaskForm):
    rating = RadioField(
        "您对答复的评价",
        choices=options([("satisfied", "满意"), ("basically_satisfied", "基本满意"), ("dissatisfied", "不满意")]),
        validators=[InputRequired("请选择评价。")],
    )
    comment = FreeTextField("意见（选填）", called="意见", max_length=200)
