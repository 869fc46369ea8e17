"""Casework: what happens to a suggestion once it is routed.

A department's work (``department``), review, callbacks and ratings (``review``), merging and rejecting
(``merging``), reminders (``supervision``), and the staff action registry the item page is built from (``registry``).  The verbs are
re-exported here: ``casework.sign(...)``.
"""

from suggestions.casework.department import (
    add_note,
    assign,
    bulk_sign,
    decide_extension,
    interim_reply,
    pending_extension,
    reply,
    request_extension,
    return_item,
    sign,
    start,
)
from suggestions.casework.merging import check_merge, merge, reject, unmerge
from suggestions.casework.review import answered, approve_reply, rate, record_callback, send_back
from suggestions.casework.supervision import urge

__all__ = [
    "add_note",
    "answered",
    "approve_reply",
    "assign",
    "bulk_sign",
    "check_merge",
    "decide_extension",
    "interim_reply",
    "merge",
    "pending_extension",
    "rate",
    "record_callback",
    "reject",
    "reply",
    "request_extension",
    "return_item",
    "send_back",
    "sign",
    "start",
    "urge",
    "unmerge",
]
