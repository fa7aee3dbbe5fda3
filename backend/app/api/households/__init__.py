from flask import Blueprint

bp = Blueprint("households", __name__, url_prefix="/api")

from . import routes, shared  # noqa: E402,F401
