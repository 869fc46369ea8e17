"""The ceiling for bench/burst.py: a minimal Flask app that inserts one row per request.

Served by gunicorn exactly like the real app (``gunicorn bench.minimal_app:app``) against
the same database, so the ratio between the two isolates what 金点子 itself costs.
"""

import os

import sqlalchemy as sa
from flask import Flask, request

from suggestions.config import database_url

app = Flask(__name__)
engine = sa.create_engine(database_url(os.environ.get("DATABASE_URL")), pool_pre_ping=True)
rows = sa.table("bench_rows", sa.column("id", sa.Integer), sa.column("body", sa.Text))


@sa.event.listens_for(engine, "connect")
def _sqlite_pragmas(connection, _record):
    if type(connection).__module__.startswith("sqlite3"):
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA busy_timeout=10000")


@app.post("/insert")
def insert():
    with engine.begin() as connection:
        connection.execute(sa.insert(rows).values(body=request.form.get("body", "")))
    return "ok", 201
