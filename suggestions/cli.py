"""``flask suggestions ...`` and ``flask classifier ...`` commands: thin wrappers over seeding and services."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from suggestions import routing
from suggestions.campaign import notifications
from suggestions.extensions import db
from suggestions.hotissues import grouping
from suggestions.intake import importing
from suggestions.models import ApiKey, Campaign, ImportJob, StaffUser, Suggestion
from suggestions.partners import keys
from suggestions.privacy import disclosure
from suggestions.routing.decision import route_text
from suggestions.seed import demo_items, reference_data
from suggestions.workflow import PARTNER_CHANNELS, Channel, Status, WorkflowError

suggestions_cli = AppGroup("suggestions", help="Seed data, demo content and staff accounts.")
api_key_cli = AppGroup("api-key", help="Partner systems' keys for the Open311 API.")
suggestions_cli.add_command(api_key_cli)
classifier_cli = AppGroup("classifier", help="Retrain the routing model from staff corrections.")


@suggestions_cli.command("seed")
@click.option("--demo-accounts/--no-demo-accounts", default=True, help="Create one demo account per role.")
def seed(demo_accounts: bool) -> None:
    """Add the default taxonomy, districts, campaign and demo accounts if missing."""
    _seed(demo_accounts)


@suggestions_cli.command("setup")
@click.option("--demo/--no-demo", default=True, help="Load 300 real messages into an empty database.")
def setup(demo: bool) -> None:
    """Seed reference data and demo accounts, register the trained model, then (with --demo) demo suggestions;
    safe to repeat."""
    from suggestions.routing.retraining import register_file

    _seed(demo_accounts=True)
    registered = register_file(Path(current_app.config["CLASSIFIER_MODEL_PATH"]))
    db.session.commit()
    if registered is not None:
        click.echo(f"model {registered.version} is the served version ({registered.state})")
    if demo:
        _load_demo(300)


def _seed(demo_accounts: bool) -> None:
    report = reference_data.seed_reference_data()
    if demo_accounts:
        reference_data.create_demo_accounts(report=report)
    db.session.commit()
    click.echo(
        f"seeded {report.departments} departments, {report.categories} categories, "
        f"{report.districts} districts, {report.campaigns} campaigns"
    )
    if report.accounts:
        click.echo("Demo accounts (passwords are shown only this once):")
        for username, password, role in report.accounts:
            click.echo(f"  {role:<10} login: {username:<12} password: {password}")


@suggestions_cli.command("load-demo")
@click.option("--count", default=300, show_default=True)
def load_demo(count: int) -> None:
    """Load real messages as demo suggestions into an empty database."""
    _load_demo(count)


def _load_demo(count: int) -> None:
    try:
        added = demo_items.load_demo_suggestions(
            Path(current_app.config["CLASSIFIER_DATA_DIR"]),
            count=count,
            vault=current_app.extensions["phone_vault"],
            decide=route_text,
        )
    except FileNotFoundError as exc:
        click.echo(f"WARNING: demo data not found ({exc.filename}); no demo suggestions loaded", err=True)
        return
    db.session.commit()
    click.echo(f"loaded {added} demo suggestions" if added else "database already has suggestions; demo skipped")


@suggestions_cli.command("route")
@click.option(
    "--triage", is_flag=True, help="Also re-route what waits for manual dispatch, with today's rules and model."
)
def route(triage: bool) -> None:
    """Route suggestions that wait unrouted (已受理), and with --triage re-route the manual queue.

    An item the current rules and model are now sure about is dispatched; the rest stay for a dispatcher.
    Each item is committed on its own, so a long run can be stopped at any point.
    """
    waiting = [Status.ACCEPTED, Status.NEEDS_TRIAGE] if triage else [Status.ACCEPTED]
    ids = db.session.scalars(sa.select(Suggestion.id).where(Suggestion.status.in_(waiting)).order_by(Suggestion.id))
    dispatched = 0
    for suggestion_id in list(ids):
        suggestion = db.session.get(Suggestion, suggestion_id)
        routing.route(suggestion, route_text(suggestion.title, suggestion.body, suggestion.district_id))
        dispatched += suggestion.status == Status.DISPATCHED
        db.session.commit()
    click.echo(f"routed {dispatched} suggestions to a department; the others wait for manual dispatch")


@suggestions_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--channel", type=click.Choice(["hotline"]), required=True, help="The channel the work orders came in.")
@click.option("--dry-run", is_flag=True, help="Check and route every row, write nothing, report what would happen.")
@click.option(
    "--errors",
    "errors_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write refused rows (default: FILE with .errors.csv).",
)
def import_work_orders(file: Path, channel: str, dry_run: bool, errors_path: Path | None) -> None:
    """Import a 12345 work-order export (CSV or XLSX with the Chinese column names listed in the README).

    Each row goes through the same intake as a call typed at /hotline/new; a work order imported before (same
    工单编号) is skipped, so importing a file again adds nothing.  Refused rows are listed, with their row
    number and the reason, in the error file.
    """
    try:
        table = importing.read_table(file.read_bytes(), file.name)
    except importing.ImportFileError as exc:
        raise click.ClickException(str(exc)) from exc
    job = None
    if not dry_run:
        job = ImportJob(filename=file.name[:200], channel=channel, total_rows=len(table.rows))
        db.session.add(job)
        db.session.commit()
    with click.progressbar(length=len(table.rows), label="importing" if not dry_run else "checking") as bar:
        report = importing.import_table(
            table,
            channel=Channel(channel),
            vault=current_app.extensions["phone_vault"],
            dry_run=dry_run,
            job=job,
            progress=lambda _report: bar.update(1),
        )
    added = "would be added" if dry_run else "added"
    click.echo(
        f"{'dry run, nothing written: ' if dry_run else ''}{report.total} rows: {report.created} {added}, "
        f"{report.duplicates} already imported (skipped), {report.invalid} refused"
    )
    for department, count in report.routes.most_common():
        click.echo(f"  {count:>6}  {department}")
    if report.errors:
        errors_path = errors_path or file.with_name(file.stem + ".errors.csv")
        errors_path.write_text(report.error_csv(), encoding="utf-8")
        click.echo(f"refused rows (row number and reason): {errors_path}")


@suggestions_cli.command("regroup")
@click.option("--year", type=int, default=None, help="Only this campaign year (default: every campaign).")
@click.option("--workers", type=int, default=1, show_default=True, help="Processes that read the messages.")
def regroup(year: int | None, workers: int) -> None:
    """Group each campaign's suggestions into hot issues from scratch (run nightly); staff decisions are kept."""
    query = sa.select(Campaign).order_by(Campaign.year)
    if year is not None:
        query = query.where(Campaign.year == year)
    for campaign in db.session.scalars(query).all():
        report = grouping.regroup(campaign.id, workers=workers)
        db.session.commit()
        click.echo(
            f"{campaign.year}: {report.suggestions} suggestions, {report.issues} hot issues, "
            f"{report.kept_decisions} with staff decisions"
        )


