"""The printable A4 poster with a QR code that opens the suggestion form and tells which poster was scanned."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from suggestions import clock
from suggestions.campaign.posters import poster_url, qr_svg
from suggestions.campaign.taxonomy import taxonomy_campaign
from suggestions.extensions import db
from suggestions.models import QrPoster
from suggestions.web.login import role_required
from suggestions.workflow import Role

bp = Blueprint("posters", __name__)


@bp.route("/qr/poster")
@role_required(Role.DISPATCHER, Role.ADMIN)
def poster():
    """``?src=<poster id>``: that poster's code; without it, a code to the plain QR form (not counted by place)."""
    src = request.args.get("src", "")
    poster = None
    if src:
        poster = db.session.get(QrPoster, int(src)) if src.isdigit() and len(src) <= 9 else None
        if poster is None:
            abort(404)
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    url = poster_url(base, poster)
    return render_template(
        "posters/poster.html",
        poster=poster,
        url=url,
        code=qr_svg(url, title="扫码提建议"),
        campaign=taxonomy_campaign(clock.local_today()),
    )
