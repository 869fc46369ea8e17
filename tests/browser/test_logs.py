"""The access and error logs of a real gunicorn never hold a phone number."""

import re
import time
import urllib.request

import pytest

pytestmark = [pytest.mark.browser]


def test_gunicorn_logs_mask_numbers_in_urls(live_server):
    urllib.request.urlopen(live_server.url + "/track?code=13812345678").read()
    try:
        urllib.request.urlopen(live_server.url + "/no-such-page/110101199003071234")
    except urllib.error.HTTPError as error:
        assert error.code == 404
    deadline = time.monotonic() + 10  # the worker writes its access-log line just after the response
    while "/no-such-page/" not in (log := live_server.log_path.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert '"GET /track HTTP/1.1" 200' in log  # the query string is not logged at all (gunicorn.conf.py)
    assert "/no-such-page/110***********1234" in log
    assert "13812345678" not in log and "110101199003071234" not in log
    assert not re.search(r"1[3-9]\d{9}", log)
