from flask import Blueprint

bp = Blueprint("households", __name__, url_prefix="/api")

from . import routes, shared, webhooks_routes  # noqa: E402,F401
