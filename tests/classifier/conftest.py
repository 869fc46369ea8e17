import pytest

from classifier import artifacts
from tests.conftest import TINY_TRAIN


@pytest.fixture(scope="session")
def tiny_model(tiny_model_path):
    return artifacts.load(tiny_model_path)


@pytest.fixture
def tiny_csv():
    return TINY_TRAIN
