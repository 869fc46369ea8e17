"""gunicorn settings for 金点子, read automatically when gunicorn starts in the project folder.

Beside the web workers the master starts one background router (``flask suggestions route --follow``):
while a worker is busy the public form only records a suggestion, and the router sends it to a department
queue or to manual dispatch a moment later. The router stops with the master, and by itself if the master
dies; a router that dies on its own is replaced by its supervisor (``suggestions.background_routing``).
Set ``BACKGROUND_ROUTER=0`` to run the router elsewhere (for instance once for several web servers).
"""

import os
import signal
import subprocess
import sys

preload_app = True  # load the app (and the model) once in the master; workers share it

_router: subprocess.Popen | None = None


def when_ready(server):
    global _router
    if os.environ.get("BACKGROUND_ROUTER", "1") == "0":
        return
    _router = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "app",
            "suggestions",
            "route",
            "--follow",
            "--parent-pid",
            str(os.getpid()),
        ],
        cwd=os.path.dirname(os.path.abspath(__file__)),
    )
    server.log.info("background router started (pid %s)", _router.pid)


def on_exit(server):
    if _router is not None and _router.poll() is None:
        _router.send_signal(signal.SIGTERM)
        try:
            _router.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _router.kill()
