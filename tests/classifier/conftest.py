import shutil

import pytest

from classifier import artifacts
from classifier.config import REPLIES_FILE
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


@pytest.fixture(scope="session")
def tiny_dept_dir(tmp_path_factory):
    """A data directory holding only the reply file (tests/data/tiny_dept.csv); the vocabulary files are optional."""
    directory = tmp_path_factory.mktemp("dept")
    shutil.copy(TINY_DEPT, directory / REPLIES_FILE)
    return directory


@pytest.fixture(scope="session")
def tiny_handler(tiny_dept_dir):
    """A handler-type model trained on the 36 messages of tiny_dept.csv."""
    from classifier.handler_training import train_handler

    return train_handler(tiny_dept_dir)
