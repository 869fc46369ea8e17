"""Application factory for 金点子."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask


def create_app(config: Mapping | None = None) -> Flask:
    """Create the web application; ``config`` overrides settings (tests pass theirs here)."""
    from suggestions import cli, extensions
    from suggestions import config as settings
    from suggestions.privacy import logfilter
    from suggestions.privacy.vault import PhoneVault
    from suggestions.routing.serving import ModelHolder
    from suggestions.views import register_blueprints
    from suggestions.web import errors, headers, login, templating

    app = Flask(
        __name__,
        static_folder="suggestions/static",
        template_folder="templates",
        instance_path=str(settings.INSTANCE_DIR),
    )
    app.config.from_object(settings.Config)
    app.config.update(settings.load_config())
    app.config.from_prefixed_env()
    app.config.update(config or {})
    for name in settings.SECRET_NAMES:
        if not app.config.get(name):
            raise RuntimeError(
                f"{name} is not configured: set it in the environment or run `python -m suggestions.keys`"
            )

    logfilter.install()
    extensions.init_app(app)
    headers.init_app(app)
    login.init_app(app)
    app.extensions["phone_vault"] = PhoneVault(app.config["PHONE_ENCRYPTION_KEYS"], app.config["PHONE_HASH_KEY"])
    app.extensions["classifier"] = ModelHolder(
        app.config["CLASSIFIER_MODEL_PATH"], app.config["CLASSIFIER_RELOAD_SECONDS"]
    )
    if app.config.get("CLASSIFIER_PRELOAD"):
        # gunicorn --preload: load once in the master so forked workers share the memory.
        from classifier.tokenize import warm_up

        warm_up()
        with app.app_context():
            app.extensions["classifier"].get()
            # The look-up of the promoted version opened a connection; forked workers must open their own.
            extensions.db.session.remove()
            extensions.db.engine.dispose()
        from suggestions.hotissues import grouping

        grouping.warm_up(app)  # the campaigns' hot-issue indexes, so no worker's first submission builds one
    register_blueprints(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    return app
