"""Shared form building blocks: a Chinese-speaking base form, id selects, length and phone checks."""

from __future__ import annotations

import re
from datetime import date

from flask import request
from flask_wtf import FlaskForm as _FlaskForm
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import DateField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import TextInput

from suggestions.privacy.scrubbing import scrub_text
from suggestions.privacy.vault import is_mobile, is_phone, normalize_phone

# Long enough for a detailed suggestion pasted from a document; longer text is refused with a message, never cut.
BODY_MIN, BODY_MAX = 10, 5000
TITLE_MAX = 50
NAME_MAX = 20


class FlaskForm(_FlaskForm):
    """Base form whose built-in validator messages are in Simplified Chinese."""

    class Meta(_FlaskForm.Meta):
        locales = ("zh",)

        def get_translations(self, form):
            # Use WTForms' own zh catalogue; Flask-Babel is not part of the stack.
            return DefaultMeta.get_translations(self, form)

        def wrap_formdata(self, form, formdata):
            # These are HTML forms: a JSON body (which Flask-WTF would accept, with values of
            # any type) is treated as an empty submission and refused with the usual messages.
            if request.is_json:
                return ImmutableMultiDict()
            return super().wrap_formdata(form, formdata)


def options(pairs) -> list[SelectChoice]:
    """Declare select choices from (value, label) pairs (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


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


# Dates staff and residents can mean: anything outside is a typo (or a probe) and would overflow date arithmetic.
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2100, 12, 31)


class BoundedDateField(DateField):
    """A date between 2000 and 2100, refused in Chinese at the field otherwise (0001-01-01, 9999-12-31)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("日期格式应为 2026-11-20。") from None

    def pre_validate(self, form):
        if self.data is not None and not FIRST_DATE <= self.data <= LAST_DATE:
            raise ValidationError(f"日期应在 {FIRST_DATE:%Y-%m-%d} 至 {LAST_DATE:%Y-%m-%d} 之间。")


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
        # WTForms would render these as maxlength/minlength, and a browser silently cuts a longer paste to
        # maxlength. The page shows a counter instead and the server refuses too long a text with this message.
        self.field_flags = {}

    def __call__(self, form, field):
        length = len(field.data or "")
        if length < self.min or (self.max != -1 and length > self.max):
            raise ValidationError(self.message % {"length": length})


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")
_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|javascript\s*:", re.IGNORECASE)
_WORD = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbfA-Za-z]")


def clean_text(form, field):
    """Refuse text that cannot be stored or shown safely: control characters, undecodable bytes, markup."""
    value = field.data or ""
    name = getattr(field, "message_name", field.label.text)
    if "\ufffd" in value:
        raise ValidationError(f"{name}中有无法识别的字符，请检查输入法或重新输入。")
    if _CONTROL.search(value):
        raise ValidationError(f"{name}中有不可见的控制字符，请删除后重新提交。")
    if _MARKUP.search(value):
        raise ValidationError(f"{name}中不能包含网页代码（如 <script>），请改用文字描述。")


def has_words(minimum: int):
    """Require a few Chinese characters or letters, so a row of emoji or symbols is not a suggestion."""

    def check(form, field):
        if len(_WORD.findall(field.data or "")) < minimum:
            raise ValidationError(f"请用文字描述{field.label.text}（至少 {minimum} 个汉字或字母）。")

    return check


def validate_mobile(form, field):
    if not field.data:
        return
    phone = normalize_phone(field.data)
    if not is_mobile(phone):
        raise ValidationError("请填写11位中国大陆手机号码，例如 13812345678。")
    field.data = phone


def validate_callback_number(form, field):
    """A caller's number: a mobile, or a landline with its area code (12345 takes both)."""
    if not field.data:
        return
    phone = normalize_phone(field.data)
    if not is_phone(phone):
        if phone.isdigit() and 7 <= len(phone) <= 8:
            raise ValidationError("固定电话请加区号，例如 022-23456789。")
        raise ValidationError("请填写手机号码，或带区号的固定电话，例如 13812345678 或 022-23456789。")
    field.data = phone


class FreeTextField(TextAreaField):
    """Text a person types, under the same rules on every form: replies, notes, reasons, comments, suggestions.

    Stripped; refused with a message at the field when it holds control characters (NUL included), undecodable
    bytes or markup, or when it is empty (if ``required``) or too long; personal numbers are masked before
    anyone reads it.  ``called`` is how messages name the field (the label may say 选填).

    ``mask=False`` is for text that is masked later by its service: ``intake.submit`` masks a suggestion and seals
    the original for the campaign office, and a public excerpt is refused there rather than masked.
    ``landlines=False`` keeps landline numbers: a department's reply gives its office's number to call.
    """

    def __init__(
        self,
        label: str,
        *,
        called: str,
        max_length: int,
        min_length: int = -1,
        required: str | None = None,
        mask: bool = True,
        landlines: bool = True,
        single_line: bool = False,
        validators=(),
        **kwargs,
    ):
        filters = [strip]
        if mask:
            filters.append(lambda value: scrub_text(value, landlines=landlines) if isinstance(value, str) else value)
        rules = [
            DataRequired(required) if required else Optional(),
            ChineseLength(min_length, max_length, label=called),
            clean_text,
            *validators,
        ]
        if single_line:
            kwargs.setdefault("widget", TextInput())
        super().__init__(label, rules, filters=filters, **kwargs)
        self.message_name = called
