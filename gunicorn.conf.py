"""gunicorn settings for 金点子, read automatically when gunicorn starts in the project folder."""

preload_app = True  # load the app (and the model) once in the master; workers share it
