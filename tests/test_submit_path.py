"""bench/submit_path.py: real form submissions through the test client, each stored and routed, timed."""

import sqlalchemy as sa

from bench import submit_path
from bench.burst import prepare_database


def test_form_poster_stores_every_submission_and_times_it(tmp_path, tiny_model_path):
    url = prepare_database("sqlite", tmp_path)
    post = submit_path.form_poster(url, tiny_model_path)  # raises unless each answer is 201
    milliseconds = submit_path.time_posts(post, requests=5, repeats=2)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        statuses = connection.execute(sa.text("SELECT status FROM suggestions")).scalars().all()
    engine.dispose()
    assert milliseconds > 0
    assert len(statuses) == 50 + 5 * 2  # warm-up and timed posts
    assert set(statuses) <= {"dispatched", "needs_triage"}  # each one routed before its answer
