"""Logs never carry phone or ID-card numbers."""

import logging

from suggestions.privacy import logfilter as logs


def test_filter_masks_numbers_in_messages_and_arguments(caplog):
    logs.install()
    logger = logging.getLogger("suggestions.test")
    with caplog.at_level(logging.INFO):
        logger.info("caller %s asked about id %s", "13812345678", "110101199003071234")
        logger.info("GET /queue?q=13912345678 HTTP/1.1")
    text = caplog.text
    assert "13812345678" not in text and "110101199003071234" not in text and "13912345678" not in text
    assert "138****5678" in text


def test_filter_masks_tracebacks(caplog):
    logs.install()
    logger = logging.getLogger("suggestions.test")
    with caplog.at_level(logging.ERROR):
        try:
            raise ValueError("bad phone 13812345678")
        except ValueError:
            logger.exception("failed")
    assert "13812345678" not in caplog.text


def test_create_app_installs_the_filter_on_gunicorn_loggers(app):
    for name in ("gunicorn.access", "gunicorn.error", ""):
        assert any(isinstance(f, logs.PersonalDataFilter) for f in logging.getLogger(name).filters)


def test_requests_with_numbers_in_the_url_are_logged_masked(client, seeded, caplog):
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("werkzeug").info('"GET /queue?q=13812345678 HTTP/1.1" 302 -')
    assert "13812345678" not in caplog.text
