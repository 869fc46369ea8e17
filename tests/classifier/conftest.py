import pytest

from classifier import artifacts
from tests.conftest import ROOT, TINY_TRAIN

TINY_DEPT = ROOT / "tests" / "data" / "tiny_dept.csv"


@pytest.fixture(scope="session")
def tiny_model(tiny_model_path):
    """The app's tiny model: category only (trained from tiny_train.csv without a data directory)."""
    return artifacts.load(tiny_model_path)


@pytest.fixture(scope="session")
def tiny_csv():
    return TINY_TRAIN


@pytest.fixture(scope="session")
def tiny_full_model(tiny_full_model_path):
    return artifacts.load(tiny_full_model_path)
