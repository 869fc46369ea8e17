"""长辈版: a large-text, high-contrast display mode that a resident switches on once and keeps on every page.

The choice lives in a plain cookie (no personal data), so the server renders the right class on the next page
with or without JavaScript; with JavaScript the switch also applies at once without leaving the page, so a
half-written suggestion is not lost.  The favicon is served here too, at the address browsers ask for.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, request

from suggestions.extensions import csrf
from suggestions.web.templating import ELDER_COOKIE as COOKIE

ELDER = "elder"
ONE_YEAR = 365 * 24 * 3600

bp = Blueprint("display", __name__)


def _back_to(target: str | None) -> str:
    """A path on this site to return to; anything else (another site, //host) goes to the home page."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@bp.route("/display", methods=["POST"])
@csrf.exempt  # only a display preference: a forged switch changes nothing but the text size
def switch():
    """Switch 长辈版 on or off and go back to the page the switch was pressed on."""
    response = redirect(_back_to(request.form.get("next")), 303)
    if request.form.get("mode") == ELDER:
        response.set_cookie(COOKIE, ELDER, max_age=ONE_YEAR, samesite="Lax", secure=request.is_secure)
    else:
        response.delete_cookie(COOKIE, samesite="Lax", secure=request.is_secure)
    return response


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on every site; a 404 there fills logs and consoles."""
    icon = (Path(current_app.static_folder) / "favicon.ico").read_bytes()  # 234 bytes
    response = Response(icon, mimetype="image/vnd.microsoft.icon")
    response.cache_control.max_age = 86400
    response.cache_control.public = True
    return response
