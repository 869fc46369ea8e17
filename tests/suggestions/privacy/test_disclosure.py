"""Retention, key rotation, sealed originals and 保密."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from suggestions import clock
from suggestions.extensions import db
from suggestions.models import AuditEntry
from suggestions.privacy import disclosure
from suggestions.privacy.vault import PhoneVault
from suggestions.workflow import Action, NotPermitted, Status, WorkflowError
from tests import factories
from tests.suggestions.conftest import events_of


def test_personal_numbers_in_the_text_are_masked_and_the_original_sealed(seeded, vault, staff):
    suggestion = factories.submit(
        vault,
        category=factories.category_coded("城乡建设"),
        title="请联系13955556666",
        body="我的身份证号110101199003071234，电话13955556666，小区电梯坏了。",
    ).suggestion
    assert "13955556666" not in suggestion.body + suggestion.title
    assert "110101199003071234" not in suggestion.body
    assert "139****6666" in suggestion.body
    original = disclosure.reveal_original(suggestion, actor=staff["dispatcher"], reason="核实身份", vault=vault)
    assert original == {
        "title": "请联系13955556666",
        "body": "我的身份证号110101199003071234，电话13955556666，小区电梯坏了。",
    }
    assert events_of(suggestion)[-1].action == Action.REVEAL_TEXT


def test_text_without_personal_numbers_is_not_sealed(seeded, vault, staff):
    suggestion = factories.submit(vault, category=None).suggestion
    assert suggestion.body_sealed is None
    with pytest.raises(WorkflowError):
        disclosure.reveal_original(suggestion, actor=staff["dispatcher"], reason="x", vault=vault)


def test_officers_cannot_unseal_originals(seeded, vault, staff):
    suggestion = factories.submit(
        vault, category=factories.category_coded("城乡建设"), body="电话13955556666，电梯坏了。"
    ).suggestion
    with pytest.raises(NotPermitted):
        disclosure.reveal_original(suggestion, actor=staff["officer"], reason="想看", vault=vault)


def test_confidential_items_hide_the_resident_from_departments(seeded, vault, staff):
    suggestion = factories.submit(
        vault, category=factories.category_coded("城乡建设"), confidential=True, contact_name="李先生"
    ).suggestion
    with pytest.raises(NotPermitted, match="保密"):
        disclosure.reveal_phone(suggestion, actor=staff["officer"], reason="联系市民", vault=vault)
    assert disclosure.reveal_phone(suggestion, actor=staff["operator"], reason="回访", vault=vault) == "13812345678"


class TestRetention:
    def test_contact_data_is_erased_after_the_retention_period(self, housing_item, staff):
        old = housing_item(Status.CLOSED, contact_name="王女士", body="电话13955556666，电梯坏了很久。")
        recent = housing_item(Status.CLOSED, contact_name="赵先生")
        still_open = housing_item(Status.SIGNED, contact_name="钱女士")
        old.closed_at = clock.now() - timedelta(days=800)
        db.session.commit()
        assert disclosure.anonymise_closed(24) == 1
        db.session.commit()
        db.session.refresh(old)
        assert (old.contact_name, old.phone_ciphertext, old.phone_hash, old.phone_masked, old.body_sealed) == (
            None,
            None,
            None,
            None,
            None,
        )
        assert "139****6666" in old.body  # the masked text stays
        assert events_of(old)[-1].action == Action.ANONYMISE
        assert recent.contact_name == "赵先生" and still_open.contact_name == "钱女士"
        assert disclosure.anonymise_closed(24) == 0  # nothing twice

    def test_cli(self, runner, housing_item):
        item = housing_item(Status.CLOSED)
        item.closed_at = clock.now() - timedelta(days=400)
        db.session.commit()
        result = runner.invoke(args=["suggestions", "anonymise", "--months", "12"])
        assert result.exit_code == 0 and "anonymised contact data of 1 suggestions" in result.output


def test_key_rotation_re_encrypts_under_the_new_key(app, seeded, vault):
    suggestion = factories.submit(vault, category=None, body="电话13955556666，电梯坏了很久。").suggestion
    old_key = app.config["PHONE_ENCRYPTION_KEYS"]
    new_key = Fernet.generate_key().decode()
    both = PhoneVault(f"{new_key},{old_key}", app.config["PHONE_HASH_KEY"])
    assert disclosure.rotate_phone_key(both) == 1
    db.session.commit()
    only_new = PhoneVault(new_key, app.config["PHONE_HASH_KEY"])
    assert only_new.decrypt(suggestion.phone_ciphertext) == "13812345678"
    assert json.loads(only_new.decrypt(suggestion.body_sealed))["body"].startswith("电话13955556666")


def test_audit_entries_are_append_only(seeded, staff):
    entry = disclosure.record_audit(staff["admin"], "export", details={"rows": 3})
    db.session.commit()
    entry.reason = "changed"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(sa.text("DELETE FROM audit_log"))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 1
