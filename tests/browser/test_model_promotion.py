"""A model promoted by `flask classifier retrain` is served by running gunicorn workers without a restart, and by
every app server on the same database (the artifact lives in its ``model_versions`` row)."""

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.browser.conftest import gunicorn, serve
from tests.conftest import ROOT


def served_versions(url: str, requests: int = 8) -> set[str]:
    versions = set()
    for _ in range(requests):
        with urllib.request.urlopen(url + "/api/health", timeout=5) as response:
            versions.add(json.load(response)["model_version"])
    return versions


def test_running_workers_pick_up_a_promoted_model(tmp_path, tiny_full_model_path, tiny_data_dir):
    model_path = tmp_path / "models" / "suggestion_router.joblib"
    model_path.parent.mkdir()
    shutil.copy(tiny_full_model_path, model_path)
    with serve(tmp_path, model_path, FLASK_CLASSIFIER_RELOAD_SECONDS="0.5") as (server, env):
        before = served_versions(server.url)
        assert len(before) == 1
        result = subprocess.run(
            [str(Path(sys.executable).parent / "flask"), "--app", "app", "classifier", "retrain", "--tolerance", "1"],
            cwd=ROOT,
            env={**env, "CLASSIFIER_DATA_DIR": str(tiny_data_dir)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert "promoted" in result.stdout
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            after = served_versions(server.url)
            if after.isdisjoint(before) and len(after) == 1:
                break
            time.sleep(0.5)
        assert after.isdisjoint(before) and len(after) == 1, (before, after)
        # A second app server on the same database, without any model file, serves the same promoted version.
        elsewhere = {**env, "CLASSIFIER_MODEL_PATH": str(tmp_path / "no-such-file.joblib")}
        with gunicorn(elsewhere, tmp_path / "second.log") as second_url:
            assert served_versions(second_url) == after
