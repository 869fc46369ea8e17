"""Issue 17.13: the encryption key sat beside the database in instance/, so one backup held both."""

import os
import stat
import subprocess
import sys
import tomllib

from tests.conftest import ROOT


def _run(*command: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRETS_FILE", "INSTANCE_PATH", "SECRET_KEY")}
    return subprocess.run(
        command, cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120, check=True
    )


def test_make_keys_writes_the_keys_where_secrets_file_says_and_the_app_reads_them(tmp_path):
    instance, keys = tmp_path / "instance", tmp_path / "elsewhere" / "secrets.toml"
    done = _run("make", "-s", "keys", SECRETS_FILE=str(keys), INSTANCE_PATH=str(instance))
    assert keys.is_file() and stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert not (instance / "secrets.toml").exists()
    assert "note:" not in done.stderr
    written = tomllib.loads(keys.read_text())
    loaded = _run(
        sys.executable,
        "-c",
        "from suggestions.config import load_config; print(load_config()['PHONE_ENCRYPTION_KEYS'])",
        SECRETS_FILE=str(keys),
        INSTANCE_PATH=str(instance),
    )
    assert loaded.stdout.strip() == written["PHONE_ENCRYPTION_KEYS"]
    # A second run never replaces the keys (stored phones would become unreadable).
    _run("make", "-s", "keys", SECRETS_FILE=str(keys), INSTANCE_PATH=str(instance))
    assert tomllib.loads(keys.read_text()) == written


def test_keys_in_the_data_folder_come_with_a_warning(tmp_path):
    done = _run(sys.executable, "-m", "suggestions.keys", INSTANCE_PATH=str(tmp_path))
    assert (tmp_path / "secrets.toml").is_file()
    assert "SECRETS_FILE" in done.stderr and "backup" in done.stderr
