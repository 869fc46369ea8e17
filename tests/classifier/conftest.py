import shutil

import pytest

from classifier import artifacts
from classifier.config import REPLIES_FILE, TRAIN_FILE
from classifier.train import silent, train
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
def tiny_data_dir(tmp_path_factory):
    """A data directory laid out like ../shared/data with the hand-written fixtures: labelled set and replies."""
    directory = tmp_path_factory.mktemp("tiny-data")
    shutil.copy(TINY_TRAIN, directory / TRAIN_FILE)
    shutil.copy(TINY_DEPT, directory / REPLIES_FILE)
    return directory


@pytest.fixture(scope="session")
def tiny_full_model_path(tmp_path_factory, tiny_data_dir):
    """An artifact with both models, trained on the fixtures with 2x5 CV."""
    path = tmp_path_factory.mktemp("full-model") / "full.joblib"
    train(path, data_dir=tiny_data_dir, cv_repeats=2, progress=silent)
    return path


@pytest.fixture(scope="session")
def tiny_full_model(tiny_full_model_path):
    return artifacts.load(tiny_full_model_path)
