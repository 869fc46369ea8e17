"""Paths and constants shared by training, evaluation and prediction."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The real data lives beside the checkout and is never copied into the repository.
DATA_DIR = Path(os.environ.get("CLASSIFIER_DATA_DIR", PROJECT_ROOT.parent / "shared" / "data"))

TRAIN_FILE = "tipdm2020c_messages_train.csv"
UNLABELLED_FILE = "tipdm2020c_attachment3_unlabelled_messages.csv"
REPLIES_FILE = "tipdm2020c_attachment4_messages_with_official_replies.csv"

# Hand labels made for this project, versioned with the code; rows refer to ids of DATA_DIR's files.
LABELS_DIR = Path(__file__).resolve().parent / "labels"
DOMAIN_LABELS_FILE = "domains.csv"

DEFAULT_MODEL_PATH = PROJECT_ROOT / "instance" / "models" / "suggestion_router.joblib"

SEED = 20261121

# Bump when the artifact layout changes so old files refuse to load.
# 4: header + {name: scikit-learn Pipeline}; 3: numpy models, the handler with a word block; 2: {format, category,
# handler, card}; 1: a scikit-learn pipeline
ARTIFACT_FORMAT = 4
