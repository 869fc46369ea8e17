"""``flask suggestions ...`` commands: thin wrappers over seeding and services."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from suggestions import demo, seeding
from suggestions.extensions import db
from suggestions.models import StaffUser
from suggestions.routing import route_text
from suggestions.services import privacy as privacy_services

suggestions_cli = AppGroup("suggestions", help="Seed data, demo content and staff accounts.")
classifier_cli = AppGroup("classifier", help="Retrain the routing model from staff corrections.")


@suggestions_cli.command("seed")
@click.option("--demo-accounts/--no-demo-accounts", default=True, help="Create one demo account per role.")
def seed(demo_accounts: bool) -> None:
    """Add the default taxonomy, districts, campaign and demo accounts if missing."""
    _seed(demo_accounts)


@suggestions_cli.command("setup")
@click.option("--demo/--no-demo", default=True, help="Load 300 real messages into an empty database.")
def setup(demo: bool) -> None:
    """Seed reference data and demo accounts, then (with --demo) demo suggestions; safe to repeat."""
    _seed(demo_accounts=True)
    if demo:
        _load_demo(300)


def _seed(demo_accounts: bool) -> None:
    report = seeding.seed_reference_data()
    if demo_accounts:
        seeding.create_demo_accounts(report=report)
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
        added = demo.load_demo_suggestions(
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
    "--follow", is_flag=True, help="Keep routing until stopped; a router that dies is replaced (what gunicorn starts)."
)
@click.option("--poll", default=0.5, show_default=True, help="Seconds between looks when nothing waits.")
@click.option("--parent-pid", type=int, default=None, help="Stop when this process (gunicorn's master) is gone.")
@click.option("--nice", "niceness", default=10, show_default=True, help="Lower priority, so web requests come first.")
def route(follow: bool, poll: float, parent_pid: int | None, niceness: int) -> None:
    """Route suggestions the public form recorded (已受理) to a department queue or to manual dispatch."""
    from suggestions import background_routing, logs

    if not follow:
        total = 0
        while handled := background_routing.route_waiting():
            total += handled
        db.session.commit()
        click.echo(f"routed {total} suggestions")
        return
    # Its own log lines on stderr (next to gunicorn's), through the filter that masks personal numbers.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [router %(process)d] %(levelname)s %(message)s")
    logs.install()
    os.nice(niceness)
    background_routing.supervise(current_app._get_current_object(), parent_pid=parent_pid, poll_seconds=poll)


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
    count = privacy_services.anonymise_closed(months)
    db.session.commit()
    click.echo(f"anonymised contact data of {count} suggestions closed more than {months} months ago")


@suggestions_cli.command("rotate-phone-key")
def rotate_phone_key() -> None:
    """Re-encrypt stored phone numbers and sealed texts under the first key of PHONE_ENCRYPTION_KEYS."""
    count = privacy_services.rotate_phone_key(current_app.extensions["phone_vault"])
    db.session.commit()
    click.echo(f"re-encrypted personal data of {count} suggestions under the primary key")


@classifier_cli.command("retrain")
@click.option("--cv-repeats", type=int, default=1, show_default=True, help="Repeats of the 5-fold comparison.")
@click.option(
    "--tolerance",
    type=float,
    default=0.01,
    show_default=True,
    help="Score drop still accepted: about two standard deviations of 5-fold noise on the real data.",
)
def retrain(cv_repeats: int, tolerance: float) -> None:
    """Train on the base data plus all corrections; promote the new model only if it is not worse."""
    from suggestions.retraining import retrain_from_corrections

    outcome = retrain_from_corrections(
        Path(current_app.config["CLASSIFIER_MODEL_PATH"]),
        Path(current_app.config["CLASSIFIER_DATA_DIR"]),
        progress=lambda message: click.echo(message, err=True),
        cv_repeats=cv_repeats,
        tolerance=tolerance,
    )
    db.session.commit()
    row = outcome.version
    verdict = "promoted" if outcome.promoted else "refused"
    click.echo(
        f"model {row.version}: {verdict} ({row.category_corrections} category and "
        f"{row.handler_corrections} department corrections)"
    )
    for reason in outcome.reasons:
        click.echo(f"  {reason}")


def init_app(app: Flask) -> None:
    app.cli.add_command(suggestions_cli)
    app.cli.add_command(classifier_cli)
