"""The Open311 POST of a partner system, checked with the same rules as the resident's form.

Field names are the GeoReport v2 ones (``attribute[district]`` …); labels name them, so that each error says
which parameter it is about.
"""

from __future__ import annotations

import re

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from suggestions.forms.fields import (
    BODY_MAX,
    BODY_MIN,
    NAME_MAX,
    TITLE_MAX,
    ChineseLength,
    FlaskForm,
    clean_text,
    has_words,
    strip,
    validate_callback_number,
)

ADDRESS_MAX = 200
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
TRUTHY, FALSY = ("true", "1", "yes"), ("false", "0", "no", "")


class PartnerRequestForm(FlaskForm):
    class Meta:
        csrf = False  # a server-to-server call authenticated by its api_key

    service_code = StringField(
        "service_code（建议领域）", filters=[strip], validators=[DataRequired("缺少 service_code（建议领域）。")]
    )
    description = TextAreaField(
        "description（建议内容）",
        filters=[strip],
        validators=[
            DataRequired("缺少 description（建议内容）。"),
            ChineseLength(BODY_MIN, BODY_MAX, label="description（建议内容）"),
            clean_text,
            has_words(5),
        ],
    )
    title = StringField(
        "title（标题）",
        filters=[strip],
        validators=[Optional(), ChineseLength(max=TITLE_MAX, label="title（标题）"), clean_text],
    )
    district = StringField(
        "attribute[district]（所属区）",
        name="attribute[district]",
        filters=[strip],
        validators=[Optional(), Length(max=32, message="attribute[district]（所属区）过长。"), clean_text],
    )
    address_string = StringField(
        "address_string（地址）",
        filters=[strip],
        validators=[Optional(), ChineseLength(max=ADDRESS_MAX, label="address_string（地址）"), clean_text],
    )
    partner_id = StringField(
        "attribute[partner_id]（合作方编号）",
        name="attribute[partner_id]",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=64, message="attribute[partner_id]（合作方编号）最多 64 个字符。"),
            Regexp(
                r"^[\x21-\x7e]+$", message="attribute[partner_id]（合作方编号）只能由字母、数字和符号组成，不含空格。"
            ),
        ],
    )
    confidential = StringField("attribute[confidential]（保密）", name="attribute[confidential]", filters=[strip])
    first_name = StringField(
        "first_name（名）",
        filters=[strip],
        validators=[Optional(), ChineseLength(max=NAME_MAX, label="first_name（名）"), clean_text],
    )
    last_name = StringField(
        "last_name（姓）",
        filters=[strip],
        validators=[Optional(), ChineseLength(max=NAME_MAX, label="last_name（姓）"), clean_text],
    )
    phone = StringField("phone（联系电话）", filters=[strip], validators=[Optional(), validate_callback_number])
    email = StringField(
        "email（电子邮箱）",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=254, message="email（电子邮箱）过长。"),
            Regexp(EMAIL, message="email（电子邮箱）格式不正确，例如 name@example.cn。"),
        ],
    )

    def validate_confidential(self, field):
        if (field.data or "").lower() not in TRUTHY + FALSY:
            raise ValidationError("attribute[confidential]（保密）应为 true 或 false。")

    def validate_last_name(self, field):
        if len(self.contact_name) > NAME_MAX:
            raise ValidationError(f"姓名（last_name 与 first_name）合计最多 {NAME_MAX} 个字。")

    @property
    def contact_name(self) -> str:
        """A Chinese name reads family name first: 王 + 小明 is 王小明."""
        return f"{self.last_name.data or ''}{self.first_name.data or ''}".strip()

    @property
    def is_confidential(self) -> bool:
        return (self.confidential.data or "").lower() in TRUTHY
