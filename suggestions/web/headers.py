"""HTTP hardening: security headers with a strict CSP, proxy awareness, and rate limits (web/ratelimit.py)."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from suggestions.extensions import limiter
from suggestions.web import ratelimit

# No inline scripts or styles anywhere: every asset is a file this app serves.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint and not request.endpoint.startswith(("static", "public.submit", "public.adopted", "projects.")):
        # Staff pages and tracking pages carry personal data; keep them out of shared caches.
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    if app.config.get("PROXY_FIX_X_FOR"):
        # Behind a reverse proxy the client's address is in X-Forwarded-For; rate limits need it.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)
    app.after_request(set_security_headers)
    ratelimit.init_app(app)  # also registers the database:// storage the limiter below counts in
    limiter.init_app(app)
