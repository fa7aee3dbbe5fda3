from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import health
    from .admin import bp as admin_bp
    from .analytics import bp as analytics_bp
    from .attachments import bp as attachments_bp
    from .auth import bp as auth_bp
    from .bills import bp as bills_bp
    from .households import bp as households_bp
    from .live import bp as live_bp
    from .meters import bp as meters_bp
    from .notifications import bp as notifications_bp
    from .readings import bp as readings_bp
    from .records import bp as records_bp
    from .tariffs import bp as tariffs_bp

    for blueprint in (
        health.bp,
        auth_bp,
        meters_bp,
        records_bp,
        readings_bp,
        analytics_bp,
        admin_bp,
        households_bp,
        tariffs_bp,
        bills_bp,
        notifications_bp,
        attachments_bp,
    ):
        app.register_blueprint(blueprint)
    app.register_blueprint(live_bp)
