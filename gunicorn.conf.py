"""gunicorn settings for 金点子, read automatically when gunicorn starts in the project folder."""

preload_app = True  # load the app (and the model) once in the master; workers share it
# A sync worker that has not finished its request after `timeout` seconds is killed.  A 100,000-row export
# streams for up to about 30 s on a busy machine (bench/export.py); the default of 30 s would cut such a file off.
timeout = 120

# The access log shows the path without its query string, and no referrer (which carries the previous page's
# query string): queries may hold what people typed (a search, a tracking code).  Phone searches travel by POST
# and as a keyed hash anyway; this keeps anything else typed into an address out of the log too.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'
