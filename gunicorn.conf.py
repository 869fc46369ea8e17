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
