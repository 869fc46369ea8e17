"""Form validation rules, independent of the views."""

import pytest
from werkzeug.datastructures import MultiDict

from suggestions.forms import PublicSuggestionForm


def make_form(app, **data) -> PublicSuggestionForm:
    values = {"body": "这是一条足够长的建议内容。", "district": "1", "consent": "y", **data}
    with app.test_request_context(method="POST", data=values):
        form = PublicSuggestionForm(formdata=MultiDict(values))
        form.district.choices = [(None, "请选择"), (1, "和平区")]
        form.domain.choices = [(None, "不确定"), (1, "养老")]
        form.validate()
        return form


def test_valid_form(app):
    form = make_form(app)
    assert form.errors == {}


def test_body_is_counted_in_characters_after_trimming(app):
    assert "body" in make_form(app, body="   九个字的建议内容啊   ").errors
    assert "body" not in make_form(app, body="   十个字的建议内容啊呀   ").errors


@pytest.mark.parametrize("phone", ["138 1234 5678", "+8613812345678", "138-1234-5678"])
def test_phone_is_normalised(app, phone):
    form = make_form(app, phone=phone)
    assert form.errors == {} and form.phone.data == "13812345678"


def test_messages_are_in_chinese(app):
    form = make_form(app, body="", consent="", district="7", phone="12")
    messages = [m for errors in form.errors.values() for m in errors]
    assert messages and all(not m.isascii() for m in messages)
