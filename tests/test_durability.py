"""Zero lost, zero duplicated suggestions under concurrent load, with a worker and the master killed.

A short, bounded run of bench/burst.py against real gunicorn on the database under
test (SQLite, or the PostgreSQL that `make test` starts for its second pass).
"""

import pytest

from bench import burst
from tests.conftest import PG_URL

pytestmark = [pytest.mark.slow]


@pytest.mark.parametrize("scenario", ["plain", "kill-worker", "kill-master"])
def test_every_acknowledged_submission_is_stored_exactly_once(scenario):
    results = burst.run("postgres" if PG_URL else "sqlite", total=90, concurrency=6, workers=2, scenarios=[scenario])
    outcome = results[0]
    assert outcome["acknowledged"] == 90, outcome
    assert outcome["stored"] == outcome["acknowledged"]
    assert outcome["lost"] == 0 and outcome["duplicated"] == 0
    assert outcome["queued_after"] is not None  # and every one of them is in a department or the manual queue
    if scenario == "kill-master":
        assert outcome["retries"] > 0  # the run really went through an outage
