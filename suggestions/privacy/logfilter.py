"""Keep personal data out of logs: a filter that masks phone and ID numbers in every record."""

from __future__ import annotations

import logging

from suggestions.privacy.scrubbing import scrub_text

# Loggers whose handlers get the filter: the app's own, Flask/Werkzeug and gunicorn's access and error logs.
LOGGERS = ("", "gunicorn.access", "gunicorn.error", "werkzeug", "app", "suggestions", "classifier")


class PersonalDataFilter(logging.Filter):
    """Rewrite each record's message with phone and ID-card numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logged as it is; this filter must not break logging
            return True
        masked = scrub_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
        return True


_FILTER = PersonalDataFilter()


def install() -> None:
    """Attach the filter to every handler of the loggers above (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