@suggestions_cli.command("send-notifications")
@click.option("--limit", default=500, show_default=True, help="At most this many messages in one run.")
def send_notifications(limit: int) -> None:
    """Send pending SMS to residents through NOTIFICATION_SENDER (run it as a scheduled job, e.g. every minute).

    Each message is committed as sent (or failed, with the reason) on its own; a failed one is tried again on
    the next run, up to three times.  Messages for residents without a phone wait on their tracking page and
    are not sent.  Run it once per database at a time.
    """
    report = notifications.send_pending(
        notifications.load_sender(current_app.config["NOTIFICATION_SENDER"]),
        current_app.extensions["phone_vault"],
        limit=limit,
    )
    click.echo(f"sent {report.sent} messages, {report.retrying} to retry, {report.failed} failed")


@suggestions_cli.command("set-password")
@click.argument("username")
@click.password_option()
def set_password(username: str, password: str) -> None:
    """Set a staff member's password."""
    user = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == username))
    if user is None:
        raise click.ClickException(f"no staff account named {username}")
    user.set_password(password)
    db.session.commit()
    click.echo(f"password changed for {username}")


@suggestions_cli.command("anonymise")
@click.option("--months", type=int, default=None, help="Months after closing (default: RETENTION_MONTHS).")
def anonymise(months: int | None) -> None:
    """Erase contact data of items closed longer ago than the retention period."""
    months = months or current_app.config["RETENTION_MONTHS"]
    count = disclosure.anonymise_closed(months)
    db.session.commit()
    click.echo(f"anonymised contact data of {count} suggestions closed more than {months} months ago")


