import shutil

import pytest

from classifier import load
from classifier.config import DOMAIN_LABELS_FILE
from classifier.train import train
from tests.conftest import ROOT, TINY_TRAIN

TINY_DOMAINS = ROOT / "tests" / "data" / "tiny_domains.csv"


@pytest.fixture(scope="session")
def tiny_model(tiny_model_path):
    """The app's tiny artifact: category model only (trained from tiny_train.csv without a data directory)."""
    return load(tiny_model_path)


@pytest.fixture(scope="session")
def tiny_csv():
    return TINY_TRAIN


@pytest.fixture(scope="session")
def tiny_full_model(tiny_full_model_path):
    """Category and handler-type models, trained on the fixtures with 2x5 CV."""
    return load(tiny_full_model_path)


@pytest.fixture(scope="session")
def tiny_labels_dir(tmp_path_factory):
    """A labels folder holding tests/data/tiny_domains.csv as domains.csv (ids of tests/data/tiny_dept.csv)."""
    directory = tmp_path_factory.mktemp("labels")
    shutil.copy(TINY_DOMAINS, directory / DOMAIN_LABELS_FILE)
    return directory


@pytest.fixture(scope="session")
def tiny_domain_model_path(tmp_path_factory, tiny_data_dir, tiny_labels_dir):
    """All three models: the fixtures' data directory plus the domain labels."""
    path = tmp_path_factory.mktemp("domain-model") / "all.joblib"
    train(path, data_dir=tiny_data_dir, labels_dir=tiny_labels_dir, cv_repeats=1, progress=lambda message: None)
    return path


@pytest.fixture(scope="session")
def tiny_domain_model(tiny_domain_model_path):
    return load(tiny_domain_model_path)
