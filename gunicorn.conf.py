"""gunicorn settings for 金点子, read automatically when gunicorn starts in the project folder."""

preload_app = True  # load the app (and the model) once in the master; workers share it

# The access log shows the path without its query string, and no referrer (which carries the previous page's
# query string): queries may hold what people typed (a search, a tracking code).  Phone searches travel by POST
# and as a keyed hash anyway; this keeps anything else typed into an address out of the log too.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'
