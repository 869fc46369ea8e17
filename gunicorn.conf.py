"""gunicorn settings for 金点子, read automatically when gunicorn starts in the project folder."""

preload_app = True  # load the app (and the model) once in the master; workers share it
# A sync worker that has not finished its request after `timeout` seconds is killed.  A 100,000-row export
# streams for up to about 30 s on a busy machine (bench/export.py); the default of 30 s would cut such a file off.
timeout = 120
