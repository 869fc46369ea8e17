"""Personal data: the phone vault, masking in free text, audited disclosure, and the log filter.

``vault`` and ``scrubbing`` are pure Python; ``disclosure`` (reveals, audit rows, retention) uses the database;
``logfilter`` keeps personal numbers out of every log line.
"""
