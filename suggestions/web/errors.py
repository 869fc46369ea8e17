"""Error pages in Chinese, as HTML for people and JSON for scripts."""

from __future__ import annotations

from flask import Flask, abort, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from suggestions.extensions import db

MESSAGES = {
    400: ("请求有误", "提交的内容无法识别，请返回检查后重试。"),
    401: ("需要登录", "请先登录。"),
    403: ("无权访问", "您的账号没有访问该页面的权限。"),
    404: ("页面不存在", "您要找的页面不存在，或您无权查看。"),
    405: ("请求方式不支持", "请通过页面上的按钮进行操作。"),
    413: ("内容过大", "提交的内容超过了允许的大小，请精简后重试。"),
    415: ("格式不支持", "提交的数据格式不受支持。"),
    422: ("内容有误", "提交的内容有误，请检查后重试。"),
    429: ("操作过于频繁", "您的操作过于频繁，请稍后再试。"),
    500: ("系统繁忙", "系统暂时出现问题，我们已记录。请稍后再试，您之前已提交成功的建议不会丢失。"),
}


# The partner API answers errors in its own (GeoReport v2) format, even for URLs it does not know.
OPEN311_PREFIX = "/open311/"
OPEN311_MESSAGES = {
    404: "接口地址不存在，请查看 /open311/v2/openapi.json。",
    405: "该接口不支持这种请求方式，请查看 /open311/v2/openapi.json。",
    413: "提交的内容过大。",
    429: "请求过于频繁，请稍后再试。",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    message = detail or message
    if request.path.startswith(OPEN311_PREFIX):
        description = detail or OPEN311_MESSAGES.get(code, message)
        return jsonify([{"code": code, "description": description}]), code
    if wants_json():
        return jsonify(error=message, status=code), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def refuse(code: int, message: str):
    """Stop the request with an error page (or JSON) that says ``message`` in Chinese."""
    abort(make_response(render_error(code, message)))


def handle_http_error(error: HTTPException):
    response = make_response(render_error(error.code or 500))
    if error.code == 405:  # say which methods the URL takes, as HTTP asks
        response.headers["Allow"] = error.get_response().headers.get("Allow", "")
    return response


def handle_csrf_error(error: CSRFError):
    return render_error(400, "页面已过期或来源无法验证，请刷新页面后重新提交。")


def handle_server_error(error: Exception):
    db.session.rollback()
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_server_error)
