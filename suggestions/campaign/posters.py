"""QR posters: the address a poster's code opens, and the code itself drawn in-process as inline SVG."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from markupsafe import Markup

from suggestions.models import QrPoster


def poster_url(base_url: str, poster: QrPoster | None) -> str:
    """The absolute ``/qr`` address the poster's code opens, with the poster's id as ``src``."""
    query = f"?{urlencode({'src': poster.id})}" if poster is not None else ""
    return f"{base_url.rstrip('/')}/qr{query}"


def qr_svg(url: str, *, title: str) -> Markup:
    """An SVG QR code for ``url`` (error correction M: survives some dirt and creases on a wall).

    The SVG has a viewBox and no size, so print CSS scales it; no inline styles (the CSP allows none).
    """
    code = segno.make(url, error="m", micro=False)
    return Markup(
        code.svg_inline(scale=1, border=4, omitsize=True, title=title, svgclass="qr", lineclass="qr__modules")
    )