@suggestions_cli.command("rotate-phone-key")
def rotate_phone_key() -> None:
    """Re-encrypt stored phone numbers and sealed texts under the first key of PHONE_ENCRYPTION_KEYS."""
    count = disclosure.rotate_phone_key(current_app.extensions["phone_vault"])
    db.session.commit()
    click.echo(f"re-encrypted personal data of {count} suggestions under the primary key")


@api_key_cli.command("create")
@click.option(
    "--channel",
    required=True,
    type=click.Choice([c.value for c in PARTNER_CHANNELS]),
    help="tjgov (天津政务网), enorth (北方网) or hotline (the 12345 system).",
)
@click.option("--name", default=None, help="Who uses the key (default: the channel's name).")
@click.option("--rate-limit", default=keys.DEFAULT_RATE_LIMIT, show_default=True, help="e.g. '60 per minute'.")
def create_api_key(channel: str, name: str | None, rate_limit: str) -> None:
    """Make a key for a partner system and print it (alone on the last line); it is not shown again."""
    try:
        issued = keys.issue_key(Channel(channel), name or Channel(channel).label, rate_limit=rate_limit)
    except WorkflowError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(
        f"API key #{issued.row.id} for {channel} ({issued.row.rate_limit}); store it now, it is not shown again:"
    )
    click.echo(issued.key)


@api_key_cli.command("revoke")
@click.argument("key_id", type=int)
def revoke_api_key(key_id: int) -> None:
    """Revoke a partner key by its number; requests carrying it are refused from then on."""
    row = db.session.get(ApiKey, key_id)
    if row is None:
        raise click.ClickException(f"no API key #{key_id}")
    try:
        keys.revoke_key(row)
    except WorkflowError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"API key #{key_id} revoked")


@classifier_cli.command("retrain")
@click.option("--cv-repeats", type=int, default=1, show_default=True, help="Repeats of the 5-fold comparison.")
@click.option(
    "--tolerance",
    type=float,
    default=0.01,
    show_default=True,
    help="Score drop still accepted: about two standard deviations of 5-fold noise on the real data.",
)
@click.option(
    "--if-new-corrections",
    "minimum",
    type=int,
    default=0,
    help="Only retrain when at least this many corrections were made since the newest model version "
    "(what the nightly job passes, e.g. 20).",
)
def retrain(cv_repeats: int, tolerance: float, minimum: int) -> None:
    """Train on the base data plus all corrections; promote the new model only if it is not worse."""
    from suggestions.routing import retraining

    if minimum:
        new = retraining.corrections_since_last_version()
        if new < minimum:
            click.echo(f"{new} new corrections since the last model version (fewer than {minimum}): not retrained")
            return
    # The file make run trained becomes the first version, so the comparison has a served model to beat.
    retraining.register_file(Path(current_app.config["CLASSIFIER_MODEL_PATH"]))
    outcome = retraining.retrain_from_corrections(
        Path(current_app.config["CLASSIFIER_DATA_DIR"]),
        progress=lambda message: click.echo(message, err=True),
        cv_repeats=cv_repeats,
        tolerance=tolerance,
    )
    db.session.commit()
    row = outcome.version
    verdict = "promoted" if outcome.promoted else "refused"
    click.echo(
        f"model {row.version}: {verdict} ({row.category_corrections} category, {row.handler_corrections} department "
        f"and {row.domain_corrections} domain corrections)"
    )
    for reason in outcome.reasons:
        click.echo(f"  {reason}")


def init_app(app: Flask) -> None:
    app.cli.add_command(suggestions_cli)
    app.cli.add_command(classifier_cli)


@suggestions_cli.command("route-preview")
@click.option("--data", "data_file", type=click.File("rb"), required=True, help="CSV: id,title,body[,district,domain].")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
def route_preview(data_file, as_json: bool) -> None:
    """Show the domain, category and department routing would choose for each row; writes nothing.

    Uses the live rules, domain signals and served model. A bad row is reported with its line number
    (on stderr, and under "errors" with --json); the other rows are still predicted.
    """
    import json

    from suggestions.routing.preview import PreviewError, preview, read_csv

    try:
        rows = read_csv(data_file.read())
    except PreviewError as exc:
        raise click.ClickException(str(exc)) from exc
    result = preview(rows)
    for error in result.errors:
        click.echo(error["error"], err=True)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False))
        return
    for row in result.predictions:
        verdict = "自动" if row["automatic"] else "人工"
        click.echo(f"{row['id']}\t{row['domain']}\t{row['department'] or '—'}\t{verdict}\t{row['reason']}")
