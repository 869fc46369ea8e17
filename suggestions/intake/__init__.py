"""Intake: the one way a suggestion comes in (``submission.submit``) and the public tracking codes and
credentials (``tracking``).  Re-exported here: ``intake.submit(...)``."""

from suggestions.intake.submission import Intake, Receipt, find_existing, form_key, storable_text, submit
from suggestions.intake.tracking import parse_tracking_code, verify_access

__all__ = [
    "Intake",
    "Receipt",
    "find_existing",
    "form_key",
    "parse_tracking_code",
    "storable_text",
    "submit",
    "verify_access",
]
