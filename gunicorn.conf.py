"""gunicorn settings for 金点子, read automatically when gunicorn starts in the project folder.

* Preload the app (and the model) once in the master; forked workers share it.
* The control socket (gunicorn 25+, used by ``gunicornc``) goes under this instance's own folder, one per bound
  address: ``instance/gunicorn-127.0.0.1-8000.ctl``.  gunicorn's default, ``~/.gunicorn/gunicorn.ctl``, is shared
  by every instance the same user runs, so a second one (a test server, a second site) would take it over and
  delete it when it stops.  ``--control-socket PATH`` or ``--no-control-socket`` still win.
"""

import re

from gunicorn.config import ControlSocket

from suggestions.config import INSTANCE_DIR

preload_app = True

# A sync worker that has not finished its request after `timeout` seconds is killed.  A 100,000-row export
# streams for up to about 30 s on a busy machine (bench/export.py); the default of 30 s would cut such a file off.
timeout = 120

# The access log shows the path without its query string, and no referrer (which carries the previous page's
# query string): queries may hold what people typed (a search, a tracking code).  Phone searches travel by POST
# and as a keyed hash anyway; this keeps anything else typed into an address out of the log too.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'

# Unix socket paths are limited to 108 bytes; with a longer one the socket is left off rather than shared.
SOCKET_PATH_MAX = 100


def control_socket_path(binds: list[str]) -> str:
    """This instance's control socket: under its instance folder, named after the addresses it serves."""
    name = re.sub(r"[^0-9A-Za-z.]+", "-", "_".join(binds)).strip("-") or "default"
    return str(INSTANCE_DIR / f"gunicorn-{name}.ctl")


def on_starting(server):
    if server.cfg.control_socket != ControlSocket.default or server.cfg.control_socket_disable:
        return  # chosen on the command line
    path = control_socket_path(server.cfg.bind)
    if len(path.encode()) > SOCKET_PATH_MAX:
        server.log.warning("control socket path %s is too long; starting without a control socket", path)
        server.cfg.set("control_socket_disable", True)
        return
    server.cfg.set("control_socket", path)
