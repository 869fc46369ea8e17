"""Partner systems' API keys: create (the key is shown once) and revoke after a confirmation."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from suggestions.extensions import db
from suggestions.forms import ActionForm, ApiKeyForm
from suggestions.models import ApiKey
from suggestions.partners import keys
from suggestions.views.admin import bp
from suggestions.web.login import role_required
from suggestions.workflow import Channel, Role, WorkflowError


@bp.route("/api-keys", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def api_keys():
    form = ApiKeyForm()
    issued = None
    if form.validate_on_submit():
        try:
            issued = keys.issue_key(
                Channel(form.channel.data),
                form.name.data,
                rate_limit=f"{form.per_minute.data} per minute",
                actor=current_user,
            )
        except WorkflowError as exc:
            db.session.rollback()
            form.name.errors.append(exc.message)
        else:
            db.session.commit()
            form = ApiKeyForm(formdata=None)
    return render_template(
        "admin/api_keys.html", form=form, rows=keys.all_keys(), issued=issued, describe=keys.describe_rate_limit
    ), (400 if form.errors else 201 if issued else 200)


@bp.route("/api-keys/<id:key_id>/revoke", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def revoke_api_key(key_id: int):
    row = db.get_or_404(ApiKey, key_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            keys.revoke_key(row, actor=current_user)
        except WorkflowError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(f"密钥“{row.name}”（{row.key_prefix}…）已停用，使用它的请求将被拒绝。", "success")
        return redirect(url_for(".api_keys"), 303)
    return render_template("admin/api_key_revoke.html", row=row, form=form)
