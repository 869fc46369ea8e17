"""Bulk import of 12345 work-order files: upload, progress while the rows are processed, the error report.

The rows are processed in a background thread of the worker that took the upload (10,000 rows take longer than
a request may last); the job row carries the progress, and its page refreshes itself every few seconds (a meta
refresh, so it works without JavaScript).  The import itself is ``intake.importing``, the same as the command.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, Response, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from suggestions import clock
from suggestions.extensions import csrf, db
from suggestions.forms import ImportUploadForm
from suggestions.intake import importing
from suggestions.models import ImportJob
from suggestions.views.admin import bp
from suggestions.web.login import role_required
from suggestions.workflow import Channel, Role

log = logging.getLogger(__name__)

IMPORT_MAX_BYTES = 32 * 1024 * 1024  # about 100,000 work orders
REFRESH_SECONDS = 2
# A running job whose progress has not moved for this long was cut off (its worker restarted).
STALLED_AFTER = timedelta(minutes=2)


@bp.route("/imports", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, after the larger upload limit below applies
@role_required(Role.ADMIN)
def imports():
    request.max_content_length = IMPORT_MAX_BYTES
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            table = importing.read_table(upload.read(), upload.filename or "")
        except importing.ImportFileError as exc:
            form.file.errors.append(str(exc))
        else:
            job = ImportJob(
                actor_id=current_user.id,
                filename=(upload.filename or "")[:200],
                channel=Channel.HOTLINE.value,
                dry_run=form.dry_run.data,
                total_rows=len(table.rows),
            )
            db.session.add(job)
            db.session.commit()
            start(current_app._get_current_object(), job.id, table)
            return redirect(url_for(".import_job", job_id=job.id), 303)
    jobs = db.session.scalars(sa.select(ImportJob).order_by(ImportJob.id.desc()).limit(20)).all()
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/imports.html", form=form, jobs=jobs, columns=importing.COLUMNS, aliases=importing.ALIASES
    ), status


@bp.route("/imports/<int:job_id>")
@role_required(Role.ADMIN)
def import_job(job_id: int):
    job = db.session.get(ImportJob, job_id) or abort(404)
    stalled = job.state == "running" and clock.now() - (job.updated_at or job.created_at) > STALLED_AFTER
    return render_template(
        "admin/import_job.html", job=job, stalled=stalled, refresh=REFRESH_SECONDS if job.state == "running" else 0
    )


@bp.route("/imports/<int:job_id>/errors.csv")
@role_required(Role.ADMIN)
def import_errors(job_id: int):
    job = db.session.get(ImportJob, job_id) or abort(404)
    if not job.error_report:
        abort(404)
    response = Response(job.error_report.encode("utf-8"), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f"attachment; filename=import-{job.id}-errors.csv"
    response.headers["Cache-Control"] = "no-store"
    return response


def start(app: Flask, job_id: int, table: importing.Table) -> threading.Thread:
    """Process ``table`` for job ``job_id`` in a background thread with its own app context and session."""

    def work():
        with app.app_context():
            job = db.session.get(ImportJob, job_id)
            try:
                importing.import_table(
                    table,
                    channel=Channel(job.channel),
                    vault=app.extensions["phone_vault"],
                    dry_run=job.dry_run,
                    job=job,
                )
            except Exception:
                log.exception("import job %s failed", job_id)  # import_table marked the job failed

    thread = threading.Thread(target=work, name=f"import-{job_id}", daemon=True)
    thread.start()
    return thread
