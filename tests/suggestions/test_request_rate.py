"""suggestions.request_rate: a worker counts as busy only while its recent requests come thick and fast."""

import pytest

from app import create_app
from suggestions.request_rate import RequestRate
from tests.conftest import make_config


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_busy_only_when_the_limit_of_requests_started_within_the_window():
    clock = FakeClock()
    rate = RequestRate(3, window=1.0, clock=clock)
    for _ in range(2):
        rate.record()
        clock.now += 0.1
        assert not rate.busy()
    rate.record()
    assert rate.busy()  # three within 0.2 s
    clock.now += 1.0
    assert not rate.busy()  # the oldest of the last three started 1.2 s ago
    rate.record()
    assert not rate.busy()


def test_a_steady_trickle_never_counts_as_busy():
    clock = FakeClock()
    rate = RequestRate(3, window=1.0, clock=clock)
    for _ in range(20):
        rate.record()
        assert not rate.busy()
        clock.now += 0.6


def test_a_limit_below_one_means_every_request_is_busy():
    rate = RequestRate(0)
    rate.record()
    assert rate.busy()


@pytest.mark.parametrize(("setting", "mode"), [(True, "always"), (False, "never"), ("when-busy", "when-busy")])
def test_true_and_false_name_the_modes(setting, mode, database_uri, model_path):
    app = create_app(make_config(database_uri, model_path, BACKGROUND_ROUTING=setting))
    assert app.config["BACKGROUND_ROUTING"] == mode


def test_an_unknown_mode_stops_the_start(database_uri, model_path):
    with pytest.raises(RuntimeError, match="BACKGROUND_ROUTING"):
        create_app(make_config(database_uri, model_path, BACKGROUND_ROUTING="sometimes"))


def test_the_default_routes_before_answering_unless_busy():
    from suggestions.config import Config

    assert Config.BACKGROUND_ROUTING == "when-busy"
    # A person filling in the form, or a page and its assets, never reaches the limit.
    assert Config.BUSY_REQUESTS / Config.BUSY_WINDOW_SECONDS >= 10
