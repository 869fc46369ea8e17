"""Partner keys: issued once in clear, stored hashed, limited per key, revoked for good; and the CLI."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import ApiKey
from suggestions.partners import keys
from suggestions.workflow import Channel, WorkflowError


def test_a_key_is_shown_once_and_stored_only_as_its_hash(app):
    issued = keys.issue_key(Channel.ENORTH, "北方网专题页", rate_limit="30 per minute")
    db.session.commit()
    row = db.session.scalar(sa.select(ApiKey))
    assert issued.key.startswith("jdz_") and len(issued.key) > 40
    assert issued.key not in (row.key_hash, row.name, row.key_prefix) and row.key_prefix == issued.key[:12]
    assert keys.active_key(issued.key) == row and row.channel == Channel.ENORTH and row.rate_limit == "30 per minute"


def test_a_revoked_key_is_no_longer_accepted_and_cannot_be_revoked_twice(app):
    issued = keys.issue_key(Channel.TJGOV, "天津政务网")
    keys.revoke_key(issued.row)
    db.session.commit()
    assert keys.active_key(issued.key) is None and issued.row.revoked_at is not None
    with pytest.raises(WorkflowError, match="已停用"):
        keys.revoke_key(issued.row)


@pytest.mark.parametrize("given", [None, "", "jdz_", "jdz_unknown", "nope", "jdz_" + "x" * 200])
def test_unknown_keys_are_not_accepted(app, given):
    keys.issue_key(Channel.TJGOV, "天津政务网")
    db.session.commit()
    assert keys.active_key(given) is None


@pytest.mark.parametrize("channel", [Channel.WEB, Channel.QR])
def test_keys_are_only_for_partner_channels(app, channel):
    with pytest.raises(WorkflowError, match="只能为"):
        keys.issue_key(channel, "网站")


def test_the_database_refuses_a_key_for_a_resident_channel(app):
    db.session.add(
        ApiKey(name="x", channel=Channel.WEB, key_hash="0" * 64, key_prefix="jdz_", rate_limit="1 per minute")
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("limit", ["", "lots", "60 per fortnight", "-1 per minute"])
def test_an_unreadable_rate_limit_is_refused(app, limit):
    with pytest.raises(WorkflowError, match="频率限制"):
        keys.issue_key(Channel.TJGOV, "天津政务网", rate_limit=limit)


def test_rate_limits_read_in_chinese():
    assert keys.describe_rate_limit("60 per minute") == "每分钟 60 次"
    assert keys.describe_rate_limit("60 per minute;1000 per day") == "每分钟 60 次，每天 1000 次"
    assert keys.describe_rate_limit("5/2 hours") == "每2小时 5 次"


class TestCli:
    def test_create_prints_the_new_key_alone_on_its_last_line(self, app, runner):
        result = runner.invoke(args=["suggestions", "api-key", "create", "--channel", "tjgov"])
        assert result.exit_code == 0, result.output
        key = result.output.strip().splitlines()[-1]
        row = keys.active_key(key)
        assert row is not None and row.channel == Channel.TJGOV and row.name == "天津政务网"
        assert row.rate_limit == keys.DEFAULT_RATE_LIMIT and row.created_by_id is None

    def test_create_for_the_12345_system_with_its_own_limit(self, app, runner):
        result = runner.invoke(
            args=[
                "suggestions",
                "api-key",
                "create",
                "--channel",
                "hotline",
                "--name",
                "12345工单系统",
                "--rate-limit",
                "600 per minute",
            ]
        )
        row = keys.active_key(result.output.strip().splitlines()[-1])
        assert (row.channel, row.name, row.rate_limit) == (Channel.HOTLINE, "12345工单系统", "600 per minute")

    @pytest.mark.parametrize("args", [["--channel", "web"], ["--channel", "nope"], []])
    def test_create_refuses_other_channels(self, app, runner, args):
        result = runner.invoke(args=["suggestions", "api-key", "create", *args])
        assert result.exit_code != 0 and db.session.scalar(sa.select(sa.func.count(ApiKey.id))) == 0

    def test_revoke(self, app, runner):
        key = (
            runner.invoke(args=["suggestions", "api-key", "create", "--channel", "enorth"])
            .output.strip()
            .splitlines()[-1]
        )
        row_id = keys.active_key(key).id
        result = runner.invoke(args=["suggestions", "api-key", "revoke", str(row_id)])
        assert result.exit_code == 0 and keys.active_key(key) is None
        assert runner.invoke(args=["suggestions", "api-key", "revoke", str(row_id)]).exit_code != 0
        assert runner.invoke(args=["suggestions", "api-key", "revoke", "999"]).exit_code != 0
